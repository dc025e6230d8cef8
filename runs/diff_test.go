package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/google/go-cmp/cmp"
)

// The diff fixture comes from terraform 1.5.7 on terraform_data and terraform_remote_state,
// with a sensitive variable whose value changes between the plans.
const (
	diffSecretBefore = "s3cret-before-0fd1"
	diffSecretAfter  = "s3cret-after-9c2e"
	diffConfigBefore = `variable "password" {
  type      = string
  sensitive = true
}

resource "terraform_data" "app" {
  input = {
    name  = "app"
    pools = [{ vm_size = "Standard_B2s", count = 1 }]
    tags  = { env = "dev" }
  }
}

resource "terraform_data" "login" {
  input = { user = "admin", password = var.password }
}

resource "terraform_data" "node" {
  triggers_replace = "v1"
  input            = "node"
}

resource "terraform_data" "blue" {
  triggers_replace = ["v1"]
  lifecycle { create_before_destroy = true }
}

resource "terraform_data" "old" {
  input = { note = "gone soon", key = var.password }
}
`
	diffConfigAfter = `variable "password" {
  type      = string
  sensitive = true
}

resource "terraform_data" "app" {
  input = {
    name  = "app"
    pools = [{ vm_size = "Standard_D4s_v5", count = 1 }, { vm_size = "Standard_B2s", count = 2 }]
    tags  = { env = "dev", "cost-center" = "42" }
  }
}

resource "terraform_data" "login" {
  input = { user = "admin", password = var.password }
}

resource "terraform_data" "node" {
  triggers_replace = "v2"
  input            = "node"
}

resource "terraform_data" "blue" {
  triggers_replace = ["v2"]
  lifecycle { create_before_destroy = true }
}

resource "terraform_data" "new" {
  input = {
    node   = terraform_data.node.id
    script = join("", [for i in range(30) : "echo step ${i};"])
  }
}

data "terraform_remote_state" "node" {
  backend = "local"
  config  = { path = "${terraform_data.node.id}.tfstate" }
}
`
)

