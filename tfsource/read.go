package tfsource

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// The files a configuration reads with file(), templatefile() and the like are not
// Terraform: a reader cannot tell them from the rest of a folder without parsing the .tf
// files, which is blueprint.FileReads's job. So they are read in a second step, by name,
// once the caller knows which: Source.ReadDirFiles, ReadZipFiles and PickFiles. They are
// never parsed here, and they count against the same limits as the .tf files (MaxBytes
// together, MaxFileBytes each); at most MaxFiles of them are read. A named file that is not
// there is left out without an error: the caller says it is missing.

// ReadDirFiles reads the named files of dir (paths relative to it, with forward slashes;
// subfolders allowed) into s.Read, and takes them off s.Skipped. Files are opened through
// an os.Root, so a name with "..", an absolute one, or a symbolic link out of the folder
// reads nothing: such a link is listed in s.Skipped (LinkOutside), any other name that is not
// there is left out. dir is the folder ReadDir read.
func (s *Source) ReadDirFiles(ctx context.Context, dir string, names []string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return s.readNamed(ctx, names, func(name string, left int) ([]byte, bool, error) {
		native := filepath.FromSlash(name)
		fi, err := root.Stat(native)
		if err != nil || !fi.Mode().IsRegular() {
			// Missing, a folder, or a link the root will not follow out of it: the
			// last is listed, so that the caller does not call it missing.
			if lfi, lerr := root.Lstat(native); lerr == nil && lfi.Mode()&fs.ModeSymlink != 0 {
				s.Skipped = append(s.Skipped, Skipped{Name: name, Reason: LinkOutside})
			}
			return nil, false, nil
		}
		data, err := readDirFile(root, native, left)
		var p *Problem
		if errors.As(err, &p) && p.Kind == OutsideDirectory {
			s.Skipped = append(s.Skipped, Skipped{Name: name, Reason: LinkOutside})
			return nil, false, nil
		}
		return data, err == nil, err
	})
}

// ReadZipFiles reads the named entries of the archive ReadZip read (names as ReadZip gives
// them, forward slashes) into s.Read, and takes them off s.Skipped.
func (s *Source) ReadZipFiles(ctx context.Context, r io.ReaderAt, size int64, names []string) error {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return &Problem{Kind: Corrupt, Err: err}
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		if name, ok := zipEntryName(f.Name); ok && !f.FileInfo().IsDir() {
			entries[name] = f
		}
	}
	return s.readNamed(ctx, names, func(name string, left int) ([]byte, bool, error) {
		f := entries[name]
		if f == nil {
			return nil, false, nil
		}
		data, err := readZipEntry(f, name, left)
		return data, err == nil, err
	})
}

// PickFiles keeps the named files among those given (an upload) in s.Read, and takes them
// off s.Skipped. The files were counted against the limits when ReadFiles read them.
func (s *Source) PickFiles(files []File, names []string) error {
	byName := make(map[string][]byte, len(files))
	for _, f := range files {
		byName[f.Name] = f.Data
	}
	return s.readNamed(context.Background(), names, func(name string, left int) ([]byte, bool, error) {
		data, ok := byName[name]
		return data, ok, nil
	})
}

// readNamed reads each name once with read, within what is left of MaxBytes.
func (s *Source) readNamed(ctx context.Context, names []string, read func(name string, left int) ([]byte, bool, error)) error {
	left := MaxBytes
	for _, f := range s.Files {
		left -= len(f.Data)
	}
	for _, f := range s.Read {
		left -= len(f.Data)
	}
	done := map[string]bool{}
	for _, f := range s.Files {
		done[f.Name] = true
	}
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if done[name] || !localName(name) {
			continue
		}
		done[name] = true
		if len(s.Read) >= MaxFiles {
			return &Problem{Kind: TooManyFiles, Count: len(s.Read) + 1, Limit: MaxFiles}
		}
		data, ok, err := read(name, left)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		left -= len(data)
		s.Read = append(s.Read, File{Name: name, Data: data})
		s.unskip(name)
	}
	return nil
}

// localName reports whether name stays inside the source's folder.
func localName(name string) bool {
	return name != "" && !strings.Contains(name, `\`) && filepath.IsLocal(filepath.FromSlash(name)) && path.Clean(name) == name
}

// unskip takes name, and a folder it is in, off the list of what was left out: the file
// was read after all.
func (s *Source) unskip(name string) {
	kept := s.Skipped[:0]
	for _, sk := range s.Skipped {
		if sk.Name == name || (sk.Reason == Directory && strings.HasPrefix(name, sk.Name+"/")) {
			continue
		}
		kept = append(kept, sk)
	}
	s.Skipped = kept
}
