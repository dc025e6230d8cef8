package runview_test

import (
	"bytes"
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// showExecutor plans by printing show, a `terraform show -json` of a real plan, in which the
// test put the environment's secret where terraform would have printed it; an apply prints
// nothing.
type showExecutor struct{ show []byte }

func (e showExecutor) Run(ctx context.Context, job runner.Job, out io.Writer) (runner.Result, error) {
	if !slices.Contains(job.Collect, "tfplan") {
		return runner.Result{}, nil
	}
	if _, err := out.Write(e.show); err != nil {
		return runner.Result{}, err
	}
	return runner.Result{Files: map[string][]byte{"tfplan": []byte("plan")}}, nil
}

// realPlanShow is runs' fixture of terraform 1.5.7's show -json (a read, two updates, two
// replacements, a create and a destroy, a sensitive variable and unknown values), with the
// sensitive variable's values turned into the environment's secret.
func realPlanShow(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "runs", "testdata", "diff-show.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"s3cret-before-0fd1", "s3cret-after-9c2e"} {
		b = bytes.ReplaceAll(b, []byte(v), []byte(webtest.SecretValue))
	}
	return b
}

// attributes reads a run-change's rows as "path: before | after".
func attributes(s *goquery.Selection) []string {
	var out []string
	s.Find(`[data-testid="run-attribute"]`).Each(func(_ int, r *goquery.Selection) {
		row := r.AttrOr("data-path", "") + ":"
		if b := r.Find(`[data-testid="run-attribute-before"]`); b.Length() > 0 {
			row += " " + strings.TrimSpace(b.Text()) + " |"
		}
		if a := r.Find(`[data-testid="run-attribute-after"]`); a.Length() > 0 {
			row += " " + strings.Join(strings.Fields(a.Text()), " ")
		}
		if r.Find(`[data-testid="run-attribute-forces"]`).Length() > 0 {
			row += " (forces)"
		}
		out = append(out, row)
	})
	return out
}

func TestRunPageShowsWhatThePlanChanges(t *testing.T) {
	t.Parallel()
	a, deployment := webtest.RunApp(t, showExecutor{show: realPlanShow(t)})
	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)
	w := a.Get(paths.Run("team", id), false)
	if strings.Contains(w.Body.String(), webtest.SecretValue) {
		t.Fatal("the run page shows the environment's secret")
	}
	page := webtest.WantFullPage(t, w)

	counts := map[string]string{}
	page.Find(`[data-testid="run-action-count"]`).Each(func(_ int, s *goquery.Selection) {
		counts[s.AttrOr("data-action", "")] = s.AttrOr("data-count", "")
	})
	if want := map[string]string{"create": "1", "update": "2", "replace": "2", "destroy": "1", "read": "1"}; !maps.Equal(counts, want) {
		t.Errorf("counts per action %v, want %v", counts, want)
	}
	// Seven changes: too many to unfold them all.
	if n := page.Find(`details[data-testid="run-change"]`).Length(); n != 7 {
		t.Fatalf("%d changes listed, want 7", n)
	}
	if n := page.Find(`details[data-testid="run-change"][open]`).Length(); n != 0 {
		t.Errorf("%d of 7 changes unfolded", n)
	}
	change := func(addr string) *goquery.Selection {
		return page.Find(`[data-testid="run-change"][data-address="` + addr + `"]`)
	}
	for _, tc := range []struct {
		addr, action string
		rows         []string
	}{
		{"terraform_data.app", "update", []string{
			`input.pools[0].vm_size: "Standard_B2s" | → "Standard_D4s_v5"`,
			`input.pools[1].count: null | → 2`,
			`input.pools[1].vm_size: null | → "Standard_B2s"`,
			`input.tags["cost-center"]: null | → "42"`,
			`output.name: "app" | → (known after apply)`,
			`output.pools[0].count: 1 | → (known after apply)`,
			`output.pools[0].vm_size: "Standard_B2s" | → (known after apply)`,
			`output.tags.env: "dev" | → (known after apply)`,
		}},
		// Both plans saw the same secret here, so input.password (sensitive) does not
		// change; output copies it unmarked, and the run service redacted the
		// environment's secret from the plan JSON before sealing it.
		{"terraform_data.login", "update", []string{
			`output.password: "` + runs.Redacted + `" | → (known after apply)`,
			`output.user: "admin" | → (known after apply)`,
		}},
		{"terraform_data.new", "create", []string{
			`id: (known after apply)`,
			`input.node: (known after apply)`,
			`input.script: "echo step 0;echo step 1;echo step 2;echo step 3;echo step 4;echo step 5;echo step 6;echo step 7;echo step 8;echo step 9;echo step 10;echo step 11;echo step 12;echo step 13;echo step 14;echo step 15;ec"… (380 characters)`,
			`output: (known after apply)`,
		}},
		{"terraform_data.node", "replace", []string{
			`id: "ad1707f7-7321-f59b-509f-a3d574efc609" | → (known after apply)`,
			`output: "node" | → (known after apply)`,
			`triggers_replace: "v1" | → "v2" (forces)`,
		}},
		{"terraform_data.old", "destroy", []string{
			`id: "ed6d0582-1e01-318a-66ce-fa8ed940cc16" |`,
			`input.key: (sensitive) |`,
			`input.note: "gone soon" |`,
			`output.key: "` + runs.Redacted + `" |`,
			`output.note: "gone soon" |`,
		}},
	} {
		c := change(tc.addr)
		if got := c.AttrOr("data-action", ""); got != tc.action {
			t.Errorf("%s: action %q, want %q", tc.addr, got, tc.action)
		}
		if got := attributes(c); !slices.Equal(got, tc.rows) {
			t.Errorf("%s shows\n%s\nwant\n%s", tc.addr, strings.Join(got, "\n"), strings.Join(tc.rows, "\n"))
		}
	}
	if got := strings.Join(strings.Fields(change("terraform_data.blue").Find("summary").Text()), " "); got != "replace (create, then destroy) terraform_data.blue 2 attributes" {
		t.Errorf("blue's summary line %q", got)
	}
	if got := strings.Join(strings.Fields(change("terraform_data.node").Find("summary .badge").Text()), " "); got != "replace (destroy, then create)" {
		t.Errorf("node's action %q", got)
	}

	// The htmx refresh of the run's status carries the same changes.
	frag := webtest.WantFragment(t, a.Get(paths.Run("team", id), true), "run-status")
	if n := frag.Find(`details[data-testid="run-change"]`).Length(); n != 7 {
		t.Errorf("the status fragment lists %d changes", n)
	}
}
