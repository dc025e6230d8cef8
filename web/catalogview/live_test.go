package catalogview_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// A catalog swapped into the live source shows on the next request, without a new handler.
func TestCatalogSwapShowsOnNextRequest(t *testing.T) {
	app := webtest.NewApp(t)
	live := catalog.NewLive(webtest.Catalog(t))
	h := webtest.NewHandler(t, web.Config{Store: app.Store, CatalogSource: live, Logger: app.Logger()})

	// search returns the type names the results list, not the echo of the query.
	search := func() string {
		rec := httptest.NewRecorder()
		app.WithSession(h).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/catalog?q=demo_widget", nil))
		doc, err := goquery.NewDocumentFromReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		doc.Find(`[data-testid="catalog-type-name"]`).Each(func(_ int, s *goquery.Selection) {
			names = append(names, strings.TrimSpace(s.Text()))
		})
		return strings.Join(names, ",")
	}
	if got := search(); got != "" {
		t.Fatalf("before the swap the search found %q", got)
	}
	next, err := catalog.New([]*catalog.Provider{{
		Source: "registry.terraform.io/example/demo", Namespace: "example", Name: "demo", Version: "1.0.0",
		Schema: &tfjson.ProviderSchema{ResourceSchemas: map[string]*tfjson.Schema{
			"demo_widget": {Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{}}},
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	live.Swap(next)
	if got := search(); got != "demo_widget" {
		t.Errorf("after the swap the search found %q, want demo_widget", got)
	}
}
