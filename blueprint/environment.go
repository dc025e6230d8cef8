package blueprint

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Environment is a target a blueprint is deployed to: values for its variables, the remote
// state backend, and secret environment variables.
type Environment struct {
	Name string `json:"name"`
	// Variables are literal values written to terraform.tfvars.
	Variables map[string]Value `json:"variables,omitempty"`
	Backend   Backend          `json:"backend"`
	// Runner says how runs of the environment's deployments are executed.
	Runner RunnerSettings `json:"runner"`
	// Secrets are environment variables for terraform (ARM_CLIENT_SECRET, TF_VAR_db_password).
	// They are never written to any generated file nor to the environment document.
	Secrets map[string]string `json:"-"`
}

// Backend is the remote-state backend of an environment.
type Backend struct {
	// Type is azurerm, http, local, s3 or gcs; empty means no backend block (local state).
	Type string `json:"type,omitempty"`
	// Config holds the backend's settings: strings, bools or numbers as each setting needs.
	Config map[string]any `json:"config,omitempty"`
}

// DefaultBackend is the backend of a new environment: CloudOven's own http backend, without
// an address (a run gets CloudOven's state endpoint for its deployment, and credentials for
// that run only), which keeps every state a run writes as a numbered state version. With no
// backend, or a local one, the state would be written into the run's workspace and lost with
// it, and CloudOven refuses such runs.
func DefaultBackend() Backend { return Backend{Type: "http"} }

// Deployment binds one blueprint version to one environment and owns its state key.
type Deployment struct {
	Project          string `json:"project"`
	Blueprint        string `json:"blueprint"`
	BlueprintVersion int    `json:"blueprint_version"`
	Environment      string `json:"environment"`
	StateKey         string `json:"state_key,omitempty"`
}

// DefaultStateKey is <project>/<blueprint>/<environment>.tfstate.
func DefaultStateKey(project, blueprint, environment string) string {
	return project + "/" + blueprint + "/" + environment + ".tfstate"
}

// Key returns the deployment's state key, its default when unset.
func (d Deployment) Key() string {
	if d.StateKey != "" {
		return d.StateKey
	}
	return DefaultStateKey(d.Project, d.Blueprint, d.Environment)
}

type settingKind int

const (
	stringSetting settingKind = iota
	boolSetting
	numberSetting
)

type backendSetting struct {
	name     string
	kind     settingKind
	required bool
}

type backendSpec struct {
	settings []backendSetting // generation order
	// keySetting receives the deployment's state key when the environment does not set it.
	keySetting string
	// secrets are settings that must come from environment variables, with the variable to use.
	secrets map[string]string
}

