package blueprint_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// diffOne compares two versions of one file.
func diffOne(a, b string) blueprint.FileDiff {
	ds := blueprint.DiffFiles([]blueprint.File{{Name: "f", Content: []byte(a)}}, []blueprint.File{{Name: "f", Content: []byte(b)}})
	return ds[0]
}

// signed reads a file's hunks as sign + text lines, as a unified diff shows them.
func signed(fd blueprint.FileDiff) []string {
	var got []string
	for _, h := range fd.Hunks {
		for _, l := range h.Lines {
			sign := " "
			switch l.Op {
			case blueprint.DiffAdded:
				sign = "+"
			case blueprint.DiffRemoved:
				sign = "-"
			}
			got = append(got, sign+l.Text)
		}
	}
	return got
}

func header(h blueprint.DiffHunk) string {
	return fmt.Sprintf("@@ -%d,%d +%d,%d @@", h.OldStart, h.OldLines, h.NewStart, h.NewLines)
}

func headers(fd blueprint.FileDiff) []string {
	var out []string
	for _, h := range fd.Hunks {
		out = append(out, header(h))
	}
	return out
}

func counts(fd blueprint.FileDiff) (adds, dels int) {
	for _, h := range fd.Hunks {
		for _, l := range h.Lines {
			switch l.Op {
			case blueprint.DiffAdded:
				adds++
			case blueprint.DiffRemoved:
				dels++
			}
		}
	}
	return adds, dels
}

func TestDiffFilesOrderAndSides(t *testing.T) {
	t.Parallel()
	file := func(name, content string) blueprint.File { return blueprint.File{Name: name, Content: []byte(content)} }
	from := []blueprint.File{file("main.tf", "a\nb\n"), file("old.tf", "x\ny\n"), file("variables.tf", "v\n")}
	to := []blueprint.File{file("main.tf", "a\nB\n"), file("variables.tf", "v\n"), file("new.tf", "n\n")}

	type summary struct {
		Name     string
		Changed  bool
		Headers  []string
		Lines    []string
		TooLarge bool
	}
	var got []summary
	for _, fd := range blueprint.DiffFiles(from, to) {
		got = append(got, summary{fd.Name, fd.Changed, headers(fd), signed(fd), fd.TooLarge})
	}
	want := []summary{
		{Name: "main.tf", Changed: true, Headers: []string{"@@ -1,2 +1,2 @@"}, Lines: []string{" a", "-b", "+B"}},
		{Name: "variables.tf"},
		{Name: "new.tf", Changed: true, Headers: []string{"@@ -0,0 +1,1 @@"}, Lines: []string{"+n"}},
		{Name: "old.tf", Changed: true, Headers: []string{"@@ -1,2 +0,0 @@"}, Lines: []string{"-x", "-y"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("file diffs (-want +got):\n%s", diff)
	}
}

func TestDiffLines(t *testing.T) {
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
		// Keeping a, b or c takes four changes either way; the search from both ends keeps a.
		{"swap", "a\nb\nc\n", "c\nb\na\n", []string{"+c", "+b", " a", "-b", "-c"}},
		{"missing final newline is no change", "a\nb", "a\nb\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd := diffOne(tc.a, tc.b)
			if diff := cmp.Diff(tc.want, signed(fd)); diff != "" {
				t.Errorf("diff lines (-want +got):\n%s", diff)
			}
			if fd.Changed != (tc.want != nil) {
				t.Errorf("Changed is %v for %d changed lines", fd.Changed, len(tc.want))
			}
		})
	}
}

