package components

import (
	"fmt"

	"github.com/cloudoven/cloudoven/blueprint"
)

// DiffVersion is a version offered for comparison: its number and a label with its message.
type DiffVersion struct {
	Version int
	Label   string
}

// FileDiff is one generated file compared between the two versions.
type FileDiff struct {
	Name       string
	Adds, Dels int
	Hunks      []DiffHunk
	// TooLarge says why the file was not compared; see blueprint.DiffMaxLines.
	TooLarge string
}

// Changed reports whether the two versions of the file differ.
func (f FileDiff) Changed() bool { return len(f.Hunks) > 0 }

// DiffHunk is a run of changed lines with their context.
type DiffHunk struct {
	Header string // @@ -a,b +c,d @@
	Lines  []DiffLine
}

// DiffLine is one line of a hunk; Old and New are 1-based line numbers, 0 on the side the
// line is not on.
type DiffLine struct {
	Op       string // "add", "del" or "ctx"
	Old, New int
	Text     string
}

// Sign is the unified-diff mark of the line: +, - or a space.
func (l DiffLine) Sign() string {
	switch l.Op {
	case "add":
		return "+"
	case "del":
		return "-"
	}
	return " "
}

// NewFileDiffs builds the view of each file's diff.
func NewFileDiffs(diffs []blueprint.FileDiff) []FileDiff {
	var out []FileDiff
	for _, d := range diffs {
		out = append(out, NewFileDiff(d))
	}
	return out
}

// NewFileDiff builds the view of one file's diff.
func NewFileDiff(d blueprint.FileDiff) FileDiff {
	fd := FileDiff{Name: d.Name}
	if d.TooLarge {
		fd.TooLarge = fmt.Sprintf("%s has more than %d lines, too many to compare here. Download both versions and compare them locally.", d.Name, blueprint.DiffMaxLines)
	}
	for _, h := range d.Hunks {
		vh := DiffHunk{Header: fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.OldStart, h.OldLines, h.NewStart, h.NewLines)}
		for _, l := range h.Lines {
			vl := DiffLine{Op: "ctx", Old: l.Old, New: l.New, Text: l.Text}
			switch l.Op {
			case blueprint.DiffAdded:
				vl.Op = "add"
				fd.Adds++
			case blueprint.DiffRemoved:
				vl.Op = "del"
				fd.Dels++
			}
			vh.Lines = append(vh.Lines, vl)
		}
		fd.Hunks = append(fd.Hunks, vh)
	}
	return fd
}
