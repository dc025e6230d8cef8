package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Serve runs the proxy on l until ctx ends: it writes the ReadyLine (with what the policy
// allows) to logw once it accepts connections, then one line per refused or failed
// connection. Open tunnels are closed when it returns.
func Serve(ctx context.Context, l net.Listener, policy Policy, logw io.Writer) error {
	p := NewProxy(policy, logw)
	srv := p.Server()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	p.logf("listening on %s; %s", l.Addr(), describe(policy))
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	// Close, not Shutdown: hijacked tunnels are not the server's to wait for, and the run
	// they belong to is over.
	srv.Close()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}

// describe says what the policy allows, in words for a run's log.
func describe(p Policy) string {
	var allowed []string
	for _, r := range p.Rules {
		allowed = append(allowed, r.String())
	}
	if p.State != nil {
		allowed = append(allowed, "CloudOven's state backend")
	}
	if len(allowed) == 0 {
		return "allowing nothing"
	}
	return "allowing " + strings.Join(allowed, ", ") + "; refusing everything else"
}
