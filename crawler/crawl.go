package crawler

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

// Target is one provider to crawl.
type Target struct {
	// Source is the provider's source address: hashicorp/azurerm, or catalog.BuiltinSource
	// for Terraform's builtin provider (whose version is the terraform binary's).
	Source string
	// Version pins a version; empty asks the registry for the latest.
	Version string
	// SchemaFile, when set, is a dumped `terraform providers schema -json` to use instead of
	// running terraform.
	SchemaFile string
	// DocsDir, when set, is a local docs directory to use instead of the registry.
	DocsDir string
}

// DefaultTargets is the default crawl: the providers the Azure/AKS platform teams use, plus
// Terraform's builtin provider.
func DefaultTargets() []Target {
	var out []Target
	for _, name := range []string{"azurerm", "azuread", "helm", "kubernetes", "random"} {
		out = append(out, Target{Source: "hashicorp/" + name})
	}
	return append(out, Target{Source: catalog.BuiltinSource})
}

// Options configure a crawl.
type Options struct {
	CatalogDir string
	// SeedFrom, when set, fills an empty CatalogDir from this catalog (catalog.Seed) before
	// the first crawl, so versions it already has are skipped.
	SeedFrom fs.FS
	Registry *Registry // docs and versions; nil only when every target has a pinned version and a DocsDir
	Schema   SchemaOptions
	// Force crawls versions that are already in the catalog.
	Force bool
	// Progress is told of each document fetched, per provider; it may be nil.
	Progress func(source string, done, total int)
	Now      func() time.Time
	Logger   *slog.Logger

	// Shared, when set, is the database a server's replicas share: a Service takes its
	// crawl lock for each crawl, publishes each complete crawl's catalog there, and follows
	// the catalogs the other replicas publish (Service.Follow). Crawl ignores it.
	Shared Shared
	// FollowEvery is how often a started Service with Shared checks for a published
	// catalog; 0 means DefaultFollowEvery.
	FollowEvery time.Duration
}

// Result is what a crawl did.
type Result struct {
	Started, Finished time.Time
	Providers         []ProviderResult
}

// ProviderResult is what a crawl did for one provider.
type ProviderResult struct {
	Source      string
	Version     string
	Skipped     bool // already in the catalog
	Resources   int
	DataSources int
	DocPages    int
	Coverage    Coverage
	// DocErrors are documents that could not be fetched or parsed; the crawl goes on
	// without them.
	DocErrors []string
	// Guides is what the provider's guides gave: upgrade entries per guide, and the
	// sentences that read like one but did not parse.
	Guides GuideReport
	Err    error // the provider could not be crawled at all
}

// Crawl crawls every target into opts.CatalogDir. Each provider's files are written first
// and the index is committed once at the end with an atomic rename, so a crawl that fails
// or is killed half-way leaves the previous catalog untouched. A provider that fails is
// reported in its ProviderResult and does not stop the others; Crawl returns an error only
// when nothing could be committed or ctx ended.
func Crawl(ctx context.Context, targets []Target, opts Options) (Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	res := Result{Started: opts.Now()}
	if opts.SeedFrom != nil {
		if err := catalog.Seed(opts.CatalogDir, opts.SeedFrom); err != nil {
			return res, fmt.Errorf("crawling: %w", err)
		}
	}
	index, err := catalog.ReadIndex(opts.CatalogDir)
	if err != nil {
		return res, fmt.Errorf("crawling: %w", err)
	}
	have := map[string]*catalog.IndexEntry{}
	for i, e := range index.Providers {
		have[e.Source+"@"+e.Version] = &index.Providers[i]
	}

	var entries []catalog.IndexEntry
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		pr, entry, err := crawlOne(ctx, t, opts, have)
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return res, err
		}
		pr.Err = err
		if err != nil {
			opts.Logger.Error("provider not crawled", "provider", t.Source, "err", err)
		}
		res.Providers = append(res.Providers, pr)
		if entry != nil {
			entries = append(entries, *entry)
		}
	}
	if len(entries) > 0 {
		if err := catalog.Commit(opts.CatalogDir, entries...); err != nil {
			return res, fmt.Errorf("crawling: %w", err)
		}
	}
	res.Finished = opts.Now()
	return res, nil
}

