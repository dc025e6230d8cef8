package guardrails_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// toolDoc uses a provider from a registry of the author's choosing, which the catalog does
// not hold: its code would run with the environment's secrets during a plan.
const toolDoc = `{"format": 1, "name": "tool",
  "required_providers": [{"name": "tool", "source": "registry.example.com/acme/tool", "version": "1.0.0"}],
  "resources": [{"type": "tool_thing", "name": "x", "config": {}}]}`

const toolSource = "registry.example.com/acme/tool"

// providersURL is where project admins allow a provider source, and providersURL+"/remove"
// where they take it back.
const providersURL = "/projects/team/providers"

func importTool(a *webtest.App) *httptest.ResponseRecorder {
	return a.PostMultipart(paths.Blueprints("team"), webtest.Upload{Files: map[string][]byte{"document": []byte(toolDoc)}}, false)
}

// sourceErrors are the error diagnostics of doc that name the tool's source.
func sourceErrors(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="diagnostic"][data-severity="error"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), toolSource) {
			out = append(out, strings.Join(strings.Fields(s.Text()), " "))
		}
	})
	return out
}

func auditActions(t *testing.T, a *webtest.App) []string {
	t.Helper()
	es, err := a.Store.AuditLog(context.Background(), "team", 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if strings.HasPrefix(e.Action, "provider.") {
			out = append(out, e.User+" "+e.Action+" "+e.Target)
		}
	}
	return out
}

// TestProviderAllowList: a provider source outside the catalog is an error at import and in
// the editor until a project admin allows it on the guardrails page; allowing and taking it
// back are in the audit log, and only project admins may do either.
func TestProviderAllowList(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")

	// Refused at import, with the error on the source; nothing is stored.
	w := importTool(a)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	if errs := sourceErrors(webtest.ParseHTML(t, w)); len(errs) != 1 || !strings.Contains(errs[0], "not allowed") {
		t.Errorf("import errors on the source: %q", errs)
	}
	if n := a.BlueprintCount("team"); n != 0 {
		t.Fatalf("%d blueprints after a refused import", n)
	}

	// The guardrails page lists the catalog's providers as allowed, and none of the project's.
	page := a.Page(paths.Rules("team"))
	if s := page.Find(`[data-testid="provider-row"][data-source="registry.terraform.io/hashicorp/azurerm"]`); s.AttrOr("data-origin", "") != "catalog" {
		t.Errorf("azurerm is not listed as allowed by the catalog: %q", webtest.ByTestID(page, "providers").Text())
	}
	if n := page.Find(`[data-testid="provider-row"][data-origin="project"]`).Length(); n != 0 {
		t.Errorf("%d sources allowed by the project before any was", n)
	}

	// Only project admins allow a source, and only a well-formed one.
	erin := a.As("erin")
	if err := a.Store.SetMember(context.Background(), "team", "erin", "operator"); err != nil {
		t.Fatal(err)
	}
	webtest.WantStatus(t, erin.PostForm(providersURL, url.Values{"source": {toolSource}}, false), http.StatusForbidden)
	for _, bad := range []string{"", "not a source", "https://registry.example.com/acme/tool", "a/b/c/d", strings.Repeat("x", 300) + "/tool",
		"hashicorp/azurerm"} { // in the catalog: allowed already
		w := a.PostForm(providersURL, url.Values{"source": {bad}}, false)
		webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
		if got := webtest.ByTestID(webtest.ParseHTML(t, w), "providers-problem").Text(); got == "" {
			t.Errorf("source %.40q: refused without a problem", bad)
		}
	}
	if got := auditActions(t, a); len(got) != 0 {
		t.Errorf("refused posts are in the audit log: %q", got)
	}

	// An admin allows it: listed, audited, and the import goes through.
	w = a.PostForm(providersURL, url.Values{"source": {toolSource}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	page = a.Page(paths.Rules("team"))
	row := page.Find(`[data-testid="provider-row"][data-source="` + toolSource + `"]`)
	if row.AttrOr("data-origin", "") != "project" || !strings.Contains(row.Text(), "admin") {
		t.Errorf("the allowed source is listed as %q (origin %q)", row.Text(), row.AttrOr("data-origin", ""))
	}
	w = a.PostForm(providersURL, url.Values{"source": {"Registry.Example.com/acme/tool"}}, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	if got := webtest.ByTestID(webtest.ParseHTML(t, w), "providers-problem").Text(); !strings.Contains(got, "allows "+toolSource+" already") {
		t.Errorf("allowing it again: %q", got)
	}
	webtest.WantStatus(t, importTool(a), http.StatusSeeOther)
	if errs := sourceErrors(a.Page(paths.Edit("team", "tool"))); len(errs) != 0 {
		t.Errorf("the editor still errs on the allowed source: %q", errs)
	}

	// Taken back: the editor shows the error again.
	webtest.WantStatus(t, erin.PostForm(providersURL+"/remove", url.Values{"source": {toolSource}}, false), http.StatusForbidden)
	w = a.PostForm(providersURL+"/remove", url.Values{"source": {toolSource}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if errs := sourceErrors(a.Page(paths.Edit("team", "tool"))); len(errs) != 1 {
		t.Errorf("the editor's errors on the source once it is taken back: %q", errs)
	}
	if errs := sourceErrors(a.Page(paths.Blueprint("team", "tool"))); len(errs) != 1 {
		t.Errorf("the blueprint page's errors on the source once it is taken back: %q", errs)
	}
	want := []string{"admin provider.remove " + toolSource, "admin provider.allow " + toolSource}
	if got := auditActions(t, a); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log %q, want %q", got, want)
	}
}
