package crawler

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

// guideKind marks a Page that is a guide (the registry's "guides" category, a docs
// directory's guides/ folder) rather than a resource or data source page.
const guideKind catalog.Kind = "guide"

// ReadGuidesDir reads the guides of a provider's local docs directory, laid out as
// ReadDocsDir expects (website/docs/guides, docs/guides or guides/). A directory without
// guides has none: that is not an error. Pages come sorted by slug.
func ReadGuidesDir(dir string) ([]Page, error) {
	for _, base := range []string{"website/docs", "docs", "."} {
		pages, ok, err := readDocFolder(dir, path.Join(base, "guides"), guideKind)
		if err != nil {
			return nil, fmt.Errorf("reading guides in %s: %w", dir, err)
		}
		if !ok {
			continue
		}
		slices.SortFunc(pages, func(a, b Page) int { return strings.Compare(a.Slug, b.Slug) })
		return pages, nil
	}
	return nil, nil
}

// Guides fetches every guide page of one provider version (the registry's "guides"
// category), sorted by slug, with the same concurrency, retries and error handling as Docs.
func (r *Registry) Guides(ctx context.Context, namespace, name, ver string) (pages []Page, errs []error, err error) {
	vid, err := r.VersionID(ctx, namespace, name, ver)
	if err != nil {
		return nil, nil, err
	}
	list, err := r.DocList(ctx, vid, "guides")
	if err != nil {
		return nil, nil, err
	}
	var todo []DocRef
	for _, ref := range list {
		switch {
		case ref.ID == "":
			errs = append(errs, &DocError{Ref: ref, Err: errors.New("the doc list gives it no id")})
		case ref.Slug == "":
			errs = append(errs, &DocError{Ref: ref, Err: errors.New("the doc list gives it no slug")})
		default:
			todo = append(todo, ref)
		}
	}
	pages, fetchErrs, err := r.fetchDocs(ctx, todo, nil, func(ref DocRef, content string) Page {
		return Page{Kind: guideKind, Slug: ref.Slug, Title: ref.Title, Path: ref.Path, Markdown: content}
	})
	errs = append(errs, fetchErrs...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, errs, err
	}
	slices.SortStableFunc(pages, func(a, b Page) int { return strings.Compare(a.Slug, b.Slug) })
	return pages, errs, nil
}

// crawlGuides reads the provider's guides from where its docs came from and keeps their
// upgrade entries in docs. A guide that cannot be fetched is a doc error, like a page.
func crawlGuides(ctx context.Context, t Target, opts Options, name, version string, schema *tfjson.ProviderSchema, docs *catalog.Docs, pr *ProviderResult) error {
	var guides []Page
	var errs []error
	var err error
	switch {
	case t.DocsDir != "":
		guides, err = ReadGuidesDir(t.DocsDir)
	case opts.Registry != nil:
		parts := strings.Split(catalog.NormalizeSource(t.Source), "/")
		guides, errs, err = opts.Registry.Guides(ctx, parts[1], name, version)
	}
	if err != nil {
		return err
	}
	for _, e := range errs {
		pr.DocErrors = append(pr.DocErrors, e.Error())
	}
	docs.Upgrades, pr.Guides = ParseGuides(name, guides, schema)
	return nil
}

// WriteReport writes the number of upgrade entries each guide gave, then every sentence
// that reads like an entry but did not parse, with its guide, section and why.
func (r GuideReport) WriteReport(w io.Writer, provider string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "\n# %s guides: %d upgrade entries, %d sentences not parsed\n\n", provider, r.Entries(), len(r.Unparsed))
	for _, g := range r.Guides {
		fmt.Fprintf(bw, "%s: %d entries, %d not parsed\n", g.Guide, g.Entries, g.Unparsed)
	}
	if len(r.Unparsed) > 0 {
		fmt.Fprintf(bw, "\n## not parsed: %d sentences that read like an upgrade entry\n\n", len(r.Unparsed))
	}
	for _, u := range r.Unparsed {
		fmt.Fprintf(bw, "%s § %s: %s (%s)\n", u.Guide, u.Section, u.Sentence, u.Why)
	}
	return bw.Flush()
}
