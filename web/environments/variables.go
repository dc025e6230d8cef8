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

	"github.com/zclconf/go-cty/cty"

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
	Saved       bool
	Problem     string
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
	Problem     string // the typed value could not be read
	Errors      []components.Diagnostic
}

func (f envVarField) ID() string { return "var-" + f.Name }

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
	diags := blueprint.ValidateEnvironment(bp, es.withSecretNames(), envPlaceholderKey, "")
	declared := map[string]bool{}
	for _, v := range bp.Variables {
		declared[v.Name] = true
	}
	var kept blueprint.Diagnostics
	for _, d := range diags {
		name, ok := strings.CutPrefix(d.Path, "variables.")
		switch {
		case ok && !declared[variableOf(name)]:
			// Listed below as a value the blueprint does not take, not as an error.
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
			f.Default, _ = blueprint.FormatValue(*v.Default)
		}
		if secretSet["TF_VAR_"+v.Name] {
			f.FromSecret = "TF_VAR_" + v.Name
		}
		if val, ok := es.env.Variables[v.Name]; ok {
			f.HasValue = true
			if !v.Sensitive {
				f.Value = valueText(val, f.Input)
			}
		}
		if typed != nil && !v.Sensitive {
			f.Value = typed.Get(varField + v.Name)
		}
		props.Fields = append(props.Fields, f)
	}
	props.Others = otherValues(es.env, declared)
	return props, nil
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

// valueText is a stored value as its input shows it.
func valueText(v blueprint.Value, input string) string {
	if v.Kind == blueprint.LiteralKind && !v.Literal.IsNull() && v.Literal.IsKnown() {
		switch ty := v.Literal.Type(); {
		case input == inputString && ty == cty.String:
			return v.Literal.AsString()
		case input == inputNumber && ty == cty.Number:
			return v.Literal.AsBigFloat().Text('f', -1)
		case input == inputBool && ty == cty.Bool:
			return strconv.FormatBool(v.Literal.True())
		}
	}
	text, err := blueprint.FormatValue(v)
	if err != nil {
		return ""
	}
	return text
}

// parseVariable reads a typed value: ok false means no value (the input was left empty).
func parseVariable(text, input string) (blueprint.Value, bool, string) {
	if input != inputString {
		text = strings.TrimSpace(text)
	}
	if text == "" {
		return blueprint.Value{}, false, ""
	}
	switch input {
	case inputString:
		return blueprint.String(text), true, ""
	case inputBool:
		switch text {
		case "true":
			return blueprint.Bool(true), true, ""
		case "false":
			return blueprint.Bool(false), true, ""
		}
		return blueprint.Value{}, false, "Choose true or false."
	case inputNumber:
		v, err := blueprint.ParseValue(text)
		if err != nil || v.Kind != blueprint.LiteralKind || v.Literal.Type() != cty.Number {
			return blueprint.Value{}, false, fmt.Sprintf("%q is not a number. Write a number like 3 or 2.5.", text)
		}
		return v, true, ""
	}
	v, err := blueprint.ParseValue(text)
	if err != nil {
		return blueprint.Value{}, false, "This is not a valid HCL value: " + err.Error()
	}
	if v.Kind != blueprint.LiteralKind {
		return blueprint.Value{}, false, "Write a plain value: strings, numbers, bools, and lists or maps of them, like [\"a\", \"b\"] or { env = \"dev\" }. terraform.tfvars cannot hold references or function calls."
	}
	return v, true, ""
}

// saveEnvVariables answers POST .../environments/{environment}/variables: the values for the
// chosen blueprint's variables. Values that cannot be read are shown with their problem and
// nothing is saved; values that are read are saved even when the blueprint would refuse them
// (a missing required value, a wrong type), and the section shows why next to each field.
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
	vars := map[string]blueprint.Value{}
	for k, v := range es.env.Variables {
		vars[k] = v
	}
	bad := false
	for i := range props.Fields {
		f := &props.Fields[i]
		if f.Sensitive && form.Get(clearField+f.Name) != "" {
			delete(vars, f.Name)
			continue
		}
		if !form.Has(varField + f.Name) {
			continue // not in this form: leave the stored value alone
		}
		v, ok, problem := parseVariable(form.Get(varField+f.Name), f.Input)
		switch {
		case problem != "":
			f.Problem = problem
			bad = true
		case ok:
			vars[f.Name] = v
		case !f.Sensitive:
			delete(vars, f.Name)
		}
		// An empty sensitive input keeps the stored value: the page never shows it.
	}
	if bad {
		props.Problem = "Some values could not be read; nothing was saved. Fix the fields marked below."
		return s.renderEnvSection(w, r, http.StatusUnprocessableEntity, es, envVariablesFragment, func(p *envPageProps) { p.Variables = props })
	}
	for _, o := range props.Others {
		if form.Get(dropField+o.Name) != "" {
			delete(vars, o.Name)
		}
	}
	es.env.Variables = vars
	if len(vars) == 0 {
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
