// The provider allow-list: a plan runs every provider's code with the environment's
// secrets, so only providers the platform crawled into the catalog, and sources a project
// admin allowed for the project, may be used.

package policy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
)

// MaxSourceBytes bounds a provider source address; real ones are a few dozen bytes.
const MaxSourceBytes = 255

var (
	sourceHost      = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$`)
	sourceNamespace = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$`)
	sourceType      = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,62}[a-z0-9])?$`)
)

// ParseProviderSource reads a provider source address as Terraform writes it,
// [HOSTNAME/]NAMESPACE/TYPE, and returns it in full, lowercase form
// (registry.terraform.io/hashicorp/http). The error says what is wrong with it.
func ParseProviderSource(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "":
		return "", errors.New("the provider source is empty; write NAMESPACE/TYPE (hashicorp/http) or HOSTNAME/NAMESPACE/TYPE")
	case len(s) > MaxSourceBytes:
		return "", fmt.Errorf("the provider source is %d bytes, more than %d", len(s), MaxSourceBytes)
	case strings.Contains(s, "://"):
		return "", errors.New("a provider source is not a URL; write HOSTNAME/NAMESPACE/TYPE without a scheme")
	}
	parts := strings.Split(s, "/")
	host := ""
	switch len(parts) {
	case 2:
	case 3:
		host, parts = parts[0], parts[1:]
		if !sourceHost.MatchString(host) || len(host) > 253 {
			return "", fmt.Errorf("%q is not a registry host name", host)
		}
	default:
		return "", fmt.Errorf("%q is not a provider source; write NAMESPACE/TYPE (hashicorp/http) or HOSTNAME/NAMESPACE/TYPE", s)
	}
	if !sourceNamespace.MatchString(parts[0]) {
		return "", fmt.Errorf("%q is not a provider namespace: letters, digits and dashes, at most 64", parts[0])
	}
	if !sourceType.MatchString(parts[1]) {
		return "", fmt.Errorf("%q is not a provider type: lowercase letters, digits and dashes, starting with a letter, at most 64", parts[1])
	}
	return catalog.NormalizeSource(s), nil
}

// providerUse is a provider source a blueprint makes terraform install, and the path of
// what asks for it.
type providerUse struct {
	source string // normalized
	path   string
}

// providerUses are the provider sources b makes terraform install: its required_providers
// entries, and for a provider it uses without an entry (Terraform implies hashicorp/NAME;
// validation refuses it too), the first resource, data source or provider configuration
// that uses it. Terraform's builtin provider ships with terraform and is left out.
func providerUses(b *blueprint.Blueprint) []providerUse {
	var out []providerUse
	required := map[string]bool{}
	for i, rp := range b.RequiredProviders {
		required[rp.Name] = true
		out = append(out, providerUse{source: catalog.NormalizeSource(rp.Source), path: fmt.Sprintf("required_providers[%d].source", i)})
	}
	implied := func(name, path string) {
		if name == "" || name == "terraform" || required[name] {
			return
		}
		required[name] = true
		out = append(out, providerUse{source: catalog.NormalizeSource("hashicorp/" + name), path: path})
	}
	for i, pc := range b.Providers {
		implied(pc.Name, fmt.Sprintf("providers[%d].name", i))
	}
	for r := range b.AllResources() {
		name, _, _ := strings.Cut(r.Provider, ".")
		if name == "" {
			name, _, _ = strings.Cut(r.Type, "_")
		}
		implied(name, resourcePath(r)+".type")
	}
	return out
}

// Disallowed is a provider source a blueprint makes terraform install that neither the
// catalog nor the project allows, with the path of what asks for it.
type Disallowed struct {
	Source string // normalized: registry.example.com/acme/tool
	Path   string // required_providers[0].source
}

// Diagnostic is the error the editor, the import and the deployment page show on Path.
func (d Disallowed) Diagnostic() blueprint.Diagnostic {
	return blueprint.Diagnostic{
		Severity: blueprint.Error,
		Path:     d.Path,
		Summary:  fmt.Sprintf("provider %s is not allowed in this project", d.Source),
		Detail:   "a plan runs the provider's code with the environment's secrets: use a provider of the catalog, or have a project admin allow this source on the project's guardrails page",
	}
}

// DisallowedProviders are the provider sources the blueprint makes terraform install that
// are neither in the catalog nor among allowed, the sources a project admin allowed for the
// project (in any form ParseProviderSource reads), each once, in blueprint order. A plan
// runs provider code with the environment's secrets, so a source nobody vouched for refuses
// every run (see package deployment).
func DisallowedProviders(b *blueprint.Blueprint, cat *catalog.Catalog, allowed []string) []Disallowed {
	if b == nil {
		return nil
	}
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[catalog.NormalizeSource(a)] = true
	}
	var out []Disallowed
	seen := map[string]bool{}
	for _, u := range providerUses(b) {
		if ok[u.source] || seen[u.source] || cat != nil && cat.Provider(u.source) != nil {
			continue
		}
		seen[u.source] = true
		out = append(out, Disallowed{Source: u.source, Path: u.path})
	}
	return out
}

// CheckProviders is DisallowedProviders as diagnostics: an error on each source.
func CheckProviders(b *blueprint.Blueprint, cat *catalog.Catalog, allowed []string) blueprint.Diagnostics {
	var out blueprint.Diagnostics
	for _, d := range DisallowedProviders(b, cat, allowed) {
		out = append(out, d.Diagnostic())
	}
	return out
}
