package editor_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/providercheck"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/editor"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// widgetHCL has values the test provider's code rejects (the name, the second rule's
// protocol) and time's (rotation_days), where the schema and the catalog take them.
const widgetHCL = `terraform {
  required_providers {
    testprov = {
      source = "cloudoven/testprov"
    }
    time = {
      source = "hashicorp/time"
    }
  }
}

resource "testprov_widget" "w" {
  name = "Not_A_Name"

  rule {
    port     = 80
    protocol = "tcp"
  }

  rule {
    port     = 53
    protocol = "icmp"
  }
}

resource "time_rotating" "r" {
  rotation_days = 0
}
`

// checkApp is an app whose catalog knows the mirror's providers, with blueprint "w" of
// project "team" made from src and the real providers' check of the mirror, unless
// checker is given.
func checkApp(t *testing.T, src string, checker func(a *webtest.App) editor.ProviderChecker) *webtest.App {
	t.Helper()
	mirror := testenv.ProviderMirror(t)
	cat := testenv.MirrorCatalog(t, mirror)
	a := webtest.NewAppWith(t, func(cfg *web.Config) { cfg.Catalog = cat })
	a.Reconfigure(func(cfg *web.Config) {
		cfg.Catalog = cat
		if checker != nil {
			cfg.ProviderCheck = checker(a)
			return
		}
		cfg.ProviderCheck = providercheck.New(providercheck.Options{
			Terraform: testenv.Terraform(t), Mirror: providercheck.MirrorDir(mirror), Cache: a.Store, TempDir: t.TempDir(),
		})
	})
	a.CreateProject("team")
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	b.Name = "w"
	doc, err := b.MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Store.CreateBlueprint(t.Context(), "team", "w", "", doc, "widgets"); err != nil {
		t.Fatal(err)
	}
	return a
}

// postCheck presses "Check with providers" on the editor of item, as htmx does (or as a
// plain form), and wants 200.
func postCheck(t *testing.T, a *webtest.App, item string, htmx bool) *goquery.Document {
	t.Helper()
	page := webtest.ParseHTML(t, a.Get(paths.EditItem("team", "w", item), false))
	f := page.Find(`[data-testid="provider-check-form"]`)
	if f.Length() != 1 {
		t.Fatalf("the editor has %d provider check forms", f.Length())
	}
	action := f.AttrOr("action", "")
	if action != paths.EditCheck("team", "w", item) {
		t.Errorf("the form posts to %q, want %q", action, paths.EditCheck("team", "w", item))
	}
	w := a.PostForm(action, url.Values{}, htmx)
	webtest.WantStatus(t, w, http.StatusOK)
	return webtest.ParseHTML(t, w)
}

// TestCheckWithProvidersPlacesDiagnostics runs the real providers from the editor: each
// value a provider rejects is under its field, in the provider's words with its name and
// version, the summary counts them, and pressing again answers from the cache.
func TestCheckWithProvidersPlacesDiagnostics(t *testing.T) {
	t.Parallel()
	a := checkApp(t, widgetHCL, nil)

	for _, run := range []struct {
		name   string
		htmx   bool
		cached string
	}{{"first", true, "false"}, {"again", true, "true"}, {"without htmx", false, "true"}} {
		t.Run(run.name, func(t *testing.T) {
			doc := postCheck(t, a, "testprov_widget.w", run.htmx)
			sum := doc.Find(`[data-testid="provider-check-summary"]`)
			if sum.Length() != 1 {
				t.Fatalf("no summary; problem: %q", doc.Find(`[data-testid="provider-check-problem"]`).Text())
			}
			text := strings.Join(strings.Fields(sum.Text()), " ")
			if sum.AttrOr("data-errors", "") != "3" || sum.AttrOr("data-warnings", "") != "0" || sum.AttrOr("data-cached", "") != run.cached ||
				!strings.Contains(text, "3 errors, 0 warnings from testprov 0.1.0, time 0.14.2") {
				t.Errorf("summary %q (errors %s, cached %s), want 3 errors, cached %s", text, sum.AttrOr("data-errors", ""), sum.AttrOr("data-cached", ""), run.cached)
			}
			if run.cached == "true" && !strings.Contains(text, "from the cache") {
				t.Errorf("a cached answer does not say so: %q", text)
			}
			fields := map[string]string{}
			doc.Find(`[data-testid="diagnostic"]`).Each(func(_ int, d *goquery.Selection) {
				if s := d.AttrOr("data-summary", ""); strings.Contains(s, " says: ") {
					fields[d.AttrOr("data-item", "")+" "+d.AttrOr("data-field", "")] = s + ": " + d.AttrOr("data-detail", "")
				}
			})
			if len(fields) != 3 {
				t.Errorf("%d provider diagnostics in the preview, want 3: %v", len(fields), fields)
			}
			for _, f := range []struct{ item, wantIn string }{
				{"testprov_widget.w", `testprov 0.1.0 says: Invalid Attribute Value Match: Attribute name value must match ^[a-z0-9-]+$, got: "Not_A_Name"`},
				{"testprov_widget.w", `testprov 0.1.0 says: Invalid Attribute Value Match: Attribute rule[1].protocol value must be one of: tcp, udp, got: "icmp"`},
				{"time_rotating.r", "time 0.14.2 says: Invalid Attribute Value: Attribute rotation_days value must be at least 1, got: 0"},
			} {
				var field string
				for k, v := range fields {
					if item, fld, _ := strings.Cut(k, " "); item == f.item && v == f.wantIn {
						field = fld
					}
				}
				if field == "" {
					t.Errorf("no diagnostic %q on %s with a field: %v", f.wantIn, f.item, fields)
					continue
				}
				// The shown item's own fields carry theirs, like CloudOven's own diagnostics.
				if f.item == "testprov_widget.w" {
					if got := webtest.FieldErrorText(doc, field); !strings.Contains(strings.Join(strings.Fields(got), " "), f.wantIn[:strings.Index(f.wantIn, ": Attribute")]) {
						t.Errorf("field %s shows %q, want %q", field, got, f.wantIn)
					}
				}
			}
		})
	}
}

