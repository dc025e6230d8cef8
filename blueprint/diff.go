package blueprint

import (
	"slices"
	"strings"
)

// DiffMaxLines bounds each side of a file diff: generated files are far smaller, and a diff
// of a huge file would be unreadable anyway. A file with more lines is not compared.
const DiffMaxLines = 20000

const (
	// diffContext is how many unchanged lines a hunk shows around a change, as diff -u does.
	diffContext = 3
	// diffMaxEdits bounds the Myers search, whose trace grows with the square of the edit
	// distance; past it the changed middle is shown as removed then added, still a correct
	// diff but not a minimal one.
	diffMaxEdits = 1000
)

// FileDiff is one generated file compared between two generations of a blueprint.
type FileDiff struct {
	// Name is the file's name, such as main.tf.
	Name string
	// Changed says the file's lines differ between the two generations. A missing final
	// newline is no difference: lines are compared without their newline.
	Changed bool
	// TooLarge says the file was not compared line by line because a side has more than
	// DiffMaxLines lines; Changed still says whether it differs.
	TooLarge bool
	// Hunks are the changes in file order, each with up to three unchanged lines around it
	// as diff -u shows them; none when the file is unchanged or too large.
	Hunks []DiffHunk
}

// DiffHunk is one run of changes with the unchanged lines around it. Changes closer than
// twice the context share a hunk.
type DiffHunk struct {
	// OldStart and NewStart are the 1-based numbers of the hunk's first line on each side.
	// On a side the hunk has no line of (a file added or removed), they are the number of
	// the line before it, 0 at the top, as diff -u writes them.
	OldStart, NewStart int
	// OldLines and NewLines count the hunk's lines on each side.
	OldLines, NewLines int
	Lines              []DiffLine
}

// DiffLine is one line of a hunk.
type DiffLine struct {
	Op DiffOp
	// Old and New are the line's 1-based numbers on each side, 0 on the side it is not on.
	Old, New int
	// Text is the line without its newline.
	Text string
}

// DiffOp says whether a line of a hunk is unchanged, added or removed.
type DiffOp int

const (
	// DiffContext is an unchanged line shown around a change.
	DiffContext DiffOp = iota
	// DiffAdded is a line only the newer side has.
	DiffAdded
	// DiffRemoved is a line only the older side has.
	DiffRemoved
)

func (o DiffOp) String() string {
	switch o {
	case DiffAdded:
		return "added"
	case DiffRemoved:
		return "removed"
	}
	return "context"
}

// DiffFiles compares two generations of a blueprint's files, from the older to the newer,
// file by file: in the newer side's order, then each file only the older side has (shown
// as removed) in its order. A file only the newer side has is shown as added.
func DiffFiles(from, to []File) []FileDiff {
	old := make(map[string]string, len(from))
	for _, f := range from {
		old[f.Name] = string(f.Content)
	}
	seen := make(map[string]bool, len(to))
	var out []FileDiff
	for _, f := range to {
		seen[f.Name] = true
		out = append(out, diffFile(f.Name, old[f.Name], string(f.Content)))
	}
	for _, f := range from {
		if !seen[f.Name] {
			out = append(out, diffFile(f.Name, old[f.Name], ""))
		}
	}
	return out
}

// diffFile compares two versions of one file line by line.
func diffFile(name, a, b string) FileDiff {
	fd := FileDiff{Name: name}
	al, bl := splitLines(a), splitLines(b)
	fd.Changed = !slices.Equal(al, bl)
	if len(al) > DiffMaxLines || len(bl) > DiffMaxLines {
		fd.TooLarge = true
		return fd
	}
	fd.Hunks = hunks(lineDiff(al, bl), al, bl, diffContext)
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

// edit is one step of an edit script: an equal line (a[i] == b[j]), a deleted a[i] or an
// added b[j].
type edit struct {
	op   DiffOp
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
		script = append(script, edit{DiffContext, i, i})
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	mid, ok := myers(am, bm)
	if !ok {
		mid = nil
		for i := range am {
			mid = append(mid, edit{DiffRemoved, i, 0})
		}
		for j := range bm {
			mid = append(mid, edit{DiffAdded, len(am), j})
		}
	}
	for _, e := range mid {
		e.i += pre
		e.j += pre
		script = append(script, e)
	}
	for k := range suf {
		script = append(script, edit{DiffContext, len(a) - suf + k, len(b) - suf + k})
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
				script = append(script, edit{DiffContext, x, y})
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
			script = append(script, edit{DiffContext, x, y})
		}
		if x == prevX {
			script = append(script, edit{DiffAdded, x, prevY})
		} else {
			script = append(script, edit{DiffRemoved, prevX, y})
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
func hunks(script []edit, a, b []string, ctx int) []DiffHunk {
	var out []DiffHunk
	for start := 0; start < len(script); {
		// Find the next change.
		first := start
		for first < len(script) && script[first].op == DiffContext {
			first++
		}
		if first == len(script) {
			break
		}
		// Extend while the gap of equal lines to the next change is short enough.
		last := first
		for i := first + 1; i < len(script); i++ {
			if script[i].op != DiffContext {
				if i-last-1 > 2*ctx {
					break
				}
				last = i
			}
		}
		lo := max(first-ctx, start)
		hi := min(last+ctx+1, len(script))
		var h DiffHunk
		for _, e := range script[lo:hi] {
			var l DiffLine
			switch e.op {
			case DiffContext:
				l = DiffLine{Op: DiffContext, Old: e.i + 1, New: e.j + 1, Text: a[e.i]}
				h.OldLines++
				h.NewLines++
			case DiffRemoved:
				l = DiffLine{Op: DiffRemoved, Old: e.i + 1, Text: a[e.i]}
				h.OldLines++
			case DiffAdded:
				l = DiffLine{Op: DiffAdded, New: e.j + 1, Text: b[e.j]}
				h.NewLines++
			}
			if h.OldStart == 0 && l.Old != 0 {
				h.OldStart = l.Old
			}
			if h.NewStart == 0 && l.New != 0 {
				h.NewStart = l.New
			}
			h.Lines = append(h.Lines, l)
		}
		// diff -u names the line before an empty side.
		if h.OldLines == 0 {
			h.OldStart = script[lo].i
		}
		if h.NewLines == 0 {
			h.NewStart = script[lo].j
		}
		out = append(out, h)
		start = hi
	}
	return out
}
