package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
)

// remoteStateSettings are the terraform_remote_state arguments own-remote-state lets be
// anything: none of them says where the state comes from. backend and config are checked;
// any other argument (a later Terraform's) is a finding, since it might.
var remoteStateSettings = map[string]bool{"defaults": true, "workspace": true}

// checkOwnRemoteState finds terraform_remote_state data sources that read anything but the
// state of one of the project's own deployments. Terraform reads them during the plan, so
// what they point at receives the request, whatever the address carries, and, for the http
// backend, the run's state credentials, which the backend takes from TF_HTTP_USERNAME and
// TF_HTTP_PASSWORD.
//
// "Own" is exact: backend is the literal "http", and config is an object whose only key is
// address, a literal string equal to one of Options.OwnStates (CloudOven's state URL of a
// deployment of the same project, as its page shows it). Anything else is a finding: another
// backend, another host or path, a setting beside address (lock_address, username, ...), and
// any part that cannot be known before the plan (a variable, a function call), since then
// where the request goes cannot be told.
func checkOwnRemoteState(c *checker, _ Rule, _ map[string]bool) []Finding {
	var out []Finding
	for _, r := range c.data("terraform_remote_state") {
		path := resourcePath(r)
		finding := func(at, msg string) {
			out = append(out, Finding{
				Resource: r.Address(),
				Path:     at,
				Message:  fmt.Sprintf("%s %s", r.Address(), msg),
				Fix:      remoteStateFix(c.opts.OwnStates) + ", " + allowHint(OwnRemoteState, r.Address()),
			})
		}
		var backend, config *blueprint.Value
		var others []string
		for i := range r.Config.Attributes {
			a := &r.Config.Attributes[i]
			switch {
			case a.Name == "backend":
				backend = &a.Value
			case a.Name == "config":
				config = &a.Value
			case !remoteStateSettings[a.Name]:
				others = append(others, a.Name)
			}
		}
		for _, blk := range r.Config.Blocks {
			others = append(others, blk.Type)
		}
		if len(others) > 0 {
			sort.Strings(others)
			finding(path, fmt.Sprintf("sets %s, which own-remote-state cannot vouch for", strings.Join(slices.Compact(others), ", ")))
			continue
		}
		if backend == nil {
			finding(path, "names no backend")
			continue
		}
		b, ok := knownString(static(*backend))
		switch {
		case !ok:
			finding(path+".backend", "reads state through a backend that cannot be known before the plan")
			continue
		case b != "http":
			finding(path+".backend", fmt.Sprintf("reads state through the %s backend, not from this project's deployments at CloudOven", b))
			continue
		}
		if config == nil {
			finding(path, "names no address, so where it reads state from depends on the run's environment")
			continue
		}
		cfg := static(*config)
		unknown := fmt.Sprintf("reads state from an address that cannot be known before the plan (config = %s), so where the request, and the run's state credentials, would go cannot be told", source(*config))
		keys, ok := knownKeys(cfg)
		if !ok {
			finding(path+".config", unknown)
			continue
		}
		sort.Strings(keys)
		if extra := slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "address" }); len(extra) > 0 {
			finding(path+".config", fmt.Sprintf("sets %s in its config; reading a deployment's state at CloudOven needs only address", strings.Join(extra, ", ")))
			continue
		}
		addr, ok := knownString(attr(cfg, "address"))
		switch {
		case !ok:
			finding(path+".config", unknown)
		case !slices.Contains(c.opts.OwnStates, addr):
			finding(path+".config", fmt.Sprintf("reads state from %s, which is not a deployment of this project at CloudOven; the plan would send the request there, with the run's state credentials", addr))
		}
	}
	return out
}

// maxSourceBytes is how much of a value's source a finding quotes.
const maxSourceBytes = 200

// source is a value as the generated Terraform writes it, on one line and cut to
// maxSourceBytes, for a finding to quote.
func source(v blueprint.Value) string {
	src, err := blueprint.FormatValue(v)
	if err != nil {
		return "an expression that does not parse"
	}
	src = strings.Join(strings.Fields(src), " ")
	if len(src) > maxSourceBytes {
		src = strings.ToValidUTF8(src[:maxSourceBytes], "") + "…"
	}
	return src
}

// remoteStateFix says how to read a deployment's state the way own-remote-state accepts.
func remoteStateFix(own []string) string {
	example := "<CloudOven's state URL>/api/v1/state/<project>/<deployment id>"
	if len(own) > 0 {
		example = own[0]
	}
	return fmt.Sprintf(`read the state of one of this project's deployments: backend = "http" and config = { address = %q }, the address its deployment page shows`, example)
}
