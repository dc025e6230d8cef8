package tfsource

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// ReadDir reads the .tf files of a directory, not of its subdirectories, as terraform reads
// a module. It lists what it leaves out as skipped: hidden entries, folders, files not .tf,
// and anything not a regular file. Files are opened through an os.Root, so nothing outside
// the directory is read; a .tf file that is a symbolic link out of the directory (or an
// absolute one) is refused rather than skipped: without it the configuration would be
// another one. It refuses more than MaxFiles .tf files, before reading any, and more than
// MaxBytes together.
func ReadDir(ctx context.Context, dir string) (*Source, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	entries, err := readDirNames(root)
	if err != nil {
		return nil, err
	}

	src := &Source{}
	var read []string
	for _, e := range entries {
		name := e.Name()
		if reason, ok := dirEntryReason(root, e); !ok {
			src.Skipped = append(src.Skipped, Skipped{Name: name, Reason: reason})
			continue
		}
		read = append(read, name)
	}
	// Counted before reading: a directory of thousands of files costs nothing to refuse.
	if len(read) > MaxFiles {
		return nil, &Problem{Kind: TooManyFiles, Count: len(read), Limit: MaxFiles}
	}
	left := MaxBytes
	for _, name := range read {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := readDirFile(root, name, left)
		if err != nil {
			return nil, err
		}
		left -= len(data)
		src.Files = append(src.Files, File{Name: name, Data: data})
	}
	if err := src.finish(); err != nil {
		return nil, err
	}
	return src, nil
}

// readDirNames lists the directory's entries sorted by name.
func readDirNames(root *os.Root) ([]fs.DirEntry, error) {
	d, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	entries, err := d.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", root.Name(), err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	return entries, nil
}

// dirEntryReason says why an entry is left out, or true when it is read. A symbolic link
// is judged by what it leads to, so a link to a folder is a folder; a link that leads
// nowhere inside the directory is left for readDirFile to refuse, if it is a .tf file.
func dirEntryReason(root *os.Root, e fs.DirEntry) (Reason, bool) {
	name := e.Name()
	if isHidden(name) {
		return Hidden, false
	}
	mode := e.Type()
	if mode&fs.ModeSymlink != 0 {
		if fi, err := root.Stat(name); err == nil {
			mode = fi.Mode().Type()
		}
	}
	switch {
	case mode.IsDir():
		return Directory, false
	case !isTerraform(name):
		return NotTerraform, false
	case mode&fs.ModeSymlink == 0 && !mode.IsRegular():
		return NotRegular, false
	}
	return 0, true
}

// readDirFile reads one file of the directory, at most left+1 bytes of it.
func readDirFile(root *os.Root, name string, left int) ([]byte, error) {
	if fi, err := root.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := root.Readlink(name)
		if err != nil {
			return nil, err
		}
		if filepath.IsAbs(target) || !filepath.IsLocal(target) {
			return nil, &Problem{Kind: OutsideDirectory, Name: name}
		}
	}
	f, err := root.Open(name)
	if err != nil {
		// The os.Root refuses a chain of links that leads out; its error says so.
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", name)
	case fi.Size() > MaxFileBytes:
		return nil, &Problem{Kind: FileTooLarge, Name: name, Limit: MaxFileBytes}
	}
	// The size from Stat is only a hint: the file may grow while it is read.
	data, err := io.ReadAll(io.LimitReader(f, int64(left)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > left {
		return nil, &Problem{Kind: TooLarge, Name: name, Limit: MaxBytes}
	}
	return data, nil
}
