package helm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// chartDir is the chart under test.
var chartDir = filepath.Join(testenv.RepoRoot(), "deploy", "helm", "cloudoven")

// The release every test renders: its name and namespace.
const (
	release   = "co"
	namespace = "cloudoven"
)

// rendered is what helm template made of one value set, decoded strictly into Kubernetes'
// types: a field the API does not know fails the decoding.
type rendered struct {
	Deployment     *appsv1.Deployment
	Service        *corev1.Service
	ServiceAccount *corev1.ServiceAccount
	Secrets        []*corev1.Secret
	PVCs           []*corev1.PersistentVolumeClaim
	Role           *rbacv1.Role
	RoleBinding    *rbacv1.RoleBinding
	Ingress        *networkingv1.Ingress
	PDB            *policyv1.PodDisruptionBudget
	// Manifest is helm's whole output.
	Manifest string
}

// helm runs the helm binary with args, on no cluster, and answers its output, stderr included.
func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return helmOn(t, os.DevNull, 2*time.Minute, args...)
}

// helmOn runs the helm binary with args on the cluster of kubeconfig, for at most timeout.
func helmOn(t *testing.T, kubeconfig string, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	bin := testenv.Helm(t)
	// Not t.Context: cleanups uninstall with it, after that context is done.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	// helm keeps its own configuration and caches: none of the user's.
	home := t.TempDir()
	cmd.Env = append(os.Environ(), "HELM_CONFIG_HOME="+home, "HELM_CACHE_HOME="+home, "HELM_DATA_HOME="+home, "KUBECONFIG="+kubeconfig)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// valuesFile writes values (YAML) into a file helm reads with -f. Not under t.TempDir: helm
// splits -f at commas, which subtests' names carry into it.
func valuesFile(t *testing.T, values string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "cloudoven-values-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "values.yaml")
	if err := os.WriteFile(path, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// template renders the chart with values; err holds helm's message when it refuses them.
func template(t *testing.T, values string) (*rendered, error) {
	t.Helper()
	out, err := helm(t, "template", release, chartDir, "--namespace", namespace, "--kube-version", "1.33.0", "-f", valuesFile(t, values))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, out)
	}
	r := &rendered{Manifest: out}
	for _, doc := range strings.Split(out, "\n---\n") {
		if strings.TrimSpace(strings.TrimPrefix(doc, "---")) == "" {
			continue
		}
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("reading a rendered object's kind: %v\n%s", err, doc)
		}
		var obj any
		switch meta.Kind {
		case "Deployment":
			r.Deployment = &appsv1.Deployment{}
			obj = r.Deployment
		case "Service":
			r.Service = &corev1.Service{}
			obj = r.Service
		case "ServiceAccount":
			r.ServiceAccount = &corev1.ServiceAccount{}
			obj = r.ServiceAccount
		case "Secret":
			s := &corev1.Secret{}
			r.Secrets = append(r.Secrets, s)
			obj = s
		case "PersistentVolumeClaim":
			c := &corev1.PersistentVolumeClaim{}
			r.PVCs = append(r.PVCs, c)
			obj = c
		case "Role":
			r.Role = &rbacv1.Role{}
			obj = r.Role
		case "RoleBinding":
			r.RoleBinding = &rbacv1.RoleBinding{}
			obj = r.RoleBinding
		case "Ingress":
			r.Ingress = &networkingv1.Ingress{}
			obj = r.Ingress
		case "PodDisruptionBudget":
			r.PDB = &policyv1.PodDisruptionBudget{}
			obj = r.PDB
		default:
			t.Fatalf("the chart renders a %s %s the test does not know: check it here", meta.APIVersion, meta.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("decoding the %s: %v\n%s", meta.Kind, err, doc)
		}
	}
	if r.Deployment == nil || r.Service == nil {
		t.Fatalf("no Deployment or Service rendered:\n%s", out)
	}
	return r, nil
}

// container is the Deployment's one container.
func (r *rendered) container(t *testing.T) corev1.Container {
	t.Helper()
	cs := r.Deployment.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("the pod has %d containers, want 1", len(cs))
	}
	return cs[0]
}

// env is the container's variable name, or nil when it has none.
func (r *rendered) env(t *testing.T, name string) *corev1.EnvVar {
	t.Helper()
	for _, e := range r.container(t).Env {
		if e.Name == name {
			return &e
		}
	}
	return nil
}
