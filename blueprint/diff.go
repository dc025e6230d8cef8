package blueprint

import (
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/aymanbagabas/go-udiff/lcs"
)

// DiffMaxLines bounds each side of a file diff: generated files are far smaller, and a diff
// of a huge file would be unreadable anyway. A file with more lines is not compared.
const DiffMaxLines = 20000

const (
	// diffContext is how many unchanged lines a hunk shows around a change, as diff -u does.
	diffContext = 3
	// diffRounds bounds the search. go-udiff's search (Myers', from both ends) gives up past
	// about a hundred changed lines and replaces everything between what it matched from
	// either end, unchanged lines included; each round searches such a replacement again.
	// Ten rounds settle about a thousand changed lines, more than a version of a blueprint
	// changes, at the cost of ten searches of the file at most; past them the rest is shown
	// as removed then added, still a correct diff but not a minimal one.
	diffRounds = 10
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
	a, b = withFinalNewline(a), withFinalNewline(b)
	fd := FileDiff{Name: name, Changed: a != b}
	if strings.Count(a, "\n") > DiffMaxLines || strings.Count(b, "\n") > DiffMaxLines {
		fd.TooLarge = true
		return fd
	}
	if !fd.Changed {
		return fd
	}
	al, bl := splitLines(a), splitLines(b)
	ds := refine(al, bl, lcs.DiffLines(al, bl), 1)
	slideDown(al, bl, ds)
	// ToUnifiedDiff takes byte offsets into a and the replacing text.
	offset := make([]int, len(al)+1)
	for i, l := range al {
		offset[i+1] = offset[i] + len(l)
	}
	edits := make([]udiff.Edit, len(ds))
	for i, d := range ds {
		edits[i] = udiff.Edit{Start: offset[d.Start], End: offset[d.End], New: strings.Join(bl[d.ReplStart:d.ReplEnd], "")}
	}
	u, err := udiff.ToUnifiedDiff(name, name, a, edits, diffContext)
	if err != nil {
		// Only edits out of order, overlapping or out of a's bounds are refused, and these
		// come from a's own lines in order.
		panic("blueprint: diffing " + name + ": " + err.Error())
	}
	for _, uh := range u.Hunks {
		fd.Hunks = append(fd.Hunks, hunk(uh))
	}
	return fd
}

// withFinalNewline ends a non-empty text with a newline, so that a missing final newline
// is no difference and every line compares with its newline.
func withFinalNewline(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}

// splitLines splits text that ends with a newline into lines, each with its newline.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	return lines[:len(lines)-1]
}

// refine searches again each replacement in ds that both removes and adds lines: when the
// search gave up it holds unchanged lines too (see diffRounds). A replacement whose sides
// share no line comes back whole and is kept.
func refine(a, b []string, ds []lcs.Diff, round int) []lcs.Diff {
	if round >= diffRounds {
		return ds
	}
	var out []lcs.Diff
	for _, d := range ds {
		if d.Start == d.End || d.ReplStart == d.ReplEnd {
			out = append(out, d)
			continue
		}
		sub := lcs.DiffLines(a[d.Start:d.End], b[d.ReplStart:d.ReplEnd])
		if len(sub) == 1 && sub[0] == (lcs.Diff{End: d.End - d.Start, ReplEnd: d.ReplEnd - d.ReplStart}) {
			out = append(out, d)
			continue
		}
		for i := range sub {
			sub[i].Start += d.Start
			sub[i].End += d.Start
			sub[i].ReplStart += d.ReplStart
			sub[i].ReplEnd += d.ReplStart
		}
		out = append(out, refine(a, b, sub, round+1)...)
	}
	return out
}

// slideDown moves each pure removal or addition as far down as the equal lines after it
// allow. Which of several equal lines a block removed from between two others takes is the
// search's choice; read top down, a block starts at its first line and ends at the blank
// line after it, not at the closing brace and blank line before it, which is where go-udiff
// (searching from both ends) often leaves it. diff -u and git slide the same way.
func slideDown(a, b []string, ds []lcs.Diff) {
	for i := range ds {
		d := &ds[i]
		nextA, nextB := len(a), len(b)
		if i+1 < len(ds) {
			nextA, nextB = ds[i+1].Start, ds[i+1].ReplStart
		}
		switch {
		case d.ReplStart == d.ReplEnd: // a[Start:End] removed
			for d.End < nextA && a[d.Start] == a[d.End] {
				d.Start, d.End, d.ReplStart, d.ReplEnd = d.Start+1, d.End+1, d.ReplStart+1, d.ReplEnd+1
			}
		case d.Start == d.End: // b[ReplStart:ReplEnd] added
			for d.ReplEnd < nextB && b[d.ReplStart] == b[d.ReplEnd] {
				d.Start, d.End, d.ReplStart, d.ReplEnd = d.Start+1, d.End+1, d.ReplStart+1, d.ReplEnd+1
			}
		}
	}
}

// hunk numbers the lines of one of go-udiff's hunks.
func hunk(uh *udiff.Hunk) DiffHunk {
	h := DiffHunk{OldStart: uh.FromLine, NewStart: uh.ToLine}
	oldN, newN := uh.FromLine, uh.ToLine
	for _, ul := range uh.Lines {
		l := DiffLine{Text: strings.TrimSuffix(ul.Content, "\n")}
		switch ul.Kind {
		case udiff.Equal:
			l.Op, l.Old, l.New = DiffContext, oldN, newN
			oldN++
			newN++
		case udiff.Delete:
			l.Op, l.Old = DiffRemoved, oldN
			oldN++
		case udiff.Insert:
			l.Op, l.New = DiffAdded, newN
			newN++
		}
		h.Lines = append(h.Lines, l)
	}
	h.OldLines, h.NewLines = oldN-uh.FromLine, newN-uh.ToLine
	// diff -u names the line before an empty side.
	if h.OldLines == 0 {
		h.OldStart--
	}
	if h.NewLines == 0 {
		h.NewStart--
	}
	return h
}
