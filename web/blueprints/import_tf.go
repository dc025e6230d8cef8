package blueprints

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/tfsource"
	"github.com/cloudoven/cloudoven/web/page"
)

// zipMagic starts every zip archive with at least one entry.
var zipMagic = []byte("PK\x03\x04")

// terraformSource is Terraform configuration as the import form sent it.
type terraformSource struct {
	files map[string][]byte // by name, as blueprint.Import takes them
	// notRead lists the archive entries left unread (not .tf, or hidden), so they are
	// reported like any other part of the configuration the blueprint leaves out.
	notRead []blueprint.Diagnostic
	// name is the blueprint name the upload suggests: the archive's name, if it is a valid one.
	name string
}

// uploadedFile is one file of the form's file input.
type uploadedFile struct {
	name string
	data []byte
}

// uploadKind is how an uploaded file is read, from its name and, when that does not say,
// its first bytes.
func uploadKind(f uploadedFile, alone bool) string {
	lower := strings.ToLower(f.name)
	switch {
	case strings.HasSuffix(lower, ".zip"):
		return "zip"
	case strings.HasSuffix(lower, ".tf"), strings.HasSuffix(lower, ".tf.json"):
		return "tf"
	case strings.HasSuffix(lower, ".json"):
		return "json"
	case bytes.HasPrefix(f.data, zipMagic):
		return "zip"
	case alone:
		// A lone file of another name was always read as a blueprint document.
		return "json"
	}
	return "tf" // blueprint.Import lists it as not a configuration file
}

// readUploads sorts the uploaded files into a blueprint document or Terraform configuration.
func readUploads(ctx context.Context, req *importRequest, files []uploadedFile) *importProblem {
	// Counted before anything else: the form carries no more files than one import reads.
	if len(files) > tfsource.MaxFiles {
		return unprocessable("%d files were uploaded; an import reads at most %d. Upload a .zip of the configuration instead.", len(files), tfsource.MaxFiles)
	}
	kinds := map[string]int{}
	for _, f := range files {
		kinds[uploadKind(f, len(files) == 1)]++
	}
	switch {
	case len(files) > 1 && kinds["json"] > 0:
		return unprocessable("A blueprint document (.json) is imported on its own: upload it alone, or only Terraform files.")
	case len(files) > 1 && kinds["zip"] > 0:
		return unprocessable("Upload one .zip, or .tf files, not both: put every file in the archive, or upload the .tf files alone.")
	case kinds["json"] == 1:
		req.document = files[0].data
		return nil
	case kinds["zip"] == 1:
		src, problem := readZip(ctx, files[0].data)
		if problem != nil {
			return problem
		}
		if name := strings.ToLower(strings.TrimSuffix(path.Base(files[0].name), path.Ext(files[0].name))); store.ValidName(name) == nil {
			src.name = name
		}
		req.terraform = src
		return nil
	}
	given := make([]tfsource.File, len(files))
	for i, f := range files {
		given[i] = tfsource.File{Name: f.name, Data: f.data}
	}
	src, err := tfsource.ReadFiles(given)
	if err != nil {
		return terraformProblem(err, fromUpload)
	}
	// An upload has no folders (browsers send file names only): a file read at the
	// configuration's root is kept, one in a folder is reported missing by Import.
	if err := src.PickFiles(given, blueprint.FilesToRead(src.ByName())); err != nil {
		return terraformProblem(err, fromUpload)
	}
	// An uploaded file that is not .tf is still named to blueprint.Import, without its
	// bytes: Import lists it ("not a Terraform configuration file", or JSON configuration)
	// in its place among the configuration's other problems, as the form always has.
	byName := src.ByName()
	for _, s := range src.Skipped {
		byName[s.Name] = nil
	}
	req.terraform = &terraformSource{files: byName}
	return nil
}

// readZip reads the .tf entries of an archive, at any depth, and the entries they read with
// file() or templatefile(), and lists the entries it left unread.
func readZip(ctx context.Context, data []byte) (*terraformSource, *importProblem) {
	src, err := tfsource.ReadZip(ctx, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, terraformProblem(err, fromZip)
	}
	if err := src.ReadZipFiles(ctx, bytes.NewReader(data), int64(len(data)), blueprint.FilesToRead(src.ByName())); err != nil {
		return nil, terraformProblem(err, fromZip)
	}
	ts := &terraformSource{files: src.ByName()}
	for _, s := range src.Skipped {
		ts.notRead = append(ts.notRead, blueprint.Diagnostic{
			Severity: blueprint.Warning, Path: s.Name, Summary: "not read", Detail: s.Reason.String(),
		})
	}
	return ts, nil
}

// readPasted reads pasted Terraform as one file, tfsource.PastedName.
func readPasted(text string) (*terraformSource, *importProblem) {
	src, err := tfsource.ReadText(text)
	if err != nil {
		return nil, terraformProblem(err, fromPaste)
	}
	return &terraformSource{files: src.ByName()}, nil
}

