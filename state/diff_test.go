package state

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// The secrets of the configurations below: a sensitive variable's values and a sensitive
// output built from one. Nothing a Snapshot or a Diff shows may hold them.
const (
	secretBefore = "hunter2-before-rotation"
	secretAfter  = "hunter2-after-rotation"
)

// stateConfig is a configuration of terraform_data resources (terraform's builtin
// provider: no download) with a sensitive variable and a sensitive output; rotated
// changes resources, adds and removes some, and changes the outputs.
func stateConfig(rotated bool) string {
	password, user, tags, n := secretBefore, "admin", `["a", "b"]`, 2
	extra := `
resource "terraform_data" "gone" {
  input = "soon removed"
}

output "removed_out" {
  value = "bye"
}
`
	if rotated {
		password, user, tags, n = secretAfter, "root", `["a", "c"]`, 3
		extra = `
resource "terraform_data" "fresh" {
  input = "new"
}

output "added_out" {
  value = 42
}
`
	}
	return fmt.Sprintf(`variable "password" {
  type      = string
  sensitive = true
  default   = %q
}

resource "terraform_data" "plain" {
  input = { name = "web", tags = %s }
}

resource "terraform_data" "secret" {
  input = { user = %q, password = var.password }
}

resource "terraform_data" "many" {
  count = %d
  input = "item-${count.index}"
}

output "name" {
  value = terraform_data.plain.output.name
}

output "complex" {
  value = terraform_data.plain.output
}

output "pw" {
  value     = "pw:${var.password}"
  sensitive = true
}
%s`, password, tags, user, n, extra)
}

var (
	statesOnce sync.Once
	states     [][]byte
)

// realStates are the state files terraform 1.5.7 writes applying stateConfig(false), then
// stateConfig(true): made once, the tests only read them.
func realStates(t *testing.T) (before, after []byte) {
	t.Helper()
	testenv.Terraform(t)
	statesOnce.Do(func() { states = testenv.ApplyStates(t, stateConfig(false), stateConfig(true)) })
	if len(states) != 2 {
		t.Fatal("the state files were not made (see the first test that asked)")
	}
	return states[0], states[1]
}

