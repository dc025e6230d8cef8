package blueprints

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/tfsource"
	"github.com/cloudoven/cloudoven/upgrade"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// maxImportBytes bounds the whole import request: a document of up to
// blueprint.MaxDocumentSize plus the form around it. Larger bodies are cut off unread.
const maxImportBytes = 5 << 20

// maxDrainBytes is the largest refused upload that is still read to its end, so the browser
// gets to show the 413 page; larger ones are cut off.
const maxDrainBytes = 64 << 20

// importFormFragment is the import form, swapped alone on an htmx post.
const importFormFragment = "import-form"

type importFormProps struct {
	Action string
	// Text is the pasted document or configuration, kept so a refused import loses nothing.
	// Uploaded files are not copied back: the user still has them.
	Text        string
	Name        string
	Message     string
	Error       string
	Diagnostics []components.Diagnostic
	// Problems are those of imported Terraform, at their file and line: errors, and what
	// the blueprint would leave out.
	Problems []sourceProblem
	// OfferAnyway shows the "Import anyway" checkbox: everything listed can be left out.
	OfferAnyway bool
	Anyway      bool
}

// importRequest is what the import form sent: a blueprint document or Terraform.
type importRequest struct {
	document  []byte
	terraform *terraformSource
	text      string // the pasted text, if that is how it came
	uploaded  bool
	name      string // the blueprint's name, for Terraform
	message   string
	anyway    bool // store Terraform even though parts of it are left out
}

// importProblem is an import refused for a reason the user can fix.
type importProblem struct {
	status int
	msg    string
}

// importBlueprint answers POST /projects/{project}/blueprints: it reads a blueprint document
// or Terraform configuration (uploaded files, a .zip, or pasted text), refuses it with 413
// or 422 when it is too large, does not parse, has validation errors or, for Terraform, has
// parts a blueprint cannot hold and the user did not choose to leave them out; and otherwise
// stores it as a new blueprint or, when the project has a blueprint of that name, as its
// next version. Nothing is stored when the import is refused.
func (s *Handlers) importBlueprint(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	if _, err := s.store.Project(ctx, project); err != nil {
		return err
	}
	form := importFormProps{Action: paths.Blueprints(project)}
	refuse := func(status int, msg string) error {
		form.Error = msg
		return s.renderProject(w, r, status, project, form, importFormFragment)
	}

	req, problem := readImport(w, r)
	form.Text, form.Name, form.Message, form.Anyway = req.text, req.name, req.message, req.anyway
	if problem != nil {
		return refuse(problem.status, problem.msg)
	}
	var b *blueprint.Blueprint
	var leftOut, notes blueprint.Diagnostics
	var held upgrade.Report
	if req.terraform != nil {
		var diags blueprint.Diagnostics
		// What an older provider version's configuration has that the catalog no longer
		// has is held back for the upgrade report rather than refusing the configuration.
		b, held, diags = upgrade.Import(req.terraform.files, s.catalog())
		diags = append(req.terraform.notRead, diags...)
		if diags.HasErrors() {
			// A configuration Import could not read faithfully is not validated: its
			// errors would echo these.
			form.Problems = sourceProblems(diags)
			n := len(diags.Errors())
			return refuse(http.StatusUnprocessableEntity, fmt.Sprintf(
				"The Terraform has %d %s, listed below. Nothing was imported: fix the configuration and import it again.",
				n, page.Plural(n, "error", "errors")))
		}
		// Notes (an implied provider made explicit, legacy syntax converted) are shown
		// with the rest but are not parts left out: they never need "import anyway".
		notes = diags.Notes()
		leftOut = diags.WithoutNotes()
		b.Name = req.name
		if b.Name == "" {
			b.Name = req.terraform.name
		}
	} else {
		var err error
		b, err = blueprint.ParseDocument(req.document)
		if err != nil {
			return refuse(http.StatusUnprocessableEntity, page.Capitalize(err.Error()))
		}
	}
	form.Problems = sourceProblems(append(leftOut, notes...))

	providers, err := s.disallowedProviders(ctx, project, b)
	if err != nil {
		return err
	}
	diags := append(blueprint.Validate(b, s.catalog()), providers...)
	if d, ok := nameDiagnostic(b.Name); ok && !diags.At("name").HasErrors() {
		if req.terraform != nil {
			d = terraformNameDiagnostic(d)
		}
		diags = append(diags, d)
	}
	if diags.HasErrors() {
		diags.Sort()
		form.Diagnostics = components.Diagnostics(diags)
		n := len(diags.Errors())
		what := "the document"
		if req.terraform != nil {
			what = "the configuration"
		}
		return refuse(http.StatusUnprocessableEntity, fmt.Sprintf(
			"The blueprint %s has %d %s. Nothing was imported: fix %s and import it again.",
			page.QuoteName(b.Name), n, page.Plural(n, "error", "errors"), what))
	}
	if len(leftOut) > 0 && !req.anyway {
		form.OfferAnyway = true
		again := " and import again"
		if req.uploaded {
			again = ", choose the files again and import"
		}
		n := len(leftOut)
		return refuse(http.StatusUnprocessableEntity, fmt.Sprintf(
			"The blueprint would leave out %d %s of the Terraform, listed below. Nothing was imported: change the configuration, or tick \u201cImport anyway, leaving these out\u201d%s.",
			n, page.Plural(n, "part", "parts"), again))
	}

	// The stored document is the canonical encoding, so the same blueprint imported with
	// different whitespace is recognised as unchanged rather than a new version.
	doc, err := b.MarshalDocument()
	if err != nil {
		return err
	}
	message := withImportNotes(req.message, notes)
	var record *store.BlueprintUpgrade
	if req.terraform != nil {
		if record, err = upgradeRecord(req.terraform.files, held); errors.Is(err, store.ErrTooLarge) {
			return refuse(http.StatusUnprocessableEntity, page.Capitalize(err.Error())+". Nothing was imported.")
		} else if err != nil {
			return err
		}
	}
	_, v, err := s.store.CreateBlueprint(ctx, project, b.Name, b.Description, doc, message)
	if errors.Is(err, store.ErrConflict) {
		v, err = s.store.AddBlueprintVersion(ctx, project, b.Name, doc, message)
	}
	switch {
	case errors.Is(err, store.ErrTooLarge), errors.Is(err, store.ErrInvalidName):
		return refuse(http.StatusUnprocessableEntity, page.Capitalize(err.Error()))
	case err != nil:
		return err
	}
	if req.terraform != nil {
		if err := s.keepUpgrade(ctx, project, b.Name, v.Version, record); err != nil {
			return err
		}
	}
	s.logger.Info("blueprint imported", "project", project, "blueprint", b.Name, "version", v.Version,
		"terraform", req.terraform != nil, "left_out", len(leftOut), "held", len(held.Items))
	detail := fmt.Sprintf("version %d", v.Version)
	if req.terraform != nil {
		detail += " from Terraform"
	}
	if len(leftOut) > 0 {
		detail += fmt.Sprintf(", %d %s left out", len(leftOut), page.Plural(len(leftOut), "part", "parts"))
	}
	if n := len(held.Items); n > 0 {
		detail += fmt.Sprintf(", %d %s held for the provider upgrade", n, page.Plural(n, "item", "items"))
	}
	s.frame.Audit(r, "blueprint.import", project, b.Name, detail)
	if len(held.Items) > 0 {
		page.Redirect(w, r, paths.BlueprintUpgrade(project, b.Name))
		return nil
	}
	page.Redirect(w, r, paths.BlueprintVersion(project, b.Name, v.Version))
	return nil
}

