package tfsource

import (
	"archive/zip"
	"context"
	"errors"
	"io"
	"path"
	"strings"
)

// ReadZip reads the .tf entries of an archive, at any depth, and lists the entries it does
// not read (hidden ones, and those not .tf) as skipped. It refuses an archive it cannot
// read, one of more than MaxZipEntries entries, an entry that would unpack outside the
// archive's folder, an entry there twice, and more than MaxBytes of .tf files once
// decompressed. The sizes in an archive's headers are not trusted: the bytes are counted as
// they are decompressed, and reading stops one byte past the limit.
func ReadZip(ctx context.Context, r io.ReaderAt, size int64) (*Source, error) {
	zr, err := zip.NewReader(r, size)
	// ErrInsecurePath comes with a usable reader (under GODEBUG=zipinsecurepath=0); the
	// entry names are checked below either way.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, &Problem{Kind: Corrupt, Err: err}
	}
	if len(zr.File) > MaxZipEntries {
		return nil, &Problem{Kind: TooManyEntries, Count: len(zr.File), Limit: MaxZipEntries}
	}
	src := &Source{}
	seen := map[string]bool{}
	left := MaxBytes
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name, ok := zipEntryName(f.Name)
		if !ok {
			return nil, &Problem{Kind: OutsideArchive, Name: f.Name}
		}
		if f.FileInfo().IsDir() {
			continue // its files are entries of their own
		}
		if seen[name] {
			return nil, &Problem{Kind: Duplicate, Name: name}
		}
		seen[name] = true
		switch {
		case isHidden(name):
			src.Skipped = append(src.Skipped, Skipped{Name: name, Reason: Hidden})
			continue
		case !isTerraform(name):
			src.Skipped = append(src.Skipped, Skipped{Name: name, Reason: NotTerraform})
			continue
		}
		data, err := readZipEntry(f, name, left)
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

// readZipEntry decompresses an entry, reading at most left+1 bytes of it whatever its
// header claims. A header that understates the size fails archive/zip's own check once the
// bytes pass it, as a corrupt archive.
func readZipEntry(f *zip.File, name string, left int) ([]byte, error) {
	switch {
	case f.UncompressedSize64 > MaxFileBytes:
		return nil, &Problem{Kind: FileTooLarge, Name: name, Limit: MaxFileBytes}
	case f.UncompressedSize64 > uint64(left):
		return nil, &Problem{Kind: TooLarge, Name: name, Limit: MaxBytes}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &Problem{Kind: Corrupt, Name: name, Err: err}
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, int64(left)+1))
	if len(data) > left {
		return nil, &Problem{Kind: TooLarge, Name: name, Limit: MaxBytes}
	}
	if err != nil {
		return nil, &Problem{Kind: Corrupt, Name: name, Err: err}
	}
	return data, nil
}

// zipEntryName is an entry's name with forward slashes, or false when it would unpack
// outside the archive's folder: an absolute path (also a Windows one, C:...) or "..".
func zipEntryName(name string) (string, bool) {
	n := strings.ReplaceAll(name, `\`, "/")
	if n == "" || strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return "", false
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", false
		}
	}
	return path.Clean(n), true
}
