package web

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"

	"github.com/cloudoven/cloudoven/auth"
)

// routes is the route table: every URL CloudOven answers, with its method.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()

	// Open to signed-out visitors (authenticate lets only these through without a session).
	mux.HandleFunc("GET /healthz", s.health)
	mux.HandleFunc("GET /static/{hash}/{path...}", s.assets.serve)
	mux.Handle("GET /signin", s.handle(s.showSignIn))
	mux.Handle("POST /signin", s.handle(s.signIn))

	// Any signed-in user.
	mux.HandleFunc("GET /{$}", s.home)
	mux.Handle("POST /signout", s.handle(s.signOut))
	mux.Handle("GET /account", s.handle(s.showAccount))
	mux.Handle("POST /account/password", s.handle(s.changePassword))
	mux.Handle("GET /projects", s.handle(s.listProjects))   // only the user's projects
	mux.Handle("POST /projects", s.handle(s.createProject)) // the creator becomes its admin

	// A project's pages, by the role they need in it (can: 404 for non-members, 403 for
	// too low a role). Any {project} route not wrapped here still needs viewer to read and
	// editor to change (see handle).
	mux.Handle("GET /projects/{project}", s.can(auth.Viewer, s.handle(s.showProject)))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}", s.can(auth.Viewer, s.handle(s.showBlueprint)))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/graph.svg", s.can(auth.Viewer, s.handle(s.showGraph)))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/terraform.zip", s.can(auth.Viewer, s.handle(s.downloadZip)))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/blueprint.json", s.can(auth.Viewer, s.handle(s.downloadDocument)))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/diff", s.can(auth.Viewer, s.handle(s.showDiff)))

	mux.Handle("POST /projects/{project}/blueprints", s.can(auth.Editor, s.handle(s.importBlueprint)))
	mux.Handle("POST /projects/{project}/new-blueprint", s.can(auth.Editor, s.audited("blueprint.create", s.handle(s.newBlueprint))))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/edit", s.can(auth.Editor, s.handle(s.showEditor)))
	mux.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/item", s.can(auth.Editor, s.handle(s.editItem)))
	mux.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/add", s.can(auth.Editor, s.handle(s.addToDraft)))
	mux.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/save", s.can(auth.Editor, s.audited("blueprint.save", s.handle(s.saveVersion))))
	mux.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/discard", s.can(auth.Editor, s.audited("blueprint.discard", s.handle(s.discardDraft))))
	mux.Handle("GET /projects/{project}/blueprints/{blueprint}/edit/terraform.zip", s.can(auth.Editor, s.handle(s.downloadDraftZip)))
	s.environmentRoutes(mux)
	s.runRoutes(mux)

	mux.Handle("GET /projects/{project}/members", s.can(auth.Admin, s.handle(s.showMembers)))
	mux.Handle("POST /projects/{project}/members", s.can(auth.Admin, s.handle(s.addMember)))
	mux.Handle("POST /projects/{project}/members/{user}", s.can(auth.Admin, s.handle(s.changeMember)))
	mux.Handle("POST /projects/{project}/members/{user}/remove", s.can(auth.Admin, s.handle(s.removeMember)))
	mux.Handle("GET /projects/{project}/audit", s.can(auth.Admin, s.handle(s.showAudit)))

	// Global admins.
	mux.Handle("GET /admin/users", s.globalAdmin(s.handle(s.showUsers)))
	mux.Handle("POST /admin/users", s.globalAdmin(s.handle(s.createUser)))
	mux.Handle("GET /admin/audit", s.globalAdmin(s.handle(s.showAudit)))

	// The catalog: any signed-in user; starting a crawl: global admins.
	catalog := s.handle(s.searchCatalog)
	if s.crawls != nil {
		// Without a crawl service there is no status page, and the catalog does not link to one.
		catalog = linkCrawls(catalog)
		mux.Handle("GET /catalog/crawls", s.handle(s.showCrawls))
		mux.Handle("POST /catalog/crawls", s.globalAdmin(s.handle(s.startCrawl)))
	}
	mux.Handle("GET /catalog", catalog)
	mux.Handle("GET /catalog/types/{kind}/{name}", s.handle(s.showType))

	// Anything else gets the 404 page rather than the mux's plain-text one.
	mux.Handle("/", s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return s.recoverPanics(compress(securityHeaders(cop.Handler(s.authenticate(mux)))))
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
