package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// kubeEnv is a Kubernetes executor on the test cluster, in a namespace of the test's own.
type kubeEnv struct {
	k  *Kubernetes
	cs kubernetes.Interface
	ns string
}

// newKubernetes starts (or finds) the test cluster, makes a namespace for the test, removed
// when it ends, and the executor on it.
func newKubernetes(t testing.TB, opts KubernetesOptions) *kubeEnv {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", testenv.Kubernetes(t))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ns := "cloudoven-" + strings.TrimPrefix(newRunID(t), "test-")
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	// A pod is admitted only once its namespace has its default service account.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("namespace %s has no default service account: %v", ns, err)
	}
	opts.Namespace = ns
	if opts.Instance == "" {
		opts.Instance = "test"
	}
	k, err := NewKubernetes(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	return &kubeEnv{k: k, cs: cs, ns: ns}
}

// assertJobGone waits until the run's Job, pod and Secret are gone.
func (e *kubeEnv) assertJobGone(t *testing.T, runID string) {
	t.Helper()
	selector := metav1.ListOptions{LabelSelector: LabelRun + "=" + kubeLabel(runID)}
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		jobs, err := e.cs.BatchV1().Jobs(e.ns).List(ctx, selector)
		if err != nil || len(jobs.Items) > 0 {
			return false, nil
		}
		pods, err := e.cs.CoreV1().Pods(e.ns).List(ctx, selector)
		if err != nil || len(pods.Items) > 0 {
			return false, nil
		}
		secrets, err := e.cs.CoreV1().Secrets(e.ns).List(ctx, selector)
		return err == nil && len(secrets.Items) == 0, nil
	})
	if err != nil {
		t.Errorf("run %s left its job, pod or secret: %v", runID, err)
	}
}

func TestKubernetesPlanThenApplySavedPlan(t *testing.T) {
	t.Parallel()
	e := newKubernetes(t, KubernetesOptions{})
	ctx := context.Background()

	var mu sync.Mutex
	var started []int
	plan := Job{
		RunID: newRunID(t),
		Files: map[string][]byte{"main.tf": []byte(dataConfig), "scripts/nested/note.txt": []byte("delivered\n")},
		Steps: [][]string{
			{"init", "-input=false", "-no-color"},
			{"plan", "-input=false", "-no-color", "-out=tfplan"},
			{"show", "-json", "tfplan"},
		},
		StdoutFiles: map[int]string{2: "plan.json"},
		Collect:     []string{"tfplan", "plan.json", "scripts/nested/note.txt", "no-such-file"},
		Started: func(step int, at time.Time) {
			mu.Lock()
			defer mu.Unlock()
			started = append(started, step)
		},
	}
	out := &output{t: t}
	start := time.Now()
	res, err := e.k.Run(ctx, plan, out)
	t.Logf("plan job (init, plan, show) took %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if res.ExitCode != 0 || res.Step != 2 {
		t.Fatalf("plan exit code %d at step %d, want 0 at 2\n%s", res.ExitCode, res.Step, out)
	}
	// The log in the order terraform wrote it, with no report line in it.
	initAt, planAt := -1, -1
	for i, l := range out.lines {
		switch {
		case strings.Contains(l, "Terraform has been successfully initialized!"):
			initAt = i
		case strings.Contains(l, "Plan: 1 to add, 0 to change, 0 to destroy."):
			planAt = i
		case strings.Contains(l, plan.RunID) || strings.Contains(l, " started ") || strings.Contains(l, `"format_version"`):
			t.Errorf("output line %q is not terraform's", l)
		}
	}
	if initAt < 0 || planAt < initAt {
		t.Errorf("output lacks init then plan (at %d, %d):\n%s", initAt, planAt, out)
	}
	if !reflectEqual(started, []int{0, 1, 2}) || len(res.Started) != 3 {
		t.Errorf("steps reported started %v, result has %d start times; want 0, 1, 2 and 3", started, len(res.Started))
	}
	var shown struct {
		ResourceChanges []struct{ Address string } `json:"resource_changes"`
	}
	if err := json.Unmarshal(res.Files["plan.json"], &shown); err != nil || len(shown.ResourceChanges) != 1 || shown.ResourceChanges[0].Address != "terraform_data.greeting" {
		t.Errorf("plan.json (show's stdout) = %v, %.200s; want the change of terraform_data.greeting", err, res.Files["plan.json"])
	}
	if string(res.Files["scripts/nested/note.txt"]) != "delivered\n" {
		t.Errorf("a nested file came back as %q", res.Files["scripts/nested/note.txt"])
	}
	if len(res.Files["tfplan"]) == 0 {
		t.Fatalf("tfplan not collected; got files %v", keys(res.Files))
	}
	if _, ok := res.Files["no-such-file"]; ok {
		t.Error("a missing Collect file was returned")
	}
	e.assertJobGone(t, plan.RunID)

	apply := Job{
		RunID:   newRunID(t),
		Files:   map[string][]byte{"main.tf": []byte(dataConfig)},
		Extra:   map[string][]byte{"tfplan": res.Files["tfplan"]},
		Steps:   [][]string{{"init", "-input=false", "-no-color"}, {"apply", "-input=false", "-no-color", "tfplan"}},
		Collect: []string{"terraform.tfstate"},
	}
	out = &output{t: t}
	res, err = e.k.Run(ctx, apply, out)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("apply: %v, exit code %d\n%s", err, res.ExitCode, out)
	}
	if !out.has("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.") {
		t.Errorf("output lacks the apply summary:\n%s", out)
	}
	if !bytes.Contains(res.Files["terraform.tfstate"], []byte(`"greeting"`)) {
		t.Errorf("state after apply lacks the resource:\n%s", res.Files["terraform.tfstate"])
	}
	e.assertJobGone(t, apply.RunID)
}

func reflectEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestKubernetesFailingStepStopsTheJob(t *testing.T) {
	t.Parallel()
	e := newKubernetes(t, KubernetesOptions{})
	job := Job{
		RunID: newRunID(t),
		Files: map[string][]byte{"main.tf": []byte("resource \"terraform_data\" \"x\" {\n  input = nope\n}\n")},
		Steps: [][]string{{"init", "-input=false", "-no-color"}, {"validate", "-no-color"}, {"plan", "-no-color"}},
	}
	out := &output{t: t}
	res, err := e.k.Run(context.Background(), job, out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if res.ExitCode != 1 || res.Step != 1 {
		t.Errorf("exit code %d at step %d, want 1 at step 1 (validate)\n%s", res.ExitCode, res.Step, out)
	}
	if !out.has("Invalid reference") {
		t.Errorf("output lacks validate's diagnostic:\n%s", out)
	}
	e.assertJobGone(t, job.RunID)
}

// TestKubernetesPodIsHardened looks at the job's pod, Secret and Job from the API while
// the pod runs.
func TestKubernetesPodIsHardened(t *testing.T) {
	t.Parallel()
	e := newKubernetes(t, KubernetesOptions{})
	const secretValue = "s3cr3t-value-never-in-the-pod-spec"
	job := Job{
		RunID:   newRunID(t),
		Files:   map[string][]byte{"main.tf": []byte("variable \"token\" {\n  sensitive = true\n}\n" + dataConfig)},
		Env:     map[string]string{"TF_VAR_token": secretValue},
		Steps:   [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color"}},
		Timeout: 7 * time.Minute,
		Limits:  Limits{CPUs: 1.5, MemoryBytes: 512 << 20},
	}
	var pod *corev1.Pod
	var secret *corev1.Secret
	var kjob *batchv1.Job
	var lookErr error
	job.Started = func(step int, at time.Time) {
		if step != 0 {
			return
		}
		ctx := context.Background()
		sel := metav1.ListOptions{LabelSelector: LabelRun + "=" + job.RunID}
		pods, err := e.cs.CoreV1().Pods(e.ns).List(ctx, sel)
		if err != nil || len(pods.Items) != 1 {
			lookErr = errors.Join(err, errors.New("not one pod"))
			return
		}
		pod = &pods.Items[0]
		secrets, err := e.cs.CoreV1().Secrets(e.ns).List(ctx, sel)
		if err != nil || len(secrets.Items) != 1 {
			lookErr = errors.Join(err, errors.New("not one secret"))
			return
		}
		secret = &secrets.Items[0]
		jobs, err := e.cs.BatchV1().Jobs(e.ns).List(ctx, sel)
		if err != nil || len(jobs.Items) != 1 {
			lookErr = errors.Join(err, errors.New("not one job"))
			return
		}
		kjob = &jobs.Items[0]
	}
	out := &output{t: t}
	res, err := e.k.Run(context.Background(), job, out)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
	}
	if lookErr != nil || pod == nil || secret == nil || kjob == nil {
		t.Fatalf("looking at the running job: %v", lookErr)
	}
	ps, c := pod.Spec.SecurityContext, pod.Spec.Containers[0]
	cs := c.SecurityContext
	for _, check := range []struct {
		what string
		ok   bool
	}{
		{"pod runAsNonRoot", ps.RunAsNonRoot != nil && *ps.RunAsNonRoot},
		{"pod runAsUser/runAsGroup/fsGroup 1000", *ps.RunAsUser == 1000 && *ps.RunAsGroup == 1000 && *ps.FSGroup == 1000},
		{"pod seccomp RuntimeDefault", ps.SeccompProfile != nil && ps.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
		{"no service account token", pod.Spec.AutomountServiceAccountToken != nil && !*pod.Spec.AutomountServiceAccountToken},
		{"container runAsNonRoot as 1000:1000", *cs.RunAsNonRoot && *cs.RunAsUser == 1000 && *cs.RunAsGroup == 1000},
		{"read-only root filesystem", *cs.ReadOnlyRootFilesystem},
		{"no privilege escalation", !*cs.AllowPrivilegeEscalation && !*cs.Privileged},
		{"all capabilities dropped", len(cs.Capabilities.Drop) == 1 && cs.Capabilities.Drop[0] == "ALL" && len(cs.Capabilities.Add) == 0},
		{"container seccomp RuntimeDefault", cs.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault},
		{"cpu limit 1.5", c.Resources.Limits.Cpu().MilliValue() == 1500},
		{"memory limit 512Mi", c.Resources.Limits.Memory().Value() == 512<<20},
		{"requests set", !c.Resources.Requests.Cpu().IsZero() && !c.Resources.Requests.Memory().IsZero()},
		{"backoffLimit 0", *kjob.Spec.BackoffLimit == 0},
		{"activeDeadlineSeconds from the timeout", *kjob.Spec.ActiveDeadlineSeconds == 420},
		{"ttlSecondsAfterFinished", kjob.Spec.TTLSecondsAfterFinished != nil && *kjob.Spec.TTLSecondsAfterFinished > 0},
		{"restartPolicy Never", pod.Spec.RestartPolicy == corev1.RestartPolicyNever},
		{"secret owned by the job", len(secret.OwnerReferences) == 1 && secret.OwnerReferences[0].UID == kjob.UID},
	} {
		if !check.ok {
			t.Errorf("%s: no", check.what)
		}
	}
	emptyDirs := map[string]bool{}
	for _, v := range pod.Spec.Volumes {
		if v.EmptyDir != nil {
			emptyDirs[v.Name] = true
		}
	}
	for _, m := range c.VolumeMounts {
		if (m.MountPath == "/workspace" || m.MountPath == "/tmp") && !emptyDirs[m.Name] {
			t.Errorf("%s is not an emptyDir", m.MountPath)
		}
		if m.MountPath == inputDir && !m.ReadOnly {
			t.Errorf("the secret is mounted writable")
		}
	}
	spec, _ := json.Marshal(pod.Spec)
	if bytes.Contains(spec, []byte(secretValue)) {
		t.Errorf("the pod spec holds the secret value")
	}
	if !bytes.Contains(secret.Data[envKey(0)], []byte(secretValue)) {
		t.Errorf("the secret does not hold the environment's value")
	}
	// The value reached terraform: a sensitive variable without a value would have made
	// the plan fail on input.
	if !out.has("Plan: 1 to add") {
		t.Errorf("plan did not succeed:\n%s", out)
	}
}

// nodeBackend is the locked backend on the node's address, which pods reach.
func nodeBackend(t *testing.T, e *kubeEnv) *lockedBackend {
	t.Helper()
	nodes, err := e.cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("listing nodes: %v", err)
	}
	var ip string
	for _, a := range nodes.Items[0].Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			ip = a.Address
		}
	}
	if ip == "" {
		t.Fatal("the node has no internal IP")
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	b := startLockedBackend(t)
	// The same handler, served where pods reach it.
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: b.handler}}
	srv.Start()
	t.Cleanup(srv.Close)
	return &lockedBackend{url: srv.URL + "/state", locked: b.locked, handler: b.handler}
}

