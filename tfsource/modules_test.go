package tfsource_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/tfsource"
)

// callsOf stands in for blueprint.ModuleFolders: each file by name calls the folders given.
func callsOf(calls map[string][]string) tfsource.ModuleFolders {
	return func(files map[string][]byte) []string {
		var out []string
		for name := range files {
			out = append(out, calls[name]...)
		}
		return out
	}
}

func TestReadDirModules(t *testing.T) {
	t.Parallel()
	calls := callsOf(map[string][]string{
		"main.tf":             {"modules/net", "../outside", ".hidden/x", "modules/missing"},
		"modules/net/main.tf": {"modules/net/tags"},
	})
	many := layout{"main.tf": ""}
	for i := range tfsource.MaxFiles {
		many[fmt.Sprintf("modules/net/f%03d.tf", i)] = ""
	}
	tests := []struct {
		name   string
		layout layout
		calls  tfsource.ModuleFolders
		want   outcome
	}{
		{
			name: "reads the folders the files call, and theirs",
			layout: layout{"main.tf": "", "README.md": "", "modules/net/main.tf": "", "modules/net/outputs.tf": "",
				"modules/net/notes.txt": "", "modules/net/tags/main.tf": "", "modules/net/unused/x.tf": "",
				"examples/x.tf": "", ".hidden/x/main.tf": ""},
			calls: calls,
			want: outcome{
				Files: []string{"main.tf", "modules/net/main.tf", "modules/net/outputs.tf", "modules/net/tags/main.tf"},
				Skipped: []tfsource.Skipped{
					skipped(".hidden", tfsource.Hidden), skipped("README.md", tfsource.NotTerraform),
					skipped("examples", tfsource.Directory), skipped("modules/net/notes.txt", tfsource.NotTerraform),
				},
			},
		},
		{
			name:   "no calls reads as ReadDir",
			layout: layout{"main.tf": "", "modules/net/main.tf": ""},
			calls:  callsOf(nil),
			want:   outcome{Files: []string{"main.tf"}, Skipped: []tfsource.Skipped{skipped("modules", tfsource.Directory)}},
		},
		{
			name:   "the file limit counts the module folders",
			layout: many,
			calls:  calls,
			want:   outcome{Kind: tfsource.TooManyFiles},
		},
		{
			name:   "the byte limit counts the module folders",
			layout: layout{"main.tf": string(padding(tfsource.MaxBytes / 2)), "modules/net/main.tf": string(padding(tfsource.MaxBytes/2 + 1))},
			calls:  calls,
			want:   outcome{Kind: tfsource.TooLarge, Name: "modules/net/main.tf"},
		},
		{
			name:   "a module file that is not text names its folder",
			layout: layout{"main.tf": "", "modules/net/main.tf": "locals {}\x00\n"},
			calls:  calls,
			want:   outcome{Kind: tfsource.NULByte, Name: "modules/net/main.tf"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := tfsource.ReadDirModules(context.Background(), tt.layout.make(t), tt.calls)
			got := outcomeOf(t, src, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A module folder that is a link out of the directory is refused, never read.
func TestReadDirModulesLinkOut(t *testing.T) {
	t.Parallel()
	dir := layout{"main.tf": ""}.make(t)
	outside := filepath.Join(filepath.Dir(dir), "shared")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "main.tf"), []byte("locals {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "modules", "net")); err != nil {
		testenv.Unavailable(t, fmt.Sprintf("symbolic links: %v", err))
	}
	src, err := tfsource.ReadDirModules(context.Background(), dir, callsOf(map[string][]string{"main.tf": {"modules/net"}}))
	if err == nil {
		t.Fatalf("a module folder linked out of the directory was read: %v", src.Files)
	}
}
