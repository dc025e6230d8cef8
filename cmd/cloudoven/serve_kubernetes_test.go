package main

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestServePlansOnKubernetes runs `cloudoven serve -runner kubernetes` against the test
// cluster and plans a deployment through the web app, with CloudOven's own state backend
// and the environment's default egress (none): the plan runs as a Job in the namespace,
// reaches the state backend at the node's address, and its log reaches the run page.
func TestServePlansOnKubernetes(t *testing.T) {
	kubeconfig := testenv.Kubernetes(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("listing nodes: %v", err)
	}
	var nodeIP string
	for _, a := range nodes.Items[0].Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			nodeIP = a.Address
		}
	}
	// Pods reach this host at the node's address: serve listens there.
	ln, err := net.Listen("tcp", net.JoinHostPort(nodeIP, "0"))
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ns := "cloudoven-serve-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	for start := time.Now(); ; {
		if _, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			break
		}
		if time.Since(start) > time.Minute {
			t.Fatalf("namespace %s has no default service account", ns)
		}
		<-time.After(100 * time.Millisecond)
	}

	t.Setenv("KUBECONFIG", kubeconfig)
	p := startServeProcessWith(t, "serve", "-addr", addr, "-data-dir", filepath.Join(t.TempDir(), "data"),
		"-runner", "kubernetes", "-runner-kube-namespace", ns, "-state-url", "http://"+addr, "-log-level", "info")
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