func TestKubernetesCancelInterruptsTerraform(t *testing.T) {
	t.Parallel()
	const grace = 20 * time.Second
	e := newKubernetes(t, KubernetesOptions{Grace: grace})
	b := nodeBackend(t, e)
	job := lockedJob(t, b)
	job.NetworkMode = ""

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var canceledAt time.Time
	var streamed error
	out := &output{t: t}
	go func() {
		<-b.locked
		// The log is followed while the pod runs: init's lines arrive before the plan,
		// which waits on the lock, ends.
		streamed = wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, time.Minute, true,
			func(context.Context) (bool, error) {
				return out.has("Terraform has been successfully initialized!"), nil
			})
		canceledAt = time.Now()
		cancel()
	}()
	_, err := e.k.Run(ctx, job, out)
	stopped := time.Since(canceledAt)
	if streamed != nil {
		t.Errorf("init's output did not arrive while the pod ran: %v", streamed)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run error %v, want context.Canceled\n%s", err, out)
	}
	// Well inside the grace period: terraform stopped on SIGTERM, it was not killed.
	if stopped > grace/2 {
		t.Errorf("run returned %s after the cancel, want terraform to stop on SIGTERM", stopped)
	}
	t.Logf("returned %s after the cancel: %v", stopped.Round(time.Millisecond), err)
	if !out.has("Interrupt received.") {
		t.Errorf("output lacks terraform's answer to SIGTERM:\n%s", out)
	}
	e.assertJobGone(t, job.RunID)
}

