package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServePlansOnKubernetes runs `cloudoven serve -runner kubernetes` against the test
// cluster and plans a deployment through the web app, with CloudOven's own state backend
// and the environment's default egress (none): the plan runs as a Job in the namespace,
// reaches the state backend at the node's address, and its log reaches the run page.
func TestServePlansOnKubernetes(t *testing.T) {
	k := newKubeRunNamespace(t, "cloudoven-serve-")
	// Pods reach this host at the node's address: serve listens there.
	addr := k.addr(t)
	p := startServeProcessWith(t, append([]string{"serve", "-data-dir", filepath.Join(t.TempDir(), "data"), "-log-level", "info"},
		k.serveArgs(addr)...)...)
	m := regexp.MustCompile(`CloudOven created the first user admin with password (\S+);`).FindStringSubmatch(strings.Join(p.before, ""))
	if m == nil {
		t.Fatalf("no first-user message before the start line: %q", p.before)
	}
	b := signIn(t, p.base, m[1])
	b.do(http.MethodPost, "/projects", url.Values{"name": {"team"}})
	b.do(http.MethodPost, "/projects/team/blueprints", url.Values{"document_text": {chainedBlueprint(3)}, "message": {"chain"}})
	b.do(http.MethodPost, "/projects/team/environments", url.Values{"name": {"dev"}})
	b.do(http.MethodPost, "/projects/team/environments/dev/backend", url.Values{"backend_type": {"http"}})
	doc, deployment := b.do(http.MethodPost, "/projects/team/deployments", url.Values{"blueprint": {"chain"}, "environment": {"dev"}})
	plan := testID(doc, "plan-form")
	if plan.Length() != 1 {
		t.Fatalf("the deployment page %s has no Plan button", deployment)
	}
	_, runURL := b.do(http.MethodPost, plan.AttrOr("action", ""), url.Values{"op": {"plan"}})

	deadline := time.Now().Add(3 * time.Minute)
	for {
		page, _ := b.do(http.MethodGet, runURL, nil)
		state := strings.TrimSpace(testID(page, "run-state").Text())
		lines := logLines(page)
		if state == "planned" {
			if !strings.Contains(strings.Join(lines, "\n"), "Plan: 3 to add, 0 to change, 0 to destroy.") {
				t.Errorf("the planned run's log lacks the plan summary:\n%s", strings.Join(lines, "\n"))
			}
			break
		}
		if state != "queued" && state != "running" || time.Now().After(deadline) {
			t.Fatalf("the run is %s; log:\n%s\nserve's stderr:\n%s", state, strings.Join(lines, "\n"), p.stderr)
		}
		<-time.After(200 * time.Millisecond)
	}
}
