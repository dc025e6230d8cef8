package crawler

import "github.com/cloudoven/cloudoven/catalog"

// Page is one provider documentation page as a docs source delivers it (the registry's
// provider-docs API or a local docs directory), before parsing.
type Page struct {
	Kind        catalog.Kind // resource or data source
	Slug        string       // kubernetes_cluster: the type name without the provider prefix
	Subcategory string       // from the registry's listing, when it gives one
	Title       string
	Path        string // where the page came from, for error messages: website/docs/r/kubernetes_cluster.html.markdown
	Markdown    string // the page, front matter included
}

// TypeName is the full type name the page documents: azurerm + kubernetes_cluster.
func (p Page) TypeName(provider string) string {
	if p.Slug == provider || len(p.Slug) > len(provider) && p.Slug[:len(provider)+1] == provider+"_" {
		return p.Slug // some providers' slugs already carry the prefix
	}
	return provider + "_" + p.Slug
}
