package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// dataConfig needs no provider download: terraform_data is terraform's builtin provider.
const dataConfig = `resource "terraform_data" "greeting" {
  input = "hello"
}

output "greeting" {
  value = terraform_data.greeting.output
}
`

// newDocker is the executor under test on the real daemon, with DefaultImage present.
func newDocker(t *testing.T, opts DockerOptions) (*Docker, *client.Client) {
	t.Helper()
	cli := testenv.Docker(t)
	runnerImage(t, cli)
	d, err := NewDocker(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, cli
}

func newRunID(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "test-" + hex.EncodeToString(b)
}

// output collects what Run writes and checks that every write is one whole line.
type output struct {
	t     *testing.T
	mu    sync.Mutex
	lines []string
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := string(p)
	if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		o.t.Errorf("write is not one line: %q", s)
	}
	o.lines = append(o.lines, strings.TrimSuffix(s, "\n"))
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.lines, "\n")
}

func (o *output) has(line string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, l := range o.lines {
		if strings.Contains(l, line) {
			return true
		}
	}
	return false
}

// hasWords says whether the output has these words in this order, whatever the line
// breaks between them (terraform wraps its diagnostics).
func (o *output) hasWords(words string) bool {
	return strings.Contains(strings.Join(strings.Fields(o.String()), " "), strings.Join(strings.Fields(words), " "))
}

// assertNothingLeft checks that no container, network or volume of the run is left.
func assertNothingLeft(t *testing.T, cli *client.Client, runID string) {
	t.Helper()
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", LabelRun+"="+runID))
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) > 0 || len(vs.Volumes) > 0 || len(ns) > 0 {
		t.Errorf("run %s left %d containers, %d volumes and %d networks", runID, len(cs), len(vs.Volumes), len(ns))
	}
}

