package blueprints_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestDownloadZip(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", webtest.ValidDoc, "")

	w := a.Get(paths.VersionZip("team", "demo", 1), false)
	webtest.WantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "application/zip" {
		t.Errorf("Content-Type %q, want application/zip", ct)
	}
	wantAttachment(t, w.Header().Get("Content-Disposition"), "demo-v1.zip")

	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatalf("the download is not a zip: %v", err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(b)
	}
	for _, name := range []string{"main.tf", "variables.tf", "outputs.tf", "README.md"} {
		if _, ok := files[name]; !ok {
			t.Errorf("the zip has no %s (has %v)", name, zr.File)
		}
	}
	if !strings.Contains(files["main.tf"], `resource "terraform_data" "web"`) {
		t.Errorf("main.tf in the zip:\n%s", files["main.tf"])
	}

	// The zip is the same bytes every time.
	if again := a.Get(paths.VersionZip("team", "demo", 1), false); !bytes.Equal(again.Body.Bytes(), w.Body.Bytes()) {
		t.Errorf("two downloads of the same version differ")
	}
}

func TestDownloadDocument(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", webtest.ValidDoc, "")

	w := a.Get(paths.VersionDocument("team", "demo", 1), false)
	webtest.WantStatus(t, w, http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	wantAttachment(t, w.Header().Get("Content-Disposition"), "demo-v1.json")
	var doc struct {
		Format int    `json:"format"`
		Name   string `json:"name"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("the document is not JSON: %v\n%s", err, w.Body)
	}
	if doc.Format != 1 || doc.Name != "demo" {
		t.Errorf("document format %d name %q", doc.Format, doc.Name)
	}

	// Importing the downloaded document again is no change: still one version.
	a.ImportDoc("team", w.Body.String(), "")
	page := webtest.WantFullPage(t, a.Get(paths.Blueprint("team", "demo"), false))
	if n := webtest.ByTestID(page, "version-row").Length(); n != 1 {
		t.Errorf("re-importing the downloaded document made %d versions, want 1", n)
	}
}

func wantAttachment(t *testing.T, header, filename string) {
	t.Helper()
	disp, params, err := mime.ParseMediaType(header)
	if err != nil || disp != "attachment" || params["filename"] != filename {
		t.Errorf("Content-Disposition %q, want an attachment named %s", header, filename)
	}
}
