package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// newEgressDocker is newDocker with the egress proxy's image built from this checkout.
func newEgressDocker(t *testing.T) (*Docker, *client.Client) {
	t.Helper()
	d, cli := newDocker(t, DockerOptions{})
	testenv.EgressImage(t)
	return d, cli
}

// probeImage builds testdata/dialprobe for the daemon into an image of its own, removed when
// the test ends: a step that dials where it likes, ignoring the proxy.
func probeImage(t *testing.T, cli *client.Client) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to build the dial probe")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	info, err := cli.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	arch := map[string]string{"x86_64": "amd64", "aarch64": "arm64"}[info.Architecture]
	if arch == "" {
		testenv.Unavailable(t, "no Go architecture for the daemon's "+info.Architecture)
	}
	bin := filepath.Join(t.TempDir(), "dialprobe")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./runner/testdata/dialprobe")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the dial probe: %v\n%s", err, b)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dockerfile := []byte("FROM scratch\nCOPY dialprobe /dialprobe\nENTRYPOINT [\"/dialprobe\"]\n")
	for _, f := range []struct {
		name string
		data []byte
		mode int64
	}{{"Dockerfile", dockerfile, 0o644}, {"dialprobe", data, 0o755}} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tag := "cloudoven-test/dialprobe:" + newRunID(t)
	resp, err := cli.ImageBuild(ctx, &buf, build.ImageBuildOptions{Tags: []string{tag}, Remove: true, ForceRemove: true, Version: build.BuilderV1})
	if err != nil {
		t.Fatalf("building the dial probe's image: %v", err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if msg.Error != "" {
			t.Fatalf("building the dial probe's image: %s", msg.Error)
		}
	}
	t.Cleanup(func() {
		cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true, PruneChildren: true})
	})
	return tag
}

// listener is an HTTP server on every address of this machine that records each request.
type listener struct {
	port string
	mu   sync.Mutex
	got  []string
}

func newListener(t *testing.T) *listener {
	t.Helper()
	l, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &listener{}
	_, h.port, _ = net.SplitHostPort(l.Addr().String())
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.got = append(h.got, r.URL.Path+" from "+r.RemoteAddr)
		h.mu.Unlock()
	}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return h
}

func (h *listener) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.got...)
}

// hostAddresses are this machine's IPv4 addresses a container could aim at: Docker's default
// bridge gateway and every other non-loopback address, except other networks' bridges, which
// come and go with other tests.
func hostAddresses(t *testing.T) []string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 ||
			strings.HasPrefix(ifc.Name, "br-") || strings.HasPrefix(ifc.Name, "veth") {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range addrs {
			if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil {
				out = append(out, ip.IP.String())
			}
		}
	}
	if len(out) == 0 {
		testenv.Unavailable(t, "this machine has no IPv4 address but loopback")
	}
	return out
}

// TestEgressHoldsStepsIn runs a step that ignores the proxy, as a hostile provider would, on
// the real daemon: it reaches none of this machine's addresses directly, and through the
// proxy only the host:port its job allows.
func TestEgressHoldsStepsIn(t *testing.T) {
	t.Parallel()
	d, cli := newEgressDocker(t)
	probe := probeImage(t, cli)
	secret, allowed := newListener(t), newListener(t)
	addrs := hostAddresses(t)
	var targets []string
	for _, a := range addrs {
		targets = append(targets, net.JoinHostPort(a, secret.port))
	}
	// The bridge's gateway is how a container finds the host; the proxy sits on that bridge.
	gateway := "172.17.0.1"
	for _, a := range addrs {
		if strings.HasPrefix(a, "172.17.") {
			gateway = a
		}
	}
	listed := net.JoinHostPort(gateway, allowed.port)
	job := Job{
		RunID:  newRunID(t),
		Image:  probe,
		Steps:  [][]string{append(targets, listed)},
		Egress: &Egress{Allow: []string{listed}},
	}
	out := &output{t: t}
	res, err := d.Run(context.Background(), job, out)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
	}
	if got := secret.requests(); len(got) > 0 {
		t.Errorf("a listener on this machine received %v from a step with egress control:\n%s", got, out)
	}
	for _, target := range targets {
		if !out.has("direct "+target+": unreachable") || !out.has("proxied "+target+": refused: 403") {
			t.Errorf("the probe's output does not show %s unreachable and refused:\n%s", target, out)
		}
		if !out.has(egressLine(target)) {
			t.Errorf("the proxy's refusal of %s is not in the job's output:\n%s", target, out)
		}
	}
	if !out.has("direct "+listed+": unreachable") || !out.has("proxied "+listed+": reached: 200") {
		t.Errorf("the listed listener was not reached through the proxy only:\n%s", out)
	}
	t.Logf("the job's output:\n%s", out)
	if got := allowed.requests(); len(got) != 1 || !strings.HasPrefix(got[0], "/proxied ") {
		t.Errorf("the listed listener received %v, want the one proxied request", got)
	}
	assertNothingLeft(t, cli, job.RunID)
}

