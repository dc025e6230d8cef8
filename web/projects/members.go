package projects

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

type membersProps struct {
	Layout  page.Layout
	Project string
	Members []memberRow
	Roles   []string
	Error   string
	Form    memberFormProps
}

type memberRow struct {
	User      string
	Role      string
	RoleURL   string
	RemoveURL string
}

type memberFormProps struct {
	User string
	Role string
}

// showMembers answers GET /projects/{project}/members.
func (s *Handlers) showMembers(w http.ResponseWriter, r *http.Request) error {
	return s.renderMembers(w, r, http.StatusOK, "", memberFormProps{Role: string(auth.Viewer)})
}

func (s *Handlers) renderMembers(w http.ResponseWriter, r *http.Request, status int, problem string, f memberFormProps) error {
	project := r.PathValue("project")
	if _, err := s.store.Project(r.Context(), project); err != nil {
		return err
	}
	ms, err := s.store.Members(r.Context(), project)
	if err != nil {
		return err
	}
	p := membersProps{Layout: s.frame.Layout("Members · "+project, page.NavProjects, page.InProject(project)...), Project: project, Error: problem, Form: f}
	for _, role := range auth.Roles {
		p.Roles = append(p.Roles, string(role))
	}
	for _, m := range ms {
		p.Members = append(p.Members, memberRow{User: m.User, Role: m.Role,
			RoleURL: paths.Member(project, m.User), RemoveURL: paths.MemberRemove(project, m.User)})
	}
	return s.frame.Render(w, r, status, membersPage(p), "")
}

// addMember answers POST /projects/{project}/members: a user joins with a role (or, when a
// member already, gets that role).
func (s *Handlers) addMember(w http.ResponseWriter, r *http.Request) error {
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderMembers(w, r, page.FormStatus(err), page.FormRefusal(err), memberFormProps{})
	}
	f := memberFormProps{User: strings.TrimSpace(r.PostForm.Get("user")), Role: r.PostForm.Get("role")}
	if len(f.User) > 63 {
		f.User = ""
	}
	return s.setMember(w, r, f.User, f.Role, "member.add", f)
}

// changeMember answers POST /projects/{project}/members/{user}: a new role.
func (s *Handlers) changeMember(w http.ResponseWriter, r *http.Request) error {
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderMembers(w, r, page.FormStatus(err), page.FormRefusal(err), memberFormProps{})
	}
	user := r.PathValue("user")
	if _, err := s.store.MemberRole(r.Context(), r.PathValue("project"), user); err != nil {
		return err
	}
	return s.setMember(w, r, user, r.PostForm.Get("role"), "member.role", memberFormProps{Role: string(auth.Viewer)})
}

func (s *Handlers) setMember(w http.ResponseWriter, r *http.Request, user, roleName, action string, f memberFormProps) error {
	project := r.PathValue("project")
	role, err := auth.ParseRole(roleName)
	if err != nil {
		return s.renderMembers(w, r, http.StatusUnprocessableEntity, page.Capitalize(err.Error())+".", f)
	}
	if role != auth.Admin {
		if msg, err := s.lastAdminProblem(r, project, user); err != nil || msg != "" {
			if err != nil {
				return err
			}
			return s.renderMembers(w, r, http.StatusUnprocessableEntity, msg, f)
		}
	}
	err = s.store.SetMember(r.Context(), project, user, string(role))
	if errors.Is(err, store.ErrNotFound) {
		if _, perr := s.store.Project(r.Context(), project); perr != nil {
			return perr
		}
		// Neither the answer nor the project's audit log (which the project's admins read)
		// says that no such user exists: a project admin is not a global admin, and must
		// not be able to list CloudOven's users one guess at a time without a trace. The
		// global log records the guesses, one row per admin and project and window.
		admin := page.SignedInUser(r.Context())
		s.frame.AuditRepeated(r, store.AuditEntry{User: admin, Action: "member.add.refused", Target: user,
			Detail: "in project " + project + ": no such user (later names within 15 minutes are counted here)"},
			project+"\x00"+admin, refusedAddWindow)
		return s.renderMembers(w, r, http.StatusUnprocessableEntity, noMemberAdded, f)
	}
	if err != nil {
		return err
	}
	s.frame.Audit(r, action, project, user, string(role))
	page.Redirect(w, r, paths.Members(project))
	return nil
}

// noMemberAdded answers an add of a name that is not a user's (or cannot be one).
const noMemberAdded = "No member was added. Check the user name: only users a global admin created can be added."

// refusedAddWindow is how long refused adds of one admin in one project share an audit row.
const refusedAddWindow = 15 * time.Minute

// removeMember answers POST /projects/{project}/members/{user}/remove.
func (s *Handlers) removeMember(w http.ResponseWriter, r *http.Request) error {
	project, user := r.PathValue("project"), r.PathValue("user")
	msg, err := s.lastAdminProblem(r, project, user)
	if err != nil {
		return err
	}
	if msg != "" {
		return s.renderMembers(w, r, http.StatusUnprocessableEntity, msg, memberFormProps{Role: string(auth.Viewer)})
	}
	if err := s.store.RemoveMember(r.Context(), project, user); err != nil {
		return err
	}
	s.frame.Audit(r, "member.remove", project, user, "")
	page.Redirect(w, r, paths.Members(project))
	return nil
}

// lastAdminProblem refuses to take the admin role from the project's only admin member:
// the project would be left to global admins alone.
func (s *Handlers) lastAdminProblem(r *http.Request, project, user string) (string, error) {
	ms, err := s.store.Members(r.Context(), project)
	if err != nil {
		return "", err
	}
	admins, isAdmin := 0, false
	for _, m := range ms {
		if m.Role == string(auth.Admin) {
			admins++
			isAdmin = isAdmin || m.User == user
		}
	}
	if isAdmin && admins == 1 {
		return fmt.Sprintf("%s is the project's only admin. Make another member admin first.", user), nil
	}
	return "", nil
}
