package web

import (
	"net/http"

	"github.com/cloudoven/cloudoven/auth"
)

// runRoutes are the run pages: starting a plan or a destroy from a deployment, a run's page
// and its live log, and the actions that move a run on. The run is {id}, so the audit log
// names it.
func (s *server) runRoutes(mux *http.ServeMux) {
	mux.Handle("POST /projects/{project}/deployments/{id}/runs", s.can(auth.Operator, s.audited("run.create", s.handle(s.createRun))))
	mux.Handle("GET /projects/{project}/runs/{id}", s.can(auth.Viewer, s.handle(s.showRun)))
	mux.Handle("GET /projects/{project}/runs/{id}/log", s.can(auth.Viewer, s.handle(s.streamRunLog)))
	mux.Handle("POST /projects/{project}/runs/{id}/approve", s.can(auth.Operator, s.audited("run.approve", s.handle(s.approveRun))))
	mux.Handle("POST /projects/{project}/runs/{id}/discard", s.can(auth.Operator, s.audited("run.discard", s.handle(s.discardRun))))
	mux.Handle("POST /projects/{project}/runs/{id}/cancel", s.can(auth.Operator, s.audited("run.cancel", s.handle(s.cancelRun))))
}