func TestPlanThenApplySavedPlan(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{})
	ctx := context.Background()

	plan := Job{
		RunID: newRunID(t),
		Files: map[string][]byte{"main.tf": []byte(dataConfig)},
		Steps: [][]string{
			{"init", "-input=false", "-no-color"},
			{"plan", "-input=false", "-no-color", "-out=tfplan"},
			{"show", "-json", "tfplan"},
		},
		Collect:     []string{"tfplan", "no-such-file"},
		NetworkMode: "none",
	}
	out := &output{t: t}
	start := time.Now()
	res, err := d.Run(ctx, plan, out)
	t.Logf("plan job (init, plan, show) took %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if res.ExitCode != 0 {
		t.Fatalf("plan exit code %d\n%s", res.ExitCode, out)
	}
	for _, want := range []string{"Terraform has been successfully initialized!", "Plan: 1 to add, 0 to change, 0 to destroy."} {
		if !out.has(want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var shown tfjson.Plan
	for _, l := range out.lines {
		if strings.HasPrefix(l, `{"format_version"`) {
			if err := json.Unmarshal([]byte(l), &shown); err != nil {
				t.Fatalf("show -json: %v", err)
			}
		}
	}
	if len(shown.ResourceChanges) != 1 || shown.ResourceChanges[0].Address != "terraform_data.greeting" {
		t.Errorf("show -json resource changes = %+v, want terraform_data.greeting", shown.ResourceChanges)
	}
	if len(res.Files["tfplan"]) == 0 {
		t.Fatalf("tfplan not collected; got files %v", keys(res.Files))
	}
	if _, ok := res.Files["no-such-file"]; ok {
		t.Error("a missing Collect file was returned")
	}
	assertNothingLeft(t, cli, plan.RunID)

	apply := Job{
		RunID:       newRunID(t),
		Files:       plan.Files,
		Extra:       map[string][]byte{"tfplan": res.Files["tfplan"]},
		Steps:       [][]string{{"init", "-input=false", "-no-color"}, {"apply", "-input=false", "-no-color", "tfplan"}},
		Collect:     []string{"terraform.tfstate"},
		NetworkMode: "none",
	}
	out = &output{t: t}
	res, err = d.Run(ctx, apply, out)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if res.ExitCode != 0 {
		t.Fatalf("apply exit code %d\n%s", res.ExitCode, out)
	}
	if !out.has("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.") {
		t.Errorf("output lacks the apply summary:\n%s", out)
	}
	if !bytes.Contains(res.Files["terraform.tfstate"], []byte(`"greeting"`)) {
		t.Errorf("state after apply lacks the resource:\n%s", res.Files["terraform.tfstate"])
	}
	assertNothingLeft(t, cli, apply.RunID)
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestFailingStepStopsTheJob(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{})
	var mu sync.Mutex
	containers := map[string]int{}
	d.created = func(ctx context.Context, role, id string) {
		if role != "step" {
			return
		}
		info, err := cli.ContainerInspect(ctx, id)
		if err != nil {
			t.Errorf("inspecting a step container: %v", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		containers[info.Config.Labels[LabelRun]]++
	}
	for _, tc := range []struct {
		name       string
		image      string
		containers int
	}{
		{"one container for the job", DefaultImage, 1},
		{"one container per step in an image without the driver", driverlessImage(t, cli), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			job := Job{
				RunID: newRunID(t),
				Files: map[string][]byte{"main.tf": []byte(dataConfig)},
				Steps: [][]string{
					{"init", "-input=false", "-no-color"},
					// The root filesystem is read-only: only /workspace and /tmp are writable.
					{"plan", "-input=false", "-no-color", "-out=/tfplan"},
					{"show", "-no-color"},
				},
				Image:       tc.image,
				NetworkMode: "none",
			}
			var started []int
			var times []time.Time
			before := time.Now()
			job.Started = func(step int, at time.Time) {
				started, times = append(started, step), append(times, at)
			}
			out := &output{t: t}
			res, err := d.Run(context.Background(), job, out)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out)
			}
			// The steps started as they did, in order; the show after the failing plan never
			// did. The driver's are seen now and then: the plan's may go unseen.
			if s := fmt.Sprint(started); s != "[0 1]" && (s != "[0]" || tc.containers != 1) {
				t.Errorf("Started heard of steps %s, want [0 1]", s)
			}
			// The result says when each step that ran started, the driver's too.
			if len(res.Started) != 2 || res.Started[1].Before(res.Started[0]) || res.Started[0].Before(before.Add(-time.Second)) {
				t.Errorf("the result's step starts %v, want the init's and the plan's, in order", res.Started)
			}
			for i, at := range times {
				if at.Before(before.Add(-time.Second)) || at.After(time.Now()) || i > 0 && at.Before(times[i-1]) {
					t.Errorf("step %d started at %v: not between the job's start %v and now, in order", started[i], at, before)
				}
			}
			if res.ExitCode != 1 || res.Step != 1 {
				t.Errorf("exit code %d at step %d, want 1 at step 1 (plan)\n%s", res.ExitCode, res.Step, out)
			}
			if !out.has("read-only file system") {
				t.Errorf("output does not say the root filesystem is read-only:\n%s", out)
			}
			if out.has("No state.") {
				t.Errorf("show ran after the failing plan:\n%s", out)
			}
			mu.Lock()
			n := containers[job.RunID]
			mu.Unlock()
			if n != tc.containers {
				t.Errorf("%d containers ran terraform, want %d", n, tc.containers)
			}
			assertNothingLeft(t, cli, job.RunID)
		})
	}
}

