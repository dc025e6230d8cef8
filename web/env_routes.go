package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/cloudoven/cloudoven/auth"
)

// environmentRoutes adds the pages of a project's environments and deployments. Each section
// of an environment's page posts to its own URL, so saving one never touches another.
func (s *server) environmentRoutes(mux *http.ServeMux) {
	// Reading needs viewer. Environments hold credentials and deployments are what runs, so
	// changing either needs operator: an editor composes blueprints but cannot point them at
	// a subscription.
	view := func(h handlerFunc) http.Handler { return s.can(auth.Viewer, s.handle(h)) }
	operate := func(action string, h handlerFunc) http.Handler {
		return s.can(auth.Operator, s.audited(action, s.handle(h)))
	}
	mux.Handle("GET /projects/{project}/environments", view(s.listEnvironments))
	mux.Handle("POST /projects/{project}/environments", operate("environment.create", s.createEnvironment))
	mux.Handle("GET /projects/{project}/environments/{environment}", view(s.showEnvironment))
	mux.Handle("POST /projects/{project}/environments/{environment}/variables", operate("environment.variables", s.saveEnvVariables))
	mux.Handle("POST /projects/{project}/environments/{environment}/backend", operate("environment.backend", s.saveEnvBackend))
	mux.Handle("POST /projects/{project}/environments/{environment}/runner", operate("environment.runner", s.saveEnvRunner))
	mux.Handle("POST /projects/{project}/environments/{environment}/secrets", operate("secret.set", s.setEnvSecret))
	mux.Handle("POST /projects/{project}/environments/{environment}/secrets/{name}/delete", operate("secret.delete", s.deleteEnvSecret))

	mux.Handle("GET /projects/{project}/deployments", view(s.listDeployments))
	mux.Handle("POST /projects/{project}/deployments", operate("deployment.create", s.createDeployment))
	mux.Handle("GET /projects/{project}/deployments/{id}", view(s.showDeployment))
	mux.Handle("GET /projects/{project}/deployments/{id}/terraform.zip", view(s.downloadDeploymentZip))
	mux.Handle("POST /projects/{project}/deployments/{id}/promote", operate("deployment.promote", s.promoteDeployment))

	mux.Handle("GET /projects/{project}/rules", view(s.showRules))
	mux.Handle("POST /projects/{project}/rules", s.can(auth.Admin, s.audited("rules.save", s.handle(s.saveRules))))
}

// The URLs of these pages, kept beside their routes (paths.go holds the others).

func environmentsPath(project string) string { return projectPath(project) + "/environments" }

func environmentPath(project, environment string) string {
	return environmentsPath(project) + "/" + url.PathEscape(environment)
}

// environmentBlueprintPath shows an environment's variables as a blueprint version declares
// them; version 0 means the latest.
func environmentBlueprintPath(project, environment, blueprint string, version int) string {
	q := url.Values{"blueprint": {blueprint}}
	if version > 0 {
		q.Set("version", strconv.Itoa(version))
	}
	return environmentPath(project, environment) + "?" + q.Encode()
}

func envVariablesPath(project, environment string) string {
	return environmentPath(project, environment) + "/variables"
}

func envBackendPath(project, environment string) string {
	return environmentPath(project, environment) + "/backend"
}

func envRunnerPath(project, environment string) string {
	return environmentPath(project, environment) + "/runner"
}

func envSecretsPath(project, environment string) string {
	return environmentPath(project, environment) + "/secrets"
}

func envSecretDeletePath(project, environment, name string) string {
	return envSecretsPath(project, environment) + "/" + url.PathEscape(name) + "/delete"
}

func deploymentsPath(project string) string { return projectPath(project) + "/deployments" }

func deploymentPath(project string, id int64) string {
	return deploymentsPath(project) + "/" + strconv.FormatInt(id, 10)
}

func deploymentZipPath(project string, id int64) string {
	return deploymentPath(project, id) + "/terraform.zip"
}

func deploymentPromotePath(project string, id int64) string {
	return deploymentPath(project, id) + "/promote"
}

// deploymentPreviewPath shows the deployment with the diff of a promotion to version.
func deploymentPreviewPath(project string, id int64, version int) string {
	return deploymentPath(project, id) + "?" + url.Values{"to": {strconv.Itoa(version)}}.Encode()
}
