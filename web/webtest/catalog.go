package webtest

import (
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// XSSCatalog is a catalog whose docs try every trick the markdown renderer must defuse.
func XSSCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	block := &tfjson.SchemaBlock{
		Attributes: map[string]*tfjson.SchemaAttribute{
			"name": {AttributeType: cty.String, Required: true, Description: XSS},
			"tags": {AttributeType: cty.Map(cty.String), Optional: true},
			"id":   {AttributeType: cty.String, Computed: true},
		},
		NestedBlocks: map[string]*tfjson.SchemaBlockType{
			"rule": {NestingMode: tfjson.SchemaNestingModeList, MinItems: 1, MaxItems: 3, Block: &tfjson.SchemaBlock{
				Attributes: map[string]*tfjson.SchemaAttribute{
					"port": {AttributeType: cty.Number, Optional: true, Sensitive: true, Deprecated: true},
				},
			}},
		},
	}
	cat, err := catalog.New([]*catalog.Provider{{
		Source: "registry.terraform.io/evil/evil", Namespace: "evil", Name: "evil", Version: "1.0.0",
		Schema: &tfjson.ProviderSchema{ResourceSchemas: map[string]*tfjson.Schema{"evil_thing": {Block: block}}},
		Docs: &catalog.Docs{Resources: map[string]*catalog.Doc{"evil_thing": {
			Title:       "evil_thing <script>alert(1)</script>",
			Subcategory: "<script>alert(1)</script>",
			Description: XSS,
			Body:        XSS + "\n\n-> **Note:** " + XSS,
			Notes:       []catalog.Note{{Kind: "warning", Text: XSS}, {Kind: `"><script>`, Text: XSS}},
			Examples:    []string{"</code></pre>" + XSS},
			Arguments:   map[string]string{"name": XSS, "rule": XSS, "rule.port": XSS},
			Attributes:  map[string]string{"id": XSS},
			Import:      XSS,
		}}},
	}})
	if err != nil {
		t.Fatalf("building the catalog: %v", err)
	}
	return cat
}

// XSS is text that would run script if any page rendered it unescaped.
const XSS = "harmless <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
