// Package page is the frame every page of CloudOven's web interface shares: the layout and
// its breadcrumbs, the error pages, htmx-aware rendering, redirects and downloads, the
// signed-in identity of a request, route guards (one way to say who may use a route), the
// CSRF field of forms, the one form-parsing helper with its body limit, the audit log
// (Audit, and AuditRepeated for events that may repeat without bound), markdown, and the
// small wording helpers pages share.
//
// It is not a feature: the feature packages beside it (web/account, web/projects,
// web/blueprints, ...) hold handlers and templates, and package web composes them. page
// imports no feature package; every feature may import it, web/paths and web/components.
//
// Start with Frame (frame.go): features get one from web.New and render through it; Router
// (routes.go) registers their routes with the access each needs.
package page
