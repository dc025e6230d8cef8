package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

// chainedBlueprint is a blueprint of n terraform_data resources, each taking the previous
// one's output, so that terraform plans them one after another and the plan lasts a while.
func chainedBlueprint(n int) string {
	var b strings.Builder
	b.WriteString(`{"format": 1, "name": "chain", "resources": [`)
	b.WriteString(`{"type": "terraform_data", "name": "r0", "config": {"input": {"literal": "start"}}}`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `, {"type": "terraform_data", "name": "r%d", "config": {"input": {"ref": "terraform_data.r%d.output"}}}`, i, i-1)
	}
	b.WriteString(`]}`)
	return b.String()
}

// serveProcess is `cloudoven serve` in a child process.
type serveProcess struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port/
	before []string
	stderr *lockedBuffer
	exited chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServeProcess runs `cloudoven serve -runner docker` on dataDir in a child process (see
// TestMain) and returns once it printed its start line. The child is killed when the test
// ends if it is still running.
func startServeProcess(t *testing.T, dataDir string) *serveProcess {
	t.Helper()
	return startServeProcessWith(t, "serve", "-addr", "127.0.0.1:0", "-data-dir", dataDir, "-runner", "docker", "-log-level", "info")
}

// startServeProcessWith is startServeProcess with the child's own arguments.
func startServeProcessWith(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// The child reads CLOUDOVEN_<FLAG>: none of the caller's may change what is tested.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CLOUDOVEN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "CLOUDOVEN_TEST_RUN_MAIN="+strings.Join(args, "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			cmd.Process.Kill()
		}
	})

	lines := make(chan string)
	go func() {
		defer close(lines)
		br := bufio.NewReader(stdout)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			lines <- line
		}
	}()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve ended before its start line; stderr:\n%s", p.stderr)
			}
			if u := regexp.MustCompile(`http://[0-9.:]+/`).FindString(line); u != "" && strings.HasPrefix(line, "CloudOven is running") {
				p.base = u
				go func() {
					for range lines {
					}
				}()
				return p
			}
			p.before = append(p.before, line)
		case <-deadline:
			t.Fatalf("serve printed no start line within 60s; stderr:\n%s", p.stderr)
		}
	}
}

// browser is a signed-in user of a serve process: a cookie jar and the CSRF token.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func signIn(t *testing.T, base, password string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, base: strings.TrimSuffix(base, "/"), client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	doc, path := b.do(http.MethodPost, "/signin", url.Values{"name": {"admin"}, "password": {password}})
	if path != "/projects" {
		t.Fatalf("signing in ended at %s", path)
	}
	b.csrf = doc.Find(`meta[name="csrf-token"]`).AttrOr("content", "")
	if b.csrf == "" {
		t.Fatal("the page after signing in has no csrf-token meta tag")
	}
	return b
}

// do sends a request (a form post when form is not nil), follows redirects, fails the test
// unless the final answer is 200, and returns the page and the path it ended at.
func (b *browser) do(method, path string, form url.Values) (*goquery.Document, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.csrf != "" {
		req.Header.Set("X-CSRF-Token", b.csrf)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("%s %s: status %d at %s\n%s", method, path, resp.StatusCode, resp.Request.URL, data)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(data))
	if err != nil {
		b.t.Fatal(err)
	}
	return doc, resp.Request.URL.Path
}

func testID(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

// logLines are the texts of a run page's log lines.
func logLines(doc *goquery.Document) []string {
	var out []string
	testID(doc, "log-line").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSuffix(s.Text(), "\n"))
	})
	return out
}

// runLabelled lists the containers and volumes on the daemon labelled with run id.
func runLabelled(t *testing.T, cli *client.Client, id string) (containers, volumes []string) {
	t.Helper()
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", runner.LabelRun+"="+id))
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		containers = append(containers, c.ID[:12]+" "+c.State)
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs.Volumes {
		volumes = append(volumes, v.Name)
	}
	return containers, volumes
}

