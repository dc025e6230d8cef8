package tfsource_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/tfsource"
)

// layout is a directory's entries by name: a name ending in "/" is a folder, a content
// starting with ">" a symbolic link to the rest (">ABS": an absolute link to main.tf),
// anything else a file holding its content.
type layout map[string]string

func (l layout) make(t *testing.T) string {
	t.Helper()
	parent := t.TempDir()
	dir := filepath.Join(parent, "config")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A file beside the directory, for links to lead out to.
	if err := os.WriteFile(filepath.Join(parent, "outside.tf"), []byte("locals {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range l {
		var err error
		switch {
		case name[len(name)-1] == '/':
			err = os.MkdirAll(filepath.Join(dir, name), 0o755)
		case content != "" && content[0] == '>':
			target := content[1:]
			if target == "ABS" {
				target = filepath.Join(dir, "main.tf")
			}
			// Map order is random: the link's folder may not exist yet.
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err = os.Symlink(target, filepath.Join(dir, name)); err != nil {
				testenv.Unavailable(t, fmt.Sprintf("symbolic links: %v", err))
			}
		default:
			if err = os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err == nil {
				err = os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadDir(t *testing.T) {
	t.Parallel()
	many := layout{}
	for i := range tfsource.MaxFiles + 1 {
		many[fmt.Sprintf("f%03d.tf", i)] = ""
	}
	big := string(padding(tfsource.MaxBytes + 1))
	half := string(padding(tfsource.MaxBytes / 2))
	tests := []struct {
		name   string
		layout layout
		want   outcome
	}{
		{
			name: "reads the .tf files and lists the rest",
			layout: layout{"main.tf": "", "variables.tf": "", "README.md": "", "terraform.tfvars": "",
				".terraform/": "", ".terraform.lock.hcl": "", "modules/": "", "modules/net/main.tf": "", "vars.tf.json": ""},
			want: outcome{
				Files: []string{"main.tf", "variables.tf"},
				Skipped: []tfsource.Skipped{
					skipped(".terraform", tfsource.Hidden), skipped(".terraform.lock.hcl", tfsource.Hidden),
					skipped("README.md", tfsource.NotTerraform), skipped("modules", tfsource.Directory),
					skipped("terraform.tfvars", tfsource.NotTerraform), skipped("vars.tf.json", tfsource.NotTerraform),
				},
			},
		},
		{
			name:   "a folder named like a .tf file",
			layout: layout{"main.tf": "", "odd.tf/": ""},
			want:   outcome{Files: []string{"main.tf"}, Skipped: []tfsource.Skipped{skipped("odd.tf", tfsource.Directory)}},
		},
		{
			name:   "a link to a file inside is read",
			layout: layout{"main.tf": "", "shared/": "", "shared/providers.tf": "", "providers.tf": ">shared/providers.tf"},
			want:   outcome{Files: []string{"main.tf", "providers.tf"}, Skipped: []tfsource.Skipped{skipped("shared", tfsource.Directory)}},
		},
		{
			name:   "a link to a folder inside is a folder",
			layout: layout{"main.tf": "", "shared/": "", "also.tf": ">shared"},
			want: outcome{Files: []string{"main.tf"}, Skipped: []tfsource.Skipped{
				skipped("also.tf", tfsource.Directory), skipped("shared", tfsource.Directory)}},
		},
		{
			name:   "a link out of the directory",
			layout: layout{"main.tf": "", "providers.tf": ">../outside.tf"},
			want:   outcome{Kind: tfsource.OutsideDirectory, Name: "providers.tf"},
		},
		{
			name:   "an absolute link, even to a file inside",
			layout: layout{"main.tf": "", "again.tf": ">ABS"},
			want:   outcome{Kind: tfsource.OutsideDirectory, Name: "again.tf"},
		},
		{
			// Not read, so nothing is followed: it is listed like any other file.
			name:   "a link out that is not a .tf file",
			layout: layout{"main.tf": "", "notes": ">../outside.tf"},
			want:   outcome{Files: []string{"main.tf"}, Skipped: []tfsource.Skipped{skipped("notes", tfsource.NotTerraform)}},
		},
		{
			name:   "too many .tf files",
			layout: many,
			want:   outcome{Kind: tfsource.TooManyFiles},
		},
		{
			name:   "a file over the limit",
			layout: layout{"main.tf": "", "big.tf": big},
			want:   outcome{Kind: tfsource.FileTooLarge, Name: "big.tf"},
		},
		{
			name:   "files over the limit together",
			layout: layout{"a.tf": half, "b.tf": half, "c.tf": "x"},
			want:   outcome{Kind: tfsource.TooLarge, Name: "c.tf"},
		},
		{
			name:   "files not read do not count towards the size",
			layout: layout{"main.tf": "", "big.bin": big},
			want:   outcome{Files: []string{"main.tf"}, Skipped: []tfsource.Skipped{skipped("big.bin", tfsource.NotTerraform)}},
		},
		{
			name:   "not UTF-8",
			layout: layout{"main.tf": "", "net.tf": "resource \"x\" \"w\xe9b\" {}\n"},
			want:   outcome{Kind: tfsource.NotUTF8, Name: "net.tf"},
		},
		{
			name:   "a NUL byte",
			layout: layout{"main.tf": "\x00"},
			want:   outcome{Kind: tfsource.NULByte, Name: "main.tf"},
		},
		{
			name:   "no .tf file",
			layout: layout{"README.md": "", "modules/": ""},
			want:   outcome{Kind: tfsource.NoTerraform},
		},
		{
			name:   "empty",
			layout: layout{},
			want:   outcome{Kind: tfsource.NoTerraform},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := tfsource.ReadDir(context.Background(), tt.layout.make(t))
			if diff := cmp.Diff(tt.want, outcomeOf(t, src, err), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("read (-want +got):\n%s\nerr: %v", diff, err)
			}
		})
	}
}

func TestReadDirKeepsTheBytes(t *testing.T) {
	t.Parallel()
	dir := layout{"main.tf": "\xef\xbb\xbflocals {}\n", "b.tf": "variable \"x\" {}\n"}.make(t)
	src, err := tfsource.ReadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []tfsource.File{{Name: "b.tf", Data: []byte("variable \"x\" {}\n")}, {Name: "main.tf", Data: []byte("locals {}\n")}}
	if diff := cmp.Diff(want, src.Files); diff != "" {
		t.Errorf("files (-want +got), sorted, with the byte order mark dropped:\n%s", diff)
	}
}

// A link that leads nowhere is not a problem the user can fix by moving files: it is an
// error reading the directory, naming the file.
func TestReadDirDanglingLink(t *testing.T) {
	t.Parallel()
	dir := layout{"main.tf": "", "gone.tf": ">nothing.tf"}.make(t)
	_, err := tfsource.ReadDir(context.Background(), dir)
	var p *tfsource.Problem
	if err == nil || errors.As(err, &p) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err %v, want a not-exist error", err)
	}
}

func TestReadDirErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing")
	if _, err := tfsource.ReadDir(context.Background(), missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing directory: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tfsource.ReadDir(ctx, layout{"main.tf": ""}.make(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v, want context.Canceled", err)
	}
}
