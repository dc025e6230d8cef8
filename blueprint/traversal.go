package blueprint

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// Every HCL text of a blueprint, however it came (a document, the editor, an environment,
// an import), is parsed by parseRef or parseExpr, and both first hold it to hcllimit's
// limits: hclsyntax's parser and the walks over its trees recurse once a level of nesting,
// and a stack overflow would stop the whole server rather than refuse the text.

// parseRef parses a reference such as azurerm_kubernetes_cluster.aks.kube_config[0].host.
func parseRef(ref string) (hcl.Traversal, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, fmt.Errorf("the reference is empty")
	}
	if err := hcllimit.Expression(ref); err != nil {
		return nil, err
	}
	trav, diags := hclsyntax.ParseTraversalAbs([]byte(ref), "", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%q is not a reference: %s", ref, diagsText(diags))
	}
	return trav, nil
}

// parseExpr parses a raw expression and rejects trailing text.
func parseExpr(src string) (hclsyntax.Expression, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("the expression is empty")
	}
	if err := hcllimit.Expression(src); err != nil {
		return nil, err
	}
	// A heredoc's closing marker must end its line; a trailing newline is harmless elsewhere.
	if !strings.HasSuffix(src, "\n") {
		src += "\n"
	}
	expr, diags := hclsyntax.ParseExpression([]byte(src), "", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s", diagsText(diags))
	}
	return expr, nil
}

func diagsText(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		s := d.Summary
		if d.Detail != "" {
			s += ": " + d.Detail
		}
		if d.Subject != nil {
			s = fmt.Sprintf("column %d: %s", d.Subject.Start.Column, s)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// traversals returns every reference a value makes, or the problem that stops it being read.
func (v Value) traversals() ([]hcl.Traversal, error) {
	switch v.Kind {
	case ReferenceKind:
		t, err := parseRef(v.Ref)
		if err != nil {
			return nil, err
		}
		return []hcl.Traversal{t}, nil
	case ExpressionKind:
		e, err := parseExpr(v.Expr)
		if err != nil {
			return nil, err
		}
		return e.Variables(), nil
	case ListKind:
		var out []hcl.Traversal
		for _, item := range v.List {
			t, err := item.traversals()
			if err != nil {
				return nil, err
			}
			out = append(out, t...)
		}
		return out, nil
	case MapKind:
		var out []hcl.Traversal
		for _, k := range v.SortedKeys() {
			t, err := v.Map[k].traversals()
			if err != nil {
				return nil, err
			}
			out = append(out, t...)
		}
		return out, nil
	}
	return nil, nil
}

// stepName returns the attribute name of a traversal step, or "" for an index step.
func stepName(s hcl.Traverser) string {
	switch s := s.(type) {
	case hcl.TraverseRoot:
		return s.Name
	case hcl.TraverseAttr:
		return s.Name
	}
	return ""
}

// traversalString renders a traversal the way it would be written.
func traversalString(t hcl.Traversal) string {
	var b strings.Builder
	for _, s := range t {
		switch s := s.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type().FriendlyName() == "string" {
				fmt.Fprintf(&b, "[%q]", s.Key.AsString())
			} else {
				fmt.Fprintf(&b, "[%s]", s.Key.AsBigFloat().Text('f', -1))
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}
