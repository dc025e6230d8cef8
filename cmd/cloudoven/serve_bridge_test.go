package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
)

// TestBridgeStateListenerIsReachedFromRuns: with the server on loopback (the default), a
// run's terraform reaches the state backend through the listener on the bridge's gateway:
// on the bridge network itself, and held to its environment's egress behind the proxy (the
// default for new environments). terraform init and plan with the http backend read the
// state there.
func TestBridgeStateListenerIsReachedFromRuns(t *testing.T) {
	testenv.RunnerImage(t)
	testenv.EgressImage(t)
	cli := testenv.Docker(t)
	ln, err := bridgeStateListener(context.Background(), cli, "bridge")
	if err != nil {
		t.Fatal(err)
	}
	var asked atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/state/team/1" {
			asked.Add(1)
		}
		w.WriteHeader(http.StatusNoContent) // no state yet
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	if loopback("http://" + ln.Addr().String()) {
		t.Fatalf("the bridge listener is on loopback: %s", ln.Addr())
	}

	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	d, err := runner.NewDocker(runner.DockerOptions{Instance: "test-" + hex.EncodeToString(b)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.RemoveOrphans(context.Background(), nil); d.Close() })
	main := `terraform {
  backend "http" {
    address = "http://` + ln.Addr().String() + `/api/v1/state/team/1"
  }
}
resource "terraform_data" "x" {}
`
	address := "http://" + ln.Addr().String() + "/api/v1/state/team/1"
	for i, job := range []runner.Job{
		{NetworkMode: "bridge"},
		{Egress: &runner.Egress{State: address}},
	} {
		before := asked.Load()
		job.RunID = "bridge-" + hex.EncodeToString(b) + "-" + string(rune('a'+i))
		job.Files = map[string][]byte{"main.tf": []byte(main)}
		job.Steps = [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color", "-lock=false"}}
		job.Providers = []runner.ProviderPackage{}
		var out strings.Builder
		res, err := d.Run(context.Background(), job, &out)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("job %d: exit %d, %v:\n%s", i, res.ExitCode, err, out.String())
		}
		if asked.Load() == before {
			t.Errorf("job %d: terraform never reached the state backend:\n%s", i, out.String())
		}
	}
}
