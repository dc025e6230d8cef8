package blueprints_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// configAsTheDocsWriteIt is what terraform validate accepts and a provider's docs show: no
// terraform block, no provider block, a number in quotes, a legacy quoted reference.
const configAsTheDocsWriteIt = `
resource "azurerm_resource_group" "example" {
  name     = "example-resources"
  location = "West Europe"
}

resource "azurerm_network_security_rule" "rdp" {
  name                        = "rdp"
  resource_group_name         = azurerm_resource_group.example.name
  network_security_group_name = "nsg"
  priority                    = "100"
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  destination_port_range      = 3389
  depends_on                  = ["azurerm_resource_group.example"]
}
`

// TestImportTerraformAsTerraformAcceptsIt: what terraform validate accepts is imported at
// once; the notes (an implied provider pinned, a literal Terraform converts, a quoted
// reference) do not ask the user to import anyway.
func TestImportTerraformAsTerraformAcceptsIt(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	w := a.PostForm(paths.Blueprints("team"), url.Values{"name": {"rules"}, "document_text": {configAsTheDocsWriteIt}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	doc := webtest.WantFullPage(t, a.Get(w.Header().Get("Location"), false))
	main := webtest.WantOne(t, doc, "file-main.tf")
	for _, want := range []string{`source  = "hashicorp/azurerm"`, `version = "~> 5.2"`, `priority                    = "100"`, `destination_port_range      = 3389`, `depends_on = [azurerm_resource_group.example]`} {
		if !strings.Contains(main, want) {
			t.Errorf("main.tf lacks %s:\n%s", want, main)
		}
	}
}

// TestImportTerraformListsNotesBesideWhatIsLeftOut: when something is left out, the form
// lists the notes too, as notes, and counts only what is left out.
func TestImportTerraformListsNotesBesideWhatIsLeftOut(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	src := configAsTheDocsWriteIt + "\nmoved {\n  from = azurerm_resource_group.old\n  to   = azurerm_resource_group.example\n}\n"
	w := a.PostForm(paths.Blueprints("team"), url.Values{"name": {"rules"}, "document_text": {src}}, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	form := webtest.ByTestID(webtest.WantFullPage(t, w), "import-form")
	problems := shownProblems(form)
	notes, leftOut := 0, 0
	for _, p := range problems {
		switch {
		case strings.HasPrefix(p, "note "):
			notes++
		case strings.HasPrefix(p, "warning "):
			leftOut++
		}
	}
	if notes == 0 || leftOut != 1 {
		t.Errorf("want notes and one part left out, got:\n%s", strings.Join(problems, "\n"))
	}
	if msg := webtest.ByTestID(form, "import-error").Text(); !strings.Contains(msg, "leave out 1 part ") {
		t.Errorf("import error %q does not count only what is left out", msg)
	}
	w = a.PostForm(paths.Blueprints("team"), url.Values{"name": {"rules"}, "document_text": {src}, "import_anyway": {"on"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
}

// TestImportedVersionSaysWhatTheImportChanged: the redirect after an import shows the
// version, so the version's message keeps what the import changed on the way, after the
// author's own words.
func TestImportedVersionSaysWhatTheImportChanged(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	w := a.PostForm(paths.Blueprints("team"), url.Values{"name": {"rules"}, "document_text": {configAsTheDocsWriteIt}, "message": {"from the docs"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	doc := webtest.WantFullPage(t, a.Get(paths.Blueprint("team", "rules"), false))
	msg := webtest.ByTestID(doc, "version-message").First().Text()
	for _, want := range []string{"from the docs (Imported from Terraform: ", "added required provider azurerm = hashicorp/azurerm", "quoted reference converted"} {
		if !strings.Contains(msg, want) {
			t.Errorf("version message %q lacks %q", msg, want)
		}
	}
}
