package blueprint

// RunnerSettings say how CloudOven runs Terraform for an environment's deployments.
type RunnerSettings struct {
	// Image is the container image runs use; empty means the server's default image.
	Image string `json:"image,omitempty"`
	// TerraformVersion is the Terraform release the image must carry, e.g. 1.5.7.
	TerraformVersion string `json:"terraform_version,omitempty"`
	// NetworkMode is the container's Docker network mode: bridge, host or none. With egress
	// none or allow-list it must be bridge (CloudOven's run network, held in by its egress
	// proxy) or none (no network at all, which wins).
	NetworkMode string `json:"network_mode,omitempty"`
	// Egress is what a run's network reaches: EgressNone, EgressAllowList or EgressOpen. An
	// environment stored without it means EgressOpen (see WithDefaults).
	Egress string `json:"egress,omitempty"`
	// EgressHosts are what EgressAllowList lets a run reach, besides CloudOven's state
	// backend: host names, *.domain wildcards or IPv4 addresses, each optionally with a port
	// (package egress reads them). Kept, unused, with the other modes.
	EgressHosts []string `json:"egress_hosts,omitempty"`
	// AllowedRegistries are the container registry hosts (myacr.azurecr.io,
	// registry.example.com:5000) the blueprint's container images may come from: the
	// allowed-registries guardrail checks Kubernetes containers and Helm image values against
	// them. Empty turns that guardrail off.
	AllowedRegistries []string `json:"allowed_registries,omitempty"`
	// PolicyBlocking makes a failed policy check stop a run before apply, rather than warn.
	PolicyBlocking bool `json:"policy_blocking,omitempty"`
	// CreateStateContainer makes CloudOven create the azurerm backend's container, with the
	// ARM_ACCESS_KEY secret, before a run's terraform init: the azurerm backend refuses to
	// init against a container that does not exist.
	CreateStateContainer bool `json:"create_state_container,omitempty"`
}

// Runner defaults and choices.
const (
	DefaultTerraformVersion = "1.5.7"
	DefaultNetworkMode      = "bridge"
)

// Egress modes: what a run's network reaches.
const (
	// EgressNone reaches CloudOven's state backend and nothing else; providers come from
	// the server's provider cache (package providers), mounted read-only.
	EgressNone = "none"
	// EgressAllowList reaches CloudOven's state backend and the environment's EgressHosts.
	EgressAllowList = "allow-list"
	// EgressOpen reaches whatever the network mode reaches: CloudOven before egress control.
	EgressOpen = "open"
)

// NetworkModes lists the network modes a runner container may use.
func NetworkModes() []string { return []string{"bridge", "host", "none"} }

// EgressModes lists the egress modes, strictest first.
func EgressModes() []string { return []string{EgressNone, EgressAllowList, EgressOpen} }

// DefaultEgressHosts is the allow-list of a new environment: what the azurerm provider and
// the azurerm backend need (Resource Manager, Entra ID sign-in, Blob Storage for state, Key
// Vault's data plane), and the HashiCorp registry and release hosts, so providers install
// without a mirror. A run can send data to the last two, but they are HashiCorp's: nobody
// who writes a blueprint can read it back there. They also let only HashiCorp-released
// providers in: others download from their own hosts (GitHub), which are not listed.
func DefaultEgressHosts() []string {
	return []string{
		"management.azure.com",
		"login.microsoftonline.com",
		"*.blob.core.windows.net",
		"*.vault.azure.net",
		"registry.terraform.io",
		"releases.hashicorp.com",
	}
}

// DefaultRunner is the runner settings of a new environment: egress held to the default
// allow-list.
func DefaultRunner() RunnerSettings {
	return RunnerSettings{TerraformVersion: DefaultTerraformVersion, NetworkMode: DefaultNetworkMode,
		Egress: EgressAllowList, EgressHosts: DefaultEgressHosts()}
}

// WithDefaults fills the settings an environment document may leave out. A missing egress
// mode is EgressOpen, not a new environment's allow-list: documents without one were
// stored before CloudOven controlled egress, and their runs reached whatever their network
// mode did; holding them to a list they never chose would break their next plan (a helm
// release's chart repository, an AKS API server, a private registry) with no change of
// theirs. The environment page shows such an environment as open, where an operator
// tightens it.
func (r RunnerSettings) WithDefaults() RunnerSettings {
	if r.TerraformVersion == "" {
		r.TerraformVersion = DefaultTerraformVersion
	}
	if r.NetworkMode == "" {
		r.NetworkMode = DefaultNetworkMode
	}
	if r.Egress == "" {
		r.Egress = EgressOpen
	}
	return r
}
