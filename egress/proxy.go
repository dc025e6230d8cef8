package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// LogPrefix starts every line the proxy writes, so a run's log tells them from terraform's.
const LogPrefix = "CloudOven egress proxy: "

// ReadyLine starts the line the proxy writes once it accepts connections; whoever started it
// waits for that line before a step may need it.
const ReadyLine = LogPrefix + "listening"

// Limits of the proxy. It serves one run, whose steps make a handful of connections at a
// time (terraform's parallelism is 10 by default).
const (
	maxConns          = 256
	maxHeaderBytes    = 64 << 10
	readHeaderTimeout = 30 * time.Second
	dialTimeout       = 30 * time.Second
	// maxLogHost bounds a host name as it is written to the log.
	maxLogHost = 300
)

// Policy is what a run may reach: the hosts its environment allows (none for egress none)
// and its deployment's state in CloudOven's backend.
type Policy struct {
	Rules []Rule
	// State is the address of the run's deployment in CloudOven's state backend
	// (TF_HTTP_ADDRESS), or nil. Plain HTTP requests to exactly its host, port and path are
	// allowed, whatever the query (terraform adds the lock ID); with https, whose paths the
	// proxy cannot see, CONNECT to its host and port is.
	State *url.URL
}

// ParseState reads the state backend's address for a Policy: an http or https URL with a
// host, and no user, query or fragment.
func ParseState(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("state address: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("state address %q: want an http or https URL with a host and a path, without a user, query or fragment", s)
	}
	return u, nil
}

// hostPort splits u's host and port, the scheme's default when it has none.
func hostPort(u *url.URL) (string, int) {
	port, err := strconv.Atoi(u.Port())
	if err != nil || u.Port() == "" {
		port = 80
		if u.Scheme == "https" {
			port = 443
		}
	}
	return strings.TrimSuffix(strings.ToLower(u.Hostname()), "."), port
}

// stateHost says whether host:port is the state backend's.
func (p Policy) stateHost(host string, port int) bool {
	if p.State == nil {
		return false
	}
	h, sp := hostPort(p.State)
	return sp == port && h == strings.TrimSuffix(strings.ToLower(host), ".")
}

// allowsConnect says whether a tunnel to host:port is allowed.
func (p Policy) allowsConnect(host string, port int) bool {
	return Allowed(p.Rules, host, port) || p.State != nil && p.State.Scheme == "https" && p.stateHost(host, port)
}

// allowsRequest says whether a plain HTTP request for u is allowed.
func (p Policy) allowsRequest(u *url.URL) bool {
	host, port := hostPort(u)
	if Allowed(p.Rules, host, port) {
		return true
	}
	return p.State != nil && p.State.Scheme == "http" && p.stateHost(host, port) && u.EscapedPath() == p.State.EscapedPath()
}

// Proxy is the egress proxy of one run: an HTTP proxy that tunnels CONNECT (https) to the
// hosts its Policy allows, forwards plain HTTP requests for them, and refuses everything
// else with 403 and a line in its log. Steps reach it through HTTPS_PROXY and HTTP_PROXY on
// a network that has no other way out, so what it refuses is not reached at all.
//
// A host allowed by name is never dialled at a loopback, link-local (the cloud metadata
// endpoint 169.254.169.254 among them), multicast or unspecified address, so a name cannot
// be pointed at the host's metadata service; a rule or state address that names such an
// address itself is dialled.
type Proxy struct {
	policy  Policy
	forward *httputil.ReverseProxy
	conns   chan struct{}

	mu  sync.Mutex
	log io.Writer
}

