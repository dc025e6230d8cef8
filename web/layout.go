package web

// htmxConfig configures htmx 2 through the layout's meta tag. Indicator styles are off because
// htmx would inject them as an inline <style>, which the Content-Security-Policy refuses. 413
// and 422 answers are swapped like successes: they carry the re-rendered form with the
// problem next to the field, while other errors leave the page alone (app.js says what
// happened).
const htmxConfig = `{"includeIndicatorStyles":false,"responseHandling":[` +
	`{"code":"204","swap":false},{"code":"[23]..","swap":true},` +
	`{"code":"409","swap":true},{"code":"413","swap":true},{"code":"422","swap":true},` +
	`{"code":"[45]..","swap":false,"error":true}]}`

// Navigation sections the layout highlights.
const (
	navProjects = "projects"
	navCatalog  = "catalog"
)

// layoutProps is what the shared layout needs on every page.
type layoutProps struct {
	Title        string
	Nav          string // navProjects, navCatalog or "" for none
	StyleURL     string
	HTMXURL      string
	AppScriptURL string
	IconURL      string
}

func (s *server) layout(title, nav string) layoutProps {
	return layoutProps{
		Title:        title,
		Nav:          nav,
		StyleURL:     s.assets.url("app.css"),
		HTMXURL:      s.assets.url(htmxFile),
		AppScriptURL: s.assets.url("app.js"),
		IconURL:      s.assets.url("favicon.svg"),
	}
}

// errorProps is the 403, 404 and 500 page.
type errorProps struct {
	Layout    layoutProps
	Status    int
	Title     string
	Message   string
	Reference string // matches the log line of a 500
}
