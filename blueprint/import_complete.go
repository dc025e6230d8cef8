// Completing imported Terraform with what Terraform implies and a blueprint states.

package blueprint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
)

// Complete makes explicit, in a blueprint imported from Terraform, what Terraform implies
// and a blueprint states: every provider the configuration uses (a resource or data source
// type's prefix, a resource's provider argument, a provider block) without a
// required_providers entry gets one, hashicorp/<name> as Terraform implies, pinned to the
// catalog's version of that provider ("~> 5.2") when the catalog has it. Each addition is a
// Note: Terraform accepts the configuration as it is, so nothing here is ever an error.
// Terraform's builtin provider (terraform_data, terraform_remote_state) needs no entry.
//
// Import does not take the catalog: it turns files into a blueprint from their text alone
// (the fuzzer, the round-trip tests and the starters call it with bytes only), so what
// depends on the catalog happens here, in one place: every path that turns a user's
// Terraform into a blueprint (the web import, `cloudoven import`) calls Complete after Import
// and before Validate. The starters (package starters may not import the catalog) state
// their required_providers in their own files. A blueprint document is not completed: it is CloudOven's own
// format, whose required_providers are explicit (Validate says what is missing).
func Complete(b *Blueprint, cat *catalog.Catalog) Diagnostics {
	var d diags
	have := map[string]bool{}
	for _, rp := range b.RequiredProviders {
		have[rp.Name] = true
	}
	used := map[string]string{} // local name to the first path using it
	use := func(name, path string) {
		if _, ok := used[name]; !ok && name != "" && name != "terraform" && !have[name] {
			used[name] = path
		}
	}
	for i := range b.Providers {
		use(b.Providers[i].Name, "providers["+b.Providers[i].Address()+"]")
	}
	for r := range b.AllResources() {
		name, _, _ := strings.Cut(r.Provider, ".")
		if name == "" {
			name = typePrefix(r.Type)
		}
		use(name, resourcePath(r))
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if !validIdentifier(name) {
			continue // Validate reports the name; there is nothing sound to add
		}
		rp := RequiredProvider{Name: name, Source: "hashicorp/" + name}
		pinned := "; the catalog does not have it, so no version is pinned"
		if p := cat.Provider(rp.Source); p != nil {
			rp.Version = "~> " + majorMinor(p.Version)
			pinned = fmt.Sprintf(", pinned to %q, the catalog's version (%s)", rp.Version, p.Version)
		}
		b.RequiredProviders = append(b.RequiredProviders, rp)
		d.notef("required_providers["+name+"]", fmt.Sprintf("added required provider %s = %s", name, rp.Source),
			"%s uses %s without a required_providers entry, so Terraform implies %s; the blueprint says so%s", used[name], name, rp.Source, pinned)
	}
	sort.SliceStable(b.RequiredProviders, func(i, j int) bool {
		return b.RequiredProviders[i].Name < b.RequiredProviders[j].Name
	})
	return d.list
}
