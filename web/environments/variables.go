package environments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// The variables section edits the environment's values for the variables one blueprint
// version declares. Values for other variables (another blueprint's, or a variable this
// version dropped) are kept and listed, so choosing another blueprint loses nothing.

// Input kinds of a variable field.
const (
	inputString = "string"
	inputNumber = "number"
	inputBool   = "bool"
	inputHCL    = "hcl"
)

// Field names of the variables form.
const (
	varField   = "var."   // var.NAME: the value as typed
	clearField = "clear." // clear.NAME: remove a sensitive variable's stored value
	dropField  = "drop."  // drop.NAME: remove a value no variable of the blueprint takes
)

type envVariablesProps struct {
	Action string
	// FormURL is where the blueprint choice is sent (a GET of the environment's page).
	FormURL    string
	Blueprints []string
	Blueprint  string
	Versions   []int // newest first
	// Version is the chosen version, 0 for the latest; Shown is the version shown.
	Version int
	Shown   int
	Fields  []envVarField
	Others  []envOtherValue
	// Diagnostics are the blueprint's problems with this environment that belong to no field.
	Diagnostics []components.Diagnostic
	// ErrorLinks list the fields with errors after a refused save, linking to each.
	ErrorLinks []envFieldLink
	// Summary is the section's closed line: how many values are set, defaulted, missing.
	Summary      string
	SummaryError bool
	Open         bool
	// values are the environment's values with the posted form applied, and unread the
	// number of posted values that could not be read; both only for a post.
	values  map[string]blueprint.Value
	unread  int
	Saved   bool
	Problem string
	// NoBlueprint says why no fields are shown.
	NoBlueprint string
}

// envVarField is one variable the blueprint declares.
type envVarField struct {
	Name        string
	Type        string
	Description string
	Input       string // inputString, inputNumber, inputBool or inputHCL
	Value       string // never set for a sensitive variable
	Default     string
	Required    bool
	Sensitive   bool
	HasValue    bool // a sensitive variable has a stored value
	FromSecret  string
	// State and Status say what the variable holds: "set" (a value here), "default" (the
	// blueprint's default), "secret" (a TF_VAR_ secret), "hidden" (a stored sensitive value),
	// "typed" (a value typed into a form that was refused, not saved) or "unset" (nothing).
	State  string
	Status string
	Errors []components.Diagnostic
}

func (f envVarField) ID() string { return "var-" + f.Name }

// ErrorID is the id of the field's messages, which its input is described by.
func (f envVarField) ErrorID() string { return "var-" + f.Name + "-errors" }

// StatusID is the id of the field's status line.
func (f envVarField) StatusID() string { return "var-" + f.Name + "-status" }

// Invalid says the field has an error (a warning leaves it valid).
func (f envVarField) Invalid() bool { return hasErrors(f.Errors) }

// DescribedBy is the input's aria-describedby: its status, and its messages when it has any.
func (f envVarField) DescribedBy() string {
	if len(f.Errors) > 0 {
		return f.StatusID() + " " + f.ErrorID()
	}
	return f.StatusID()
}

// envFieldLink is an error in the summary above the form, linking to its field.
type envFieldLink struct {
	Name    string
	Href    string
	Summary string
}

// envOtherValue is a stored value for a variable the shown blueprint does not declare.
type envOtherValue struct {
	Name  string
	Value string
}