// readImport reads the form, holding the body to maxImportBytes, the document to
// blueprint.MaxDocumentSize and the Terraform, once uncompressed, to tfsource's limits. The
// form may be multipart (files, or text from a browser form with a file input) or urlencoded
// (pasted text only).
func readImport(w http.ResponseWriter, r *http.Request) (importRequest, *importProblem) {
	var req importRequest
	tooLarge := &importProblem{http.StatusRequestEntityTooLarge, fmt.Sprintf(
		"The upload is larger than %d MiB, so it was not read. A blueprint document may be at most %d MiB.",
		maxImportBytes>>20, blueprint.MaxDocumentSize>>20)}
	if r.ContentLength > maxImportBytes {
		// A browser still sending when the server closes the connection shows a reset, not
		// the answer; so a body of a plausible size is read and dropped first.
		if r.ContentLength <= maxDrainBytes {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrainBytes))
		}
		return req, tooLarge
	}
	err := page.ParseForm(w, r, maxImportBytes)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	switch {
	case err != nil && page.FormStatus(err) == http.StatusRequestEntityTooLarge:
		return req, tooLarge
	case err != nil:
		return req, &importProblem{http.StatusBadRequest, page.FormRefusal(err)}
	}

	req.message = strings.TrimSpace(r.PostFormValue("message"))
	req.text = r.PostFormValue("document_text")
	req.name = strings.TrimSpace(r.PostFormValue("name"))
	req.anyway = r.PostFormValue("import_anyway") != ""
	if len(req.message) > store.MaxTextBytes {
		return req, &importProblem{http.StatusUnprocessableEntity, fmt.Sprintf(
			"The version message is %d bytes; keep it under %d.", len(req.message), store.MaxTextBytes)}
	}
	if len(req.name) > 256 {
		req.name = "" // do not send a hostile name back into the page
		return req, unprocessable("The blueprint name is too long: use 1-63 lowercase letters, digits, '-' or '_'.")
	}

	var files []uploadedFile
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["document"] {
			if fh.Size == 0 {
				continue // a file input with nothing chosen still sends an empty part
			}
			// An archive may be as large as the request; anything else is read whole.
			limit := int64(blueprint.MaxDocumentSize)
			switch {
			case strings.HasSuffix(strings.ToLower(fh.Filename), ".zip"):
				limit = maxImportBytes
			case strings.HasSuffix(fh.Filename, ".tf"):
				limit = tfsource.MaxFileBytes
			}
			if fh.Size > limit {
				if strings.HasSuffix(fh.Filename, ".tf") {
					return req, terraformTooLarge()
				}
				return req, documentTooLarge(fh.Size)
			}
			f, err := fh.Open()
			var data []byte
			if err == nil {
				data, err = io.ReadAll(io.LimitReader(f, limit+1))
				f.Close()
			}
			if err != nil {
				return req, &importProblem{http.StatusBadRequest, "The uploaded file could not be read. Try again."}
			}
			files = append(files, uploadedFile{name: fh.Filename, data: data})
		}
	}
	pasted := strings.TrimSpace(req.text) != ""
	switch {
	case len(files) > 0 && pasted:
		return req, &importProblem{http.StatusUnprocessableEntity,
			"Choose files or paste text, not both: clear the text box or the file input and import again."}
	case len(files) > 0:
		req.text = ""
		req.uploaded = true
		if problem := readUploads(r.Context(), &req, files); problem != nil {
			return req, problem
		}
	case pasted && len(req.text) > blueprint.MaxDocumentSize:
		size := len(req.text)
		req.text = "" // do not send megabytes back into the page
		return req, documentTooLarge(int64(size))
	case pasted && strings.TrimSpace(req.text)[0] == '{':
		req.document = []byte(req.text)
	case pasted:
		var problem *importProblem
		if req.terraform, problem = readPasted(req.text); problem != nil {
			return req, problem
		}
	default:
		return req, &importProblem{http.StatusUnprocessableEntity,
			"Choose a blueprint document (.json) or Terraform files (.tf, or a .zip of them) to upload, or paste a document's JSON or Terraform into the text box."}
	}
	if len(req.document) > blueprint.MaxDocumentSize {
		return req, documentTooLarge(int64(len(req.document)))
	}
	return req, nil
}