func mustParse(t *testing.T, data []byte) *Snapshot {
	t.Helper()
	s, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wantNoSecret fails when what (formatted with %+v) holds a secret of stateConfig.
func wantNoSecret(t *testing.T, what string, v any) {
	t.Helper()
	text := fmt.Sprintf("%+v", v)
	for _, s := range []string{secretBefore, secretAfter, "hunter2"} {
		if strings.Contains(text, s) {
			t.Errorf("%s holds the sensitive value %q", what, s)
		}
	}
}

func TestSnapshotShowsOutputsAndMasksSensitiveOnes(t *testing.T) {
	t.Parallel()
	before, _ := realStates(t)
	s := mustParse(t, before)
	outs, more := s.Outputs()
	wantNoSecret(t, "the outputs", outs)
	if more != 0 {
		t.Errorf("%d outputs left out", more)
	}
	byName := map[string]Output{}
	for _, o := range outs {
		byName[o.Name] = o
	}
	if got := byName["pw"]; !got.Sensitive || !got.Value.Sensitive || got.Value.Text != "" {
		t.Errorf("sensitive output pw: %+v", got)
	}
	if got := byName["name"]; got.Sensitive || got.Value.Text != `"web"` || got.Type != `"string"` {
		t.Errorf("output name: %+v", got)
	}
	wantComplex := "{\n  \"name\": \"web\",\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}"
	if got := byName["complex"].Value.Text; got != wantComplex {
		t.Errorf("output complex is not pretty-printed JSON:\n%s\nwant\n%s", got, wantComplex)
	}
}

func TestSnapshotListsResources(t *testing.T) {
	t.Parallel()
	before, _ := realStates(t)
	rs, more := mustParse(t, before).Resources()
	builtin := "terraform.io/builtin/terraform"
	want := []Resource{
		{Address: "terraform_data.gone", Mode: "managed", Type: "terraform_data", Name: "gone", Provider: builtin, Instances: 1},
		{Address: "terraform_data.many", Mode: "managed", Type: "terraform_data", Name: "many", Provider: builtin, Instances: 2, Each: "count"},
		{Address: "terraform_data.plain", Mode: "managed", Type: "terraform_data", Name: "plain", Provider: builtin, Instances: 1},
		{Address: "terraform_data.secret", Mode: "managed", Type: "terraform_data", Name: "secret", Provider: builtin, Instances: 1},
	}
	if diff := cmp.Diff(want, rs); diff != "" || more != 0 {
		t.Errorf("resources (-want +got), %d more:\n%s", more, diff)
	}
}

func TestCompareRealStates(t *testing.T) {
	t.Parallel()
	before, after := realStates(t)
	d := Compare(mustParse(t, before), mustParse(t, after))
	wantNoSecret(t, "the diff", d)

	if diff := cmp.Diff(map[Change]int{Added: 2, Removed: 1, Changed: 2}, d.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	changes := map[string]ResourceChange{}
	var order []string
	for _, c := range d.Resources {
		changes[c.Address] = c
		order = append(order, c.Address+" "+string(c.Change))
	}
	wantOrder := []string{
		"terraform_data.fresh added", "terraform_data.gone removed", "terraform_data.many[2] added",
		"terraform_data.plain changed", "terraform_data.secret changed",
	}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("resource changes (-want +got):\n%s", diff)
	}
	attrs := func(address string) map[string]AttributeChange {
		m := map[string]AttributeChange{}
		for _, a := range changes[address].Attributes {
			m[a.Path] = a
		}
		return m
	}

	plain := attrs("terraform_data.plain")
	if got := plain["input.tags[1]"]; got.Before.Text != `"b"` || got.After.Text != `"c"` {
		t.Errorf("terraform_data.plain input.tags[1]: %+v", got)
	}
	if _, ok := plain["input.name"]; ok {
		t.Error("terraform_data.plain lists input.name, which did not change")
	}

	secret := attrs("terraform_data.secret")
	if got := secret["input.user"]; got.Before.Text != `"admin"` || got.After.Text != `"root"` {
		t.Errorf("terraform_data.secret input.user: %+v", got)
	}
	// Marked sensitive by terraform (sensitive_attributes).
	if got := secret["input.password"]; !got.Before.Sensitive || !got.After.Sensitive || got.Before.SensitiveCopy {
		t.Errorf("terraform_data.secret input.password is not masked as sensitive: %+v", got)
	}
	// Not marked: terraform_data copies its input into output without the mark.
	if got := secret["output.password"]; !got.Before.SensitiveCopy || !got.After.SensitiveCopy {
		t.Errorf("terraform_data.secret output.password, an unmarked copy of a sensitive value, is not masked: %+v", got)
	}

	outs := map[string]OutputChange{}
	for _, o := range d.Outputs {
		outs[o.Name] = o
	}
	if got := outs["pw"]; got.Change != Changed || !got.Sensitive || !got.Before.Sensitive || !got.After.Sensitive {
		t.Errorf("sensitive output pw: %+v", got)
	}
	if got := outs["added_out"]; got.Change != Added || !got.Before.Absent || got.After.Text != "42" {
		t.Errorf("output added_out: %+v", got)
	}
	if got := outs["removed_out"]; got.Change != Removed || got.Before.Text != `"bye"` || !got.After.Absent {
		t.Errorf("output removed_out: %+v", got)
	}
	if got := outs["complex"]; got.Change != Changed {
		t.Errorf("output complex: %+v", got)
	}
	if _, ok := outs["name"]; ok {
		t.Error("output name is listed, but it did not change")
	}

	if same := Compare(mustParse(t, after), mustParse(t, after)); !same.Empty() {
		t.Errorf("a state compared with itself: %+v", same)
	}
}

// syntheticState is a state file of n instances of one resource (count), each with attrs
// attributes whose values are value + the attribute's number.
func syntheticState(n, attrs int, value string) []byte {
	type inst struct {
		IndexKey   int            `json:"index_key"`
		Attributes map[string]any `json:"attributes"`
	}
	insts := make([]inst, n)
	for i := range insts {
		a := map[string]any{}
		for j := range attrs {
			a[fmt.Sprintf("a%04d", j)] = fmt.Sprintf("%s%d", value, j)
		}
		insts[i] = inst{IndexKey: i, Attributes: a}
	}
	data, _ := json.Marshal(map[string]any{
		"version": 4, "serial": 1, "lineage": "l",
		"resources": []any{map[string]any{"mode": "managed", "type": "terraform_data", "name": "x",
			"provider": `provider["terraform.io/builtin/terraform"]`, "instances": insts}},
	})
	return data
}

func TestCompareIsBounded(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("v", AttributeRunes+50)
	tests := []struct {
		name                     string
		from, to                 []byte
		wantListed, wantMore     int
		wantAttrs, wantMoreAttrs int
	}{
		{"resources over the bound", syntheticState(0, 1, ""), syntheticState(MaxResources+7, 1, ""), MaxResources, 7, 0, 0},
		{"attributes over the bound", syntheticState(1, MaxAttributes+3, "a"), syntheticState(1, MaxAttributes+3, "b"), 1, 0, MaxAttributes, 3},
		{"long values are cut", syntheticState(1, 1, "a"), syntheticState(1, 1, long), 1, 0, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Compare(mustParse(t, tt.from), mustParse(t, tt.to))
			if len(d.Resources) != tt.wantListed || d.MoreResources != tt.wantMore {
				t.Fatalf("%d resources listed, %d more; want %d and %d", len(d.Resources), d.MoreResources, tt.wantListed, tt.wantMore)
			}
			r := d.Resources[0]
			if r.Change == Changed && (len(r.Attributes) != tt.wantAttrs || r.MoreAttributes != tt.wantMoreAttrs) {
				t.Errorf("%d attributes listed, %d more; want %d and %d", len(r.Attributes), r.MoreAttributes, tt.wantAttrs, tt.wantMoreAttrs)
			}
			for _, a := range r.Attributes {
				if n := len([]rune(a.After.Text)); n > AttributeRunes {
					t.Errorf("%s shows %d characters, over %d", a.Path, n, AttributeRunes)
				}
				if len(a.After.Text) == AttributeRunes && a.After.Length != len(long)+3 {
					t.Errorf("%s was cut but says it is %d characters long", a.Path, a.After.Length)
				}
			}
		})
	}
}