// envVariables builds the variables section for the chosen blueprint version (the latest
// when version is empty); typed, when given, are the values as posted, kept on a problem.
func (s *Handlers) envVariables(ctx context.Context, es *envSession, bpName, version string, typed url.Values) (envVariablesProps, error) {
	props := envVariablesProps{
		Action:  paths.EnvVariables(es.project, es.stored.Name),
		FormURL: paths.Environment(es.project, es.stored.Name),
	}
	bs, err := s.store.Blueprints(ctx, es.project)
	if err != nil {
		return props, err
	}
	for _, b := range bs {
		props.Blueprints = append(props.Blueprints, b.Name)
	}
	if len(bs) == 0 {
		props.NoBlueprint = "The project has no blueprints yet. Values are typed by a blueprint's variables: create a blueprint first."
		props.Others = otherValues(es.env, nil)
		return props, nil
	}
	if bpName == "" {
		bpName = s.defaultBlueprintFor(ctx, es, bs[0].Name)
	}
	b, err := s.store.Blueprint(ctx, es.project, bpName)
	if errors.Is(err, store.ErrNotFound) {
		props.NoBlueprint = fmt.Sprintf("The project has no blueprint named %s. Choose one from the list.", page.QuoteName(bpName))
		props.Others = otherValues(es.env, nil)
		return props, nil
	}
	if err != nil {
		return props, err
	}
	props.Blueprint = b.Name
	for v := b.LatestVersion; v >= 1; v-- {
		props.Versions = append(props.Versions, v)
	}
	props.Shown = b.LatestVersion
	if version != "" && version != "latest" {
		n, err := strconv.Atoi(version)
		if err != nil || n < 1 || n > b.LatestVersion {
			props.NoBlueprint = fmt.Sprintf("Blueprint %s has no version %s; it has versions 1 to %d.", b.Name, page.QuoteName(version), b.LatestVersion)
			props.Others = otherValues(es.env, nil)
			return props, nil
		}
		props.Version, props.Shown = n, n
	}
	bv, err := s.store.BlueprintVersion(ctx, es.project, b.Name, props.Shown)
	if err != nil {
		return props, err
	}
	bp, err := blueprint.ParseDocument(bv.Document)
	if err != nil {
		props.NoBlueprint = page.Capitalize(fmt.Sprintf("version %d of %s cannot be read: %v", bv.Version, b.Name, err))
		props.Others = otherValues(es.env, nil)
		return props, nil
	}
	env := es.withSecretNames()
	var read blueprint.Diagnostics
	if typed != nil {
		env.Variables, read = formValues(bp, es.env.Variables, typed)
		props.values = env.Variables
	}
	diags := blueprint.ValidateEnvironment(bp, env, envPlaceholderKey, "")
	declared := map[string]bool{}
	for _, v := range bp.Variables {
		declared[v.Name] = true
	}
	unread := map[string]bool{}
	for _, d := range read {
		unread[variableOf(strings.TrimPrefix(d.Path, "variables."))] = true
	}
	props.unread = len(unread)
	kept := read
	for _, d := range diags {
		name, ok := strings.CutPrefix(d.Path, "variables.")
		switch {
		case ok && !declared[variableOf(name)]:
			// Listed below as a value the blueprint does not take, not as an error.
		case ok && unread[variableOf(name)]:
			// What could not be read says so; what validation says of the stored value
			// (or of no value) would describe something the input does not hold.
		case strings.HasPrefix(d.Path, "backend."), strings.HasPrefix(d.Path, "secrets."):
			// Shown by their own sections.
		default:
			kept = append(kept, d)
		}
	}
	byField, general := fieldDiagnostics(kept, func(path string) string {
		if name, ok := strings.CutPrefix(path, "variables."); ok {
			return variableOf(name)
		}
		return ""
	})
	props.Diagnostics = general
	secretSet := map[string]bool{}
	for _, n := range es.secretNames() {
		secretSet[n] = true
	}
	var set, defaulted, missing int
	for _, v := range bp.Variables {
		f := envVarField{
			Name:        v.Name,
			Type:        v.Type,
			Description: v.Description,
			Input:       inputFor(v.Type),
			Required:    v.Default == nil,
			Sensitive:   v.Sensitive,
			Errors:      byField[v.Name],
		}
		if v.Default != nil {
			f.Default = blueprint.FormatVariableValue(*v.Default, v.Type)
		}
		if secretSet["TF_VAR_"+v.Name] {
			f.FromSecret = "TF_VAR_" + v.Name
		}
		val, has := env.Variables[v.Name]
		if _, stored := es.env.Variables[v.Name]; stored && v.Sensitive {
			f.HasValue = true
		}
		switch {
		case typed != nil && !v.Sensitive && typed.Has(varField+v.Name):
			f.Value = typed.Get(varField + v.Name)
		case has && !v.Sensitive:
			f.Value = blueprint.FormatVariableValue(val, v.Type)
		}
		f.State, f.Status = varState(f, has)
		switch f.State {
		case "default":
			defaulted++
		case "unset":
			missing++
		default:
			set++
		}
		if props.unread > 0 && typed.Get(varField+v.Name) != "" && typed.Get(varField+v.Name) != storedText(es.env, v) {
			// The post is refused: the field holds what was typed, which is not saved.
			f.State, f.Status = "typed", "typed here, not saved"
		}
		if f.Invalid() {
			props.SummaryError = true
			props.ErrorLinks = append(props.ErrorLinks, envFieldLink{Name: v.Name, Href: "#" + f.ID(), Summary: f.Errors[0].Summary})
		}
		props.Fields = append(props.Fields, f)
	}
	props.Others = otherValues(es.env, declared)
	props.Summary = fmt.Sprintf("%d %s of %s v%d: %d set, %d at %s, %d without a value",
		len(bp.Variables), page.Plural(len(bp.Variables), "variable", "variables"), b.Name, props.Shown,
		set, defaulted, page.Plural(defaulted, "its default", "their defaults"), missing)
	if props.unread > 0 {
		props.Summary = fmt.Sprintf("%d %s of %s v%d: %d typed %s cannot be used, nothing saved",
			len(bp.Variables), page.Plural(len(bp.Variables), "variable", "variables"), b.Name, props.Shown,
			props.unread, page.Plural(props.unread, "value", "values"))
	}
	if len(general) > 0 && hasErrors(general) {
		props.SummaryError = true
	}
	return props, nil
}

