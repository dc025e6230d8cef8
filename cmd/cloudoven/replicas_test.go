package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

// replicaScenario is what a run of several `cloudoven serve` processes on one PostgreSQL
// database does: which executor runs their plans and applies, how many servers,
// deployments and runs, and whether one server is killed with SIGKILL while it applies.
type replicaScenario struct {
	Runner                                                string // docker (the default) or kubernetes
	Replicas, Deployments, RunsPerDeployment, Concurrency int
	Chain                                                 int // terraform_data resources per blueprint
	Lease                                                 time.Duration
	Kill                                                  bool
	// AzureBlob keeps state, saved plans and finished runs' logs in Azure Blob Storage
	// (Azurite), as in production; otherwise the servers share a state directory and keep
	// plans and logs in the database.
	AzureBlob bool
}

// replicaResult is what the scenario measured.
type replicaResult struct {
	Runs             int
	Wall             time.Duration // from the first plan asked for to the last run finished
	RunsPerMinute    float64
	FirstStartMedian time.Duration // queued → started, of each deployment's first run
	FirstStartMax    time.Duration
	KilledRuns       []string       // runs the killed server was executing
	Detected         time.Duration  // kill → the last of them marked interrupted
	ExecutedBy       map[string]int // runs by the server that executed their last stage
}

// sseLine is one line event a follower received.
type sseLine struct {
	seq  int
	text string
}

