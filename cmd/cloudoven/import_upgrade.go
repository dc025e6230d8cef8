package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/upgrade"
)

// renameFiles applies the upgrade guides' mechanical renames when asked, and writes the
// renamed .tf files to renamedOut when given, which may not be the directory read.
func renameFiles(files map[string][]byte, cat *catalog.Catalog, apply bool, renamedOut, dir string, stderr io.Writer) (map[string][]byte, error) {
	if !apply {
		if renamedOut != "" {
			return nil, fmt.Errorf("-renamed-out needs -apply-renames")
		}
		return files, nil
	}
	renamed, applied, err := upgrade.ApplyRenames(files, cat)
	if err != nil {
		// The import that follows reports what keeps the configuration from parsing.
		fmt.Fprintf(stderr, "renames not applied: %v\n", err)
		return files, nil
	}
	for _, it := range applied {
		fmt.Fprintf(stderr, "renamed %s:%d %s → %s\n", it.File, it.Line, it.Name(), it.Replacements[0])
	}
	fmt.Fprintf(stderr, "applied %d %s\n", len(applied), plural(len(applied), "rename", "renames"))
	if renamedOut == "" {
		return renamed, nil
	}
	in, _ := filepath.Abs(dir)
	outAbs, _ := filepath.Abs(renamedOut)
	if in == outAbs {
		return nil, fmt.Errorf("-renamed-out must not be the directory read (%s): write the renamed files elsewhere and compare", dir)
	}
	if err := os.MkdirAll(renamedOut, 0o755); err != nil {
		return nil, fmt.Errorf("writing renamed files: %w", err)
	}
	names := make([]string, 0, len(renamed))
	for n := range renamed {
		if strings.HasSuffix(n, ".tf") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		if err := writeFileAtomic(filepath.Join(renamedOut, filepath.Base(n)), renamed[n]); err != nil {
			return nil, fmt.Errorf("writing renamed files: %w", err)
		}
	}
	return renamed, nil
}

// heldWarnings lists the held items as warnings, so an import without -upgrade-report
// still says, item by item, what the blueprint leaves out.
func heldWarnings(r upgrade.Report) blueprint.Diagnostics {
	var out blueprint.Diagnostics
	for _, it := range r.Items {
		detail := it.Why
		if len(it.Replacements) > 0 {
			detail += ". Replacement: " + strings.Join(it.Replacements, ", ")
		}
		out = append(out, blueprint.Diagnostic{
			Severity: blueprint.Warning,
			Path:     fmt.Sprintf("%s:%d", it.File, it.Line),
			Summary:  fmt.Sprintf("held back for the provider upgrade: %s", it.Name()),
			Detail:   detail + " (see -upgrade-report)",
		})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
