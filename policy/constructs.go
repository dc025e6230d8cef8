// Constructs that run a program or send data out during the plan itself: the external and
// http data sources, and exec in a provider configuration. Their findings block every plan
// (Blocks); terraform_remote_state has its own file.

package policy

import (
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
)

// allowHint is the end of a blocking finding's fix: the way out that is not a change to the
// blueprint.
func allowHint(rule, addr string) string {
	return fmt.Sprintf("or, once reviewed, have a project admin add %s to the allow list of %s in the rule file", addr, rule)
}

// argPath is the path of the argument arg of r when it is set, else of r itself.
func argPath(r *blueprint.Resource, arg string) string {
	if r.Config.Attribute(arg) != nil {
		return resourcePath(r) + "." + arg
	}
	return resourcePath(r)
}

// checkNoExternalData finds every external data source (hashicorp/external): Terraform runs
// its program during the plan, whatever the program is.
func checkNoExternalData(c *checker, _ Rule, _ map[string]bool) []Finding {
	var out []Finding
	for _, r := range c.data("external") {
		out = append(out, Finding{
			Resource: r.Address(),
			Path:     argPath(r, "program"),
			Message:  fmt.Sprintf("%s runs a program on the runner during every plan, with the environment's secrets in its environment", r.Address()),
			Fix:      "compute the value in Terraform or pass it in as a variable, " + allowHint(NoExternalData, r.Address()),
		})
	}
	return out
}

// checkNoHTTPData finds every http data source (hashicorp/http): the plan sends its request
// to whatever URL it names, and what the URL carries goes with it.
func checkNoHTTPData(c *checker, _ Rule, _ map[string]bool) []Finding {
	var out []Finding
	for _, r := range c.data("http") {
		out = append(out, Finding{
			Resource: r.Address(),
			Path:     argPath(r, "url"),
			Message:  fmt.Sprintf("%s sends a request to a URL of the blueprint's choosing during every plan, before anyone approves it", r.Address()),
			Fix:      "pass the value in as a variable instead, " + allowHint(NoHTTPData, r.Address()),
		})
	}
	return out
}

// checkNoProviderExec finds exec in provider configurations: a block or an argument named
// exec at any depth (the kubernetes provider's exec block, helm's kubernetes = { exec = ...
// }), and an object-typed setting whose keys cannot be known before the plan (helm's
// kubernetes = var.kubernetes), which could hold one.
func checkNoProviderExec(c *checker, _ Rule, _ map[string]bool) []Finding {
	var out []Finding
	for i := range c.b.Providers {
		pc := &c.b.Providers[i]
		addr := "provider." + pc.Address()
		path := fmt.Sprintf("providers[%d]", i)
		found := func(at string) {
			out = append(out, Finding{
				Resource: addr,
				Path:     at,
				Message:  fmt.Sprintf("%s runs the program of an exec setting on the runner during every plan, with the environment's secrets in its environment", addr),
				Fix:      "authenticate with a token or client certificate (from a variable, a secret or the cluster's attributes) instead of exec, " + allowHint(NoProviderExec, addr),
			})
		}
		unknown := func(at, arg string) {
			out = append(out, Finding{
				Resource: addr,
				Path:     at,
				Message:  fmt.Sprintf("%s sets %s from an expression that cannot be known before the plan, so whether it holds an exec (a program the plan runs) cannot be told", addr, arg),
				Fix:      fmt.Sprintf("write %s out as an object without exec, ", arg) + allowHint(NoProviderExec, addr),
			})
		}
		schema := c.providerSchema(pc.Name)
		var walk func(prefix string, body blueprint.Body, schema *tfjson.SchemaBlock)
		walk = func(prefix string, body blueprint.Body, schema *tfjson.SchemaBlock) {
			for _, a := range body.Attributes {
				at := prefix + "." + a.Name
				if a.Name == "exec" {
					found(at)
					continue
				}
				v := static(a.Value)
				switch holds, known := holdsExec(v); {
				case holds:
					found(at)
				case !known && objectTyped(schema, a.Name):
					unknown(at, a.Name)
				}
			}
			counts := map[string]int{}
			for _, blk := range body.Blocks {
				at := fmt.Sprintf("%s.%s[%d]", prefix, blk.Type, counts[blk.Type])
				counts[blk.Type]++
				if blk.Type == "exec" {
					found(at)
					continue
				}
				var nested *tfjson.SchemaBlock
				if schema != nil && schema.NestedBlocks[blk.Type] != nil {
					nested = schema.NestedBlocks[blk.Type].Block
				}
				walk(at, blk.Body, nested)
			}
		}
		walk(path, pc.Config, schema)
	}
	return out
}

// holdsExec reports whether a static value is an object or map with a key exec at any
// depth, and whether that can be told: known is false when some keys are not known.
func holdsExec(v cty.Value) (holds, known bool) {
	if !v.IsKnown() {
		return false, false
	}
	if v.IsNull() {
		return false, true
	}
	ty := v.Type()
	if !ty.IsObjectType() && !ty.IsMapType() && !ty.IsTupleType() && !ty.IsListType() {
		return false, true
	}
	known = true
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if k.Type() == cty.String && k.AsString() == "exec" {
			return true, true
		}
		h, kn := holdsExec(e)
		if h {
			return true, true
		}
		// A value of unknown type may be a string as well as an object: only a known
		// collection that hides its keys counts as unknown.
		known = known && (kn || !e.IsKnown())
	}
	return false, known
}

// objectTyped reports whether the provider's schema (nil when the catalog does not have it)
// types the argument name as an object, a map or anything: a value that could hold an exec.
// Without a schema nothing is assumed, since a provider outside the catalog is refused
// until a project admin allows it anyway.
func objectTyped(schema *tfjson.SchemaBlock, name string) bool {
	if schema == nil {
		return false
	}
	a := schema.Attributes[name]
	if a == nil {
		return false
	}
	if a.AttributeNestedType != nil {
		return true
	}
	ty := a.AttributeType
	return ty == cty.DynamicPseudoType || ty.IsObjectType() || ty.IsMapType()
}

// providerSchema is the configuration schema of the provider with the local name name: the
// source its required_providers entry gives (hashicorp/NAME when none does), looked up in
// the catalog; nil when the catalog does not have it.
func (c *checker) providerSchema(name string) *tfjson.SchemaBlock {
	source := "hashicorp/" + name
	for _, rp := range c.b.RequiredProviders {
		if rp.Name == name {
			source = rp.Source
		}
	}
	cat := c.catalog()
	if cat == nil {
		return nil
	}
	p := cat.Provider(source)
	if p == nil || p.Schema == nil || p.Schema.ConfigSchema == nil {
		return nil
	}
	return p.Schema.ConfigSchema.Block
}