func TestDiffHunksKeepContext(t *testing.T) {
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
	fd := diffOne(strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n")
	want := []string{"@@ -3,7 +3,7 @@", "@@ -28,7 +28,7 @@"}
	if diff := cmp.Diff(want, headers(fd)); diff != "" {
		t.Errorf("hunk headers (-want +got):\n%s", diff)
	}
	if adds, dels := counts(fd); adds != 2 || dels != 2 {
		t.Errorf("+%d −%d, want +2 −2", adds, dels)
	}
}

func TestDiffRefusesHugeFiles(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x\n", blueprint.DiffMaxLines+1)
	fd := diffOne(big, "x\n")
	if !fd.TooLarge || len(fd.Hunks) != 0 {
		t.Errorf("a %d-line file was compared: %+v", blueprint.DiffMaxLines+1, fd.Hunks)
	}
	if !fd.Changed {
		t.Errorf("a file too large to compare still says whether it changed")
	}
}

// TestDiffManyEditsFallsBack compares two long files that share no line: the search gives
// up early, and the diff removes every old line and adds every new one.
func TestDiffManyEditsFallsBack(t *testing.T) {
	t.Parallel()
	var a, b []string
	for i := range 3000 {
		a = append(a, "a"+strings.Repeat("-", i%7)+string(rune('0'+i%10)))
		b = append(b, "b"+string(rune('0'+i%10)))
	}
	fd := diffOne(strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n")
	if adds, dels := counts(fd); dels != len(a) || adds != len(b) {
		t.Errorf("fallback diff -%d +%d, want -%d +%d", dels, adds, len(a), len(b))
	}
}

// TestDiffFindsScatteredChanges changes one line in every thirty of a long file, the shape
// of renaming a variable every resource refers to: each change is its own small hunk, never
// a block of unchanged lines shown as removed and added again.
func TestDiffFindsScatteredChanges(t *testing.T) {
	t.Parallel()
	var a, b []string
	for i := range 7500 {
		line := fmt.Sprintf("  line %d", i)
		a = append(a, line)
		if i%30 == 15 {
			line = fmt.Sprintf("  changed %d", i)
		}
		b = append(b, line)
	}
	fd := diffOne(strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n")
	if adds, dels := counts(fd); adds != 250 || dels != 250 || len(fd.Hunks) != 250 {
		t.Errorf("+%d −%d in %d hunks, want +250 −250 in 250 hunks", adds, dels, len(fd.Hunks))
	}
	wantDiff(t, a, b, fd)
}

// TestDiffPastTheBoundIsStillADiff changes every other line of the largest file compared,
// far more changes than the search settles: the diff is no longer minimal but still turns
// one side into the other.
func TestDiffPastTheBoundIsStillADiff(t *testing.T) {
	t.Parallel()
	var a, b []string
	for i := range blueprint.DiffMaxLines {
		line := fmt.Sprintf("  line %d", i)
		a = append(a, line)
		if i%2 == 0 {
			line = fmt.Sprintf("  changed %d", i)
		}
		b = append(b, line)
	}
	fd := diffOne(strings.Join(a, "\n")+"\n", strings.Join(b, "\n")+"\n")
	wantDiff(t, a, b, fd)
}

// TestDiffShowsWholeBlocks adds and removes a resource: the changed lines are the block
// from its first line to the blank line after it, not the end of the block before and the
// start of the block itself, which would be as short a diff.
func TestDiffShowsWholeBlocks(t *testing.T) {
	t.Parallel()
	block := func(name string) []string {
		return []string{`resource "azurerm_subnet" "` + name + `" {`, `  name = "` + name + `"`, "}", ""}
	}
	var two, three []string
	for _, n := range []string{"a", "b", "c"} {
		if n != "b" {
			two = append(two, block(n)...)
		}
		three = append(three, block(n)...)
	}
	text := func(lines []string) string { return strings.Join(lines, "\n") }
	for _, tc := range []struct {
		name string
		a, b []string
		want []string
	}{
		{"added", two, three, []string{"+" + three[4], "+" + three[5], "+}", "+"}},
		{"removed", three, two, []string{"-" + three[4], "-" + three[5], "-}", "-"}},
		// At the end of the file the blank line goes before the block.
		{"added last", three, append(slices.Clone(three), block("d")...), []string{"+", "+" + block("d")[0], "+" + block("d")[1], "+}"}},
		{"removed last", three, three[:8], []string{"-", "-" + three[8], "-" + three[9], "-}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd := diffOne(text(tc.a), text(tc.b))
			var changes []string
			for _, l := range signed(fd) {
				if !strings.HasPrefix(l, " ") {
					changes = append(changes, l)
				}
			}
			if diff := cmp.Diff(tc.want, changes); diff != "" {
				t.Errorf("changed lines (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiffRebuildsBothSides checks on many small inputs that the hunks, with the lines
// between them, rebuild both sides in order with the right line numbers.
func TestDiffRebuildsBothSides(t *testing.T) {
	t.Parallel()
	lines := func(seed, n int) []string {
		var out []string
		for i := range n {
			out = append(out, string(rune('a'+(seed*7+i*i*3+i)%4)))
		}
		return out
	}
	text := func(l []string) string {
		if len(l) == 0 {
			return ""
		}
		return strings.Join(l, "\n") + "\n"
	}
	for seed := range 30 {
		for n := range 9 {
			a, b := lines(seed, n), lines(seed+1, (n*5)%9)
			wantDiff(t, a, b, diffOne(text(a), text(b)))
		}
	}
}

// wantDiff checks that fd turns a into b: its hunks, with the unchanged lines between them,
// rebuild both sides in order, every line number is where the line is, and each header
// counts its lines.
func wantDiff(t *testing.T, a, b []string, fd blueprint.FileDiff) {
	t.Helper()
	var gotA, gotB []string
	// same copies unchanged lines until a's next line is number old, or b's is number new.
	same := func(old, new int) bool {
		for (old != 0 && len(gotA)+1 < old) || (new != 0 && len(gotB)+1 < new) {
			if len(gotA) >= len(a) || len(gotB) >= len(b) || a[len(gotA)] != b[len(gotB)] {
				return false
			}
			gotA, gotB = append(gotA, a[len(gotA)]), append(gotB, b[len(gotB)])
		}
		return true
	}
	for _, h := range fd.Hunks {
		oldLines, newLines := 0, 0
		for _, l := range h.Lines {
			if !same(l.Old, l.New) {
				t.Fatalf("%q -> %q: lines before %+v differ", a, b, l)
			}
			if l.Op != blueprint.DiffAdded {
				if l.Old != len(gotA)+1 || l.Text != a[l.Old-1] {
					t.Fatalf("%q -> %q: %+v is not old line %d", a, b, l, len(gotA)+1)
				}
				gotA = append(gotA, l.Text)
				oldLines++
			}
			if l.Op != blueprint.DiffRemoved {
				if l.New != len(gotB)+1 || l.Text != b[l.New-1] {
					t.Fatalf("%q -> %q: %+v is not new line %d", a, b, l, len(gotB)+1)
				}
				gotB = append(gotB, l.Text)
				newLines++
			}
		}
		if h.OldLines != oldLines || h.NewLines != newLines {
			t.Fatalf("%q -> %q: %s counts -%d +%d lines", a, b, header(h), oldLines, newLines)
		}
	}
	if !same(len(a)+1, len(b)+1) || len(gotA) != len(a) || len(gotB) != len(b) {
		t.Fatalf("%q -> %q: the lines after the last hunk differ", a, b)
	}
	if !cmp.Equal(a, gotA, cmpopts.EquateEmpty()) || !cmp.Equal(b, gotB, cmpopts.EquateEmpty()) {
		t.Fatalf("%q -> %q: hunks rebuild %q -> %q", a, b, gotA, gotB)
	}
}

// BenchmarkDiffFiles diffs the generated files of two 1,000-resource blueprints (main.tf
// about 8,000 lines) that differ the ways versions do: one variable default, a variable
// every resource group refers to renamed (250 lines changed across main.tf), 100 resources
// appended, and one resource removed from the middle.
func BenchmarkDiffFiles(b *testing.B) {
	gen := func(bp *blueprint.Blueprint) []blueprint.File {
		files, err := blueprint.Generate(bp, blueprint.GenerateOptions{})
		if err != nil {
			b.Fatal(err)
		}
		return files
	}
	base := gen(bigBlueprint(1000))
	changed := func(edit func(bp *blueprint.Blueprint)) []blueprint.File {
		bp := bigBlueprint(1000)
		edit(bp)
		return gen(bp)
	}
	for _, bc := range []struct {
		name string
		to   []blueprint.File
	}{
		{"default", changed(func(bp *blueprint.Blueprint) {
			bp.Variables[0].Default = ptr(blueprint.String("northeurope"))
		})},
		{"renamed-variable", changed(func(bp *blueprint.Blueprint) {
			bp.Variables[1].Name = "labels"
			for i, r := range bp.Resources {
				for j, a := range r.Config.Attributes {
					if a.Value.Kind == blueprint.ReferenceKind && a.Value.Ref == "var.tags" {
						bp.Resources[i].Config.Attributes[j].Value = blueprint.Ref("var.labels")
					}
				}
			}
		})},
		{"appended", gen(bigBlueprint(1100))},
		{"removed", changed(func(bp *blueprint.Blueprint) {
			// The network interface of the 126th chain and the output that names it.
			bp.Resources = append(bp.Resources[:503], bp.Resources[504:]...)
			bp.Outputs = append(bp.Outputs[:125], bp.Outputs[126:]...)
		})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				blueprint.DiffFiles(base, bc.to)
			}
		})
	}
}

// BenchmarkDiffFilesLargest diffs two files of DiffMaxLines lines, the largest compared,
// with one line in every 20 changed (2,000 changed lines) and one in every 2 (20,000): the
// search bound, not the input, decides how long these take.
func BenchmarkDiffFilesLargest(b *testing.B) {
	file := func(every int) []blueprint.File {
		var s strings.Builder
		for i := range blueprint.DiffMaxLines {
			if every > 0 && i%every == 0 {
				fmt.Fprintf(&s, "  changed = %d\n", i)
				continue
			}
			fmt.Fprintf(&s, "  line = %d\n", i)
		}
		return []blueprint.File{{Name: "main.tf", Content: []byte(s.String())}}
	}
	base := file(0)
	for _, every := range []int{20, 2} {
		to := file(every)
		b.Run(fmt.Sprintf("every-%d", every), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				blueprint.DiffFiles(base, to)
			}
		})
	}
}