// fakeChecker answers every check with res and err.
type fakeChecker struct {
	res providercheck.Result
	err error
}

func (f fakeChecker) Check(context.Context, *blueprint.Blueprint) (providercheck.Result, error) {
	return f.res, f.err
}

// TestCheckWithProvidersProblems: a check that cannot run says why on the page, with 200,
// and a diagnostic terraform put nowhere in particular is shown at the blueprint level.
func TestCheckWithProvidersProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		checker func(*webtest.App) editor.ProviderChecker
		want    string
	}{
		{"not configured", func(*webtest.App) editor.ProviderChecker { return nil }, "Checking with providers is not configured on this server"},
		{"check fails", func(*webtest.App) editor.ProviderChecker {
			return fakeChecker{err: errors.New("checking with providers: terraform init (providers from the mirror): no hashicorp/time in the mirror")}
		}, "The providers' check did not run: checking with providers: terraform init (providers from the mirror): no hashicorp/time in the mirror"},
		{"check times out", func(*webtest.App) editor.ProviderChecker {
			return fakeChecker{err: errors.New("checking with providers: the check took longer than 2m0s (context deadline exceeded)")}
		}, "the check took longer than 2m0s"},
		{"long error", func(*webtest.App) editor.ProviderChecker {
			return fakeChecker{err: errors.New(strings.Repeat("x", 5000))}
		}, "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := checkApp(t, widgetHCL, func(a *webtest.App) editor.ProviderChecker {
				if c := tc.checker(a); c != nil {
					return c
				}
				return nil
			})
			doc := postCheck(t, a, "testprov_widget.w", true)
			got := strings.TrimSpace(doc.Find(`[data-testid="provider-check-problem"]`).Text())
			if !strings.Contains(got, tc.want) {
				t.Errorf("problem %q, want %q", got, tc.want)
			}
			if len(got) > 2100 {
				t.Errorf("the problem is %d bytes long", len(got))
			}
			if doc.Find(`[data-testid="provider-check-summary"]`).Length() != 0 {
				t.Error("a check that did not run has a summary")
			}
		})
	}

	t.Run("diagnostic without a place", func(t *testing.T) {
		t.Parallel()
		d := providercheck.Diagnostic{By: "terraform 1.5.7"}
		d.Severity, d.Summary, d.Detail = blueprint.Warning, "terraform 1.5.7 says: Something general", "about everything"
		a := checkApp(t, widgetHCL, func(*webtest.App) editor.ProviderChecker {
			return fakeChecker{res: providercheck.Result{Diagnostics: providercheck.Diagnostics{d}, Duration: 1500000000}}
		})
		doc := postCheck(t, a, "testprov_widget.w", true)
		sum := doc.Find(`[data-testid="provider-check-summary"]`)
		if sum.AttrOr("data-warnings", "") != "1" || !strings.Contains(sum.Text(), "0 errors, 1 warning from no providers (checked in 1.5s)") {
			t.Errorf("summary %q", strings.Join(strings.Fields(sum.Text()), " "))
		}
		found := false
		doc.Find(`[data-testid="diagnostic"]`).Each(func(_ int, s *goquery.Selection) {
			if s.AttrOr("data-summary", "") == d.Summary {
				found = s.AttrOr("data-item", "x") == "" && s.AttrOr("data-severity", "") == "warning"
			}
		})
		if !found {
			t.Error("the diagnostic without a place is not in the preview at the blueprint level")
		}
	})
}
