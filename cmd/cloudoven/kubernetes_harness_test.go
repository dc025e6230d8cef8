package main

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
)

// kubeRunNamespace is a run namespace of the test's own on the test cluster, removed when
// the test ends, as `cloudoven serve -runner kubernetes` is started against it: the
// cluster's kubeconfig, KUBECONFIG set to it for the serve processes the test starts, and
// the node's address, where pods reach this host (a server listens there).
type kubeRunNamespace struct {
	kubeconfig string
	cs         kubernetes.Interface
	ns         string
	nodeIP     string
}

// newKubeRunNamespace makes the namespace (prefix and a suffix) and waits for its default
// service account, without which no pod is admitted.
func newKubeRunNamespace(t *testing.T, prefix string) *kubeRunNamespace {
	t.Helper()
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
	ns := prefix + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
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
	return &kubeRunNamespace{kubeconfig: kubeconfig, cs: cs, ns: ns, nodeIP: nodeIP}
}

// addr is a free address on the node's IP for a server to listen at.
func (k *kubeRunNamespace) addr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(k.nodeIP, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveArgs are the flags of a server that runs its Jobs in the namespace and listens at
// addr, which is also where its runs reach its state backend.
func (k *kubeRunNamespace) serveArgs(addr string) []string {
	return []string{"-addr", addr, "-state-url", "http://" + addr, "-runner", "kubernetes", "-runner-kube-namespace", k.ns}
}

// leftovers waits until no Job, pod or Secret of a run is left in the namespace (every
// stage deletes its own; what a killed server ran, the server that reaps its runs), and
// returns what is still there when it gives up.
func (k *kubeRunNamespace) leftovers(t *testing.T, within time.Duration) []string {
	t.Helper()
	ctx := context.Background()
	sel := metav1.ListOptions{LabelSelector: runner.LabelRun}
	var left []string
	for deadline := time.Now().Add(within); ; {
		left = left[:0]
		jobs, err := k.cs.BatchV1().Jobs(k.ns).List(ctx, sel)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs.Items {
			left = append(left, "job "+j.Name)
		}
		pods, err := k.cs.CoreV1().Pods(k.ns).List(ctx, sel)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pods.Items {
			left = append(left, "pod "+p.Name)
		}
		secrets, err := k.cs.CoreV1().Secrets(k.ns).List(ctx, sel)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets.Items {
			left = append(left, "secret "+s.Name)
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		<-time.After(500 * time.Millisecond)
	}
}
