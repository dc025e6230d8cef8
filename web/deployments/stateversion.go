package deployments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// StateReader reads a stored state version back from CloudOven's state store; *state.Reader
// has it. Its Snapshot never shows a sensitive value.
type StateReader interface {
	Read(ctx context.Context, v store.StateVersion) (*state.Snapshot, error)
}

// SecretValues gives an environment's secret values; *secrets.Vault has it. The state
// pages conceal them: they reach terraform as variables a blueprint need not mark
// sensitive, so the state may hold them unmarked.
type SecretValues interface {
	Values(ctx context.Context, project, environment string) (map[string]string, error)
}

// WithSecrets gives the state version pages the environments' secret values to conceal;
// without them (nil), only what terraform marked sensitive is.
func (s *Handlers) WithSecrets(v SecretValues) *Handlers {
	s.secrets = v
	return s
}

// WithStates gives the state version pages the reader of the state files; without one
// (nil), they show what the store recorded of each version and say the file is not read.
func (s *Handlers) WithStates(r StateReader) *Handlers {
	s.states = r
	return s
}

// compareChoices bounds the versions the compare form offers: the newest ones.
const compareChoices = 200

// stateVersionProps is the page of one state version: what the store recorded of it and,
// read from its state file, its outputs and resources.
type stateVersionProps struct {
	Layout           page.Layout
	Deployment       string
	DeploymentURL    string
	Version          int
	Serial           int64
	Lineage          string
	SHA256           string
	Size             string
	Resources        int
	RunID            string
	RunURL           string
	Created          components.Time
	TerraformVersion string
	// PreviousURL compares the version with the one before it; "" for the first.
	PreviousURL string
	Compare     compareFormProps
	// Problem says why the state file was not read; the rest of the page still shows.
	Problem       string
	Read          bool
	Outputs       []outputView
	MoreOutputs   int
	ResourceRows  []resourceView
	MoreResources int
}

type outputView struct {
	Name      string
	Type      string
	Sensitive bool
	// Value is the value as shown: pretty JSON, or what stands for a hidden one.
	Value string
	// Hidden says Value stands for a sensitive value; Copy that it holds one without being
	// marked sensitive itself.
	Hidden bool
	Copy   bool
	// Cut says how much of a long value is shown: "first 4000 of 9120 characters".
	Cut string
}

type resourceView struct {
	Address   string
	Type      string
	Mode      string
	Provider  string
	Instances int
	Each      string
}

// compareFormProps is the form that picks two state versions to compare.
type compareFormProps struct {
	Action   string
	From, To int
	Versions []compareChoice // newest first
	More     int             // older versions the form does not offer
}

type compareChoice struct {
	Version int
	Label   string
}

// versionOf reads the version number a URL names.
func versionOf(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		return 0, page.ErrNotFound
	}
	return n, nil
}

// showStateVersion answers GET /projects/{project}/deployments/{id}/state/{version}.
func (s *Handlers) showStateVersion(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	n, err := versionOf(r)
	if err != nil {
		return err
	}
	v, err := s.store.StateVersion(ctx, d.ID, n)
	if err != nil {
		return err
	}
	p := stateVersionProps{
		Layout:        s.stateLayout(project, d, fmt.Sprintf("State version %d of %s", v.Version, deploymentName(d))),
		Deployment:    deploymentName(d),
		DeploymentURL: paths.Deployment(project, d.ID),
		Version:       v.Version,
		Serial:        v.Serial,
		Lineage:       v.Lineage,
		SHA256:        v.SHA256,
		Size:          page.ByteSize(v.Size),
		Resources:     v.Resources,
		RunID:         v.RunID,
		Created:       components.NewTime(v.CreatedAt),
	}
	if v.RunID != "" {
		p.RunURL = paths.Run(project, v.RunID)
	}
	if v.Version > 1 {
		p.PreviousURL = paths.DeploymentStateCompare(project, d.ID, v.Version-1, v.Version)
	}
	if p.Compare, err = s.compareForm(ctx, project, d, max(v.Version-1, 1), v.Version); err != nil {
		return err
	}
	snap, problem, err := s.readState(ctx, project, d, v)
	if err != nil {
		return err
	}
	p.Problem = problem
	if snap != nil {
		p.Read, p.TerraformVersion = true, snap.TerraformVersion
		outs, more := snap.Outputs()
		p.MoreOutputs = more
		for _, o := range outs {
			p.Outputs = append(p.Outputs, newOutputView(o))
		}
		rs, more := snap.Resources()
		p.MoreResources = more
		for _, r := range rs {
			p.ResourceRows = append(p.ResourceRows, resourceView{Address: r.Address, Type: r.Type, Mode: r.Mode,
				Provider: r.Provider, Instances: r.Instances, Each: r.Each})
		}
	}
	return s.frame.Render(w, r, http.StatusOK, stateVersionPage(p), "")
}

func newOutputView(o state.Output) outputView {
	v := outputView{Name: o.Name, Type: o.Type, Sensitive: o.Sensitive}
	switch {
	case o.Value.Sensitive:
		v.Hidden, v.Copy, v.Value = true, o.Value.SensitiveCopy, "sensitive"
	default:
		v.Value = o.Value.Text
		if o.Value.Length > 0 {
			v.Cut = fmt.Sprintf("first %d of %d characters", state.OutputRunes, o.Value.Length)
		}
	}
	return v
}

