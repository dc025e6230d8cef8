package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// hangingStore is a store whose every query waits until its context ends, as one behind a
// dropped network route does.
type hangingStore struct{ *store.Store }

func (hangingStore) Ping(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// The readiness check answers signed-out visitors (the kubelet has no session), 200 when
// the server can serve and 503 with a short reason when it cannot: the store down or too
// slow, no catalog, or the server shutting down. The reason names no file or host: the
// store's own error goes to the log.
func TestReadyz(t *testing.T) {
	t.Parallel()
	closed := make(chan struct{})
	close(closed)
	empty, err := catalog.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		// setup changes the app's config; after, when set, runs once the handler is built.
		setup      func(*web.Config)
		after      func(*webtest.App)
		wantStatus int
		wantBody   string
		wantLog    string
	}{
		{name: "ready", wantStatus: http.StatusOK, wantBody: "ok"},
		{
			name:       "store closed",
			after:      func(a *webtest.App) { a.Store.Close() },
			wantStatus: http.StatusServiceUnavailable, wantBody: "store not answering",
			wantLog: "database is closed",
		},
		{
			name:       "store hangs past the timeout",
			setup:      func(cfg *web.Config) { cfg.Store = hangingStore{cfg.Store.(*store.Store)} },
			wantStatus: http.StatusServiceUnavailable, wantBody: "store timed out",
			wantLog: "deadline exceeded",
		},
		{
			name:       "catalog empty",
			setup:      func(cfg *web.Config) { cfg.Catalog = empty },
			wantStatus: http.StatusServiceUnavailable, wantBody: "catalog not loaded",
		},
		{
			name:       "shutting down",
			setup:      func(cfg *web.Config) { cfg.ShuttingDown = closed },
			wantStatus: http.StatusServiceUnavailable, wantBody: "shutting down",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := webtest.NewAppWith(t, func(cfg *web.Config) {
				if tt.setup != nil {
					tt.setup(cfg)
				}
			})
			if tt.after != nil {
				tt.after(app)
			}
			app.Session = nil // probes come without a session
			w := app.Get(paths.Ready(), false)
			webtest.WantStatus(t, w, tt.wantStatus)
			if got := w.Body.String(); got != tt.wantBody {
				t.Errorf("body %q, want %q", got, tt.wantBody)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if tt.wantLog != "" && !strings.Contains(app.Log.String(), tt.wantLog) {
				t.Errorf("the log does not say %q:\n%s", tt.wantLog, app.Log)
			}
		})
	}
}

// Liveness asks nothing of the store: a replica whose database is down is taken out of the
// load balancer by /readyz, not restarted.
func TestHealthzWithTheStoreDown(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.Store.Close()
	a.Session = nil
	w := a.Get(paths.Health(), false)
	webtest.WantStatus(t, w, http.StatusOK)
}
