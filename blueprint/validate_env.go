package blueprint

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2/ext/typeexpr"
)

// ValidateEnvironment checks an environment against the blueprint it will deploy: every
// value belongs to a declared variable and fits its type, every variable without a default
// gets a value (or a TF_VAR_ secret), sensitive values stay out of terraform.tfvars, and the
// backend settings are complete. stateKey and stateAddress are what Generate will be given.
func ValidateEnvironment(b *Blueprint, env *Environment, stateKey, stateAddress string) Diagnostics {
	var d diags
	if env.Name != "" && !validSlug(env.Name) {
		d.errorf("name", fmt.Sprintf("invalid environment name %q", env.Name), "use lowercase letters, digits, '-' and '_', starting with a letter or digit, e.g. \"dev\"")
	}
	v := newValidator(b, nil)
	vars := map[string]*Variable{}
	for i := range b.Variables {
		vars[b.Variables[i].Name] = &b.Variables[i]
	}
	names := make([]string, 0, len(env.Variables))
	for n := range env.Variables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		path := "variables." + n
		decl := vars[n]
		if decl == nil {
			d.errorf(path, fmt.Sprintf("the blueprint has no variable %q", n), "remove the value, or declare the variable in the blueprint.%s", didYouMean(n, keys(vars)))
			continue
		}
		val := env.Variables[n]
		if val.Kind != LiteralKind {
			d.errorf(path, "an environment value must be a literal", "terraform.tfvars holds plain values; move expressions into the blueprint")
			continue
		}
		if decl.Sensitive {
			d.warnf(path, fmt.Sprintf("variable %s is sensitive but its value is written to terraform.tfvars", n), "store it as the environment secret TF_VAR_%s instead", n)
		}
		if decl.Type == "" || val.Literal.IsNull() {
			continue
		}
		expr, err := parseExpr(decl.Type)
		if err != nil {
			continue // reported by Validate
		}
		ty, _, diags := typeexpr.TypeConstraintWithDefaults(expr)
		if diags.HasErrors() {
			continue
		}
		v.checkLiteral(path, val.Literal, ty)
	}
	d.list = append(d.list, v.d.list...)
	for _, decl := range b.Variables {
		if decl.Default != nil {
			continue
		}
		if _, ok := env.Variables[decl.Name]; ok {
			continue
		}
		if _, ok := env.Secrets["TF_VAR_"+decl.Name]; ok {
			continue
		}
		d.errorf("variables."+decl.Name, fmt.Sprintf("variable %s has no default and no value", decl.Name), "give it a value here, or the secret TF_VAR_%s for a sensitive one", decl.Name)
	}
	secretNames := keys(env.Secrets)
	sort.Strings(secretNames)
	for _, n := range secretNames {
		if !envVarName.MatchString(n) {
			d.errorf("secrets."+n, fmt.Sprintf("invalid environment variable name %q", n), "use letters, digits and underscores, not starting with a digit, e.g. ARM_CLIENT_SECRET")
		}
	}
	validateBackend(env.Backend, stateKey, stateAddress, &d)
	return d.list
}
