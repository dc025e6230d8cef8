package catalog

import (
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// BuiltinSource is the source address of Terraform's builtin provider (terraform_data,
// terraform_remote_state), which needs no required_providers entry.
const BuiltinSource = "terraform.io/builtin/terraform"

// Kind tells a managed resource type from a data source type.
type Kind string

const (
	KindResource   Kind = "resource"
	KindDataSource Kind = "data"
)

// Provider is one provider version of the catalog.
type Provider struct {
	Source    string // registry.terraform.io/hashicorp/azurerm
	Namespace string // hashicorp
	Name      string // azurerm: the default local name and the prefix of its type names
	Version   string // 5.2.0
	Schema    *tfjson.ProviderSchema
	Docs      *Docs // never nil; empty until the provider's docs are crawled
}

// Type is one resource or data source type of the catalog.
type Type struct {
	Name     string // azurerm_kubernetes_cluster
	Kind     Kind
	Provider *Provider
	Schema   *tfjson.Schema
	Doc      *Doc // nil when the provider's docs have no page for it
}

// Catalog is every loaded provider with its types, indexed for lookup and search. A Catalog is
// immutable once built and safe for concurrent use.
type Catalog struct {
	providers []*Provider
	bySource  map[string]*Provider
	resources map[string]*Type
	data      map[string]*Type
	search    []searchEntry
}

// New indexes providers into a catalog. Where two providers define the same type name the
// first one in the list wins, so callers order providers deliberately.
func New(providers []*Provider) (*Catalog, error) {
	c := &Catalog{
		bySource:  map[string]*Provider{},
		resources: map[string]*Type{},
		data:      map[string]*Type{},
	}
	for _, p := range providers {
		if p.Schema == nil {
			return nil, fmt.Errorf("provider %s %s: no schema", p.Source, p.Version)
		}
		if _, dup := c.bySource[p.Source]; dup {
			return nil, fmt.Errorf("provider %s: listed twice", p.Source)
		}
		if p.Docs == nil {
			p.Docs = &Docs{}
		}
		c.providers = append(c.providers, p)
		c.bySource[p.Source] = p
		c.addTypes(p, KindResource, p.Schema.ResourceSchemas, p.Docs.Resources, c.resources)
		c.addTypes(p, KindDataSource, p.Schema.DataSourceSchemas, p.Docs.DataSources, c.data)
	}
	c.buildSearch()
	return c, nil
}

func (c *Catalog) addTypes(p *Provider, kind Kind, schemas map[string]*tfjson.Schema, docs map[string]*Doc, into map[string]*Type) {
	names := make([]string, 0, len(schemas))
	for name := range schemas {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, taken := into[name]; taken || schemas[name] == nil || schemas[name].Block == nil {
			continue
		}
		into[name] = &Type{Name: name, Kind: kind, Provider: p, Schema: schemas[name], Doc: docs[name]}
	}
}

// Providers lists the catalog's providers in load order.
func (c *Catalog) Providers() []*Provider { return c.providers }

// Provider finds a provider by its full source address (registry.terraform.io/hashicorp/azurerm)
// or its short form (hashicorp/azurerm); nil when absent.
func (c *Catalog) Provider(source string) *Provider {
	if p := c.bySource[source]; p != nil {
		return p
	}
	return c.bySource[NormalizeSource(source)]
}

// Resource finds a managed resource type; nil when absent.
func (c *Catalog) Resource(name string) *Type { return c.resources[name] }

// DataSource finds a data source type; nil when absent.
func (c *Catalog) DataSource(name string) *Type { return c.data[name] }

// Lookup finds a type of the given kind; nil when absent.
func (c *Catalog) Lookup(kind Kind, name string) *Type {
	if kind == KindDataSource {
		return c.data[name]
	}
	return c.resources[name]
}

// TypeNames lists the names of every type of a kind, sorted.
func (c *Catalog) TypeNames(kind Kind) []string {
	m := c.resources
	if kind == KindDataSource {
		m = c.data
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NormalizeSource expands a short provider source (hashicorp/azurerm, or azurerm alone) to
// its full address the way Terraform does: the default registry host and, for a bare name,
// the hashicorp namespace.
func NormalizeSource(source string) string {
	s := strings.ToLower(strings.TrimSpace(source))
	switch strings.Count(s, "/") {
	case 0:
		return "registry.terraform.io/hashicorp/" + s
	case 1:
		return "registry.terraform.io/" + s
	}
	return s
}
