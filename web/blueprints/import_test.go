package blueprints_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web/blueprints"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestImportBlueprint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		post func(a *webtest.App, doc string) *http.Response
	}{
		{name: "multipart file", post: func(a *webtest.App, doc string) *http.Response {
			return a.PostMultipart(paths.Blueprints("team"), webtest.Upload{
				Fields: map[string]string{"message": "first import"},
				Files:  map[string][]byte{"document": []byte(doc)},
			}, false).Result()
		}},
		{name: "multipart textarea", post: func(a *webtest.App, doc string) *http.Response {
			return a.PostMultipart(paths.Blueprints("team"), webtest.Upload{
				Fields: map[string]string{"document_text": doc, "message": "first import"},
			}, false).Result()
		}},
		{name: "urlencoded textarea", post: func(a *webtest.App, doc string) *http.Response {
			return a.PostForm(paths.Blueprints("team"), url.Values{"document_text": {doc}, "message": {"first import"}}, false).Result()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := webtest.NewApp(t)
			a.CreateProject("team")

			res := tt.post(a, webtest.ValidDoc)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d, want 303", res.StatusCode)
			}
			if got, want := res.Header.Get("Location"), paths.BlueprintVersion("team", "demo", 1); got != want {
				t.Fatalf("Location %q, want %q", got, want)
			}

			doc := webtest.WantFullPage(t, a.Get(res.Header.Get("Location"), false))
			if got := webtest.WantOne(t, doc, "blueprint-title"); got != "demo" {
				t.Errorf("title %q, want demo", got)
			}
			main := webtest.WantOne(t, doc, "file-main.tf")
			if !strings.Contains(main, `resource "terraform_data" "web"`) {
				t.Errorf("main.tf does not declare the resource:\n%s", main)
			}
			if webtest.ByTestID(doc, "file-main.tf").Is("pre") == false || webtest.ByTestID(doc, "file-main.tf").Find("code").Length() != 1 {
				t.Errorf("main.tf is not a <pre><code>")
			}
			if out := webtest.WantOne(t, doc, "file-outputs.tf"); !strings.Contains(out, `output "web_id"`) {
				t.Errorf("outputs.tf:\n%s", out)
			}
			webtest.WantOne(t, doc, "file-variables.tf")
			webtest.WantOne(t, doc, "no-diagnostics")
			rows := webtest.ByTestID(doc, "version-row")
			if rows.Length() != 1 {
				t.Fatalf("%d version rows, want 1", rows.Length())
			}
			if got := strings.TrimSpace(webtest.ByTestID(rows, "version-message").Text()); got != "first import" {
				t.Errorf("version message %q", got)
			}
			if sha := strings.TrimSpace(webtest.ByTestID(rows, "version-sha").Text()); len(sha) != blueprints.ShaPrefix {
				t.Errorf("sha prefix %q is not %d characters", sha, blueprints.ShaPrefix)
			}
			if got := webtest.ByTestID(doc, "download-zip").AttrOr("href", ""); got != paths.VersionZip("team", "demo", 1) {
				t.Errorf("zip link %q", got)
			}
			if got := webtest.ByTestID(doc, "download-document").AttrOr("href", ""); got != paths.VersionDocument("team", "demo", 1) {
				t.Errorf("document link %q", got)
			}

			// Importing the same name again adds a version instead of a blueprint.
			res = tt.post(a, webtest.ChangedDoc)
			if got, want := res.Header.Get("Location"), paths.BlueprintVersion("team", "demo", 2); res.StatusCode != http.StatusSeeOther || got != want {
				t.Fatalf("second import: status %d Location %q, want 303 %q", res.StatusCode, got, want)
			}
			doc = webtest.WantFullPage(t, a.Get(paths.Blueprint("team", "demo"), false))
			if got := webtest.ByTestID(doc, "shown-version").AttrOr("data-version", ""); got != "2" {
				t.Errorf("the blueprint page shows version %s by default, want the latest, 2", got)
			}
			if main := webtest.WantOne(t, doc, "file-main.tf"); !strings.Contains(main, "hello again") {
				t.Errorf("version 2's main.tf:\n%s", main)
			}
			versions := webtest.ByTestID(doc, "version-row").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-version", "") })
			if strings.Join(versions, ",") != "2,1" {
				t.Errorf("versions %v, want newest first: 2,1", versions)
			}
			if webtest.ByTestID(doc, "version-row").First().AttrOr("aria-current", "") != "true" {
				t.Errorf("the shown version is not marked current")
			}

			// The older version stays reachable.
			doc = webtest.WantFullPage(t, a.Get(paths.BlueprintVersion("team", "demo", 1), false))
			if main := webtest.WantOne(t, doc, "file-main.tf"); strings.Contains(main, "hello again") || !strings.Contains(main, "hello") {
				t.Errorf("version 1's main.tf:\n%s", main)
			}

			project := webtest.WantFullPage(t, a.Get(paths.Project("team"), false))
			row := webtest.ByTestID(project, "blueprint-row")
			if row.Length() != 1 {
				t.Fatalf("%d blueprint rows, want 1", row.Length())
			}
			if got := strings.TrimSpace(webtest.ByTestID(row, "blueprint-latest-version").Text()); got != "v2" {
				t.Errorf("latest version %q, want v2", got)
			}
			if webtest.ByTestID(row, "blueprint-updated").Find("time").Length() != 1 {
				t.Errorf("no updated time")
			}
		})
	}
}

