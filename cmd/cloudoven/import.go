package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/tfsource"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "Turn existing Terraform (.tf files) into a blueprint document. What a blueprint cannot hold is listed, never dropped silently.", stderr)
	dir := fs.String("dir", "", "directory whose *.tf files to import (not its subdirectories)")
	name := fs.String("name", "", "blueprint name (default: the directory's name)")
	out := fs.String("out", "", "blueprint document to write (default: standard output)")
	catalogDir := fs.String("catalog-dir", "", "catalog to validate the result against (default: the built-in catalog)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("-dir is required")
	}
	src, err := tfsource.ReadDir(ctx, *dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", *dir, err)
	}
	// What the reader left out is listed first, like the parts of the files Import leaves out.
	var diags blueprint.Diagnostics
	for _, s := range src.Skipped {
		diags = append(diags, blueprint.Diagnostic{Severity: blueprint.Warning, Path: s.Name, Summary: "not read", Detail: s.Reason.String()})
	}
	b, importDiags := blueprint.Import(src.ByName())
	diags = append(diags, importDiags...)
	if b != nil {
		b.Name = *name
		if b.Name == "" {
			abs, _ := filepath.Abs(*dir)
			b.Name = strings.ToLower(filepath.Base(abs))
		}
		if !diags.HasErrors() {
			cat, err := loadCatalog(*catalogDir)
			if err != nil {
				return err
			}
			diags = append(diags, blueprint.Complete(b, cat)...)
			diags = append(diags, blueprint.Validate(b, cat)...)
		}
	}
	printDiagnostics(stderr, diags)
	if b == nil || diags.HasErrors() {
		return exitError(1)
	}
	doc, err := b.MarshalDocument()
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(doc)
		return err
	}
	if err := writeFileAtomic(*out, doc); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d resources, %d data sources, %d variables, %d outputs)\n", *out, len(b.Resources), len(b.Data), len(b.Variables), len(b.Outputs))
	return nil
}