func TestContainersAreHardened(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{})
	var mu sync.Mutex
	inspected := map[string]map[string]container.InspectResponse{} // run, role
	d.created = func(ctx context.Context, role, id string) {
		info, err := cli.ContainerInspect(ctx, id)
		if err != nil {
			t.Errorf("inspecting the %s container: %v", role, err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		run := info.Config.Labels[LabelRun]
		if inspected[run] == nil {
			inspected[run] = map[string]container.InspectResponse{}
		}
		inspected[run][role] = info
	}
	// The job's one terraform container ("step"), which also carries the files in and out;
	// in an image without the stage driver, a step's and the loader's.
	for _, tc := range []struct {
		name       string
		image      string
		roles      []string
		entrypoint string
	}{
		{"stage driver", DefaultImage, []string{"step"}, "/bin/cloudoven-stage"},
		{"one container per step", driverlessImage(t, cli), []string{"loader", "step"}, "/bin/terraform"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job := Job{
				RunID:       newRunID(t),
				Files:       map[string][]byte{"main.tf": []byte(dataConfig)},
				Steps:       [][]string{{"version"}},
				Env:         map[string]string{"TF_VAR_secret": "s3cr3t"},
				Image:       tc.image,
				NetworkMode: "none",
				Limits:      Limits{CPUs: 0.5, MemoryBytes: 256 << 20, PIDs: 64},
			}
			res, err := d.Run(context.Background(), job, &output{t: t})
			if err != nil || res.ExitCode != 0 {
				t.Fatalf("run: %v, exit code %d", err, res.ExitCode)
			}
			mu.Lock()
			created := inspected[job.RunID]
			mu.Unlock()
			if len(created) != len(tc.roles) {
				t.Errorf("created %d containers, want %v", len(created), tc.roles)
			}
			if step, ok := created["step"]; ok && strings.Join(step.Config.Entrypoint, " ") != tc.entrypoint {
				t.Errorf("step entrypoint %v, want %s", step.Config.Entrypoint, tc.entrypoint)
			}
			for _, role := range tc.roles {
				info, ok := created[role]
				if !ok {
					t.Errorf("no %s container was created", role)
					continue
				}
				hc, cfg := info.HostConfig, info.Config
				checks := []struct {
					what      string
					got, want any
				}{
					{"user", cfg.User, "1000:1000"},
					{"working dir", cfg.WorkingDir, "/workspace"},
					{"run label", cfg.Labels[LabelRun], job.RunID},
					{"cap drop", strings.Join(hc.CapDrop, ","), "ALL"},
					{"cap add", len(hc.CapAdd), 0},
					{"security opt", strings.Join(hc.SecurityOpt, ","), "no-new-privileges"},
					{"read-only rootfs", hc.ReadonlyRootfs, true},
					{"privileged", hc.Privileged, false},
					{"network mode", string(hc.NetworkMode), "none"},
					{"memory", hc.Memory, int64(256 << 20)},
					{"memory+swap", hc.MemorySwap, int64(256 << 20)},
					{"nano cpus", hc.NanoCPUs, int64(5e8)},
					{"pids limit", *hc.PidsLimit, int64(64)},
					{"tmpfs /tmp", hc.Tmpfs["/tmp"] != "", true},
					{"binds", len(hc.Binds), 0},
					{"mount", len(hc.Mounts) == 1 && string(hc.Mounts[0].Type) == "volume" && hc.Mounts[0].Source == "cloudoven-run-"+job.RunID && hc.Mounts[0].Target == "/workspace", true},
					{"env", hasAll(cfg.Env, "TF_IN_AUTOMATION=1", "HOME=/tmp", "TF_INPUT=0", "TF_VAR_secret=s3cr3t"), true},
				}
				for _, c := range checks {
					if c.got != c.want {
						t.Errorf("%s container: %s = %v, want %v", role, c.what, c.got, c.want)
					}
				}
			}
			assertNothingLeft(t, cli, job.RunID)
		})
	}
}

func hasAll(list []string, want ...string) bool {
	have := map[string]bool{}
	for _, s := range list {
		have[s] = true
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}

// lockedBackend is a terraform http backend whose state lock someone else always holds,
// so a plan with -lock-timeout waits: a long-running step that needs nothing but terraform.
type lockedBackend struct {
	url     string
	locked  chan struct{} // closed at the first lock attempt
	handler http.Handler
}

func startLockedBackend(t *testing.T) *lockedBackend {
	t.Helper()
	b := &lockedBackend{locked: make(chan struct{})}
	var once sync.Once
	b.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			http.NotFound(w, r) // no state yet
		case "LOCK":
			once.Do(func() { close(b.locked) })
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusLocked)
			json.NewEncoder(w).Encode(map[string]string{
				"ID": "held-by-the-test", "Operation": "OperationTypeApply", "Who": "test@cloudoven",
				"Version": "1.5.7", "Created": time.Now().UTC().Format(time.RFC3339Nano),
			})
		case "UNLOCK", http.MethodPost:
			w.WriteHeader(http.StatusOK)
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
	srv := httptest.NewServer(b.handler)
	t.Cleanup(srv.Close)
	b.url = srv.URL + "/state"
	return b
}

