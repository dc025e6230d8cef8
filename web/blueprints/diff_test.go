package blueprints_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
	"github.com/google/go-cmp/cmp"
)

// diffLines reads the lines of one file's diff as "op text" strings.
func diffLines(doc *goquery.Document, file string) []string {
	var got []string
	doc.Find(`[data-testid="diff-file"][data-file="` + file + `"] [data-testid="diff-line"]`).Each(func(_ int, s *goquery.Selection) {
		got = append(got, s.AttrOr("data-op", "")+" "+webtest.ByTestID(s, "diff-text").Text())
	})
	return got
}

func TestDiffShowsChangedLines(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", webtest.ValidDoc, "first")
	a.ImportDoc("team", webtest.ChangedDoc, "second")

	for name, path := range map[string]string{
		"defaults":         paths.Diff("team", "demo"),
		"explicit version": paths.DiffVersions("team", "demo", 1, 2),
	} {
		t.Run(name, func(t *testing.T) {
			w := a.Get(path, false)
			webtest.WantStatus(t, w, http.StatusOK)
			doc := webtest.WantFullPage(t, w)

			if got := webtest.ByTestID(doc, "diff-from").Find("option[selected]").AttrOr("value", ""); got != "1" {
				t.Errorf("from selects v%s, want v1", got)
			}
			if got := webtest.ByTestID(doc, "diff-to").Find("option[selected]").AttrOr("value", ""); got != "2" {
				t.Errorf("to selects v%s, want v2", got)
			}

			var changes []string
			for _, l := range diffLines(doc, "main.tf") {
				if !strings.HasPrefix(l, "ctx ") {
					changes = append(changes, l)
				}
			}
			want := []string{`del   input = "hello"`, `add   input = "hello again"`}
			if diff := cmp.Diff(want, changes, normaliseSpaces); diff != "" {
				t.Errorf("main.tf changes (-want +got):\n%s", diff)
			}
			main := doc.Find(`[data-testid="diff-summary-file"][data-file="main.tf"]`)
			if adds, dels := webtest.ByTestID(main, "diff-adds").Text(), webtest.ByTestID(main, "diff-dels").Text(); adds != "+1" || dels != "−1" {
				t.Errorf("main.tf summary %s %s, want +1 −1", adds, dels)
			}
			for _, f := range []string{"variables.tf", "outputs.tf"} {
				sec := doc.Find(`[data-testid="diff-file"][data-file="` + f + `"]`)
				if sec.Length() != 1 {
					t.Fatalf("no diff section for %s", f)
				}
				if got := strings.TrimSpace(webtest.ByTestID(sec, "diff-no-changes").Text()); got != "No changes" {
					t.Errorf("%s says %q, want No changes", f, got)
				}
				if n := webtest.ByTestID(sec, "diff-line").Length(); n != 0 {
					t.Errorf("%s shows %d diff lines for an unchanged file", f, n)
				}
			}
		})
	}
}

// normaliseSpaces compares generated lines without caring how hclwrite aligns the "=".
var normaliseSpaces = cmp.Transformer("spaces", func(s string) string { return strings.Join(strings.Fields(s), " ") })

func TestDiffSameVersion(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", webtest.ValidDoc, "")
	a.ImportDoc("team", webtest.ChangedDoc, "")

	doc := webtest.WantFullPage(t, a.Get(paths.DiffVersions("team", "demo", 2, 2), false))
	if got := webtest.WantOne(t, doc, "diff-message"); !strings.Contains(got, "the versions are the same") {
		t.Errorf("message %q, want it to say the versions are the same", got)
	}
	if n := webtest.ByTestID(doc, "diff-line").Length(); n != 0 {
		t.Errorf("%d diff lines for the same version", n)
	}
}

func TestDiffSingleVersion(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", webtest.ValidDoc, "")

	w := a.Get(paths.Diff("team", "demo"), false)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFullPage(t, w)
	if got := webtest.WantOne(t, doc, "diff-message"); !strings.Contains(got, "Only one version so far") {
		t.Errorf("message %q, want Only one version so far", got)
	}
	if n := webtest.ByTestID(doc, "diff-form").Length(); n != 0 {
		t.Errorf("a single version shows the version picker")
	}
	if n := webtest.ByTestID(webtest.WantFullPage(t, a.Get(paths.Blueprint("team", "demo"), false)), "compare-versions").Length(); n != 0 {
		t.Errorf("the blueprint page links to compare with one version")
	}
}

