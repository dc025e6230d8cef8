package registrytest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Namespace is the only provider namespace the server knows.
const Namespace = "hashicorp"

// DocsPath is the path of the doc list; one document is DocsPath + "/" + id.
const DocsPath = "/v2/provider-docs"

// MaxPageSize is the largest page[size] the doc list accepts.
const MaxPageSize = 100

// VersionsPath is the path of a provider's version list (v1).
func VersionsPath(name string) string { return "/v1/providers/" + Namespace + "/" + name + "/versions" }

// ProviderPath is the path of a provider and its version ids (v2).
func ProviderPath(name string) string { return "/v2/providers/" + Namespace + "/" + name }

// Doc is one document as the server lists it.
type Doc struct {
	ID, Category, Slug, Subcategory, Title, Path string
}

// Server is a local registry over real docs. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server
	mux *http.ServeMux

	mu        sync.Mutex
	providers map[string]*provider // by name
	versions  map[string]*version  // by provider-version id
	docs      map[string]*doc      // by doc id
	usedIDs   map[string]bool      // provider and provider-version ids handed out
	faults    map[string]*fault    // by path or path prefix ending in *
	requests  map[string]int       // by URL path
	history   []string             // request URIs in arrival order
	onRequest func(*http.Request)
}

type provider struct {
	name     string
	id       string
	versions []*version // in the order the registry lists them
}

type version struct {
	provider *provider
	version  string
	id       string
	docs     []*doc // only the version given to NewServer has documents
}

type doc struct {
	Doc
	content string
}

// NewServer starts a registry that serves, for each name → version in providers, the docs
// in dataDir/<name>/docs as that version of hashicorp/<name>. Ids are numeric and stable:
// they depend only on the provider's name and version and the page's place in its docs.
// The server closes when the test ends.
func NewServer(t testing.TB, dataDir string, providers map[string]string) *Server {
	t.Helper()
	s := &Server{
		providers: map[string]*provider{},
		versions:  map[string]*version{},
		docs:      map[string]*doc{},
		usedIDs:   map[string]bool{},
		faults:    map[string]*fault{},
		requests:  map[string]int{},
	}
	names := make([]string, 0, len(providers))
	for name := range providers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		files, err := loadDocs(filepath.Join(dataDir, name, "docs"))
		if err != nil {
			t.Fatalf("registrytest: provider %s: %v", name, err)
		}
		if len(files) >= 100000 {
			t.Fatalf("registrytest: provider %s has %d pages, more than ids have room for", name, len(files))
		}
		p := &provider{name: name, id: s.newID(Namespace+"/"+name, 100000, 900000)}
		s.providers[name] = p
		v := s.addVersion(p, providers[name])
		for i, f := range files {
			d := &doc{Doc: Doc{
				ID:       p.id + fmt.Sprintf("%05d", i+1),
				Category: f.category, Slug: f.slug, Subcategory: f.subcategory, Title: f.slug, Path: f.path,
			}, content: f.content}
			v.docs = append(v.docs, d)
			s.docs[d.ID] = d
		}
	}

	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /v1/providers/{namespace}/{name}/versions", s.serveVersions)
	s.mux.HandleFunc("GET /v2/providers/{namespace}/{name}", s.serveProvider)
	s.mux.HandleFunc("GET "+DocsPath, s.serveDocList)
	s.mux.HandleFunc("GET "+DocsPath+"/{id}", s.serveDoc)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	})
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.srv.Close)
	return s
}

// newID returns a decimal id in [base, base+span) derived from key, stepping past ids
// already handed out so two keys never share one.
func (s *Server) newID(key string, base, span uint32) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	n := h.Sum32() % span
	for {
		id := strconv.FormatUint(uint64(base+n), 10)
		if !s.usedIDs[id] {
			s.usedIDs[id] = true
			return id
		}
		n = (n + 1) % span
	}
}

func (s *Server) addVersion(p *provider, v string) *version {
	pv := &version{provider: p, version: v, id: s.newID(Namespace+"/"+p.name+"@"+v, 1000000, 9000000)}
	p.versions = append(p.versions, pv)
	s.versions[pv.id] = pv
	return pv
}

// URL is the server's base URL, for crawler.RegistryOptions.BaseURL.
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the server down; it also happens when the test ends.
func (s *Server) Close() { s.srv.Close() }

// AddVersions lists more versions of a provider (prereleases, older releases). They have
// version ids but no documents.
func (s *Server) AddVersions(name string, versions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.providers[name]
	if p == nil {
		panic("registrytest: AddVersions of unknown provider " + name)
	}
	for _, v := range versions {
		s.addVersion(p, v)
	}
}

// VersionID is the provider-version id of a provider version, "" when unknown.
func (s *Server) VersionID(name, v string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.providers[name]; p != nil {
		for _, pv := range p.versions {
			if pv.version == v {
				return pv.id
			}
		}
	}
	return ""
}

// Docs lists a provider's documents in one category ("" for all), in list order.
func (s *Server) Docs(name, category string) []Doc {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Doc
	if p := s.providers[name]; p != nil {
		for _, d := range p.versions[0].docs {
			if category == "" || d.Category == category {
				out = append(out, d.Doc)
			}
		}
	}
	return out
}

// DocPath is the path of one document (DocsPath/<id>), "" when there is no such page.
func (s *Server) DocPath(name, category, slug string) string {
	for _, d := range s.Docs(name, category) {
		if d.Slug == slug {
			return DocsPath + "/" + d.ID
		}
	}
	return ""
}

