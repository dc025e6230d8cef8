package blueprints

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// downloadZip answers GET .../versions/{version}/terraform.zip: the version's generated
// Terraform with a README, as a deterministic zip.
func (s *Handlers) downloadZip(w http.ResponseWriter, r *http.Request) error {
	v, name, err := s.versionOf(r)
	if err != nil {
		return err
	}
	_, files, err := generate(v.Document)
	if err != nil {
		s.frame.ErrorPage(w, r, http.StatusUnprocessableEntity, page.ErrorProps{
			Title:   "This version cannot be generated",
			Message: page.Capitalize(err.Error()),
		})
		return nil
	}
	var buf bytes.Buffer
	if err := blueprint.WriteZip(&buf, files); err != nil {
		return err
	}
	page.Attach(w, "application/zip", fmt.Sprintf("%s-v%d.zip", name, v.Version), buf.Bytes())
	return nil
}

// downloadDocument answers GET .../versions/{version}/blueprint.json: the stored document.
func (s *Handlers) downloadDocument(w http.ResponseWriter, r *http.Request) error {
	v, name, err := s.versionOf(r)
	if err != nil {
		return err
	}
	page.Attach(w, "application/json", fmt.Sprintf("%s-v%d.json", name, v.Version), v.Document)
	return nil
}

// versionOf reads the blueprint version a download URL names.
func (s *Handlers) versionOf(r *http.Request) (store.BlueprintVersion, string, error) {
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	n, err := parseVersion(r.PathValue("version"))
	if err != nil {
		return store.BlueprintVersion{}, "", err
	}
	v, err := s.store.BlueprintVersion(r.Context(), project, name, n)
	return v, name, err
}
