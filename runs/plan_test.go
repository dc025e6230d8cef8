package runs

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "regenerate testdata with the real terraform")

// The fixtures come from terraform 1.5.7 on terraform_data: first a, b and
// c are created; then a's input changes (update), b's triggers_replace
// changes (replace), c goes (delete) and d comes (create).
const (
	configBefore = `resource "terraform_data" "a" { input = "one" }
resource "terraform_data" "b" { triggers_replace = "x" }
resource "terraform_data" "c" { input = "gone soon" }
`
	configAfter = `resource "terraform_data" "a" { input = "two" }
resource "terraform_data" "b" { triggers_replace = "y" }
resource "terraform_data" "d" { input = "new" }
`
)

// wantSummary is what the second plan does.
var wantSummary = Summary{
	Add: 2, Change: 1, Destroy: 2, Replace: 1,
	Resources: []ResourceChange{
		{Address: "terraform_data.a", Actions: []string{"update"}, Changed: []string{"input", "output"}},
		{Address: "terraform_data.b", Actions: []string{"delete", "create"}, Changed: []string{"id", "triggers_replace"}},
		{Address: "terraform_data.c", Actions: []string{"delete"}},
		{Address: "terraform_data.d", Actions: []string{"create"}},
	},
}

// terraformOutputs runs the scenario with the real terraform and returns
// show -json of the second plan, and the -json UI output of its plan and
// apply.
func terraformOutputs(t *testing.T) (show, planUI, applyUI []byte) {
	t.Helper()
	tf := testenv.Terraform(t)
	dir := t.TempDir()
	env := os.Environ()
	for k, v := range testenv.TerraformEnv(t) {
		env = append(env, k+"="+v)
	}
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(context.Background(), tf, args...)
		cmd.Dir, cmd.Env = dir, env
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
	write(configBefore)
	run("init", "-input=false", "-no-color")
	run("plan", "-input=false", "-json", "-out=tfplan")
	run("apply", "-input=false", "-json", "tfplan")
	write(configAfter)
	planUI = run("plan", "-input=false", "-json", "-out=tfplan")
	show = run("show", "-json", "tfplan")
	applyUI = run("apply", "-input=false", "-json", "tfplan")
	return show, planUI, applyUI
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("%v (go test ./runs -run TestTerraformFixtures -update writes it)", err)
	}
	return b
}

// TestTerraformFixtures checks that the committed fixtures still describe
// what the real terraform prints, and rewrites them with -update.
func TestTerraformFixtures(t *testing.T) {
	show, planUI, applyUI := terraformOutputs(t)
	if *update {
		for name, b := range map[string][]byte{"plan-show.json": show, "plan-ui.jsonl": planUI, "apply-ui.jsonl": applyUI} {
			if err := os.WriteFile(filepath.Join("testdata", name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := ParsePlan(show)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantSummary, got); diff != "" {
		t.Errorf("ParsePlan of fresh terraform output (-want +got):\n%s", diff)
	}
	if p := track(t, "apply", applyUI); p != (Progress{Operation: "apply", Done: 5, Total: 5, Complete: true}) {
		t.Errorf("apply progress of fresh terraform output = %+v", p)
	}
}

func TestParsePlan(t *testing.T) {
	t.Parallel()
	got, err := ParsePlan(readFixture(t, "plan-show.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantSummary, got); diff != "" {
		t.Errorf("ParsePlan (-want +got):\n%s", diff)
	}
	if !got.HasChanges() {
		t.Error("HasChanges = false")
	}
}

func TestParsePlanRefusesGarbage(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "{", `{"format_version":"99.0"}`, `[]`} {
		if _, err := ParsePlan([]byte(in)); err == nil {
			t.Errorf("ParsePlan(%q): no error", in)
		}
	}
}

func track(t *testing.T, op string, ui []byte) Progress {
	t.Helper()
	tr := NewTracker(op)
	for _, l := range strings.Split(string(ui), "\n") {
		tr.Observe([]byte(l))
	}
	return tr.Progress()
}

func TestTrackerProgress(t *testing.T) {
	t.Parallel()
	plan := readFixture(t, "plan-ui.jsonl")
	if got, want := track(t, "plan", plan), (Progress{Operation: "plan", Total: 5, Complete: true}); got != want {
		t.Errorf("plan progress = %+v, want %+v", got, want)
	}
	apply := readFixture(t, "apply-ui.jsonl")
	lines := strings.Split(strings.TrimSpace(string(apply)), "\n")
	tr := NewTracker("apply")
	var seen []int
	for _, l := range lines {
		if tr.Observe([]byte(l)) {
			seen = append(seen, tr.Progress().Done)
		}
	}
	if got := tr.Progress(); got != (Progress{Operation: "apply", Done: 5, Total: 5, Complete: true}) {
		t.Errorf("apply progress = %+v", got)
	}
	// Done climbs one hook at a time: 0 while the changes are announced,
	// then 1..5, and the summary leaves it at 5.
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] || seen[i] > seen[i-1]+1 {
			t.Fatalf("Done went %v", seen)
		}
	}
	// Half-way through, the bar is half full.
	half, completed := NewTracker("apply"), 0
	for _, l := range lines {
		half.Observe([]byte(l))
		if strings.Contains(l, `"type":"apply_complete"`) {
			if completed++; completed == 3 {
				break
			}
		}
	}
	if p := half.Progress(); p.Done != 3 || p.Total != 5 || p.Complete {
		t.Errorf("progress after three hooks = %+v, want 3/5 not complete", p)
	}
}

func TestTrackerIgnoresOtherLines(t *testing.T) {
	t.Parallel()
	tr := NewTracker("plan")
	for _, l := range []string{"Initializing the backend...", "", "{not json", `{"format_version":"1.2"}`, `{"type":"x"}`} {
		if tr.Observe([]byte(l)) {
			t.Errorf("Observe(%q) changed progress", l)
		}
	}
}
