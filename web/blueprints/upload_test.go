// The uploads the Terraform import tests post: multipart forms of .tf files, read from
// testdata/import, and zip archives of them, well formed or not.

package blueprints_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// tfUpload is a multipart form with files in order, each with its own file name, as a
// browser's multiple file input sends them.
type tfUpload struct {
	fields map[string]string
	files  []namedFile
}

type namedFile struct {
	name string
	data []byte
}

func postFiles(a *webtest.App, u tfUpload, htmx bool) *httptest.ResponseRecorder {
	a.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range u.fields {
		if err := mw.WriteField(k, v); err != nil {
			a.T.Fatal(err)
		}
	}
	for _, f := range u.files {
		fw, err := mw.CreateFormFile("document", f.name)
		if err != nil {
			a.T.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			a.T.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		a.T.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, paths.Blueprints("team"), &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return a.Do(r)
}

// fixture reads the .tf files of a directory under testdata/import, by file name.
func fixture(t *testing.T, dir string) []namedFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "import", dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixture %s: %v", dir, err)
	}
	var out []namedFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, namedFile{filepath.Base(p), data})
	}
	return out
}

// zipOf archives files; an entry whose name ends in "/" is a directory.
func zipOf(t *testing.T, files ...namedFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip archives f with a header that says it holds 10 bytes.
func lyingZip(t *testing.T, f namedFile) []byte {
	t.Helper()
	var compressed bytes.Buffer
	fw, _ := flate.NewWriter(&compressed, flate.BestCompression)
	fw.Write(f.data)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: f.name, Method: zip.Deflate,
		CompressedSize64: uint64(compressed.Len()), UncompressedSize64: 10, CRC32: crc32.ChecksumIEEE(f.data)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(compressed.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// under puts files in a folder of an archive.
func under(dir string, files []namedFile) []namedFile {
	out := []namedFile{{name: dir + "/"}}
	for _, f := range files {
		out = append(out, namedFile{dir + "/" + f.name, f.data})
	}
	return out
}
