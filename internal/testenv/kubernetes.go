package testenv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// The single-node Kubernetes the tests of the Kubernetes executor run on is the one
// ../shared/tools/k8s/up.sh stands up from upstream sources (beside the repository, as on
// CI). Its home (K8sHome) is a cache directory outside the repository, so the binaries it
// builds (6.5 minutes cold) are reused by every later test run (under a minute). The
// cluster is left running for the next test binary: .ci/run stops it with down.sh when CI
// ends; on a developer machine stop it with `K8S_HOME=<K8sHome> ../shared/tools/k8s/down.sh`.

var kube struct {
	sync.Mutex
	kubeconfig string
	imported   bool
}

// K8sHome is where the test cluster lives: $CLOUDOVEN_K8S_HOME, else cloudoven-k8s in the
// user's cache directory ($XDG_CACHE_HOME, else ~/.cache).
func K8sHome() string {
	if d := os.Getenv("CLOUDOVEN_K8S_HOME"); d != "" {
		return d
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "cloudoven-k8s")
}

// K8sTools is the directory of up.sh and down.sh: $CLOUDOVEN_K8S_TOOLS, else
// ../shared/tools/k8s beside the repository.
func K8sTools() string {
	if d := os.Getenv("CLOUDOVEN_K8S_TOOLS"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(), "..", "shared", "tools", "k8s")
}

// Kubernetes returns the kubeconfig of the test cluster, standing it up when it does not
// answer, with the runner and egress proxy images (RunnerImage, built from this checkout) imported into its
// containerd: pods run it without a registry. Test binaries running at once take turns
// with a file lock. A machine that cannot run the cluster (no up.sh, not root, no
// containerd) skips locally and fails under CI=true.
func Kubernetes(t testing.TB) string {
	t.Helper()
	RunnerImage(t)
	kube.Lock()
	defer kube.Unlock()
	if kube.kubeconfig != "" && kube.imported {
		return kube.kubeconfig
	}
	up := filepath.Join(K8sTools(), "up.sh")
	if _, err := os.Stat(up); err != nil {
		Unavailable(t, "no Kubernetes test cluster script: "+err.Error())
		return ""
	}
	if os.Getuid() != 0 {
		Unavailable(t, "the Kubernetes test cluster (up.sh) runs as root")
		return ""
	}
	for _, bin := range []string{"containerd", "runc", "ctr"} {
		if _, err := exec.LookPath(bin); err != nil {
			Unavailable(t, "the Kubernetes test cluster needs "+bin+" (Debian: containerd, runc)")
			return ""
		}
	}
	home := K8sHome()
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	unlock := fileLock(t, filepath.Join(home, ".cloudoven-tests.lock"))
	defer unlock()

	kubeconfig := filepath.Join(home, "admin.kubeconfig")
	if !kubeAnswers(kubeconfig) {
		// up.sh starts only what is not running, so a half-up cluster is completed.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", up)
		cmd.Dir = home
		cmd.Env = append(os.Environ(), "K8S_HOME="+home)
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			Unavailable(t, fmt.Sprintf("up.sh: %v\n%s", err, out))
			return ""
		}
		t.Logf("kubernetes test cluster up in %s (K8S_HOME=%s)", time.Since(start).Round(time.Second), home)
		if !kubeAnswers(kubeconfig) {
			Unavailable(t, "the Kubernetes test cluster does not answer after up.sh")
			return ""
		}
	}
	kube.kubeconfig = kubeconfig
	if !kube.imported {
		// The images of this checkout, always: ones from an older checkout would test those.
		if err := importImages(home, runnerImageName, egressImageName); err != nil {
			t.Fatal(err)
		}
		kube.imported = true
	}
	return kubeconfig
}

// KubernetesImport imports images from the Docker daemon into the test cluster's
// containerd, standing the cluster up first (Kubernetes), and returns its kubeconfig. The
// cluster has no registry: pods run an imported image with imagePullPolicy Never or
// IfNotPresent, named as Docker names it (cloudoven/server:0.1.0 is
// docker.io/cloudoven/server:0.1.0 to containerd, which is what a pod spec's short name means).
func KubernetesImport(t testing.TB, images ...string) string {
	t.Helper()
	kubeconfig := Kubernetes(t)
	if err := importImages(K8sHome(), images...); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// importImages pipes `docker save images` into the cluster's containerd (its k8s.io
// namespace, where the kubelet looks).
func importImages(home string, images ...string) error {
	save := exec.Command("docker", append([]string{"save"}, images...)...)
	load := exec.Command("ctr", "-a", filepath.Join(home, "run", "containerd", "containerd.sock"), "-n", "k8s.io", "images", "import", "-")
	pipe, err := save.StdoutPipe()
	if err != nil {
		return err
	}
	load.Stdin = pipe
	var out bytes.Buffer
	load.Stdout, load.Stderr = &out, &out
	if err := save.Start(); err != nil {
		return fmt.Errorf("docker save: %w", err)
	}
	lerr := load.Start()
	// ctr holds the pipe now: without this copy, a ctr that stops early leaves docker save
	// blocked on a pipe no one reads.
	pipe.Close()
	if lerr == nil {
		lerr = load.Wait()
	}
	serr := save.Wait()
	if lerr != nil || serr != nil {
		return fmt.Errorf("importing %s into the test cluster: docker save: %v; ctr import: %v\n%s", strings.Join(images, ", "), serr, lerr, out.String())
	}
	return nil
}

// runnerImageName is runner.DefaultImage, egressImageName runner.DefaultEgressImage
// (testenv does not import runner).
const (
	runnerImageName = "cloudoven/terraform:1.5.7-3"
	egressImageName = "cloudoven/egress:1"
)

// kubeAnswers says whether the cluster of kubeconfig answers and its node is ready.
func kubeAnswers(kubeconfig string) bool {
	if _, err := os.Stat(kubeconfig); err != nil {
		return false
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return false
	}
	cfg.Timeout = 5 * time.Second
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		return false
	}
	for _, n := range nodes.Items {
		for _, c := range n.Status.Conditions {
			if c.Type == "Ready" && c.Status == "True" {
				return true
			}
		}
	}
	return false
}

// fileLock takes an exclusive lock on path until unlock.
func fileLock(t testing.TB, path string) (unlock func()) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}
