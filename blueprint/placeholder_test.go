package blueprint_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
)

// placeholderExclusions are types whose schema a blueprint cannot satisfy, with the reason.
// Keep it empty unless a type genuinely cannot be written.
var placeholderExclusions = map[catalog.Kind]map[string]string{}

// placeholderBlueprint is a one-resource blueprint for t: the resource, its required provider
// and the provider configuration it needs.
func placeholderBlueprint(t *catalog.Type) *blueprint.Blueprint {
	b := &blueprint.Blueprint{Name: "placeholder"}
	if rp, ok := blueprint.RequiredProviderFor(t); ok {
		b.RequiredProviders = append(b.RequiredProviders, rp)
	}
	if pc, ok := blueprint.ProviderConfigFor(t); ok {
		b.Providers = append(b.Providers, pc)
	}
	r := blueprint.NewResource(t, nil)
	if r.Mode == blueprint.DataMode {
		b.Data = append(b.Data, r)
	} else {
		b.Resources = append(b.Resources, r)
	}
	return b
}

// checkPlaceholder returns why t's placeholder blueprint fails, or "".
func checkPlaceholder(cat *catalog.Catalog, t *catalog.Type) string {
	b := placeholderBlueprint(t)
	if errs := blueprint.Validate(b, cat).Errors(); len(errs) > 0 {
		var msgs []string
		for _, d := range errs {
			msgs = append(msgs, d.String())
		}
		return "validate: " + strings.Join(msgs, "; ")
	}
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		return "generate: " + err.Error()
	}
	for _, f := range files {
		if f.Name != "main.tf" {
			continue
		}
		if _, diags := hclsyntax.ParseConfig(f.Content, f.Name, hcl.InitialPos); diags.HasErrors() {
			return "main.tf does not parse: " + diags.Error() + "\n" + string(f.Content)
		}
		return ""
	}
	return "generate wrote no main.tf"
}

func TestPlaceholderEveryCatalogType(t *testing.T) {
	cat := testCatalog(t)
	start := time.Now()
	total, passed, excluded := 0, 0, 0
	for _, kind := range []catalog.Kind{catalog.KindResource, catalog.KindDataSource} {
		for _, name := range cat.TypeNames(kind) {
			total++
			typ := cat.Lookup(kind, name)
			problem := checkPlaceholder(cat, typ)
			if reason, ok := placeholderExclusions[kind][name]; ok {
				excluded++
				if problem == "" {
					t.Errorf("%s %s is excluded (%s) but passes now; remove the exclusion", kind, name, reason)
				}
				continue
			}
			if problem != "" {
				t.Errorf("%s %s: %s", kind, name, problem)
				continue
			}
			passed++
		}
	}
	t.Logf("placeholders: %d of %d types pass (%.1f%%), %d excluded, in %s",
		passed, total, 100*float64(passed)/float64(total), excluded, time.Since(start).Round(time.Millisecond))
	if total < 1000 {
		t.Errorf("only %d types in the catalog; expected the embedded catalog's ~1,700", total)
	}
}

func TestPlaceholderDeterministic(t *testing.T) {
	cat := testCatalog(t)
	typ := cat.Resource("azurerm_kubernetes_cluster")
	if typ == nil {
		t.Fatal("azurerm_kubernetes_cluster is not in the embedded catalog")
	}
	gen := func() string {
		files, err := blueprint.Generate(placeholderBlueprint(typ), blueprint.GenerateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return string(files[0].Content)
	}
	first := gen()
	for i := 0; i < 5; i++ {
		if got := gen(); got != first {
			t.Fatalf("placeholder output differs between runs:\n%s\n---\n%s", first, got)
		}
	}
	for _, want := range []string{`resource "azurerm_kubernetes_cluster" "main"`, `location            = "westeurope"`, "default_node_pool {", "features {}", `version = "~> `} {
		if !strings.Contains(first, want) {
			t.Errorf("main.tf lacks %q:\n%s", want, first)
		}
	}
}

func TestPlaceholderNames(t *testing.T) {
	cat := testCatalog(t)
	rg := cat.Resource("azurerm_resource_group")
	ds := cat.DataSource("azurerm_client_config")
	if rg == nil || ds == nil {
		t.Fatal("azurerm types missing from the embedded catalog")
	}
	taken := map[string]bool{}
	isTaken := func(addr string) bool { return taken[addr] }
	for _, want := range []string{"main", "main2", "main3"} {
		r := blueprint.NewResource(rg, isTaken)
		if r.Name != want || r.Mode != blueprint.ManagedMode {
			t.Fatalf("got %s (%s), want name %s", r.Address(), r.Mode, want)
		}
		taken[r.Address()] = true
	}
	d := blueprint.NewResource(ds, isTaken)
	if d.Address() != "data.azurerm_client_config.main" {
		t.Errorf("data source address %s, want data.azurerm_client_config.main", d.Address())
	}
	r := blueprint.NewResource(rg, nil)
	if v := r.Config.Attribute("name"); v == nil || v.Literal.AsString() != "example" {
		t.Errorf("name placeholder: %+v", v)
	}
	if v := r.Config.Attribute("location"); v == nil || v.Literal.AsString() != "westeurope" {
		t.Errorf("location placeholder: %+v", v)
	}

	rp, ok := blueprint.RequiredProviderFor(rg)
	if !ok || rp.Name != "azurerm" || rp.Source != "hashicorp/azurerm" || !strings.HasPrefix(rp.Version, "~> ") || strings.Count(rp.Version, ".") != 1 {
		t.Errorf("RequiredProviderFor(azurerm_resource_group) = %+v, %v", rp, ok)
	}
	pc, ok := blueprint.ProviderConfigFor(rg)
	if !ok || pc.Name != "azurerm" || len(pc.Config.BlocksOf("features")) != 1 {
		t.Errorf("ProviderConfigFor(azurerm_resource_group) = %+v, %v", pc, ok)
	}
	if td := cat.Resource("terraform_data"); td != nil {
		if _, ok := blueprint.RequiredProviderFor(td); ok {
			t.Error("the builtin provider needs no required_providers entry")
		}
		if _, ok := blueprint.ProviderConfigFor(td); ok {
			t.Error("the builtin provider needs no configuration")
		}
	}
	if rnd := cat.Resource("random_string"); rnd != nil {
		if _, ok := blueprint.ProviderConfigFor(rnd); ok {
			t.Error("random needs no provider configuration")
		}
	}
}