// storedText is the stored value of v as its input shows it; "" when there is none.
func storedText(env *blueprint.Environment, v blueprint.Variable) string {
	if val, ok := env.Variables[v.Name]; ok {
		return blueprint.FormatVariableValue(val, v.Type)
	}
	return ""
}

// varState says what a variable's field holds: has says it has a value here (stored, or
// typed into the form being shown again).
func varState(f envVarField, has bool) (state, status string) {
	switch {
	case has && f.Sensitive:
		return "hidden", "set (hidden)"
	case has:
		return "set", "set here"
	case f.FromSecret != "":
		return "secret", "set (hidden) by the secret " + f.FromSecret
	case !f.Required && f.Sensitive:
		return "default", "default (not shown)"
	case !f.Required:
		return "default", "default: " + clipText(f.Default, 48)
	}
	return "unset", "not set"
}

// clipText shortens text to at most n runes for a status line.
func clipText(text string, n int) string {
	if r := []rune(text); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return text
}

// formValues are the environment's values with the form's applied: each posted value read
// with the variable rule of its type, sensitive ones left as stored when left empty, ticked
// values removed. Values that cannot be read are diagnostics, and keep the stored value.
func formValues(bp *blueprint.Blueprint, stored map[string]blueprint.Value, form url.Values) (map[string]blueprint.Value, blueprint.Diagnostics) {
	vars := map[string]blueprint.Value{}
	for k, v := range stored {
		vars[k] = v
	}
	var ds blueprint.Diagnostics
	declared := map[string]bool{}
	for _, v := range bp.Variables {
		declared[v.Name] = true
		if v.Sensitive && form.Get(clearField+v.Name) != "" {
			delete(vars, v.Name)
			continue
		}
		if !form.Has(varField + v.Name) {
			continue // not in this form: leave the stored value alone
		}
		val, set, problems := blueprint.ParseVariableValue("variables."+v.Name, form.Get(varField+v.Name), v.Type)
		switch {
		case problems.HasErrors():
			ds = append(ds, problems...)
		case set:
			vars[v.Name] = val
		case !v.Sensitive:
			delete(vars, v.Name)
		}
		// An empty sensitive input keeps the stored value: the page never shows it.
	}
	for name := range stored {
		if !declared[name] && form.Get(dropField+name) != "" {
			delete(vars, name)
		}
	}
	return vars, ds
}

// variableOf is the variable a diagnostic path below "variables." is about: node_count, or
// tags of tags["env"].
func variableOf(rest string) string {
	if i := strings.IndexAny(rest, ".["); i >= 0 {
		return rest[:i]
	}
	return rest
}

// defaultBlueprintFor is the blueprint an environment's page shows first: the one deployed to
// it, else fallback.
func (s *Handlers) defaultBlueprintFor(ctx context.Context, es *envSession, fallback string) string {
	ds, err := s.store.Deployments(ctx, es.project)
	if err != nil {
		return fallback
	}
	for _, d := range ds {
		if d.Environment == es.stored.Name {
			return d.Blueprint
		}
	}
	return fallback
}

