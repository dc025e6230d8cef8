package crawler_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// thingSchema is the schema of testdata/docs/basic.html.markdown's azurerm_thing.
const thingSchema = `{"block": {
	"attributes": {
		"id": {"type": "string", "optional": true, "computed": true},
		"name": {"type": "string", "required": true},
		"sku": {"type": "string", "optional": true},
		"zone": {"type": "string", "optional": true},
		"tags": {"type": ["map", "string"], "optional": true}
	},
	"block_types": {
		"identity": {"nesting_mode": "list", "block": {"attributes": {
			"type": {"type": "string", "required": true},
			"principal_id": {"type": "string", "computed": true}
		}}},
		"timeouts": {"nesting_mode": "single", "block": {"attributes": {
			"create": {"type": "string", "optional": true},
			"delete": {"type": "string", "optional": true}
		}}}
	}
}}`

// routerSchema is the schema of testdata/docs/nested.html.markdown's azurerm_router: a
// `rule` block at the top and another, different one inside `policy`.
const routerSchema = `{"block": {
	"attributes": {
		"id": {"type": "string", "computed": true},
		"name": {"type": "string", "required": true}
	},
	"block_types": {
		"rule": {"nesting_mode": "list", "block": {
			"attributes": {"priority": {"type": "number", "required": true}},
			"block_types": {"match": {"nesting_mode": "list", "block": {"attributes": {
				"value": {"type": "string", "required": true}
			}}}}
		}},
		"pre_action": {"nesting_mode": "list", "block": {"attributes": {
			"type": {"type": "string", "required": true}
		}}},
		"policy": {"nesting_mode": "list", "block": {"block_types": {
			"rule": {"nesting_mode": "list", "block": {"attributes": {
				"enabled": {"type": "bool", "optional": true}
			}}},
			"filter": {"nesting_mode": "list", "block": {"block_types": {
				"bool_equals": {"nesting_mode": "list", "block": {"attributes": {
					"key": {"type": "string", "required": true},
					"value": {"type": "bool", "required": true}
				}}},
				"string_in": {"nesting_mode": "list", "block": {"attributes": {
					"key": {"type": "string", "required": true},
					"values": {"type": ["list", "string"], "required": true}
				}}}
			}}}
		}}}
	}
}}`

// gadgetSchema is the schema of testdata/docs/plugindocs.md's kubernetes_gadget.
const gadgetSchema = `{"block": {
	"attributes": {
		"id": {"type": "string", "optional": true, "computed": true},
		"wait": {"type": "bool", "optional": true}
	},
	"block_types": {
		"metadata": {"nesting_mode": "list", "block": {"attributes": {
			"name": {"type": "string", "optional": true},
			"uid": {"type": "string", "computed": true}
		}}},
		"selector": {"nesting_mode": "list", "block": {"block_types": {
			"label_selector": {"nesting_mode": "list", "block": {"attributes": {
				"match_labels": {"type": ["map", "string"], "optional": true}
			}}},
			"namespace_selector": {"nesting_mode": "list", "block": {"attributes": {
				"match_labels": {"type": ["map", "string"], "optional": true}
			}}}
		}}},
		"selector_wo": {"nesting_mode": "list", "block": {"block_types": {
			"label_selector": {"nesting_mode": "list", "block": {"attributes": {
				"match_labels": {"type": ["map", "string"], "optional": true}
			}}},
			"namespace_selector": {"nesting_mode": "list", "block": {"attributes": {
				"match_labels": {"type": ["map", "string"], "optional": true}
			}}}
		}}},
		"timeouts": {"nesting_mode": "single", "block": {"attributes": {
			"create": {"type": "string", "optional": true}
		}}}
	}
}}`

func typeSchema(t testing.TB, js string) *tfjson.Schema {
	t.Helper()
	if js == "" {
		return nil
	}
	var s tfjson.Schema
	if err := json.Unmarshal([]byte(js), &s); err != nil {
		t.Fatalf("test schema: %v", err)
	}
	return &s
}

func testPage(t testing.TB, file string) crawler.Page {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "docs", file))
	if err != nil {
		t.Fatal(err)
	}
	slug, _, _ := strings.Cut(file, ".")
	return crawler.Page{Kind: catalog.KindResource, Slug: slug, Path: "testdata/docs/" + file, Markdown: string(data)}
}

