package crawler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
	version "github.com/hashicorp/go-version"

	"github.com/cloudoven/cloudoven/catalog"
)

// DefaultRegistryURL is the public Terraform Registry.
const DefaultRegistryURL = "https://registry.terraform.io"

const (
	listLimit = 4 << 20 // bytes in a version list or a page of a doc list
	docLimit  = 8 << 20 // bytes in one document answer
	maxPages  = 1000    // doc-list pages per category: 100,000 documents, far past any provider
	// failureLimit documents failing in a row end a Docs call: the registry is down or
	// refusing us, and going on would cost every remaining document its full retries.
	failureLimit = 20
)

// RegistryOptions configure a Registry. Zero values take the defaults.
type RegistryOptions struct {
	BaseURL string // default https://registry.terraform.io
	// HTTPClient sends the requests (default: a pooled client of its own); its Timeout, if
	// shorter than RequestTimeout, bounds each attempt instead.
	HTTPClient *http.Client
	// UserAgent identifies the crawler; default "CloudOven-crawler/<version> (+https://github.com/cloudoven/cloudoven)".
	UserAgent      string
	Concurrency    int           // documents fetched at once; default 4
	RequestTimeout time.Duration // per attempt; default 30s
	// MaxRetries is how many times a failed request is asked again; default 4, negative
	// for none.
	MaxRetries int
	MinBackoff time.Duration // default 500ms
	MaxBackoff time.Duration // default 30s; also caps a server's Retry-After
	// PageSize is page[size] for doc lists; default and maximum 100.
	PageSize int
	Logger   *slog.Logger
}

// Registry reads provider versions and docs from a Terraform registry's public API
// (../shared/REGISTRY.md). Every answer is treated as untrusted: bodies are capped, must
// be JSON, and every field is optional. It is safe for concurrent use.
type Registry struct {
	baseURL     string
	client      *retryablehttp.Client
	userAgent   string
	concurrency int
	timeout     time.Duration
	maxRetries  int
	minBackoff  time.Duration
	maxBackoff  time.Duration
	pageSize    int
	log         *slog.Logger
}

// NewRegistry returns a registry client with opts' defaults filled in.
func NewRegistry(opts RegistryOptions) *Registry {
	r := &Registry{
		baseURL:     strings.TrimRight(opts.BaseURL, "/"),
		userAgent:   opts.UserAgent,
		concurrency: opts.Concurrency,
		timeout:     opts.RequestTimeout,
		maxRetries:  opts.MaxRetries,
		minBackoff:  opts.MinBackoff,
		maxBackoff:  opts.MaxBackoff,
		pageSize:    opts.PageSize,
		log:         opts.Logger,
	}
	if r.baseURL == "" {
		r.baseURL = DefaultRegistryURL
	}
	if r.userAgent == "" {
		r.userAgent = "CloudOven-crawler/" + moduleVersion() + " (+https://github.com/cloudoven/cloudoven)"
	}
	if r.concurrency <= 0 {
		r.concurrency = 4
	}
	if r.timeout <= 0 {
		r.timeout = 30 * time.Second
	}
	switch {
	case r.maxRetries == 0:
		r.maxRetries = 4
	case r.maxRetries < 0:
		r.maxRetries = 0
	}
	if r.minBackoff <= 0 {
		r.minBackoff = 500 * time.Millisecond
	}
	if r.maxBackoff <= 0 {
		r.maxBackoff = 30 * time.Second
	}
	r.maxBackoff = max(r.maxBackoff, r.minBackoff)
	if r.pageSize <= 0 || r.pageSize > 100 {
		r.pageSize = 100
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	hc := opts.HTTPClient
	if hc == nil {
		// The default transport keeps two idle connections per host; the workers would
		// otherwise open and close connections all crawl long.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = r.concurrency
		hc = &http.Client{Transport: t}
	}
	if hc.Timeout > 0 && hc.Timeout < r.timeout {
		r.timeout = hc.Timeout // the client's own, shorter timeout stays in force
	}
	r.client = r.newRetryClient(hc)
	return r
}

func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// name is what a namespace, provider name, version id or doc id may look like before it
// goes into a URL.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

func checkName(what, s string) error {
	if !validName.MatchString(s) {
		return fmt.Errorf("invalid %s %q", what, s)
	}
	return nil
}

// decode unmarshals a registry answer, saying whether it was cut short or broken.
func decode(path string, body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("decoding %s: the answer is empty", path)
	}
	err := json.Unmarshal(body, v)
	var se *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.Offset >= int64(len(body)):
		return fmt.Errorf("decoding %s: the answer is truncated (%d bytes): %w", path, len(body), err)
	default:
		return fmt.Errorf("decoding %s: malformed JSON: %w", path, err)
	}
}

