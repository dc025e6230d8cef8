package upgrade_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/upgrade"
)

// FuzzImport: any text imports or is refused, and ApplyRenames never panics on it either.
func FuzzImport(f *testing.F) {
	cat := testenv.Catalog(f)
	for _, src := range azurerm2x(f) {
		f.Add(string(src))
	}
	f.Add("resource \"azurerm_dashboard\" \"d\" {\n  name = \"x\"\n}\noutput \"o\" { value = azurerm_dashboard.d.id }\n")
	f.Add("terraform {\n required_providers {\n  azurerm = \"~> 1.0\"\n }\n}\nprovider \"azurerm\" {\n  nope {}\n}\n")
	f.Fuzz(func(t *testing.T, src string) {
		files := map[string][]byte{"main.tf": []byte(src)}
		_, rep, _ := upgrade.Import(files, cat)
		if _, err := rep.Marshal(); err != nil {
			t.Fatal(err)
		}
		if renamed, _, err := upgrade.ApplyRenames(files, cat); err == nil {
			upgrade.Import(renamed, cat)
		}
	})
}
