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
)

// unpack writes the regular files and directories of the gzip-compressed tar at archive
// into the workspace root, through root so that no entry lands outside it. Other entry
// types (links, devices) are refused: a job's files are plain files.
func unpack(root *os.Root, archive string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
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