// otherValues lists stored values for variables not in declared, sorted by name.
func otherValues(env *blueprint.Environment, declared map[string]bool) []envOtherValue {
	var out []envOtherValue
	for name, v := range env.Variables {
		if declared[name] {
			continue
		}
		text, err := blueprint.FormatValue(v)
		if err != nil {
			text = "(cannot be shown: " + err.Error() + ")"
		}
		out = append(out, envOtherValue{Name: name, Value: text})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// inputFor is the input that edits a value of a type constraint.
func inputFor(typ string) string {
	switch strings.Join(strings.Fields(typ), "") {
	case "string":
		return inputString
	case "number":
		return inputNumber
	case "bool":
		return inputBool
	}
	return inputHCL
}

// saveEnvVariables answers POST .../environments/{environment}/variables: the values for the
// chosen blueprint's variables, each read with blueprint.ParseVariableValue. When a value
// cannot be read or does not fit its variable's type, nothing is saved: 422 with the section,
// every typed value in its input, each problem on its field and a list of them on top.
// Values that are read are saved even when the environment is not complete yet (a required
// value missing), and the section says so next to each field.
func (s *Handlers) saveEnvVariables(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	parseErr := page.ParseForm(w, r, maxEnvFormBytes)
	es, err := s.openEnvironment(ctx, r.PathValue("project"), r.PathValue("environment"))
	if err != nil {
		return err
	}
	if parseErr != nil {
		props, err := s.envVariables(ctx, es, r.URL.Query().Get("blueprint"), r.URL.Query().Get("version"), nil)
		if err != nil {
			return err
		}
		props.Problem = page.FormRefusal(parseErr) + " Nothing was saved."
		return s.renderEnvSection(w, r, page.FormStatus(parseErr), es, envVariablesFragment, func(p *envPageProps) { p.Variables = props })
	}
	form := r.PostForm
	props, err := s.envVariables(ctx, es, form.Get("blueprint"), form.Get("version"), form)
	if err != nil {
		return err
	}
	if props.NoBlueprint != "" {
		props.Problem = props.NoBlueprint + " Nothing was saved."
		return s.renderEnvSection(w, r, http.StatusUnprocessableEntity, es, envVariablesFragment, func(p *envPageProps) { p.Variables = props })
	}
	if props.unread > 0 {
		props.Problem = fmt.Sprintf("%d %s cannot be used as typed, so nothing was saved. Every value you typed is still in its field: fix the %s marked below and save again.",
			props.unread, page.Plural(props.unread, "value", "values"), page.Plural(props.unread, "one", "ones"))
		return s.renderEnvSection(w, r, http.StatusUnprocessableEntity, es, envVariablesFragment, func(p *envPageProps) { p.Variables = props })
	}
	es.env.Variables = props.values
	if len(props.values) == 0 {
		es.env.Variables = nil
	}
	if err := s.saveEnvironment(ctx, es); err != nil {
		if errors.Is(err, store.ErrTooLarge) {
			props.Problem = "The environment would be larger than CloudOven stores; nothing was saved."
			return s.renderEnvSection(w, r, http.StatusRequestEntityTooLarge, es, envVariablesFragment, func(p *envPageProps) { p.Variables = props })
		}
		return err
	}
	s.logger.Info("environment variables saved", "project", es.project, "environment", es.stored.Name)
	if !page.IsHTMX(r) {
		http.Redirect(w, r, paths.EnvironmentBlueprint(es.project, es.stored.Name, props.Blueprint, props.Version)+"#variables-heading", http.StatusSeeOther)
		return nil
	}
	saved, err := s.envVariables(ctx, es, props.Blueprint, strconv.Itoa(props.Shown), nil)
	if err != nil {
		return err
	}
	saved.Version = props.Version
	saved.Saved = true
	return s.renderEnvSection(w, r, http.StatusOK, es, envVariablesFragment, func(p *envPageProps) { p.Variables = saved })
}

// maxEnvFormBytes bounds an environment section's form: values of a few dozen variables, or
// one secret of up to 64 KiB encoded.
const maxEnvFormBytes = 256 << 10
