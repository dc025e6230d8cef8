package editor

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/page"
)

// The Files item edits the files the configuration reads with file(), templatefile() and
// the like (blueprint.BlueprintFile): each a path and its text, saved with the draft like
// every other item. A path that would leave the configuration's folder ("../x", "/etc/x") is
// refused and nothing of that change is saved, since no later step could write it; any
// other problem (a name terraform reads, a file too large, two files of one path) is a
// diagnostic shown next to the file, and the draft keeps what was typed.

// itemFiles is the Files item.
const itemFiles = "files"

// The fields of the "add a file" part of the Files form.
const (
	newFilePathKey    = "new_file.path"
	newFileContentKey = "new_file.content"
)

// filesTable is the key prefix of the Files form's rows: f[0].path, f[0].content.
const filesTable = form.Table("f")

// fileRow is one file of the Files form.
type fileRow struct {
	Key     string
	Path    string
	Content string
	Size    string
	// Binary is a file kept as base64 (a certificate): shown by its size, not edited.
	Binary bool
	// Reads are the calls of the blueprint that read this file: file, templatefile.
	Reads []string
}

type filesEditor struct {
	Rows     []fileRow
	Problems fieldProblems
	// Unread are literal paths the blueprint reads that it has no file for, offered as
	// "add" hints.
	Unread []string
}

func filesView(es *editorSession, problems fieldProblems) *filesEditor {
	fe := &filesEditor{Problems: problems}
	reads := blueprintFileReads(es.bp)
	for i, f := range es.bp.Files {
		row := fileRow{Key: filesTable.RowKey(i), Path: f.Path, Reads: reads[f.Path], Binary: f.Binary()}
		n := len(f.Content)
		if row.Binary {
			data, _ := f.Bytes()
			n = len(data)
		} else {
			row.Content = f.Content
		}
		row.Size = fmt.Sprintf("%d %s", n, page.Plural(n, "byte", "bytes"))
		fe.Rows = append(fe.Rows, row)
	}
	for p := range reads {
		if es.bp.File(p) == nil {
			fe.Unread = append(fe.Unread, p)
		}
	}
	slices.Sort(fe.Unread)
	return fe
}

// applyFiles applies the Files form: each row's path and content, then an add or remove.
func applyFiles(es *editorSession, values url.Values, op form.Op) editOutcome {
	n := rowCount(values, filesTable.CountKey(), len(es.bp.Files))
	out := make([]blueprint.BlueprintFile, 0, n+1)
	for i := range n {
		var f blueprint.BlueprintFile
		if i < len(es.bp.Files) {
			f = es.bp.Files[i]
		}
		if values.Has(filesTable.FieldKey(i, "path")) {
			typed := strings.TrimSpace(values.Get(filesTable.FieldKey(i, "path")))
			p, err := blueprint.NormalizeFilePath(typed)
			switch {
			case errors.Is(err, blueprint.ErrUnsafePath):
				return editOutcome{item: itemFiles, problem: fmt.Sprintf("File %d: %s. Nothing was saved.", i+1, err)}
			case err != nil:
				p = typed // kept as typed; Validate says what is wrong next to it
			}
			f.Path = p
			if !f.Binary() {
				f.Content = postedText(values.Get(filesTable.FieldKey(i, "content")), f.Content)
			}
		}
		out = append(out, f)
	}
	add, remove := rowOp(op, len(out))
	if add {
		typed := strings.TrimSpace(values.Get(newFilePathKey))
		p := typed
		switch np, err := blueprint.NormalizeFilePath(typed); {
		case typed == "":
			p = freeName("files/file", len(out), func(s string) bool {
				return containsName(out, func(f blueprint.BlueprintFile) string { return f.Path }, s+".txt")
			}) + ".txt"
		case errors.Is(err, blueprint.ErrUnsafePath):
			return editOutcome{item: itemFiles, problem: fmt.Sprintf("New file: %s. Nothing was saved.", err)}
		case err == nil:
			p = np
		}
		out = append(out, blueprint.BlueprintFile{Path: p, Content: postedText(values.Get(newFileContentKey), "")})
	}
	if remove >= 0 {
		out = append(out[:remove:remove], out[remove+1:]...)
	}
	es.bp.Files = out
	return editOutcome{item: itemFiles}
}

// postedText is a textarea's value as the file keeps it. Browsers send a textarea's line
// breaks as CRLF whatever the text had: a file that had none keeps LF line endings, so a
// shell script edited in the browser still runs.
func postedText(posted, before string) string {
	if strings.Contains(before, "\r\n") {
		return posted
	}
	return strings.ReplaceAll(posted, "\r\n", "\n")
}

// blueprintFileReads maps each literal path the blueprint's generated configuration reads
// to the calls reading it (blueprint.FileReads on what Generate writes).
func blueprintFileReads(b *blueprint.Blueprint) map[string][]string {
	files, err := blueprint.Generate(writableFiles(b), blueprint.GenerateOptions{})
	if err != nil {
		return nil
	}
	tf := map[string][]byte{}
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".tf") && !strings.Contains(f.Name, "/") {
			tf[f.Name] = f.Content
		}
	}
	out := map[string][]string{}
	for _, r := range blueprint.FileReads(tf) {
		if r.Path != "" {
			out[r.Path] = append(out[r.Path], r.Func)
		}
	}
	return out
}

// writableFiles is b without the files Generate would refuse (a path that is not valid),
// so that the preview still shows the configuration while a path is being typed; the
// diagnostics say what is wrong with them.
func writableFiles(b *blueprint.Blueprint) *blueprint.Blueprint {
	ok := true
	for _, f := range b.Files {
		ok = ok && blueprint.CheckFilePath(f.Path) == nil
	}
	if ok {
		return b
	}
	c := *b
	c.Files = nil
	for _, f := range b.Files {
		if blueprint.CheckFilePath(f.Path) == nil {
			c.Files = append(c.Files, f)
		}
	}
	return &c
}

// fileField is the form key showing a diagnostic at files[N].path or files[N].content, or
// at files[scripts/init.sh] (a file the configuration reads): f[N].path, f[N].content.
func fileField(es *editorSession, sub, rest string) string {
	i := index(sub, len(es.bp.Files), func(i int) string { return es.bp.Files[i].Path })
	if i < 0 {
		return ""
	}
	if rest == "content" {
		return filesTable.FieldKey(i, "content")
	}
	return filesTable.FieldKey(i, "path")
}

// The limits the Files form states.
const (
	maxFileCountHint = blueprint.MaxFileCount
	maxFileSizeHint  = "256 KiB" // blueprint.MaxFileSize
)

// fileRows is how tall a file's textarea is: its lines, within bounds.
func fileRows(s string) int {
	return min(max(strings.Count(s, "\n")+1, 3), 30)
}
