package blueprint_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
)

// renameFixture is a valid blueprint that refers to the resource group rg and the data
// source data.azurerm_client_config.<client> in every place a reference can be, beside a
// second resource group main2 whose references must survive any rename of rg. Building it
// with other names gives what a rename must produce.
func renameFixture(rg, client string) *blueprint.Blueprint {
	attr := func(name string, v blueprint.Value) blueprint.Attribute {
		return blueprint.Attribute{Name: name, Value: v}
	}
	r := "azurerm_resource_group." + rg
	c := "data.azurerm_client_config." + client
	return &blueprint.Blueprint{
		Name:              "rename",
		RequiredProviders: []blueprint.RequiredProvider{{Name: "azurerm", Source: "hashicorp/azurerm", Version: "~> 5.2"}},
		Providers:         []blueprint.ProviderConfig{{Name: "azurerm", Config: blueprint.Body{Blocks: []blueprint.Block{{Type: "features"}}}}},
		Variables: []blueprint.Variable{
			{Name: "location", Type: "string", Default: ptr(blueprint.String("westeurope"))},
			{Name: "tags", Type: "map(string)", Default: ptr(blueprint.Map(map[string]blueprint.Value{"team": blueprint.String("platform")}))},
		},
		Locals: []blueprint.Local{
			{Name: "group_ids", Value: blueprint.List(blueprint.Ref(r+".id"), blueprint.Ref("azurerm_resource_group.main2.id"))},
			{Name: "tenant", Value: blueprint.Expr(`"${` + c + `.tenant_id}/${` + r + `.name}"`)},
		},
		Data: []blueprint.Resource{
			{Mode: blueprint.DataMode, Type: "azurerm_client_config", Name: client},
		},
		Resources: []blueprint.Resource{
			{Mode: blueprint.ManagedMode, Type: "azurerm_resource_group", Name: rg, Config: blueprint.Body{Attributes: []blueprint.Attribute{
				attr("name", blueprint.String("rg-app")), attr("location", blueprint.Ref("var.location")), attr("tags", blueprint.Ref("var.tags")),
			}}},
			{Mode: blueprint.ManagedMode, Type: "azurerm_resource_group", Name: "main2", Config: blueprint.Body{Attributes: []blueprint.Attribute{
				attr("name", blueprint.Expr(`"${azurerm_resource_group.`+rg+`.name}-2"`)), attr("location", blueprint.Ref("var.location")),
			}}},
			{Mode: blueprint.ManagedMode, Type: "azurerm_kubernetes_cluster", Name: "aks",
				DependsOn: []string{r, "azurerm_resource_group.main2"},
				Lifecycle: &blueprint.Lifecycle{IgnoreChanges: []string{"default_node_pool[0].node_count"}},
				Config: blueprint.Body{
					Attributes: []blueprint.Attribute{
						attr("name", blueprint.Expr(`"${`+r+`.name}-aks"`)),
						attr("location", blueprint.Ref(r+".location")),
						attr("resource_group_name", blueprint.Ref(r+".name")),
						attr("dns_prefix", blueprint.String("aks")),
						attr("tags", blueprint.Expr(`merge(var.tags, { rg = `+r+`.name, other = azurerm_resource_group.main2.name })`)),
					},
					Blocks: []blueprint.Block{
						{Type: "default_node_pool", Body: blueprint.Body{Attributes: []blueprint.Attribute{
							attr("name", blueprint.String("system")),
							attr("vm_size", blueprint.String("Standard_D2s_v5")),
							attr("node_count", blueprint.Int(1)),
							attr("tags", blueprint.Map(map[string]blueprint.Value{
								"rg":    blueprint.Ref(r + ".name"),
								"other": blueprint.Ref("azurerm_resource_group.main2.name"),
								"team":  blueprint.String("platform"),
							})),
						}}},
						{Type: "identity", Body: blueprint.Body{Attributes: []blueprint.Attribute{attr("type", blueprint.String("SystemAssigned"))}}},
						{Type: "node_provisioning_profile"},
					},
				}},
			{Mode: blueprint.ManagedMode, Type: "azurerm_user_assigned_identity", Name: "extra",
				Count:     ptr(blueprint.Expr(r + `.location == var.location ? 1 : 0`)),
				Lifecycle: &blueprint.Lifecycle{ReplaceTriggeredBy: []string{r + ".id"}},
				Config: blueprint.Body{Attributes: []blueprint.Attribute{
					attr("name", blueprint.String("id-extra")),
					attr("location", blueprint.Ref("azurerm_resource_group.main2.location")),
					attr("resource_group_name", blueprint.Ref("azurerm_resource_group.main2.name")),
				}}},
			{Mode: blueprint.ManagedMode, Type: "azurerm_user_assigned_identity", Name: "each",
				ForEach: ptr(blueprint.Expr(`toset([` + r + `.name, azurerm_resource_group.main2.name])`)),
				Config: blueprint.Body{Attributes: []blueprint.Attribute{
					attr("name", blueprint.Ref("each.value")),
					attr("location", blueprint.Ref(r+".location")),
					attr("resource_group_name", blueprint.Ref(r+".name")),
				}}},
			{Mode: blueprint.ManagedMode, Type: "azurerm_role_assignment", Name: "reader", Config: blueprint.Body{Attributes: []blueprint.Attribute{
				attr("scope", blueprint.Ref(r+".id")),
				attr("role_definition_name", blueprint.String("Reader")),
				attr("principal_id", blueprint.Ref(c+".object_id")),
			}}},
		},
		Outputs: []blueprint.Output{
			{Name: "resource_group_name", Value: blueprint.Ref(r + ".name"), DependsOn: []string{r}},
			{Name: "other_name", Value: blueprint.Ref("azurerm_resource_group.main2.name")},
			{Name: "tenant_id", Value: blueprint.Ref(c + ".tenant_id")},
		},
	}
}

