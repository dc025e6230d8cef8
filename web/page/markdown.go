package page

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/a-h/templ"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// Provider docs are markdown written for registry.terraform.io. They are third-party text, so
// they are rendered in two steps: goldmark (which omits raw HTML and drops dangerous link
// schemes on its own) and then bluemonday, which is the real guarantee: whatever goldmark
// lets through, only user-generated-content HTML with http, https, mailto or relative links
// leaves this file.
var (
	markdown  = goldmark.New()
	sanitizer = newSanitizer()
)

func newSanitizer() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireNoFollowOnLinks(true)
	// The walk below sets rel="nofollow noopener" on every link; bluemonday keeps it and
	// would add nofollow had it gone missing.
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")
	return p
}

// DocLinkResolver maps a relative link of a doc page to a URL of CloudOven; ok is false when
// the link has no counterpart here.
type DocLinkResolver func(dest string) (href string, ok bool)

// Markdown renders untrusted markdown as sanitized HTML. Relative links are unwrapped
// to their text: they point into registry.terraform.io's site and would 404 in CloudOven.
func Markdown(md string) templ.Component { return DocMarkdown(md, nil) }

// DocMarkdown is Markdown where links to sibling doc pages
// (`kubernetes_cluster.html`, `../d/client_config.html`, `/docs/providers/azurerm/r/x.html`)
// become links to the type pages of the catalog through resolve. Any other relative link,
// or one resolve does not know, is unwrapped to its text.
func DocMarkdown(md string, resolve DocLinkResolver) templ.Component {
	html := markdownHTML(md, resolve)
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, html)
		return err
	})
}

func markdownHTML(md string, resolve DocLinkResolver) string {
	md = strings.TrimSpace(calloutsAsQuotes(md))
	if md == "" {
		return ""
	}
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	fixLinks(doc, resolve)
	var buf bytes.Buffer
	if err := markdown.Renderer().Render(&buf, src, doc); err != nil {
		// Rendering into a buffer fails only on a bug; show the text rather than nothing.
		return "<p>" + templ.EscapeString(md) + "</p>"
	}
	return sanitizer.Sanitize(buf.String())
}

// calloutPrefix matches the registry's callout syntax at a line start: "-> note",
// "~> warning", "!> caution".
var calloutPrefix = regexp.MustCompile(`(?m)^[ \t]*(?:->|~>|!>)[ \t]+`)

// calloutsAsQuotes turns callouts into blockquotes, which is how plain markdown shows them.
func calloutsAsQuotes(md string) string { return calloutPrefix.ReplaceAllString(md, "> ") }

// WithoutCallouts drops the paragraphs that are callouts, for text whose notes the page shows
// separately.
func WithoutCallouts(md string) string {
	paras := strings.Split(md, "\n\n")
	kept := paras[:0]
	for _, p := range paras {
		if calloutPrefix.MatchString(p) && calloutPrefix.FindStringIndex(p)[0] == 0 {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "\n\n")
}

// fixLinks keeps absolute links, resolves relative ones, and unwraps what is left.
func fixLinks(doc ast.Node, resolve DocLinkResolver) {
	var links []*ast.Link
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			links = append(links, l)
		}
		return ast.WalkContinue, nil
	})
	// The tree changes only after the walk, which would otherwise lose its place.
	for _, l := range links {
		dest := strings.TrimSpace(string(l.Destination))
		switch {
		case isAbsoluteLink(dest):
		case resolve != nil:
			href, ok := resolve(dest)
			if !ok {
				unwrap(l)
				continue
			}
			l.Destination = []byte(href)
		default:
			unwrap(l)
			continue
		}
		l.SetAttributeString("rel", []byte("nofollow noopener"))
	}
}

func isAbsoluteLink(dest string) bool {
	u, err := url.Parse(dest)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	case "mailto":
		return true
	}
	return false
}

// unwrap replaces a link by its children, keeping the text.
func unwrap(l *ast.Link) {
	parent := l.Parent()
	if parent == nil {
		return
	}
	for c := l.FirstChild(); c != nil; {
		next := c.NextSibling()
		parent.InsertBefore(parent, l, c)
		c = next
	}
	parent.RemoveChild(parent, l)
}