func egressLine(target string) string {
	return "CloudOven egress proxy: egress to " + target + " refused"
}

// TestEgressProxyIsHardened checks the proxy's container like the steps', the run's network,
// and that a step joins only that network with the proxy in its environment.
func TestEgressProxyIsHardened(t *testing.T) {
	t.Parallel()
	d, cli := newEgressDocker(t)
	runID := newRunID(t)
	netName := "cloudoven-run-" + runID
	var mu sync.Mutex
	var proxy, step container.InspectResponse
	var runNet network.Inspect
	d.created = func(ctx context.Context, role, id string) {
		if role != "step" {
			return
		}
		// The proxy is running and on both networks by the time a step is created.
		p, err := cli.ContainerInspect(ctx, netName+"-egress")
		if err != nil {
			t.Errorf("inspecting the proxy: %v", err)
		}
		s, err := cli.ContainerInspect(ctx, id)
		if err != nil {
			t.Errorf("inspecting the step: %v", err)
		}
		n, err := cli.NetworkInspect(ctx, netName, network.InspectOptions{})
		if err != nil {
			t.Errorf("inspecting the run's network: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		proxy, step, runNet = p, s, n
	}
	job := Job{
		RunID:  runID,
		Files:  map[string][]byte{"main.tf": []byte(dataConfig)},
		Steps:  [][]string{{"version"}},
		Env:    map[string]string{"TF_VAR_secret": "s3cr3t"},
		Egress: &Egress{Allow: []string{"management.azure.com"}},
	}
	out := &output{t: t}
	if res, err := d.Run(context.Background(), job, out); err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if proxy.Config == nil || step.Config == nil {
		t.Fatal("no step was created")
	}
	hc, cfg := proxy.HostConfig, proxy.Config
	var proxyIP string
	if ep := proxy.NetworkSettings.Networks[netName]; ep != nil {
		proxyIP = ep.IPAddress
	}
	_, onBridge := proxy.NetworkSettings.Networks["bridge"]
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"proxy user", cfg.User, "65534:65534"},
		{"proxy image", cfg.Image, DefaultEgressImage},
		{"proxy run label", cfg.Labels[LabelRun], runID},
		{"proxy instance label", cfg.Labels[LabelInstance], "default"},
		{"proxy cap drop", strings.Join(hc.CapDrop, ","), "ALL"},
		{"proxy cap add", len(hc.CapAdd), 0},
		{"proxy security opt", strings.Join(hc.SecurityOpt, ","), "no-new-privileges"},
		{"proxy read-only rootfs", hc.ReadonlyRootfs, true},
		{"proxy privileged", hc.Privileged, false},
		{"proxy memory", hc.Memory, int64(egressMemoryBytes)},
		{"proxy pids", *hc.PidsLimit, int64(egressPIDs)},
		{"proxy cpus", hc.NanoCPUs, int64(egressCPUs * 1e9)},
		{"proxy mounts", len(hc.Mounts) + len(hc.Binds), 0},
		{"proxy secrets", strings.Contains(strings.Join(cfg.Env, " "), "s3cr3t"), false},
		{"proxy on the bridge", onBridge, true},
		{"proxy on the run network", proxyIP != "", true},
		{"network internal", runNet.Internal, true},
		{"network without the host", runNet.Options["com.docker.network.bridge.inhibit_ipv4"], "true"},
		{"network run label", runNet.Labels[LabelRun], runID},
		{"step network", string(step.HostConfig.NetworkMode), netName},
		{"step networks", len(step.NetworkSettings.Networks), 1},
		{"step proxy", hasAll(step.Config.Env, "HTTPS_PROXY=http://"+proxyIP+":3128", "HTTP_PROXY=http://"+proxyIP+":3128",
			"https_proxy=http://"+proxyIP+":3128", "NO_PROXY=", "no_proxy=", "TF_VAR_secret=s3cr3t"), true},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if !out.has("CloudOven egress proxy: listening") || !out.has("allowing management.azure.com; refusing everything else") {
		t.Errorf("the job's output does not say what the proxy allows:\n%s", out)
	}
	assertNothingLeft(t, cli, runID)
}

// TestEgressImageMissing fails before anything is created, naming the make target.
func TestEgressImageMissing(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{EgressImage: "cloudoven/egress:does-not-exist"})
	job := Job{RunID: newRunID(t), Steps: [][]string{{"version"}}, Egress: &Egress{}}
	_, err := d.Run(context.Background(), job, &output{t: t})
	if !errors.Is(err, ErrImageMissing) || !strings.Contains(err.Error(), "cloudoven/egress:does-not-exist") {
		t.Errorf("run error %v, want ErrImageMissing naming the egress image", err)
	}
	assertNothingLeft(t, cli, job.RunID)
}
