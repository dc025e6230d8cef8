package editor

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// settingsEditor is the blueprint's terraform settings: description, required_version and
// required_providers, plus a button per provider of the catalog that has no configuration.
type settingsEditor struct {
	Description     string
	RequiredVersion string
	Required        []requiredRow
	Unconfigured    []string // required providers without a provider block
}

type requiredRow struct {
	Key     string // rp[0]
	Index   int
	Name    string
	Source  string
	Version string
	// Uses counts the resources and data sources that use the provider; only an unused
	// provider can be removed.
	Uses int
}

func settingsView(es *editorSession) *settingsEditor {
	se := &settingsEditor{Description: es.bp.Description, RequiredVersion: es.bp.RequiredVersion}
	for i, rp := range es.bp.RequiredProviders {
		se.Required = append(se.Required, requiredRow{Key: form.RequiredProvidersTable.RowKey(i), Index: i, Name: rp.Name, Source: rp.Source, Version: rp.Version,
			Uses: providerUses(es.bp, rp.Name)})
		if _, pc := es.provider(rp.Name); pc == nil {
			se.Unconfigured = append(se.Unconfigured, rp.Name)
		}
	}
	sort.Strings(se.Unconfigured)
	return se
}

func applySettings(es *editorSession, values url.Values, op form.Op) editOutcome {
	ed := editOutcome{item: itemSettings}
	if values.Has("description") {
		es.bp.Description = strings.TrimSpace(values.Get("description"))
	}
	if values.Has("required_version") {
		es.bp.RequiredVersion = strings.TrimSpace(values.Get("required_version"))
	}
	t := form.RequiredProvidersTable
	n := rowCount(values, t.CountKey(), len(es.bp.RequiredProviders))
	out := make([]blueprint.RequiredProvider, 0, n)
	for i := range n {
		var rp blueprint.RequiredProvider
		if i < len(es.bp.RequiredProviders) {
			rp = es.bp.RequiredProviders[i]
		}
		if values.Has(t.FieldKey(i, "version")) {
			rp.Version = strings.TrimSpace(values.Get(t.FieldKey(i, "version")))
		}
		out = append(out, rp)
	}
	if op.Kind == form.OpRemoveRow && op.Index >= 0 && op.Index < len(out) {
		name := out[op.Index].Name
		if n := providerUses(es.bp, name); n > 0 {
			what := "resources and data sources"
			if n == 1 {
				what = "resource or data source"
			}
			ed.problem = fmt.Sprintf("%s is used by %d %s: remove them or give them another provider first; Terraform would require it again.", name, n, what)
		} else {
			// Its configurations go with it: without the requirement they would name a
			// provider nothing installs.
			out = slices.Delete(out, op.Index, op.Index+1)
			es.bp.Providers = slices.DeleteFunc(es.bp.Providers, func(p blueprint.ProviderConfig) bool { return p.Name == name })
		}
	}
	es.bp.RequiredProviders = out
	if op.Kind == form.OpConfigure {
		name := op.Name
		if _, pc := es.provider(name); pc == nil && hclsyntax.ValidIdentifier(name) {
			var config blueprint.Body
			if schema := providerSchema(es, name); schema != nil {
				config = form.Skeleton(schema, nil)
			}
			es.bp.Providers = append(es.bp.Providers, blueprint.NewProviderConfig(name, providerSource(es, name), config))
			ed.item = itemProvider + name
		}
	}
	return ed
}

// providerUses counts the resources and data sources of b that use the provider called name:
// by their provider meta-argument (name or name.alias), or by their type's prefix when they
// have none, as Terraform implies it.
func providerUses(b *blueprint.Blueprint, name string) int {
	n := 0
	for r := range b.AllResources() {
		local := r.Provider
		if local == "" {
			local, _, _ = strings.Cut(r.Type, "_")
		} else {
			local, _, _ = strings.Cut(local, ".")
		}
		if local == name {
			n++
		}
	}
	return n
}