// NewProxy returns the proxy for policy, writing one line per refused or failed connection
// to log.
func NewProxy(policy Policy, logw io.Writer) *Proxy {
	p := &Proxy{policy: policy, log: logw, conns: make(chan struct{}, maxConns)}
	p.forward = &httputil.ReverseProxy{
		// The request is already absolute (http://host/path): only the hop-by-hop headers
		// go, which ReverseProxy removes, and nothing is added.
		Rewrite: func(*httputil.ProxyRequest) {},
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         p.dial,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.logf("egress to %s allowed, but the request failed: %v", logHost(r.URL.Host), err)
			http.Error(w, LogPrefix+"the request failed: "+err.Error(), http.StatusBadGateway)
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	return p
}

// Server is an http.Server for the proxy with its limits: header size and time, and no
// HTTP/2.
func (p *Proxy) Server() *http.Server {
	return &http.Server{
		Handler:           p,
		ReadHeaderTimeout: readHeaderTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
}

func (p *Proxy) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.log, LogPrefix+format+"\n", args...)
}

// logHost is a client-supplied host fit for one log line: printable and bounded.
func logHost(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > maxLogHost {
		s = s[:maxLogHost] + "…"
	}
	return s
}

// ServeHTTP serves one proxy request: CONNECT or an absolute http:// request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case p.conns <- struct{}{}:
		defer func() { <-p.conns }()
	default:
		http.Error(w, LogPrefix+"too many connections at once", http.StatusServiceUnavailable)
		return
	}
	switch {
	case r.Method == http.MethodConnect:
		p.connect(w, r)
	case r.URL.IsAbs() && r.URL.Scheme == "http" && r.URL.Host != "":
		if !p.policy.allowsRequest(r.URL) {
			p.refuse(w, r.URL.Host)
			return
		}
		p.forward.ServeHTTP(w, r)
	default:
		http.Error(w, LogPrefix+"this is an egress proxy: send CONNECT host:port, or an absolute http:// request", http.StatusBadRequest)
	}
}

func (p *Proxy) refuse(w http.ResponseWriter, target string) {
	p.logf("egress to %s refused: not allowed by the environment's egress setting", logHost(target))
	http.Error(w, LogPrefix+"egress to "+logHost(target)+" refused: not allowed by the environment's egress setting", http.StatusForbidden)
}

// connect tunnels a CONNECT request to an allowed host:port.
func (p *Proxy) connect(w http.ResponseWriter, r *http.Request) {
	host, portText, err := net.SplitHostPort(r.Host)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil || port < 1 || port > 65535 {
		http.Error(w, LogPrefix+"CONNECT needs host:port", http.StatusBadRequest)
		return
	}
	if !p.policy.allowsConnect(host, port) {
		p.refuse(w, r.Host)
		return
	}
	up, err := p.dial(r.Context(), "tcp", net.JoinHostPort(host, portText))
	if err != nil {
		p.logf("egress to %s allowed, but connecting failed: %v", logHost(r.Host), err)
		http.Error(w, LogPrefix+"connecting to "+logHost(r.Host)+" failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer up.Close()
	client, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, LogPrefix+"cannot tunnel: "+err.Error(), http.StatusInternalServerError)
		return
	}
	defer client.Close()
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	// Bytes the client sent after its request (a TLS hello it did not wait to send) are
	// in the server's buffer, not on the connection.
	if n := buf.Reader.Buffered(); n > 0 {
		b, _ := buf.Reader.Peek(n)
		if _, err := up.Write(b); err != nil {
			return
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(up, client)
		closeWrite(up)
	}()
	io.Copy(client, up)
	closeWrite(client)
	<-done
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	} else {
		c.Close()
	}
}

// errSpecialAddress is why a name was not dialled.
var errSpecialAddress = errors.New("the name resolves to a loopback, link-local, multicast or unspecified address, which a name may not reach")

// dial connects to an allowed address. A name (not the state backend's) must resolve to an
// ordinary address: see Proxy.
func (p *Proxy) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(portText)
	if net.ParseIP(host) == nil && !p.policy.stateHost(host, port) {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			ip := ap.Addr().Unmap()
			if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
				ip.IsMulticast() || ip.IsUnspecified() {
				return errSpecialAddress
			}
			return nil
		}
	}
	return d.DialContext(ctx, network, addr)
}
