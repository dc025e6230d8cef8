package tfsource

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ModuleFolders names the folders of the local modules the files call, relative to the
// configuration's directory with forward slashes (modules/net). tfsource does not parse
// HCL: blueprint.ModuleFolders is the one to pass.
type ModuleFolders func(files map[string][]byte) []string

// ReadDirModules reads dir as ReadDir does, then the .tf files of each subfolder that
// folders names, and of those the files read from them name in turn, so that a
// configuration's local modules come with it (named modules/net/main.tf). The limits are
// ReadDir's, for all the files together. A folder outside dir, or that is not there, is
// not read; the import says what is missing. The folders read are no longer listed as
// skipped, but what a module folder holds besides .tf files is.
func ReadDirModules(ctx context.Context, dir string, folders ModuleFolders) (*Source, error) {
	src, err := ReadDir(ctx, dir)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	left := MaxBytes
	for _, f := range src.Files {
		left -= len(f.Data)
	}
	read := map[string]bool{}
	for {
		var next []string
		for _, f := range folders(src.ByName()) {
			f = path.Clean(f)
			if read[f] || isHidden(f) || !filepath.IsLocal(filepath.FromSlash(f)) {
				continue
			}
			read[f] = true
			next = append(next, f)
		}
		if len(next) == 0 {
			break
		}
		sort.Strings(next)
		for _, f := range next {
			if err := readModuleFolder(ctx, root, f, src, &left); err != nil {
				return nil, err
			}
		}
	}
	var kept []Skipped
	for _, s := range src.Skipped {
		if s.Reason == Directory && folderRead(read, s.Name) {
			continue
		}
		kept = append(kept, s)
	}
	src.Skipped = kept
	if err := src.finish(); err != nil {
		return nil, err
	}
	return src, nil
}

func folderRead(read map[string]bool, name string) bool {
	for f := range read {
		if f == name || strings.HasPrefix(f, name+"/") {
			return true
		}
	}
	return false
}

// readModuleFolder adds the .tf files of one folder of root, within the limits left.
func readModuleFolder(ctx context.Context, root *os.Root, folder string, src *Source, left *int) error {
	sub, err := root.OpenRoot(filepath.FromSlash(folder))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading module folder %s: %w", folder, err)
	}
	defer sub.Close()
	entries, err := readDirNames(sub)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		reason, ok := dirEntryReason(sub, e)
		switch {
		case reason == Directory:
			// A module's own subfolders are read only when a module call names them.
		case !ok:
			src.Skipped = append(src.Skipped, Skipped{Name: folder + "/" + e.Name(), Reason: reason})
		default:
			names = append(names, e.Name())
		}
	}
	if n := len(src.Files) + len(names); n > MaxFiles {
		return &Problem{Kind: TooManyFiles, Count: n, Limit: MaxFiles}
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		full := folder + "/" + name
		data, err := readDirFile(sub, name, *left)
		var p *Problem
		if errors.As(err, &p) && p.Name == name {
			p.Name = full
		}
		if err != nil {
			return err
		}
		*left -= len(data)
		src.Files = append(src.Files, File{Name: full, Data: data})
	}
	return nil
}