func mustConfig(t *testing.T) *rest.Config {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", testenv.Kubernetes(t))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestKubernetesProvidersComeFromTheCache(t *testing.T) {
	t.Parallel()
	e := newKubernetes(t, KubernetesOptions{})
	dir := buildPackage(t, runtime.GOARCH)
	// The pod's user reads the package on the node: t.TempDir's folders are the test's.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pkg := ProviderPackage{Path: testprovPath(runtime.GOARCH), Dir: dir}
	job := Job{
		RunID:     newRunID(t),
		Files:     map[string][]byte{"main.tf": []byte(testprovConfig)},
		Steps:     [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color"}},
		Providers: []ProviderPackage{pkg},
	}
	out := &output{t: t}
	res, err := e.k.Run(context.Background(), job, out)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
	}
	if !out.has("Installed cloudoven/testprov v0.1.0 (unauthenticated)") || !out.has("Plan: 1 to add") {
		t.Errorf("the provider did not come from the package:\n%s", out)
	}

	// Without the package the same job finds the provider nowhere.
	job.RunID, job.Providers = newRunID(t), []ProviderPackage{}
	out = &output{t: t}
	res, err = e.k.Run(context.Background(), job, out)
	if err != nil || res.ExitCode != 1 || res.Step != 0 {
		t.Errorf("without the package: %v, exit code %d at step %d; want 1 at init\n%s", err, res.ExitCode, res.Step, out)
	}
}

// TestKubernetesEgressAllowListGoesThroughTheProxy runs init against an http backend
// through the pod's egress proxy: the state address passes, another address is refused.
func TestKubernetesEgressAllowListGoesThroughTheProxy(t *testing.T) {
	t.Parallel()
	e := newKubernetes(t, KubernetesOptions{})
	state := nodeBackend(t, e)
	other := nodeBackend(t, e)
	for _, tc := range []struct {
		name    string
		backend string
		code    int
	}{
		{"the state address passes", state.url, 0},
		{"another address is refused", other.url, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job := Job{
				RunID:  newRunID(t),
				Files:  map[string][]byte{"main.tf": []byte("terraform {\n  backend \"http\" {\n    address = \"" + tc.backend + "\"\n  }\n}\n" + dataConfig)},
				Steps:  [][]string{{"init", "-input=false", "-no-color"}},
				Egress: &Egress{Allow: []string{"registry.terraform.io"}, State: state.url},
			}
			out := &output{t: t}
			res, err := e.k.Run(context.Background(), job, out)
			if err != nil || res.ExitCode != tc.code {
				t.Fatalf("run: %v, exit code %d, want %d\n%s", err, res.ExitCode, tc.code, out)
			}
			if !out.has(egressProxyOnlyLine) {
				t.Errorf("output does not say what holds egress in:\n%s", out)
			}
			// The proxy refuses with 403, which terraform's http backend calls invalid auth;
			// the backend itself never answers 401 or 403.
			if tc.code != 0 && (!out.has("HTTP remote state endpoint invalid auth") || !out.has(egressLine(strings.TrimPrefix(strings.TrimSuffix(other.url, "/state"), "http://")))) {
				t.Errorf("output does not show the proxy's refusal:\n%s", out)
			}
		})
	}
}

func TestKubernetesPodTheClusterRefusesEndsTheJob(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		job  func(*Job)
		ns   map[string]string
		want string
		is   error
	}{
		{"image missing", func(j *Job) { j.Image = "cloudoven/no-such-image:1" }, nil, "cloudoven/no-such-image:1", ErrImageMissing},
		// Pod Security's restricted level forbids the hostPath the provider packages are.
		{"pod security", func(j *Job) {
			j.Providers = []ProviderPackage{{Path: testprovPath(runtime.GOARCH), Dir: "/nonexistent"}}
		},
			map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}, "the cluster refuses to create the job's pod", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newKubernetes(t, KubernetesOptions{})
			if tc.ns != nil {
				ns, err := e.cs.CoreV1().Namespaces().Get(context.Background(), e.ns, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				ns.Labels = tc.ns
				if _, err := e.cs.CoreV1().Namespaces().Update(context.Background(), ns, metav1.UpdateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			job := Job{RunID: newRunID(t), Files: map[string][]byte{"main.tf": []byte(dataConfig)}, Steps: [][]string{{"init"}}}
			tc.job(&job)
			start := time.Now()
			_, err := e.k.Run(context.Background(), job, &output{t: t})
			if err == nil || !strings.Contains(err.Error(), tc.want) || tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("run error %v, want one saying %q", err, tc.want)
			}
			t.Logf("refused in %s: %v", time.Since(start).Round(time.Millisecond), err)
			e.assertJobGone(t, job.RunID)
		})
	}
}
