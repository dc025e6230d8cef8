package state

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"unicode/utf8"
)

// Value is a value of a state as a page shows it.
type Value struct {
	// Text is the value as JSON ("web", 3, true, null, {...}), cut to a bound; empty when
	// Sensitive or Absent.
	Text string
	// Sensitive values are never put in Text: terraform marked them sensitive, or they hold
	// a sensitive string of the state (SensitiveCopy).
	Sensitive bool
	// SensitiveCopy says the value was not marked sensitive but holds a sensitive value.
	SensitiveCopy bool
	// Absent says the value does not exist on this side of a change.
	Absent bool
	// Length is the full length of the text in characters when Text was cut, 0 otherwise.
	Length int
}

// String is the value as a page shows it.
func (v Value) String() string {
	switch {
	case v.Sensitive:
		return "(sensitive)"
	case v.Absent:
		return "(none)"
	}
	return v.Text
}

// Output is a root module output of a state.
type Output struct {
	Name string
	// Type is terraform's type of the output, as JSON: "string", ["list","string"].
	Type      string
	Sensitive bool
	// Value is pretty-printed JSON, cut to OutputRunes characters.
	Value Value
}

// Resource is a resource of a state with its instances.
type Resource struct {
	// Address is terraform's, without an instance key: module.net.azurerm_subnet.main,
	// data.azurerm_client_config.current.
	Address string
	Module  string
	// Mode is "managed" or "data".
	Mode     string
	Type     string
	Name     string
	Provider string
	// Instances counts its instances; Each says how they are keyed: "count" (by number),
	// "for_each" (by key), or "" for a single instance.
	Instances int
	Each      string
}

// Bounds of what Outputs, Resources and Compare return, so a page showing them stays
// readable and small whatever the state.
const (
	// MaxOutputs is the most outputs listed.
	MaxOutputs = 500
	// MaxResources is the most resources listed, and the most changed resources a Diff
	// lists.
	MaxResources = 1000
	// OutputRunes is the most characters of an output's value shown.
	OutputRunes = 4000
	// AttributeRunes is the most characters of an attribute's value a Diff shows.
	AttributeRunes = 200
	// MaxAttributes is the most changed attributes a Diff lists per resource, and
	// MaxAttributesTotal over all resources.
	MaxAttributes      = 200
	MaxAttributesTotal = 10000
)

// Outputs returns the state's outputs by name, at most MaxOutputs, and how many more there
// are. A sensitive output's value, and one that holds a sensitive string of the state, is
// never read into it.
func (s *Snapshot) Outputs() ([]Output, int) {
	names := make([]string, 0, len(s.outputs))
	for n := range s.outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	more := max(0, len(names)-MaxOutputs)
	names = names[:len(names)-more]
	outs := make([]Output, 0, len(names))
	for _, n := range names {
		o := s.outputs[n]
		outs = append(outs, Output{Name: n, Type: compactJSON(o.Type), Sensitive: o.Sensitive,
			Value: showValue(o.Value, o.Sensitive, s.secrets, true, OutputRunes)})
	}
	return outs, more
}

// Resources returns the state's resources by address, at most MaxResources, and how many
// more there are.
func (s *Snapshot) Resources() ([]Resource, int) {
	rs := make([]Resource, 0, min(len(s.resources), MaxResources))
	for _, r := range s.resources {
		each := ""
		for _, in := range r.Instances {
			switch in.IndexKey.(type) {
			case json.Number:
				each = "count"
			case string:
				each = "for_each"
			}
		}
		rs = append(rs, Resource{Address: resourceAddress(r), Module: r.Module, Mode: r.Mode, Type: r.Type, Name: r.Name,
			Provider: providerText(r.Provider), Instances: len(r.Instances), Each: each})
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Address < rs[j].Address })
	more := max(0, len(rs)-MaxResources)
	return rs[:len(rs)-more], more
}

// providerText is a resource's provider as a page names it: provider["registry.terraform.io/
// hashicorp/azurerm"].west reads registry.terraform.io/hashicorp/azurerm.west.
func providerText(p string) string {
	_, rest, ok := strings.Cut(p, `provider["`)
	if !ok {
		return p
	}
	source, alias, ok := strings.Cut(rest, `"]`)
	if !ok {
		return p
	}
	return source + alias
}

// showValue is v as a page shows it: nothing of it when sensitive or when it holds one of
// secrets, else its JSON (indented when pretty) cut to runes characters.
func showValue(v any, sensitive bool, secrets []string, pretty bool, runes int) Value {
	if sensitive {
		return Value{Sensitive: true}
	}
	if holdsSecret(v, secrets, 0) {
		return Value{Sensitive: true, SensitiveCopy: true}
	}
	text := jsonText(v, pretty)
	if n := utf8.RuneCountInString(text); n > runes {
		return Value{Text: cutRunes(text, runes), Length: n}
	}
	return Value{Text: text}
}

// jsonText is v as JSON, without HTML escapes (a page escapes what it shows).
func jsonText(v any, pretty bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if pretty {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return "(unreadable)"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func compactJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return ""
	}
	return b.String()
}

func cutRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
