package crawler_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
)

// minAzurermCoverage is the share of azurerm's arguments the parsed docs must describe.
const minAzurermCoverage = 95.0

const coverageSchema = `{
	"resource_schemas": {
		"demo_thing": {"block": {
			"attributes": {
				"id": {"type": "string", "optional": true, "computed": true},
				"name": {"type": "string", "required": true},
				"size": {"type": "number", "optional": true},
				"state": {"type": "string", "computed": true},
				"settings": {"optional": true, "nested_type": {"nesting_mode": "single", "attributes": {
					"level": {"type": "number", "optional": true},
					"checksum": {"type": "string", "computed": true}
				}}}
			},
			"block_types": {
				"network": {"nesting_mode": "list", "block": {"attributes": {
					"subnet_id": {"type": "string", "required": true},
					"private": {"type": "bool", "optional": true}
				}}},
				"timeouts": {"nesting_mode": "single", "block": {"attributes": {
					"create": {"type": "string", "optional": true}
				}}}
			}
		}},
		"demo_undocumented": {"block": {"attributes": {
			"name": {"type": "string", "required": true}
		}}}
	},
	"data_source_schemas": {
		"demo_thing": {"block": {"attributes": {
			"name": {"type": "string", "required": true},
			"size": {"type": "number", "computed": true}
		}}}
	}
}`

func coverageFixture(t *testing.T) (*tfjson.ProviderSchema, *catalog.Docs) {
	t.Helper()
	var schema tfjson.ProviderSchema
	if err := json.Unmarshal([]byte(coverageSchema), &schema); err != nil {
		t.Fatal(err)
	}
	docs := &catalog.Docs{
		Resources: map[string]*catalog.Doc{
			"demo_thing": {Arguments: map[string]string{
				"name":             "The name.",
				"size":             "", // documented without a description
				"settings.level":   "The level.",
				"network.private":  "Whether it is private.",
				"network.vnet_id":  "A renamed argument.",
				"timeouts.create":  "In the schema, not counted.",
				"state":            "Documented with the arguments; not counted, known.",
				"network":          "A network block.",
				"settings.unknown": "Gone.",
			}},
			"demo_other": {Arguments: map[string]string{"x": "A type the schema lacks."}},
		},
		DataSources: map[string]*catalog.Doc{
			"demo_thing": {Arguments: map[string]string{"name": "The name to look up."}},
		},
	}
	return &schema, docs
}

func TestMeasureCoverage(t *testing.T) {
	t.Parallel()
	schema, docs := coverageFixture(t)
	got := crawler.MeasureCoverage("demo", schema, docs)
	want := crawler.Coverage{
		Provider:  "demo",
		Arguments: 8,
		Described: 4,
		Unmatched: []string{
			"demo_thing.network.subnet_id",
			"demo_thing.settings",
			"demo_thing.size",
			"demo_undocumented.name",
		},
		Unknown: []string{
			"demo_thing.network.vnet_id",
			"demo_thing.settings.unknown",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MeasureCoverage (-want +got):\n%s", diff)
	}
	if p := got.Percent(); p != 50 {
		t.Errorf("Percent() = %v, want 50", p)
	}
}

func TestMeasureCoverageWithoutDocsOrSchema(t *testing.T) {
	t.Parallel()
	schema, _ := coverageFixture(t)
	got := crawler.MeasureCoverage("demo", schema, nil)
	if got.Arguments != 8 || got.Described != 0 || len(got.Unmatched) != 8 || got.Unknown != nil {
		t.Errorf("without docs: %+v, want 8 arguments, none described", got)
	}
	if got := crawler.MeasureCoverage("demo", nil, nil); got.Arguments != 0 || got.Percent() != 0 {
		t.Errorf("without a schema: %+v, Percent %v; want nothing", got, got.Percent())
	}
}

func TestCoverageWriteReport(t *testing.T) {
	t.Parallel()
	c := crawler.Coverage{
		Provider: "demo", Arguments: 4, Described: 3,
		Unmatched: []string{"data.demo_thing.name"},
		Unknown:   []string{"demo_thing.network.vnet_id"},
	}
	var b bytes.Buffer
	if err := c.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	want := `# demo: 3 of 4 arguments described (75.0%)

## unmatched: 1 arguments without a description

data.demo_thing.name

## unknown: 1 documented arguments the schema does not have

demo_thing.network.vnet_id
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteReport (-want +got):\n%s", diff)
	}
}

// TestDocsCoverage parses every page of the five providers in ../shared/data against its
// schema, as a crawl does, and measures how many arguments got a description. The full
// reports go to $TMPDIR/cloudoven-doc-coverage/<provider>.txt.
func TestDocsCoverage(t *testing.T) {
	t.Parallel()
	reports := filepath.Join(os.TempDir(), "cloudoven-doc-coverage")
	if err := os.MkdirAll(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"azurerm", "azuread", "kubernetes", "helm", "random"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fx := realProvider(t, name)
			docs := &catalog.Docs{Resources: map[string]*catalog.Doc{}, DataSources: map[string]*catalog.Doc{}}
			var strays []string
			for _, p := range fx.pages {
				ts := fx.typeOf(name, p)
				if ts == nil {
					strays = append(strays, p.Path)
					continue
				}
				doc, err := crawler.ParseDoc(name, p, ts)
				if err != nil {
					t.Errorf("%s: %v", p.Path, err)
					continue
				}
				doc.Rules, _ = crawler.MineRules(doc, ts)
				into := docs.Resources
				if p.Kind == catalog.KindDataSource {
					into = docs.DataSources
				}
				into[p.TypeName(name)] = doc
			}
			if len(strays) > 0 {
				t.Logf("%d pages document types the schema does not have: %v", len(strays), strays)
			}
			c := crawler.MeasureCoverage(name, fx.schema, docs)
			path := filepath.Join(reports, name+".txt")
			var b bytes.Buffer
			if err := c.WriteReport(&b); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d pages, %d of %d arguments described (%.2f%%), %d unmatched, %d unknown; report %s",
				name, len(fx.pages), c.Described, c.Arguments, c.Percent(), len(c.Unmatched), len(c.Unknown), path)
			checkRuleFloors(t, c, path)
			if name == "azurerm" && c.Percent() < minAzurermCoverage {
				t.Errorf("azurerm coverage %.2f%%, want at least %.1f%%; see %s", c.Percent(), minAzurermCoverage, path)
			}
		})
	}
}
