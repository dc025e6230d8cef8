// Command cloudoven-egress is a run's egress proxy (package egress): the runner starts it in
// its own hardened container, on the run's internal network and on one that leads out, and
// points the run's steps at it. It is built as a static binary into its own image (make
// egress-image), never into the image terraform runs in, which an environment may replace.
//
//	cloudoven-egress -listen :3128 -allow management.azure.com -allow '*.blob.core.windows.net' \
//	  -state http://172.17.0.1:8080/api/v1/state/team/42
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/cloudoven/cloudoven/egress"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cloudoven-egress:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cloudoven-egress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", ":3128", "address to accept the run's connections on")
	state := fs.String("state", "", "address of the run's deployment in CloudOven's state backend (TF_HTTP_ADDRESS), reachable besides the allowed hosts")
	var allow []string
	fs.Func("allow", "a host the run may reach: a name, *.domain or an IPv4 address, optionally with :port (repeat for more)", func(s string) error {
		allow = append(allow, s)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	rules, err := egress.ParseRules(allow)
	if err != nil {
		return err
	}
	policy := egress.Policy{Rules: rules}
	if *state != "" {
		if policy.State, err = egress.ParseState(*state); err != nil {
			return err
		}
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	return egress.Serve(ctx, l, policy, stdout)
}
