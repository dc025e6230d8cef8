package blueprint

import (
	"fmt"
	"sort"
	"strings"

	goversion "github.com/hashicorp/go-version"

	"github.com/cloudoven/cloudoven/catalog"
)

func (v *validator) checkRequiredProviders() {
	for i, rp := range v.b.RequiredProviders {
		path := fmt.Sprintf("required_providers[%d]", i)
		if !checkName(&v.d, path+".name", "provider", rp.Name) {
			continue
		}
		if _, dup := v.required[rp.Name]; dup {
			v.d.errorf(path+".name", fmt.Sprintf("duplicate required provider %q", rp.Name), "list each provider once")
			continue
		}
		v.required[rp.Name] = rp
		if rp.Source == "" || strings.Count(rp.Source, "/") > 2 || strings.ContainsAny(rp.Source, " \t\"") {
			v.d.errorf(path+".source", fmt.Sprintf("invalid provider source %q", rp.Source), "write NAMESPACE/TYPE such as hashicorp/%s", rp.Name)
			continue
		}
		var constraint goversion.Constraints
		if strings.TrimSpace(rp.Version) == "" {
			hint := "add a constraint such as \"~> 1.0\", so that an upgrade of the providers stays within a major version"
			if p := v.cat.Provider(rp.Source); p != nil {
				hint = fmt.Sprintf("add a constraint such as \"~> %s\", so that an upgrade of the providers stays within a major version", majorMinor(p.Version))
			}
			v.d.notef(path+".version", fmt.Sprintf("provider %s has no version constraint", rp.Name),
				"%s; a deployment's lock file pins what its first plan installs", hint)
		}
		if rp.Version != "" {
			c, err := goversion.NewConstraint(rp.Version)
			if err != nil {
				v.d.errorf(path+".version", fmt.Sprintf("invalid version constraint %q", rp.Version), "write a constraint such as \"~> 5.2\"")
			}
			constraint = c
		}
		p := v.cat.Provider(rp.Source)
		if p == nil {
			v.d.warnf(path+".source", fmt.Sprintf("provider %s is not in the catalog", rp.Source), "its resources cannot be checked; crawl it to add it to the catalog")
			continue
		}
		if constraint != nil {
			if have, err := goversion.NewVersion(p.Version); err == nil && !constraint.Check(have) {
				v.d.warnf(path+".version", fmt.Sprintf("the catalog has %s %s, outside %q", rp.Name, p.Version, rp.Version), "validation used %s; crawl a version that matches or widen the constraint", p.Version)
			}
		}
	}
}

// providerFor resolves the catalog provider a resource type or provider config belongs to.
// It returns nil, after reporting why, when the provider cannot be checked.
func (v *validator) providerFor(localName, path string, report bool) *catalog.Provider {
	if localName == "terraform" {
		return v.cat.Provider(catalog.BuiltinSource)
	}
	rp, ok := v.required[localName]
	if !ok {
		if report {
			hint := fmt.Sprintf("add {\"name\": %q, \"source\": \"hashicorp/%s\"} to required_providers", localName, localName)
			if p := v.cat.Provider("hashicorp/" + localName); p != nil {
				hint = fmt.Sprintf("add {\"name\": %q, \"source\": \"hashicorp/%s\", \"version\": \"~> %s\"} to required_providers", localName, localName, majorMinor(p.Version))
			}
			v.d.errorf(path, fmt.Sprintf("provider %q is not in required_providers", localName), "%s", hint)
		}
		return nil
	}
	return v.cat.Provider(rp.Source)
}

func majorMinor(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return version
	}
	return parts[0] + "." + parts[1]
}

func (v *validator) checkProviderConfigs() {
	for i := range v.b.Providers {
		pc := &v.b.Providers[i]
		path := fmt.Sprintf("providers[%d]", i)
		if !checkName(&v.d, path+".name", "provider", pc.Name) {
			continue
		}
		if pc.Alias != "" && !checkName(&v.d, path+".alias", "provider alias", pc.Alias) {
			continue
		}
		addr := pc.Address()
		if v.providers[addr] {
			v.d.errorf(path, fmt.Sprintf("duplicate provider configuration %s", addr), "give the second one an alias")
			continue
		}
		v.providers[addr] = true
		p := v.providerFor(pc.Name, path+".name", true)
		v.checkBodyRefs(path, pc.Config, nil)
		if p == nil || p.Schema.ConfigSchema == nil || p.Schema.ConfigSchema.Block == nil {
			continue
		}
		v.checkBody(path, pc.Config, p.Schema.ConfigSchema.Block)
		for _, blk := range missingProviderBlocks(p.Source, pc.Config) {
			v.d.errorf(path+"."+blk, fmt.Sprintf("the %s provider needs a %s block", pc.Name, blk), "add an empty block: \"%s\": [{}]", blk)
		}
	}
	// azurerm cannot plan without a configured provider; other providers work unconfigured.
	used := map[string]string{}
	for r := range v.b.AllResources() {
		name, _, _ := strings.Cut(r.Provider, ".")
		if name == "" {
			name = typePrefix(r.Type)
		}
		if _, ok := used[name]; !ok {
			used[name] = resourcePath(r)
		}
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		rp, ok := v.required[name]
		if !ok || v.providers[name] {
			continue
		}
		// terraform validate accepts a configuration without provider blocks (a child module
		// gets its providers from the caller); only a plan needs one, so this is a note.
		if blocks := requiredProviderBlocks(rp.Source); len(blocks) > 0 {
			v.d.notef("providers", fmt.Sprintf("%s needs a provider configuration", name), "a plan needs one unless a calling module passes it: add {\"name\": %q, \"config\": {\"%s\": [{}]}} to providers (used by %s)", name, blocks[0], used[name])
		}
	}
}

func typePrefix(typ string) string {
	name, _, _ := strings.Cut(typ, "_")
	return name
}