func TestDiffLinkedFromBlueprint(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", webtest.ValidDoc, "")
	a.ImportDoc("team", webtest.ChangedDoc, "")

	doc := webtest.WantFullPage(t, a.Get(paths.Blueprint("team", "demo"), false))
	if got := webtest.ByTestID(doc, "compare-versions").AttrOr("href", ""); got != paths.Diff("team", "demo") {
		t.Errorf("compare link %q, want %q", got, paths.Diff("team", "demo"))
	}
}

func TestDiffNotFound(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	a.ImportDoc("team", webtest.ValidDoc, "")
	a.ImportDoc("team", webtest.ChangedDoc, "")

	for name, path := range map[string]string{
		"non-numeric from":  paths.Diff("team", "demo") + "?from=abc&to=2",
		"non-numeric to":    paths.Diff("team", "demo") + "?from=1&to=x",
		"zero":              paths.DiffVersions("team", "demo", 0, 2),
		"unknown from":      paths.DiffVersions("team", "demo", 9, 2),
		"unknown to":        paths.DiffVersions("team", "demo", 1, 9),
		"unknown blueprint": paths.Diff("team", "nope"),
	} {
		t.Run(name, func(t *testing.T) {
			w := a.Get(path, false)
			webtest.WantStatus(t, w, http.StatusNotFound)
		})
	}
}

// TestFileDiffView checks the view of a file's diff: the unified header of each hunk, the
// counts in the summary and why a file was not compared. How files are compared is tested
// in package blueprint.
func TestFileDiffView(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		diff blueprint.FileDiff
		want components.FileDiff
	}{
		{
			name: "changed",
			diff: blueprint.FileDiff{Name: "main.tf", Changed: true, Hunks: []blueprint.DiffHunk{{
				OldStart: 3, OldLines: 3, NewStart: 3, NewLines: 3,
				Lines: []blueprint.DiffLine{
					{Op: blueprint.DiffContext, Old: 3, New: 3, Text: "a"},
					{Op: blueprint.DiffRemoved, Old: 4, Text: "b"},
					{Op: blueprint.DiffAdded, New: 4, Text: "B"},
					{Op: blueprint.DiffContext, Old: 5, New: 5, Text: "c"},
				},
			}}},
			want: components.FileDiff{Name: "main.tf", Adds: 1, Dels: 1, Hunks: []components.DiffHunk{{
				Header: "@@ -3,3 +3,3 @@",
				Lines: []components.DiffLine{
					{Op: "ctx", Old: 3, New: 3, Text: "a"},
					{Op: "del", Old: 4, Text: "b"},
					{Op: "add", New: 4, Text: "B"},
					{Op: "ctx", Old: 5, New: 5, Text: "c"},
				},
			}}},
		},
		{
			name: "added file",
			diff: blueprint.FileDiff{Name: "outputs.tf", Changed: true, Hunks: []blueprint.DiffHunk{{
				OldStart: 0, OldLines: 0, NewStart: 1, NewLines: 1,
				Lines: []blueprint.DiffLine{{Op: blueprint.DiffAdded, New: 1, Text: "x"}},
			}}},
			want: components.FileDiff{Name: "outputs.tf", Adds: 1, Hunks: []components.DiffHunk{{
				Header: "@@ -0,0 +1,1 @@",
				Lines:  []components.DiffLine{{Op: "add", New: 1, Text: "x"}},
			}}},
		},
		{
			name: "unchanged",
			diff: blueprint.FileDiff{Name: "variables.tf"},
			want: components.FileDiff{Name: "variables.tf"},
		},
		{
			name: "too large",
			diff: blueprint.FileDiff{Name: "main.tf", Changed: true, TooLarge: true},
			want: components.FileDiff{Name: "main.tf", TooLarge: fmt.Sprintf("main.tf has more than %d lines, too many to compare here. Download both versions and compare them locally.", blueprint.DiffMaxLines)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := components.NewFileDiff(tc.diff)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("view (-want +got):\n%s", diff)
			}
			if got.Changed() != (len(tc.want.Hunks) > 0) {
				t.Errorf("Changed() is %v", got.Changed())
			}
		})
	}
}
