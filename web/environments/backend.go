package environments

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Field names of the backend form.
const (
	settingField         = "set." // set.NAME: a backend setting as typed
	authModeField        = "auth_mode"
	createContainerField = "create_state_container"
)

type envBackendProps struct {
	Action  string
	FormURL string
	Types   []string // "" is no backend
	Type    string
	// StateAddress is where an http backend without an address keeps the state: CloudOven's
	// backend, as runs reach it (a deployment's id ends it); empty when runs are not
	// configured.
	StateAddress string
	// Settings are the type's settings, without the azurerm flags the auth mode sets.
	Settings    []envSettingField
	AuthModes   []envAuthMode
	Credentials []envCredential
	// CreateContainer is the runner setting CreateStateContainer, which the backend form
	// edits because only an azurerm backend has it (ShowCreateContainer).
	ShowCreateContainer   bool
	CreateContainer       bool
	CreateContainerErrors []components.Diagnostic
	Diagnostics           []components.Diagnostic
	// State says who keeps the state of the environment's deployments with this backend.
	State   envStateHint
	Saved   bool
	Problem string
	Open    bool
	Summary envSummary
}

// envStateHint is who keeps the state with a backend: deployment.Keeper, and a sentence.
type envStateHint struct {
	Keeper string
	Text   string
}

// stateHint says who keeps the state of env's deployments with the backend be.
func stateHint(env string, be blueprint.Backend) envStateHint {
	k := deployment.StateKeepingOf(&blueprint.Environment{Name: env, Backend: be})
	h := envStateHint{Keeper: string(k.Keeper)}
	switch k.Keeper {
	case deployment.KeptByCloudOven:
		h.Text = "CloudOven's own backend keeps every state a run writes, as numbered versions on each deployment's page."
	case deployment.KeptByBackend:
		h.Text = fmt.Sprintf("The %s backend keeps the state, outside CloudOven", k.Backend)
		if k.Where != "" {
			h.Text += " (" + k.Where + ")"
		}
		h.Text += ": CloudOven keeps no copy of it."
	case deployment.KeptNowhere:
		h.Text = "Runs are refused with this backend: Terraform would write the state into the run's workspace, which is removed when the run ends, " +
			"so the next plan would create everything again. Use it only for the downloaded files."
	}
	return h
}

type envSettingField struct {
	Name     string
	Kind     string // blueprint.SettingString, SettingBool or SettingNumber
	Value    string
	Required bool
	// StateKey says a deployment fills it when it is left empty.
	StateKey bool
	Problem  string
	Errors   []components.Diagnostic
}

func (f envSettingField) ID() string { return "backend-" + f.Name }

type envAuthMode struct {
	Name     string
	Label    string
	Hint     string
	Selected bool
	Secrets  []envSecretHint
}

// envSecretHint is a secret the environment should have, and whether it has it.
type envSecretHint struct {
	Name string
	Set  bool
}

// envCredential is a backend credential that must be a secret, never a setting.
type envCredential struct {
	Setting string
	EnvVar  string
	Set     bool
}

