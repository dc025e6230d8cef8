package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeepNestingIsRefusedClearly: input nested 100,000 levels deep (far past what the
// parsers' recursion survives) ends each command with an error that names the limit, and
// writes nothing.
func TestDeepNestingIsRefusedClearly(t *testing.T) {
	const deep = 100_000
	brackets := strings.Repeat("[", deep) + strings.Repeat("]", deep)
	exprDoc := fmt.Sprintf(`{"format": 1, "name": "demo", "locals": [{"name": "x", "value": {"expr": %q}}]}`, brackets)
	listDoc := `{"format": 1, "name": "demo", "locals": [{"name": "x", "value": ` +
		strings.Repeat(`{"list": [`, deep) + `{"literal": 1}` + strings.Repeat(`]}`, deep) + `}]}`

	t.Run("import", func(t *testing.T) {
		dir := importDir(t, map[string]string{"main.tf": importMain, "deep.tf": "locals {\n  x = " + brackets + "\n}\n"})
		stdout, _, err := runCLI(t, "import", "-dir", dir, "-name", "demo")
		want := "reading " + dir + ": deep.tf: line 2, column 134: nested more than 128 levels deep"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error %v, want it to start with %q", err, want)
		}
		if stdout != "" {
			t.Errorf("a refused import wrote a document:\n%.200s", stdout)
		}
	})
	for _, command := range []string{"validate", "generate"} {
		t.Run(command+" of a deep expression", func(t *testing.T) {
			args := []string{command, "-blueprint", writeTemp(t, "bp.json", exprDoc)}
			if command == "generate" {
				args = append(args, "-out", filepath.Join(t.TempDir(), "out"))
			}
			_, stderr, err := runCLI(t, args...)
			var exit exitError
			if !errors.As(err, &exit) || exit != 1 {
				t.Fatalf("want exit status 1, got %v", err)
			}
			for _, want := range []string{"Error: the expression does not parse", "on locals[x]", "nested more than 128 levels deep"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("output lacks %q:\n%.500s", want, stderr)
				}
			}
		})
		t.Run(command+" of deep values", func(t *testing.T) {
			args := []string{command, "-blueprint", writeTemp(t, "bp.json", listDoc)}
			if command == "generate" {
				args = append(args, "-out", filepath.Join(t.TempDir(), "out"))
			}
			_, _, err := runCLI(t, args...)
			if want := "nested more than 320 levels deep"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want it to contain %q", err, want)
			}
		})
	}
}