// Versions lists a provider's versions, ascending by semantic version. Entries that are
// not versions are left out.
func (r *Registry) Versions(ctx context.Context, namespace, name string) ([]string, error) {
	if err := checkName("namespace", namespace); err != nil {
		return nil, err
	}
	if err := checkName("provider name", name); err != nil {
		return nil, err
	}
	path := "/v1/providers/" + namespace + "/" + name + "/versions"
	body, err := r.fetch(ctx, path, listLimit)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Versions []struct {
			Version string `json:"version"`
		} `json:"versions"`
	}
	if err := decode(path, body, &resp); err != nil {
		return nil, err
	}
	type parsed struct {
		s string
		v *version.Version
	}
	var vs []parsed
	seen := map[string]bool{}
	for _, e := range resp.Versions {
		v, err := version.NewVersion(e.Version)
		if err != nil {
			r.log.Debug("registry lists a version that is not one", "provider", namespace+"/"+name, "version", e.Version)
			continue
		}
		if !seen[e.Version] {
			seen[e.Version] = true
			vs = append(vs, parsed{e.Version, v})
		}
	}
	slices.SortStableFunc(vs, func(a, b parsed) int { return a.v.Compare(b.v) })
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.s
	}
	return out, nil
}

// LatestVersion is the highest version that is not a prerelease, "" when there is none.
func LatestVersion(versions []string) string {
	var best *version.Version
	var out string
	for _, s := range versions {
		v, err := version.NewVersion(s)
		if err != nil || v.Prerelease() != "" {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best, out = v, s
		}
	}
	return out
}

// VersionID is the registry's id of one provider version, which the docs endpoints filter on.
func (r *Registry) VersionID(ctx context.Context, namespace, name, ver string) (string, error) {
	if err := checkName("namespace", namespace); err != nil {
		return "", err
	}
	if err := checkName("provider name", name); err != nil {
		return "", err
	}
	path := "/v2/providers/" + namespace + "/" + name + "?include=provider-versions"
	body, err := r.fetch(ctx, path, listLimit)
	if err != nil {
		return "", err
	}
	var resp struct {
		Included []struct {
			ID         jsonID `json:"id"`
			Type       string `json:"type"`
			Attributes struct {
				Version string `json:"version"`
			} `json:"attributes"`
		} `json:"included"`
	}
	if err := decode(path, body, &resp); err != nil {
		return "", err
	}
	want, _ := version.NewVersion(ver)
	for _, inc := range resp.Included {
		if inc.Type != "" && inc.Type != "provider-versions" || inc.ID == "" {
			continue
		}
		match := inc.Attributes.Version == ver
		if !match && want != nil {
			v, err := version.NewVersion(inc.Attributes.Version)
			match = err == nil && v.Equal(want)
		}
		if match {
			if err := checkName("provider-version id", string(inc.ID)); err != nil {
				return "", fmt.Errorf("decoding %s: %w", path, err)
			}
			return string(inc.ID), nil
		}
	}
	return "", fmt.Errorf("provider %s/%s: the registry has no version %s", namespace, name, ver)
}