func crawlOne(ctx context.Context, t Target, opts Options, have map[string]*catalog.IndexEntry) (ProviderResult, *catalog.IndexEntry, error) {
	source := catalog.NormalizeSource(t.Source)
	pr := ProviderResult{Source: source, Version: t.Version}
	builtin := source == catalog.BuiltinSource
	parts := strings.Split(source, "/")
	namespace, name := parts[1], parts[2]

	var schema *tfjson.ProviderSchema
	var err error
	switch {
	case builtin && t.SchemaFile == "":
		schema, pr.Version, err = BuiltinSchema(ctx, opts.Schema)
		if err != nil {
			return pr, nil, err
		}
	case pr.Version == "":
		if opts.Registry == nil {
			return pr, nil, fmt.Errorf("provider %s: no version pinned and no registry to ask", source)
		}
		versions, err := opts.Registry.Versions(ctx, namespace, name)
		if err != nil {
			return pr, nil, fmt.Errorf("provider %s: %w", source, err)
		}
		if pr.Version = LatestVersion(versions); pr.Version == "" {
			return pr, nil, fmt.Errorf("provider %s: the registry lists no released version", source)
		}
	}
	if e := have[source+"@"+pr.Version]; e != nil && !opts.Force {
		pr.Skipped = true
		pr.Resources, pr.DataSources, pr.DocPages = e.Resources, e.DataSources, e.DocPages
		opts.Logger.Info("provider already crawled", "provider", source, "version", pr.Version)
		return pr, nil, nil
	}
	if schema == nil {
		if t.SchemaFile != "" {
			schema, err = SchemaFromFile(t.SchemaFile, source)
		} else {
			schema, err = ProviderSchema(ctx, source, pr.Version, opts.Schema)
		}
		if err != nil {
			return pr, nil, fmt.Errorf("provider %s %s: schema: %w", source, pr.Version, err)
		}
	}
	pr.Resources, pr.DataSources = len(schema.ResourceSchemas), len(schema.DataSourceSchemas)

	var docs *catalog.Docs
	if !builtin {
		var pages []Page
		var docErrs []error
		switch {
		case t.DocsDir != "":
			pages, err = ReadDocsDir(t.DocsDir)
		case opts.Registry != nil:
			progress := func(done, total int) {
				if opts.Progress != nil {
					opts.Progress(source, done, total)
				}
			}
			pages, docErrs, err = opts.Registry.Docs(ctx, namespace, name, pr.Version, progress)
		default:
			err = errors.New("no docs source: give a docs directory or a registry")
		}
		if err != nil {
			return pr, nil, fmt.Errorf("provider %s %s: docs: %w", source, pr.Version, err)
		}
		for _, e := range docErrs {
			pr.DocErrors = append(pr.DocErrors, e.Error())
		}
		docs = parsePages(name, pages, schema, &pr)
		pr.DocPages = len(docs.Resources) + len(docs.DataSources)
		if err := crawlGuides(ctx, t, opts, name, pr.Version, schema, docs, &pr); err != nil {
			return pr, nil, fmt.Errorf("provider %s %s: guides: %w", source, pr.Version, err)
		}
		pr.Coverage = MeasureCoverage(name, schema, docs)
	}

	entry, err := catalog.WriteFiles(opts.CatalogDir, catalog.ProviderVersion{
		Source: source, Version: pr.Version, CrawledAt: opts.Now(), Schema: schema, Docs: docs,
	})
	if err != nil {
		return pr, nil, err
	}
	opts.Logger.Info("provider crawled", "provider", source, "version", pr.Version,
		"resources", pr.Resources, "data_sources", pr.DataSources, "doc_pages", pr.DocPages,
		"coverage", fmt.Sprintf("%.1f%%", pr.Coverage.Percent()), "rules", pr.Coverage.RuleCount(),
		"unparsed_rules", len(pr.Coverage.Unparsed), "doc_errors", len(pr.DocErrors))
	return pr, &entry, nil
}

// parsePages parses every page in parallel against the schema of the type it documents.
func parsePages(provider string, pages []Page, schema *tfjson.ProviderSchema, pr *ProviderResult) *catalog.Docs {
	docs := &catalog.Docs{Resources: map[string]*catalog.Doc{}, DataSources: map[string]*catalog.Doc{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, p := range pages {
		typ := p.TypeName(provider)
		into, types := docs.Resources, schema.ResourceSchemas
		if p.Kind == catalog.KindDataSource {
			into, types = docs.DataSources, schema.DataSourceSchemas
		}
		ts := types[typ]
		if ts == nil {
			// Some pages are named after an older type (validating_admission_policy.md
			// documents kubernetes_validating_admission_policy_v1); their heading says which.
			if d, err := ParseDoc(provider, p, nil); err == nil && types[titleType(d.Title)] != nil {
				typ = titleType(d.Title)
				ts = types[typ]
			}
		}
		if ts == nil {
			mu.Lock()
			pr.DocErrors = append(pr.DocErrors, fmt.Sprintf("%s: documents %s, which the schema does not have", p.Path, typ))
			mu.Unlock()
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			doc, err := ParseDoc(provider, p, ts)
			if err == nil {
				doc.Rules, _ = MineRules(doc, ts)
				dropOverridden(typ, doc.Rules)
				if len(doc.Rules) == 0 {
					doc.Rules = nil
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				pr.DocErrors = append(pr.DocErrors, fmt.Sprintf("%s: %v", p.Path, err))
				return
			}
			into[typ] = doc
		}()
	}
	wg.Wait()
	return docs
}

// titleType is the type name a page heading names: "kubernetes_x_v1", "Resource: azurerm_x".
func titleType(title string) string {
	title = strings.TrimSpace(title)
	if i := strings.LastIndex(title, ":"); i >= 0 {
		title = strings.TrimSpace(title[i+1:])
	}
	return strings.Trim(title, "`")
}
