package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// diffLines reads the lines of one file's diff as "op text" strings.
func diffLines(doc *goquery.Document, file string) []string {
	var got []string
	doc.Find(`[data-testid="diff-file"][data-file="` + file + `"] [data-testid="diff-line"]`).Each(func(_ int, s *goquery.Selection) {
		got = append(got, s.AttrOr("data-op", "")+" "+byTestID(s, "diff-text").Text())
	})
	return got
}

func TestDiffShowsChangedLines(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("team")
	a.importDoc("team", validDoc, "first")
	a.importDoc("team", changedDoc, "second")

	for name, path := range map[string]string{
		"defaults":         paths.Diff("team", "demo"),
		"explicit version": paths.DiffVersions("team", "demo", 1, 2),
	} {
		t.Run(name, func(t *testing.T) {
			w := a.get(path, false)
			wantStatus(t, w, http.StatusOK)
			doc := wantFullPage(t, w)

			if got := byTestID(doc, "diff-from").Find("option[selected]").AttrOr("value", ""); got != "1" {
				t.Errorf("from selects v%s, want v1", got)
			}
			if got := byTestID(doc, "diff-to").Find("option[selected]").AttrOr("value", ""); got != "2" {
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
			if adds, dels := byTestID(main, "diff-adds").Text(), byTestID(main, "diff-dels").Text(); adds != "+1" || dels != "−1" {
				t.Errorf("main.tf summary %s %s, want +1 −1", adds, dels)
			}
			for _, f := range []string{"variables.tf", "outputs.tf"} {
				sec := doc.Find(`[data-testid="diff-file"][data-file="` + f + `"]`)
				if sec.Length() != 1 {
					t.Fatalf("no diff section for %s", f)
				}
				if got := strings.TrimSpace(byTestID(sec, "diff-no-changes").Text()); got != "No changes" {
					t.Errorf("%s says %q, want No changes", f, got)
				}
				if n := byTestID(sec, "diff-line").Length(); n != 0 {
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
	a := newTestApp(t)
	a.createProject("team")
	a.importDoc("team", validDoc, "")
	a.importDoc("team", changedDoc, "")

	doc := wantFullPage(t, a.get(paths.DiffVersions("team", "demo", 2, 2), false))
	if got := wantOne(t, doc, "diff-message"); !strings.Contains(got, "the versions are the same") {
		t.Errorf("message %q, want it to say the versions are the same", got)
	}
	if n := byTestID(doc, "diff-line").Length(); n != 0 {
		t.Errorf("%d diff lines for the same version", n)
	}
}

func TestDiffSingleVersion(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("team")
	a.importDoc("team", validDoc, "")

	w := a.get(paths.Diff("team", "demo"), false)
	wantStatus(t, w, http.StatusOK)
	doc := wantFullPage(t, w)
	if got := wantOne(t, doc, "diff-message"); !strings.Contains(got, "Only one version so far") {
		t.Errorf("message %q, want Only one version so far", got)
	}
	if n := byTestID(doc, "diff-form").Length(); n != 0 {
		t.Errorf("a single version shows the version picker")
	}
	if n := byTestID(wantFullPage(t, a.get(paths.Blueprint("team", "demo"), false)), "compare-versions").Length(); n != 0 {
		t.Errorf("the blueprint page links to compare with one version")
	}
}

func TestDiffLinkedFromBlueprint(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("team")
	a.importDoc("team", validDoc, "")
	a.importDoc("team", changedDoc, "")

	doc := wantFullPage(t, a.get(paths.Blueprint("team", "demo"), false))
	if got := byTestID(doc, "compare-versions").AttrOr("href", ""); got != paths.Diff("team", "demo") {
		t.Errorf("compare link %q, want %q", got, paths.Diff("team", "demo"))
	}
}

func TestDiffNotFound(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("team")
	a.importDoc("team", validDoc, "")
	a.importDoc("team", changedDoc, "")

	for name, path := range map[string]string{
		"non-numeric from":  paths.Diff("team", "demo") + "?from=abc&to=2",
		"non-numeric to":    paths.Diff("team", "demo") + "?from=1&to=x",
		"zero":              paths.DiffVersions("team", "demo", 0, 2),
		"unknown from":      paths.DiffVersions("team", "demo", 9, 2),
		"unknown to":        paths.DiffVersions("team", "demo", 1, 9),
		"unknown blueprint": paths.Diff("team", "nope"),
	} {
		t.Run(name, func(t *testing.T) {
			w := a.get(path, false)
			wantStatus(t, w, http.StatusNotFound)
		})
	}
}

func TestLineDiff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		a, b string
		want []string // sign + text
	}{
		{"identical", "a\nb\n", "a\nb\n", nil},
		{"both empty", "", "", nil},
		{"added file", "", "x\ny\n", []string{"+x", "+y"}},
		{"removed file", "x\n", "", []string{"-x"}},
		{"changed middle", "a\nb\nc\n", "a\nB\nc\n", []string{" a", "-b", "+B", " c"}},
		{"insert and delete", "a\nb\nc\nd\n", "a\nc\nd\ne\n", []string{" a", "-b", " c", " d", "+e"}},
		{"swap", "a\nb\nc\n", "c\nb\na\n", []string{"-a", "-b", " c", "+b", "+a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd := diffFile("f", tc.a, tc.b)
			var got []string
			for _, h := range fd.Hunks {
				for _, l := range h.Lines {
					got = append(got, l.Sign()+l.Text)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("diff lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHunksKeepContext(t *testing.T) {
	t.Parallel()
	var a, b []string
	for i := range 40 {
		line := "line " + strings.Repeat("x", i)
		a = append(a, line)
		if i == 5 {
			line = "changed 5"
		}
		if i == 30 {
			line = "changed 30"
		}
		b = append(b, line)
	}
	fd := diffFile("f", strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n")
	var headers []string
	for _, h := range fd.Hunks {
		headers = append(headers, h.Header)
	}
	want := []string{"@@ -3,7 +3,7 @@", "@@ -28,7 +28,7 @@"}
	if diff := cmp.Diff(want, headers); diff != "" {
		t.Errorf("hunk headers (-want +got):\n%s", diff)
	}
	if fd.Adds != 2 || fd.Dels != 2 {
		t.Errorf("+%d −%d, want +2 −2", fd.Adds, fd.Dels)
	}
}

func TestDiffRefusesHugeFiles(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x\n", diffMaxLines+1)
	fd := diffFile("main.tf", big, "x\n")
	if fd.TooLarge == "" || fd.Changed() {
		t.Errorf("a %d-line file was compared: %+v", diffMaxLines+1, fd.Hunks)
	}
}

func TestLineDiffManyEditsFallsBack(t *testing.T) {
	t.Parallel()
	var a, b []string
	for i := range 3 * diffMaxEdits {
		a = append(a, "a"+strings.Repeat("-", i%7)+string(rune('0'+i%10)))
		b = append(b, "b"+string(rune('0'+i%10)))
	}
	script := lineDiff(a, b)
	var dels, adds int
	for _, e := range script {
		switch e.kind {
		case opDel:
			dels++
		case opAdd:
			adds++
		}
	}
	if dels != len(a) || adds != len(b) {
		t.Errorf("fallback script -%d +%d, want -%d +%d", dels, adds, len(a), len(b))
	}
}

// TestLineDiffScriptIsValid checks on many small inputs that the script keeps exactly the
// equal lines and rebuilds both sides in order.
func TestLineDiffScriptIsValid(t *testing.T) {
	t.Parallel()
	lines := func(seed, n int) []string {
		var out []string
		for i := range n {
			out = append(out, string(rune('a'+(seed*7+i*i*3+i)%4)))
		}
		return out
	}
	for seed := range 30 {
		for n := range 9 {
			a, b := lines(seed, n), lines(seed+1, (n*5)%9)
			var gotA, gotB []string
			for _, e := range lineDiff(a, b) {
				if (e.kind != opAdd && e.i != len(gotA)) || (e.kind != opDel && e.j != len(gotB)) {
					t.Fatalf("%v -> %v: step %+v out of order", a, b, e)
				}
				switch e.kind {
				case opEq:
					if a[e.i] != b[e.j] {
						t.Fatalf("%v -> %v: equal step joins %q and %q", a, b, a[e.i], b[e.j])
					}
					gotA, gotB = append(gotA, a[e.i]), append(gotB, b[e.j])
				case opDel:
					gotA = append(gotA, a[e.i])
				case opAdd:
					gotB = append(gotB, b[e.j])
				}
			}
			if !cmp.Equal(a, gotA, cmpopts.EquateEmpty()) || !cmp.Equal(b, gotB, cmpopts.EquateEmpty()) {
				t.Fatalf("%v -> %v: script rebuilds %v -> %v", a, b, gotA, gotB)
			}
		}
	}
}
