package web

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// routes is the route table: every URL CloudOven answers, with its method.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /healthz", s.health)
	mux.HandleFunc("GET /static/{hash}/{path...}", s.assets.serve)

	mux.Handle("GET /projects", s.handle(s.listProjects))
	mux.Handle("POST /projects", s.handle(s.createProject))
	mux.Handle("GET /projects/{project}", s.handle(s.showProject))
	mux.Handle("POST /projects/{project}/blueprints", s.handle(s.importBlueprint))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}", s.handle(s.showBlueprint))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/graph.svg", s.handle(s.showGraph))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/terraform.zip", s.handle(s.downloadZip))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/blueprint.json", s.handle(s.downloadDocument))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/diff", s.handle(s.showDiff))
	mux.Handle("POST /projects/{project}/new-blueprint", s.handle(s.newBlueprint))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/edit", s.handle(s.showEditor))
	mux.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/item", s.handle(s.editItem))
	mux.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/add", s.handle(s.addToDraft))
	mux.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/save", s.handle(s.saveVersion))
	mux.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/discard", s.handle(s.discardDraft))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/edit/terraform.zip", s.handle(s.downloadDraftZip))

	catalog := s.handle(s.searchCatalog)
	if s.crawls != nil {
		// Without a crawl service there is no status page, and the catalog does not link to one.
		catalog = linkCrawls(catalog)
		mux.Handle("GET /catalog/crawls", s.handle(s.showCrawls))
		mux.Handle("POST /catalog/crawls", s.handle(s.startCrawl))
	}
	mux.Handle("GET /catalog", catalog)
	mux.Handle("GET /catalog/types/{kind}/{name}", s.handle(s.showType))

	// Anything else gets the 404 page rather than the mux's plain-text one.
	mux.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return s.recoverPanics(compress(securityHeaders(cop.Handler(mux))))
}

// compressedTypes are the answers worth gzipping: pages, fragments, styles, scripts, SVG
// graphs and JSON documents. Zips are compressed already, and an event stream must reach the
// browser line by line.
var compressedTypes = []string{
	"text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
	"image/svg+xml", "application/json",
}

// compress gzips answers of compressedTypes for clients that accept it (an editor page is
// ~145 KB of HTML, ~20 KB gzipped).
func compress(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.ContentTypes(compressedTypes))
	if err != nil {
		panic(err) // only for invalid options, which are constants here
	}
	return wrap(next)
}

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, projectsPath(), http.StatusSeeOther)
}

func (s *server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}
