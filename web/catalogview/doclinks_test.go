package catalogview

import (
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web/page"
)

func TestSiblingDocLinks(t *testing.T) {
	t.Parallel()
	cat := testenv.Catalog(t)
	s := New(page.NewFrame(nil, nil, nil, nil), func() *catalog.Catalog { return cat }, nil)
	resolve := s.docLinks("azurerm", "resource")
	tests := map[string]string{
		"public_ip.html":                               "/catalog/types/resource/azurerm_public_ip",
		"./key_vault.html.markdown":                    "/catalog/types/resource/azurerm_key_vault",
		"../d/client_config.html":                      "/catalog/types/data/azurerm_client_config",
		"/docs/providers/azurerm/r/public_ip.html":     "/catalog/types/resource/azurerm_public_ip",
		"/docs/providers/azurerm/r/public_ip.html#foo": "/catalog/types/resource/azurerm_public_ip",
		"/docs/state/sensitive-data.html":              "",
		"no_such_type.html":                            "",
		"../guides/upgrade.html":                       "",
	}
	for dest, want := range tests {
		got, ok := resolve(dest)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("%s resolves to %q, want %q", dest, got, want)
		}
	}
}