func marshal(t *testing.T, b *blueprint.Blueprint) string {
	t.Helper()
	doc, err := b.MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

func TestRenameResource(t *testing.T) {
	t.Parallel()
	cat := testCatalog(t)
	if diags := blueprint.Validate(renameFixture("main", "current"), cat); diags.HasErrors() {
		t.Fatalf("the fixture must be valid:\n%s", diags.Errors().Error())
	}
	tests := []struct {
		name      string
		from, to  string
		want      *blueprint.Blueprint
		wantCount int
		wantText  []string // in the generated main.tf
		notText   []string
	}{
		{
			name: "resource rewrites every reference and leaves a longer name alone",
			from: "azurerm_resource_group.main", to: "platform",
			want: renameFixture("platform", "current"),
			// locals 2, main2 1, aks 5 + depends_on 1, extra count 1 + replace_triggered_by 1,
			// each for_each 1 + 2, reader 1, output 1 + depends_on 1.
			wantCount: 17,
			wantText: []string{
				`resource "azurerm_resource_group" "platform" {`,
				`name                = "${azurerm_resource_group.platform.name}-aks"`,
				`rg    = azurerm_resource_group.platform.name`,
				`azurerm_resource_group.platform,`,
				`count = azurerm_resource_group.platform.location == var.location ? 1 : 0`,
				`other = azurerm_resource_group.main2.name`,
			},
			notText: []string{`azurerm_resource_group.main.`, `azurerm_resource_group.main,`, `"main"`},
		},
		{
			name: "data source",
			from: "data.azurerm_client_config.current", to: "this",
			want: renameFixture("main", "this"),
			// local 1, reader 1, output 1.
			wantCount: 3,
			wantText:  []string{`data "azurerm_client_config" "this" {}`, `principal_id         = data.azurerm_client_config.this.object_id`},
			notText:   []string{`azurerm_client_config.current`},
		},
		{
			name: "to the current name changes nothing",
			from: "azurerm_resource_group.main", to: "main",
			want: renameFixture("main", "current"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := renameFixture("main", "current")
			n, err := blueprint.RenameResource(b, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantCount {
				t.Errorf("rewrote %d references, want %d", n, tt.wantCount)
			}
			if diff := cmp.Diff(marshal(t, tt.want), marshal(t, b)); diff != "" {
				t.Errorf("blueprint (-want +got):\n%s", diff)
			}
			if diags := blueprint.Validate(b, cat); diags.HasErrors() {
				t.Errorf("the renamed blueprint does not validate:\n%s", diags.Errors().Error())
			}
			files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var main []byte
			for _, f := range files {
				if f.Name == "main.tf" {
					main = f.Content
				}
			}
			for _, s := range tt.wantText {
				if !bytes.Contains(main, []byte(s)) {
					t.Errorf("main.tf does not contain %q:\n%s", s, main)
				}
			}
			for _, s := range tt.notText {
				if bytes.Contains(main, []byte(s)) {
					t.Errorf("main.tf still contains %q:\n%s", s, main)
				}
			}
		})
	}
}

// TestRenameResourceExpressions checks the kinds of expression a reference can hide in.
func TestRenameResourceExpressions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr, want string
		count            int
	}{
		{"template", `"${azurerm_resource_group.main.name}-aks"`, `"${azurerm_resource_group.new.name}-aks"`, 1},
		{"function call", `merge(var.tags, { rg = azurerm_resource_group.main.name })`, `merge(var.tags, { rg = azurerm_resource_group.new.name })`, 1},
		{"whole resource", `azurerm_resource_group.main`, `azurerm_resource_group.new`, 1},
		{"index before the attribute", `azurerm_resource_group.main[0].name`, `azurerm_resource_group.new[0].name`, 1},
		{"splat", `azurerm_resource_group.main[*].id`, `azurerm_resource_group.new[*].id`, 1},
		{"for expression and condition", `[for k, v in azurerm_resource_group.main.tags : v if k != azurerm_resource_group.main.name]`, `[for k, v in azurerm_resource_group.new.tags : v if k != azurerm_resource_group.new.name]`, 2},
		{"index key", `var.names[azurerm_resource_group.main.name]`, `var.names[azurerm_resource_group.new.name]`, 1},
		{"heredoc", "<<-EOT\n  ${azurerm_resource_group.main.name}\nEOT", "<<-EOT\n  ${azurerm_resource_group.new.name}\nEOT", 1},
		{"formatted afterwards", "merge(var.tags,{rg=azurerm_resource_group.main.name})", "merge(var.tags, { rg = azurerm_resource_group.new.name })", 1},
		{"longer name", `azurerm_resource_group.main2.name`, `azurerm_resource_group.main2.name`, 0},
		{"same name, other type", `azurerm_virtual_network.main.name`, `azurerm_virtual_network.main.name`, 0},
		{"data source of the same type and name", `data.azurerm_resource_group.main.name`, `data.azurerm_resource_group.main.name`, 0},
		{"name as a string", `"azurerm_resource_group.main"`, `"azurerm_resource_group.main"`, 0},
		{"unformatted and untouched", "upper( var.x )", "upper( var.x )", 0},
		{"does not parse", `azurerm_resource_group.main.name +`, `azurerm_resource_group.main.name +`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := &blueprint.Blueprint{
				Resources: []blueprint.Resource{{Mode: blueprint.ManagedMode, Type: "azurerm_resource_group", Name: "main"}},
				Locals:    []blueprint.Local{{Name: "x", Value: blueprint.Expr(tt.expr)}},
			}
			n, err := blueprint.RenameResource(b, "azurerm_resource_group.main", "new")
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Locals[0].Value.Expr; got != tt.want {
				t.Errorf("expression is\n%s\nwant\n%s", got, tt.want)
			}
			if n != tt.count {
				t.Errorf("rewrote %d references, want %d", n, tt.count)
			}
		})
	}
}

