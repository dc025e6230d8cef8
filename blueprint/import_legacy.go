// Reading legacy syntax Terraform 0.11 wrote, converted to the form Terraform 1.x writes.

package blueprint

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// quotedReference reads a reference written as a string, "azurerm_subnet.main" or "tags":
// Terraform 1.5 still accepts that form in depends_on, ignore_changes and a resource's
// provider argument (with a deprecation warning). It is kept as the reference, with a note
// saying so, since the generator writes references unquoted.
func (im *importer) quotedReference(p string, e hclsyntax.Expression) (string, bool) {
	s, ok := im.literalString(e)
	if !ok {
		return "", false
	}
	t, diags := hclsyntax.ParseTraversalAbs([]byte(s), im.name, e.Range().Start)
	if diags.HasErrors() {
		return "", false
	}
	ref := traversalString(t)
	if _, err := parseRef(ref); err != nil {
		return "", false
	}
	im.note(p, e.Range(), "quoted reference converted", "%q is written %s: Terraform 0.11 needed the quotes, Terraform 1.x deprecates them", s, ref)
	return ref, true
}

// quotedTypes are Terraform 0.11's type constraints, written in quotes, and what they mean.
var quotedTypes = map[string]string{"string": "string", "list": "list(string)", "map": "map(string)"}

// quotedType reads a variable type constraint in quotes, "string", "list" or "map".
// Terraform 1.x refuses that form ("Invalid quoted type constraints") and says what to write
// instead; since what was meant is certain, import writes it so, with a note.
func (im *importer) quotedType(p string, e hclsyntax.Expression) (string, bool) {
	s, ok := im.literalString(e)
	if !ok {
		return "", false
	}
	t, ok := quotedTypes[s]
	if !ok {
		return "", false
	}
	im.note(p, e.Range(), "quoted type constraint converted", "type = %q is written type = %s: Terraform 0.11 needed the quotes, Terraform 1.x refuses them", s, t)
	return t, true
}
