package runview_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestRunLogStreamOutlivesTheBodyTimeout follows a run's log over a real server with
// cloudoven serve's kind of timeouts (web.NewHTTPServer), made short: the stream stays
// open well past them, and lines written after that still arrive.
func TestRunLogStreamOutlivesTheBodyTimeout(t *testing.T) {
	t.Parallel()
	exec := &webtest.FakeExecutor{Gate: make(chan struct{})}
	a, deployment := webtest.RunApp(t, exec)
	timeouts := web.Timeouts{Header: time.Second, Body: time.Second, BodyMinRate: 16 << 10, Idle: time.Minute}
	h := a.WithSession(a.Handler)
	srv := httptest.NewUnstartedServer(h)
	srv.Config = web.NewHTTPServer(h, timeouts, nil)
	srv.Start()
	t.Cleanup(srv.Close)

	id := a.StartRun(deployment, "plan")
	a.WaitLogLines(id, 5)
	req, err := http.NewRequest(http.MethodGet, srv.URL+paths.RunLog("team", id)+"?state=queued", nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Session.Apply(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the stream answers %s", resp.Status)
	}
	before := readEvents(t, resp.Body, func(e sseEvent) bool { return e.name == "line" && e.id == "5" })

	// Three times the body timeout passes (the passing time is what is tested), then the
	// plan goes on.
	time.Sleep(3 * timeouts.Body)
	close(exec.Gate)
	after := readEvents(t, resp.Body, func(e sseEvent) bool { return e.name == "state" && e.data == string(store.RunPlanned) })
	if len(after) == 0 || after[len(after)-1].data != string(store.RunPlanned) {
		t.Fatalf("the stream ended before the plan did: %+v", after)
	}
	got := append(eventLines(t, before), eventLines(t, after)...)
	if want := a.StoredLog(id); !slices.Equal(got, want[:len(got)]) || !slices.Contains(got, "plan line 8") {
		t.Errorf("the stream sent\n%q\nthe stored log is\n%q", got, want)
	}
}
