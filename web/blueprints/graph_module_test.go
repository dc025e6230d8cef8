package blueprints_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// Module calls are nodes of the graph, with the references to and from them as arrows, and
// each opens the editor's module calls.
func TestGraphModuleCalls(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", `{"format": 1, "name": "mods",
  "resources": [
    {"type": "terraform_data", "name": "base", "config": {"input": {"literal": "x"}}},
    {"type": "terraform_data", "name": "web", "config": {"input": {"ref": "module.net.id"}}}
  ],
  "modules": [{"name": "net", "source": "Azure/network/azurerm", "version": "5.3.0", "inputs": {"name": {"ref": "terraform_data.base.output"}}}]}`, "")
	w := a.Get(paths.Graph("team", "mods", 1), false)
	webtest.WantStatus(t, w, http.StatusOK)
	got := parseSVG(t, w.Body.Bytes())
	want := map[string]string{
		"terraform_data.base": paths.EditItem("team", "mods", "terraform_data.base"),
		"terraform_data.web":  paths.EditItem("team", "mods", "terraform_data.web"),
		"module.net":          paths.EditItem("team", "mods", "module.net"),
	}
	if diff := cmp.Diff(want, got.links); diff != "" {
		t.Errorf("node links (-want +got):\n%s", diff)
	}
	if got.arrows != 2 {
		t.Errorf("%d arrows, want web → module.net → base", got.arrows)
	}
	webtest.WantStatus(t, a.Get(paths.EditItem("team", "mods", "module.net"), false), http.StatusOK)
}