// DocRef is one document in a doc list.
type DocRef struct {
	ID, Category, Slug, Subcategory, Title, Path string
}

func (d DocRef) String() string {
	switch {
	case d.Slug != "":
		return d.Category + "/" + d.Slug
	case d.Path != "":
		return d.Path
	}
	return "id " + d.ID
}

// DocError is one document that could not be fetched; the others were.
type DocError struct {
	Ref DocRef
	Err error
}

func (e *DocError) Error() string { return "document " + e.Ref.String() + ": " + e.Err.Error() }
func (e *DocError) Unwrap() error { return e.Err }

// DocList lists a provider version's documents in one category (resources, data-sources,
// guides, ...), asking page after page until one comes back short.
func (r *Registry) DocList(ctx context.Context, versionID, category string) ([]DocRef, error) {
	if err := checkName("provider-version id", versionID); err != nil {
		return nil, err
	}
	if err := checkName("doc category", category); err != nil {
		return nil, err
	}
	var out []DocRef
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("listing %s docs of provider version %s: more than %d pages", category, versionID, maxPages)
		}
		path := fmt.Sprintf("/v2/provider-docs?filter[provider-version]=%s&filter[category]=%s&filter[language]=hcl&page[size]=%d&page[number]=%d",
			url.QueryEscape(versionID), url.QueryEscape(category), r.pageSize, page)
		body, err := r.fetch(ctx, path, listLimit)
		if err != nil {
			return nil, err
		}
		var resp struct {
			Data []struct {
				ID         jsonID `json:"id"`
				Attributes struct {
					Category    string `json:"category"`
					Path        string `json:"path"`
					Slug        string `json:"slug"`
					Subcategory string `json:"subcategory"`
					Title       string `json:"title"`
				} `json:"attributes"`
			} `json:"data"`
		}
		if err := decode(path, body, &resp); err != nil {
			return nil, err
		}
		fresh := 0
		for _, d := range resp.Data {
			id := string(d.ID)
			if id != "" && seen[id] {
				continue
			}
			seen[id] = true
			fresh++
			ref := DocRef{ID: id, Category: d.Attributes.Category, Slug: d.Attributes.Slug,
				Subcategory: d.Attributes.Subcategory, Title: d.Attributes.Title, Path: d.Attributes.Path}
			if ref.Category == "" {
				ref.Category = category
			}
			if ref.Title == "" {
				ref.Title = ref.Slug
			}
			out = append(out, ref)
		}
		if len(resp.Data) < r.pageSize {
			return out, nil
		}
		if fresh == 0 {
			return nil, fmt.Errorf("listing %s docs of provider version %s: page %d repeats earlier pages; the registry ignores paging", category, versionID, page)
		}
	}
}

