package blueprint

import (
	"iter"
	"strings"
)

// Blueprint is a reusable composition of Terraform configuration. Slices keep the order the
// author gave, and generation keeps it too, so the same blueprint always yields the same bytes.
type Blueprint struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// RequiredVersion is the terraform required_version constraint, e.g. ">= 1.5.0".
	RequiredVersion   string             `json:"required_version,omitempty"`
	RequiredProviders []RequiredProvider `json:"required_providers,omitempty"`
	Providers         []ProviderConfig   `json:"providers,omitempty"`
	Variables         []Variable         `json:"variables,omitempty"`
	Locals            []Local            `json:"locals,omitempty"`
	Data              []Resource         `json:"data,omitempty"`      // data sources
	Resources         []Resource         `json:"resources,omitempty"` // managed resources
	Outputs           []Output           `json:"outputs,omitempty"`
	// Files are the files the configuration reads (file, templatefile, ...): files.go.
	Files []BlueprintFile `json:"files,omitempty"`
	// Modules are the module calls (module.go); ModuleFiles the files of the local modules
	// they call, which generation writes beside the blueprint's own files.
	Modules     []ModuleCall `json:"modules,omitempty"`
	ModuleFiles []ModuleFile `json:"module_files,omitempty"`
}

// RequiredProvider is one entry of required_providers.
type RequiredProvider struct {
	Name    string `json:"name"`              // local name: azurerm
	Source  string `json:"source"`            // hashicorp/azurerm
	Version string `json:"version,omitempty"` // constraint: ~> 5.2
}

// ProviderConfig is one provider block. azurerm needs `features {}`: an empty block in Config,
// which NewProviderConfig adds.
type ProviderConfig struct {
	Name   string `json:"name"`
	Alias  string `json:"alias,omitempty"`
	Config Body   `json:"config"`
}

// Address is how configuration refers to this provider configuration: azurerm or azurerm.west.
func (p ProviderConfig) Address() string {
	if p.Alias == "" {
		return p.Name
	}
	return p.Name + "." + p.Alias
}

// Variable is an input variable.
type Variable struct {
	Name        string               `json:"name"`
	Type        string               `json:"type,omitempty"`    // a type constraint expression: string, list(string), object({...}); empty means any
	Default     *Value               `json:"default,omitempty"` // nil: no default, the variable is required
	Description string               `json:"description,omitempty"`
	Sensitive   bool                 `json:"sensitive,omitempty"`
	Nullable    *bool                `json:"nullable,omitempty"` // nil leaves Terraform's default (true)
	Validations []VariableValidation `json:"validations,omitempty"`
}

// VariableValidation is one validation block of a variable.
type VariableValidation struct {
	Condition    string `json:"condition"` // an HCL expression referring to the variable
	ErrorMessage string `json:"error_message"`
}

// Local is one named value of the locals block.
type Local struct {
	Name  string `json:"name"`
	Value Value  `json:"value"`
}

// Mode tells a managed resource from a data source.
type Mode string

const (
	ManagedMode Mode = "managed"
	DataMode    Mode = "data"
)

// Resource is a managed resource or a data source, by Mode.
type Resource struct {
	Mode      Mode       `json:"-"`
	Type      string     `json:"type"`               // azurerm_kubernetes_cluster
	Name      string     `json:"name"`               // aks
	Provider  string     `json:"provider,omitempty"` // optional provider address: azurerm.west
	Count     *Value     `json:"count,omitempty"`
	ForEach   *Value     `json:"for_each,omitempty"`
	DependsOn []string   `json:"depends_on,omitempty"` // references: azurerm_role_assignment.pull, data.x.y, module.x
	Lifecycle *Lifecycle `json:"lifecycle,omitempty"`
	Config    Body       `json:"config"`
}

// Address is the resource's address in configuration: azurerm_resource_group.main, or
// data.azurerm_client_config.current for a data source.
func (r Resource) Address() string {
	if r.Mode == DataMode {
		return "data." + r.Type + "." + r.Name
	}
	return r.Type + "." + r.Name
}

// hasAddress reports whether r.Address() is addr, without building the address: the
// editor looks resources up on every keystroke.
func (r *Resource) hasAddress(addr string) bool {
	if r.Mode == DataMode {
		var ok bool
		if addr, ok = strings.CutPrefix(addr, "data."); !ok {
			return false
		}
	}
	return len(addr) == len(r.Type)+1+len(r.Name) &&
		strings.HasPrefix(addr, r.Type) && addr[len(r.Type)] == '.' && strings.HasSuffix(addr, r.Name)
}

// AllResources yields every data source, then every managed resource, each in document
// order. The pointers are into b, so a caller may change the resources in place; it must
// not add or remove any while iterating.
func (b *Blueprint) AllResources() iter.Seq[*Resource] {
	return func(yield func(*Resource) bool) {
		for _, list := range [][]Resource{b.Data, b.Resources} {
			for i := range list {
				if !yield(&list[i]) {
					return
				}
			}
		}
	}
}

// Resource finds the resource or data source at addr (azurerm_resource_group.main,
// data.azurerm_client_config.current, as Resource.Address writes them); nil when b has none.
func (b *Blueprint) Resource(addr string) *Resource {
	for r := range b.AllResources() {
		if r.hasAddress(addr) {
			return r
		}
	}
	return nil
}

// AddResource appends r to the data sources or the managed resources, by its Mode.
func (b *Blueprint) AddResource(r Resource) {
	if r.Mode == DataMode {
		b.Data = append(b.Data, r)
	} else {
		b.Resources = append(b.Resources, r)
	}
}

// RemoveResource removes the resource or data source at addr and reports whether there was
// one. References to it are left in place, for validation to point at.
func (b *Blueprint) RemoveResource(addr string) bool {
	for _, list := range []*[]Resource{&b.Data, &b.Resources} {
		for i := range *list {
			if (*list)[i].hasAddress(addr) {
				*list = append((*list)[:i:i], (*list)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// Lifecycle is a managed resource's lifecycle block.
type Lifecycle struct {
	CreateBeforeDestroy bool     `json:"create_before_destroy,omitempty"`
	PreventDestroy      bool     `json:"prevent_destroy,omitempty"`
	IgnoreChanges       []string `json:"ignore_changes,omitempty"`       // attribute paths, or the single word "all"
	ReplaceTriggeredBy  []string `json:"replace_triggered_by,omitempty"` // references
}

// Output is an output value.
type Output struct {
	Name        string   `json:"name"`
	Value       Value    `json:"value"`
	Description string   `json:"description,omitempty"`
	Sensitive   bool     `json:"sensitive,omitempty"`
	DependsOn   []string `json:"depends_on,omitempty"`
}

// Body is the content of a resource, data source, provider or nested block: attributes and
// nested blocks, each in the author's order.
type Body struct {
	Attributes []Attribute
	Blocks     []Block
}

// Attribute is one argument of a body.
type Attribute struct {
	Name  string
	Value Value
}

// Block is one nested block: default_node_pool { ... }.
type Block struct {
	Type string
	Body Body
}

// Attribute returns the named attribute's value, or nil.
func (b Body) Attribute(name string) *Value {
	for i := range b.Attributes {
		if b.Attributes[i].Name == name {
			return &b.Attributes[i].Value
		}
	}
	return nil
}

// BlocksOf returns the nested blocks of one type, in order.
func (b Body) BlocksOf(typ string) []Block {
	var out []Block
	for _, blk := range b.Blocks {
		if blk.Type == typ {
			out = append(out, blk)
		}
	}
	return out
}
