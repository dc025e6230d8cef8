package web

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// maxImportFiles bounds how many .tf files one import reads, as the CLI's import does.
const maxImportFiles = 200

// maxZipEntries bounds the entries of an uploaded archive, read or not: a central directory
// of millions of empty entries costs memory before a byte is decompressed.
const maxZipEntries = 1000

// pastedFile names pasted Terraform in the positions of its problems.
const pastedFile = "pasted.tf"

// zipMagic starts every zip archive with at least one entry.
var zipMagic = []byte("PK\x03\x04")

// utf8BOM is stripped from .tf files: editors on Windows write it, and HCL does not skip it.
var utf8BOM = []byte("\xef\xbb\xbf")

// terraformSource is Terraform configuration as the import form sent it.
type terraformSource struct {
	files map[string][]byte // *.tf, and any other uploaded file, by name
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
func readUploads(req *importRequest, files []uploadedFile) *importProblem {
	if len(files) > maxImportFiles {
		return unprocessable("%d files were uploaded; an import reads at most %d. Upload a .zip of the configuration instead.", len(files), maxImportFiles)
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
		src, problem := readZip(files[0].data)
		if problem != nil {
			return problem
		}
		if name := strings.ToLower(strings.TrimSuffix(path.Base(files[0].name), path.Ext(files[0].name))); store.ValidName(name) == nil {
			src.name = name
		}
		req.terraform = src
		return nil
	}
	src := &terraformSource{files: map[string][]byte{}}
	total := 0
	for _, f := range files {
		if _, dup := src.files[f.name]; dup {
			return unprocessable("Two of the uploaded files are named %s. A configuration's files share one directory: rename one and import again.", page.QuoteName(f.name))
		}
		total += len(f.data)
		if total > blueprint.MaxDocumentSize {
			return terraformTooLarge()
		}
		src.files[f.name] = f.data
	}
	req.terraform = src
	return nil
}

// readZip reads the *.tf entries of an archive, at any depth. It refuses an archive whose
// entries point outside it, has too many entries, or holds more than blueprint.MaxDocumentSize
// of Terraform once decompressed; the sizes in an archive's headers are not trusted, the
// bytes are counted as they are decompressed.
func readZip(data []byte) (*terraformSource, *importProblem) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, corruptZip(err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, unprocessable("The .zip file has %d entries; an import reads archives of at most %d. Archive only the configuration's directory.", len(zr.File), maxZipEntries)
	}
	src := &terraformSource{files: map[string][]byte{}}
	seen := map[string]bool{}
	left := int64(blueprint.MaxDocumentSize)
	for _, f := range zr.File {
		name, ok := zipEntryName(f.Name)
		if !ok {
			return nil, unprocessable("The .zip file has an entry %s outside the archive's folder (an absolute path or \"..\"), so it was not read. Archive the configuration's directory from inside it.", page.QuoteName(f.Name))
		}
		if f.FileInfo().IsDir() {
			continue
		}
		if seen[name] {
			return nil, unprocessable("The .zip file holds %s twice, so it was not read.", page.QuoteName(name))
		}
		seen[name] = true
		if reason, read := zipEntryRead(name); !read {
			src.notRead = append(src.notRead, blueprint.Diagnostic{
				Severity: blueprint.Warning, Path: name, Summary: "not read", Detail: reason,
			})
			continue
		}
		if f.UncompressedSize64 > uint64(left) {
			return nil, terraformTooLarge()
		}
		rc, err := f.Open()
		if err != nil {
			return nil, corruptZip(err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, left+1))
		rc.Close()
		if int64(len(b)) > left {
			return nil, terraformTooLarge()
		}
		if err != nil {
			return nil, corruptZip(err)
		}
		left -= int64(len(b))
		src.files[name] = b
	}
	if len(src.files) > maxImportFiles {
		return nil, unprocessable("The .zip file has %d .tf files; an import reads at most %d.", len(src.files), maxImportFiles)
	}
	return src, nil
}

// zipEntryName is an entry's name with forward slashes, or false when it leaves the archive.
func zipEntryName(name string) (string, bool) {
	n := strings.ReplaceAll(name, `\`, "/")
	if n == "" || strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return "", false
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", false
		}
	}
	return path.Clean(n), true
}

// zipEntryRead says whether an entry is read, and why not. Like terraform, it skips hidden
// files and folders (.terraform/, an editor's .#main.tf, macOS's ._main.tf and __MACOSX/).
func zipEntryRead(name string) (reason string, read bool) {
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") || part == "__MACOSX" {
			return "hidden files and folders are not read", false
		}
	}
	if !strings.HasSuffix(name, ".tf") {
		return "only .tf files are imported", false
	}
	return "", true
}

func corruptZip(err error) *importProblem {
	return unprocessable("The .zip file could not be read (%v). Make sure it is a complete zip archive and upload it again.", err)
}

func terraformTooLarge() *importProblem {
	return &importProblem{http.StatusRequestEntityTooLarge, fmt.Sprintf(
		"The Terraform files are larger than %d MiB together, once uncompressed, so they were not imported. An import reads at most %d MiB of configuration.",
		blueprint.MaxDocumentSize>>20, blueprint.MaxDocumentSize>>20)}
}

func unprocessable(format string, args ...any) *importProblem {
	return &importProblem{http.StatusUnprocessableEntity, fmt.Sprintf(format, args...)}
}

// checkText refuses a .tf file that is not UTF-8 and drops a byte order mark, so a problem's
// line and column count what the user sees.
func (src *terraformSource) checkText() *importProblem {
	names := make([]string, 0, len(src.files))
	for n := range src.files {
		names = append(names, n)
	}
	sort.Strings(names)
	tf := 0
	for _, n := range names {
		if !strings.HasSuffix(n, ".tf") {
			continue
		}
		tf++
		data := bytes.TrimPrefix(src.files[n], utf8BOM)
		if !utf8.Valid(data) {
			if n == pastedFile {
				return unprocessable("The pasted text is not UTF-8, so it was not read.")
			}
			return unprocessable("%s is not UTF-8 text, so it was not read. Save it as UTF-8 and import it again.", page.QuoteName(n))
		}
		src.files[n] = data
	}
	if tf == 0 {
		return unprocessable("No .tf file was found in the upload. Upload the configuration's .tf files, a .zip of them, or a blueprint document (.json).")
	}
	return nil
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
