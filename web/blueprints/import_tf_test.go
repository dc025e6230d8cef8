package blueprints_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// wantProblems reads the expected problems of a fixture from its comments: a line
// "# ERROR: <summary>" or "# LEFT OUT: <summary>" expects that problem on the next line.
func wantProblems(files []namedFile) []string {
	var out []string
	for _, f := range files {
		for i, line := range strings.Split(string(f.data), "\n") {
			line = strings.TrimSpace(line)
			for marker, severity := range map[string]string{"# ERROR: ": "error", "# LEFT OUT: ": "warning"} {
				if summary, ok := strings.CutPrefix(line, marker); ok {
					out = append(out, fmt.Sprintf("%s %s:%d %s", severity, f.name, i+2, summary))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// shownProblems lists the Terraform problems in a refused form as wantProblems does.
func shownProblems(form *goquery.Selection) []string {
	out := webtest.ByTestID(form, "import-problem").Map(func(_ int, p *goquery.Selection) string {
		return fmt.Sprintf("%s %s %s", p.AttrOr("data-severity", ""),
			strings.TrimSpace(webtest.ByTestID(p, "import-problem-at").Text()), strings.TrimSpace(webtest.ByTestID(p, "import-problem-summary").Text()))
	})
	sort.Strings(out)
	return out
}

func TestImportTerraform(t *testing.T) {
	t.Parallel()
	twoFiles := func(t *testing.T) []namedFile { return fixture(t, "two-files") }
	pasted := func(t *testing.T) string {
		var b strings.Builder
		for _, f := range twoFiles(t) {
			b.Write(f.data)
		}
		return "\n  " + b.String()
	}
	tests := []struct {
		name string
		post func(t *testing.T, a *webtest.App) *httptest.ResponseRecorder
	}{
		{name: "two .tf files", post: func(t *testing.T, a *webtest.App) *httptest.ResponseRecorder {
			return postFiles(a, tfUpload{fields: map[string]string{"name": "demo", "message": "from terraform"}, files: twoFiles(t)}, false)
		}},
		{name: "zip named after the blueprint", post: func(t *testing.T, a *webtest.App) *httptest.ResponseRecorder {
			archive := zipOf(t, under("infra", twoFiles(t))...)
			return postFiles(a, tfUpload{fields: map[string]string{"message": "from terraform"}, files: []namedFile{{"demo.zip", archive}}}, false)
		}},
		{name: "zip and a name", post: func(t *testing.T, a *webtest.App) *httptest.ResponseRecorder {
			archive := zipOf(t, twoFiles(t)...)
			return postFiles(a, tfUpload{fields: map[string]string{"name": "demo", "message": "from terraform"}, files: []namedFile{{"Infra Export.zip", archive}}}, false)
		}},
		{name: "pasted HCL multipart", post: func(t *testing.T, a *webtest.App) *httptest.ResponseRecorder {
			return a.PostMultipart(paths.Blueprints("team"), webtest.Upload{Fields: map[string]string{
				"name": "demo", "message": "from terraform", "document_text": pasted(t)}}, false)
		}},
		{name: "pasted HCL urlencoded", post: func(t *testing.T, a *webtest.App) *httptest.ResponseRecorder {
			return a.PostForm(paths.Blueprints("team"), url.Values{
				"name": {"demo"}, "message": {"from terraform"}, "document_text": {pasted(t)}}, false)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := webtest.NewApp(t)
			a.CreateProject("team")
			w := tt.post(t, a)
			webtest.WantStatus(t, w, http.StatusSeeOther)
			if got, want := w.Header().Get("Location"), paths.BlueprintVersion("team", "demo", 1); got != want {
				t.Fatalf("Location %q, want %q", got, want)
			}
			doc := webtest.WantFullPage(t, a.Get(w.Header().Get("Location"), false))
			if main := webtest.WantOne(t, doc, "file-main.tf"); !strings.Contains(main, `resource "terraform_data" "web"`) || !strings.Contains(main, `"hello"`) {
				t.Errorf("main.tf:\n%s", main)
			}
			if out := webtest.WantOne(t, doc, "file-outputs.tf"); !strings.Contains(out, `output "web_id"`) || !strings.Contains(out, "terraform_data.web.id") {
				t.Errorf("outputs.tf:\n%s", out)
			}
			if got := strings.TrimSpace(webtest.ByTestID(doc, "version-message").Text()); got != "from terraform" {
				t.Errorf("version message %q", got)
			}
		})
	}
}

func TestImportTerraformLeavingPartsOut(t *testing.T) {
	t.Parallel()
	leftOut := fixture(t, "left-out")
	readme := namedFile{"README.md", []byte("# network\n")}
	tests := []struct {
		name  string
		files []namedFile
		want  []string
	}{
		{name: "dynamic block and module", files: leftOut, want: wantProblems(leftOut)},
		{
			name:  "zip with other files",
			files: []namedFile{{"demo.zip", zipOf(t, append(under("infra", fixture(t, "two-files")), readme, namedFile{".terraform/modules/modules.json", []byte("{}")})...)}},
			want:  []string{"warning .terraform/modules/modules.json not read", "warning README.md not read"},
		},
	}
	for _, tt := range tests {
		for _, htmx := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: " htmx", false: " plain"}[htmx], func(t *testing.T) {
				t.Parallel()
				a := webtest.NewApp(t)
				a.CreateProject("team")
				w := postFiles(a, tfUpload{fields: map[string]string{"name": "demo"}, files: tt.files}, htmx)
				webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
				var doc *goquery.Document
				if htmx {
					doc = webtest.WantFragment(t, w, "import-form")
				} else {
					doc = webtest.WantFullPage(t, w)
				}
				form := webtest.ByTestID(doc, "import-form")
				if diff := cmp.Diff(tt.want, shownProblems(form)); diff != "" {
					t.Errorf("problems listed (-want +got):\n%s", diff)
				}
				if msg := webtest.ByTestID(form, "import-error").Text(); !strings.Contains(msg, "Nothing was imported") || !strings.Contains(msg, "Import anyway") {
					t.Errorf("import error %q", msg)
				}
				box := webtest.ByTestID(form, "import-anyway-input")
				if box.Length() != 1 || box.AttrOr("name", "") != "import_anyway" {
					t.Fatalf("no import-anyway checkbox:\n%s", w.Body)
				}
				if _, checked := box.Attr("checked"); checked {
					t.Errorf("the checkbox is ticked before the user ticked it")
				}
				if got := webtest.ByTestID(form, "import-name-input").AttrOr("value", ""); got != "demo" {
					t.Errorf("the name was not kept: %q", got)
				}
				if n := a.BlueprintCount("team"); n != 0 {
					t.Fatalf("a refused import left %d blueprints", n)
				}

				// Ticked, the same files are imported without the parts listed.
				w = postFiles(a, tfUpload{fields: map[string]string{"name": "demo", "import_anyway": "on"}, files: tt.files}, false)
				webtest.WantStatus(t, w, http.StatusSeeOther)
				page := webtest.WantFullPage(t, a.Get(w.Header().Get("Location"), false))
				main := webtest.WantOne(t, page, "file-main.tf")
				// A module call is kept even when its folder's files were not imported.
				if !strings.Contains(main, `resource "terraform_data" "web"`) || strings.Contains(main, "dynamic") ||
					strings.Contains(tt.name, "module") != strings.Contains(main, `module "network"`) {
					t.Errorf("main.tf:\n%s", main)
				}
				if n := a.BlueprintCount("team"); n != 1 {
					t.Errorf("%d blueprints, want 1", n)
				}
			})
		}
	}
}

func TestImportTerraformRefused(t *testing.T) {
	t.Parallel()
	twoFiles := fixture(t, "two-files")
	syntaxError := fixture(t, "syntax-error")
	// Comments compress to almost nothing: a small upload that decompresses past the limit.
	bomb := namedFile{"main.tf", bytes.Repeat([]byte("# padding padding padding padding\n"), (4<<20)/34+1)}
	tooMany := make([]namedFile, 1001)
	for i := range tooMany {
		tooMany[i] = namedFile{name: fmt.Sprintf("f%d.txt", i)}
	}
	truncated := zipOf(t, twoFiles...)
	truncated = truncated[:len(truncated)/2]
	tests := []struct {
		name       string
		upload     tfUpload
		wantStatus int
		wantError  string
		wantProbs  []string    // Terraform problems listed, as wantProblems writes them
		wantDiag   [][2]string // path and part of the summary of an error diagnostic
	}{
		{
			name:       "syntax error",
			upload:     tfUpload{fields: map[string]string{"name": "demo"}, files: syntaxError},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "1 error",
			wantProbs:  wantProblems(syntaxError),
		},
		{
			name:       "pasted syntax error",
			upload:     tfUpload{fields: map[string]string{"name": "demo", "document_text": string(syntaxError[0].data)}},
			wantStatus: http.StatusUnprocessableEntity,
			wantProbs:  []string{"error pasted.tf:3 syntax error"},
		},
		{
			name:       "not a zip",
			upload:     tfUpload{fields: map[string]string{"name": "demo"}, files: []namedFile{{"demo.zip", []byte("PK\x03\x04 this is not an archive")}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "could not be read",
		},
		{
			name:       "truncated zip",
			upload:     tfUpload{fields: map[string]string{"name": "demo"}, files: []namedFile{{"demo.zip", truncated}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "could not be read",
		},
		{
			name:       "zip over the size limit once uncompressed",
			upload:     tfUpload{files: []namedFile{{"demo.zip", zipOf(t, bomb)}}},
			wantStatus: http.StatusRequestEntityTooLarge,
			wantError:  "larger than 4 MiB together",
		},
		{
			// The reader counts what it decompresses, so a header that lies about the size
			// does not get more read than the limit.
			name:       "zip whose header understates the size",
			upload:     tfUpload{files: []namedFile{{"demo.zip", lyingZip(t, bomb)}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "could not be read",
		},
		{
			name:       "zip entry outside the archive",
			upload:     tfUpload{files: []namedFile{{"demo.zip", zipOf(t, append(twoFiles, namedFile{"../evil.tf", []byte("")})...)}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  `"../evil.tf" outside the archive`,
		},
		{
			name:       "zip entry with an absolute path",
			upload:     tfUpload{files: []namedFile{{"demo.zip", zipOf(t, namedFile{"/etc/evil.tf", []byte("")})}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "outside the archive",
		},
		{
			name:       "zip with too many entries",
			upload:     tfUpload{files: []namedFile{{"demo.zip", zipOf(t, tooMany...)}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "1001 entries",
		},
		{
			name:       "zip without .tf files",
			upload:     tfUpload{files: []namedFile{{"demo.zip", zipOf(t, namedFile{"README.md", []byte("hi")})}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "No .tf file",
		},
		{
			name:       "not UTF-8",
			upload:     tfUpload{fields: map[string]string{"name": "demo"}, files: []namedFile{{"main.tf", []byte("resource \"terraform_data\" \"w\xe9b\" {}\n")}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  `"main.tf" is not UTF-8`,
		},
		{
			name:       "NUL byte",
			upload:     tfUpload{fields: map[string]string{"name": "demo"}, files: []namedFile{{"main.tf", []byte("locals {}\n\x00\n")}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  `"main.tf" has a NUL byte on line 2`,
		},
		{
			name:       "no name",
			upload:     tfUpload{files: twoFiles},
			wantStatus: http.StatusUnprocessableEntity,
			wantDiag:   [][2]string{{"name", "has no name"}},
		},
		{
			name:       "validation errors",
			upload:     tfUpload{fields: map[string]string{"name": "demo"}, files: []namedFile{{"main.tf", []byte("resource \"terraform_data\" \"web\" {\n  inptu = \"x\"\n}\n")}}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "Nothing was imported",
			wantDiag:   [][2]string{{"resources[terraform_data.web].inptu", `unsupported argument "inptu"`}},
		},
		{
			name:       "document and .tf files",
			upload:     tfUpload{files: append([]namedFile{{"demo.json", []byte(webtest.ValidDoc)}}, twoFiles...)},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "on its own",
		},
		{
			name:       "same file name twice",
			upload:     tfUpload{fields: map[string]string{"name": "demo"}, files: []namedFile{twoFiles[0], twoFiles[0]}},
			wantStatus: http.StatusUnprocessableEntity,
			wantError:  "named \"main.tf\"",
		},
	}
	for _, tt := range tests {
		for _, htmx := range []bool{true, false} {
			t.Run(tt.name+map[bool]string{true: " htmx", false: " plain"}[htmx], func(t *testing.T) {
				t.Parallel()
				a := webtest.NewApp(t)
				a.CreateProject("team")
				w := postFiles(a, tt.upload, htmx)
				webtest.WantStatus(t, w, tt.wantStatus)
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
				if diff := cmp.Diff(tt.wantProbs, shownProblems(form), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("problems listed (-want +got):\n%s", diff)
				}
				if webtest.ByTestID(form, "import-anyway-input").Length() != 0 {
					t.Errorf("the form offers to import anyway what cannot be imported")
				}
				for _, want := range tt.wantDiag {
					found := false
					webtest.ByTestID(form, "diagnostic").Each(func(_ int, d *goquery.Selection) {
						if strings.TrimSpace(webtest.ByTestID(d, "diagnostic-path").Text()) == want[0] &&
							strings.Contains(webtest.ByTestID(d, "diagnostic-summary").Text(), want[1]) && d.AttrOr("data-severity", "") == "error" {
							found = true
						}
					})
					if !found {
						t.Errorf("no error diagnostic at %q with a summary containing %q:\n%s", want[0], want[1], w.Body)
					}
				}
				if text := tt.upload.fields["document_text"]; text != "" {
					if got := webtest.ByTestID(form, "import-text-input").Text(); got != text {
						t.Errorf("the pasted configuration was not kept: %q", got)
					}
				}
				if n := a.BlueprintCount("team"); n != 0 {
					t.Errorf("a refused import left %d blueprints", n)
				}
			})
		}
	}
}
