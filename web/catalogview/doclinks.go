package catalogview

import (
	"regexp"

	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// siblingDoc matches a link to another page of the same provider's docs; the groups are the
// directory (r or d, when named) and the page's name without the provider prefix.
var siblingDoc = regexp.MustCompile(`^(?:/docs/providers/[a-z0-9-]+/|\.\./|\./)?(?:(r|d)/)?([a-z0-9_]+)(?:\.html)+(?:\.markdown)?(?:#.*)?$`)

// docLinks resolves links of a doc page of provider's type of kind to the catalog's type
// pages: a page named without a directory is a sibling of the same kind.
func (s *Handlers) docLinks(provider string, kind string) page.DocLinkResolver {
	return func(dest string) (string, bool) {
		m := siblingDoc.FindStringSubmatch(dest)
		if m == nil {
			return "", false
		}
		k := kind
		switch m[1] {
		case "r":
			k = "resource"
		case "d":
			k = "data"
		}
		name := provider + "_" + m[2]
		if s.catalog().Lookup(schemaKind(k), name) == nil {
			return "", false
		}
		return paths.CatalogType(k, name), true
	}
}