// readState reads a version's state file for its page. A file that cannot be read, or is
// not to be read, is a problem the page states (the rest of it still shows); only a
// canceled request is an error.
func (s *Handlers) readState(ctx context.Context, project string, d store.Deployment, v store.StateVersion) (*state.Snapshot, string, error) {
	if s.states == nil {
		return nil, "CloudOven's state store is not configured on this server, so the state file of this version is not read: its outputs and resources are not shown.", nil
	}
	snap, err := s.states.Read(ctx, v)
	switch {
	case err == nil:
		return s.conceal(ctx, project, d, snap)
	case ctx.Err() != nil:
		return nil, "", ctx.Err()
	case errors.Is(err, state.ErrTooLarge):
		return nil, page.Capitalize(err.Error()) + ". Its outputs and resources are not shown.", nil
	case errors.Is(err, state.ErrNotFound):
		s.logger.Warn("state version blob missing", "deployment", d.ID, "version", v.Version, "err", err)
		return nil, fmt.Sprintf("The state file of version %d is missing from CloudOven's state store, so its outputs and resources are not shown. What was recorded when it was written is above.", v.Version), nil
	case errors.Is(err, state.ErrCorrupt):
		s.logger.Warn("state version blob unreadable", "deployment", d.ID, "version", v.Version, "err", err)
		return nil, page.Capitalize(err.Error()) + ".", nil
	}
	s.logger.Error("reading a state version", "deployment", d.ID, "version", v.Version, "err", err)
	return nil, fmt.Sprintf("The state file of version %d could not be read from CloudOven's state store (the error is in the server's log); its outputs and resources are not shown.", v.Version), nil
}

// conceal masks the secret values of the deployment's environment in snap. When they
// cannot be read, the state is not shown: it may hold them.
func (s *Handlers) conceal(ctx context.Context, project string, d store.Deployment, snap *state.Snapshot) (*state.Snapshot, string, error) {
	if s.secrets == nil {
		return snap, "", nil
	}
	values, err := s.secrets.Values(ctx, project, d.Environment)
	if ctx.Err() != nil {
		return nil, "", ctx.Err()
	}
	if err != nil {
		s.logger.Error("reading secrets to conceal them in a state", "deployment", d.ID, "err", err)
		return nil, fmt.Sprintf("The secrets of environment %s could not be read (the error is in the server's log), so this state, which may hold them, is not shown.", d.Environment), nil
	}
	for _, v := range values {
		snap.Conceal(v)
	}
	return snap, "", nil
}

func (s *Handlers) stateLayout(project string, d store.Deployment, title string) page.Layout {
	return s.frame.Layout(title, page.NavProjects,
		page.InProject(project,
			page.Crumb{Label: "Deployments", URL: paths.Deployments(project), TestID: "breadcrumb-deployments"},
			page.Crumb{Label: deploymentName(d), URL: paths.Deployment(project, d.ID), TestID: "breadcrumb-deployment"})...)
}

// compareForm offers the deployment's newest versions, from and to chosen.
func (s *Handlers) compareForm(ctx context.Context, project string, d store.Deployment, from, to int) (compareFormProps, error) {
	f := compareFormProps{Action: paths.DeploymentStateCompareForm(project, d.ID), From: from, To: to}
	vs, err := s.store.StateVersions(ctx, d.ID, compareChoices+1)
	if err != nil {
		return f, err
	}
	if len(vs) > compareChoices {
		latest := vs[0].Version
		vs = vs[:compareChoices]
		f.More = latest - compareChoices
	}
	for _, v := range vs {
		f.Versions = append(f.Versions, compareChoice{Version: v.Version,
			Label: fmt.Sprintf("v%d · serial %d · %s", v.Version, v.Serial, v.CreatedAt.UTC().Format("2006-01-02 15:04"))})
	}
	return f, nil
}

// valueText is a value as a diff shows it, with the length of one that was cut.
func valueText(v state.Value) string {
	if v.Length > 0 {
		return fmt.Sprintf("%s… (%d characters)", v.Text, v.Length)
	}
	return v.String()
}

func valueClass(v state.Value) string {
	switch {
	case v.Sensitive:
		return "plan-value value-sensitive"
	case v.Absent:
		return "plan-value value-unknown"
	}
	return "plan-value"
}

// changeClass is the badge class of a change, in the colours of a plan's actions.
func changeClass(c state.Change) string {
	switch c {
	case state.Added:
		return "badge action-create"
	case state.Removed:
		return "badge action-destroy"
	}
	return "badge action-update"
}

func eachText(r resourceView) string {
	switch r.Each {
	case "count":
		return "count"
	case "for_each":
		return "for_each"
	}
	return ""
}

func modeText(mode string) string {
	if mode == "data" {
		return "data source"
	}
	return strings.TrimSpace(mode)
}

// typeText writes a type terraform wrote as JSON as a configuration does: "string" reads
// string, ["list","string"] list(string); objects and tuples read object and tuple, their
// attributes left to the title.
func typeText(typeJSON string) string {
	var t any
	if json.Unmarshal([]byte(typeJSON), &t) != nil {
		return typeJSON
	}
	return typeName(t, 0)
}

func typeName(t any, depth int) string {
	switch c := t.(type) {
	case string:
		return c
	case []any:
		if len(c) == 0 {
			break
		}
		kind, _ := c[0].(string)
		switch kind {
		case "list", "set", "map":
			if len(c) == 2 && depth < 8 {
				return kind + "(" + typeName(c[1], depth+1) + ")"
			}
		}
		return kind
	}
	return "?"
}
