package blueprint

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// Candidate is something an argument can refer to, for the editor's reference picker.
type Candidate struct {
	Ref   string // azurerm_resource_group.main.name
	Kind  string // variable, local, resource, data, module
	Type  string // its type as catalog.TypeLabel writes it, "" when unknown (a local, a module output)
	Score int    // higher fits better
}

// ReferenceCandidates lists what the argument at argPath (default_node_pool.vnet_subnet_id)
// of the resource at from (azurerm_kubernetes_cluster.aks) can refer to, best first:
// variables whose type fits, locals, and attributes of other resources and data sources
// that fit by name and type (resource_group_name ← azurerm_resource_group.main.name,
// *_id ← .id), and module calls' outputs (candidates_module.go). Resources and module
// calls that already depend on from are left out, since referring to them would make a
// cycle. ty is the argument's type; cty.DynamicPseudoType accepts anything.
func ReferenceCandidates(b *Blueprint, cat *catalog.Catalog, from, argPath string, ty cty.Type) []Candidate {
	arg := argPath[strings.LastIndex(argPath, ".")+1:]
	dependents := dependentsOf(b, from)
	var out []Candidate

	for _, v := range b.Variables {
		vt := cty.DynamicPseudoType
		if v.Type != "" {
			if e, err := parseExpr(v.Type); err == nil {
				if t, _, diags := typeexpr.TypeConstraintWithDefaults(e); !diags.HasErrors() {
					vt = t
				}
			}
		}
		if !typesFit(vt, ty) {
			continue
		}
		score := 20
		switch {
		case v.Name == arg:
			score = 90
		case strings.Contains(v.Name, arg) || strings.Contains(arg, v.Name):
			score = 40
		}
		c := Candidate{Ref: "var." + v.Name, Kind: "variable", Score: score}
		if v.Type != "" {
			c.Type = catalog.TypeLabel(vt)
		}
		out = append(out, c)
	}
	for _, l := range b.Locals {
		score := 10
		if l.Name == arg {
			score = 50
		}
		out = append(out, Candidate{Ref: "local." + l.Name, Kind: "local", Score: score})
	}
	for r := range b.AllResources() {
		addr := r.Address()
		if addr == from || dependents[addr] {
			continue
		}
		typ := cat.Lookup(kindOf(r), r.Type)
		if typ == nil {
			continue
		}
		kind := "resource"
		if r.Mode == DataMode {
			kind = "data"
		}
		for name, a := range typ.Schema.Block.Attributes {
			if !typesFit(attrType(a), ty) {
				continue
			}
			if score := attributeFit(arg, r.Type, name); score > 0 {
				out = append(out, Candidate{Ref: addr + "." + name, Kind: kind, Type: catalog.TypeLabel(attrType(a)), Score: score})
			}
		}
	}
	out = append(out, moduleCandidates(b, arg, from, dependents)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Ref < out[j].Ref
	})
	return out
}

// attributeFit scores how well attribute attr of a resource of type typ suits argument arg.
func attributeFit(arg, typ, attr string) int {
	for _, suffix := range []string{"_name", "_id"} {
		base, ok := strings.CutSuffix(arg, suffix)
		if !ok || attr != suffix[1:] {
			continue
		}
		// resource_group_name ← azurerm_resource_group.x.name; vnet_subnet_id ←
		// azurerm_subnet.x.id (a shorter tail of the name fits a little less well).
		words := strings.Split(base, "_")
		for i := range words {
			if strings.HasSuffix(typ, "_"+strings.Join(words[i:], "_")) {
				return 100 - 10*i
			}
		}
	}
	switch {
	case attr == arg && arg == "location" && strings.HasSuffix(typ, "_resource_group"):
		return 85
	case attr == arg:
		return 60
	case strings.HasSuffix(arg, "_id") && attr == "id":
		return 30
	case strings.HasSuffix(arg, "_ids") && attr == "id":
		return 25
	}
	return 0
}

// typesFit is a loose check: the editor offers a reference when its value could convert,
// except between primitive types.
func typesFit(have, want cty.Type) bool {
	if have == cty.DynamicPseudoType || want == cty.DynamicPseudoType {
		return true
	}
	if want.IsListType() || want.IsSetType() {
		// A single id suits one element of a list of ids: the picker wraps it.
		return typesFit(have, want.ElementType()) || have.IsListType() || have.IsSetType() || have.IsTupleType()
	}
	if want.IsPrimitiveType() {
		// Terraform would convert a number or a bool to a string, but a picker that offers
		// var.node_count for a name offers a mistake: a primitive fits its own type only.
		return have.Equals(want)
	}
	return have.Equals(want) || have.IsObjectType() && want.IsObjectType() || have.IsMapType() && want.IsMapType()
}

// dependentsOf is every node that refers to addr, directly or through others.
func dependentsOf(b *Blueprint, addr string) map[string]bool {
	g := buildGraph(b)
	users := map[string][]string{}
	for n, tos := range g.edges {
		for _, t := range tos {
			users[t] = append(users[t], n)
		}
	}
	out := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		for _, u := range users[n] {
			if !out[u] {
				out[u] = true
				walk(u)
			}
		}
	}
	walk(addr)
	return out
}