func TestImportBlueprintWithHTMXRedirects(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	w := a.PostMultipart(paths.Blueprints("team"), webtest.Upload{Files: map[string][]byte{"document": []byte(webtest.ValidDoc)}}, true)
	webtest.WantStatus(t, w, http.StatusNoContent)
	if got, want := w.Header().Get("HX-Redirect"), paths.BlueprintVersion("team", "demo", 1); got != want {
		t.Errorf("HX-Redirect %q, want %q", got, want)
	}
}

func TestImportRefused(t *testing.T) {
	t.Parallel()
	big := strings.Repeat(" ", 6<<20) // more than the 5 MiB request limit
	tooLargeDoc := `{"format": 1, "name": "demo"` + strings.Repeat(" ", 4<<20) + `}`
	tests := []struct {
		name       string
		upload     webtest.Upload
		wantStatus int
		wantError  string      // in the message above the form
		wantDiag   [][2]string // path, and a part of the summary, of an error diagnostic
		keepsText  bool
	}{
		{
			name:       "malformed JSON",
			upload:     webtest.Upload{Fields: map[string]string{"document_text": `{"format": 1, "name": "demo",`}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "JSON",
			keepsText:  true,
		},
		{
			name:       "format 2",
			upload:     webtest.Upload{Files: map[string][]byte{"document": []byte(strings.Replace(webtest.ValidDoc, `"format": 1`, `"format": 2`, 1))}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "version 2 is not supported",
		},
		{
			name:       "validation errors",
			upload:     webtest.Upload{Fields: map[string]string{"document_text": webtest.InvalidDoc}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "Nothing was imported",
			wantDiag:   [][2]string{{"resources[terraform_data.web].inptu", `unsupported argument "inptu"`}},
			keepsText:  true,
		},
		{
			name:       "name the store refuses",
			upload:     webtest.Upload{Fields: map[string]string{"document_text": strings.Replace(webtest.ValidDoc, `"demo"`, `"Demo"`, 1)}},
			wantStatus: http.StatusUnprocessableEntity,
			wantDiag:   [][2]string{{"name", "invalid blueprint name"}},
		},
		{
			name:       "no document",
			upload:     webtest.Upload{Fields: map[string]string{"message": "empty"}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "Choose a blueprint document",
		},
		{
			name: "file and text",
			upload: webtest.Upload{
				Fields: map[string]string{"document_text": webtest.ValidDoc},
				Files:  map[string][]byte{"document": []byte(webtest.ValidDoc)},
			},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "not both",
		},
		{
			name:       "body over 5 MiB",
			upload:     webtest.Upload{Files: map[string][]byte{"document": []byte(big)}},
			wantStatus: http.StatusRequestEntityTooLarge,
			wantError:  "larger than 5 MiB",
		},
		{
			name:       "document over 4 MiB",
			upload:     webtest.Upload{Fields: map[string]string{"document_text": tooLargeDoc}},
			wantStatus: http.StatusRequestEntityTooLarge,
			wantError:  "at most 4 MiB",
		},
	}
	for _, tt := range tests {
		for _, htmx := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: " htmx", false: " plain"}[htmx], func(t *testing.T) {
				t.Parallel()
				a := webtest.NewApp(t)
				a.CreateProject("team")
				w := a.PostMultipart(paths.Blueprints("team"), tt.upload, htmx)
				webtest.WantStatus(t, w, tt.wantStatus)
				doc := webtest.ParseHTML(t, w)
				if htmx {
					doc = webtest.WantFragment(t, w, "import-form")
				} else {
					doc = webtest.WantFullPage(t, w)
					webtest.WantOne(t, doc, "project-title")
				}
				form := webtest.ByTestID(doc, "import-form")
				if tt.wantError != "" {
					msg := strings.TrimSpace(webtest.ByTestID(form, "import-error").Text())
					if !strings.Contains(msg, tt.wantError) {
						t.Errorf("import error %q does not contain %q", msg, tt.wantError)
					}
				}
				if len(tt.wantDiag) > 0 {
					diags := webtest.ByTestID(form, "diagnostic")
					if diags.Length() == 0 {
						t.Fatalf("no diagnostics listed:\n%s", w.Body)
					}
					for _, want := range tt.wantDiag {
						found := false
						diags.Each(func(_ int, d *goquery.Selection) {
							path := strings.TrimSpace(webtest.ByTestID(d, "diagnostic-path").Text())
							summary := webtest.ByTestID(d, "diagnostic-summary").Text()
							if path == want[0] && strings.Contains(summary, want[1]) && d.AttrOr("data-severity", "") == "error" {
								found = true
							}
						})
						if !found {
							t.Errorf("no error diagnostic at %q with a summary containing %q:\n%s", want[0], want[1], diags.Text())
						}
					}
				}
				if tt.keepsText {
					if got := webtest.ByTestID(form, "import-text-input").Text(); got != tt.upload.Fields["document_text"] {
						t.Errorf("the pasted document was not kept: %q", got)
					}
				}
				if n := a.BlueprintCount("team"); n != 0 {
					t.Errorf("a refused import left %d blueprints", n)
				}
			})
		}
	}
}

func TestImportWarningsAreAllowed(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	// A provider the catalog does not know, once the project allows it, is a warning: its
	// resources cannot be checked. (Before, it is an error: see package guardrails' tests.)
	if _, err := a.Store.AllowProvider(context.Background(), "team", "registry.terraform.io/example/acme", "admin"); err != nil {
		t.Fatal(err)
	}
	doc := strings.Replace(webtest.ValidDoc, `"resources"`,
		`"required_providers": [{"name": "acme", "source": "example/acme", "version": "~> 1.0"}], "resources"`, 1)
	loc := a.ImportDoc("team", doc, "")
	page := webtest.WantFullPage(t, a.Get(loc, false))
	diags := webtest.ByTestID(webtest.ByTestID(page, "diagnostics"), "diagnostic")
	if diags.Length() != 1 {
		t.Fatalf("%d diagnostics shown, want the one warning:\n%s", diags.Length(), diags.Text())
	}
	if got := diags.AttrOr("data-severity", ""); got != "warning" {
		t.Errorf("severity %q, want warning", got)
	}
	if got := strings.TrimSpace(webtest.ByTestID(diags, "diagnostic-path").Text()); got != "required_providers[0].source" {
		t.Errorf("path %q", got)
	}
	if got := webtest.ByTestID(diags, "diagnostic-summary").Text(); !strings.Contains(got, "not in the catalog") {
		t.Errorf("summary %q", got)
	}
	if webtest.ByTestID(diags, "diagnostic-detail").Length() != 1 {
		t.Errorf("no detail")
	}
	if webtest.ByTestID(page, "no-diagnostics").Length() != 0 {
		t.Errorf("the page says there are no diagnostics")
	}
}

// A chunked body has no Content-Length to refuse up front: the reader cuts it off at the
// limit instead, and the answer is the same.
func TestImportRefusesStreamedBodyOverLimit(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 6<<20)
	for _, tt := range []struct {
		name string
		u    webtest.Upload
		form url.Values
	}{
		{name: "multipart", u: webtest.Upload{Files: map[string][]byte{"document": []byte(big)}}},
		{name: "urlencoded", form: url.Values{"document_text": {big}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := webtest.NewApp(t)
			a.CreateProject("team")
			var body io.Reader
			var contentType string
			if tt.form != nil {
				body, contentType = strings.NewReader(tt.form.Encode()), "application/x-www-form-urlencoded"
			} else {
				body, contentType = tt.u.Body(t)
			}
			r := httptest.NewRequest(http.MethodPost, paths.Blueprints("team"), io.MultiReader(body))
			r.ContentLength = -1
			r.Header.Set("Content-Type", contentType)
			r.Header.Set("HX-Request", "true")
			w := a.Do(r)
			webtest.WantStatus(t, w, http.StatusRequestEntityTooLarge)
			doc := webtest.WantFragment(t, w, "import-form")
			if msg := webtest.WantOne(t, doc, "import-error"); !strings.Contains(msg, "larger than 5 MiB") {
				t.Errorf("import error %q", msg)
			}
			if n := a.BlueprintCount("team"); n != 0 {
				t.Errorf("%d blueprints after a refused upload", n)
			}
		})
	}
}
