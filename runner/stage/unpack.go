package stage

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
)

const (
	// MaxUnpack bounds the bytes of all the files an Unpack archive holds.
	MaxUnpack = 256 << 20
	// maxUnpackEntries bounds its entries.
	maxUnpackEntries = 10000
	// MaxUnpackParts bounds the files an Unpack archive may be split over (Spec.UnpackParts).
	MaxUnpackParts = 32
)

// openArchive opens the archive at archive, or, with parts over 0, its parts archive.0 …
// in order as one stream.
func openArchive(archive string, parts int) (io.Reader, func(), error) {
	if parts == 0 {
		f, err := os.Open(archive)
		if err != nil {
			return nil, nil, err
		}
		return f, func() { f.Close() }, nil
	}
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	readers := make([]io.Reader, 0, parts)
	for i := range parts {
		f, err := os.Open(fmt.Sprintf("%s.%d", archive, i))
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		files = append(files, f)
		readers = append(readers, f)
	}
	return io.MultiReader(readers...), closeAll, nil
}

// unpack writes the regular files and directories of the gzip-compressed tar at archive
// into the workspace root, through root so that no entry lands outside it. Other entry
// types (links, devices) are refused: a job's files are plain files.
func unpack(root *os.Root, archive string, parts int) error {
	f, closeArchive, err := openArchive(archive, parts)
	if err != nil {
		return err
	}
	defer closeArchive()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", archive, err)
	}
	tr := tar.NewReader(zr)
	left := int64(MaxUnpack)
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		if n >= maxUnpackEntries {
			return fmt.Errorf("%s: more than %d entries", archive, maxUnpackEntries)
		}
		name := path.Clean(hdr.Name)
		if err := CheckFileName(name); err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(name, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if hdr.Size > left {
				return fmt.Errorf("%s: files of more than %d MiB", archive, MaxUnpack>>20)
			}
			left -= hdr.Size
			if err := writeEntry(root, name, tr); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: %s is not a regular file or a directory", archive, name)
		}
	}
}

func writeEntry(root *os.Root, name string, r io.Reader) error {
	f, err := createFile(root, name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return f.Close()
}
