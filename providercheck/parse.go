package providercheck

import (
	"encoding/json"
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	tfaddr "github.com/hashicorp/terraform-registry-address"

	"github.com/cloudoven/cloudoven/blueprint"
)

// MaxOutputBytes bounds the validate output read: terraform writes well under a KiB a
// diagnostic, and a blueprint is bounded, so more is not an answer worth reading.
const MaxOutputBytes = 4 << 20

// Source is what a validate output is placed on.
type Source struct {
	Blueprint *blueprint.Blueprint
	// Files are the files generated from Blueprint that terraform validated.
	Files []blueprint.File
	// Lock is the .terraform.lock.hcl init wrote; nil labels providers without a version.
	Lock []byte
	// Terraform is the version of the terraform that validated ("1.5.7"); "" labels its
	// own diagnostics without one.
	Terraform string
}

// Parse reads the output of terraform validate -json and places each diagnostic on the
// blueprint: on the path of the line it starts on, labelled with the provider whose block
// that line is in when the provider said it (terraform gives it the address of what the
// provider checked), else with terraform. A diagnostic with no range, or on a line that maps to nothing, is kept
// at the blueprint level (path ""), with where terraform put it in its detail.
func Parse(validateJSON []byte, src Source) (Diagnostics, error) {
	if len(validateJSON) > MaxOutputBytes {
		return nil, fmt.Errorf("reading the validate output: %d bytes, more than the %d read", len(validateJSON), MaxOutputBytes)
	}
	var out tfjson.ValidateOutput
	if err := json.Unmarshal(validateJSON, &out); err != nil {
		return nil, fmt.Errorf("reading the validate output: %w", err)
	}
	if out.FormatVersion != "" && !strings.HasPrefix(out.FormatVersion, "1.") {
		return nil, fmt.Errorf("reading the validate output: format version %s, not 1.x", out.FormatVersion)
	}
	sm, err := blueprint.MapSource(src.Blueprint, src.Files)
	if err != nil {
		return nil, fmt.Errorf("reading the validate output: %w", err)
	}
	versions := map[string]string{}
	if src.Lock != nil {
		if versions, err = LockVersions(src.Lock); err != nil {
			return nil, err
		}
	}
	terraform := "terraform"
	if src.Terraform != "" {
		terraform += " " + src.Terraform
	}
	ds := make(Diagnostics, 0, len(out.Diagnostics))
	for _, td := range out.Diagnostics {
		d := Diagnostic{By: terraform}
		d.Severity = blueprint.Error
		if td.Severity == tfjson.DiagnosticSeverityWarning {
			d.Severity = blueprint.Warning
		}
		d.Detail = td.Detail
		if td.Range != nil {
			d.File, d.Line = td.Range.Filename, td.Range.Start.Line
			line, ok := sm.At(d.File, d.Line)
			if ok && line.Path != "" {
				d.Path = line.Path
				// A provider's own diagnostics come back with the address of the resource
				// it checked; terraform's checks against the schema (an unsupported
				// argument, a wrong type) have none, and are terraform's words.
				if line.Provider != "" && td.Address != "" {
					d.By = said(src.Blueprint, line.Provider, versions)
				}
			} else {
				d.Detail = strings.TrimSpace(d.Detail + fmt.Sprintf("\n\n(%s, line %d)", d.File, d.Line))
			}
		}
		d.Summary = d.By + " says: " + td.Summary
		ds = append(ds, d)
	}
	return ds, nil
}

// said names a provider by its local name and the version the lock file gives its source.
func said(b *blueprint.Blueprint, local string, versions map[string]string) string {
	if v := versions[ProviderSource(b, local)]; v != "" {
		return local + " " + v
	}
	return local
}

// ProviderSource is the full source address of the provider b calls local:
// registry.terraform.io/hashicorp/time for time, by its required_providers entry, else the
// hashicorp namespace terraform implies. "" when the entry's source does not parse.
func ProviderSource(b *blueprint.Blueprint, local string) string {
	src := "hashicorp/" + local
	for _, rp := range b.RequiredProviders {
		if rp.Name == local && rp.Source != "" {
			src = rp.Source
		}
	}
	if local == "terraform" && src == "hashicorp/terraform" {
		return "terraform.io/builtin/terraform"
	}
	p, err := tfaddr.ParseProviderSource(src)
	if err != nil {
		return ""
	}
	return strings.ToLower(p.String())
}
