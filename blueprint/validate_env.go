package blueprint

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/go-version"

	"github.com/hashicorp/hcl/v2/ext/typeexpr"

	"github.com/cloudoven/cloudoven/egress"
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
	validateRunner(b, env.Runner, &d)
	validateStateContainer(env, &d)
	return d.list
}

// StateContainerSecret is the secret CloudOven creates an azurerm backend's container with
// when RunnerSettings.CreateStateContainer is set.
const StateContainerSecret = "ARM_ACCESS_KEY"

// validateStateContainer checks that CloudOven can create the backend's container when the
// environment asks it to: only for azurerm, and only with the account's access key.
func validateStateContainer(env *Environment, d *diags) {
	if !env.Runner.CreateStateContainer {
		return
	}
	const path = "runner.create_state_container"
	if env.Backend.Type != "azurerm" {
		got := "no backend"
		if env.Backend.Type != "" {
			got = "the " + env.Backend.Type + " backend"
		}
		d.errorf(path, "only an azurerm backend's container can be created before init",
			"the environment has %s; choose the azurerm backend, or turn off creating the container", got)
		return
	}
	if _, ok := env.Secrets[StateContainerSecret]; !ok {
		d.errorf(path, fmt.Sprintf("creating the container needs the secret %s", StateContainerSecret),
			"add the storage account's access key as the environment secret %s, or turn off creating the container", StateContainerSecret)
	}
}

var (
	// imageRef is a Docker image reference: an optional registry host (with a port), lower-case
	// path components, an optional tag and an optional sha256 digest.
	imageRef = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?/)?` +
		`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*` +
		`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`)
	terraformRelease = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.]+)?$`)
	registryHost     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?$`)
)

// validateRunner checks the runner settings, and that the Terraform version satisfies the
// blueprint's required_version.
func validateRunner(b *Blueprint, r RunnerSettings, d *diags) {
	r = r.WithDefaults()
	if r.Image != "" && (len(r.Image) > 255 || !imageRef.MatchString(r.Image)) {
		d.errorf("runner.image", fmt.Sprintf("invalid image reference %q", r.Image),
			"write an image like hashicorp/terraform:1.5.7 or registry.example.com/platform/terraform@sha256:<digest>, in lower case; leave it empty for the server's default image")
	}
	if !terraformRelease.MatchString(r.TerraformVersion) {
		d.errorf("runner.terraform_version", fmt.Sprintf("invalid Terraform version %q", r.TerraformVersion),
			"write a release number like %s, without a leading v or a constraint operator", DefaultTerraformVersion)
	} else if tv, err := version.NewVersion(r.TerraformVersion); err == nil && tv.LessThan(version.Must(version.NewVersion("1.0.0"))) {
		d.errorf("runner.terraform_version", fmt.Sprintf("Terraform %s is too old", r.TerraformVersion),
			"CloudOven runs Terraform 1.0 or newer; %s is the tested default", DefaultTerraformVersion)
	} else if err == nil && b != nil && b.RequiredVersion != "" {
		if c, err := version.NewConstraint(b.RequiredVersion); err == nil && !c.Check(tv) {
			d.errorf("runner.terraform_version",
				fmt.Sprintf("Terraform %s does not satisfy the blueprint's required_version %q", r.TerraformVersion, b.RequiredVersion),
				"pick a Terraform version the blueprint accepts, or relax required_version in the blueprint")
		}
	}
	if !slices.Contains(NetworkModes(), r.NetworkMode) {
		d.errorf("runner.network_mode", fmt.Sprintf("unknown network mode %q", r.NetworkMode),
			"use one of %s: bridge gives the run its own network with internet access, host shares the server's, none cuts the run off", strings.Join(NetworkModes(), ", "))
	}
	validateEgress(r, d)
	seen := map[string]bool{}
	for i, h := range r.AllowedRegistries {
		path := fmt.Sprintf("runner.allowed_registries[%d]", i)
		switch {
		case strings.Contains(h, "://") || strings.Contains(h, "/"):
			d.errorf(path, fmt.Sprintf("invalid registry host %q", h), "write the host name only, like myacr.azurecr.io, without a scheme or a path")
		case len(h) > 253 || !registryHost.MatchString(h):
			d.errorf(path, fmt.Sprintf("invalid registry host %q", h), "write a lower-case host name, optionally with a port, like myacr.azurecr.io or registry.example.com:5000")
		case seen[h]:
			d.errorf(path, fmt.Sprintf("registry %s is listed twice", h), "remove the second entry")
		}
		seen[h] = true
	}
}

// validateEgress checks the egress mode, its hosts, and that the network mode does not
// step around it.
func validateEgress(r RunnerSettings, d *diags) {
	if !slices.Contains(EgressModes(), r.Egress) {
		d.errorf("runner.egress", fmt.Sprintf("unknown egress mode %q", r.Egress),
			"use one of %s: none reaches only CloudOven's state backend, allow-list also the hosts listed, open whatever the network mode reaches", strings.Join(EgressModes(), ", "))
	} else if r.Egress != EgressOpen && r.NetworkMode == "host" {
		d.errorf("runner.network_mode", fmt.Sprintf("host networking cannot hold a run to egress %s", r.Egress),
			"a run on the host's network reaches whatever the server reaches: choose bridge (or none), or set egress to open")
	}
	if len(r.EgressHosts) > egress.MaxRules {
		d.errorf("runner.egress_hosts", fmt.Sprintf("%d hosts is more than the %d an allow-list may have", len(r.EgressHosts), egress.MaxRules),
			"allow a domain with a wildcard (*.example.com) instead of its hosts one by one")
		return
	}
	seen := map[egress.Rule]bool{}
	for i, h := range r.EgressHosts {
		path := fmt.Sprintf("runner.egress_hosts[%d]", i)
		rule, err := egress.ParseRule(h)
		switch {
		case err != nil:
			d.errorf(path, fmt.Sprintf("invalid egress host %q", truncate(h, 80)),
				"%v; an entry is a host name like management.azure.com, a wildcard like *.blob.core.windows.net, or an IPv4 address, optionally with :port", err)
		case seen[rule]:
			d.errorf(path, fmt.Sprintf("egress host %s is listed twice", h), "remove the second entry")
		}
		seen[rule] = true
	}
	if r.Egress == EgressAllowList && len(r.EgressHosts) == 0 {
		d.warnf("runner.egress_hosts", "the allow-list is empty",
			"runs reach only CloudOven's state backend, as with egress none; list the hosts the blueprint's providers and backend need")
	}
}

// truncate shortens s to at most n bytes for a message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
