package tfsource_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/tfsource"
)

// TestReadRefusesDeepNesting: every way in refuses a file nested 100,000 levels deep (far
// past what the parser's recursion survives), naming it, before anything parses it.
func TestReadRefusesDeepNesting(t *testing.T) {
	t.Parallel()
	const deep = 100_000
	text := "locals {\n  x = " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n}\n"
	reads := map[string]func(t *testing.T) (*tfsource.Source, error){
		"text": func(t *testing.T) (*tfsource.Source, error) { return tfsource.ReadText(text) },
		"files": func(t *testing.T) (*tfsource.Source, error) {
			return tfsource.ReadFiles([]tfsource.File{tf("a.tf", "locals {}\n"), tf("deep.tf", text)})
		},
		"zip": func(t *testing.T) (*tfsource.Source, error) {
			z := zipOf(t, tf("a.tf", "locals {}\n"), tf("deep.tf", text))
			return tfsource.ReadZip(context.Background(), bytes.NewReader(z), int64(len(z)))
		},
		"dir": func(t *testing.T) (*tfsource.Source, error) {
			return tfsource.ReadDir(context.Background(), layout{"a.tf": "locals {}\n", "deep.tf": text}.make(t))
		},
	}
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := read(t)
			var p *tfsource.Problem
			if !errors.As(err, &p) || p.Kind != tfsource.TooDeep {
				t.Fatalf("err %v, want a TooDeep problem", err)
			}
			want := "deep.tf"
			if name == "text" {
				want = tfsource.PastedName
			}
			if p.Name != want || p.Line != 2 || p.Limit != 128 || src != nil {
				t.Errorf("problem %+v, want one on %s line 2 with the limit 128", p, want)
			}
		})
	}
}
