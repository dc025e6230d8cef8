package catalogview

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/catalog"
)

func TestGroupMatches(t *testing.T) {
	t.Parallel()
	aws := &catalog.Provider{Source: "example.com/x/aws", Name: "aws", Version: "1.0.0"}
	gcp := &catalog.Provider{Source: "example.com/x/gcp", Name: "gcp", Version: "2.0.0"}
	typ := func(p *catalog.Provider, name string, kind catalog.Kind, doc *catalog.Doc) catalog.Match {
		return catalog.Match{Type: &catalog.Type{Name: name, Kind: kind, Provider: p, Doc: doc}}
	}
	doc := func(sub, title, desc string) *catalog.Doc {
		return &catalog.Doc{Subcategory: sub, Title: title, Description: desc}
	}
	matches := []catalog.Match{
		typ(gcp, "gcp_vm", catalog.KindResource, doc("Compute", "gcp_vm", "Manages a VM. Long text.")),
		typ(aws, "aws_vm", catalog.KindResource, nil),
		typ(gcp, "gcp_disk", catalog.KindResource, doc("Storage", "A disk", "")),
		typ(gcp, "gcp_vm", catalog.KindDataSource, doc("Compute", "", "Reads a VM.")),
		typ(aws, "aws_disk", catalog.KindResource, doc("  ", "", "")),
		typ(aws, "aws_net", catalog.KindResource, doc("Network", "", "")),
	}
	want := []resultGroup{
		{Source: "example.com/x/gcp", Name: "gcp", Version: "2.0.0", Subcategories: []subcategoryGroup{
			{Name: "Compute", Types: []typeRow{
				{Name: "gcp_vm", Kind: "resource", Summary: "Manages a VM."},
				{Name: "gcp_vm", Kind: "data", Summary: "Reads a VM."},
			}},
			{Name: "Storage", Types: []typeRow{{Name: "gcp_disk", Kind: "resource", Title: "A disk"}}},
		}},
		{Source: "example.com/x/aws", Name: "aws", Version: "1.0.0", Subcategories: []subcategoryGroup{
			{Name: "Other", Types: []typeRow{{Name: "aws_vm", Kind: "resource"}, {Name: "aws_disk", Kind: "resource"}}},
			{Name: "Network", Types: []typeRow{{Name: "aws_net", Kind: "resource"}}},
		}},
	}
	if diff := cmp.Diff(want, groupMatches(matches)); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestSummaryLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 50)
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"one sentence", "Manages a Kubernetes Cluster.", "Manages a Kubernetes Cluster."},
		{"first sentence only", "Manages a thing. Use it well.", "Manages a thing."},
		{"spaces folded", "Manages\n  a   thing", "Manages a thing"},
		{"callout marker dropped", "-> Prefer the ephemeral one. More.", "Prefer the ephemeral one."},
		{"long cut at a word", long, strings.TrimSpace(strings.Repeat("word ", 32)) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := summaryLine(tc.in)
			if got != tc.want {
				t.Errorf("summaryLine(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if n := len([]rune(got)); n > maxSummaryLen+1 {
				t.Errorf("summary is %d characters long", n)
			}
		})
	}
}

func TestWithoutLead(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, description, want string }{
		{"Manages a Thing.\n\nMore.", "manages a thing", "More."},
		{"Manages a Thing.", "Manages a Thing", ""},
		{"Something else.\n\nMore.", "Manages a Thing", "Something else.\n\nMore."},
		{"Manages a Thing.", "", "Manages a Thing."},
	}
	for _, tt := range tests {
		if got := withoutLead(tt.body, tt.description); got != tt.want {
			t.Errorf("withoutLead(%q, %q) = %q, want %q", tt.body, tt.description, got, tt.want)
		}
	}
}