func TestParseDoc(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		file   string
		schema string
		want   *catalog.Doc
	}{
		{
			name:   "hand-written page: front matter, notes of each kind, a nested block, timeouts, import",
			file:   "basic.html.markdown",
			schema: thingSchema,
			want: &catalog.Doc{
				Subcategory: "Container",
				Title:       "azurerm_thing",
				Description: "Manages a Thing.",
				Body:        "Manages a Thing, which holds other things.\n\n-> **Note:** Things are regional.",
				Notes: []catalog.Note{
					{Kind: "note", Text: "Things are regional."},
					{Kind: "warning", Text: "`sku` cannot be changed to `Basic`."},
					{Kind: "caution", Text: "Changing `type` recreates the Thing."},
				},
				Examples: []string{"resource \"azurerm_thing\" \"example\" {\n  name = \"example\"\n}"},
				Arguments: map[string]string{
					"name":          "The name of the Thing. Changing this forces a new resource to be created.",
					"sku":           "The SKU. Possible values are `Basic` and `Standard`. Defaults to `Basic`.\n\n~> **Note:** `sku` cannot be changed to `Basic`.",
					"zone":          "(Forces new resource) The zone,\nspread over two lines.",
					"tags":          "A mapping of tags.",
					"identity":      "An `identity` block as defined below.",
					"identity.type": "The type of identity. Possible values are `SystemAssigned` and `UserAssigned`.\n\n!> **Note:** Changing `type` recreates the Thing.",
				},
				Attributes: map[string]string{
					"id":                    "The ID of the Thing.",
					"identity":              "An `identity` block as defined below.",
					"identity.principal_id": "The Principal ID.",
				},
				Timeouts: map[string]string{
					"create": "(Defaults to 30 minutes) Used when creating the Thing.",
					"delete": "(Defaults to 30 minutes) Used when deleting the Thing.",
				},
				Import: "Things can be imported using the `resource id`, e.g.\n\n```shell\nterraform import azurerm_thing.example /subscriptions/00000000-0000-0000-0000-000000000000/things/thing1\n```",
			},
		},
		{
			name:   "blocks resolved against the schema: one name at two depths, defined before use, named by another bullet",
			file:   "nested.html.markdown",
			schema: routerSchema,
			want: &catalog.Doc{
				Subcategory: "Network",
				Title:       "azurerm_router",
				Description: "Manages a Router.",
				Body:        "Manages a Router.",
				Arguments: map[string]string{
					"name":                          "The name of the Router.",
					"rule":                          "One or more `rule` blocks as defined below.",
					"rule.priority":                 "The rule priority.",
					"rule.match":                    "A `match` block as defined above.",
					"rule.match.value":              "The value to match.",
					"policy":                        "A `policy` block as defined below.",
					"policy.rule":                   "One or more `rule` blocks as defined below.",
					"policy.rule.enabled":           "Whether the policy rule is enabled.",
					"policy.filter":                 "A `filter` block as defined below.",
					"policy.filter.bool_equals":     "Compares a boolean.",
					"policy.filter.bool_equals.key": "The field to filter on.",
					"policy.filter.string_in":       "Compares strings.",
					"policy.filter.string_in.key":   "The field to filter on.",
					"pre_action":                    "One or more `action` blocks as defined below.",
					"pre_action.type":               "The action type.",
				},
				Attributes: map[string]string{"id": "The ID of the Router."},
			},
		},
		{
			name: "without a schema blocks keep the names the page gives",
			file: "nested.html.markdown",
			want: &catalog.Doc{
				Subcategory: "Network",
				Title:       "azurerm_router",
				Description: "Manages a Router.",
				Body:        "Manages a Router.",
				Arguments: map[string]string{
					"name":                   "The name of the Router.",
					"rule":                   "One or more `rule` blocks as defined below.",
					"rule.priority":          "The rule priority.",
					"rule.match":             "A `match` block as defined above.",
					"rule.enabled":           "Whether the policy rule is enabled.",
					"match.value":            "The value to match.",
					"policy":                 "A `policy` block as defined below.",
					"policy.rule":            "One or more `rule` blocks as defined below.",
					"policy.filter":          "A `filter` block as defined below.",
					"filter.bool_equals":     "Compares a boolean.",
					"filter.bool_equals.key": "The field to filter on.",
					"filter.string_in":       "Compares strings.",
					"filter.string_in.key":   "The field to filter on.",
					"pre_action":             "One or more `action` blocks as defined below.",
					"action.type":            "The action type.",
				},
				Attributes: map[string]string{"id": "The ID of the Router."},
			},
		},
		{
			name: "no front matter, a Resource: title, HTML and odd bullets",
			file: "resource-prefix.md",
			want: &catalog.Doc{
				Title:       "azuread_widget",
				Description: "Manages a widget within Azure Active Directory.",
				Body:        "Manages a widget within Azure Active Directory. See <a href=\"https://example.com\">the docs</a> for more, e.g. the API.\n\n<a id=\"arguments\"></a>\n~> **NOTE:** Widgets are <b>slow</b> to create\nand slow to delete.",
				Notes:       []catalog.Note{{Kind: "warning", Text: "Widgets are <b>slow</b> to create\nand slow to delete."}},
				Arguments: map[string]string{
					"display_name": "The display name.<br>It must be unique.",
					"owners":       "A set of owners. See [owners](#owners).",
					"notes":        "Notes.",
				},
			},
		},
		{
			name:   "tfplugindocs page: full paths, read-only attributes, shared nested schemas, timeouts",
			file:   "plugindocs.md",
			schema: gadgetSchema,
			want: &catalog.Doc{
				Subcategory: "core/v1",
				Title:       "kubernetes_gadget",
				Description: "A Gadget does things.",
				Body:        "A Gadget does things.",
				Arguments: map[string]string{
					"metadata":                                    "Standard metadata.",
					"metadata.name":                               "Name of the gadget.",
					"selector":                                    "A selector.",
					"selector.label_selector":                     "Labels.",
					"selector.label_selector.match_labels":        "Labels to match.",
					"selector.namespace_selector":                 "Namespaces.",
					"selector.namespace_selector.match_labels":    "Labels to match.",
					"selector_wo":                                 "A write-only selector.",
					"selector_wo.label_selector":                  "Labels.",
					"selector_wo.label_selector.match_labels":     "Labels to match.",
					"selector_wo.namespace_selector":              "Namespaces.",
					"selector_wo.namespace_selector.match_labels": "Labels to match.",
					"wait": "Wait for the gadget. Defaults to `true`.",
				},
				Attributes: map[string]string{
					"id":           "The ID of this resource.",
					"metadata.uid": "The unique ID.",
				},
				Timeouts: map[string]string{"create": "How long to wait for creation."},
			},
		},
		{
			name: "messy page: no title, empty bullets, an unknown block, an unclosed fence",
			file: "messy.md",
			want: &catalog.Doc{
				Title:       "azurerm_messy",
				Description: "Some text before any heading.",
				Body:        "Some text before any heading.",
				Arguments: map[string]string{
					"ok":                  "- `nested` - (Optional) an indented bullet that continues `ok`.",
					"ghost.boo":           "A field of a block the schema lacks.",
					"heading_block.inner": "Under a heading.",
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := crawler.ParseDoc("azurerm", testPage(t, tt.file), typeSchema(t, tt.schema))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseDoc(%s) (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

func TestParseDocFrontMatter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                            string
		markdown                        string
		pageSubcategory                 string
		subcategory, title, description string
	}{
		{
			name:        "double quotes with escapes",
			markdown:    "---\nsubcategory: \"Key \\\"Vault\\\"\"\ndescription: \"Manages a Key Vault.\"\n---\n\n# azurerm_key_vault\n",
			subcategory: `Key "Vault"`, title: "azurerm_key_vault", description: "Manages a Key Vault.",
		},
		{
			name:        "single quotes and a folded description",
			markdown:    "---\nsubcategory: 'Bob''s Things'\ndescription: >-\n  Manages\n  a Thing.\n---\n# azurerm_thing\n",
			subcategory: "Bob's Things", title: "azurerm_thing", description: "Manages a Thing.",
		},
		{
			name:        "plain values, CRLF line ends",
			markdown:    "---\r\nsubcategory: Container\r\ndescription: Manages a Cluster.\r\n---\r\n\r\n# azurerm_cluster\r\n\r\nLead.\r\n",
			subcategory: "Container", title: "azurerm_cluster", description: "Manages a Cluster.",
		},
		{
			name:            "no front matter: the listing's subcategory, the lead's first sentence",
			markdown:        "# Data Source: azurerm_thing\n\nUse this data source to access a Thing. It is read only.\n",
			pageSubcategory: "Things",
			subcategory:     "Things", title: "azurerm_thing", description: "Use this data source to access a Thing.",
		},
		{
			name:     "unclosed front matter is text before the title",
			markdown: "---\nsubcategory: Lost\n\n# random_thing (Resource)\n",
			title:    "random_thing",
		},
		{
			name:        "a note before the lead paragraph is not the description",
			markdown:    "# azurerm_thing\n\n-> **Note:** Preview.\n\nManages a Thing (preview). Really.\n",
			title:       "azurerm_thing",
			description: "Manages a Thing (preview).",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := crawler.ParseDoc("azurerm", crawler.Page{Slug: "thing", Subcategory: tt.pageSubcategory, Markdown: tt.markdown}, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := [3]string{tt.subcategory, tt.title, tt.description}
			if diff := cmp.Diff(want, [3]string{got.Subcategory, got.Title, got.Description}); diff != "" {
				t.Errorf("subcategory, title, description (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseDocCRLF: a page saved with Windows line ends parses as the same page does with
// Unix ones.
func TestParseDocCRLF(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"basic.html.markdown", "nested.html.markdown", "resource-prefix.md", "plugindocs.md", "messy.md"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			page := testPage(t, file)
			want, err := crawler.ParseDoc("azurerm", page, nil)
			if err != nil {
				t.Fatal(err)
			}
			page.Markdown = strings.ReplaceAll(page.Markdown, "\n", "\r\n")
			got, err := crawler.ParseDoc("azurerm", page, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CRLF page parses differently (-LF +CRLF):\n%s", diff)
			}
		})
	}
}

func TestParseDocEmptyPageFails(t *testing.T) {
	t.Parallel()
	for name, md := range map[string]string{"empty file": "", "blank lines": testPage(t, "empty.md").Markdown, "BOM only": "\ufeff\r\n"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if doc, err := crawler.ParseDoc("azurerm", crawler.Page{Slug: "thing", Markdown: md}, nil); err == nil {
				t.Errorf("ParseDoc of an empty page = %+v, want an error", doc)
			}
		})
	}
}

func FuzzParseDoc(f *testing.F) {
	for _, file := range []string{"basic.html.markdown", "nested.html.markdown", "resource-prefix.md", "plugindocs.md", "messy.md"} {
		f.Add(testPage(f, file).Markdown)
	}
	f.Add("---\nx: |\n---\n* `a` -\n---\n`b` supports the following:\n### Nested Schema for `` in ``\n")
	schema := typeSchema(f, routerSchema)
	f.Fuzz(func(t *testing.T, md string) {
		doc, err := crawler.ParseDoc("azurerm", crawler.Page{Slug: "router", Markdown: md}, schema)
		blank := strings.TrimSpace(strings.ReplaceAll(md, "\ufeff", "")) == ""
		switch {
		case err != nil && !blank:
			t.Errorf("ParseDoc of a non-empty page: %v", err)
		case err == nil && doc == nil:
			t.Error("ParseDoc returned neither a doc nor an error")
		}
	})
}

// providerData is ../shared/data, the real provider schemas and docs.
func providerData(t testing.TB) string {
	t.Helper()
	return testenv.SharedData(t)
}

type providerFixture struct {
	schema *tfjson.ProviderSchema
	pages  []crawler.Page
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]func() (providerFixture, error){}
)

// realProvider loads a provider of ../shared/data once for all the tests that need it.
func realProvider(t testing.TB, name string) providerFixture {
	t.Helper()
	data := providerData(t)
	fixturesMu.Lock()
	load, ok := fixtures[name]
	if !ok {
		load = sync.OnceValues(func() (providerFixture, error) {
			schema, err := crawler.SchemaFromFile(filepath.Join(data, name, "schema.json"), "hashicorp/"+name)
			if err != nil {
				return providerFixture{}, err
			}
			pages, err := crawler.ReadDocsDir(filepath.Join(data, name, "docs"))
			return providerFixture{schema: schema, pages: pages}, err
		})
		fixtures[name] = load
	}
	fixturesMu.Unlock()
	fx, err := load()
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

// typeOf is the schema of the type a page documents, nil when the schema has none.
func (fx providerFixture) typeOf(provider string, p crawler.Page) *tfjson.Schema {
	if p.Kind == catalog.KindDataSource {
		return fx.schema.DataSourceSchemas[p.TypeName(provider)]
	}
	return fx.schema.ResourceSchemas[p.TypeName(provider)]
}

// TestParseDocAzurermKubernetesCluster checks facts of the real, long, messy AKS page.
func TestParseDocAzurermKubernetesCluster(t *testing.T) {
	t.Parallel()
	fx := realProvider(t, "azurerm")
	var page crawler.Page
	for _, p := range fx.pages {
		if p.Kind == catalog.KindResource && p.Slug == "kubernetes_cluster" {
			page = p
		}
	}
	doc, err := crawler.ParseDoc("azurerm", page, fx.typeOf("azurerm", page))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Subcategory != "Container" || doc.Title != "azurerm_kubernetes_cluster" {
		t.Errorf("subcategory %q, title %q; want Container, azurerm_kubernetes_cluster", doc.Subcategory, doc.Title)
	}
	contains := map[string]string{
		"default_node_pool.vm_size":                                       "The size of the Virtual Machine",
		"default_node_pool.upgrade_settings.max_surge":                    "maximum number or percentage of nodes",
		"network_profile.network_plugin":                                  "Currently supported values are `azure`, `kubenet` and `none`",
		"network_profile.network_policy":                                  "When `network_policy` is set to `azure`", // the callouts after it
		"network_profile.load_balancer_profile.idle_timeout_in_minutes":   "Defaults to `30`",
		"network_profile.load_balancer_profile.managed_outbound_ip_count": "Must be between `1` and `100`",
		"network_profile.nat_gateway_profile.idle_timeout_in_minutes":     "Defaults to `4`",
		"identity.type":                  "Possible values are `SystemAssigned` or `UserAssigned`",
		"name":                           "Changing this forces a new resource to be created.",
		"dns_prefix_private_cluster":     "You must define either a `dns_prefix` or a `dns_prefix_private_cluster` field.",
		"node_provisioning_profile.mode": "At least one of `mode` or `default_node_pools` must be specified.",
		"service_mesh_profile.certificate_authority.key_vault_id": "The resource ID of the Key Vault.",
	}
	for path, want := range contains {
		if got := doc.Arguments[path]; !strings.Contains(got, want) {
			t.Errorf("argument %s = %q, want it to contain %q", path, got, want)
		}
	}
	for _, path := range []string{"kube_config.host", "identity.principal_id", "kubelet_identity.object_id"} {
		if doc.Attributes[path] == "" {
			t.Errorf("attribute %s has no description", path)
		}
	}
	if !strings.HasPrefix(doc.Timeouts["create"], "(Defaults to 90 minutes) Used when creating") {
		t.Errorf("timeouts create = %q", doc.Timeouts["create"])
	}
	if len(doc.Examples) == 0 || !strings.Contains(doc.Examples[0], `resource "azurerm_kubernetes_cluster" "example"`) {
		t.Errorf("examples = %q, want the cluster's example", doc.Examples)
	}
	if !strings.Contains(doc.Import, "terraform import azurerm_kubernetes_cluster.cluster1") {
		t.Errorf("import = %q", doc.Import)
	}
	if len(doc.Notes) < 20 || doc.Notes[0].Kind != "caution" {
		t.Errorf("%d notes, the first %+v; want dozens, a caution first", len(doc.Notes), doc.Notes[0])
	}
}

// BenchmarkParseAzurermDocs parses every azurerm page against its type's schema, the pages
// already in memory: compare with BenchmarkReadAzurermDocs for the share that is reading.
func BenchmarkParseAzurermDocs(b *testing.B) {
	fx := realProvider(b, "azurerm")
	types := make([]*tfjson.Schema, len(fx.pages))
	bytes := 0
	for i, p := range fx.pages {
		types[i] = fx.typeOf("azurerm", p)
		bytes += len(p.Markdown)
	}
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	for b.Loop() {
		for i, p := range fx.pages {
			if _, err := crawler.ParseDoc("azurerm", p, types[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(fx.pages)), "µs/page")
}
