package providercheck

import (
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
)

// TestCacheKey: everything that decides a check's answer changes its key, and nothing else.
func TestCacheKey(t *testing.T) {
	b := &blueprint.Blueprint{
		RequiredProviders: []blueprint.RequiredProvider{{Name: "time", Source: "hashicorp/time"}, {Name: "testprov", Source: "cloudoven/testprov"}},
		Providers:         []blueprint.ProviderConfig{{Name: "time"}},
	}
	files := []blueprint.File{{Name: "main.tf", Content: []byte("a")}, {Name: "outputs.tf", Content: []byte("b")}}
	providers := []Provider{{Name: "time", Source: "registry.terraform.io/hashicorp/time", Version: "0.14.2"}}
	base := cacheKey(b, files, providers, "1.5.7")

	if got := cacheKey(b, []blueprint.File{files[1], files[0]}, providers, "1.5.7"); got != base {
		t.Error("the files' order changes the key")
	}
	renamed := *b
	renamed.Name, renamed.Description = "other", "other"
	if got := cacheKey(&renamed, files, providers, "1.5.7"); got != base {
		t.Error("the blueprint's name, which the files do not hold, changes the key")
	}
	reordered := *b
	reordered.RequiredProviders = []blueprint.RequiredProvider{b.RequiredProviders[1], b.RequiredProviders[0]}
	for name, key := range map[string]string{
		"a file's content":             cacheKey(b, []blueprint.File{{Name: "main.tf", Content: []byte("a ")}, files[1]}, providers, "1.5.7"),
		"a file moved into a name":     cacheKey(b, []blueprint.File{{Name: "main.tfa", Content: nil}, files[1]}, providers, "1.5.7"),
		"a provider version":           cacheKey(b, files, []Provider{{Name: "time", Source: "registry.terraform.io/hashicorp/time", Version: "0.14.1"}}, "1.5.7"),
		"terraform's version":          cacheKey(b, files, providers, "1.5.8"),
		"the required providers order": cacheKey(&reordered, files, providers, "1.5.7"),
	} {
		if key == base {
			t.Errorf("%s does not change the key", name)
		}
	}
}
