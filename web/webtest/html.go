package webtest

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// ParseHTML parses an answer's body.
func ParseHTML(t testing.TB, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("parsing the HTML answer: %v", err)
	}
	return doc
}

// ByTestID finds the elements with a data-testid.
func ByTestID(s interface {
	Find(string) *goquery.Selection
}, id string) *goquery.Selection {
	return s.Find(`[data-testid="` + id + `"]`)
}

// WantStatus fails the test unless w answered want.
func WantStatus(t testing.TB, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body:\n%s", w.Code, want, w.Body)
	}
}

// WantOne finds exactly one element by data-testid and returns its text, trimmed.
func WantOne(t testing.TB, doc *goquery.Document, id string) string {
	t.Helper()
	sel := ByTestID(doc, id)
	if sel.Length() != 1 {
		t.Fatalf("found %d elements with data-testid=%q, want 1", sel.Length(), id)
	}
	return strings.TrimSpace(sel.Text())
}

// WantFullPage checks that the answer is a whole page, with the layout.
func WantFullPage(t testing.TB, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/html; charset=utf-8", ct)
	}
	doc := ParseHTML(t, w)
	if ByTestID(doc, "site-header").Length() != 1 || ByTestID(doc, "main").Length() != 1 {
		t.Fatalf("the answer is not a whole page:\n%s", w.Body)
	}
	return doc
}

// WantFragment checks that the answer is only the element with the given id, no layout.
func WantFragment(t testing.TB, w *httptest.ResponseRecorder, id string) *goquery.Document {
	t.Helper()
	body := strings.TrimSpace(w.Body.String())
	if strings.Contains(body, "<html") || strings.Contains(body, `data-testid="site-header"`) {
		t.Fatalf("an htmx answer carries the layout:\n%s", body)
	}
	doc := ParseHTML(t, w)
	root := doc.Find("body").Children()
	if root.Length() != 1 || root.AttrOr("id", "") != id {
		t.Fatalf("the fragment is not the single element #%s:\n%s", id, body)
	}
	return doc
}

// HTML is doc as HTML again.
func HTML(t testing.TB, doc *goquery.Document) string {
	t.Helper()
	h, err := doc.Html()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// FieldErrorText is the text of the error slot of the field key.
func FieldErrorText(doc *goquery.Document, key string) string {
	return strings.TrimSpace(doc.Find(`[data-error-for="` + key + `"]`).Text())
}

// PreviewFile is the text of a generated file in the editor's preview.
func PreviewFile(doc *goquery.Document, name string) string {
	return doc.Find(`[data-testid="preview-file"][data-file="` + name + `"] code`).Text()
}

// UnzipAll reads every file of a zip.
func UnzipAll(t testing.TB, body []byte) map[string][]byte {
	t.Helper()
	return unzip(t, body, func(string) bool { return true })
}

// UnzipFiles reads the .tf files of a zip.
func UnzipFiles(t testing.TB, body []byte) map[string][]byte {
	t.Helper()
	return unzip(t, body, func(name string) bool { return strings.HasSuffix(name, ".tf") })
}

func unzip(t testing.TB, body []byte, want func(string) bool) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("reading the zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		if !want(f.Name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}
