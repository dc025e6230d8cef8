// Package web is CloudOven's browser interface: net/http handlers that render templ
// components and answer htmx requests with fragments, plus the embedded static assets.
//
// It is not the domain: projects and blueprint versions are kept by package store, documents
// are parsed, validated and turned into Terraform by package blueprint, and the catalog comes
// from package catalog. Handlers decode the request, call those packages, build a view model
// and render it; .templ files hold no logic beyond loops and conditionals over view models.
//
// Start reading at New (web.go) and the route table in routes.go; paths.go builds every URL
// the handlers and templates use. Each page has a handler file (project.go, blueprint.go,
// catalog.go) and a .templ file of the same name; render.go holds the htmx-aware rendering and
// the error pages, static.go the content-hashed assets, and security.go the headers and
// cross-origin protection. Widgets shared by pages live in web/components.
//
// htmx 2 is configured by a meta tag in the layout: indicator styles are off (the
// Content-Security-Policy allows no inline styles) and 409, 413 and 422 responses are swapped, so a
// refused form comes back as its own re-rendered fragment with the problems next to the fields.
package web
