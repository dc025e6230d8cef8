package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestPagesAreGzippedForClientsThatAsk(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	a.AddType("azurerm_kubernetes_cluster", "resource")

	r, _ := http.NewRequest(http.MethodGet, paths.EditItem("team", "net", "azurerm_kubernetes_cluster.main"), nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := a.Do(r)
	webtest.WantStatus(t, w, http.StatusOK)
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", w.Header().Get("Content-Encoding"))
	}
	gzipped := w.Body.Len()
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `data-testid="item-form"`) {
		t.Error("the gunzipped page is not the editor")
	}
	t.Logf("editor page: %d bytes, %d gzipped", len(page), gzipped)

	// Without Accept-Encoding, plain HTML.
	w = a.Get(paths.EditItem("team", "net", "azurerm_kubernetes_cluster.main"), false)
	if w.Header().Get("Content-Encoding") != "" || !strings.Contains(w.Body.String(), `data-testid="item-form"`) {
		t.Errorf("a client without gzip got Content-Encoding %q", w.Header().Get("Content-Encoding"))
	}

	// A zip download is not compressed twice.
	r, _ = http.NewRequest(http.MethodGet, paths.Edit("team", "net")+"/terraform.zip", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w = a.Do(r)
	if w.Header().Get("Content-Encoding") != "" {
		t.Errorf("zip download has Content-Encoding %q", w.Header().Get("Content-Encoding"))
	}
}
