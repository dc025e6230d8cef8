package components

import "github.com/cloudoven/cloudoven/blueprint"

// Diagnostic is one problem to show: Severity is "error" or "warning".
type Diagnostic struct {
	Severity string
	Path     string
	Summary  string
	Detail   string
}

// Diagnostics are blueprint diagnostics as the pages show them.
func Diagnostics(ds blueprint.Diagnostics) []Diagnostic {
	out := make([]Diagnostic, len(ds))
	for i, d := range ds {
		out[i] = Diagnostic{Severity: string(d.Severity), Path: d.Path, Summary: d.Summary, Detail: d.Detail}
	}
	return out
}
