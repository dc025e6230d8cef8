package blueprints_test

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestEndToEnd drives the app over real HTTP with the real store, the way a browser without
// JavaScript would: create a project, import a blueprint file, import a new version by
// pasting, read the blueprint page and download the zip.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	srv := httptest.NewServer(a.WithSession(a.Handler))
	t.Cleanup(srv.Close)
	client := srv.Client()

	page := func(res *http.Response, err error) (*goquery.Document, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(res.Body)
			t.Fatalf("%s %s: status %d\n%s", res.Request.Method, res.Request.URL, res.StatusCode, body)
		}
		doc, err := goquery.NewDocumentFromReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return doc, res.Request.URL.Path
	}

	// / leads to the projects page.
	doc, path := page(client.Get(srv.URL + "/"))
	if path != paths.Projects() {
		t.Fatalf("/ ended at %s", path)
	}
	action := webtest.ByTestID(doc, "project-form").AttrOr("action", "")

	// Creating a project follows the 303 to its page.
	doc, path = page(client.PostForm(srv.URL+action, url.Values{"name": {"platform"}, "description": {"AKS platform"}}))
	if path != paths.Project("platform") {
		t.Fatalf("creating a project ended at %s", path)
	}
	importAction := webtest.ByTestID(doc, "import-form").AttrOr("action", "")
	if enc := webtest.ByTestID(doc, "import-form").AttrOr("enctype", ""); enc != "multipart/form-data" {
		t.Errorf("import form enctype %q", enc)
	}

	post := func(fields map[string]string, file string) (*http.Response, error) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range fields {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("document", "demo.json")
		io.WriteString(fw, file)
		mw.Close()
		return client.Post(srv.URL+importAction, mw.FormDataContentType(), &body)
	}
	doc, _ = page(post(map[string]string{"message": "initial"}, webtest.ValidDoc))
	if got := webtest.WantOne(t, doc, "blueprint-title"); got != "demo" {
		t.Fatalf("import ended on %q", got)
	}
	doc, _ = page(post(map[string]string{"document_text": webtest.ChangedDoc, "message": "say hello again"}, ""))
	if got := webtest.ByTestID(doc, "shown-version").AttrOr("data-version", ""); got != "2" {
		t.Fatalf("second import shows version %s", got)
	}
	if main := webtest.WantOne(t, doc, "file-main.tf"); !strings.Contains(main, `resource "terraform_data" "web"`) {
		t.Errorf("main.tf:\n%s", main)
	}

	res, err := client.Get(srv.URL + webtest.ByTestID(doc, "download-zip").AttrOr("href", ""))
	if err != nil {
		t.Fatal(err)
	}
	zipped, _ := io.ReadAll(res.Body)
	res.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatalf("the zip does not open: %v", err)
	}
	found := false
	for _, f := range zr.File {
		found = found || f.Name == "main.tf"
	}
	if !found {
		t.Errorf("the zip has no main.tf")
	}

	// The project page lists the blueprint at its latest version.
	doc, _ = page(client.Get(srv.URL + paths.Project("platform")))
	if got := strings.TrimSpace(webtest.ByTestID(doc, "blueprint-latest-version").Text()); got != "v2" {
		t.Errorf("project page shows %q", got)
	}
}

// TestOversizedUploadOverHTTP checks that a real client, still sending a too-large upload,
// gets the 413 page rather than a reset connection.
func TestOversizedUploadOverHTTP(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	srv := httptest.NewServer(a.WithSession(a.Handler))
	t.Cleanup(srv.Close)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("document", "big.json")
	fw.Write(bytes.Repeat([]byte(" "), 6<<20))
	mw.Close()
	res, err := srv.Client().Post(srv.URL+paths.Blueprints("team"), mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatalf("the client got no answer: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", res.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if msg := strings.TrimSpace(webtest.ByTestID(doc, "import-error").Text()); !strings.Contains(msg, "larger than 5 MiB") {
		t.Errorf("import error %q", msg)
	}
}
