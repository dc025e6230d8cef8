package web

import "net/url"

// signinPath is the sign-in page; next, a local path, is where a successful sign-in goes.
func signinPath(next string) string {
	if next == "" {
		return "/signin"
	}
	return "/signin?" + url.Values{"next": {next}}.Encode()
}

func signoutPath() string { return "/signout" }

func accountPath() string { return "/account" }

func accountPasswordPath() string { return "/account/password" }

func adminUsersPath() string { return "/admin/users" }

func adminAuditPath() string { return "/admin/audit" }

func membersPath(project string) string { return projectPath(project) + "/members" }

func memberPath(project, user string) string {
	return membersPath(project) + "/" + url.PathEscape(user)
}

func memberRemovePath(project, user string) string { return memberPath(project, user) + "/remove" }

func projectAuditPath(project string) string { return projectPath(project) + "/audit" }