// diffShowJSON runs the diff scenario with the real terraform: apply the first
// configuration, then plan the second and return its show -json.
func diffShowJSON(t *testing.T) []byte {
	t.Helper()
	tf := testenv.Terraform(t)
	dir := t.TempDir()
	env := os.Environ()
	for k, v := range testenv.TerraformEnv(t) {
		env = append(env, k+"="+v)
	}
	run := func(secret string, args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(context.Background(), tf, args...)
		cmd.Dir, cmd.Env = dir, append(env, "TF_VAR_password="+secret)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	write := func(config string) {
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(diffConfigBefore)
	run(diffSecretBefore, "init", "-input=false", "-no-color")
	run(diffSecretBefore, "apply", "-input=false", "-auto-approve", "-no-color")
	write(diffConfigAfter)
	run(diffSecretAfter, "plan", "-input=false", "-no-color", "-out=tfplan")
	return run(diffSecretAfter, "show", "-json", "tfplan")
}

// attr is an AttributeDiff as the page shows it.
type attr struct {
	Path, Before, After string
	Forces              bool
}

type resourceRows struct {
	Address     string
	Action      Action
	CreateFirst bool
	Rows        []attr
	More        int
}

func rows(d Diff) []resourceRows {
	var out []resourceRows
	for _, r := range d.Resources {
		rr := resourceRows{Address: r.Address, Action: r.Action, CreateFirst: r.CreateFirst, More: r.MoreAttributes}
		for _, a := range r.Attributes {
			rr.Rows = append(rr.Rows, attr{a.Path, a.Before.String(), a.After.String(), a.ForcesReplacement})
		}
		out = append(out, rr)
	}
	return out
}

// wantDiff is what the fixture's plan changes. terraform_data's output copies its input
// without the input's sensitivity, so terraform prints old.output.key as it is: the run
// service redacts the environment's secrets from the plan JSON before anything reads it.
var wantDiff = []resourceRows{
	{Address: "data.terraform_remote_state.node", Action: ActionRead, Rows: []attr{
		{"backend", "", `"local"`, false},
		{"config.path", "", "(known after apply)", false},
		{"outputs", "", "(known after apply)", false},
	}},
	{Address: "terraform_data.app", Action: ActionUpdate, Rows: []attr{
		{"input.pools[0].vm_size", `"Standard_B2s"`, `"Standard_D4s_v5"`, false},
		{"input.pools[1].count", "null", "2", false},
		{"input.pools[1].vm_size", "null", `"Standard_B2s"`, false},
		{`input.tags["cost-center"]`, "null", `"42"`, false},
		{"output.name", `"app"`, "(known after apply)", false},
		{"output.pools[0].count", "1", "(known after apply)", false},
		{"output.pools[0].vm_size", `"Standard_B2s"`, "(known after apply)", false},
		{"output.tags.env", `"dev"`, "(known after apply)", false},
	}},
	{Address: "terraform_data.blue", Action: ActionReplace, CreateFirst: true, Rows: []attr{
		{"id", `"ec45691c-d416-a5c8-9808-4fcdf824a917"`, "(known after apply)", false},
		{"triggers_replace[0]", `"v1"`, `"v2"`, true},
	}},
	{Address: "terraform_data.login", Action: ActionUpdate, Rows: []attr{
		{"input.password", "(sensitive)", "(sensitive)", false},
		{"output.password", `"` + diffSecretBefore + `"`, "(known after apply)", false},
		{"output.user", `"admin"`, "(known after apply)", false},
	}},
	{Address: "terraform_data.new", Action: ActionCreate, Rows: []attr{
		{"id", "", "(known after apply)", false},
		{"input.node", "", "(known after apply)", false},
		{"input.script", "", `"` + scriptHead + `"… (380 characters)`, false},
		{"output", "", "(known after apply)", false},
	}},
	{Address: "terraform_data.node", Action: ActionReplace, Rows: []attr{
		{"id", `"ad1707f7-7321-f59b-509f-a3d574efc609"`, "(known after apply)", false},
		{"output", `"node"`, "(known after apply)", false},
		{"triggers_replace", `"v1"`, `"v2"`, true},
	}},
	{Address: "terraform_data.old", Action: ActionDestroy, Rows: []attr{
		{"id", `"ed6d0582-1e01-318a-66ce-fa8ed940cc16"`, "", false},
		{"input.key", "(sensitive)", "", false},
		{"input.note", `"gone soon"`, "", false},
		{"output.key", `"` + diffSecretBefore + `"`, "", false},
		{"output.note", `"gone soon"`, "", false},
	}},
}

// scriptHead is the first 200 characters of new's input.script.
var scriptHead = func() string {
	var b strings.Builder
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "echo step %d;", i)
	}
	return b.String()[:200]
}()

