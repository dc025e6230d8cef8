package blueprints_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// deep is the nesting every case below goes to: far past any limit, and far past what the
// parsers' recursion survives (a Go stack overflow is a fatal error, not a panic).
const deep = 100_000

// TestImportRefusesDeepNesting: Terraform or a blueprint document nested 100,000 levels
// deep is refused with 422 and a message that names the limit, nothing is stored, and the
// server is still there to answer the next request.
func TestImportRefusesDeepNesting(t *testing.T) {
	t.Parallel()
	brackets := strings.Repeat("[", deep) + strings.Repeat("]", deep)
	deepTF := "locals {\n  x = " + brackets + "\n}\n"
	deepExprDoc := fmt.Sprintf(`{"format": 1, "name": "demo", "locals": [{"name": "x", "value": {"expr": %q}}]}`, brackets)
	deepListDoc := `{"format": 1, "name": "demo", "locals": [{"name": "x", "value": ` +
		strings.Repeat(`{"list": [`, deep) + `{"literal": 1}` + strings.Repeat(`]}`, deep) + `}]}`
	tfProblem := "deeper than 128 levels"
	tests := []struct {
		name       string
		post       func(t *testing.T, a *webtest.App, htmx bool) *httptest.ResponseRecorder
		wantError  string    // in the message above the form
		wantDetail [2]string // path and part of the detail of an error diagnostic, if any
		keepsText  string
	}{
		{
			name: "pasted Terraform, multipart",
			post: func(t *testing.T, a *webtest.App, htmx bool) *httptest.ResponseRecorder {
				return a.PostMultipart(paths.Blueprints("team"), webtest.Upload{Fields: map[string]string{"name": "demo", "document_text": deepTF}}, htmx)
			},
			wantError: "The pasted text nests " + tfProblem + " at line 2",
			keepsText: deepTF,
		},
		{
			name: "pasted Terraform, urlencoded",
			post: func(t *testing.T, a *webtest.App, htmx bool) *httptest.ResponseRecorder {
				return a.PostForm(paths.Blueprints("team"), url.Values{"name": {"demo"}, "document_text": {deepTF}}, htmx)
			},
			wantError: "The pasted text nests " + tfProblem + " at line 2",
			keepsText: deepTF,
		},
		{
			name: "uploaded .tf file",
			post: func(t *testing.T, a *webtest.App, htmx bool) *httptest.ResponseRecorder {
				return postFiles(a, tfUpload{fields: map[string]string{"name": "demo"}, files: []namedFile{{"main.tf", []byte(deepTF)}}}, htmx)
			},
			wantError: `"main.tf" nests ` + tfProblem + " at line 2",
		},
		{
			name: "zip",
			post: func(t *testing.T, a *webtest.App, htmx bool) *httptest.ResponseRecorder {
				return postFiles(a, tfUpload{files: []namedFile{{"demo.zip", zipOf(t, namedFile{"infra/main.tf", []byte(deepTF)})}}}, htmx)
			},
			wantError: `"infra/main.tf" nests ` + tfProblem + " at line 2",
		},
		{
			name: "document with a deep expression",
			post: func(t *testing.T, a *webtest.App, htmx bool) *httptest.ResponseRecorder {
				return a.PostMultipart(paths.Blueprints("team"), webtest.Upload{Fields: map[string]string{"document_text": deepExprDoc}}, htmx)
			},
			wantError:  "Nothing was imported",
			wantDetail: [2]string{"locals[x]", "nested more than 128 levels deep"},
			keepsText:  deepExprDoc,
		},
		{
			name: "uploaded document with deep values",
			post: func(t *testing.T, a *webtest.App, htmx bool) *httptest.ResponseRecorder {
				return a.PostMultipart(paths.Blueprints("team"), webtest.Upload{Files: map[string][]byte{"document": []byte(deepListDoc)}}, htmx)
			},
			wantError: "nested more than 320 levels deep",
		},
	}
	for _, tt := range tests {
		for _, htmx := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: " htmx", false: " plain"}[htmx], func(t *testing.T) {
				t.Parallel()
				a := webtest.NewApp(t)
				a.CreateProject("team")
				w := tt.post(t, a, htmx)
				webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
				var doc *goquery.Document
				if htmx {
					doc = webtest.WantFragment(t, w, "import-form")
				} else {
					doc = webtest.WantFullPage(t, w)
				}
				form := webtest.ByTestID(doc, "import-form")
				if msg := webtest.ByTestID(form, "import-error").Text(); !strings.Contains(msg, tt.wantError) {
					t.Errorf("import error %q does not contain %q", msg, tt.wantError)
				}
				if want := tt.wantDetail; want[0] != "" {
					found := false
					webtest.ByTestID(form, "diagnostic").Each(func(_ int, d *goquery.Selection) {
						if strings.TrimSpace(webtest.ByTestID(d, "diagnostic-path").Text()) == want[0] && d.AttrOr("data-severity", "") == "error" &&
							strings.Contains(webtest.ByTestID(d, "diagnostic-detail").Text(), want[1]) {
							found = true
						}
					})
					if !found {
						t.Errorf("no error diagnostic at %q with a detail containing %q:\n%s", want[0], want[1], webtest.ByTestID(form, "diagnostic").Text())
					}
				}
				if tt.keepsText != "" {
					if got := webtest.ByTestID(form, "import-text-input").Text(); got != tt.keepsText {
						t.Errorf("the pasted text was not kept (%d bytes back of %d)", len(got), len(tt.keepsText))
					}
				}
				if n := a.BlueprintCount("team"); n != 0 {
					t.Errorf("a refused import left %d blueprints", n)
				}
				// The server lives on: the next import goes through.
				w = a.PostMultipart(paths.Blueprints("team"), webtest.Upload{Fields: map[string]string{"document_text": webtest.ValidDoc}}, false)
				webtest.WantStatus(t, w, http.StatusSeeOther)
			})
		}
	}
}