// TestRenameResourceReferences checks references kept as text: a Ref keeps its index steps,
// and only references that start with the whole address change.
func TestRenameResourceReferences(t *testing.T) {
	t.Parallel()
	b := &blueprint.Blueprint{
		Providers: []blueprint.ProviderConfig{{Name: "azuread", Config: blueprint.Body{Attributes: []blueprint.Attribute{
			{Name: "tenant_id", Value: blueprint.Ref("data.azurerm_client_config.current.tenant_id")},
		}}}},
		Data: []blueprint.Resource{
			{Mode: blueprint.DataMode, Type: "azurerm_client_config", Name: "current"},
		},
		Resources: []blueprint.Resource{{
			Mode: blueprint.ManagedMode, Type: "terraform_data", Name: "x",
			DependsOn: []string{"data.azurerm_client_config.current", "data.azurerm_client_config.current2"},
			Lifecycle: &blueprint.Lifecycle{
				IgnoreChanges:      []string{"data.azurerm_client_config.current"},
				ReplaceTriggeredBy: []string{"data.azurerm_client_config.current.id"},
			},
			Config: blueprint.Body{Attributes: []blueprint.Attribute{
				{Name: "input", Value: blueprint.Map(map[string]blueprint.Value{
					"indexed": blueprint.Ref(`data.azurerm_client_config.current["k"].tenant_id`),
					"managed": blueprint.Ref("azurerm_client_config.current.tenant_id"),
					"list":    blueprint.List(blueprint.Ref("data.azurerm_client_config.current.object_id"), blueprint.String("data.azurerm_client_config.current")),
				})},
			}},
		}},
	}
	n, err := blueprint.RenameResource(b, "data.azurerm_client_config.current", "this")
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("rewrote %d references, want 5", n)
	}
	r := b.Resources[0]
	got := []string{
		b.Providers[0].Config.Attributes[0].Value.Ref,
		r.DependsOn[0], r.DependsOn[1],
		r.Lifecycle.IgnoreChanges[0],
		r.Lifecycle.ReplaceTriggeredBy[0],
		r.Config.Attributes[0].Value.Map["indexed"].Ref,
		r.Config.Attributes[0].Value.Map["managed"].Ref,
		r.Config.Attributes[0].Value.Map["list"].List[0].Ref,
		r.Config.Attributes[0].Value.Map["list"].List[1].Literal.AsString(),
	}
	want := []string{
		"data.azurerm_client_config.this.tenant_id",
		"data.azurerm_client_config.this", "data.azurerm_client_config.current2",
		"data.azurerm_client_config.current", // attribute paths, not references
		"data.azurerm_client_config.this.id",
		`data.azurerm_client_config.this["k"].tenant_id`,
		"azurerm_client_config.current.tenant_id",
		"data.azurerm_client_config.this.object_id",
		"data.azurerm_client_config.current", // a string literal
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("references (-want +got):\n%s", diff)
	}
	if b.Data[0].Name != "this" {
		t.Errorf("data source is named %q, want this", b.Data[0].Name)
	}
}

func TestRenameResourceErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, from, to string
		want           string // in the error
	}{
		{"name with a dot", "azurerm_resource_group.main", "a.b", `invalid name "a.b"`},
		{"name starting with a digit", "azurerm_resource_group.main", "1rg", `invalid name "1rg"`},
		{"empty name", "azurerm_resource_group.main", "", `invalid name ""`},
		{"address taken", "azurerm_resource_group.main", "main2", "azurerm_resource_group.main2 already exists"},
		{"data address taken", "data.azurerm_client_config.current", "other", "data.azurerm_client_config.other already exists"},
		{"no such resource", "azurerm_resource_group.nope", "x", "no resource azurerm_resource_group.nope"},
		{"no such data source", "data.azurerm_resource_group.main", "x", "no data source data.azurerm_resource_group.main"},
		{"attribute, not an address", "azurerm_resource_group.main.name", "x", "not a resource address"},
		{"short data address", "data.azurerm_client_config", "x", "not a data source address"},
		{"not a reference", "azurerm_resource_group.", "x", "not a reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := renameFixture("main", "current")
			b.Data = append(b.Data, blueprint.Resource{Mode: blueprint.DataMode, Type: "azurerm_client_config", Name: "other"})
			before := marshal(t, b)
			n, err := blueprint.RenameResource(b, tt.from, tt.to)
			if err == nil {
				t.Fatalf("rename was accepted, rewriting %d references", n)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "renaming "+tt.from+": ") {
				t.Errorf("error %q does not say renaming %s: ... %s", err, tt.from, tt.want)
			}
			if n != 0 {
				t.Errorf("returned %d with an error", n)
			}
			if diff := cmp.Diff(before, marshal(t, b)); diff != "" {
				t.Errorf("blueprint changed (-before +after):\n%s", diff)
			}
		})
	}
}