func TestCompareBoundsAttributesOverAllResources(t *testing.T) {
	t.Parallel()
	n := MaxAttributesTotal/MaxAttributes + 2
	d := Compare(mustParse(t, syntheticState(n, MaxAttributes, "a")), mustParse(t, syntheticState(n, MaxAttributes, "b")))
	total := 0
	for _, r := range d.Resources {
		total += len(r.Attributes)
	}
	if total != MaxAttributesTotal {
		t.Errorf("%d attributes listed over all resources, want the bound %d", total, MaxAttributesTotal)
	}
	if last := d.Resources[len(d.Resources)-1]; last.MoreAttributes != MaxAttributes {
		t.Errorf("the last resource lists %d attributes and says %d more; want none and %d", len(last.Attributes), last.MoreAttributes, MaxAttributes)
	}
}

func TestSensitivePathsMaskWhatTheyLeadTo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sensitive string // sensitive_attributes
		want      map[string]bool
	}{
		{"an attribute", `[[{"type":"get_attr","value":"conn"}]]`, map[string]bool{"conn": true, "list[0]": false, "map.k": false}},
		{"a list element", `[[{"type":"get_attr","value":"list"},{"type":"index","value":{"value":0,"type":"number"}}]]`,
			map[string]bool{"conn": false, "list[0]": true, "list[1]": false, "map.k": false}},
		{"a map element", `[[{"type":"get_attr","value":"map"},{"type":"index","value":{"value":"k","type":"string"}}]]`,
			map[string]bool{"map.k": true, "conn": false}},
		{"a set element is masked with its set", `[[{"type":"get_attr","value":"list"},{"type":"index","value":{"value":{"a":1},"type":["object",{"a":"number"}]}}]]`,
			map[string]bool{"list": true, "conn": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := func(v string) []byte {
				return fmt.Appendf(nil, `{"version":4,"serial":1,"lineage":"l","resources":[{"mode":"managed","type":"t","name":"n","provider":"p",
					"instances":[{"attributes":{"conn":"c-%[1]s","list":["l0-%[1]s","l1-%[1]s"],"map":{"k":"m-%[1]s"}},"sensitive_attributes":%[2]s}]}]}`, v, tt.sensitive)
			}
			d := Compare(mustParse(t, state("one")), mustParse(t, state("two")))
			got := map[string]bool{}
			for _, a := range d.Resources[0].Attributes {
				got[a.Path] = a.Before.Sensitive && a.After.Sensitive
				if a.Before.Sensitive && (a.Before.Text != "" || a.After.Text != "") {
					t.Errorf("%s is sensitive but shows %q → %q", a.Path, a.Before.Text, a.After.Text)
				}
			}
			for path, sensitive := range tt.want {
				if g, ok := got[path]; !ok || g != sensitive {
					t.Errorf("%s: listed %t, sensitive %t; want sensitive %t (all: %v)", path, ok, g, sensitive, got)
				}
			}
		})
	}
}
