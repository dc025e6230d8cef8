package crawler

import (
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

// ParseDoc parses one documentation page into a catalog.Doc. Two page shapes are understood:
// the hand-written one (azurerm, azuread: "## Arguments Reference" with bullets like
// "* `name` - (Required) text" and nested blocks introduced by "A `block` block supports the
// following:") and the tfplugindocs one (kubernetes, helm, random: "## Schema" with
// "### Nested Schema for `a.b`").
//
// Arguments and attributes are keyed by their schema path ("network_profile.
// load_balancer_profile.idle_timeout_in_minutes"). Hand-written pages name a nested block
// only by its last name, so the block is looked up in schema: it sits where a bullet of the
// page references it, and failing that where the schema has a block of that name (see
// docParser.resolve). schema may be nil; keys are then the block names as the page gives them.
//
// Descriptions are kept whole, as markdown, with the callouts ("~> **Note:** ...") that follow
// an argument appended, because the rules forms and validation need ("Possible values are",
// "Defaults to", "Changing this forces a new resource to be created", "one of either `a` or
// `b` must be specified") live in that prose. Body and Import keep their callouts too; Notes
// lists every callout of the page, wherever it stands.
//
// ParseDoc fails only on an empty page; anything else it does not understand is skipped.
func ParseDoc(provider string, page Page, schema *tfjson.Schema) (*catalog.Doc, error) {
	text := normalizeNewlines(page.Markdown)
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("parsing the page of %s: %w", page.TypeName(provider), errEmptyPage)
	}
	front, text := splitFrontMatter(text)
	md := readMarkdown(text)
	lines := md.lines

	p := newDocParser(schema)
	doc := p.doc
	doc.Subcategory = front["subcategory"]
	if doc.Subcategory == "" {
		doc.Subcategory = page.Subcategory
	}

	// The lead section runs from the title to the first "##" heading.
	start, end := 0, len(lines)
	for _, i := range md.headings {
		l := lines[i]
		if l.level == 1 && doc.Title == "" {
			doc.Title = cleanTitle(l.heading)
			start = i + 1
			continue
		}
		if l.level <= 2 {
			end = i
			break
		}
	}
	if start > end {
		start = end
	}
	doc.Body = joinLines(lines[start:end])
	if doc.Title == "" {
		doc.Title = page.Title
	}
	if doc.Title == "" {
		doc.Title = page.TypeName(provider)
	}
	doc.Description = oneLine(front["description"])
	if doc.Description == "" {
		doc.Description = firstSentence(leadParagraph(lines[start:end]))
	}

	for i := 0; i < len(lines); i++ {
		if k, text, n := noteAt(lines, i); n > 0 {
			doc.Notes = append(doc.Notes, catalog.Note{Kind: k, Text: noteText(text)})
			i += n - 1
		}
	}

	for _, s := range md.sections(end) {
		title := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(s.title, "`", "")))
		body := lines[s.start+1 : s.end]
		switch {
		case strings.HasPrefix(title, "argument"), strings.HasPrefix(title, "nested block"), strings.HasPrefix(title, "block"):
			p.walkReference(body, modeArguments, false)
		case strings.HasPrefix(title, "attribute"):
			p.walkReference(body, modeAttributes, false)
		case title == "schema":
			p.walkReference(body, modeArguments, false)
		case strings.HasPrefix(title, "timeout"):
			p.walkReference(body, modeTimeouts, false)
		case strings.HasPrefix(title, "import"):
			if doc.Import == "" {
				doc.Import = joinLines(body)
			}
		case strings.Contains(title, "example") || strings.Contains(title, "usage"):
			doc.Examples = append(doc.Examples, md.examples(s)...)
			p.walkReference(body, modeArguments, true)
		default:
			p.walkReference(body, modeArguments, true)
		}
	}
	p.resolve()
	p.store()
	if len(doc.Arguments) == 0 {
		doc.Arguments = nil
	}
	if len(doc.Attributes) == 0 {
		doc.Attributes = nil
	}
	if len(doc.Timeouts) == 0 {
		doc.Timeouts = nil
	}
	return doc, nil
}