// Content is a document's markdown as served, "" when there is no such id.
func (s *Server) Content(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.docs[id]; d != nil {
		return d.content
	}
	return ""
}

func (s *Server) lookupProvider(w http.ResponseWriter, r *http.Request) *provider {
	s.mu.Lock()
	p := s.providers[r.PathValue("name")]
	s.mu.Unlock()
	if r.PathValue("namespace") != Namespace || p == nil {
		writeError(w, http.StatusNotFound, "no provider "+r.PathValue("namespace")+"/"+r.PathValue("name"))
		return nil
	}
	return p
}

func (s *Server) serveVersions(w http.ResponseWriter, r *http.Request) {
	p := s.lookupProvider(w, r)
	if p == nil {
		return
	}
	type platform struct {
		OS   string `json:"os"`
		Arch string `json:"arch"`
	}
	type entry struct {
		Version   string     `json:"version"`
		Protocols []string   `json:"protocols"`
		Platforms []platform `json:"platforms"`
	}
	var out struct {
		Versions []entry `json:"versions"`
	}
	s.mu.Lock()
	for _, v := range p.versions {
		out.Versions = append(out.Versions, entry{Version: v.version, Protocols: []string{"5.0"}, Platforms: []platform{
			{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "arm64"}, {"windows", "amd64"},
		}})
	}
	s.mu.Unlock()
	writeJSON(w, "application/json", out)
}

type resource struct {
	ID         string            `json:"id"`
	Type       string            `json:"type"`
	Attributes map[string]any    `json:"attributes"`
	Links      map[string]string `json:"links,omitempty"`
}

func (s *Server) serveProvider(w http.ResponseWriter, r *http.Request) {
	p := s.lookupProvider(w, r)
	if p == nil {
		return
	}
	out := struct {
		Data     resource   `json:"data"`
		Included []resource `json:"included,omitempty"`
	}{Data: resource{ID: p.id, Type: "providers", Attributes: map[string]any{
		"namespace": Namespace, "name": p.name, "full-name": Namespace + "/" + p.name, "tier": "official",
	}}}
	if slices.Contains(strings.Split(r.URL.Query().Get("include"), ","), "provider-versions") {
		s.mu.Lock()
		for _, v := range p.versions {
			out.Included = append(out.Included, resource{ID: v.id, Type: "provider-versions", Attributes: map[string]any{"version": v.version}})
		}
		s.mu.Unlock()
	}
	writeJSON(w, "application/vnd.api+json", out)
}

func (s *Server) serveDocList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	vid := q.Get("filter[provider-version]")
	if vid == "" {
		writeError(w, http.StatusBadRequest, "filter[provider-version] is required")
		return
	}
	category := q.Get("filter[category]")
	if category != "" && !slices.Contains(Categories, category) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown category %q: want one of %s", category, strings.Join(Categories, ", ")))
		return
	}
	size, number := MaxPageSize, 1
	var err error
	if v := q.Get("page[size]"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > MaxPageSize {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("page[size] must be 1 to %d", MaxPageSize))
			return
		}
	}
	if v := q.Get("page[number]"); v != "" {
		if number, err = strconv.Atoi(v); err != nil || number < 1 {
			writeError(w, http.StatusBadRequest, "page[number] must be 1 or more")
			return
		}
	}
	language, slug := q.Get("filter[language]"), q.Get("filter[slug]")

	var match []*doc
	s.mu.Lock()
	if v := s.versions[vid]; v != nil && (language == "" || language == "hcl") {
		for _, d := range v.docs {
			if (category == "" || d.Category == category) && (slug == "" || d.Slug == slug) {
				match = append(match, d)
			}
		}
	}
	s.mu.Unlock()
	start := min((number-1)*size, len(match))
	end := min(start+size, len(match))
	out := struct {
		Data []resource `json:"data"`
	}{Data: []resource{}}
	for _, d := range match[start:end] {
		out.Data = append(out.Data, d.resource(false))
	}
	writeJSON(w, "application/vnd.api+json", out)
}

func (s *Server) serveDoc(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.docs[r.PathValue("id")]
	s.mu.Unlock()
	if d == nil {
		writeError(w, http.StatusNotFound, "no provider doc "+r.PathValue("id"))
		return
	}
	writeJSON(w, "application/vnd.api+json", struct {
		Data resource `json:"data"`
	}{d.resource(true)})
}

func (d *doc) resource(content bool) resource {
	attrs := map[string]any{
		"category": d.Category, "language": "hcl", "path": d.Path, "slug": d.Slug,
		"subcategory": nil, "title": d.Title, "truncated": false,
	}
	if d.Subcategory != "" {
		attrs["subcategory"] = d.Subcategory
	}
	if content {
		attrs["content"] = d.content
	}
	return resource{ID: d.ID, Type: "provider-docs", Attributes: attrs, Links: map[string]string{"self": DocsPath + "/" + d.ID}}
}

func writeJSON(w http.ResponseWriter, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// writeError answers in the JSON:API error shape.
func writeError(w http.ResponseWriter, status int, detail string) {
	b, _ := json.Marshal(map[string]any{"errors": []map[string]string{{
		"status": strconv.Itoa(status), "title": http.StatusText(status), "detail": detail,
	}}})
	w.Header().Set("Content-Type", "application/vnd.api+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
