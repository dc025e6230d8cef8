package web

import "github.com/cloudoven/cloudoven/web/page"

// environmentRoutes adds the pages of a project's environments and deployments. Each section
// of an environment's page posts to its own URL, so saving one never touches another.
//
// Reading needs viewer. Environments hold credentials and deployments are what runs, so
// changing either needs operator: an editor composes blueprints but cannot point them at a
// subscription.
func (s *server) environmentRoutes(rt page.Router) {
	rt.Handle("GET /projects/{project}/environments", page.Viewer, s.listEnvironments)
	rt.Handle("POST /projects/{project}/environments", page.Operator.Audited("environment.create"), s.createEnvironment)
	rt.Handle("GET /projects/{project}/environments/{environment}", page.Viewer, s.showEnvironment)
	rt.Handle("POST /projects/{project}/environments/{environment}/variables", page.Operator.Audited("environment.variables"), s.saveEnvVariables)
	rt.Handle("POST /projects/{project}/environments/{environment}/backend", page.Operator.Audited("environment.backend"), s.saveEnvBackend)
	rt.Handle("POST /projects/{project}/environments/{environment}/runner", page.Operator.Audited("environment.runner"), s.saveEnvRunner)
	rt.Handle("POST /projects/{project}/environments/{environment}/secrets", page.Operator.Audited("secret.set"), s.setEnvSecret)
	rt.Handle("POST /projects/{project}/environments/{environment}/secrets/{name}/delete", page.Operator.Audited("secret.delete"), s.deleteEnvSecret)

	rt.Handle("GET /projects/{project}/deployments", page.Viewer, s.listDeployments)
	rt.Handle("POST /projects/{project}/deployments", page.Operator.Audited("deployment.create"), s.createDeployment)
	rt.Handle("GET /projects/{project}/deployments/{id}", page.Viewer, s.showDeployment)
	rt.Handle("GET /projects/{project}/deployments/{id}/terraform.zip", page.Viewer, s.downloadDeploymentZip)
	rt.Handle("POST /projects/{project}/deployments/{id}/promote", page.Operator.Audited("deployment.promote"), s.promoteDeployment)
}