// lockedJob plans against the locked backend; it reaches the backend over the host's
// loopback, so the daemon must run on this machine.
func lockedJob(t *testing.T, b *lockedBackend) Job {
	t.Helper()
	if h := os.Getenv("DOCKER_HOST"); h != "" && !strings.HasPrefix(h, "unix://") {
		testenv.Unavailable(t, "the locked-backend tests need a Docker daemon on this machine, DOCKER_HOST is "+h)
	}
	backend := `terraform {
  backend "http" {
    address        = "` + b.url + `"
    lock_address   = "` + b.url + `"
    unlock_address = "` + b.url + `"
  }
}

`
	return Job{
		RunID: newRunID(t),
		Files: map[string][]byte{"main.tf": []byte(backend + dataConfig)},
		Steps: [][]string{
			{"init", "-input=false", "-no-color"},
			{"plan", "-input=false", "-no-color", "-lock-timeout=5m"},
		},
		NetworkMode: "host",
	}
}

func TestCancelInterruptsTerraform(t *testing.T) {
	t.Parallel()
	const grace = 20 * time.Second
	d, cli := newDocker(t, DockerOptions{Grace: grace})
	b := startLockedBackend(t)
	job := lockedJob(t, b)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var canceledAt time.Time
	go func() {
		<-b.locked
		canceledAt = time.Now()
		cancel()
	}()
	out := &output{t: t}
	_, err := d.Run(ctx, job, out)
	stopped := time.Since(canceledAt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run error %v, want context.Canceled\n%s", err, out)
	}
	// Well inside the grace period: terraform stopped on SIGINT, it was not killed.
	if stopped > grace/2 {
		t.Errorf("run returned %s after the cancel, want terraform to stop on SIGINT", stopped)
	}
	t.Logf("returned %s after the cancel: %v", stopped.Round(time.Millisecond), err)
	// terraform's own words on SIGINT, still streamed after the cancel.
	if !out.has("Interrupt received.") {
		t.Errorf("output lacks terraform's answer to SIGINT:\n%s", out)
	}
	assertNothingLeft(t, cli, job.RunID)
}

func TestTimeoutStopsTheJob(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{Grace: 5 * time.Second})
	b := startLockedBackend(t)
	job := lockedJob(t, b)
	job.Timeout = 8 * time.Second

	start := time.Now()
	out := &output{t: t}
	_, err := d.Run(context.Background(), job, out)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 8s") {
		t.Fatalf("run error %v, want a timeout\n%s", err, out)
	}
	if took > job.Timeout+5*time.Second {
		t.Errorf("run took %s with a timeout of %s", took, job.Timeout)
	}
	select {
	case <-b.locked:
	default:
		t.Errorf("the job timed out before terraform waited on the lock:\n%s", out)
	}
	assertNothingLeft(t, cli, job.RunID)
}

func TestImageMissing(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{})
	job := Job{RunID: newRunID(t), Steps: [][]string{{"version"}}, Image: "cloudoven/no-such-image:0"}
	_, err := d.Run(context.Background(), job, nil)
	if !errors.Is(err, ErrImageMissing) || !strings.Contains(err.Error(), "cloudoven/no-such-image:0") ||
		!strings.Contains(err.Error(), "make runner-image") {
		t.Fatalf("run error %v, want one naming the image and make runner-image", err)
	}
	assertNothingLeft(t, cli, job.RunID)
}

// Not parallel: DOCKER_HOST is process-wide.
func TestDaemonUnreachable(t *testing.T) {
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
	d, err := NewDocker(DockerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	start := time.Now()
	if err := d.Ping(context.Background()); !errors.Is(err, ErrDaemonUnavailable) ||
		!strings.Contains(err.Error(), "cannot reach the Docker daemon at tcp://127.0.0.1:1") {
		t.Errorf("ping error %v, want ErrDaemonUnavailable naming the host", err)
	}
	job := Job{RunID: "unreachable", Files: map[string][]byte{"main.tf": []byte(dataConfig)}, Steps: [][]string{{"version"}}}
	if _, err := d.Run(context.Background(), job, nil); !errors.Is(err, ErrDaemonUnavailable) ||
		!strings.Contains(err.Error(), "tcp://127.0.0.1:1") {
		t.Errorf("run error %v, want ErrDaemonUnavailable naming the host", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s to notice the daemon is unreachable", took)
	}
}
