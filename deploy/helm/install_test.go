package helm

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// installTimeout bounds helm install --wait: the server image's first start on a busy
// two-core machine (migrations, the catalog) is well inside it.
const installTimeout = 5 * time.Minute

// installLabel marks the namespaces this test makes, so one left by a killed test binary
// is easy to find: kubectl get ns -l cloudoven.dev/test=chart-install.
const installLabel = "cloudoven.dev/test"

// TestChartInstalls installs the chart into the real test cluster (testenv.Kubernetes) with
// the server image of this checkout, the Kubernetes executor on the release's own namespace
// and SQLite, waits for the pod to be Ready (the kubelet's probe had /readyz answer 200),
// checks the running pod from the API and its log, then uninstalls.
func TestChartInstalls(t *testing.T) {
	start := time.Now()
	image := testenv.ServerImage(t)
	kubeconfig := testenv.KubernetesImport(t, image)
	t.Logf("server image built and imported into the cluster: %s", time.Since(start).Round(100*time.Millisecond))
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	ns := installNamespace(t, cs)

	// The test cluster has no kube-proxy: the kubernetes Service's address, which the
	// in-cluster configuration reads, does not route. Its endpoint, the API server's own
	// address, does.
	host, port := apiServerEndpoint(t, cs)
	// Persistence only where a claim can be bound; the test cluster has no provisioner.
	storageClass := defaultStorageClass(t, cs)
	// The provider cache's claim, bound to a volume on the node, made beforehand: AKS would
	// provision it (ReadWriteMany, Azure Files); this cluster has no provisioner.
	providerDir := staticClaim(t, cs, ns, "providers")
	values := fmt.Sprintf(`
image: {pullPolicy: Never}
persistence: {enabled: %t}
runner:
  type: kubernetes
  namespace: %s
  apiServer: {host: %q, port: %d}
  providerCache: {existingClaim: providers}
`, storageClass != "", ns, host, port)
	t.Logf("namespace %s, API server at %s:%d, storage class %q", ns, host, port, storageClass)

	start = time.Now()
	out, err := helmOn(t, kubeconfig, installTimeout+time.Minute, "install", release, chartDir,
		"--kubeconfig", kubeconfig, "--namespace", ns, "--wait", "--timeout", installTimeout.String(), "-f", valuesFile(t, values))
	if err != nil {
		describe(t, cs, ns)
		t.Fatalf("helm install: %v\n%s", err, out)
	}
	t.Logf("helm install --wait: %s", time.Since(start).Round(100*time.Millisecond))

	name := release + "-cloudoven"
	pod := readyPod(t, cs, ns)

	// Hardened as the chart says, as the API server has it.
	psc := pod.Spec.SecurityContext
	if psc == nil || psc.RunAsUser == nil || *psc.RunAsUser != 65532 || psc.RunAsGroup == nil || *psc.RunAsGroup != 65532 ||
		psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
		t.Errorf("pod security context %+v, want uid and gid 65532, non-root", psc)
	}
	c := pod.Spec.Containers[0]
	if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("container security context %+v, want a read-only root filesystem", sc)
	}
	if c.Image != image || c.ImagePullPolicy != corev1.PullNever {
		t.Errorf("container image %s (%s), want %s (Never)", c.Image, c.ImagePullPolicy, image)
	}
	// The user the runtime started the process as, where kubelet and runtime report it.
	for _, st := range pod.Status.ContainerStatuses {
		if st.User != nil && st.User.Linux != nil && (st.User.Linux.UID != 65532 || st.User.Linux.GID != 65532) {
			t.Errorf("the container runs as %d:%d, want 65532:65532", st.User.Linux.UID, st.User.Linux.GID)
		}
	}

	// The secret key: the chart's Secret, mounted read-only where CLOUDOVEN_SECRET_KEY_FILE
	// points (the server refuses to start without reading it).
	mounted := false
	for _, m := range c.VolumeMounts {
		if m.Name == "secret-key" && m.MountPath == "/etc/cloudoven/secret-key" && m.ReadOnly {
			mounted = true
		}
	}
	var keyVolume *corev1.SecretVolumeSource
	for _, v := range pod.Spec.Volumes {
		if v.Name == "secret-key" {
			keyVolume = v.Secret
		}
	}
	if !mounted || keyVolume == nil || keyVolume.SecretName != name {
		t.Errorf("secret-key volume %+v mounted %v, want the Secret %s read-only at /etc/cloudoven/secret-key", keyVolume, mounted, name)
	}
	secret, err := cs.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the chart's Secret: %v", err)
	}
	if key, err := base64.StdEncoding.DecodeString(string(secret.Data["secret-key"])); err != nil || len(key) != 32 {
		t.Errorf("the generated secret key is not base64 of 32 bytes (%d bytes, %v)", len(key), err)
	}

	// The provider cache: the server opened it on the claim's volume, writing its own
	// directories there as its own user.
	if entries, err := os.ReadDir(providerDir); err != nil || len(entries) == 0 {
		t.Errorf("the server wrote nothing to the provider cache's volume (%v)", err)
	}

	// The log: the start line, the first user, and no warning or error (the executor's
	// start-up Ping and orphan sweep ran with the Role's rights and the API server answered).
	logs := podLog(t, cs, ns, pod.Name)
	for _, want := range []string{"level=INFO msg=listening addr=", "CloudOven created the first user admin"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the pod's log has no %q", want)
		}
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") || klogProblem.MatchString(line) {
			t.Errorf("the pod logged: %s", line)
		}
	}
	if t.Failed() {
		describe(t, cs, ns)
	}

	start = time.Now()
	out, err = helmOn(t, kubeconfig, 3*time.Minute, "uninstall", release, "--kubeconfig", kubeconfig, "--namespace", ns, "--wait", "--timeout", "2m")
	if err != nil {
		t.Fatalf("helm uninstall: %v\n%s", err, out)
	}
	t.Logf("helm uninstall --wait: %s", time.Since(start).Round(100*time.Millisecond))
	if _, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Deployment after helm uninstall: %v, want it gone", err)
	}
	if _, err := cs.RbacV1().Roles(ns).Get(ctx, name+"-runs", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Role after helm uninstall: %v, want it gone", err)
	}
	// helm.sh/resource-policy: keep: the key that seals the secrets outlives the release.
	if kept, err := cs.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{}); err != nil {
		t.Errorf("the chart's Secret after helm uninstall: %v, want it kept", err)
	} else if string(kept.Data["secret-key"]) != string(secret.Data["secret-key"]) {
		t.Errorf("the kept Secret's key changed")
	}
}

