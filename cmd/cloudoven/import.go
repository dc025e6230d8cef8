package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
)

// maxImportFiles bounds how much Terraform one import reads.
const maxImportFiles = 200

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "Turn existing Terraform (.tf files) into a blueprint document. What a blueprint cannot hold is listed, never dropped silently.", stderr)
	dir := fs.String("dir", "", "directory whose *.tf files to import")
	name := fs.String("name", "", "blueprint name (default: the directory's name)")
	out := fs.String("out", "", "blueprint document to write (default: standard output)")
	catalogDir := fs.String("catalog-dir", "", "catalog to validate the result against (default: the built-in catalog)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("-dir is required")
	}
	matches, err := filepath.Glob(filepath.Join(*dir, "*.tf"))
	if err != nil {
		return err
	}
	if len(matches) == 0 {
		return fmt.Errorf("no .tf files in %s", *dir)
	}
	if len(matches) > maxImportFiles {
		return fmt.Errorf("%s has %d .tf files; an import reads at most %d", *dir, len(matches), maxImportFiles)
	}
	files := map[string][]byte{}
	for _, m := range matches {
		data, err := readLimited(m, nil)
		if err != nil {
			return err
		}
		files[filepath.Base(m)] = data
	}
	b, diags := blueprint.Import(files)
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
