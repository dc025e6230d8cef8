package egress

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// upstream is a server the proxy may or may not let a run reach; it records what it got.
type upstream struct {
	*httptest.Server
	mu  sync.Mutex
	got []*http.Request
}

func newUpstream(t *testing.T, tlsToo bool) *upstream {
	t.Helper()
	u := &upstream{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.got = append(u.got, r)
		u.mu.Unlock()
		io.WriteString(w, "upstream says hello")
	})
	if tlsToo {
		u.Server = httptest.NewTLSServer(h)
	} else {
		u.Server = httptest.NewServer(h)
	}
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() []*http.Request {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]*http.Request(nil), u.got...)
}

// hostPort is the upstream's 127.0.0.1:port.
func (u *upstream) hostPort() string {
	return strings.TrimPrefix(strings.TrimPrefix(u.URL, "http://"), "https://")
}

// safeBuffer is a log that the proxy's handlers write to at once.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startProxy serves a proxy for policy with Serve, as the command does, and returns a
// client that uses it, trusting tlsServer's certificate when given, and the proxy's log.
func startProxy(t *testing.T, policy Policy, tlsServer *httptest.Server) (*http.Client, *safeBuffer, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &safeBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, policy, logs) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	// Wait for the line a runner waits for.
	for deadline := time.Now().Add(10 * time.Second); !strings.HasPrefix(logs.String(), ReadyLine); {
		if time.Now().After(deadline) {
			t.Fatalf("the proxy wrote no ready line: %q", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	proxyURL := &url.URL{Scheme: "http", Host: l.Addr().String()}
	tr := &http.Transport{Proxy: http.ProxyURL(proxyURL)}
	if tlsServer != nil {
		tr.TLSClientConfig = tlsServer.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, logs, proxyURL.String()
}

func mustRules(t *testing.T, list ...string) []Rule {
	t.Helper()
	rules, err := ParseRules(list)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func get(t *testing.T, c *http.Client, u string) (int, string, error) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func TestProxyForwardsAllowedHTTPAndRefusesTheRest(t *testing.T) {
	t.Parallel()
	allowed, other := newUpstream(t, false), newUpstream(t, false)
	c, logs, _ := startProxy(t, Policy{Rules: mustRules(t, allowed.hostPort())}, nil)

	req, _ := http.NewRequest(http.MethodGet, allowed.URL+"/v1/thing?x=1", nil)
	req.Header.Set("Proxy-Authorization", "Basic c2VjcmV0")
	req.Header.Set("X-Kept", "yes")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "upstream says hello" {
		t.Fatalf("allowed request: %d %q", resp.StatusCode, body)
	}
	got := allowed.requests()
	if len(got) != 1 || got[0].URL.RequestURI() != "/v1/thing?x=1" || got[0].Header.Get("X-Kept") != "yes" {
		t.Fatalf("upstream got %+v", got)
	}
	if got[0].Header.Get("Proxy-Authorization") != "" || got[0].Header.Get("X-Forwarded-For") != "" {
		t.Errorf("the proxy passed on or added headers: %v", got[0].Header)
	}

	code, body2, err := get(t, c, other.URL+"/steal?secret=x")
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusForbidden || !strings.Contains(body2, "refused") {
		t.Errorf("refused request: %d %q", code, body2)
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the unlisted upstream got %d requests", n)
	}
	want := LogPrefix + "egress to " + other.hostPort() + " refused: not allowed by the environment's egress setting\n"
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log %q lacks %q", logs.String(), want)
	}
	if strings.Contains(logs.String(), "secret") {
		t.Errorf("the log shows a refused request's path: %q", logs.String())
	}
}

func TestProxyTunnelsAllowedHTTPSAndRefusesTheRest(t *testing.T) {
	t.Parallel()
	allowed := newUpstream(t, true)
	other := newUpstream(t, true)
	c, logs, _ := startProxy(t, Policy{Rules: mustRules(t, allowed.hostPort())}, allowed.Server)
	code, body, err := get(t, c, allowed.URL+"/ok")
	if err != nil || code != http.StatusOK || body != "upstream says hello" {
		t.Fatalf("allowed tunnel: %d %q %v", code, body, err)
	}
	if _, _, err := get(t, c, other.URL+"/steal"); err == nil {
		t.Error("a tunnel to an unlisted host was opened")
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the unlisted upstream got %d requests", n)
	}
	if want := "egress to " + other.hostPort() + " refused"; !strings.Contains(logs.String(), want) {
		t.Errorf("log %q lacks %q", logs.String(), want)
	}
}

func TestProxyAllowsOnlyTheStateAddress(t *testing.T) {
	t.Parallel()
	stateSrv := newUpstream(t, false)
	state, err := ParseState(stateSrv.URL + "/api/v1/state/team/1")
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := startProxy(t, Policy{State: state}, nil)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/api/v1/state/team/1", http.StatusOK},
		{"/api/v1/state/team/1?ID=lock-id", http.StatusOK},
		{"/api/v1/state/team/12", http.StatusForbidden},
		{"/api/v1/state/team/1/../2", http.StatusForbidden},
		{"/api/v1/state/team", http.StatusForbidden},
		{"/projects/team", http.StatusForbidden},
	} {
		code, _, err := get(t, c, stateSrv.URL+tc.path)
		if err != nil || code != tc.want {
			t.Errorf("GET %s: %d %v, want %d", tc.path, code, err, tc.want)
		}
	}
	if n := len(stateSrv.requests()); n != 2 {
		t.Errorf("the state backend got %d requests, want the 2 for its address", n)
	}
}

func TestProxyTunnelsToAnHTTPSStateBackend(t *testing.T) {
	t.Parallel()
	stateSrv := newUpstream(t, true)
	state, err := ParseState(stateSrv.URL + "/api/v1/state/team/1")
	if err != nil {
		t.Fatal(err)
	}
	c, _, _ := startProxy(t, Policy{State: state}, stateSrv.Server)
	if code, _, err := get(t, c, stateSrv.URL+"/api/v1/state/team/1"); err != nil || code != http.StatusOK {
		t.Errorf("the https state backend: %d %v", code, err)
	}
}

func TestProxyDialsNoNameToALoopbackAddress(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, false)
	_, port, _ := net.SplitHostPort(up.hostPort())
	c, logs, _ := startProxy(t, Policy{Rules: mustRules(t, "localhost:"+port)}, nil)
	code, _, err := get(t, c, "http://localhost:"+port+"/")
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusBadGateway {
		t.Errorf("a name on loopback: %d, want 502", code)
	}
	if n := len(up.requests()); n != 0 {
		t.Errorf("the loopback server got %d requests through a name", n)
	}
	if !strings.Contains(logs.String(), "loopback, link-local") {
		t.Errorf("the log does not say why: %q", logs.String())
	}
}

func TestProxyRefusesWhatIsNotAProxyRequest(t *testing.T) {
	t.Parallel()
	_, _, proxyURL := startProxy(t, Policy{}, nil)
	resp, err := http.Get(proxyURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an origin-form request: %d, want 400", resp.StatusCode)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(proxyURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "CONNECT nohost HTTP/1.1\r\nHost: nohost\r\n\r\n")
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("CONNECT without a port: %d, want 400", resp.StatusCode)
	}
}

func TestServeSaysWhatItAllows(t *testing.T) {
	t.Parallel()
	state, _ := ParseState("http://172.17.0.1:8080/api/v1/state/team/1")
	_, logs, _ := startProxy(t, Policy{Rules: mustRules(t, "management.azure.com", "*.blob.core.windows.net"), State: state}, nil)
	first, _, _ := strings.Cut(logs.String(), "\n")
	if !strings.HasPrefix(first, ReadyLine) || !strings.HasSuffix(first, "allowing management.azure.com, *.blob.core.windows.net, CloudOven's state backend; refusing everything else") {
		t.Errorf("ready line %q", first)
	}
	_, logs, _ = startProxy(t, Policy{}, nil)
	if first, _, _ := strings.Cut(logs.String(), "\n"); !strings.HasSuffix(first, "allowing nothing") {
		t.Errorf("ready line %q", first)
	}
}

func TestServeStopsWithItsContext(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, Policy{}, io.Discard) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after a cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if _, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		t.Error("the proxy still accepts connections")
	}
}

func TestParseState(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"http://172.17.0.1:8080/api/v1/state/team/1", "https://cloudoven.example.com/api/v1/state/team/1"} {
		if _, err := ParseState(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ftp://x/y", "http:///path", "http://user:pw@x/y", "http://x/y?q=1", "http://x/y#f", "x/y", "%zz"} {
		if _, err := ParseState(bad); err == nil {
			t.Errorf("ParseState(%q) accepted it", bad)
		}
	}
}

// TestProxyLimitsHeaders keeps a request's headers from growing without bound.
func TestProxyLimitsHeaders(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, false)
	c, _, _ := startProxy(t, Policy{Rules: mustRules(t, up.hostPort())}, nil)
	req, _ := http.NewRequest(http.MethodGet, up.URL+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("x", 2*maxHeaderBytes))
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("oversized headers: %d, want 431", resp.StatusCode)
		}
	}
	if n := len(up.requests()); n != 0 {
		t.Errorf("oversized headers reached the upstream %d times", n)
	}
}
