// Reading legacy syntax Terraform 0.11 wrote, converted to the form Terraform 1.x writes.

package blueprint

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// providerVersion reads the version argument of a provider block, which Terraform 0.12
// used to constrain the provider and Terraform 1.5 still accepts (deprecated): it becomes
// the provider's required_providers version, ANDed with one stated there, as Terraform
// combines them. Import's last step merges it (required_providers may come in a later file).
func (im *importer) providerVersion(p, name string, a *hclsyntax.Attribute) {
	s, ok := im.literalString(a.Expr)
	if !ok {
		im.err(p+".version", a.SrcRange, "version must be a string", "write a version constraint such as \"~> 3.0\" in required_providers")
		return
	}
	im.note(p+".version", a.SrcRange, "provider version moved to required_providers", "version = %q in a provider block is Terraform 0.12's form; the blueprint states it in required_providers", s)
	im.versions = append(im.versions, [2]string{name, s})
}

// mergeProviderVersions adds the versions of provider blocks to required_providers.
func (im *importer) mergeProviderVersions() {
	for _, nv := range im.versions {
		name, version := nv[0], nv[1]
		found := false
		for i := range im.b.RequiredProviders {
			rp := &im.b.RequiredProviders[i]
			if rp.Name != name {
				continue
			}
			found = true
			if rp.Version == "" {
				rp.Version = version
			} else if rp.Version != version {
				rp.Version += ", " + version
			}
		}
		if !found {
			im.b.RequiredProviders = append(im.b.RequiredProviders, RequiredProvider{Name: name, Source: "hashicorp/" + name, Version: version})
		}
	}
}

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
