package blueprints

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

type diffProps struct {
	Layout       page.Layout
	Project      string
	ProjectURL   string
	Name         string
	BlueprintURL string
	FormURL      string
	From, To     int
	Versions     []components.DiffVersion
	// Message replaces the comparison when there is nothing to compare: a blueprint with one
	// version, or the same version on both sides.
	Message string
	// Problem says why a version's Terraform could not be generated.
	Problem string
	Files   []components.FileDiff
	// Replacements are the resources going from From to To replaces.
	Replacements []components.Replacement
}

// showDiff answers GET /projects/{project}/blueprints/{blueprint}/diff?from=N&to=M: the
// generated Terraform of two versions compared file by file, latest-1 against latest by
// default.
func (s *Handlers) showDiff(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	b, err := s.store.Blueprint(ctx, project, name)
	if err != nil {
		return err
	}
	from, to := b.LatestVersion-1, b.LatestVersion
	q := r.URL.Query()
	if v := q.Get("from"); v != "" {
		if from, err = parseVersion(v); err != nil {
			return err
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = parseVersion(v); err != nil {
			return err
		}
	}
	versions, err := s.store.BlueprintVersions(ctx, project, name)
	if err != nil {
		return err
	}

	props := diffProps{
		Layout: s.frame.Layout(fmt.Sprintf("%s: compare versions", b.Name), page.NavProjects,
			page.InProject(project, page.Crumb{Label: b.Name, URL: paths.Blueprint(project, b.Name), TestID: "breadcrumb-blueprint"})...),
		Project:      project,
		ProjectURL:   paths.Project(project),
		Name:         b.Name,
		BlueprintURL: paths.Blueprint(project, b.Name),
		FormURL:      paths.Diff(project, b.Name),
		From:         from,
		To:           to,
	}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		label := "v" + strconv.Itoa(v.Version)
		if v.Message != "" {
			label += ": " + v.Message
		}
		props.Versions = append(props.Versions, components.DiffVersion{Version: v.Version, Label: label})
	}

	if b.LatestVersion < 2 && q.Get("from") == "" && q.Get("to") == "" {
		props.Message = "Only one version so far. Import a changed document to compare versions."
		return s.frame.Render(w, r, http.StatusOK, diffPage(props), "")
	}
	fromV, err := s.store.BlueprintVersion(ctx, project, name, from)
	if err != nil {
		return err
	}
	toV, err := s.store.BlueprintVersion(ctx, project, name, to)
	if err != nil {
		return err
	}
	switch {
	case b.LatestVersion < 2:
		props.Message = "Only one version so far. Import a changed document to compare versions."
	case from == to:
		props.Message = fmt.Sprintf("Both sides are v%d: the versions are the same. Pick two different versions.", from)
	default:
		props.Files, props.Replacements, props.Problem = compareVersions(fromV, toV, s.catalog())
	}
	return s.frame.Render(w, r, http.StatusOK, diffPage(props), "")
}

// compareVersions generates both versions' Terraform and diffs it file by file, and lists
// the resources going from one to the other replaces.
func compareVersions(from, to store.BlueprintVersion, cat *catalog.Catalog) ([]components.FileDiff, []components.Replacement, string) {
	fromBP, fromFiles, err := generate(from.Document)
	if err != nil {
		return nil, nil, fmt.Sprintf("V%d cannot be generated: %v", from.Version, err)
	}
	toBP, toFiles, err := generate(to.Document)
	if err != nil {
		return nil, nil, fmt.Sprintf("V%d cannot be generated: %v", to.Version, err)
	}
	return components.NewFileDiffs(blueprint.DiffFiles(fromFiles, toFiles)),
		components.NewReplacements(blueprint.Replacements(fromBP, toBP, cat)), ""
}
