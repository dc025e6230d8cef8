package deployments

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// stateCompareProps is the page comparing two state versions of a deployment.
type stateCompareProps struct {
	Layout        page.Layout
	Deployment    string
	DeploymentURL string
	Form          compareFormProps
	From, To      stateVersionRef
	// Problem says why nothing is compared; Compared that the diff below is the answer.
	Problem  string
	Compared bool
	Added    int
	Removed  int
	Changed  int
	// Resources are the resource instances added, removed or changed.
	Resources     []resourceChangeView
	MoreResources int
	Outputs       []outputChangeView
	MoreOutputs   int
}

type stateVersionRef struct {
	Version int
	URL     string
}

type resourceChangeView struct {
	Address        string
	Type           string
	Change         string
	Class          string
	Attributes     []attributeChangeView
	MoreAttributes int
}

type attributeChangeView struct {
	Path                    string
	Before, After           string
	BeforeClass, AfterClass string
}

type outputChangeView struct {
	Name                    string
	Change                  string
	Class                   string
	Sensitive               bool
	Before, After           string
	BeforeClass, AfterClass string
}

// compareStateVersions answers GET /projects/{project}/deployments/{id}/state/compare
// ?from=N&to=M: what changed from state version N to M. Without them it compares the
// latest version with the one before.
func (s *Handlers) compareStateVersions(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	p := stateCompareProps{
		Layout:        s.stateLayout(project, d, "Compare state versions of "+deploymentName(d)),
		Deployment:    deploymentName(d),
		DeploymentURL: paths.Deployment(project, d.ID),
	}
	status := http.StatusOK
	render := func() error { return s.frame.Render(w, r, status, stateComparePage(p), "") }
	latest, err := s.store.LatestStateVersion(ctx, d.ID)
	if errors.Is(err, store.ErrNotFound) {
		p.Problem = "This deployment has no state versions to compare."
		return render()
	}
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, to := latest.Version-1, latest.Version
	var bad []string
	if t, ok := versionParam(q.Get("to")); !ok {
		bad = append(bad, "to")
	} else if t > 0 {
		to = t
	}
	if f, ok := versionParam(q.Get("from")); !ok {
		bad = append(bad, "from")
	} else if f > 0 {
		from = f
	} else {
		from = to - 1
	}
	if p.Form, err = s.compareForm(ctx, project, d, from, to); err != nil {
		return err
	}
	switch {
	case len(bad) > 0:
		status, p.Problem = http.StatusUnprocessableEntity, fmt.Sprintf("Choose versions by number (%s).", strings.Join(bad, ", "))
		return render()
	case latest.Version == 1:
		p.Problem = "This deployment has one state version only: there is nothing to compare it with yet."
		return render()
	case from == to:
		status, p.Problem = http.StatusUnprocessableEntity, "Choose two different versions to compare."
		return render()
	}
	versions := [2]store.StateVersion{}
	for i, n := range []int{from, to} {
		v, err := s.store.StateVersion(ctx, d.ID, n)
		if errors.Is(err, store.ErrNotFound) {
			status, p.Problem = http.StatusNotFound, fmt.Sprintf("This deployment has no state version %d: its versions are 1 to %d.", n, latest.Version)
			return render()
		}
		if err != nil {
			return err
		}
		versions[i] = v
	}
	p.From = stateVersionRef{Version: from, URL: paths.DeploymentStateVersion(project, d.ID, from)}
	p.To = stateVersionRef{Version: to, URL: paths.DeploymentStateVersion(project, d.ID, to)}
	var snaps [2]*state.Snapshot
	for i, v := range versions {
		snap, problem, err := s.readState(ctx, project, d, v)
		if err != nil {
			return err
		}
		if problem != "" {
			p.Problem = problem
			return render()
		}
		snaps[i] = snap
	}
	diff := state.Compare(snaps[0], snaps[1])
	p.Compared = true
	p.Added, p.Removed, p.Changed = diff.Counts[state.Added], diff.Counts[state.Removed], diff.Counts[state.Changed]
	p.MoreResources, p.MoreOutputs = diff.MoreResources, diff.MoreOutputs
	for _, c := range diff.Resources {
		rc := resourceChangeView{Address: c.Address, Type: c.Type, Change: string(c.Change), Class: changeClass(c.Change), MoreAttributes: c.MoreAttributes}
		for _, a := range c.Attributes {
			rc.Attributes = append(rc.Attributes, attributeChangeView{Path: a.Path,
				Before: valueText(a.Before), After: valueText(a.After), BeforeClass: valueClass(a.Before), AfterClass: valueClass(a.After)})
		}
		p.Resources = append(p.Resources, rc)
	}
	for _, o := range diff.Outputs {
		p.Outputs = append(p.Outputs, outputChangeView{Name: o.Name, Change: string(o.Change), Class: changeClass(o.Change), Sensitive: o.Sensitive,
			Before: valueText(o.Before), After: valueText(o.After), BeforeClass: valueClass(o.Before), AfterClass: valueClass(o.After)})
	}
	return render()
}

// versionParam reads a version number of the query: 0 when empty, ok false when it is not
// a positive number.
func versionParam(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if len(s) > 10 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s, "v"))
	return n, err == nil && n > 0
}

func countText(n int, one, many string) string {
	return strconv.Itoa(n) + " " + page.Plural(n, one, many)
}
