package runview

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
)

// diffRuns is a RunService that answers PlanDiff only.
type diffRuns struct {
	RunService
	diff runs.Diff
	err  error
}

func (d diffRuns) PlanDiff(context.Context, store.Run) (runs.Diff, error) { return d.diff, d.err }

func renderChanges(t *testing.T, s *Handlers) *goquery.Document {
	t.Helper()
	sum := runs.Summary{Add: 1, Change: 1, Resources: []runs.ResourceChange{
		{Address: "x.a", Actions: []string{"create"}},
		{Address: "x.b", Actions: []string{"update"}, Changed: []string{"v"}},
	}}
	p := runStatusProps{HasSummary: true, Summary: sum, Changes: s.changes(context.Background(), store.Run{ID: "run-x"}, sum)}
	var b strings.Builder
	if err := runChanges(p).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func text(doc *goquery.Document, id string) string {
	return strings.Join(strings.Fields(doc.Find(`[data-testid="`+id+`"]`).Text()), " ")
}

// TestChangesUnreadable: a plan whose changes cannot be read still lists its resources
// with their actions, and says why there is no more.
func TestChangesUnreadable(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for name, s := range map[string]*Handlers{
		"runs not configured": {logger: logger},
		"plan not readable":   {logger: logger, runs: diffRuns{err: errors.New("opening the plan's JSON: message authentication failed")}},
	} {
		t.Run(name, func(t *testing.T) {
			doc := renderChanges(t, s)
			if got := text(doc, "run-changes-problem"); !strings.HasPrefix(got, "The attributes each change sets cannot be shown") {
				t.Errorf("problem %q", got)
			}
			var got []string
			doc.Find(`[data-testid="run-change"]`).Each(func(_ int, c *goquery.Selection) {
				got = append(got, c.AttrOr("data-action", "")+" "+c.AttrOr("data-address", ""))
			})
			if strings.Join(got, ", ") != "create x.a, update x.b" {
				t.Errorf("changes listed %q", got)
			}
			if doc.Find(`[data-testid="run-attribute"]`).Length() != 0 {
				t.Error("attributes shown without a diff")
			}
		})
	}
}

// TestChangesPastTheLimits: what a Diff leaves out is counted on the page.
func TestChangesPastTheLimits(t *testing.T) {
	t.Parallel()
	d := runs.Diff{
		Counts: map[runs.Action]int{runs.ActionCreate: 1004},
		Resources: []runs.ResourceDiff{
			{Address: "x.a", Action: runs.ActionCreate, Attributes: []runs.AttributeDiff{{Path: "p", After: runs.Value{Text: "1"}}}, MoreAttributes: 2},
			{Address: "x.b", Action: runs.ActionCreate, MoreAttributes: 1},
		},
		MoreResources: 1002,
	}
	doc := renderChanges(t, &Handlers{runs: diffRuns{diff: d}})
	if got := text(doc, "run-changes-more"); got != "and 1002 more resources" {
		t.Errorf("more resources %q", got)
	}
	var more []string
	doc.Find(`[data-testid="run-attributes-more"]`).Each(func(_ int, s *goquery.Selection) { more = append(more, s.Text()) })
	if strings.Join(more, "; ") != "and 2 more attributes; and 1 more attribute" {
		t.Errorf("more attributes %q", more)
	}
	if n := doc.Find(`details[open]`).Length(); n != 2 {
		t.Errorf("%d of 2 changes unfolded", n)
	}
}

// BenchmarkRunChanges renders the changes of a plan at the Diff's limits: 1,000 resources,
// 10,000 attributes in all, each value 200 characters a side.
func BenchmarkRunChanges(b *testing.B) {
	long := runs.Value{Text: strings.Repeat("v", 200), Length: 500}
	var d runs.Diff
	for i := range 1000 {
		r := runs.ResourceDiff{Address: "x.r" + strconv.Itoa(i), Action: runs.ActionUpdate}
		for range 10 {
			r.Attributes = append(r.Attributes, runs.AttributeDiff{Path: "block[0].attribute", Before: long, After: long})
		}
		d.Resources = append(d.Resources, r)
	}
	p := runStatusProps{HasSummary: true, Changes: changesProps{Known: true, Diff: d}}
	var size int
	for b.Loop() {
		var w strings.Builder
		if err := runChanges(p).Render(context.Background(), &w); err != nil {
			b.Fatal(err)
		}
		size = w.Len()
	}
	b.ReportMetric(float64(size)/(1<<20), "MiB/page")
}