// envBackend builds the backend section for typ: the stored settings when typ is the stored
// type, otherwise an empty form for the new type. typed, when given, is the posted form.
func (s *Handlers) envBackend(es *envSession, typ string, typed url.Values) envBackendProps {
	props := envBackendProps{
		Action:  paths.EnvBackend(es.project, es.stored.Name),
		FormURL: paths.Environment(es.project, es.stored.Name),
		Types:   append([]string{""}, blueprint.BackendTypes()...),
		Type:    typ,
		Summary: backendSummary(es),
	}
	if s.stateURL != "" {
		props.StateAddress = strings.TrimRight(s.stateURL, "/") + state.PathPrefix + es.project + "/<deployment id>"
	}
	if typ != "" && !slices.Contains(props.Types, typ) {
		props.Problem = fmt.Sprintf("CloudOven has no backend type %s; choose one of %s.", page.QuoteName(typ), strings.Join(blueprint.BackendTypes(), ", "))
		props.Type = ""
		return props
	}
	var config map[string]any
	if typ == es.env.Backend.Type {
		config = es.env.Backend.Config
	}
	props.State = stateHint(es.stored.Name, blueprint.Backend{Type: typ, Config: config})
	names := es.secretNames()
	has := map[string]bool{}
	for _, n := range names {
		has[n] = true
	}
	for _, st := range blueprint.BackendSettings(typ) {
		if typ == "azurerm" && (st.Name == "use_azuread_auth" || st.Name == "use_msi") {
			continue
		}
		f := envSettingField{Name: st.Name, Kind: st.Kind, Required: st.Required && !st.StateKey, StateKey: st.StateKey}
		if v, ok := config[st.Name]; ok {
			f.Value = settingText(v)
		}
		if typed != nil {
			f.Value = typed.Get(settingField + st.Name)
		}
		props.Settings = append(props.Settings, f)
	}
	if typ == "azurerm" {
		mode := blueprint.AzureAuthModeOf(config, names)
		if config == nil {
			mode = "azuread"
		}
		if typed != nil {
			mode = typed.Get(authModeField)
		}
		for _, m := range blueprint.AzureAuthModes() {
			am := envAuthMode{Name: m.Name, Label: m.Label, Hint: m.Hint, Selected: m.Name == mode}
			for _, sec := range m.Secrets {
				am.Secrets = append(am.Secrets, envSecretHint{Name: sec, Set: has[sec]})
			}
			props.AuthModes = append(props.AuthModes, am)
		}
		props.ShowCreateContainer = true
		props.CreateContainer = typ == es.env.Backend.Type && es.env.Runner.CreateStateContainer
		if typed != nil {
			props.CreateContainer = typed.Get(createContainerField) != ""
		}
	}
	for _, c := range blueprint.BackendSecrets(typ) {
		props.Credentials = append(props.Credentials, envCredential{Setting: c.Setting, EnvVar: c.EnvVar, Set: has[c.EnvVar]})
	}
	if typed == nil && typ == es.env.Backend.Type {
		props.setDiagnostics(backendDiagnostics(es))
	}
	return props
}

// backendDiagnostics checks the stored backend on its own: every deployment fills the key.
// The runner's create_state_container belongs with it, since the backend form sets it.
func backendDiagnostics(es *envSession) blueprint.Diagnostics {
	ds := blueprint.ValidateEnvironment(&blueprint.Blueprint{}, es.withSecretNames(), envPlaceholderKey, "")
	return append(ds.At("backend"), ds.At(createContainerPath)...)
}

const createContainerPath = "runner." + createContainerField

func (p *envBackendProps) setDiagnostics(ds blueprint.Diagnostics) {
	by, general := fieldDiagnostics(ds, func(path string) string {
		if path == createContainerPath && p.ShowCreateContainer {
			return createContainerField
		}
		name, _ := strings.CutPrefix(path, "backend.config.")
		for _, f := range p.Settings {
			if f.Name == name {
				return name
			}
		}
		return ""
	})
	for i := range p.Settings {
		p.Settings[i].Errors = by[p.Settings[i].Name]
	}
	p.CreateContainerErrors = by[createContainerField]
	p.Diagnostics = general
}

// settingText is a stored setting as its input shows it.
func settingText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	}
	return fmt.Sprint(v)
}

