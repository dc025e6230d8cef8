package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
)

func TestHomeRedirectsToProjects(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get("/", false)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != paths.Projects() {
		t.Errorf("Location %q, want %q", loc, paths.Projects())
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get(paths.Health(), false)
	wantStatus(t, w, http.StatusOK)
	if w.Body.String() != "ok" {
		t.Errorf("body %q, want ok", w.Body)
	}
}

func TestProjectsPageShowsEmptyStateAndForm(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get(paths.Projects(), false)
	wantStatus(t, w, http.StatusOK)
	doc := wantFullPage(t, w)
	wantOne(t, doc, "projects-empty")
	form := byTestID(doc, "project-form")
	if form.AttrOr("hx-post", "") != paths.Projects() || form.AttrOr("action", "") != paths.Projects() {
		t.Errorf("the form posts to hx-post=%q action=%q, want %q", form.AttrOr("hx-post", ""), form.AttrOr("action", ""), paths.Projects())
	}
	for _, id := range []string{"project-name-input", "project-description-input", "project-submit"} {
		wantOne(t, doc, id)
	}
	if got := byTestID(doc, "nav-projects").AttrOr("aria-current", ""); got != "page" {
		t.Errorf("the Projects nav link has aria-current=%q, want page", got)
	}
}

func TestCreateProject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		htmx       bool
		wantStatus int
		header     string
	}{
		{name: "plain form gets 303", htmx: false, wantStatus: http.StatusSeeOther, header: "Location"},
		{name: "htmx gets HX-Redirect", htmx: true, wantStatus: http.StatusNoContent, header: "HX-Redirect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newTestApp(t)
			w := a.postForm(paths.Projects(), url.Values{"name": {"payments"}, "description": {"The payments team"}}, tt.htmx)
			wantStatus(t, w, tt.wantStatus)
			if got := w.Header().Get(tt.header); got != paths.Project("payments") {
				t.Errorf("%s %q, want %q", tt.header, got, paths.Project("payments"))
			}

			doc := wantFullPage(t, a.get(paths.Projects(), false))
			row := byTestID(doc, "project-row")
			if row.Length() != 1 {
				t.Fatalf("%d project rows, want 1", row.Length())
			}
			if got := strings.TrimSpace(byTestID(row, "project-link").Text()); got != "payments" {
				t.Errorf("project name %q, want payments", got)
			}
			if got := byTestID(row, "project-link").AttrOr("href", ""); got != paths.Project("payments") {
				t.Errorf("project link %q, want %q", got, paths.Project("payments"))
			}
			if got := strings.TrimSpace(byTestID(row, "project-description").Text()); got != "The payments team" {
				t.Errorf("description %q", got)
			}
			if byTestID(row, "project-created").Find("time[datetime]").Length() != 1 {
				t.Errorf("the created column has no <time>")
			}

			page := wantFullPage(t, a.get(paths.Project("payments"), false))
			if got := wantOne(t, page, "project-title"); got != "payments" {
				t.Errorf("project page title %q", got)
			}
			wantOne(t, page, "blueprints-empty")
			wantOne(t, page, "import-form")
		})
	}
}

func TestCreateProjectRefusesInvalidName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"../x", "has space", "", "Upper", "-dash"} {
		for _, htmx := range []bool{true, false} {
			t.Run(name+map[bool]string{true: " htmx", false: " plain"}[htmx], func(t *testing.T) {
				t.Parallel()
				a := newTestApp(t)
				w := a.postForm(paths.Projects(), url.Values{"name": {name}, "description": {"kept"}}, htmx)
				wantStatus(t, w, http.StatusUnprocessableEntity)
				doc := parseHTML(t, w)
				if htmx {
					doc = wantFragment(t, w, "project-form")
				} else {
					wantFullPage(t, w)
				}
				msg := wantOne(t, doc, "project-name-error")
				if !strings.Contains(msg, "is not valid") || !strings.Contains(msg, "lowercase letters") {
					t.Errorf("name error %q does not say what a valid name is", msg)
				}
				input := byTestID(doc, "project-name-input")
				if input.AttrOr("aria-invalid", "") != "true" {
					t.Errorf("the name input is not marked aria-invalid")
				}
				// The message sits next to the field: in the same .field block.
				if input.Parent().Find(`[data-testid="project-name-error"]`).Length() != 1 {
					t.Errorf("the name error is not next to the name field")
				}
				if got := byTestID(doc, "project-description-input").AttrOr("value", ""); got != "kept" {
					t.Errorf("the description was lost: %q", got)
				}
				ps, err := a.store.Projects(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(ps) != 0 {
					t.Errorf("an invalid name created projects: %+v", ps)
				}
			})
		}
	}
}

func TestCreateProjectRefusesDuplicate(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("payments")
	w := a.postForm(paths.Projects(), url.Values{"name": {"payments"}}, true)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	doc := wantFragment(t, w, "project-form")
	if msg := wantOne(t, doc, "project-name-error"); !strings.Contains(msg, "already exists") {
		t.Errorf("name error %q does not say the name is taken", msg)
	}
	ps, err := a.store.Projects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Errorf("%d projects, want 1", len(ps))
	}
}

func TestCreateProjectRefusesLongDescription(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.postForm(paths.Projects(), url.Values{"name": {"payments"}, "description": {strings.Repeat("x", 5000)}}, true)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	doc := wantFragment(t, w, "project-form")
	if msg := wantOne(t, doc, "project-description-error"); !strings.Contains(msg, "5000 bytes") {
		t.Errorf("description error %q", msg)
	}
}

func TestUnknownProjectIs404(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("payments")
	a.importDoc("payments", validDoc, "")
	for _, path := range []string{
		paths.Project("nope"),
		paths.Blueprint("nope", "demo"),
		paths.Blueprint("payments", "nope"),
		paths.BlueprintVersion("payments", "demo", 7),
		paths.Blueprint("payments", "demo") + "?version=abc",
		paths.VersionZip("payments", "demo", 2),
		paths.VersionDocument("payments", "nope", 1),
		paths.Version("payments", "demo", 0) + "/terraform.zip",
		"/no/such/page",
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			w := a.get(path, false)
			wantStatus(t, w, http.StatusNotFound)
			doc := wantFullPage(t, w)
			if got := wantOne(t, doc, "error-title"); got != "Not found" {
				t.Errorf("error title %q", got)
			}
			wantOne(t, doc, "error-home")
		})
	}
	t.Run("import into unknown project", func(t *testing.T) {
		t.Parallel()
		w := a.postMultipart(paths.Blueprints("nope"), upload{files: map[string][]byte{"document": []byte(validDoc)}}, false)
		wantStatus(t, w, http.StatusNotFound)
	})
}
