package runs

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
)

// Summary is what a plan will do: counts as terraform prints them
// ("Plan: 2 to add, 1 to change, 2 to destroy."), so a replacement counts
// in Add and in Destroy, and once more in Replace; and the resources with
// their actions.
type Summary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Replace int `json:"replace"`
	// Outputs counts the root module's outputs the plan adds, changes or
	// removes: terraform applies those too, so they are changes.
	Outputs   int              `json:"outputs,omitempty"`
	Resources []ResourceChange `json:"resources,omitempty"`
}

// HasChanges reports whether applying the plan would change anything:
// a resource, a data source read during apply, or an output.
func (s Summary) HasChanges() bool {
	return s.Add+s.Change+s.Destroy+s.Outputs > 0 || len(s.Resources) > 0
}

// ResourceChange is one resource the plan does something to.
type ResourceChange struct {
	Address string `json:"address"`
	// Actions are terraform's: ["create"], ["update"], ["delete"],
	// ["delete", "create"] or ["create", "delete"] for a replacement,
	// ["read"] for a data source read during apply.
	Actions []string `json:"actions"`
	// Changed names the top-level attributes an update or replacement
	// changes or leaves unknown until apply, sorted. It is empty for
	// creates and deletes, where every attribute changes.
	Changed []string `json:"changed,omitempty"`
}

// ParsePlan reads the output of `terraform show -json <planfile>` into a
// Summary. Resources without changes are left out.
func ParsePlan(showJSON []byte) (Summary, error) {
	var p tfjson.Plan
	if err := json.Unmarshal(showJSON, &p); err != nil {
		return Summary{}, fmt.Errorf("parsing plan JSON: %w", err)
	}
	if err := p.Validate(); err != nil {
		return Summary{}, fmt.Errorf("parsing plan JSON: %w", err)
	}
	var s Summary
	for _, rc := range p.ResourceChanges {
		if rc == nil || rc.Change == nil {
			continue
		}
		a := rc.Change.Actions
		if a.NoOp() || len(a) == 0 {
			continue
		}
		r := ResourceChange{Address: rc.Address}
		for _, act := range a {
			r.Actions = append(r.Actions, string(act))
		}
		switch {
		case a.Replace():
			s.Add++
			s.Destroy++
			s.Replace++
			r.Changed = changedAttributes(rc.Change)
		case a.Create():
			s.Add++
		case a.Update():
			s.Change++
			r.Changed = changedAttributes(rc.Change)
		case a.Delete():
			s.Destroy++
		}
		s.Resources = append(s.Resources, r)
	}
	for _, c := range p.OutputChanges {
		if c != nil && len(c.Actions) > 0 && !c.Actions.NoOp() {
			s.Outputs++
		}
	}
	return s, nil
}

// changedAttributes compares before and after at the top level: nested
// blocks show up under the attribute (block) name that holds them.
func changedAttributes(c *tfjson.Change) []string {
	before, _ := c.Before.(map[string]any)
	after, _ := c.After.(map[string]any)
	unknown, _ := c.AfterUnknown.(map[string]any)
	seen := map[string]bool{}
	for k := range before {
		seen[k] = true
	}
	for k := range after {
		seen[k] = true
	}
	for k := range unknown {
		seen[k] = true
	}
	var out []string
	for k := range seen {
		if !reflect.DeepEqual(before[k], after[k]) || isUnknown(unknown[k]) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// isUnknown reports whether an after_unknown entry marks anything unknown:
// true, or a list or object holding a true somewhere.
func isUnknown(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case []any:
		for _, e := range v {
			if isUnknown(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if isUnknown(e) {
				return true
			}
		}
	}
	return false
}

// Progress is how far a plan or apply has got, for a progress bar. During
// a plan, Total counts the changes planned so far and Done stays 0; during
// an apply, Total counts the resource operations the plan announced (a
// replacement is two: delete and create) and Done those finished or
// failed. Complete turns true with terraform's closing change summary.
type Progress struct {
	Operation string `json:"operation"` // "plan" or "apply"
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	Complete  bool   `json:"complete"`
}

// uiMessage is the part of a line of terraform's machine-readable UI
// (`terraform plan -json`, `apply -json`) that CloudOven reads.
type uiMessage struct {
	Level   string `json:"@level"`
	Message string `json:"@message"`
	Type    string `json:"type"`
	Change  *struct {
		Action string `json:"action"`
	} `json:"change"`
	Changes *struct {
		Operation string `json:"operation"`
	} `json:"changes"`
	Diagnostic *struct {
		Severity string   `json:"severity"`
		Summary  string   `json:"summary"`
		Detail   string   `json:"detail"`
		Address  string   `json:"address"`
		Range    *uiRange `json:"range"`
	} `json:"diagnostic"`
}

// uiRange is where a diagnostic of the machine-readable UI points.
type uiRange struct {
	Filename string `json:"filename"`
	Start    struct {
		Line int `json:"line"`
	} `json:"start"`
}

// parseUI decodes a machine-readable UI line; ok is false for anything
// else (init's plain text, show -json's plan).
func parseUI(line []byte) (m uiMessage, ok bool) {
	if len(line) == 0 || line[0] != '{' {
		return m, false
	}
	if err := json.Unmarshal(line, &m); err != nil || m.Type == "" || m.Level == "" {
		return m, false
	}
	return m, true
}

// Tracker follows a run's machine-readable UI output and keeps its
// Progress. It is not safe for concurrent use.
type Tracker struct {
	p Progress
}

// NewTracker returns a Tracker for a stage doing operation, "plan" or
// "apply".
func NewTracker(operation string) *Tracker {
	return &Tracker{p: Progress{Operation: operation}}
}

// Progress returns the progress so far.
func (t *Tracker) Progress() Progress { return t.p }

// Observe reads one output line and reports whether the progress changed.
// Lines that are not terraform UI messages are ignored.
func (t *Tracker) Observe(line []byte) bool {
	m, ok := parseUI(line)
	if !ok {
		return false
	}
	return t.observe(m)
}

func (t *Tracker) observe(m uiMessage) bool {
	before := t.p
	switch m.Type {
	case "version":
		// Each terraform command starts with one; apply announces its
		// planned changes again, so counting starts over.
		t.p = Progress{Operation: t.p.Operation}
	case "planned_change":
		if m.Change != nil {
			t.p.Total += actionWeight(m.Change.Action)
		}
	case "apply_complete", "apply_errored":
		if t.p.Done < t.p.Total {
			t.p.Done++
		}
	case "change_summary":
		if m.Changes != nil && m.Changes.Operation == "apply" {
			t.p.Done = t.p.Total
		}
		t.p.Complete = true
	}
	return t.p != before
}

// actionWeight is how many apply hooks (apply_start … apply_complete) a
// planned change action produces.
func actionWeight(action string) int {
	switch action {
	case "create", "update", "delete", "read":
		return 1
	case "replace":
		return 2
	}
	return 0 // noop, move, import, forget: nothing to apply
}
