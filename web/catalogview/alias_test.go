package catalogview_test

import (
	"net/http"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestCatalogSearchFindsWhatPeopleType: the catalog page lists the type an abbreviation
// stands for first, though its docs only use the long name.
func TestCatalogSearchFindsWhatPeopleType(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	for q, want := range map[string]string{
		"aks":   "azurerm_kubernetes_cluster",
		"vnet":  "azurerm_virtual_network",
		"nsg":   "azurerm_network_security_group",
		"kv":    "azurerm_key_vault",
		"pip":   "azurerm_public_ip",
		"appgw": "azurerm_application_gateway",
	} {
		w := a.Get(paths.Catalog(q), true)
		webtest.WantStatus(t, w, http.StatusOK)
		doc := webtest.WantFragment(t, w, "catalog-results")
		first := doc.Find("li.type-row").First().AttrOr("data-type", "")
		if first != want {
			t.Errorf("search %q lists %q first, want %s", q, first, want)
		}
	}
}