// saveEnvBackend answers POST .../environments/{environment}/backend: the backend type and its
// settings. Settings that cannot be read (a number that is not one) are shown and nothing is
// saved; otherwise the backend is saved and its problems (a missing required setting) shown.
func (s *Handlers) saveEnvBackend(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	parseErr := page.ParseForm(w, r, maxEnvFormBytes)
	es, err := s.openEnvironment(ctx, r.PathValue("project"), r.PathValue("environment"))
	if err != nil {
		return err
	}
	if parseErr != nil {
		props := s.envBackend(es, es.env.Backend.Type, nil)
		props.Problem = page.FormRefusal(parseErr) + " Nothing was saved."
		return s.renderEnvSection(w, r, page.FormStatus(parseErr), es, envBackendFragment, func(p *envPageProps) { p.Backend = props })
	}
	form := r.PostForm
	typ := strings.TrimSpace(form.Get("backend_type"))
	props := s.envBackend(es, typ, form)
	refuse := func(problem string) error {
		props.Problem = problem
		return s.renderEnvSection(w, r, http.StatusUnprocessableEntity, es, envBackendFragment, func(p *envPageProps) { p.Backend = props })
	}
	if props.Problem != "" {
		return refuse(props.Problem + " Nothing was saved.")
	}
	be := blueprint.Backend{Type: props.Type}
	if be.Type != "" {
		be.Config = map[string]any{}
	}
	bad := false
	for i := range props.Settings {
		f := &props.Settings[i]
		v, ok, problem := parseSetting(form.Get(settingField+f.Name), f.Kind)
		switch {
		case problem != "":
			f.Problem, bad = problem, true
		case ok:
			be.Config[f.Name] = v
		}
	}
	if be.Type == "azurerm" {
		mode, ok := blueprint.AzureAuthModeNamed(form.Get(authModeField))
		if !ok {
			return refuse("Choose how the backend authenticates to the storage account. Nothing was saved.")
		}
		mode.Apply(be.Config)
	}
	if bad {
		return refuse("Some settings could not be read; nothing was saved. Fix the fields marked below.")
	}
	if len(be.Config) == 0 {
		be.Config = nil
	}
	es.env.Backend = be
	es.env.Runner.CreateStateContainer = props.ShowCreateContainer && props.CreateContainer
	if err := s.saveEnvironment(ctx, es); err != nil {
		if errors.Is(err, store.ErrTooLarge) {
			return refuse("The environment would be larger than CloudOven stores; nothing was saved.")
		}
		return err
	}
	s.logger.Info("environment backend saved", "project", es.project, "environment", es.stored.Name, "backend", be.Type)
	if !page.IsHTMX(r) {
		http.Redirect(w, r, paths.Environment(es.project, es.stored.Name)+"#backend-heading", http.StatusSeeOther)
		return nil
	}
	saved := s.envBackend(es, be.Type, nil)
	saved.Saved = true
	return s.renderEnvSection(w, r, http.StatusOK, es, envBackendFragment, func(p *envPageProps) { p.Backend = saved })
}

// parseSetting reads a typed backend setting: ok false means it was left empty.
func parseSetting(text, kind string) (any, bool, string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, false, ""
	}
	switch kind {
	case blueprint.SettingBool:
		switch text {
		case "true":
			return true, true, ""
		case "false":
			return false, true, ""
		}
		return nil, false, "Choose true or false."
	case blueprint.SettingNumber:
		if _, _, err := big.ParseFloat(text, 10, 64, big.ToNearestEven); err != nil || strings.ContainsAny(text, "_xXpP") {
			return nil, false, fmt.Sprintf("%s is not a number. Write a number like 5.", page.QuoteName(text))
		}
		return json.Number(text), true, ""
	}
	return text, true, ""
}

// Runner settings.

type envRunnerProps struct {
	Action            string
	Image             string
	TerraformVersion  string
	NetworkModes      []string
	NetworkMode       string
	EgressModes       []string
	Egress            string
	EgressHosts       string // one a line
	AllowedRegistries string // one a line
	PolicyBlocking    bool
	DefaultVersion    string
	Errors            map[string][]components.Diagnostic
	Diagnostics       []components.Diagnostic
	Saved             bool
	Problem           string
	Open              bool
	Summary           envSummary
}

// envRunnerView builds the runner section from r, the stored settings when nil; those come
// with their warnings (an empty allow-list), which do not keep them from being saved.
func envRunnerView(es *envSession, r *blueprint.RunnerSettings) envRunnerProps {
	rs := es.env.Runner
	var warnings blueprint.Diagnostics
	if r != nil {
		rs = *r
	} else {
		env := *es.env
		env.Runner.CreateStateContainer = false
		for _, d := range blueprint.ValidateEnvironment(&blueprint.Blueprint{}, &env, envPlaceholderKey, "").At("runner") {
			if d.Severity == blueprint.Warning {
				warnings = append(warnings, d)
			}
		}
	}
	props := envRunnerProps{
		Action:            paths.EnvRunner(es.project, es.stored.Name),
		Image:             rs.Image,
		TerraformVersion:  rs.TerraformVersion,
		NetworkModes:      blueprint.NetworkModes(),
		NetworkMode:       rs.NetworkMode,
		EgressModes:       blueprint.EgressModes(),
		Egress:            rs.Egress,
		EgressHosts:       strings.Join(rs.EgressHosts, "\n"),
		AllowedRegistries: strings.Join(rs.AllowedRegistries, "\n"),
		PolicyBlocking:    rs.PolicyBlocking,
		DefaultVersion:    blueprint.DefaultTerraformVersion,
		Summary:           runnerSummary(es.env.Runner),
	}
	if len(warnings) > 0 {
		props.Errors, props.Diagnostics = fieldDiagnostics(warnings, runnerField)
	}
	return props
}

