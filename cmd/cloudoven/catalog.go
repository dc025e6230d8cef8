package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cloudoven/cloudoven/catalog"
)

func runCatalog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: cloudoven catalog add -source SOURCE -version VERSION -schema-file FILE [-dir DIR]")
		return exitError(2)
	}
	fs := newFlagSet("catalog add", "Add one provider version, from a `terraform providers schema -json` dump, to a catalog directory.", stderr)
	dir := fs.String("dir", "catalog", "catalog directory to write")
	source := fs.String("source", "", "provider source address, e.g. hashicorp/azurerm or terraform.io/builtin/terraform")
	version := fs.String("version", "", "provider version, e.g. 5.2.0")
	schemaFile := fs.String("schema-file", "", "file holding `terraform providers schema -json` output")
	crawledAt := fs.String("crawled-at", "", "crawl time to record (RFC 3339); default now")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *source == "" || *version == "" || *schemaFile == "" {
		return fmt.Errorf("catalog add: -source, -version and -schema-file are required")
	}
	at := time.Now()
	if *crawledAt != "" {
		t, err := time.Parse(time.RFC3339, *crawledAt)
		if err != nil {
			return fmt.Errorf("catalog add: -crawled-at: %w", err)
		}
		at = t
	}
	ps, err := catalog.ReadProviderSchemas(*schemaFile)
	if err != nil {
		return fmt.Errorf("catalog add: %w", err)
	}
	full := catalog.NormalizeSource(*source)
	schema := ps.Schemas[full]
	if schema == nil {
		return fmt.Errorf("catalog add: %s has no schema for %s", *schemaFile, full)
	}
	entry, err := catalog.Write(*dir, catalog.ProviderVersion{Source: full, Version: *version, CrawledAt: at, Schema: schema})
	if err != nil {
		return fmt.Errorf("catalog add: %w", err)
	}
	fmt.Fprintf(stdout, "added %s %s: %d resources, %d data sources\n", entry.Source, entry.Version, entry.Resources, entry.DataSources)
	return nil
}
