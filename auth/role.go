package auth

import "fmt"

// Role is what a user may do in one project. Roles are ordered: each one may do everything
// the roles below it may.
type Role string

// The roles, lowest first.
const (
	// Viewer reads a project's pages, blueprints and generated Terraform.
	Viewer Role = "viewer"
	// Editor also creates, imports and edits blueprints.
	Editor Role = "editor"
	// Operator also plans and applies deployments.
	Operator Role = "operator"
	// Admin also manages the project's members and reads its audit log.
	Admin Role = "admin"
)

// Roles lists every role, lowest first.
var Roles = []Role{Viewer, Editor, Operator, Admin}

// rank orders the roles; an unknown role ranks below Viewer and so allows nothing.
func (r Role) rank() int {
	for i, known := range Roles {
		if r == known {
			return i + 1
		}
	}
	return 0
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// Allows reports whether a member with role r may do what needs role need.
func (r Role) Allows(need Role) bool {
	return r.Valid() && need.Valid() && r.rank() >= need.rank()
}

// ParseRole reads a role name as Roles spells it.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("role %q is not one of viewer, editor, operator, admin", s)
	}
	return r, nil
}