// saveEnvRunner answers POST .../environments/{environment}/runner. Invalid settings are
// refused with each problem next to its field; nothing typed is lost.
func (s *Handlers) saveEnvRunner(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	parseErr := page.ParseForm(w, r, maxEnvFormBytes)
	es, err := s.openEnvironment(ctx, r.PathValue("project"), r.PathValue("environment"))
	if err != nil {
		return err
	}
	if parseErr != nil {
		props := envRunnerView(es, nil)
		props.Problem = page.FormRefusal(parseErr) + " Nothing was saved."
		return s.renderEnvSection(w, r, page.FormStatus(parseErr), es, envRunnerFragment, func(p *envPageProps) { p.Runner = props })
	}
	form := r.PostForm
	rs := blueprint.RunnerSettings{
		Image:            strings.TrimSpace(form.Get("image")),
		TerraformVersion: strings.TrimSpace(form.Get("terraform_version")),
		NetworkMode:      strings.TrimSpace(form.Get("network_mode")),
		PolicyBlocking:   form.Get("policy_blocking") != "",
		// The backend form sets it.
		CreateStateContainer: es.env.Runner.CreateStateContainer,
		// A post without them keeps them: a form that predates them must not open egress.
		Egress:            es.env.Runner.Egress,
		EgressHosts:       es.env.Runner.EgressHosts,
		AllowedRegistries: formLines(form.Get("allowed_registries")),
	}
	if m := strings.TrimSpace(form.Get("egress")); m != "" {
		rs.Egress = m
	}
	if form.Has("egress_hosts") {
		rs.EgressHosts = formLines(form.Get("egress_hosts"))
	}
	if rs.TerraformVersion == "" {
		rs.TerraformVersion = blueprint.DefaultTerraformVersion
	}
	if rs.NetworkMode == "" {
		rs.NetworkMode = blueprint.DefaultNetworkMode
	}
	props := envRunnerView(es, &rs)
	props.AllowedRegistries = form.Get("allowed_registries")
	if form.Has("egress_hosts") {
		props.EgressHosts = form.Get("egress_hosts")
	}
	env := *es.env
	env.Runner = rs
	// The backend form shows create_state_container's problems; they must not block these.
	env.Runner.CreateStateContainer = false
	diags := blueprint.ValidateEnvironment(&blueprint.Blueprint{}, &env, envPlaceholderKey, "").At("runner")
	if diags.HasErrors() {
		props.Errors, props.Diagnostics = fieldDiagnostics(diags, runnerField)
		props.Problem = "The runner settings have problems; nothing was saved. Fix the fields marked below."
		return s.renderEnvSection(w, r, http.StatusUnprocessableEntity, es, envRunnerFragment, func(p *envPageProps) { p.Runner = props })
	}
	es.env.Runner = rs
	if err := s.saveEnvironment(ctx, es); err != nil {
		return err
	}
	s.logger.Info("environment runner settings saved", "project", es.project, "environment", es.stored.Name)
	if !page.IsHTMX(r) {
		http.Redirect(w, r, paths.Environment(es.project, es.stored.Name)+"#runner-heading", http.StatusSeeOther)
		return nil
	}
	saved := envRunnerView(es, nil)
	saved.Saved = true
	return s.renderEnvSection(w, r, http.StatusOK, es, envRunnerFragment, func(p *envPageProps) { p.Runner = saved })
}

// formLines is a textarea's non-blank lines, trimmed.
func formLines(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// runnerField is the runner form field a diagnostic path is about.
func runnerField(path string) string {
	rest, ok := strings.CutPrefix(path, "runner.")
	if !ok {
		return ""
	}
	return variableOf(rest)
}
