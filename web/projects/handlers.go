package projects

import (
	"context"
	"log/slog"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// Store is what the project list and the members page keep in the store; *store.Store has
// it.
type Store interface {
	Projects(ctx context.Context) ([]store.Project, error)
	ProjectsOf(ctx context.Context, user string) ([]store.Project, error)
	Project(ctx context.Context, name string) (store.Project, error)
	CreateProjectAs(ctx context.Context, owner, name, description string) (store.Project, error)
	Members(ctx context.Context, project string) ([]store.Member, error)
	MemberRole(ctx context.Context, project, user string) (string, error)
	SetMember(ctx context.Context, project, user, role string) error
	RemoveMember(ctx context.Context, project, user string) error
}

// Handlers answers the project list (with the form that creates a project) and a project's
// members page.
type Handlers struct {
	frame  *page.Frame
	store  Store
	logger *slog.Logger
}

// New returns the project handlers.
func New(frame *page.Frame, st Store) *Handlers {
	return &Handlers{frame: frame, store: st, logger: frame.Logger()}
}

// Routes registers the project list and creation (any signed-in user sees the projects they
// are a member of; whoever creates a project becomes its admin) and the members pages
// (project admins).
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("GET /projects", page.SignedIn, s.listProjects)
	rt.Handle("POST /projects", page.SignedIn, s.createProject)

	rt.Handle("GET /projects/{project}/members", page.Admin, s.showMembers)
	rt.Handle("POST /projects/{project}/members", page.Admin, s.addMember)
	rt.Handle("POST /projects/{project}/members/{user}", page.Admin, s.changeMember)
	rt.Handle("POST /projects/{project}/members/{user}/remove", page.Admin, s.removeMember)
}