// runReplicaScenario runs sc and checks what must hold whatever the timing: every run
// executed once (its log initialises terraform once per stage), never two runs of one
// deployment active at once, every line of a followed run received once and in order by a
// client attached to a server other than the one executing it (resuming with
// Last-Event-ID whenever its stream ends), and, when a server is killed mid-apply, its runs
// marked interrupted by another server, their state locks released, and no state version
// lost. With the Kubernetes executor every server runs its Jobs in one namespace of the
// test cluster, and once every run has ended no Job, pod or Secret of a run is left there:
// each stage deletes its own, and the server that reaps a killed server's runs deletes
// what they left running.
func runReplicaScenario(t *testing.T, sc replicaScenario) replicaResult {
	t.Helper()
	testenv.RunnerImage(t)
	var cli *client.Client
	var kube *kubeRunNamespace
	switch sc.Runner {
	case "", "docker":
		cli = testenv.Docker(t)
	case "kubernetes":
		kube = newKubeRunNamespace(t, "cloudoven-replicas-")
	default:
		t.Fatalf("runner %q: want docker or kubernetes", sc.Runner)
	}
	dbURL := testenv.Postgres(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "secret.key")
	// Servers sharing a database share the state blobs too (Azure Blob in production): a
	// plan made on one server is applied by whichever claims the apply.
	names := make([]string, sc.Replicas)
	blobArgs := []string{"-state-dir", filepath.Join(dir, "state")}
	var blobs *state.AzureStore
	if sc.AzureBlob {
		blobURL := testenv.Azurite(t)
		container := "replicas-" + strings.ToLower(rand.Text()[:12])
		blobArgs = []string{"-state-blob-url", blobURL, "-state-blob-container", container,
			"-state-blob-account", testenv.AzuriteAccount, "-state-blob-key", testenv.AzuriteKey}
		cred, err := state.SharedKey(testenv.AzuriteAccount, testenv.AzuriteKey)
		if err == nil {
			blobs, err = state.NewAzureStore(blobURL, container, cred)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	args := func(i int) []string {
		names[i] = fmt.Sprintf("replica-%d", i)
		a := append([]string{"serve", "-data-dir", filepath.Join(dir, names[i]), "-database", dbURL,
			"-secret-key-file", keyFile, "-log-level", "info", "-replica", names[i],
			"-run-lease", sc.Lease.String(), "-run-concurrency", strconv.Itoa(sc.Concurrency)}, blobArgs...)
		if kube != nil {
			// Pods reach each server's state backend at the node's address: it listens there.
			return append(a, kube.serveArgs(kube.addr(t))...)
		}
		return append(a, "-addr", "127.0.0.1:0", "-runner", "docker")
	}
	procs := []*serveProcess{startServeProcessWith(t, args(0)...)}
	m := regexp.MustCompile(`CloudOven created the first user admin with password (\S+);`).FindStringSubmatch(strings.Join(procs[0].before, ""))
	if m == nil {
		t.Fatalf("no first-user message before the start line: %q", procs[0].before)
	}
	for i := 1; i < sc.Replicas; i++ {
		procs = append(procs, startServeProcessWith(t, args(i)...))
	}
	t.Cleanup(func() {
		// What the servers' runs leave on the daemon once they are gone: a killed server's
		// containers among it.
		for _, p := range procs {
			select {
			case <-p.exited:
			default:
				p.cmd.Process.Kill()
				<-p.exited
			}
		}
		if cli == nil {
			return // the namespace goes with the test, and with it what is left in it
		}
		ctx := context.Background()
		f := filters.NewArgs(filters.Arg("label", runner.LabelInstance+"="+instanceOf(dbURL)))
		if cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f}); err == nil {
			for _, c := range cs {
				cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			}
		}
	})
	// One session, used on every server: sessions live in the database.
	b0 := signIn(t, procs[0].base, m[1])
	browsers := make([]*browser, sc.Replicas)
	for i, p := range procs {
		b := *b0
		b.base = strings.TrimSuffix(p.base, "/")
		browsers[i] = &b
	}

	b0.do(http.MethodPost, "/projects", url.Values{"name": {"team"}})
	b0.do(http.MethodPost, "/projects/team/blueprints", url.Values{"document_text": {changingBlueprint(sc.Chain)}, "message": {"chain"}})
	var planForms []string
	var depIDs []int64
	for i := range sc.Deployments {
		env := fmt.Sprintf("env%d", i)
		b0.do(http.MethodPost, "/projects/team/environments", url.Values{"name": {env}})
		b0.do(http.MethodPost, "/projects/team/environments/"+env+"/backend", url.Values{"backend_type": {"http"}})
		if kube == nil {
			// Each server's state URL is its own loopback address: host networking reaches it.
			// On Kubernetes the environment's default egress holds pods to the state backend.
			b0.do(http.MethodPost, "/projects/team/environments/"+env+"/runner", url.Values{"network_mode": {"host"}, "egress": {"open"}})
		}
		doc, path := b0.do(http.MethodPost, "/projects/team/deployments", url.Values{"blueprint": {"chain"}, "environment": {env}})
		id, err := strconv.ParseInt(strings.TrimPrefix(path, "/projects/team/deployments/"), 10, 64)
		if err != nil {
			t.Fatalf("creating a deployment ended at %s", path)
		}
		depIDs = append(depIDs, id)
		planForms = append(planForms, testID(doc, "plan-form").AttrOr("action", ""))
	}

	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if blobs != nil {
		st.SetArchive(blobs) // a finished run's log is read from there, as the servers do
	}
	ctx := t.Context()

	var mu sync.Mutex
	dead := map[int]bool{}
	alive := func(i int) int { // the i-th server if alive, else the next one alive
		mu.Lock()
		defer mu.Unlock()
		for k := range sc.Replicas {
			if j := (i + k) % sc.Replicas; !dead[j] {
				return j
			}
		}
		return 0
	}

	// Every plan at once, spread over the servers.
	start := time.Now()
	type submitted struct {
		id     string
		server int
	}
	var subs []submitted
	var wg sync.WaitGroup
	var submitErrs []error
	for i := range sc.Deployments * sc.RunsPerDeployment {
		server := i % sc.Replicas
		form := planForms[i%sc.Deployments]
		wg.Go(func() {
			path, err := browsers[server].submit(form, url.Values{"op": {"plan"}})
			mu.Lock()
			defer mu.Unlock()
			id, ok := strings.CutPrefix(path, "/projects/team/runs/")
			if err != nil || !ok {
				submitErrs = append(submitErrs, fmt.Errorf("planning through server %d: ended at %s: %v", server, path, err))
				return
			}
			subs = append(subs, submitted{id, server})
		})
	}
	wg.Wait()
	for _, err := range submitErrs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	// A follower for each run, attached to another server than the one it was asked on.
	followed := map[string][]sseLine{}
	followErrs := map[string]error{}
	var fwg sync.WaitGroup
	for _, s := range subs {
		fwg.Go(func() {
			lines, err := followRun(ctx, browsers, alive, (s.server+1)%sc.Replicas, s.id)
			mu.Lock()
			defer mu.Unlock()
			followed[s.id], followErrs[s.id] = lines, err
		})
	}

	// Approve every plan as it is saved, on whichever server; check the deployments; kill a
	// server while it applies.
	var res replicaResult
	var killedAt time.Time
	stateVersions := map[int64]int{}
	deadline := time.Now().Add(15 * time.Minute)
	approvals := 0
	for {
		done := 0
		for _, dep := range depIDs {
			rs, err := st.DeploymentRuns(ctx, dep, 0)
			if err != nil {
				t.Fatal(err)
			}
			active := 0
			for _, r := range rs {
				switch r.State {
				case store.RunRunning, store.RunPlanned, store.RunApproved, store.RunApplying:
					active++
				}
				if r.State.Done() {
					done++
				}
				if r.State == store.RunPlanned {
					approvals++
					b := browsers[alive(approvals)]
					if _, err := b.submit("/projects/team/runs/"+r.ID+"/approve", url.Values{}); err != nil {
						// Approved through another server a moment ago, or the server died.
						t.Logf("approving %s: %v", r.ID, err)
					}
				}
				if sc.Kill && killedAt.IsZero() && r.State == store.RunApplying {
					runnerName, _, err := st.RunRunner(ctx, r.ID)
					if err != nil {
						t.Fatal(err)
					}
					k := slices.Index(names, runnerName)
					if _, lockErr := st.StateLock(ctx, dep); k > 0 && lockErr == nil {
						for _, d := range depIDs {
							vs, err := st.StateVersions(ctx, d, 0)
							if err != nil {
								t.Fatal(err)
							}
							stateVersions[d] = len(vs)
						}
						mu.Lock()
						dead[k] = true
						mu.Unlock()
						procs[k].cmd.Process.Kill() // SIGKILL
						killedAt = time.Now()
						t.Logf("killed %s while it applied %s", names[k], r.ID)
						all, err := st.RunsInState(ctx, store.RunRunning, store.RunApplying)
						if err != nil {
							t.Fatal(err)
						}
						for _, o := range all {
							if n, _, _ := st.RunRunner(ctx, o.ID); n == names[k] {
								res.KilledRuns = append(res.KilledRuns, o.ID)
							}
						}
					}
				}
			}
			if active > 1 {
				t.Errorf("deployment %d has %d active runs at once", dep, active)
			}
		}
		if done == len(subs) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d runs finished within 15 minutes", done, len(subs))
		}
		time.Sleep(200 * time.Millisecond)
	}
	fwg.Wait()

	// What the store says of each run.
	res.Runs = len(subs)
	res.ExecutedBy = map[string]int{}
	var last time.Time
	firstOf := map[int64]store.Run{}
	for _, s := range subs {
		r, err := st.Run(ctx, s.id)
		if err != nil {
			t.Fatal(err)
		}
		if r.FinishedAt.After(last) {
			last = r.FinishedAt
		}
		if f, ok := firstOf[r.DeploymentID]; !ok || r.CreatedAt.Before(f.CreatedAt) {
			firstOf[r.DeploymentID] = r
		}
		stored, err := st.RunLog(ctx, s.id, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		inits := 0
		for _, l := range stored {
			if strings.Contains(l.Text, "Terraform has been successfully initialized") {
				inits++
			}
		}
		killed := slices.Contains(res.KilledRuns, s.id)
		switch {
		case killed:
			if r.State != store.RunInterrupted {
				t.Errorf("run %s of the killed server is %s, want interrupted", s.id, r.State)
			}
			res.Detected = max(res.Detected, r.FinishedAt.Sub(killedAt))
		case r.State != store.RunApplied:
			t.Errorf("run %s is %s (%s), want applied", s.id, r.State, r.Error)
		case inits != 2:
			t.Errorf("run %s initialised terraform %d times, want twice (a plan and an apply, each once)", s.id, inits)
		}
		// The follower got every stored line once, in order, whichever server it was on.
		got := followed[s.id]
		if err := followErrs[s.id]; err != nil {
			t.Errorf("following %s: %v", s.id, err)
			continue
		}
		if len(got) != len(stored) {
			t.Errorf("follower of %s got %d lines, the store has %d", s.id, len(got), len(stored))
			continue
		}
		for i, l := range stored {
			if got[i].seq != l.Seq || got[i].text != l.Text {
				t.Errorf("follower of %s: line %d is %d %q, want %d %q", s.id, i, got[i].seq, got[i].text, l.Seq, l.Text)
				break
			}
		}
	}
	for _, s := range subs {
		if r, _, err := st.RunRunner(ctx, s.id); err == nil && r != "" {
			res.ExecutedBy[r]++
		}
	}
	if sc.Kill {
		if len(res.KilledRuns) == 0 {
			t.Fatal("no server was killed while applying")
		}
		for _, d := range depIDs {
			if _, err := st.StateLock(ctx, d); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deployment %d still has a state lock after every run ended: %v", d, err)
			}
			vs, err := st.StateVersions(ctx, d, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) < stateVersions[d] {
				t.Errorf("deployment %d had %d state versions when the server was killed and %d now", d, stateVersions[d], len(vs))
			}
		}
	}
	if blobs != nil {
		var ids []string
		for _, s := range subs {
			ids = append(ids, s.id)
		}
		checkLogsArchived(t, st, blobs, ids)
	}
	if kube != nil {
		if left := kube.leftovers(t, 3*time.Minute); len(left) > 0 {
			t.Errorf("every run ended, and %s still holds %s", kube.ns, strings.Join(left, ", "))
		}
	}
	res.Wall = last.Sub(start)
	res.RunsPerMinute = float64(res.Runs) / res.Wall.Minutes()
	var waits []time.Duration
	for _, r := range firstOf {
		waits = append(waits, r.StartedAt.Sub(r.CreatedAt))
	}
	slices.Sort(waits)
	if len(waits) > 0 {
		res.FirstStartMedian, res.FirstStartMax = waits[len(waits)/2], waits[len(waits)-1]
	}
	return res
}

