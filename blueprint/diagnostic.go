package blueprint

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a diagnostic.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	// Note says what CloudOven did for the user (an implied provider made explicit, legacy
	// syntax converted) or what is fine as written but worth knowing. It is shown like a
	// warning and never blocks anything: not an import, a save or a run.
	Note Severity = "note"
)

// Diagnostic is a problem the user can fix, anchored at a path in the blueprint such as
// resources[azurerm_kubernetes_cluster.aks].default_node_pool[0].vm_size.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Path     string   `json:"path"`
	Summary  string   `json:"summary"`
	Detail   string   `json:"detail,omitempty"` // says how to fix it
}

func (d Diagnostic) String() string {
	s := fmt.Sprintf("%s: %s: %s", d.Severity, d.Path, d.Summary)
	if d.Detail != "" {
		s += ": " + d.Detail
	}
	return s
}

// Diagnostics is a list of diagnostics in the order they were found.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors keeps only the errors.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Notes keeps only the notes.
func (ds Diagnostics) Notes() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Note {
			out = append(out, d)
		}
	}
	return out
}

// WithoutNotes leaves out the notes: what is left is what the user has to act on.
func (ds Diagnostics) WithoutNotes() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity != Note {
			out = append(out, d)
		}
	}
	return out
}

// At keeps the diagnostics at path or below it.
func (ds Diagnostics) At(path string) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Path == path || strings.HasPrefix(d.Path, path+".") || strings.HasPrefix(d.Path, path+"[") {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders diagnostics by path, errors first at equal paths, for stable output.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Path != ds[j].Path {
			return ds[i].Path < ds[j].Path
		}
		return ds[i].Severity == Error && ds[j].Severity != Error
	})
}

// Error renders every diagnostic, one a line, the way terraform validate lists them.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

type diags struct{ list Diagnostics }

func (d *diags) errorf(path, summary, detail string, args ...any) {
	d.list = append(d.list, Diagnostic{Severity: Error, Path: path, Summary: summary, Detail: fmt.Sprintf(detail, args...)})
}

func (d *diags) warnf(path, summary, detail string, args ...any) {
	d.list = append(d.list, Diagnostic{Severity: Warning, Path: path, Summary: summary, Detail: fmt.Sprintf(detail, args...)})
}

func (d *diags) notef(path, summary, detail string, args ...any) {
	d.list = append(d.list, Diagnostic{Severity: Note, Path: path, Summary: summary, Detail: fmt.Sprintf(detail, args...)})
}
