package providers

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"
)

// Bounds of one package. The largest providers (azurerm) unpack to about 330 MB in a
// handful of files.
const (
	maxPackageBytes = 1 << 30
	maxPackageFiles = 1000
)

// unzip unpacks a provider archive into dir, which it creates, and returns the bytes
// written. Entries that would land outside dir, links and devices are refused; sizes are
// counted as written, not as the archive claims.
func unzip(archive, dir string) (int64, error) {
	if fi, err := os.Stat(archive); err != nil {
		return 0, err
	} else if fi.Size() > maxPackageBytes {
		return 0, fmt.Errorf("%s is over %d MiB", filepath.Base(archive), maxPackageBytes>>20)
	}
	zr, err := zip.OpenReader(archive)
	if err != nil {
		return 0, fmt.Errorf("opening %s: %w", filepath.Base(archive), err)
	}
	defer zr.Close()
	if len(zr.File) > maxPackageFiles {
		return 0, fmt.Errorf("%s holds %d files, over %d", filepath.Base(archive), len(zr.File), maxPackageFiles)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var total int64
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, "/")
		if !filepath.IsLocal(name) || strings.Contains(f.Name, `\`) {
			return total, fmt.Errorf("%s: entry %q leaves the package directory", filepath.Base(archive), f.Name)
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return total, err
			}
			continue
		case !mode.IsRegular():
			return total, fmt.Errorf("%s: entry %q is not a regular file (%s)", filepath.Base(archive), f.Name, mode.Type())
		}
		n, err := extract(f, target, maxPackageBytes-total)
		total += n
		if err != nil {
			return total, fmt.Errorf("%s: %s: %w", filepath.Base(archive), f.Name, err)
		}
	}
	return total, nil
}

func extract(f *zip.File, target string, room int64) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return 0, err
	}
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return writeFile(target, rc, f.Mode(), room)
}

// writeFile copies r into a new file at target, at most room bytes; executables stay
// executable, and every file is readable by all (runs read them as another user).
func writeFile(target string, r io.Reader, mode fs.FileMode, room int64) (int64, error) {
	perm := fs.FileMode(0o644)
	if mode&0o111 != 0 {
		perm = 0o755
	}
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(r, room+1))
	if err == nil && n > room {
		err = fmt.Errorf("the package unpacks to over %d MiB", maxPackageBytes>>20)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// copyTree copies an unpacked package from a mirror into dir, with unpack's bounds. Links
// inside the package are refused: they could point anywhere on the server. The package's
// own directory may be a link, as in a mirror that links versions to where they were
// built (the operator chose the mirror).
func copyTree(src, dir string) (int64, error) {
	src, err := filepath.EvalSymlinks(src)
	if err != nil {
		return 0, err
	}
	var total int64
	files := 0
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dir, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file", rel)
		}
		if files++; files > maxPackageFiles {
			return fmt.Errorf("over %d files", maxPackageFiles)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		n, err := writeFile(target, in, fi.Mode(), maxPackageBytes-total)
		total += n
		return err
	})
	return total, err
}

// archiveHash is a zip's zh: hash, as lock files write it.
func archiveHash(archive string) (string, error) {
	f, err := os.Open(archive)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "zh:" + hex.EncodeToString(h.Sum(nil)), nil
}

// dirHash is an unpacked package's h1: hash, computed as terraform computes it.
func dirHash(dir string) (string, error) {
	h, err := dirhash.HashDir(dir, "", dirhash.Hash1)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(h, "h1:") {
		return "", errors.New("unexpected hash format " + h)
	}
	return h, nil
}