// changingBlueprint is chainedBlueprint whose first resource takes the time of the plan, so
// every plan has changes to apply (a plan without any ends by itself, discarded).
func changingBlueprint(n int) string {
	return strings.Replace(chainedBlueprint(n), `{"literal": "start"}`, `{"expr": "timestamp()"}`, 1)
}

// submit sends a form and follows redirects; it returns the path it ended at, and an error
// for any answer but 200.
func (b *browser) submit(path string, form url.Values) (string, error) {
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", b.csrf)
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.Request.URL.Path, fmt.Errorf("status %d", resp.StatusCode)
	}
	return resp.Request.URL.Path, nil
}

var sseSeq = regexp.MustCompile(`data-seq="(\d+)">(.*)&#10;</span>$`)

// followRun follows a run's log stream on server i (the next alive one when it dies) as a
// browser's EventSource does: it reconnects with Last-Event-ID whenever the stream ends
// before the end event, and returns the lines received, in the order received.
func followRun(ctx context.Context, browsers []*browser, alive func(int) int, i int, runID string) ([]sseLine, error) {
	var got []sseLine
	last := 0
	client := &http.Client{Jar: browsers[0].client.Jar} // no timeout: a stream lasts
	for attempt := 0; ; attempt++ {
		if attempt > 2000 {
			return got, errors.New("the stream never sent its end event")
		}
		b := browsers[alive(i)]
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/projects/team/runs/"+runID+"/log", nil)
		if err != nil {
			return got, err
		}
		if last > 0 {
			req.Header.Set("Last-Event-ID", strconv.Itoa(last))
		}
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return got, ctx.Err()
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		ended := false
		br := bufio.NewReader(resp.Body)
		var event, data string
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				break
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "":
				if event == "line" || event == "apply-line" {
					m := sseSeq.FindStringSubmatch(data)
					if m == nil {
						resp.Body.Close()
						return got, fmt.Errorf("a line event without a line: %q", data)
					}
					seq, _ := strconv.Atoi(m[1])
					got = append(got, sseLine{seq, html.UnescapeString(strings.ReplaceAll(m[2], "&#10;", "\n"))})
					last = seq
				}
				if event == "end" {
					ended = true
				}
				event, data = "", ""
			}
		}
		resp.Body.Close()
		if ended {
			return got, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestReplicasShareOnePostgres is two servers on one PostgreSQL database and one Azure
// Blob Storage container (Azurite) with the Docker executor: three deployments, two plans each asked for at once, each approved through
// whichever server, and one server killed with SIGKILL while it applies.
func TestReplicasShareOnePostgres(t *testing.T) {
	res := runReplicaScenario(t, replicaScenario{Replicas: 2, Deployments: 3, RunsPerDeployment: 2, Concurrency: 2,
		Chain: 150, Lease: 6 * time.Second, Kill: true, AzureBlob: true})
	t.Logf("%d runs in %s; executed by %v; killed %v, marked interrupted %s after the kill",
		res.Runs, res.Wall.Round(time.Second), res.ExecutedBy, res.KilledRuns, res.Detected.Round(100*time.Millisecond))
}

// TestReplicasBench measures what make bench records: 30 runs over 10 deployments with one
// and with three servers, and three servers with one killed mid-apply. It runs only when
// CLOUDOVEN_REPLICA_BENCH is set: 1 runs all three, or one of "1", "3", "kill". The
// executor is CLOUDOVEN_REPLICA_BENCH_RUNNER's: docker (the default), kubernetes, or both,
// Docker's scenarios then Kubernetes'.
func TestReplicasBench(t *testing.T) {
	only := os.Getenv("CLOUDOVEN_REPLICA_BENCH")
	if only == "" {
		t.Skip("a measurement for make bench: set CLOUDOVEN_REPLICA_BENCH=1")
	}
	var runners []string
	switch r := os.Getenv("CLOUDOVEN_REPLICA_BENCH_RUNNER"); r {
	case "", "docker":
		runners = []string{"docker"}
	case "kubernetes":
		runners = []string{"kubernetes"}
	case "both":
		runners = []string{"docker", "kubernetes"}
	default:
		t.Fatalf("CLOUDOVEN_REPLICA_BENCH_RUNNER=%q: want docker, kubernetes or both", r)
	}
	for _, executor := range runners {
		for _, sc := range []replicaScenario{
			{Replicas: 1, Deployments: 10, RunsPerDeployment: 3, Concurrency: 2, Chain: 20, Lease: 15 * time.Second},
			{Replicas: 3, Deployments: 10, RunsPerDeployment: 3, Concurrency: 2, Chain: 20, Lease: 15 * time.Second},
			{Replicas: 3, Deployments: 10, RunsPerDeployment: 3, Concurrency: 2, Chain: 150, Lease: 15 * time.Second, Kill: true},
		} {
			if only != "1" && only != strconv.Itoa(sc.Replicas) && !(only == "kill" && sc.Kill) || only == "3" && sc.Kill {
				continue
			}
			sc.Runner = executor
			t.Run(fmt.Sprintf("%s,replicas=%d,kill=%v", executor, sc.Replicas, sc.Kill), func(t *testing.T) {
				res := runReplicaScenario(t, sc)
				fmt.Printf("executor %s replicas %d kill %v: %d runs (plan+apply) in %s = %.1f runs/min; first run of a deployment queued→started median %s max %s; executed by %v; killed %v marked interrupted %s after the kill (lease %s)\n",
					executor, sc.Replicas, sc.Kill, res.Runs, res.Wall.Round(time.Second), res.RunsPerMinute,
					res.FirstStartMedian.Round(10*time.Millisecond), res.FirstStartMax.Round(10*time.Millisecond),
					res.ExecutedBy, res.KilledRuns, res.Detected.Round(100*time.Millisecond), sc.Lease)
			})
		}
	}
}