// backends lists what CloudOven generates for each backend type. Credentials are never
// settings: Terraform reads them from environment variables, which are environment secrets.
var backends = map[string]backendSpec{
	"azurerm": {
		settings: []backendSetting{
			{"resource_group_name", stringSetting, false},
			{"storage_account_name", stringSetting, true},
			{"container_name", stringSetting, true},
			{"key", stringSetting, true},
			{"subscription_id", stringSetting, false},
			{"tenant_id", stringSetting, false},
			{"client_id", stringSetting, false},
			{"environment", stringSetting, false},
			{"use_azuread_auth", boolSetting, false},
			{"use_oidc", boolSetting, false},
			{"use_msi", boolSetting, false},
			{"snapshot", boolSetting, false},
		},
		keySetting: "key",
		secrets: map[string]string{
			"access_key": "ARM_ACCESS_KEY", "sas_token": "ARM_SAS_TOKEN",
			"client_secret": "ARM_CLIENT_SECRET", "client_certificate_password": "ARM_CLIENT_CERTIFICATE_PASSWORD",
		},
	},
	"http": {
		// Without an address, CloudOven is the backend: its runs get TF_HTTP_ADDRESS (and the
		// lock addresses and credentials) for the deployment, and terraform accepts an empty
		// backend "http" {} block when the environment supplies them.
		settings: []backendSetting{
			{"address", stringSetting, false},
			{"lock_address", stringSetting, false},
			{"unlock_address", stringSetting, false},
			{"lock_method", stringSetting, false},
			{"unlock_method", stringSetting, false},
			{"update_method", stringSetting, false},
			{"username", stringSetting, false},
			{"skip_cert_verification", boolSetting, false},
			{"retry_max", numberSetting, false},
			{"retry_wait_min", numberSetting, false},
			{"retry_wait_max", numberSetting, false},
		},
		secrets: map[string]string{"password": "TF_HTTP_PASSWORD"},
	},
	"local": {
		settings: []backendSetting{{"path", stringSetting, false}, {"workspace_dir", stringSetting, false}},
	},
	"s3": {
		settings: []backendSetting{
			{"bucket", stringSetting, true},
			{"key", stringSetting, true},
			{"region", stringSetting, true},
			{"dynamodb_table", stringSetting, false},
			{"encrypt", boolSetting, false},
			{"kms_key_id", stringSetting, false},
			{"profile", stringSetting, false},
			{"role_arn", stringSetting, false},
			{"workspace_key_prefix", stringSetting, false},
		},
		keySetting: "key",
		secrets:    map[string]string{"access_key": "AWS_ACCESS_KEY_ID", "secret_key": "AWS_SECRET_ACCESS_KEY", "token": "AWS_SESSION_TOKEN"},
	},
	"gcs": {
		settings: []backendSetting{
			{"bucket", stringSetting, true},
			{"prefix", stringSetting, false},
			{"impersonate_service_account", stringSetting, false},
		},
		keySetting: "prefix",
		secrets:    map[string]string{"credentials": "GOOGLE_CREDENTIALS", "access_token": "GOOGLE_OAUTH_ACCESS_TOKEN", "encryption_key": "GOOGLE_ENCRYPTION_KEY"},
	},
}

