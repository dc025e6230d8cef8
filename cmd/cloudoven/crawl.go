package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
)

// crawlFlags are the crawl settings `crawl` and `serve` share.
type crawlFlags struct {
	providers, config, registry, terraform, pluginCache, mirror *string
}

func addCrawlFlags(fs interface {
	String(name, value, usage string) *string
}) crawlFlags {
	return crawlFlags{
		providers:   fs.String("crawl-providers", "", "providers to crawl, comma-separated NAME[@VERSION] or NAMESPACE/NAME[@VERSION] (default: azurerm, azuread, helm, kubernetes, random and the builtin provider)"),
		config:      fs.String("crawl-config", "", "JSON file listing providers: {\"providers\": [{\"source\": \"hashicorp/azurerm\", \"version\": \"5.2.0\", \"schema_file\": \"...\", \"docs_dir\": \"...\"}]}"),
		registry:    fs.String("registry", "https://registry.terraform.io", "provider registry to ask for versions and docs"),
		terraform:   fs.String("terraform", "", "terraform binary for schema extraction (default: bin/terraform, else terraform on PATH)"),
		pluginCache: fs.String("plugin-cache-dir", "", "terraform plugin cache directory shared between crawls"),
		mirror:      fs.String("mirror-dir", "", "filesystem mirror to install providers from (crawl with no network); serve also checks drafts with the providers in it (the editor's Check with providers)"),
	}
}

type crawlConfigFile struct {
	Providers []struct {
		Source     string `json:"source"`
		Version    string `json:"version"`
		SchemaFile string `json:"schema_file"`
		DocsDir    string `json:"docs_dir"`
	} `json:"providers"`
}

// targets turns the flags into crawl targets.
func (f crawlFlags) targets() ([]crawler.Target, error) {
	if *f.config != "" {
		data, err := os.ReadFile(*f.config)
		if err != nil {
			return nil, fmt.Errorf("reading crawl config: %w", err)
		}
		var cfg crawlConfigFile
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return nil, fmt.Errorf("reading crawl config %s: %w", *f.config, err)
		}
		base := filepath.Dir(*f.config)
		rel := func(p string) string {
			if p == "" || filepath.IsAbs(p) {
				return p
			}
			return filepath.Join(base, p)
		}
		var out []crawler.Target
		for i, p := range cfg.Providers {
			if p.Source == "" {
				return nil, fmt.Errorf("crawl config %s: providers[%d] has no source", *f.config, i)
			}
			out = append(out, crawler.Target{Source: p.Source, Version: p.Version, SchemaFile: rel(p.SchemaFile), DocsDir: rel(p.DocsDir)})
		}
		return out, nil
	}
	if *f.providers == "" {
		return crawler.DefaultTargets(), nil
	}
	var out []crawler.Target
	for _, item := range strings.Split(*f.providers, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		source, version, _ := strings.Cut(item, "@")
		if source == "builtin" || source == "terraform" {
			source = catalog.BuiltinSource
		}
		out = append(out, crawler.Target{Source: source, Version: version})
	}
	return out, nil
}

func (f crawlFlags) options(catalogDir string, logger *slog.Logger) crawler.Options {
	tf := *f.terraform
	if tf == "" {
		if _, err := os.Stat(filepath.Join("bin", "terraform")); err == nil {
			tf, _ = filepath.Abs(filepath.Join("bin", "terraform"))
		} else if p, err := exec.LookPath("terraform"); err == nil {
			tf = p
		}
	}
	// terraform runs in a scratch directory, where a relative path would not resolve.
	if abs, err := filepath.Abs(tf); err == nil && tf != "" {
		tf = abs
	}
	return crawler.Options{
		CatalogDir: catalogDir,
		Registry:   crawler.NewRegistry(crawler.RegistryOptions{BaseURL: *f.registry, Logger: logger}),
		Schema:     crawler.SchemaOptions{Terraform: tf, WorkDir: os.TempDir(), PluginCacheDir: *f.pluginCache, MirrorDir: *f.mirror},
		Logger:     logger,
	}
}

func runCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("crawl", "Crawl provider schemas and docs into a catalog directory. Versions already in the catalog are skipped unless -force.", stderr)
	dir := fs.String("catalog-dir", filepath.Join("data", "catalog"), "catalog directory to crawl into (created from the built-in catalog when missing)")
	force := fs.Bool("force", false, "crawl versions that are already in the catalog")
	report := fs.String("coverage-report", "", "write each provider's doc coverage report (unmatched arguments) to this file")
	quiet := fs.Bool("quiet", false, "no progress bars")
	cf := addCrawlFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	targets, err := cf.targets()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := cf.options(*dir, logger)
	opts.SeedFrom = catalog.Embedded()
	opts.Force = *force
	if !*quiet {
		bars := newProgressBars(stderr)
		opts.Progress = bars.update
		defer bars.finish()
	}
	res, err := crawler.Crawl(ctx, targets, opts)
	if err != nil {
		return err
	}
	printCrawlResult(stdout, res)
	if *report != "" {
		if err := writeCoverageReports(*report, res); err != nil {
			return err
		}
	}
	for _, p := range res.Providers {
		if p.Err != nil {
			return exitError(1)
		}
	}
	return nil
}

func printCrawlResult(w io.Writer, res crawler.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tVERSION\tRESULT\tRESOURCES\tDATA SOURCES\tDOC PAGES\tCOVERAGE\tRULES\tUNPARSED\tDOC ERRORS")
	for _, p := range res.Providers {
		result, coverage := "crawled", "-"
		switch {
		case p.Err != nil:
			result = "failed"
		case p.Skipped:
			result = "already crawled"
		}
		if p.Coverage.Arguments > 0 {
			coverage = fmt.Sprintf("%.1f%%", p.Coverage.Percent())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%d\t%d\t%d\n", p.Source, p.Version, result, p.Resources, p.DataSources, p.DocPages, coverage,
			p.Coverage.RuleCount(), len(p.Coverage.Unparsed), len(p.DocErrors))
	}
	tw.Flush()
	for _, p := range res.Providers {
		if p.Err != nil {
			fmt.Fprintf(w, "\n%s: %v\n", p.Source, p.Err)
		}
		for i, e := range p.DocErrors {
			if i == 10 {
				fmt.Fprintf(w, "  ... and %d more\n", len(p.DocErrors)-10)
				break
			}
			fmt.Fprintf(w, "  %s\n", e)
		}
		if g := p.Guides; len(g.Guides) > 0 {
			fmt.Fprintf(w, "%s guides: %d upgrade entries from %d guides, %d sentences not parsed (listed by -coverage-report)\n",
				p.Source, g.Entries(), len(g.Guides), len(g.Unparsed))
		}
	}
	fmt.Fprintf(w, "\ncrawl took %s\n", res.Finished.Sub(res.Started).Round(time.Millisecond))
}

func writeCoverageReports(path string, res crawler.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range res.Providers {
		if p.Coverage.Arguments == 0 {
			continue
		}
		if err := p.Coverage.WriteReport(f); err != nil {
			return err
		}
		if len(p.Guides.Guides) > 0 {
			if err := p.Guides.WriteReport(f, p.Source); err != nil {
				return err
			}
		}
	}
	return f.Close()
}

// progressBars draws one bar per provider as its documents are fetched.
type progressBars struct {
	w    io.Writer
	mu   sync.Mutex
	bars map[string]*progressbar.ProgressBar
}

func newProgressBars(w io.Writer) *progressBars {
	return &progressBars{w: w, bars: map[string]*progressbar.ProgressBar{}}
}

func (p *progressBars) update(source string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	bar := p.bars[source]
	if bar == nil {
		bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("%-45s", source)),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
		p.bars[source] = bar
	}
	bar.Set(done)
}

func (p *progressBars) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	names := make([]string, 0, len(p.bars))
	for n := range p.bars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p.bars[n].Finish()
	}
}