// klogProblem is a warning, error or fatal line of klog, which client-go logs through.
var klogProblem = regexp.MustCompile(`^[WEF]\d{4} \d\d:\d\d:\d\d`)

// installNamespace makes a fresh namespace for one test and deletes it, waiting until it is
// gone, when the test ends.
func installNamespace(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	n, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "cloudoven-install-",
		Labels:       map[string]string{installLabel: "chart-install"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating the test's namespace: %v", err)
	}
	t.Cleanup(func() {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		err := cs.CoreV1().Namespaces().Delete(ctx, n.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting namespace %s: %v", n.Name, err)
			return
		}
		err = wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
			_, err := cs.CoreV1().Namespaces().Get(ctx, n.Name, metav1.GetOptions{})
			return apierrors.IsNotFound(err), nil
		})
		if err != nil {
			t.Errorf("namespace %s is still there: %v", n.Name, err)
			return
		}
		t.Logf("namespace %s deleted in %s", n.Name, time.Since(start).Round(100*time.Millisecond))
	})
	return n.Name
}

// apiServerEndpoint is the address and port the API server serves pods on: the endpoint
// of the kubernetes Service in the default namespace.
func apiServerEndpoint(t *testing.T, cs kubernetes.Interface) (string, int32) {
	t.Helper()
	slices, err := cs.DiscoveryV1().EndpointSlices("default").List(t.Context(), metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=kubernetes"})
	if err != nil {
		t.Fatalf("the kubernetes Service's endpoints: %v", err)
	}
	for _, s := range slices.Items {
		for _, p := range s.Ports {
			if p.Port == nil || len(s.Endpoints) == 0 || len(s.Endpoints[0].Addresses) == 0 {
				continue
			}
			return s.Endpoints[0].Addresses[0], *p.Port
		}
	}
	t.Fatalf("the kubernetes Service has no endpoint: %+v", slices.Items)
	return "", 0
}

// defaultStorageClass is the name of the cluster's default StorageClass, or "" without one.
func defaultStorageClass(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	classes, err := cs.StorageV1().StorageClasses().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("listing storage classes: %v", err)
	}
	for _, c := range classes.Items {
		if c.Annotations["storageclass.kubernetes.io/is-default-class"] == "true" {
			return c.Name
		}
	}
	return ""
}

// readyPod is the release's one pod; the test fails unless it is Ready.
func readyPod(t *testing.T, cs kubernetes.Interface, ns string) *corev1.Pod {
	t.Helper()
	pods, err := cs.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{
		LabelSelector: "app.kubernetes.io/name=cloudoven,app.kubernetes.io/instance=" + release,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 1 {
		describe(t, cs, ns)
		t.Fatalf("%d pods of the release, want 1", len(pods.Items))
	}
	pod := &pods.Items[0]
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return pod
		}
	}
	describe(t, cs, ns)
	t.Fatalf("pod %s is not Ready: %+v", pod.Name, pod.Status.Conditions)
	return nil
}

// podLog is the whole log of the pod's container.
func podLog(t *testing.T, cs kubernetes.Interface, ns, pod string) string {
	t.Helper()
	r, err := cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{}).Stream(t.Context())
	if err != nil {
		t.Fatalf("reading the log of pod %s: %v", pod, err)
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		t.Fatalf("reading the log of pod %s: %v", pod, err)
	}
	return string(data)
}

// describe logs what the namespace's pods and events say, for a test that failed.
func describe(t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, p := range pods.Items {
			t.Logf("pod %s: phase %s, conditions %+v, containers %+v", p.Name, p.Status.Phase, p.Status.Conditions, p.Status.ContainerStatuses)
			if r, err := cs.CoreV1().Pods(ns).GetLogs(p.Name, &corev1.PodLogOptions{}).Stream(ctx); err == nil {
				data, _ := io.ReadAll(io.LimitReader(r, 64<<10))
				r.Close()
				t.Logf("log of %s:\n%s", p.Name, data)
			}
		}
	}
	if events, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{}); err == nil {
		for _, e := range events.Items {
			t.Logf("event %s %s/%s: %s %s", e.Type, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Reason, e.Message)
		}
	}
}

// staticClaim makes a claim name in ns bound to a volume of its own on the node, a
// directory anyone may write (the server runs as 65532), and returns the directory. The
// volume is deleted with the test.
func staticClaim(t *testing.T, cs kubernetes.Interface, ns, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	size := resource.MustParse("1Gi")
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: ns + "-" + name, Labels: map[string]string{installLabel: "chart-install"}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			ClaimRef:                      &corev1.ObjectReference{Namespace: ns, Name: name},
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: dir}},
		},
	}
	if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.CoreV1().PersistentVolumes().Delete(context.Background(), pv.Name, metav1.DeleteOptions{}) })
	empty := ""
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
			StorageClassName: &empty,
			VolumeName:       pv.Name,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
	if _, err := cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return dir
}
