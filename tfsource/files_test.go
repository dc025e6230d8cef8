package tfsource_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cloudoven/cloudoven/tfsource"
)

func TestReadFiles(t *testing.T) {
	t.Parallel()
	many := make([]tfsource.File, tfsource.MaxFiles+1)
	for i := range many {
		many[i] = tf(fmt.Sprintf("f%03d.tf", i), "")
	}
	half := tfsource.File{Name: "notes.txt", Data: padding(tfsource.MaxBytes / 2)}
	tests := []struct {
		name  string
		files []tfsource.File
		want  outcome
	}{
		{
			// Someone chose each file, so a hidden one is read; the rest are listed in the
			// order given, and the files sorted.
			name:  "keeps the .tf files and lists the others",
			files: []tfsource.File{tf("variables.tf", ""), tf("README.md", ""), tf("main.tf", ""), tf(".extra.tf", ""), tf("a.tf.json", "{}")},
			want: outcome{Files: []string{".extra.tf", "main.tf", "variables.tf"}, Skipped: []tfsource.Skipped{
				skipped("README.md", tfsource.NotTerraform), skipped("a.tf.json", tfsource.NotTerraform)}},
		},
		{
			name:  "the same name twice",
			files: []tfsource.File{tf("main.tf", ""), tf("main.tf", "")},
			want:  outcome{Kind: tfsource.Duplicate, Name: "main.tf"},
		},
		{
			name:  "one file over the limit",
			files: []tfsource.File{{Name: "main.tf", Data: padding(tfsource.MaxFileBytes + 1)}},
			want:  outcome{Kind: tfsource.FileTooLarge, Name: "main.tf"},
		},
		{
			// What was uploaded is in memory already: every file counts.
			name:  "files over the limit together, counting those not read",
			files: []tfsource.File{half, {Name: "main.tf", Data: padding(tfsource.MaxBytes / 2)}, tf("x.tf", "x")},
			want:  outcome{Kind: tfsource.TooLarge, Name: "x.tf"},
		},
		{
			name:  "too many .tf files",
			files: many,
			want:  outcome{Kind: tfsource.TooManyFiles},
		},
		{
			name:  "no .tf file",
			files: []tfsource.File{tf("README.md", "")},
			want:  outcome{Kind: tfsource.NoTerraform},
		},
		{
			name:  "nothing",
			files: nil,
			want:  outcome{Kind: tfsource.NoTerraform},
		},
		{
			name:  "not UTF-8",
			files: []tfsource.File{tf("main.tf", "\xff")},
			want:  outcome{Kind: tfsource.NotUTF8, Name: "main.tf"},
		},
		{
			// Only configuration is read as text.
			name:  "a file not read need not be text",
			files: []tfsource.File{tf("main.tf", ""), tf("logo.png", "\x89PNG\x00\xff")},
			want:  outcome{Files: []string{"main.tf"}, Skipped: []tfsource.Skipped{skipped("logo.png", tfsource.NotTerraform)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := tfsource.ReadFiles(tt.files)
			if diff := cmp.Diff(tt.want, outcomeOf(t, src, err), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("read (-want +got):\n%s\nerr: %v", diff, err)
			}
		})
	}
}

func TestReadText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want outcome
	}{
		{name: "pasted.tf", text: "locals {}\n", want: outcome{Files: []string{tfsource.PastedName}}},
		{name: "not UTF-8", text: "locals {}\n\xc3", want: outcome{Kind: tfsource.NotUTF8, Name: tfsource.PastedName}},
		{name: "a NUL byte", text: "\x00", want: outcome{Kind: tfsource.NULByte, Name: tfsource.PastedName}},
		{name: "too large", text: strings.Repeat("#", tfsource.MaxFileBytes+1), want: outcome{Kind: tfsource.FileTooLarge, Name: tfsource.PastedName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := tfsource.ReadText(tt.text)
			if diff := cmp.Diff(tt.want, outcomeOf(t, src, err), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("read (-want +got):\n%s\nerr: %v", diff, err)
			}
		})
	}
}
