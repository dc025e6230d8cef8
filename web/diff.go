package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

const (
	// diffContext is how many unchanged lines a hunk shows around a change, as diff -u does.
	diffContext = 3
	// diffMaxLines bounds each side of a file diff: generated files are far smaller, and a
	// diff of a huge file would be unreadable in a page anyway.
	diffMaxLines = 20000
	// diffMaxEdits bounds the Myers search, whose trace grows with the square of the edit
	// distance; past it the changed middle is shown as removed then added, still a correct
	// diff but not a minimal one.
	diffMaxEdits = 1000
)

type diffProps struct {
	Layout       page.Layout
	Project      string
	ProjectURL   string
	Name         string
	BlueprintURL string
	FormURL      string
	From, To     int
	Versions     []diffVersionOption
	// Message replaces the comparison when there is nothing to compare: a blueprint with one
	// version, or the same version on both sides.
	Message string
	// Problem says why a version's Terraform could not be generated.
	Problem string
	Files   []fileDiff
}

type diffVersionOption struct {
	Version int
	Label   string
}

// fileDiff is one generated file compared between the two versions.
type fileDiff struct {
	Name       string
	Adds, Dels int
	Hunks      []diffHunk
	// TooLarge says the file was not compared; see diffMaxLines.
	TooLarge string
}

func (f fileDiff) Changed() bool { return len(f.Hunks) > 0 }

type diffHunk struct {
	Header string // @@ -a,b +c,d @@
	Lines  []diffLine
}

// diffLine is one line of a hunk; Old and New are 1-based line numbers, 0 on the side the
// line is not on.
type diffLine struct {
	Op       string // "add", "del" or "ctx"
	Old, New int
	Text     string
}

func (l diffLine) Sign() string {
	switch l.Op {
	case "add":
		return "+"
	case "del":
		return "-"
	}
	return " "
}

// showDiff answers GET /projects/{project}/blueprints/{blueprint}/diff?from=N&to=M: the
// generated Terraform of two versions compared file by file, latest-1 against latest by
// default.
func (s *server) showDiff(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	b, err := s.store.Blueprint(ctx, project, name)
	if err != nil {
		return err
	}
	from, to := b.LatestVersion-1, b.LatestVersion
	q := r.URL.Query()
	if v := q.Get("from"); v != "" {
		if from, err = parseVersion(v); err != nil {
			return err
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = parseVersion(v); err != nil {
			return err
		}
	}
	versions, err := s.store.BlueprintVersions(ctx, project, name)
	if err != nil {
		return err
	}

	props := diffProps{
		Layout: s.frame.Layout(fmt.Sprintf("%s: compare versions", b.Name), page.NavProjects,
			page.InProject(project, page.Crumb{Label: b.Name, URL: paths.Blueprint(project, b.Name), TestID: "breadcrumb-blueprint"})...),
		Project:      project,
		ProjectURL:   paths.Project(project),
		Name:         b.Name,
		BlueprintURL: paths.Blueprint(project, b.Name),
		FormURL:      paths.Diff(project, b.Name),
		From:         from,
		To:           to,
	}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		label := "v" + strconv.Itoa(v.Version)
		if v.Message != "" {
			label += ": " + v.Message
		}
		props.Versions = append(props.Versions, diffVersionOption{Version: v.Version, Label: label})
	}

	if b.LatestVersion < 2 && q.Get("from") == "" && q.Get("to") == "" {
		props.Message = "Only one version so far. Import a changed document to compare versions."
		return s.frame.Render(w, r, http.StatusOK, diffPage(props), "")
	}
	fromV, err := s.store.BlueprintVersion(ctx, project, name, from)
	if err != nil {
		return err
	}
	toV, err := s.store.BlueprintVersion(ctx, project, name, to)
	if err != nil {
		return err
	}
	switch {
	case b.LatestVersion < 2:
		props.Message = "Only one version so far. Import a changed document to compare versions."
	case from == to:
		props.Message = fmt.Sprintf("Both sides are v%d: the versions are the same. Pick two different versions.", from)
	default:
		props.Files, props.Problem = compareVersions(fromV, toV)
	}
	return s.frame.Render(w, r, http.StatusOK, diffPage(props), "")
}

// compareVersions generates both versions' Terraform and diffs it file by file, in the
// order the newer side generates them, then any file only the older side has.
func compareVersions(from, to store.BlueprintVersion) ([]fileDiff, string) {
	_, fromFiles, err := generate(from.Document)
	if err != nil {
		return nil, fmt.Sprintf("V%d cannot be generated: %v", from.Version, err)
	}
	_, toFiles, err := generate(to.Document)
	if err != nil {
		return nil, fmt.Sprintf("V%d cannot be generated: %v", to.Version, err)
	}
	old := map[string]string{}
	var names []string
	for _, f := range fromFiles {
		old[f.Name] = string(f.Content)
	}
	seen := map[string]bool{}
	var diffs []fileDiff
	for _, f := range toFiles {
		seen[f.Name] = true
		diffs = append(diffs, diffFile(f.Name, old[f.Name], string(f.Content)))
	}
	for _, f := range fromFiles {
		if !seen[f.Name] {
			names = append(names, f.Name)
		}
	}
	for _, n := range names {
		diffs = append(diffs, diffFile(n, old[n], ""))
	}
	return diffs, ""
}

