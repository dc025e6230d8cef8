package tfsource_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/hcllimit"
	"github.com/cloudoven/cloudoven/tfsource"
)

// Every source checks its .tf files the same way; pasted text is the shortest way in.
func TestTextChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		text     string
		want     []byte            // the file as read
		wantProb *tfsource.Problem // or the problem, with where it is
	}{
		{name: "plain", text: "locals {}\n", want: []byte("locals {}\n")},
		{name: "a byte order mark is dropped", text: "\xef\xbb\xbflocals {}\n", want: []byte("locals {}\n")},
		{name: "only the first byte order mark", text: "\xef\xbb\xbf\xef\xbb\xbf", want: []byte("\xef\xbb\xbf")},
		{name: "multi-byte characters", text: "# café ☕ 🍰\n", want: []byte("# café ☕ 🍰\n")},
		{name: "empty", text: "", want: []byte{}},
		{
			name:     "a Latin-1 byte",
			text:     "locals {\n  a = \"caf\xe9\"\n}\n",
			wantProb: &tfsource.Problem{Kind: tfsource.NotUTF8, Name: tfsource.PastedName, Line: 2, Offset: 19},
		},
		{
			// The offset is in the file as it was given, byte order mark included.
			name:     "after a byte order mark",
			text:     "\xef\xbb\xbf\n\xff",
			wantProb: &tfsource.Problem{Kind: tfsource.NotUTF8, Name: tfsource.PastedName, Line: 2, Offset: 4},
		},
		{
			name:     "a character cut short at the end",
			text:     "# caf\xc3",
			wantProb: &tfsource.Problem{Kind: tfsource.NotUTF8, Name: tfsource.PastedName, Line: 1, Offset: 5},
		},
		{
			name:     "an encoded surrogate",
			text:     "# \xed\xa0\x80",
			wantProb: &tfsource.Problem{Kind: tfsource.NotUTF8, Name: tfsource.PastedName, Line: 1, Offset: 2},
		},
		{
			name:     "a NUL byte",
			text:     "locals {}\n\n# \x00\n",
			wantProb: &tfsource.Problem{Kind: tfsource.NULByte, Name: tfsource.PastedName, Line: 3, Offset: 13},
		},
		{
			// The parser recurses once a level: nesting is bounded before it parses.
			name:     "nested too deep",
			text:     "locals {\n  x = " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n}\n",
			wantProb: &tfsource.Problem{Kind: tfsource.TooDeep, Name: tfsource.PastedName, Line: 2, Column: 134, Offset: 142, Limit: hcllimit.MaxNesting},
		},
		{
			// Nesting is counted on the lexer's tokens: brackets in comments, strings and
			// heredocs are text.
			name: "brackets in comments, strings and heredocs",
			text: "# " + strings.Repeat("[", 200) + "\nlocals {\n  x = \"" + strings.Repeat("(", 200) + "\"\n  y = <<EOT\n" + strings.Repeat("{", 200) + "\nEOT\n}\n",
			want: []byte("# " + strings.Repeat("[", 200) + "\nlocals {\n  x = \"" + strings.Repeat("(", 200) + "\"\n  y = <<EOT\n" + strings.Repeat("{", 200) + "\nEOT\n}\n"),
		},
		{
			// UTF-16 starts with a byte order mark of its own and is full of NUL bytes.
			name:     "UTF-16",
			text:     "\xff\xfel\x00o\x00",
			wantProb: &tfsource.Problem{Kind: tfsource.NotUTF8, Name: tfsource.PastedName, Line: 1, Offset: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := tfsource.ReadText(tt.text)
			if tt.wantProb != nil {
				var p *tfsource.Problem
				if !errors.As(err, &p) {
					t.Fatalf("err %v, want %v", err, tt.wantProb)
				}
				if diff := cmp.Diff(tt.wantProb, p); diff != "" {
					t.Errorf("problem (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, src.Files[0].Data); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
		})
	}
}
