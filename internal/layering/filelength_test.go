package layering

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// maxLines is the most lines a hand-written Go file may have without saying why at its top.
const maxLines = 600

// longFileMark starts the comment line, before the package clause, that says why a file is
// longer than maxLines.
const longFileMark = "// Long file:"

// TestGoFilesStayShort keeps STYLE.md's "one concept per file": a hand-written Go file over
// maxLines lines fails unless a comment above its package clause has a line
// "// Long file: <why>". Generated templ files, node_modules, bin and out are left out, as
// are the directories the go tool ignores (starting with "." or "_").
//
// Every file and directory is read through os, so go test's cache sees a change to any of
// them and never keeps a stale pass.
func TestGoFilesStayShort(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		name := d.Name()
		if d.IsDir() {
			switch {
			case rel == ".":
				return nil
			case rel == "bin", rel == "out", name == "node_modules",
				strings.HasPrefix(name, "."), strings.HasPrefix(name, "_"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_templ.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		if n := countLines(src); n > maxLines && !saysWhyLong(src) {
			t.Errorf("%s has %d lines, more than %d: split it by concept (STYLE.md), or say why it is not at its top, before the package clause and apart from the package's doc, as %q", rel, n, maxLines, longFileMark+" <why>")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking the repository: %v", err)
	}
	if checked < 100 {
		t.Fatalf("found only %d Go files under %s", checked, root)
	}
}

// countLines counts lines as an editor shows them: a last line without a newline counts.
func countLines(src []byte) int {
	n := bytes.Count(src, []byte("\n"))
	if len(src) > 0 && src[len(src)-1] != '\n' {
		n++
	}
	return n
}

// saysWhyLong reports whether a comment line before the package clause starts with
// longFileMark and gives a reason after it.
func saysWhyLong(src []byte) bool {
	for line := range strings.Lines(string(src)) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "package ") {
			return false
		}
		if why, ok := strings.CutPrefix(line, longFileMark); ok && strings.TrimSpace(why) != "" {
			return true
		}
	}
	return false
}