func TestDiffPlan(t *testing.T) {
	t.Parallel()
	d, err := DiffPlan(readFixture(t, "diff-show.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantDiff, rows(d)); diff != "" {
		t.Errorf("DiffPlan (-want +got):\n%s", diff)
	}
	wantCounts := map[Action]int{ActionCreate: 1, ActionUpdate: 2, ActionReplace: 2, ActionDestroy: 1, ActionRead: 1}
	if diff := cmp.Diff(wantCounts, d.Counts); diff != "" || d.MoreResources != 0 {
		t.Errorf("counts (-want +got):\n%s more %d", diff, d.MoreResources)
	}
}

// TestDiffFixture checks that the committed fixture still describes what the real
// terraform prints (ids aside), and rewrites it with -update.
func TestDiffFixture(t *testing.T) {
	show := diffShowJSON(t)
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", "diff-show.json"), show, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fresh, err := DiffPlan(show)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := DiffPlan(readFixture(t, "diff-show.json"))
	if err != nil {
		t.Fatal(err)
	}
	noIDs := func(d Diff) []resourceRows {
		rs := rows(d)
		for i := range rs {
			for j := range rs[i].Rows {
				if rs[i].Rows[j].Path == "id" && rs[i].Rows[j].Before != "" {
					rs[i].Rows[j].Before = "ID"
				}
			}
		}
		return rs
	}
	if diff := cmp.Diff(noIDs(kept), noIDs(fresh)); diff != "" {
		t.Errorf("DiffPlan of fresh terraform output (-fixture +fresh):\n%s", diff)
	}
}

// TestDiffNeverShowsSecrets: values marked sensitive are never read, and the plan JSON as
// the run service seals it (redacted of the environment's secrets) shows neither secret.
func TestDiffNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	show := readFixture(t, "diff-show.json")
	d, err := DiffPlan(show)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range d.Resources {
		for _, a := range r.Attributes {
			if strings.Contains(a.After.Text, diffSecretAfter) || strings.HasPrefix(a.Path, "input.") && strings.Contains(a.Before.Text, diffSecretBefore) {
				t.Errorf("%s %s shows a sensitive value: %+v", r.Address, a.Path, a)
			}
		}
	}
	d, err = DiffPlan([]byte(RedactString(string(show), []string{diffSecretBefore, diffSecretAfter})))
	if err != nil {
		t.Fatalf("the redacted plan JSON: %v", err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret") {
		t.Errorf("the diff of the redacted plan shows a secret: %s", b)
	}
}

// TestDiffSensitiveAtAnyDepth: a block marked sensitive as a whole shows neither its
// values nor its keys, and a mark deep in a list hides that element only.
func TestDiffSensitiveAtAnyDepth(t *testing.T) {
	t.Parallel()
	plan := `{"format_version":"1.2","resource_changes":[
	{"address":"x.a","change":{"actions":["update"],
	 "before":{"conn":{"user":"u1","key":"k1"},"list":[{"v":"p1"},{"v":"q1"}],"name":"n"},
	 "after":{"conn":{"user":"u2","key":"k2"},"list":[{"v":"p2"},{"v":"q2"}],"name":"n"},
	 "after_unknown":{},
	 "before_sensitive":{"conn":true,"list":[{},{"v":true}]},
	 "after_sensitive":{"conn":true,"list":[{},{"v":true}]}}},
	{"address":"x.b","change":{"actions":["create"],"before":null,
	 "after":{"conn":{"user":"u3"},"tags":{}},"after_unknown":{},"before_sensitive":false,"after_sensitive":{"conn":{"user":true}}}},
	{"address":"x.c","change":{"actions":["no-op"],"before":{"v":"k4"},"after":{"v":"k4"}}}]}`
	d, err := DiffPlan([]byte(plan))
	if err != nil {
		t.Fatal(err)
	}
	want := []resourceRows{
		{Address: "x.a", Action: ActionUpdate, Rows: []attr{
			{"conn", "(sensitive)", "(sensitive)", false},
			{"list[0].v", `"p1"`, `"p2"`, false},
			{"list[1].v", "(sensitive)", "(sensitive)", false},
		}},
		{Address: "x.b", Action: ActionCreate, Rows: []attr{
			{"conn.user", "", "(sensitive)", false},
			{"tags", "", "{}", false},
		}},
	}
	if diff := cmp.Diff(want, rows(d)); diff != "" {
		t.Errorf("DiffPlan (-want +got):\n%s", diff)
	}
}

// TestDiffLimits: past the limits, resources and attributes are counted, not listed, and
// long values are cut with their length said.
func TestDiffLimits(t *testing.T) {
	t.Parallel()
	var rcs []string
	for i := range 5 {
		rcs = append(rcs, fmt.Sprintf(`{"address":"x.r%d","change":{"actions":["create"],"before":null,
		 "after":{"a":"%s","b":1,"c":2,"d":3},"after_unknown":{},"after_sensitive":{}}}`, i, strings.Repeat("é", 12)))
	}
	plan := `{"format_version":"1.2","resource_changes":[` + strings.Join(rcs, ",") + `]}`
	d, err := diffPlan([]byte(plan), diffLimits{resources: 3, attributes: 3, total: 5, valueRunes: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Resources) != 3 || d.MoreResources != 2 || d.Counts[ActionCreate] != 5 {
		t.Fatalf("resources %d, more %d, counts %v", len(d.Resources), d.MoreResources, d.Counts)
	}
	var shown, more []int
	for _, r := range d.Resources {
		shown, more = append(shown, len(r.Attributes)), append(more, r.MoreAttributes)
	}
	if !cmp.Equal(shown, []int{3, 2, 0}) || !cmp.Equal(more, []int{1, 2, 4}) {
		t.Errorf("attributes shown %v, more %v", shown, more)
	}
	if got, want := d.Resources[0].Attributes[0].After.String(), `"`+strings.Repeat("é", 10)+`"… (12 characters)`; got != want {
		t.Errorf("a long value is %s, want %s", got, want)
	}
}

func TestDiffPlanRefusesGarbage(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "{", `{"format_version":"99.0"}`, `[]`} {
		if _, err := DiffPlan([]byte(in)); err == nil {
			t.Errorf("DiffPlan(%q): no error", in)
		}
	}
}
