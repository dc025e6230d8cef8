package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/tfsource"
	"github.com/cloudoven/cloudoven/upgrade"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "Turn existing Terraform (.tf files) into a blueprint document. What a blueprint cannot hold is listed, never dropped silently.", stderr)
	dir := fs.String("dir", "", "directory whose *.tf files to import, with the folders of the local modules they call (./modules/net) and the files they read with file() or templatefile()")
	name := fs.String("name", "", "blueprint name (default: the directory's name)")
	out := fs.String("out", "", "blueprint document to write (default: standard output)")
	catalogDir := fs.String("catalog-dir", "", "catalog to validate the result against (default: the built-in catalog)")
	upgradeReport := fs.Bool("upgrade-report", false, "print the upgrade report (what an older provider version's configuration holds that the catalog no longer has, with the guides' replacements) on standard output; the document is then written only with -out")
	applyRenames := fs.Bool("apply-renames", false, "apply the upgrade guides' mechanical renames to the configuration before importing it")
	renamedOut := fs.String("renamed-out", "", "with -apply-renames, also write the renamed .tf files into this directory (never the one read)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("-dir is required")
	}
	src, err := tfsource.ReadDirModules(ctx, *dir, blueprint.ModuleFolders)
	if err != nil {
		return fmt.Errorf("reading %s: %w", *dir, err)
	}
	if err := src.ReadDirFiles(ctx, *dir, blueprint.FilesToRead(src.ByName())); err != nil {
		return fmt.Errorf("reading the files %s reads: %w", *dir, err)
	}
	// What the reader left out is listed first, like the parts of the files Import leaves out.
	var diags blueprint.Diagnostics
	for _, s := range src.Skipped {
		diags = append(diags, blueprint.Diagnostic{Severity: blueprint.Warning, Path: s.Name, Summary: "not read", Detail: s.Reason.String()})
	}
	cat, err := loadCatalog(*catalogDir)
	if err != nil {
		return err
	}
	files, err := renameFiles(src.ByName(), cat, *applyRenames, *renamedOut, *dir, stderr)
	if err != nil {
		return err
	}
	// What an older provider version's configuration has that the catalog no longer has is
	// held back and reported, rather than refusing the whole configuration.
	b, report, importDiags := upgrade.Import(files, cat)
	diags = append(diags, importDiags...)
	if !*upgradeReport {
		diags = append(diags, heldWarnings(report)...)
	}
	if b != nil {
		b.Name = *name
		if b.Name == "" {
			abs, _ := filepath.Abs(*dir)
			b.Name = strings.ToLower(filepath.Base(abs))
		}
		if !diags.HasErrors() {
			diags = append(diags, blueprint.Validate(b, cat)...)
		}
	}
	printDiagnostics(stderr, diags)
	if b == nil || diags.HasErrors() {
		return exitError(1)
	}
	if *upgradeReport {
		if err := upgrade.WriteReport(stdout, report, cat); err != nil {
			return err
		}
		if *out == "" {
			return nil
		}
		stdout = stderr // the report has standard output; the summary line goes with the diagnostics
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
	fmt.Fprintf(stdout, "wrote %s (%d resources, %d data sources, %d variables, %d outputs, %d module calls)\n", *out, len(b.Resources), len(b.Data), len(b.Variables), len(b.Outputs), len(b.Modules))
	return nil
}