// diffFile compares two versions of one file as a unified diff.
func diffFile(name, a, b string) fileDiff {
	fd := fileDiff{Name: name}
	al, bl := splitLines(a), splitLines(b)
	if len(al) > diffMaxLines || len(bl) > diffMaxLines {
		fd.TooLarge = fmt.Sprintf("%s has more than %d lines, too many to compare here. Download both versions and compare them locally.", name, diffMaxLines)
		return fd
	}
	ops := lineDiff(al, bl)
	for _, o := range ops {
		switch o.kind {
		case opAdd:
			fd.Adds++
		case opDel:
			fd.Dels++
		}
	}
	fd.Hunks = hunks(ops, al, bl, diffContext)
	return fd
}

// splitLines splits text into lines without their newline; a final newline ends the last
// line rather than starting an empty one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

type opKind int

const (
	opEq opKind = iota
	opDel
	opAdd
)

// edit is one step of an edit script: an equal line (a[i] == b[j]), a deleted a[i] or an
// added b[j].
type edit struct {
	kind opKind
	i, j int
}

// lineDiff returns an edit script turning a into b. Common prefix and suffix are taken off
// first, so the search only sees the changed middle.
func lineDiff(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var script []edit
	for i := range pre {
		script = append(script, edit{opEq, i, i})
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	mid, ok := myers(am, bm)
	if !ok {
		mid = nil
		for i := range am {
			mid = append(mid, edit{opDel, i, 0})
		}
		for j := range bm {
			mid = append(mid, edit{opAdd, len(am), j})
		}
	}
	for _, e := range mid {
		e.i += pre
		e.j += pre
		script = append(script, e)
	}
	for k := range suf {
		script = append(script, edit{opEq, len(a) - suf + k, len(b) - suf + k})
	}
	return script
}

// myers is Myers' O((N+M)D) shortest edit script. It keeps a snapshot of the frontier per
// step to walk back along, so it gives up (ok false) past diffMaxEdits.
func myers(a, b []string) (script []edit, ok bool) {
	n, m := len(a), len(b)
	if n == 0 && m == 0 {
		return nil, true
	}
	maxD := min(n+m, diffMaxEdits)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := -1
	for d := 0; d <= maxD && found < 0; d++ {
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return nil, false
	}
	// Walk back from (n, m), collecting the script in reverse.
	x, y := n, m
	for d := found; d >= 0; d-- {
		if d == 0 {
			for x > 0 && y > 0 {
				x--
				y--
				script = append(script, edit{opEq, x, y})
			}
			break
		}
		snap := trace[d] // the frontier before step d, k from -d to d
		k := x - y
		var prevK int
		if k == -d || (k != d && snap[k-1+d] < snap[k+1+d]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := snap[prevK+d]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			script = append(script, edit{opEq, x, y})
		}
		if x == prevX {
			script = append(script, edit{opAdd, x, prevY})
		} else {
			script = append(script, edit{opDel, prevX, y})
		}
		x, y = prevX, prevY
	}
	for l, r := 0, len(script)-1; l < r; l, r = l+1, r-1 {
		script[l], script[r] = script[r], script[l]
	}
	return script, true
}

// hunks groups an edit script into hunks of changes with up to ctx equal lines around
// each; changes closer than 2*ctx lines share a hunk.
func hunks(script []edit, a, b []string, ctx int) []diffHunk {
	var out []diffHunk
	for start := 0; start < len(script); {
		// Find the next change.
		first := start
		for first < len(script) && script[first].kind == opEq {
			first++
		}
		if first == len(script) {
			break
		}
		// Extend while the gap of equal lines to the next change is short enough.
		last := first
		for i := first + 1; i < len(script); i++ {
			if script[i].kind != opEq {
				if i-last-1 > 2*ctx {
					break
				}
				last = i
			}
		}
		lo := max(first-ctx, start)
		hi := min(last+ctx+1, len(script))
		var h diffHunk
		oldStart, newStart, oldLen, newLen := 0, 0, 0, 0
		for _, e := range script[lo:hi] {
			var l diffLine
			switch e.kind {
			case opEq:
				l = diffLine{Op: "ctx", Old: e.i + 1, New: e.j + 1, Text: a[e.i]}
				oldLen++
				newLen++
			case opDel:
				l = diffLine{Op: "del", Old: e.i + 1, Text: a[e.i]}
				oldLen++
			case opAdd:
				l = diffLine{Op: "add", New: e.j + 1, Text: b[e.j]}
				newLen++
			}
			if oldStart == 0 && l.Old != 0 {
				oldStart = l.Old
			}
			if newStart == 0 && l.New != 0 {
				newStart = l.New
			}
			h.Lines = append(h.Lines, l)
		}
		// diff -u names the line before an empty side.
		if oldLen == 0 {
			oldStart = script[lo].i
		}
		if newLen == 0 {
			newStart = script[lo].j
		}
		h.Header = fmt.Sprintf("@@ -%d,%d +%d,%d @@", oldStart, oldLen, newStart, newLen)
		out = append(out, h)
		start = hi
	}
	return out
}
