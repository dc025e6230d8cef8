package environments

import (
	"fmt"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/page"
)

// The environment's page is a list of sections, each a disclosure: the variable values open,
// the others closed to one line that says what they hold, and open when they need attention
// or were just saved.

// envSummary is the line a section shows while it is closed.
type envSummary struct {
	Text string
	// Error says the section has a problem to fix.
	Error bool
}

// backendSummary says which backend keeps the state, and where.
func backendSummary(es *envSession) envSummary {
	be := es.env.Backend
	sum := envSummary{Error: backendDiagnostics(es).HasErrors()}
	switch be.Type {
	case "":
		sum.Text = "none: runs are refused, the state would be lost"
	case "local":
		sum.Text = "local: runs are refused, the state would be lost"
	case "http":
		if s, _ := be.Config["address"].(string); s != "" {
			sum.Text = "http, " + s
		} else {
			sum.Text = "CloudOven's own backend (http), every state version kept"
		}
	default:
		parts := []string{be.Type}
		for _, k := range []struct{ setting, label string }{
			{"storage_account_name", "account"}, {"container_name", "container"}, {"bucket", "bucket"}, {"prefix", "prefix"},
		} {
			if s, _ := be.Config[k.setting].(string); s != "" {
				parts = append(parts, k.label+" "+s)
			}
		}
		sum.Text = strings.Join(parts, ", ")
	}
	if sum.Error {
		sum.Text += " · needs attention"
	}
	return sum
}

// runnerSummary says which Terraform runs, and what a run can reach.
func runnerSummary(rs blueprint.RunnerSettings) envSummary {
	rs = rs.WithDefaults()
	image := "default image"
	if rs.Image != "" {
		image = rs.Image
	}
	egress := "egress " + rs.Egress
	if rs.Egress == "allow-list" {
		egress = fmt.Sprintf("egress allow-list (%d %s)", len(rs.EgressHosts), page.Plural(len(rs.EgressHosts), "host", "hosts"))
	}
	guard := "guardrails warn"
	if rs.PolicyBlocking {
		guard = "guardrails block"
	}
	return envSummary{Text: fmt.Sprintf("Terraform %s, %s, network %s, %s, %s", rs.TerraformVersion, image, rs.NetworkMode, egress, guard)}
}

// secretsSummary names the secrets the environment has.
func secretsSummary(p envSecretsProps) envSummary {
	switch {
	case !p.Configured:
		return envSummary{Text: "not configured on this server"}
	case len(p.Rows) == 0:
		return envSummary{Text: "none yet"}
	}
	names := make([]string, 0, len(p.Rows))
	for _, r := range p.Rows {
		names = append(names, r.Name)
	}
	text := strings.Join(names, ", ")
	if len(names) > 4 {
		text = strings.Join(names[:4], ", ") + fmt.Sprintf(" and %d more", len(names)-4)
	}
	return envSummary{Text: fmt.Sprintf("%d set (hidden): %s", len(names), text)}
}
