package web

import "github.com/cloudoven/cloudoven/web/page"

// runRoutes are the run pages: starting a plan or a destroy from a deployment, a run's page
// and its live log, and the actions that move a run on. The run is {id}, so the audit log
// names it.
func (s *server) runRoutes(rt page.Router) {
	rt.Handle("POST /projects/{project}/deployments/{id}/runs", page.Operator.Audited("run.create"), s.createRun)
	rt.Handle("GET /projects/{project}/runs/{id}", page.Viewer, s.showRun)
	rt.Handle("GET /projects/{project}/runs/{id}/log", page.Viewer, s.streamRunLog)
	rt.Handle("POST /projects/{project}/runs/{id}/approve", page.Operator.Audited("run.approve"), s.approveRun)
	rt.Handle("POST /projects/{project}/runs/{id}/discard", page.Operator.Audited("run.discard"), s.discardRun)
	rt.Handle("POST /projects/{project}/runs/{id}/cancel", page.Operator.Audited("run.cancel"), s.cancelRun)
}
