package projects_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestProjectsPageShowsEmptyStateAndForm(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get(paths.Projects(), false)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFullPage(t, w)
	webtest.WantOne(t, doc, "projects-empty")
	form := webtest.ByTestID(doc, "project-form")
	if form.AttrOr("hx-post", "") != paths.Projects() || form.AttrOr("action", "") != paths.Projects() {
		t.Errorf("the form posts to hx-post=%q action=%q, want %q", form.AttrOr("hx-post", ""), form.AttrOr("action", ""), paths.Projects())
	}
	for _, id := range []string{"project-name-input", "project-description-input", "project-submit"} {
		webtest.WantOne(t, doc, id)
	}
	if got := webtest.ByTestID(doc, "nav-projects").AttrOr("aria-current", ""); got != "page" {
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
			a := webtest.NewApp(t)
			w := a.PostForm(paths.Projects(), url.Values{"name": {"payments"}, "description": {"The payments team"}}, tt.htmx)
			webtest.WantStatus(t, w, tt.wantStatus)
			if got := w.Header().Get(tt.header); got != paths.Project("payments") {
				t.Errorf("%s %q, want %q", tt.header, got, paths.Project("payments"))
			}

			doc := webtest.WantFullPage(t, a.Get(paths.Projects(), false))
			row := webtest.ByTestID(doc, "project-row")
			if row.Length() != 1 {
				t.Fatalf("%d project rows, want 1", row.Length())
			}
			if got := strings.TrimSpace(webtest.ByTestID(row, "project-link").Text()); got != "payments" {
				t.Errorf("project name %q, want payments", got)
			}
			if got := webtest.ByTestID(row, "project-link").AttrOr("href", ""); got != paths.Project("payments") {
				t.Errorf("project link %q, want %q", got, paths.Project("payments"))
			}
			if got := strings.TrimSpace(webtest.ByTestID(row, "project-description").Text()); got != "The payments team" {
				t.Errorf("description %q", got)
			}
			if webtest.ByTestID(row, "project-created").Find("time[datetime]").Length() != 1 {
				t.Errorf("the created column has no <time>")
			}

			page := webtest.WantFullPage(t, a.Get(paths.Project("payments"), false))
			if got := webtest.WantOne(t, page, "project-title"); got != "payments" {
				t.Errorf("project page title %q", got)
			}
			webtest.WantOne(t, page, "blueprints-empty")
			webtest.WantOne(t, page, "import-form")
		})
	}
}

func TestCreateProjectRefusesInvalidName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"../x", "has space", "", "Upper", "-dash"} {
		for _, htmx := range []bool{true, false} {
			t.Run(name+map[bool]string{true: " htmx", false: " plain"}[htmx], func(t *testing.T) {
				t.Parallel()
				a := webtest.NewApp(t)
				w := a.PostForm(paths.Projects(), url.Values{"name": {name}, "description": {"kept"}}, htmx)
				webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
				doc := webtest.ParseHTML(t, w)
				if htmx {
					doc = webtest.WantFragment(t, w, "project-form")
				} else {
					webtest.WantFullPage(t, w)
				}
				msg := webtest.WantOne(t, doc, "project-name-error")
				if !strings.Contains(msg, "is not valid") || !strings.Contains(msg, "lowercase letters") {
					t.Errorf("name error %q does not say what a valid name is", msg)
				}
				input := webtest.ByTestID(doc, "project-name-input")
				if input.AttrOr("aria-invalid", "") != "true" {
					t.Errorf("the name input is not marked aria-invalid")
				}
				// The message sits next to the field: in the same .field block.
				if input.Parent().Find(`[data-testid="project-name-error"]`).Length() != 1 {
					t.Errorf("the name error is not next to the name field")
				}
				if got := webtest.ByTestID(doc, "project-description-input").AttrOr("value", ""); got != "kept" {
					t.Errorf("the description was lost: %q", got)
				}
				ps, err := a.Store.Projects(context.Background())
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
	a := webtest.NewApp(t)
	a.CreateProject("payments")
	w := a.PostForm(paths.Projects(), url.Values{"name": {"payments"}}, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	doc := webtest.WantFragment(t, w, "project-form")
	if msg := webtest.WantOne(t, doc, "project-name-error"); !strings.Contains(msg, "already exists") {
		t.Errorf("name error %q does not say the name is taken", msg)
	}
	ps, err := a.Store.Projects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 {
		t.Errorf("%d projects, want 1", len(ps))
	}
}

func TestCreateProjectRefusesLongDescription(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.PostForm(paths.Projects(), url.Values{"name": {"payments"}, "description": {strings.Repeat("x", 5000)}}, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	doc := webtest.WantFragment(t, w, "project-form")
	if msg := webtest.WantOne(t, doc, "project-description-error"); !strings.Contains(msg, "5000 bytes") {
		t.Errorf("description error %q", msg)
	}
}