// Doc fetches one document's markdown.
func (r *Registry) Doc(ctx context.Context, id string) (string, error) {
	if err := checkName("doc id", id); err != nil {
		return "", err
	}
	path := "/v2/provider-docs/" + id
	body, err := r.fetch(ctx, path, docLimit)
	if err != nil {
		return "", err
	}
	var resp struct {
		Data *struct {
			ID         jsonID `json:"id"`
			Attributes struct {
				Content *string `json:"content"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if err := decode(path, body, &resp); err != nil {
		return "", err
	}
	switch {
	case resp.Data == nil:
		return "", fmt.Errorf("decoding %s: the answer has no data", path)
	case resp.Data.ID != "" && string(resp.Data.ID) != id:
		return "", fmt.Errorf("decoding %s: the answer is document %s", path, resp.Data.ID)
	case resp.Data.Attributes.Content == nil:
		return "", fmt.Errorf("decoding %s: the answer has no content", path)
	}
	return *resp.Data.Attributes.Content, nil
}

// docCategories are the categories Docs fetches, in the order pages are sorted.
var docCategories = []struct {
	category string
	kind     catalog.Kind
}{
	{"resources", catalog.KindResource},
	{"data-sources", catalog.KindDataSource},
}

// Docs fetches every resource and data source page of one provider version, Concurrency
// documents at a time, sorted resources first, then by slug. progress (may be nil) is told
// after each document, from one goroutine at a time. A document that fails is returned in
// errs as a *DocError and does not stop the others, unless failureLimit documents fail in
// a row: then the registry is taken to be down and err says so. When ctx ends, Docs stops
// every request and returns ctx.Err().
func (r *Registry) Docs(ctx context.Context, namespace, name, ver string, progress func(done, total int)) (pages []Page, errs []error, err error) {
	vid, err := r.VersionID(ctx, namespace, name, ver)
	if err != nil {
		return nil, nil, err
	}
	var refs []DocRef
	for _, c := range docCategories {
		list, err := r.DocList(ctx, vid, c.category)
		if err != nil {
			return nil, nil, err
		}
		refs = append(refs, list...)
	}
	var todo []DocRef
	kinds := map[string]catalog.Kind{}
	for _, c := range docCategories {
		kinds[c.category] = c.kind
	}
	for _, ref := range refs {
		switch {
		case ref.ID == "":
			errs = append(errs, &DocError{Ref: ref, Err: errors.New("the doc list gives it no id")})
		case ref.Slug == "":
			errs = append(errs, &DocError{Ref: ref, Err: errors.New("the doc list gives it no slug")})
		case kinds[ref.Category] == "":
			errs = append(errs, &DocError{Ref: ref, Err: fmt.Errorf("listed under category %q, not resources or data-sources", ref.Category)})
		default:
			todo = append(todo, ref)
		}
	}

	pages, fetchErrs, err := r.fetchDocs(ctx, todo, progress, func(ref DocRef, content string) Page {
		return Page{Kind: kinds[ref.Category], Slug: ref.Slug, Subcategory: ref.Subcategory, Title: ref.Title, Path: ref.Path, Markdown: content}
	})
	errs = append(errs, fetchErrs...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, errs, err
	}
	slices.SortStableFunc(pages, func(a, b Page) int {
		if a.Kind != b.Kind {
			if a.Kind == catalog.KindResource {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	return pages, errs, nil
}

// fetchDocs fetches refs with r.concurrency workers.
func (r *Registry) fetchDocs(parent context.Context, refs []DocRef, progress func(done, total int), page func(DocRef, string) Page) ([]Page, []error, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	type result struct {
		ref     DocRef
		content string
		err     error
	}
	jobs := make(chan DocRef)
	results := make(chan result)
	var wg sync.WaitGroup
	for range min(r.concurrency, len(refs)) {
		wg.Go(func() {
			for ref := range jobs {
				content, err := r.Doc(ctx, ref.ID)
				select {
				case results <- result{ref, content, err}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		defer close(jobs)
		for _, ref := range refs {
			select {
			case jobs <- ref:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	var pages []Page
	var errs []error
	var giveUp error
	done, failing := 0, 0
	for res := range results {
		if parent.Err() != nil || giveUp != nil {
			continue // draining: the workers are stopping
		}
		done++
		if res.err != nil {
			errs = append(errs, &DocError{Ref: res.ref, Err: res.err})
			if failing++; failing >= failureLimit {
				giveUp = fmt.Errorf("giving up: %d documents in a row failed, the last: %w", failing, errs[len(errs)-1])
				cancel()
				continue
			}
		} else {
			failing = 0
			pages = append(pages, page(res.ref, res.content))
		}
		if progress != nil {
			progress(done, len(refs))
		}
	}
	if err := parent.Err(); err != nil {
		return nil, nil, err
	}
	if giveUp != nil {
		return nil, errs, giveUp
	}
	return pages, errs, nil
}

// jsonID is a JSON:API id: a string by the spec, but a number is taken too.
type jsonID string

func (id *jsonID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*id = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = jsonID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id is neither a string nor a number: %s", clip(string(b), 40))
	}
	*id = jsonID(n.String())
	return nil
}
