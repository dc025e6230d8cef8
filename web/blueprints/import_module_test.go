package blueprints_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// A zip of a configuration that calls a local module and a registry one imports without
// anything left out: the version page shows the module calls and the module's file, and
// the version's zip holds that file in its folder.
func TestImportTerraformWithModules(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	netMain := "variable \"name\" {\n  type = string\n}\n\noutput \"id\" {\n  value = var.name\n}\n"
	archive := zipOf(t, under("infra", []namedFile{
		{"main.tf", []byte("module \"net\" {\n  source = \"./modules/net\"\n\n  name = \"demo\"\n}\n\n" +
			"module \"aks\" {\n  source  = \"Azure/aks/azurerm\"\n  version = \"~> 9.0\"\n\n  prefix = module.net.id\n}\n\n" +
			"resource \"terraform_data\" \"web\" {\n  input = module.net.id\n\n  depends_on = [module.aks]\n}\n")},
		{"modules/net/main.tf", []byte(netMain)},
	})...)
	w := postFiles(a, tfUpload{fields: map[string]string{"name": "mods", "message": "with modules"}, files: []namedFile{{"mods.zip", archive}}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if got, want := w.Header().Get("Location"), paths.BlueprintVersion("team", "mods", 1); got != want {
		t.Fatalf("Location %q, want %q", got, want)
	}
	doc := webtest.WantFullPage(t, a.Get(w.Header().Get("Location"), false))
	main := webtest.WantOne(t, doc, "file-main.tf")
	for _, want := range []string{"module \"net\" {\n  source = \"./modules/net\"", "version = \"~> 9.0\"", "input = module.net.id", "depends_on = [module.aks]"} {
		if !strings.Contains(main, want) {
			t.Errorf("main.tf lacks %q:\n%s", want, main)
		}
	}
	if got := webtest.WantOne(t, doc, "file-modules/net/main.tf"); strings.TrimSpace(got) != strings.TrimSpace(netMain) {
		t.Errorf("modules/net/main.tf shown as\n%s", got)
	}

	z := a.Get(paths.VersionZip("team", "mods", 1), false)
	webtest.WantStatus(t, z, http.StatusOK)
	zr, err := zip.NewReader(bytes.NewReader(z.Body.Bytes()), int64(z.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range zr.File {
		if f.Name != "modules/net/main.tf" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		found = string(data) == netMain
	}
	if !found {
		t.Errorf("the zip lacks modules/net/main.tf as imported")
	}
}
