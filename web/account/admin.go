package account

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
)

// auditLimit is how many audit entries a page shows, newest first.
const auditLimit = 500

type usersProps struct {
	Layout page.Layout
	Users  []userRow
	Form   userFormProps
}

type userRow struct {
	Name    string
	Admin   bool
	Created components.Time
}

type userFormProps struct {
	Name    string
	Admin   bool
	Error   string
	Created string // the user just created
}

// showUsers answers GET /admin/users.
func (s *Handlers) showUsers(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, userFormProps{})
}

func (s *Handlers) renderUsers(w http.ResponseWriter, r *http.Request, status int, f userFormProps) error {
	us, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	p := usersProps{Layout: s.frame.Layout("Users", ""), Form: f}
	for _, u := range us {
		p.Users = append(p.Users, userRow{Name: u.Name, Admin: u.Admin, Created: components.NewTime(u.CreatedAt)})
	}
	return s.frame.Render(w, r, status, usersPage(p), "")
}

// createUser answers POST /admin/users: a user with an initial password, global admin or not.
func (s *Handlers) createUser(w http.ResponseWriter, r *http.Request) error {
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderUsers(w, r, page.FormStatus(err), userFormProps{Error: page.FormRefusal(err)})
	}
	f := userFormProps{Name: strings.TrimSpace(r.PostForm.Get("name")), Admin: r.PostForm.Get("admin") == "yes"}
	if err := store.ValidName(f.Name); err != nil {
		f.Error = page.Capitalize(err.Error()) + "."
		if len(f.Name) > 63 {
			f.Name = ""
		}
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, f)
	}
	password := r.PostForm.Get("password")
	if msg := passwordProblem("initial", password, password, f.Name); msg != "" {
		f.Error = msg
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, f)
	}
	hash, err := s.hasher.Hash(r.Context(), password, s.passwordParams)
	if errors.Is(err, auth.ErrBusy) {
		return s.busy(w, r)
	}
	if err != nil {
		return err
	}
	_, err = s.store.CreateUser(r.Context(), f.Name, hash, f.Admin)
	if errors.Is(err, store.ErrConflict) {
		f.Error = fmt.Sprintf("A user named %q already exists.", f.Name)
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	detail := ""
	if f.Admin {
		detail = "global admin"
	}
	s.frame.Audit(r, "user.create", "", f.Name, detail)
	return s.renderUsers(w, r, http.StatusOK, userFormProps{Created: f.Name})
}

type auditProps struct {
	Layout  page.Layout
	Project string // "" for the global log
	Entries []auditRow
}

type auditRow struct {
	At      components.Time
	User    string
	Action  string
	Project string
	Target  string
	Detail  string
	Count   int // how often it happened; above 1, Last is when it last did
	Last    components.Time
}

// showAudit answers GET /admin/audit (every entry) and GET /projects/{project}/audit.
func (s *Handlers) showAudit(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	title := "Audit log"
	if project != "" {
		if _, err := s.store.Project(r.Context(), project); err != nil {
			return err
		}
		title = "Audit log · " + project
	}
	es, err := s.store.AuditLog(r.Context(), project, auditLimit)
	if err != nil {
		return err
	}
	p := auditProps{Layout: s.frame.Layout(title, ""), Project: project}
	if project != "" {
		p.Layout.Crumbs = page.InProject(project)
	}
	for _, e := range es {
		p.Entries = append(p.Entries, auditRow{At: components.NewTime(e.At), User: e.User, Action: e.Action,
			Project: e.Project, Target: e.Target, Detail: e.Detail, Count: e.Count, Last: components.NewTime(e.Last)})
	}
	return s.frame.Render(w, r, http.StatusOK, auditPage(p), "")
}