// terraformFrom is how Terraform came in the form, for the wording of its problems.
type terraformFrom int

const (
	fromUpload terraformFrom = iota
	fromZip
	fromPaste
)

// terraformProblem words a problem tfsource found with the form's Terraform: 413 when it is
// too large, 422 for anything else the user can fix.
func terraformProblem(err error, from terraformFrom) *importProblem {
	var p *tfsource.Problem
	if !errors.As(err, &p) {
		return &importProblem{http.StatusBadRequest, "The uploaded file could not be read. Try again."}
	}
	switch p.Kind {
	case tfsource.FileTooLarge, tfsource.TooLarge:
		return terraformTooLarge()
	case tfsource.TooManyFiles:
		if from == fromZip {
			return unprocessable("The .zip file has %d .tf files; an import reads at most %d.", p.Count, p.Limit)
		}
		return unprocessable("%d files were uploaded; an import reads at most %d. Upload a .zip of the configuration instead.", p.Count, p.Limit)
	case tfsource.TooManyEntries:
		return unprocessable("The .zip file has %d entries; an import reads archives of at most %d. Archive only the configuration's directory.", p.Count, p.Limit)
	case tfsource.OutsideArchive:
		return unprocessable("The .zip file has an entry %s outside the archive's folder (an absolute path or \"..\"), so it was not read. Archive the configuration's directory from inside it.", page.QuoteName(p.Name))
	case tfsource.Duplicate:
		if from == fromZip {
			return unprocessable("The .zip file holds %s twice, so it was not read.", page.QuoteName(p.Name))
		}
		return unprocessable("Two of the uploaded files are named %s. A configuration's files share one directory: rename one and import again.", page.QuoteName(p.Name))
	case tfsource.Corrupt:
		return unprocessable("The .zip file could not be read (%v). Make sure it is a complete zip archive and upload it again.", p.Err)
	case tfsource.NotUTF8:
		if from == fromPaste {
			return unprocessable("The pasted text is not UTF-8, so it was not read.")
		}
		return unprocessable("%s is not UTF-8 text, so it was not read. Save it as UTF-8 and import it again.", page.QuoteName(p.Name))
	case tfsource.NULByte:
		if from == fromPaste {
			return unprocessable("The pasted text has a NUL byte on line %d, so it was not read: Terraform is text.", p.Line)
		}
		return unprocessable("%s has a NUL byte on line %d, so it was not read: a .tf file is text. Save it as UTF-8 text and import it again.", page.QuoteName(p.Name), p.Line)
	case tfsource.NoTerraform:
		return unprocessable("No .tf file was found in the upload. Upload the configuration's .tf files, a .zip of them, or a blueprint document (.json).")
	case tfsource.TooDeep:
		what := page.QuoteName(p.Name)
		if from == fromPaste {
			what = "The pasted text"
		}
		return unprocessable("%s nests deeper than %d levels at line %d, column %d, so it was not read. An import reads Terraform nested at most %d levels deep (brackets, braces, strings, templates and operators together).",
			what, p.Limit, p.Line, p.Column, p.Limit)
	}
	return unprocessable("%s.", page.Capitalize(p.Error()))
}

func terraformTooLarge() *importProblem {
	return &importProblem{http.StatusRequestEntityTooLarge, fmt.Sprintf(
		"The Terraform files are larger than %d MiB together, once uncompressed, so they were not imported. An import reads at most %d MiB of configuration.",
		tfsource.MaxBytes>>20, tfsource.MaxBytes>>20)}
}

func unprocessable(format string, args ...any) *importProblem {
	return &importProblem{http.StatusUnprocessableEntity, fmt.Sprintf(format, args...)}
}

// sourceProblem is a problem of imported Terraform, shown at its place in the files.
type sourceProblem struct {
	Severity string
	At       string // file:line, or the file
	Summary  string
	Path     string // where in the blueprint it would have gone, if anywhere
	Detail   string
}

// importPosition is how blueprint.Import starts the detail of a problem it can place.
var importPosition = regexp.MustCompile(`(?s)^at (.+?):(\d+),\d+: (.*)$`)

// sourceProblems shows diagnostics from blueprint.Import at their file and line. Import
// places a problem with a block or argument in its detail ("at main.tf:12,3: ..."); a
// problem with a whole file, or a syntax error, has the file (and line) as its path.
func sourceProblems(ds blueprint.Diagnostics) []sourceProblem {
	out := make([]sourceProblem, len(ds))
	for i, d := range ds {
		p := sourceProblem{Severity: string(d.Severity), At: d.Path, Summary: d.Summary, Detail: d.Detail}
		if m := importPosition.FindStringSubmatch(d.Detail); m != nil {
			p.At, p.Path, p.Detail = m[1]+":"+m[2], d.Path, m[3]
		}
		out[i] = p
	}
	return out
}