// BackendTypes lists the backend types CloudOven generates, sorted.
func BackendTypes() []string {
	out := make([]string, 0, len(backends))
	for t := range backends {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Kinds of backend setting values.
const (
	SettingString = "string"
	SettingBool   = "bool"
	SettingNumber = "number"
)

// BackendSetting describes one setting of a backend type, for forms that edit it.
type BackendSetting struct {
	Name     string
	Kind     string // SettingString, SettingBool or SettingNumber
	Required bool
	// StateKey says a deployment fills the setting with its state key when the environment
	// leaves it out (key for azurerm and s3, prefix for gcs).
	StateKey bool
}

// BackendSettings lists the settings of a backend type in the order Generate writes them;
// nil for an unknown type or none.
func BackendSettings(typ string) []BackendSetting {
	spec, ok := backends[typ]
	if !ok {
		return nil
	}
	out := make([]BackendSetting, len(spec.settings))
	for i, s := range spec.settings {
		kind := SettingString
		switch s.kind {
		case boolSetting:
			kind = SettingBool
		case numberSetting:
			kind = SettingNumber
		}
		out[i] = BackendSetting{Name: s.name, Kind: kind, Required: s.required, StateKey: s.name == spec.keySetting}
	}
	return out
}

// BackendSecret is a backend credential: never a setting, always the environment secret
// EnvVar, which Terraform reads at init.
type BackendSecret struct {
	Setting string
	EnvVar  string
}

// BackendSecrets lists a backend type's credentials, sorted by setting.
func BackendSecrets(typ string) []BackendSecret {
	spec := backends[typ]
	out := make([]BackendSecret, 0, len(spec.secrets))
	for setting, env := range spec.secrets {
		out = append(out, BackendSecret{Setting: setting, EnvVar: env})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Setting < out[j].Setting })
	return out
}

// AzureAuthMode is one way the azurerm backend reaches its storage account.
type AzureAuthMode struct {
	Name  string // azuread, access_key, service_principal, managed_identity
	Label string
	// Flags are the backend settings the mode sets to true; Apply removes the other modes'.
	Flags []string
	// Secrets are the environment secrets the mode reads.
	Secrets []string
	// Hint says what else the mode needs.
	Hint string
}

// azureAuthFlags are every setting an AzureAuthMode may set.
var azureAuthFlags = []string{"use_azuread_auth", "use_msi"}

var azureAuthModes = []AzureAuthMode{
	{
		Name: "azuread", Label: "Azure AD (recommended)",
		Flags:   []string{"use_azuread_auth"},
		Secrets: []string{"ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_TENANT_ID"},
		Hint:    "The identity needs the Storage Blob Data Contributor role on the container; no account key is used.",
	},
	{
		Name: "access_key", Label: "Storage account access key",
		Secrets: []string{"ARM_ACCESS_KEY"},
		Hint:    "The key grants full access to the whole storage account; prefer Azure AD.",
	},
	{
		Name: "service_principal", Label: "Service principal (reads the account key)",
		Secrets: []string{"ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"},
		Hint:    "The service principal lists the account's keys, so set resource_group_name too.",
	},
	{
		Name: "managed_identity", Label: "Managed identity",
		Flags: []string{"use_msi"},
		Hint:  "Only where the runner itself runs in Azure; set ARM_CLIENT_ID as a secret for a user-assigned identity.",
	},
}

// AzureAuthModes lists the ways the azurerm backend can authenticate.
func AzureAuthModes() []AzureAuthMode { return append([]AzureAuthMode(nil), azureAuthModes...) }

// AzureAuthModeNamed returns the mode called name.
func AzureAuthModeNamed(name string) (AzureAuthMode, bool) {
	for _, m := range azureAuthModes {
		if m.Name == name {
			return m, true
		}
	}
	return AzureAuthMode{}, false
}

// AzureAuthModeOf tells which mode an azurerm backend's settings and the environment's
// secret names amount to.
func AzureAuthModeOf(config map[string]any, secrets []string) string {
	switch {
	case config["use_msi"] == true:
		return "managed_identity"
	case config["use_azuread_auth"] == true:
		return "azuread"
	}
	for _, s := range secrets {
		if s == "ARM_ACCESS_KEY" {
			return "access_key"
		}
	}
	for _, s := range secrets {
		if s == "ARM_CLIENT_SECRET" {
			return "service_principal"
		}
	}
	return "access_key"
}

// Apply sets the mode's flags in config and removes the other modes' flags.
func (m AzureAuthMode) Apply(config map[string]any) {
	for _, f := range azureAuthFlags {
		delete(config, f)
	}
	for _, f := range m.Flags {
		config[f] = true
	}
}

type docEnvironment struct {
	Format    *int                       `json:"format"`
	Name      string                     `json:"name"`
	Variables map[string]json.RawMessage `json:"variables"`
	Backend   struct {
		Type   string                     `json:"type"`
		Config map[string]json.RawMessage `json:"config"`
	} `json:"backend"`
	Runner RunnerSettings `json:"runner"`
}

// ParseEnvironment decodes an environment document:
//
//	{"format": 1, "name": "dev", "variables": {"location": "westeurope", "node_count": 3},
//	 "backend": {"type": "azurerm", "config": {"storage_account_name": "tfstate", "container_name": "tfstate"}}}
//
// Variable values are plain JSON, since a tfvars file holds only literals.
func ParseEnvironment(data []byte) (*Environment, error) {
	if err := checkFormat(data, "environment"); err != nil {
		return nil, err
	}
	var d docEnvironment
	if err := strictUnmarshal(data, &d); err != nil {
		return nil, err
	}
	env := &Environment{Name: d.Name, Backend: Backend{Type: d.Backend.Type}, Runner: d.Runner.WithDefaults()}
	if len(d.Variables) > 0 {
		env.Variables = map[string]Value{}
	}
	for name, raw := range d.Variables {
		lit, err := decodeLiteral(raw)
		if err != nil {
			return nil, docErr("variables."+name, "%v", err)
		}
		env.Variables[name] = Literal(lit)
	}
	if len(d.Backend.Config) > 0 {
		env.Backend.Config = map[string]any{}
	}
	for name, raw := range d.Backend.Config {
		x, err := decodeJSON(raw)
		if err != nil {
			return nil, docErr("backend.config."+name, "%v", err)
		}
		env.Backend.Config[name] = x
	}
	return env, nil
}

// MarshalDocument encodes the environment as a format-1 document, without its secrets.
func (e *Environment) MarshalDocument() ([]byte, error) {
	vars := map[string]any{}
	for name, v := range e.Variables {
		if v.Kind != LiteralKind {
			return nil, fmt.Errorf("encoding environment %q: variable %s: only literal values belong in an environment", e.Name, name)
		}
		j, err := literalToJSON(v.Literal)
		if err != nil {
			return nil, fmt.Errorf("encoding environment %q: variable %s: %w", e.Name, name, err)
		}
		vars[name] = j
	}
	out, err := json.MarshalIndent(struct {
		Format    int            `json:"format"`
		Name      string         `json:"name"`
		Variables map[string]any `json:"variables,omitempty"`
		Backend   Backend        `json:"backend"`
		Runner    RunnerSettings `json:"runner"`
	}{DocumentFormat, e.Name, vars, e.Backend, e.Runner.WithDefaults()}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding environment %q: %w", e.Name, err)
	}
	return append(out, '\n'), nil
}

var envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validateBackend checks an environment's backend settings; stateKey fills the key setting
// when the environment leaves it out, and stateAddress the http backend's address.
func validateBackend(be Backend, stateKey, stateAddress string, d *diags) {
	if be.Type == "" {
		if len(be.Config) > 0 {
			d.errorf("backend.type", "backend settings without a backend type", "set backend.type to one of %s", strings.Join(BackendTypes(), ", "))
		}
		return
	}
	spec, ok := backends[be.Type]
	if !ok {
		d.errorf("backend.type", fmt.Sprintf("unknown backend type %q", be.Type), "use one of %s", strings.Join(BackendTypes(), ", "))
		return
	}
	known := map[string]backendSetting{}
	for _, s := range spec.settings {
		known[s.name] = s
	}
	misspelt := map[string]bool{}
	names := make([]string, 0, len(be.Config))
	for n := range be.Config {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		path := "backend.config." + n
		if env, secret := spec.secrets[n]; secret {
			d.errorf(path, fmt.Sprintf("%s is a credential and is never written to generated files", n), "remove it here and set the environment secret %s instead", env)
			continue
		}
		s, ok := known[n]
		if !ok {
			names := strings.Split(settingNames(spec), ", ")
			if c := closest(n, names); c != "" {
				misspelt[c] = true
			}
			d.errorf(path, fmt.Sprintf("the %s backend has no setting %q", be.Type, n), "use one of %s.%s", settingNames(spec), didYouMean(n, names))
			continue
		}
		v := be.Config[n]
		switch s.kind {
		case stringSetting:
			if _, ok := v.(string); !ok {
				d.errorf(path, "must be a string", "write it in quotes")
			}
		case boolSetting:
			if _, ok := v.(bool); !ok {
				d.errorf(path, "must be true or false", "write true or false without quotes")
			}
		case numberSetting:
			n, ok := v.(json.Number)
			if !ok {
				d.errorf(path, "must be a number", "write a number without quotes")
			} else if _, err := literalFromJSON(n); err != nil {
				d.errorf(path, "number out of range", "write a number a float64 can hold")
			}
		}
	}
	for _, s := range spec.settings {
		if !s.required {
			continue
		}
		if _, ok := be.Config[s.name]; ok || misspelt[s.name] {
			continue
		}
		if s.name == spec.keySetting && stateKey != "" || be.Type == "http" && s.name == "address" && stateAddress != "" {
			continue
		}
		d.errorf("backend.config."+s.name, fmt.Sprintf("the %s backend needs %s", be.Type, s.name), "set backend.config.%s", s.name)
	}
}

func settingNames(spec backendSpec) string {
	names := make([]string, len(spec.settings))
	for i, s := range spec.settings {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}
