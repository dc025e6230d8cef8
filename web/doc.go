// Package web is CloudOven's browser interface. It only composes: New builds the page frame
// (package page), hands each feature package its narrow dependencies and lets it register
// its routes, and wraps them in the middleware every request passes (recovery, gzip,
// security headers, Go's cross-origin protection, the session check of package account).
// It also serves the embedded static files under content-hashed URLs, and NewHTTPServer
// builds the http.Server cloudoven serve runs it in, with the timeouts that keep a slow
// client from holding a connection (server.go). /healthz says the process answers;
// /readyz that it can serve: the store answers, the catalog is loaded and it is not
// shutting down (readiness.go).
//
// The features, one package each, with handlers, templ files and tests side by side:
//
//	account       sign-in and sessions, the account page, users, the audit log
//	projects      the project list and a project's members
//	blueprints    a project's page, import, a blueprint's versions, diff, graph, downloads
//	editor        the blueprint editor: forms from schemas, live preview, drafts
//	catalogview   catalog search, type pages, crawl status
//	guardrails    a project's guardrail rules page
//	environments  environments: variables, backend, runner settings, secrets
//	deployments   deployments: their files and checks, promotion, Plan and Destroy
//	runview       a run's page, its live log, approve, discard, cancel
//	providersview the provider cache's packages, which deployments use each, remove, prune
//
// Shared by the features: page (the frame: layout, breadcrumbs, render and errors, identity,
// route access, forms, markdown), paths (every URL), components (widgets), form (the
// editor's forms and their posted protocol). A feature package never imports another; a
// test keeps it so (internal/layering).
//
// It is not the domain: handlers decode a request, call the domain packages (blueprint,
// deployment, runs, policy, catalog, store), build a view model and render it; .templ files
// hold no logic beyond loops and conditionals over view models.
//
// htmx 2 is configured by a meta tag in the layout: indicator styles are off (the
// Content-Security-Policy allows no inline styles) and 409, 413 and 422 responses are
// swapped, so a refused form comes back as its own re-rendered fragment with the problems
// next to the fields.
//
// Start reading at New (web.go) and routes.go.
package web
