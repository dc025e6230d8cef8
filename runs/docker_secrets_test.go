package runs

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/store"
)

// dockerSecret is an environment secret chosen so that each of its encodings differs from
// it, and the two base64 alphabets from each other.
const dockerSecret = "Tr0ub4dor&3/~~~?>s p@ss\"word"

// secretConfig passes the secret to terraform as a variable, keeps its encodings in a
// resource (so the saved plan and its JSON hold them) and prints them in a check block's
// warning, at plan and at apply (so the log gets them).
const secretConfig = `terraform {
  backend "http" {}
}

variable "db_password" {
  type = string
}

resource "terraform_data" "encoded" {
  input = {
    base64  = base64encode(var.db_password)
    url     = urlencode(var.db_password)
    json    = jsonencode({ password = var.db_password })
    wrapped = base64encode("user:${var.db_password}@db")
    shifted = base64encode("x${var.db_password}")
  }
}

check "echo" {
  assert {
    condition     = var.db_password == ""
    error_message = "b64 ${base64encode(var.db_password)} url ${urlencode(var.db_password)} wrapped ${base64encode("user:${var.db_password}@db")} shifted ${base64encode("x${var.db_password}")}"
  }
}
`

// secretForms are the forms of dockerSecret that must not be stored anywhere: the value,
// its JSON escapes, its base64 in both alphabets with and without padding, its URL
// encoding, and the part of a longer base64 that only the secret's bytes decide.
func secretForms(t *testing.T) map[string]string {
	t.Helper()
	raw := []byte(dockerSecret)
	once, _ := json.Marshal(dockerSecret)
	twice, _ := json.Marshal(string(once))
	inner := func(prefix, suffix string) string {
		s := base64.StdEncoding.EncodeToString([]byte(prefix + dockerSecret + suffix))
		return s[len(prefix)*4/3+2 : len(s)-(len(suffix)*4/3+4)]
	}
	forms := map[string]string{
		"value":               dockerSecret,
		"json":                string(once[1 : len(once)-1]),
		"json twice":          string(twice[3 : len(twice)-3]),
		"base64":              base64.StdEncoding.EncodeToString(raw),
		"base64 unpadded":     base64.RawStdEncoding.EncodeToString(raw),
		"base64 url":          base64.URLEncoding.EncodeToString(raw),
		"base64 url unpadded": base64.RawURLEncoding.EncodeToString(raw),
		"url":                 url.QueryEscape(dockerSecret),
		"base64 inside user:": inner("user:", "@db"),
		"base64 inside x":     inner("x", ""),
	}
	seen := map[string]string{}
	for name, f := range forms {
		if other, dup := seen[f]; dup {
			t.Fatalf("forms %q and %q are both %q: the secret does not tell them apart", name, other, f)
		}
		seen[f] = name
	}
	return forms
}

// leaks names the forms of the secret that b holds, looking inside it when it is a zip
// archive (a saved plan is one, deflated).
func leaks(t *testing.T, forms map[string]string, b []byte) []string {
	t.Helper()
	contents := [][]byte{b}
	if zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			contents = append(contents, data)
		}
	}
	var found []string
	for name, form := range forms {
		for _, c := range contents {
			if bytes.Contains(c, []byte(form)) {
				found = append(found, name)
				break
			}
		}
	}
	return found
}

// TestDockerSecretsStayOutOfPlansAndLogs runs a plan whose configuration keeps an
// environment secret, encoded every way, in a resource and prints it in warnings, on the real
// Docker Engine; then approves and applies that saved plan. The stored plan file, its JSON
// and the log hold the secret in no form (the plan and its JSON are sealed, the JSON and the
// log redacted), and the apply still applies the saved plan.
func TestDockerSecretsStayOutOfPlansAndLogs(t *testing.T) {
	forms := secretForms(t)
	rig := newDockerRig(t, func(ctx context.Context, project string, deploymentID int64) (Prepared, error) {
		return Prepared{Files: map[string][]byte{"main.tf": []byte(secretConfig)},
			Env: map[string]string{"TF_VAR_db_password": dockerSecret}, Secrets: []string{dockerSecret}}, nil
	})
	ctx := context.Background()
	run, err := rig.svc.Plan(ctx, "team", rig.deployment, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	r := waitState(t, rig.store, run.ID, store.RunPlanned)
	if s := summaryOf(t, r); s.Add != 1 {
		t.Errorf("plan: %+v, want 1 to add", s)
	}
	plan, planJSON, err := rig.store.RunPlan(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if found := leaks(t, forms, plan); len(found) > 0 {
		t.Errorf("the stored plan file (%d bytes) holds the secret as %q", len(plan), found)
	}
	if found := leaks(t, forms, planJSON); len(found) > 0 {
		t.Errorf("the stored plan JSON holds the secret as %q", found)
	}
	// Opened, the plan is terraform's, holding the secret (so the checks above can find it);
	// the JSON is redacted as well as sealed.
	if !r.PlanSealed {
		t.Error("the run's plan is not marked sealed")
	}
	opened, openedJSON, err := rig.svc.savedPlan(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if found := leaks(t, forms, opened); !slices.Contains(found, "value") {
		t.Errorf("the opened plan (%d bytes) does not hold the secret: found %q", len(opened), found)
	}
	if found := leaks(t, forms, openedJSON); len(found) > 0 || !bytes.Contains(openedJSON, []byte(Redacted)) {
		t.Errorf("the opened plan JSON holds the secret as %q (or nothing was redacted):\n%s", found, openedJSON)
	}

	if _, err := rig.svc.Approve(ctx, run.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	waitState(t, rig.store, run.ID, store.RunApplied)
	lines, err := rig.store.RunLog(ctx, run.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	for _, l := range lines {
		log.WriteString(l.Text + "\n")
	}
	// The warning was printed, at plan and at apply, with the encodings redacted.
	if n := strings.Count(log.String(), "Check block assertion failed"); n < 2 {
		t.Errorf("the log has %d check warnings, want one at plan and one at apply:\n%s", n, log.String())
	}
	if found := leaks(t, forms, []byte(log.String())); len(found) > 0 {
		t.Errorf("the log holds the secret as %q:\n%s", found, log.String())
	}
	versions, err := rig.store.StateVersions(ctx, rig.deployment, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 1 || versions[0].Resources != 1 {
		t.Errorf("state versions after the apply: %+v, want one with the resource", versions)
	}
}