func documentTooLarge(size int64) *importProblem {
	return &importProblem{http.StatusRequestEntityTooLarge, fmt.Sprintf(
		"The document is %.1f MiB; a blueprint document may be at most %d MiB.",
		float64(size)/(1<<20), blueprint.MaxDocumentSize>>20)}
}

// nameDiagnostic checks the blueprint's name the way the store will: it names the blueprint
// in URLs and file names.
func nameDiagnostic(name string) (blueprint.Diagnostic, bool) {
	if name == "" {
		return blueprint.Diagnostic{
			Severity: blueprint.Error, Path: "name", Summary: "the document has no name",
			Detail: `add a "name" to the document, e.g. "name": "aks-platform"; it names the blueprint in the project`,
		}, true
	}
	if err := store.ValidName(name); err != nil {
		return blueprint.Diagnostic{
			Severity: blueprint.Error, Path: "name", Summary: fmt.Sprintf("invalid blueprint name %s", page.QuoteName(name)),
			Detail: "use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit",
		}, true
	}
	return blueprint.Diagnostic{}, false
}

// terraformNameDiagnostic says how to name a blueprint imported from Terraform, which names
// no blueprint itself.
func terraformNameDiagnostic(d blueprint.Diagnostic) blueprint.Diagnostic {
	if d.Summary == "the document has no name" {
		d.Summary = "the blueprint has no name"
		d.Detail = "Terraform files do not name a blueprint: fill in the blueprint name, e.g. aks-platform; it names the blueprint in the project"
	}
	return d
}

// withImportNotes is the version message of an import: the author's, then what the import
// changed on the way (an implied provider made explicit, legacy syntax converted), which
// the version keeps, since the redirect after an import shows the version, not the notes.
// Each change is named once, with how often it happened; the message stays within the
// store's limit.
func withImportNotes(message string, notes blueprint.Diagnostics) string {
	if len(notes) == 0 {
		return message
	}
	counts := map[string]int{}
	var order []string
	for _, n := range notes {
		if counts[n.Summary] == 0 {
			order = append(order, n.Summary)
		}
		counts[n.Summary]++
	}
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = s
		if counts[s] > 1 {
			parts[i] += fmt.Sprintf(" (%d times)", counts[s])
		}
	}
	out := "Imported from Terraform: " + strings.Join(parts, "; ") + "."
	if message != "" {
		out = message + " (" + out + ")"
	}
	if len(out) > store.MaxTextBytes {
		cut := store.MaxTextBytes - len("…")
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut] + "…"
	}
	return out
}
