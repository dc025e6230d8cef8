package providers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Bounds of the files Requirements reads.
const (
	maxConfigFiles = 1000
	maxConfigBytes = 16 << 20
)

// defaultRegistry is the host of provider addresses that name none.
const defaultRegistry = "registry.terraform.io"

// builtinTerraform is the provider built into terraform (terraform_remote_state,
// terraform_data): never installed.
const builtinTerraform = "terraform.io/builtin/terraform"

// Requirements are the providers a root module's files (name → contents; only *.tf files
// are read) require: the required_providers entries of its terraform blocks, with their
// version constraints (several for one provider are joined), and, for each provider local
// name used by a provider block, a resource or a data source without such an entry,
// hashicorp/<name> with no constraint, as terraform implies it. Addresses are full
// (registry.terraform.io/hashicorp/azurerm), sorted; the built-in terraform provider is
// left out. Child modules' requirements are not seen.
func Requirements(files map[string][]byte) ([]Requirement, error) {
	if len(files) > maxConfigFiles {
		return nil, fmt.Errorf("reading provider requirements: %d files, over %d", len(files), maxConfigFiles)
	}
	names := make([]string, 0, len(files))
	total := 0
	for name, src := range files {
		if strings.HasSuffix(name, ".tf") {
			names = append(names, name)
			total += len(src)
		}
	}
	if total > maxConfigBytes {
		return nil, fmt.Errorf("reading provider requirements: %d MiB of configuration, over %d", total>>20, maxConfigBytes>>20)
	}
	slices.Sort(names)
	required := map[string]string{}      // local name -> source
	constraints := map[string][]string{} // source -> constraints
	var used []string
	for _, name := range names {
		f, diags := hclsyntax.ParseConfig(files[name], name, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, fmt.Errorf("reading provider requirements: %s", diags.Error())
		}
		for _, b := range f.Body.(*hclsyntax.Body).Blocks {
			switch {
			case b.Type == "terraform":
				for _, rp := range b.Body.Blocks {
					if rp.Type != "required_providers" {
						continue
					}
					if err := readRequiredProviders(name, rp, required, constraints); err != nil {
						return nil, fmt.Errorf("reading provider requirements: %w", err)
					}
				}
			case b.Type == "provider" && len(b.Labels) == 1:
				used = append(used, b.Labels[0])
			case (b.Type == "resource" || b.Type == "data") && len(b.Labels) == 2:
				used = append(used, providerOf(b))
			}
		}
	}
	for _, local := range used {
		if _, ok := required[local]; !ok && local != "" {
			source := defaultRegistry + "/hashicorp/" + strings.ToLower(local)
			if local == "terraform" {
				source = builtinTerraform
			}
			required[local] = source
			if _, ok := constraints[source]; !ok {
				constraints[source] = nil
			}
		}
	}
	reqs := make([]Requirement, 0, len(constraints))
	for source, cs := range constraints {
		if source == builtinTerraform {
			continue
		}
		if err := checkSourceSafe(source); err != nil {
			return nil, fmt.Errorf("reading provider requirements: %w", err)
		}
		slices.Sort(cs)
		cs = slices.Compact(cs)
		req := Requirement{Source: source, Constraint: strings.Join(cs, ", ")}
		if _, err := parseConstraint(req.Constraint); err != nil {
			return nil, fmt.Errorf("reading provider requirements: provider %s: %w", source, err)
		}
		reqs = append(reqs, req)
	}
	slices.SortFunc(reqs, func(a, b Requirement) int { return strings.Compare(a.Source, b.Source) })
	return reqs, nil
}

// readRequiredProviders reads one required_providers block: each attribute is a local
// name set to { source, version } or, in the old form, to a version string.
func readRequiredProviders(file string, b *hclsyntax.Block, required map[string]string, constraints map[string][]string) error {
	for local, attr := range b.Body.Attributes {
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() {
			return fmt.Errorf("%s: required_providers.%s: %s", file, local, diags.Error())
		}
		source, version := "", ""
		switch {
		case v.IsNull():
			return fmt.Errorf("%s: required_providers.%s is null", file, local)
		case v.Type() == cty.String:
			version = v.AsString()
		case v.Type().IsObjectType():
			for k, val := range v.AsValueMap() {
				if val.IsNull() || val.Type() != cty.String {
					if k == "configuration_aliases" {
						continue
					}
					return fmt.Errorf("%s: required_providers.%s.%s must be a string", file, local, k)
				}
				switch k {
				case "source":
					source = val.AsString()
				case "version":
					version = val.AsString()
				}
			}
		default:
			return fmt.Errorf("%s: required_providers.%s: want { source = \"…\", version = \"…\" }", file, local)
		}
		if source == "" {
			source = "hashicorp/" + local
		}
		full, err := fullSource(source)
		if err != nil {
			return fmt.Errorf("%s: required_providers.%s: %w", file, local, err)
		}
		required[local] = full
		if version != "" {
			constraints[full] = append(constraints[full], strings.TrimSpace(version))
		} else if _, ok := constraints[full]; !ok {
			constraints[full] = nil
		}
	}
	return nil
}

// Address is a provider source address as configurations write it (azurerm,
// hashicorp/azurerm, registry.terraform.io/hashicorp/azurerm), in full and lower case.
func Address(s string) (string, error) {
	full, err := fullSource(s)
	if err == nil && full == builtinTerraform {
		err = fmt.Errorf("provider address %q: the terraform provider is built into terraform", s)
	}
	return full, err
}

// fullSource completes a source address as terraform does: type alone is hashicorp's,
// namespace/type is the public registry's. Addresses are case-insensitive; terraform
// writes them in lower case.
func fullSource(s string) (string, error) {
	parts := strings.Split(strings.ToLower(s), "/")
	switch len(parts) {
	case 1:
		parts = []string{defaultRegistry, "hashicorp", parts[0]}
	case 2:
		parts = append([]string{defaultRegistry}, parts...)
	}
	full := strings.Join(parts, "/")
	if full == builtinTerraform {
		return full, nil
	}
	if err := checkSourceSafe(full); err != nil {
		return "", err
	}
	return full, nil
}

// providerOf is the local name of the provider a resource or data block uses: its
// provider argument's, else its type's prefix.
func providerOf(b *hclsyntax.Block) string {
	if attr, ok := b.Body.Attributes["provider"]; ok {
		if trav, diags := hcl.AbsTraversalForExpr(attr.Expr); !diags.HasErrors() && len(trav) > 0 {
			return trav.RootName()
		}
	}
	typ := b.Labels[0]
	if i := strings.IndexByte(typ, '_'); i > 0 {
		return typ[:i]
	}
	return typ
}
