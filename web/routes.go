package web

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"

	"github.com/cloudoven/cloudoven/web/blueprints"
	"github.com/cloudoven/cloudoven/web/catalogview"
	"github.com/cloudoven/cloudoven/web/deployments"
	"github.com/cloudoven/cloudoven/web/editor"
	"github.com/cloudoven/cloudoven/web/environments"
	"github.com/cloudoven/cloudoven/web/guardrails"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/projects"
	"github.com/cloudoven/cloudoven/web/providersview"
	"github.com/cloudoven/cloudoven/web/runview"
)

// routes is the route table: every URL CloudOven answers, with its method and who may use it
// (page.Access; a project's routes need a role in it: 404 for non-members, 403 for too low a
// role).
func (s *server) routes() http.Handler {
	mux := s.mux()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	return s.recoverPanics(compress(securityHeaders(cop.Handler(s.account.Authenticate(mux)))))
}

// mux registers every feature's routes and the few of the interface itself.
func (s *server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	rt := s.frame.Router(mux)

	// Open to signed-out visitors (authenticate lets only these through without a session).
	rt.HandleHTTP("GET /healthz", page.Public, http.HandlerFunc(s.health))
	rt.HandleHTTP("GET /readyz", page.Public, http.HandlerFunc(s.ready))
	rt.HandleHTTP("GET /static/{hash}/{path...}", page.Public, http.HandlerFunc(s.assets.serve))
	s.account.Routes(rt)
	projects.New(s.frame, s.store).Routes(rt)
	catalogview.New(s.frame, s.catalog, s.crawls).Routes(rt)
	resolver := s.deployments()
	blueprints.New(s.frame, s.store, s.catalog, resolver).Routes(rt)
	editor.New(s.frame, s.store, s.catalog, resolver).WithProviderCheck(s.checker).Routes(rt)
	guardrails.New(s.frame, s.store, s.catalog).Routes(rt)
	environments.New(s.frame, s.store, s.secrets).WithStateURL(s.stateURL).Routes(rt)
	// Runs are optional: without them the pages show stored runs and say why nothing starts.
	// The interfaces get an untyped nil then, never a nil pointer.
	var planner deployments.Runs
	var runService runview.RunService
	var runLogs runview.RunLogs
	if s.runs != nil {
		planner, runService, runLogs = s.runs, s.runs, s.runLogs
	}
	deployments.New(s.frame, s.store, resolver, planner, s.runner).WithUpgrader(s.upgrader).WithStates(s.states).WithSecrets(s.secretValues()).Routes(rt)
	runview.New(s.frame, s.store, runService, runLogs, s.runner).Routes(rt)
	providersview.New(s.frame, s.store, s.cache).Routes(rt)

	// Any signed-in user.
	rt.HandleHTTP("GET /{$}", page.SignedIn, http.HandlerFunc(s.home))

	// Anything else gets the 404 page rather than the mux's plain-text one.
	rt.Handle("/", page.SignedIn, func(w http.ResponseWriter, r *http.Request) error { return page.ErrNotFound })
	return mux
}

// secretValues is the vault's reading of secret values, which the state version pages
// conceal; nil without secrets, or with a store of secrets that does not give values.
func (s *server) secretValues() deployments.SecretValues {
	if v, ok := s.secrets.(deployments.SecretValues); ok {
		return v
	}
	return nil
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
	http.Redirect(w, r, paths.Projects(), http.StatusSeeOther)
}

func (s *server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}
