package crawler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReadMarkdown pins how a page's lines are classified where CommonMark would read them
// otherwise (see markdownParser): each line of want is "code", "h<level> <heading>" or "".
func TestReadMarkdown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		page string
		want []string
	}{{
		name: "a comment in HCL is not a heading",
		page: "# Title\n```hcl\n# comment\n```\n## Next",
		want: []string{"h1 Title", "code", "code", "code", "h2 Next"},
	}, {
		name: "setext underlines are text",
		page: "Arguments\n---\nText\n===",
		want: []string{"", "", "", ""},
	}, {
		name: "an HTML anchor does not swallow the heading below it",
		page: "<a id=\"nestedblock--x\"></a>\n### Nested Schema for `x`\n<!-- c -->\n## Next",
		want: []string{"", "h3 Nested Schema for `x`", "", "h2 Next"},
	}, {
		name: "indented lines after a blank one are text, and reading goes on",
		page: "text\n\n    base64(\n    # not a heading\n## Next",
		want: []string{"", "", "", "", "h2 Next"},
	}, {
		name: "a fence indented under a numbered step",
		page: "1. Step:\n\n    ```terraform\n    # comment\n    ```\n\n## Next",
		want: []string{"", "", "code", "code", "code", "", "h2 Next"},
	}, {
		name: "a fence under a bullet runs to its closing fence past the bullet's indentation",
		page: "* `a` - example:\n  ```hcl\nresource \"x\" \"y\" {\n# comment\n}\n  ```\n## Next",
		want: []string{"", "code", "code", "code", "code", "code", "h2 Next"},
	}, {
		name: "fences indented by tabs, closed far indented",
		page: "\t\t```\n# a\n        ```\n\t```\n# b\n```\n# c",
		want: []string{"code", "code", "code", "code", "code", "code", "h1 c"},
	}, {
		name: "a closing fence is as long as the opening one, of the same character",
		page: "````\n```\n~~~~\n````  \n# x",
		want: []string{"code", "code", "code", "code", "h1 x"},
	}, {
		name: "a backtick fence's info holds no backtick",
		page: "```x`y\n# x\n~~~x`y\n# y",
		want: []string{"", "h1 x", "code", "code"},
	}, {
		name: "an unclosed fence runs to the end of the page",
		page: "## A\n```\n\n## B\n",
		want: []string{"h2 A", "code", "code", "code", "code"},
	}, {
		name: "heading texts",
		page: "#\n## Example#\n###   Spaced ###  \n   # Indented\n    # four spaces\n#NoSpace\n####### seven\n##\tTab",
		want: []string{"h1 ", "h2 Example", "h3 Spaced", "h1 Indented", "", "", "", "h2 Tab"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			md := readMarkdown(tc.page)
			var got []string
			for _, l := range md.lines {
				switch {
				case l.code:
					got = append(got, "code")
				case l.level > 0:
					got = append(got, fmt.Sprintf("h%d %s", l.level, l.heading))
				default:
					got = append(got, "")
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%q (-want +got):\n%s", tc.page, diff)
			}
		})
	}
}

// TestMarkdownExamples: an example is a fenced block's content, dedented by its fence's
// indentation; untagged blocks count when they look like HCL.
func TestMarkdownExamples(t *testing.T) {
	t.Parallel()
	page := strings.Join([]string{
		"## Example Usage",
		"```hcl",
		"resource \"a\" \"b\" {}",
		"```",
		"  ```terraform",
		"  locals {",
		"    x = 1",
		"  }",
		"  ```",
		"```shell",
		"terraform import a.b id",
		"```",
		"```",
		"data \"a\" \"b\" {}",
		"```",
		"```",
		"not hcl",
		"```",
		"## Import",
		"```hcl",
		"resource \"c\" \"d\" {}",
		"```",
	}, "\n")
	md := readMarkdown(page)
	got := md.examples(md.sections(0)[0])
	want := []string{"resource \"a\" \"b\" {}", "locals {\n  x = 1\n}", "data \"a\" \"b\" {}"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("examples (-want +got):\n%s", diff)
	}
}
