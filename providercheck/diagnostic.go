package providercheck

import (
	"github.com/cloudoven/cloudoven/blueprint"
)

// Diagnostic is one diagnostic of terraform validate, placed on the blueprint. Its
// Summary starts with who said it: "time 0.14.2 says: Invalid Attribute Value".
type Diagnostic struct {
	blueprint.Diagnostic
	// By is who said it: a provider's local name and version ("time 0.14.2"), or
	// "terraform 1.5.7" for terraform's own checks, outside any provider's block.
	By string `json:"by"`
	// File and Line are where terraform put it in the generated files; empty and 0 when
	// it gave no range.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Diagnostics is the diagnostics of one check, in terraform's order.
type Diagnostics []Diagnostic

// Blueprint is the diagnostics as package blueprint's, for the places that show those.
func (ds Diagnostics) Blueprint() blueprint.Diagnostics {
	out := make(blueprint.Diagnostics, len(ds))
	for i, d := range ds {
		out[i] = d.Diagnostic
	}
	return out
}

// Count says how many errors and warnings there are.
func (ds Diagnostics) Count() (errors, warnings int) {
	for _, d := range ds {
		if d.Severity == blueprint.Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}
