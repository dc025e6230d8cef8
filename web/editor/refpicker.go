package editor

import (
	"github.com/cloudoven/cloudoven/blueprint"
)

// maxCandidates is how many references the picker offers for one field: its filter makes
// a long list usable, and the bound keeps the form small.
const maxCandidates = 150

// refFilterMin is how many candidates a picker holds before it gets a filter box: a short
// list is read at a glance.
const refFilterMin = 8

// refPicker is the reference picker of one field in reference mode: the candidates that fit
// the field's type (blueprint.ReferenceCandidates), grouped by kind. The groups come in the
// order of their best candidate and keep the candidates' order inside, so the first option
// is still the best fit overall. A current value that is no candidate is kept, selected,
// above the groups.
//
// Filtering happens in the browser (app.js: the filter box hides the options that do not
// match and posts nothing), so typing a filter costs no round trip and never moves focus;
// the select posts the field's key and the chosen reference, as a plain select would.
type refPicker struct {
	Groups []refGroup
	Total  int
	// Current is the field's value when it is no candidate; "" otherwise.
	Current string
}

// refGroup is the candidates of one kind.
type refGroup struct {
	Kind       string // variable, local, resource, data, module
	Label      string // Variables
	Candidates []blueprint.Candidate
}

// kindLabels names the picker's groups by blueprint.Candidate.Kind.
var kindLabels = map[string]string{
	"variable": "Variables",
	"local":    "Locals",
	"resource": "Resources",
	"data":     "Data sources",
	"module":   "Module outputs",
}

// newRefPicker groups candidates (best first) for a field whose value is current.
func newRefPicker(candidates []blueprint.Candidate, current string) refPicker {
	p := refPicker{Total: len(candidates), Current: current}
	at := map[string]int{}
	for _, c := range candidates {
		if c.Ref == current {
			p.Current = ""
		}
		i, ok := at[c.Kind]
		if !ok {
			label := kindLabels[c.Kind]
			if label == "" {
				label = c.Kind
			}
			i = len(p.Groups)
			at[c.Kind] = i
			p.Groups = append(p.Groups, refGroup{Kind: c.Kind, Label: label})
		}
		p.Groups[i].Candidates = append(p.Groups[i].Candidates, c)
	}
	return p
}

// Filterable says whether the picker gets a filter box.
func (p refPicker) Filterable() bool { return p.Total >= refFilterMin }

// optionLabel is how a candidate reads in the list: its reference, and its type when known.
func optionLabel(c blueprint.Candidate) string {
	if c.Type == "" {
		return c.Ref
	}
	return c.Ref + " (" + c.Type + ")"
}
