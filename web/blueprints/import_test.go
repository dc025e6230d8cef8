package blueprints_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web/blueprints"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
	// A provider the catalog does not know is a warning: its resources cannot be checked.
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

// tfUpload is a multipart form with files in order, each with its own file name, as a
// browser's multiple file input sends them.
type tfUpload struct {
	fields map[string]string
	files  []namedFile
}

type namedFile struct {
	name string
	data []byte
}

func postFiles(a *webtest.App, u tfUpload, htmx bool) *httptest.ResponseRecorder {
	a.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range u.fields {
		if err := mw.WriteField(k, v); err != nil {
			a.T.Fatal(err)
		}
	}
	for _, f := range u.files {
		fw, err := mw.CreateFormFile("document", f.name)
		if err != nil {
			a.T.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			a.T.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		a.T.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, paths.Blueprints("team"), &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return a.Do(r)
}

// fixture reads the .tf files of a directory under testdata/import, by file name.
func fixture(t *testing.T, dir string) []namedFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "import", dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixture %s: %v", dir, err)
	}
	var out []namedFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, namedFile{filepath.Base(p), data})
	}
	return out
}

// zipOf archives files; an entry whose name ends in "/" is a directory.
func zipOf(t *testing.T, files ...namedFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lyingZip archives f with a header that says it holds 10 bytes.
func lyingZip(t *testing.T, f namedFile) []byte {
	t.Helper()
	var compressed bytes.Buffer
	fw, _ := flate.NewWriter(&compressed, flate.BestCompression)
	fw.Write(f.data)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: f.name, Method: zip.Deflate,
		CompressedSize64: uint64(compressed.Len()), UncompressedSize64: 10, CRC32: crc32.ChecksumIEEE(f.data)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(compressed.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// under puts files in a folder of an archive.
func under(dir string, files []namedFile) []namedFile {
	out := []namedFile{{name: dir + "/"}}
	for _, f := range files {
		out = append(out, namedFile{dir + "/" + f.name, f.data})
	}
	return out
}

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
				if !strings.Contains(main, `resource "terraform_data" "web"`) || strings.Contains(main, "dynamic") || strings.Contains(main, "module") {
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