// TestServeKilledMidRunRestarts is the acceptance "the server killed with SIGKILL mid-run
// and restarted": `cloudoven serve -runner docker` runs in a child process, a plan of a long
// chain of terraform_data resources starts through the web app against CloudOven's own
// http state backend, and the child is killed with SIGKILL while the plan's container runs.
// A second serve on the same data directory marks the run interrupted, keeps the log it had
// stored, and removes the orphaned container and volume (same database, so same instance
// label). The state lock terraform took is then inspected in the database.
func TestServeKilledMidRunRestarts(t *testing.T) {
	testenv.RunnerImage(t)
	cli := testenv.Docker(t)
	dataDir := filepath.Join(t.TempDir(), "data")

	first := startServeProcess(t, dataDir)
	m := regexp.MustCompile(`CloudOven created the first user admin with password (\S+);`).FindStringSubmatch(strings.Join(first.before, ""))
	if m == nil {
		t.Fatalf("no first-user message before the start line: %q", first.before)
	}
	password := m[1]
	b := signIn(t, first.base, password)

	b.do(http.MethodPost, "/projects", url.Values{"name": {"team"}})
	b.do(http.MethodPost, "/projects/team/blueprints", url.Values{"document_text": {chainedBlueprint(1000)}, "message": {"chain"}})
	b.do(http.MethodPost, "/projects/team/environments", url.Values{"name": {"dev"}})
	// The http backend with no address: runs get CloudOven's own state backend.
	b.do(http.MethodPost, "/projects/team/environments/dev/backend", url.Values{"backend_type": {"http"}})
	// -state-url is left at its default, the listen address on loopback, which a container
	// reaches only with host networking, and host networking only with egress open.
	b.do(http.MethodPost, "/projects/team/environments/dev/runner", url.Values{"network_mode": {"host"}, "egress": {"open"}})
	doc, deployment := b.do(http.MethodPost, "/projects/team/deployments", url.Values{"blueprint": {"chain"}, "environment": {"dev"}})
	if !strings.HasPrefix(deployment, "/projects/team/deployments/") {
		t.Fatalf("creating the deployment ended at %s", deployment)
	}
	plan := testID(doc, "plan-form")
	if plan.Length() != 1 {
		t.Fatalf("the deployment page has no Plan button:\n%s", doc.Text())
	}
	_, runURL := b.do(http.MethodPost, plan.AttrOr("action", ""), url.Values{"op": {"plan"}})
	runID, ok := strings.CutPrefix(runURL, "/projects/team/runs/")
	if !ok {
		t.Fatalf("pressing Plan ended at %s", runURL)
	}
	t.Cleanup(func() {
		// Whatever this test leaves on the daemon, if serve did not remove it.
		ctx := context.Background()
		f := filters.NewArgs(filters.Arg("label", runner.LabelRun+"="+runID))
		if cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f}); err == nil {
			for _, c := range cs {
				cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
			}
		}
		if vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: f}); err == nil {
			for _, v := range vs.Volumes {
				cli.VolumeRemove(ctx, v.Name, true)
			}
		}
	})

	// The test reads the database beside the running server (the store is made for two
	// processes on one file) to see terraform's state lock.
	st, err := store.Open(context.Background(), filepath.Join(dataDir, "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var depID int64
	if _, err := fmt.Sscanf(strings.TrimPrefix(deployment, "/projects/team/deployments/"), "%d", &depID); err != nil {
		t.Fatal(err)
	}

	// Kill once the run is running, its container exists, at least one line is stored (the
	// page shows stored lines only), so there is a log to keep, and terraform holds the
	// state lock (the plan step has begun), so the lock's fate is tested too.
	var before []string
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(3 * time.Minute)
	for {
		page, _ := b.do(http.MethodGet, runURL, nil)
		state := strings.TrimSpace(testID(page, "run-state").Text())
		if state != "queued" && state != "running" {
			t.Fatalf("the run is %s before it could be killed; log:\n%s\nstderr:\n%s", state, strings.Join(logLines(page), "\n"), first.stderr)
		}
		containers, _ := runLabelled(t, cli, runID)
		_, lockErr := st.StateLock(context.Background(), depID)
		if lockErr != nil && !errors.Is(lockErr, store.ErrNotFound) {
			t.Fatal(lockErr)
		}
		locked := lockErr == nil
		if before = logLines(page); state == "running" && len(containers) > 0 && len(before) > 0 && locked {
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the run is still %s with %d containers, %d log lines, state locked %v", state, len(containers), len(before), locked)
		}
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-first.exited
	containers, volumes := runLabelled(t, cli, runID)
	t.Logf("killed serve with %d log lines stored; left on the daemon: containers %q, volumes %q; log:\n%s", len(before), containers, volumes, strings.Join(before, "\n"))

	second := startServeProcess(t, dataDir)
	if len(second.before) != 0 {
		t.Errorf("the restart printed %q before its start line", second.before)
	}
	b = signIn(t, second.base, password)
	page, _ := b.do(http.MethodGet, runURL, nil)
	if state := strings.TrimSpace(testID(page, "run-state").Text()); state != "interrupted" {
		t.Errorf("after the restart the run is %q, want interrupted", state)
	}
	after := logLines(page)
	if len(after) < len(before) || strings.Join(after[:len(before)], "\n") != strings.Join(before, "\n") {
		t.Errorf("the log before the kill was\n%s\nafter the restart it is\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	if !strings.Contains(strings.Join(after, "\n"), "CloudOven stopped while the run was in flight") {
		t.Errorf("the log does not say the run was interrupted:\n%s", strings.Join(after, "\n"))
	}
	// Orphans are removed during start-up, before serve prints its start line.
	if containers, volumes := runLabelled(t, cli, runID); len(containers)+len(volumes) != 0 {
		t.Errorf("after the restart the daemon still has the run's containers %q and volumes %q", containers, volumes)
	}
	deployPage, _ := b.do(http.MethodGet, deployment, nil)

	// The restarted serve still stops cleanly on a signal.
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-second.exited:
		if err != nil {
			t.Errorf("the restarted serve did not stop cleanly: %v\n%s", err, second.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the restarted serve did not stop within 30s of SIGTERM")
	}
	// What was observed (terraform 1.5.7, the runner image, host networking): the kill lands
	// in the plan step, after terraform took the lock through CloudOven's http backend (the
	// loop above waits for it). That terraform dies with its container, which the restart
	// removes as an orphan; nothing unlocks, and the restart does not release the locks of
	// the runs it marks interrupted, so the lock is still held. The deployment page does not
	// mention a lock either, so this check fails until one of the two is done.
	lock, err := st.StateLock(context.Background(), depID)
	switch {
	case err == nil:
		t.Logf("after the restart the state is still locked: lock %s, info %s", lock.ID, lock.Info)
		if !regexp.MustCompile(`(?i)\blocked\b|state lock`).MatchString(deployPage.Text()) {
			t.Errorf("the state is left locked (lock %s, held since %s by the interrupted run's terraform) and the deployment page does not say so",
				lock.ID, lock.CreatedAt.Format(time.RFC3339))
		}
	case errors.Is(err, store.ErrNotFound):
		t.Log("after the restart the state is not locked")
	default:
		t.Fatal(err)
	}
}
