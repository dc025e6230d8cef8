package web

import (
	"net/url"
	"strconv"
)

// Every URL the handlers redirect to and the templates link to is built here, so a route
// changes in routes.go and this file only. Path segments are escaped even though store names
// are URL-safe, because a 404 page may echo back whatever was asked for.

func healthPath() string { return "/healthz" }

func projectsPath() string { return "/projects" }

func projectPath(project string) string { return "/projects/" + url.PathEscape(project) }

// blueprintsPath is where the import form posts.
func blueprintsPath(project string) string { return projectPath(project) + "/blueprints" }

func blueprintPath(project, blueprint string) string {
	return blueprintsPath(project) + "/" + url.PathEscape(blueprint)
}

// blueprintVersionPath shows one version of a blueprint on the blueprint page.
func blueprintVersionPath(project, blueprint string, version int) string {
	return blueprintPath(project, blueprint) + "?version=" + strconv.Itoa(version)
}

func versionPath(project, blueprint string, version int) string {
	return blueprintPath(project, blueprint) + "/versions/" + strconv.Itoa(version)
}

func zipPath(project, blueprint string, version int) string {
	return versionPath(project, blueprint, version) + "/terraform.zip"
}

func documentPath(project, blueprint string, version int) string {
	return versionPath(project, blueprint, version) + "/blueprint.json"
}

// catalogPath is the catalog search page; an empty query shows the catalog's providers.
func catalogPath(query string) string {
	if query == "" {
		return "/catalog"
	}
	return "/catalog?" + url.Values{"q": {query}}.Encode()
}

// crawlsPath is the crawl status page; "crawl now" posts to it.
func crawlsPath() string { return "/catalog/crawls" }

// staticPath is a static file's URL: hash changes whenever the file does, so the URL can be
// cached for a year.
func staticPath(hash, name string) string { return "/static/" + hash + "/" + name }

// diffPath compares two versions of a blueprint; without from and to, latest-1 and latest.
func diffPath(project, blueprint string) string { return blueprintPath(project, blueprint) + "/diff" }

func diffVersionsPath(project, blueprint string, from, to int) string {
	return diffPath(project, blueprint) + "?" + url.Values{"from": {strconv.Itoa(from)}, "to": {strconv.Itoa(to)}}.Encode()
}

// catalogTypePath is the page of one resource or data source type; kind is resource or data.
func catalogTypePath(kind, name string) string {
	return "/catalog/types/" + url.PathEscape(kind) + "/" + url.PathEscape(name)
}

// graphPath is a version's dependency graph, an SVG image.
func graphPath(project, blueprint string, version int) string {
	return versionPath(project, blueprint, version) + "/graph.svg"
}

// editPath is a blueprint's editor; it edits the blueprint's draft.
func editPath(project, blueprint string) string { return blueprintPath(project, blueprint) + "/edit" }

// editItemPath opens the editor on one item: a resource or data source address
// (azurerm_resource_group.main, data.azurerm_client_config.current), or one of the sections
// "providers", "variables", "locals", "outputs".
func editItemPath(project, blueprint, item string) string {
	return editPath(project, blueprint) + "?" + url.Values{"item": {item}}.Encode()
}

// editAddPath is where "Add" posts a type (fields type and kind) to the draft.
func editAddPath(project, blueprint string) string { return editPath(project, blueprint) + "/add" }

// newBlueprintPath is where "New blueprint" posts a name.
func newBlueprintPath(project string) string { return projectPath(project) + "/new-blueprint" }
