package page

import "github.com/cloudoven/cloudoven/web/paths"

// htmxConfig configures htmx 2 through the layout's meta tag. Indicator styles are off because
// htmx would inject them as an inline <style>, which the Content-Security-Policy refuses. 409,
// 413 and 422 answers are swapped like successes: they carry the re-rendered form with the
// problem next to the field, while other errors leave the page alone (app.js says what
// happened).
const htmxConfig = `{"includeIndicatorStyles":false,"responseHandling":[` +
	`{"code":"204","swap":false},{"code":"[23]..","swap":true},` +
	`{"code":"409","swap":true},{"code":"413","swap":true},{"code":"422","swap":true},` +
	`{"code":"[45]..","swap":false,"error":true}]}`

// Layout is what the shared layout needs on every page; Frame.Layout fills it.
type Layout struct {
	Title  string
	Nav    string  // NavProjects, NavCatalog or "" for none
	Crumbs []Crumb // the breadcrumb trail above the page's title; none for top-level pages
	// FootLink, when set, is a link at the foot of the page (the catalog's crawl status).
	FootLink     Crumb
	StyleURL     string
	HTMXURL      string
	AppScriptURL string
	IconURL      string
}

// Crumb is one link of a breadcrumb trail. TestID, when set, marks the link for tests.
type Crumb struct {
	Label  string
	URL    string
	TestID string
}

// ProjectsCrumb links to the project list.
func ProjectsCrumb() Crumb { return Crumb{Label: "Projects", URL: paths.Projects()} }

// ProjectCrumb links to a project's page.
func ProjectCrumb(project string) Crumb {
	return Crumb{Label: project, URL: paths.Project(project), TestID: "breadcrumb-project"}
}

// CatalogCrumb links to the catalog.
func CatalogCrumb() Crumb { return Crumb{Label: "Catalog", URL: paths.Catalog("")} }

// InProject is the trail of a page inside a project: Projects / project / more...
func InProject(project string, more ...Crumb) []Crumb {
	return append([]Crumb{ProjectsCrumb(), ProjectCrumb(project)}, more...)
}

// ErrorProps is the 403, 404, 413, 422 and 500 page.
type ErrorProps struct {
	Layout    Layout
	Status    int
	Title     string
	Message   string
	Reference string // matches the log line of a 500
}
