package blueprints

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// shaPrefix is how many hex digits of a version's SHA-256 the page shows, like a short git
// commit id.
const shaPrefix = 12

type blueprintProps struct {
	Layout        page.Layout
	Project       string
	ProjectURL    string
	Name          string
	Description   string
	Version       int
	LatestVersion int
	Versions      []versionRow
	Diagnostics   []components.Diagnostic
	Files         []components.File
	// Problem says why no files are shown: the stored document no longer parses or
	// generates (it was written by another CloudOven build).
	Problem     string
	ZipURL      string
	DocumentURL string
	// UpgradeItems counts what an upgrade import held back and is not fixed yet; the page
	// links the report at UpgradeURL while there are any.
	UpgradeItems int
	UpgradeURL   string
}

func (p blueprintProps) Latest() bool { return p.Version == p.LatestVersion }

type versionRow struct {
	Version int
	URL     string
	Created components.Time
	Message string
	SHA     string
	Current bool
}

// showBlueprint answers GET /projects/{project}/blueprints/{blueprint}?version=N: the version
// history, and for one version (the latest by default) its diagnostics and generated files.
func (s *Handlers) showBlueprint(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	b, err := s.store.Blueprint(ctx, project, name)
	if err != nil {
		return err
	}
	version := b.LatestVersion
	if q := r.URL.Query().Get("version"); q != "" {
		if version, err = parseVersion(q); err != nil {
			return err
		}
	}
	v, err := s.store.BlueprintVersion(ctx, project, name, version)
	if err != nil {
		return err
	}
	versions, err := s.store.BlueprintVersions(ctx, project, name)
	if err != nil {
		return err
	}

	props := blueprintProps{
		Layout:        s.frame.Layout(fmt.Sprintf("%s v%d", b.Name, v.Version), page.NavProjects, page.InProject(project)...),
		Project:       project,
		ProjectURL:    paths.Project(project),
		Name:          b.Name,
		Description:   b.Description,
		Version:       v.Version,
		LatestVersion: b.LatestVersion,
		ZipURL:        paths.VersionZip(project, b.Name, v.Version),
		DocumentURL:   paths.VersionDocument(project, b.Name, v.Version),
	}
	for _, bv := range versions {
		props.Versions = append(props.Versions, versionRow{
			Version: bv.Version,
			URL:     paths.BlueprintVersion(project, b.Name, bv.Version),
			Created: components.NewTime(bv.CreatedAt),
			Message: bv.Message,
			SHA:     bv.SHA256[:min(shaPrefix, len(bv.SHA256))],
			Current: bv.Version == v.Version,
		})
	}
	if err := s.upgradeLink(ctx, project, b.Name, &props); err != nil {
		return err
	}
	bp, files, err := generate(v.Document)
	if err != nil {
		props.Problem = page.Capitalize(err.Error())
	} else {
		props.Description = bp.Description
		providers, err := s.disallowedProviders(r.Context(), project, bp)
		if err != nil {
			return err
		}
		diags := append(blueprint.Validate(bp, s.catalog()), providers...)
		diags.Sort()
		props.Diagnostics = components.Diagnostics(diags)
		for _, f := range files {
			props.Files = append(props.Files, components.NewFile(f.Name, f.Content))
		}
	}
	return s.frame.Render(w, r, http.StatusOK, blueprintPage(props), "")
}

// generate turns a stored document back into its blueprint and Terraform files. Imports
// validate documents, so an error here means the document came from another CloudOven build.
func generate(doc []byte) (*blueprint.Blueprint, []blueprint.File, error) {
	b, err := blueprint.ParseDocument(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the stored document: %w", err)
	}
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		return nil, nil, err
	}
	return b, files, nil
}

// parseVersion reads a version number from a URL; anything else names no page.
func parseVersion(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, page.ErrNotFound
	}
	return n, nil
}
