package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
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
	// Text is the pasted document, kept so a refused import loses nothing. An uploaded file
	// is not copied back: the user still has it.
	Text        string
	Message     string
	Error       string
	Diagnostics []components.Diagnostic
}

// importRequest is what the import form sent.
type importRequest struct {
	document []byte
	text     string // the pasted document, if that is how it came
	message  string
}

// importProblem is an import refused for a reason the user can fix.
type importProblem struct {
	status int
	msg    string
}

// importBlueprint answers POST /projects/{project}/blueprints: it reads a blueprint document
// (an uploaded file or pasted text), refuses it with 413 or 422 when it is too large, does not
// parse or has validation errors, and otherwise stores it as a new blueprint or, when the
// project has a blueprint of that name, as its next version.
func (s *server) importBlueprint(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	if _, err := s.store.Project(ctx, project); err != nil {
		return err
	}
	form := importFormProps{Action: blueprintsPath(project)}
	refuse := func(status int, msg string) error {
		form.Error = msg
		return s.renderProject(w, r, status, project, form, importFormFragment)
	}

	req, problem := readImport(w, r)
	form.Text, form.Message = req.text, req.message
	if problem != nil {
		return refuse(problem.status, problem.msg)
	}
	b, err := blueprint.ParseDocument(req.document)
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, capitalize(err.Error()))
	}
	diags := blueprint.Validate(b, s.catalog())
	if d, ok := nameDiagnostic(b.Name); ok && !diags.At("name").HasErrors() {
		diags = append(diags, d)
	}
	if diags.HasErrors() {
		diags.Sort()
		form.Diagnostics = diagnosticViews(diags)
		n := len(diags.Errors())
		return refuse(http.StatusUnprocessableEntity, fmt.Sprintf(
			"The blueprint %s has %d %s. Nothing was imported: fix the document and import it again.",
			quoteName(b.Name), n, plural(n, "error", "errors")))
	}

	// The stored document is the canonical encoding, so the same blueprint imported with
	// different whitespace is recognised as unchanged rather than a new version.
	doc, err := b.MarshalDocument()
	if err != nil {
		return err
	}
	_, v, err := s.store.CreateBlueprint(ctx, project, b.Name, b.Description, doc, req.message)
	if errors.Is(err, store.ErrConflict) {
		v, err = s.store.AddBlueprintVersion(ctx, project, b.Name, doc, req.message)
	}
	switch {
	case errors.Is(err, store.ErrTooLarge), errors.Is(err, store.ErrInvalidName):
		return refuse(http.StatusUnprocessableEntity, capitalize(err.Error()))
	case err != nil:
		return err
	}
	s.logger.Info("blueprint imported", "project", project, "blueprint", b.Name, "version", v.Version)
	redirect(w, r, blueprintVersionPath(project, b.Name, v.Version))
	return nil
}

// readImport reads the form, holding the body to maxImportBytes and the document to
// blueprint.MaxDocumentSize. The form may be multipart (a file, or text from a browser form
// with a file input) or urlencoded (pasted text only).
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
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBytes)

	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		// The body is already capped, so the whole form may stay in memory.
		err = r.ParseMultipartForm(maxImportBytes)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
	} else {
		err = r.ParseForm()
	}
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return req, tooLarge
	case err != nil:
		return req, &importProblem{http.StatusBadRequest, "The form could not be read: it is not a valid form submission."}
	}

	req.message = strings.TrimSpace(r.PostFormValue("message"))
	req.text = r.PostFormValue("document_text")
	if len(req.message) > store.MaxTextBytes {
		return req, &importProblem{http.StatusUnprocessableEntity, fmt.Sprintf(
			"The version message is %d bytes; keep it under %d.", len(req.message), store.MaxTextBytes)}
	}

	var file []byte
	if r.MultipartForm != nil && len(r.MultipartForm.File["document"]) > 0 {
		fh := r.MultipartForm.File["document"][0]
		if fh.Size > blueprint.MaxDocumentSize {
			return req, documentTooLarge(fh.Size)
		}
		f, err := fh.Open()
		if err == nil {
			file, err = io.ReadAll(io.LimitReader(f, blueprint.MaxDocumentSize+1))
			f.Close()
		}
		if err != nil {
			return req, &importProblem{http.StatusBadRequest, "The uploaded file could not be read. Try again."}
		}
	}
	pasted := strings.TrimSpace(req.text) != ""
	switch {
	case len(file) > 0 && pasted:
		return req, &importProblem{http.StatusUnprocessableEntity,
			"Choose a file or paste a document, not both: clear the text box or the file and import again."}
	case len(file) > 0:
		req.document = file
		req.text = ""
	case pasted:
		req.document = []byte(req.text)
	default:
		return req, &importProblem{http.StatusUnprocessableEntity,
			"Choose a blueprint document (.json) to upload, or paste its JSON into the text box."}
	}
	if len(req.document) > blueprint.MaxDocumentSize {
		req.text = "" // do not send megabytes back into the page
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
			Severity: blueprint.Error, Path: "name", Summary: fmt.Sprintf("invalid blueprint name %s", quoteName(name)),
			Detail: "use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit",
		}, true
	}
	return blueprint.Diagnostic{}, false
}

func diagnosticViews(ds blueprint.Diagnostics) []components.Diagnostic {
	out := make([]components.Diagnostic, len(ds))
	for i, d := range ds {
		out[i] = components.Diagnostic{Severity: string(d.Severity), Path: d.Path, Summary: d.Summary, Detail: d.Detail}
	}
	return out
}

// quoteName quotes a name from a document for a message, cutting a hostile one short.
func quoteName(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
