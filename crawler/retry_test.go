package crawler_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/crawler/registrytest"
)

// TestRegistryRetries breaks one document of hashicorp/random (10 pages) in one way each,
// and checks how often it was asked for, whether it failed, and that the others arrived.
func TestRegistryRetries(t *testing.T) {
	t.Parallel()
	const slug = "password"
	for _, tc := range []struct {
		name     string
		opts     crawler.RegistryOptions
		breakIt  func(srv *registrytest.Server, path string)
		requests int    // for the broken document
		wantErr  string // in its DocError; "" when it arrives after all
	}{{
		name: "429 with a Retry-After in seconds is waited out, capped at MaxBackoff",
		breakIt: func(srv *registrytest.Server, path string) {
			srv.FailNext(path, http.StatusTooManyRequests)
			srv.RetryAfter(path, "3600")
		},
		requests: 2,
	}, {
		name: "429 with a Retry-After date",
		breakIt: func(srv *registrytest.Server, path string) {
			srv.FailNext(path, http.StatusTooManyRequests, http.StatusTooManyRequests)
			srv.RetryAfter(path, time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
		},
		requests: 3,
	}, {
		name:     "500 twice, then success",
		breakIt:  func(srv *registrytest.Server, path string) { srv.FailNext(path, 500, 500) },
		requests: 3,
	}, {
		name:     "502 and 503 and 504 are retried",
		breakIt:  func(srv *registrytest.Server, path string) { srv.FailNext(path, 502, 503, 504) },
		requests: 4,
	}, {
		name:     "persistent 500 fails that document after 5 attempts",
		breakIt:  func(srv *registrytest.Server, path string) { srv.Fail(path, 500) },
		requests: 5,
		wantErr:  "500 Internal Server Error: injected by registrytest after 5 attempts",
	}, {
		name:     "MaxRetries is honoured",
		opts:     crawler.RegistryOptions{MaxRetries: 1},
		breakIt:  func(srv *registrytest.Server, path string) { srv.Fail(path, 503) },
		requests: 2,
		wantErr:  "503 Service Unavailable: injected by registrytest after 2 attempts",
	}, {
		name:     "other 4xx are not retried",
		breakIt:  func(srv *registrytest.Server, path string) { srv.Fail(path, http.StatusForbidden) },
		requests: 1,
		wantErr:  "403 Forbidden",
	}, {
		name:     "one slow answer is retried",
		opts:     crawler.RegistryOptions{RequestTimeout: 200 * time.Millisecond},
		breakIt:  func(srv *registrytest.Server, path string) { srv.DelayNext(path, 1, time.Minute) },
		requests: 2,
	}, {
		name:     "an answer slower than RequestTimeout every time fails that document",
		opts:     crawler.RegistryOptions{RequestTimeout: 50 * time.Millisecond, MaxRetries: 2},
		breakIt:  func(srv *registrytest.Server, path string) { srv.Delay(path, time.Minute) },
		requests: 3,
		wantErr:  "no answer within 50ms after 3 attempts",
	}, {
		name:     "malformed JSON is not retried",
		breakIt:  func(srv *registrytest.Server, path string) { srv.Malformed(path) },
		requests: 1,
		wantErr:  "malformed JSON",
	}, {
		name:     "a truncated body",
		breakIt:  func(srv *registrytest.Server, path string) { srv.Truncate(path) },
		requests: 1,
		wantErr:  "the answer is truncated",
	}, {
		name:     "an HTML page",
		breakIt:  func(srv *registrytest.Server, path string) { srv.NotJSON(path) },
		requests: 1,
		wantErr:  `the answer is "text/html; charset=utf-8", not JSON`,
	}, {
		name: "a body over 8 MiB",
		breakIt: func(srv *registrytest.Server, path string) {
			body := `{"data":{"attributes":{"content":"` + strings.Repeat("x", 8<<20) + `"}}}`
			srv.Respond(path, 200, "application/vnd.api+json", []byte(body))
		},
		requests: 1,
		wantErr:  "the answer is larger than 8 MiB",
	}, {
		name: "an answer without content",
		breakIt: func(srv *registrytest.Server, path string) {
			srv.Respond(path, 200, "application/vnd.api+json", []byte(`{"data":{"attributes":{"content":null}}}`))
		},
		requests: 1,
		wantErr:  "the answer has no content",
	}, {
		name: "an answer for another document",
		breakIt: func(srv *registrytest.Server, path string) {
			srv.Respond(path, 200, "application/vnd.api+json", []byte(`{"data":{"id":"1","attributes":{"content":"# x"}}}`))
		},
		requests: 1,
		wantErr:  "the answer is document 1",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, "random")
			path := srv.DocPath("random", "resources", slug)
			tc.breakIt(srv, path)
			reg := fastRegistry(srv, tc.opts)
			total := len(srv.Docs("random", "resources"))

			start := time.Now()
			pages, errs, err := reg.Docs(context.Background(), "hashicorp", "random", "3.9.0", nil)
			if err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > 20*time.Second {
				t.Errorf("took %s: a Retry-After was not capped", time.Since(start))
			}
			if n := srv.Requests(path); n != tc.requests {
				t.Errorf("the broken document was asked %d times, want %d", n, tc.requests)
			}
			got := map[string]bool{}
			for _, p := range pages {
				got[p.Slug] = true
			}
			if tc.wantErr == "" {
				if len(errs) != 0 || len(pages) != total {
					t.Fatalf("want all %d pages and no errors, got %d pages, errors %v", total, len(pages), errs)
				}
				if pages[slices.IndexFunc(pages, func(p crawler.Page) bool { return p.Slug == slug })].Markdown != srv.Content(strings.TrimPrefix(path, registrytest.DocsPath+"/")) {
					t.Error("the retried document's markdown is not the served one")
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("want one doc error, got %v", errs)
			}
			var de *crawler.DocError
			if !errors.As(errs[0], &de) || de.Ref.Slug != slug {
				t.Fatalf("want a DocError for %s, got %#v", slug, errs[0])
			}
			msg := errs[0].Error()
			if !strings.HasPrefix(msg, "document resources/"+slug+": fetching "+path+": ") && !strings.HasPrefix(msg, "document resources/"+slug+": decoding "+path+": ") {
				t.Errorf("the error does not name the document and its path: %s", msg)
			}
			if !strings.Contains(msg, tc.wantErr) {
				t.Errorf("error %q does not say %q", msg, tc.wantErr)
			}
			if len(pages) != total-1 || got[slug] {
				t.Errorf("got %d pages (broken one present: %v), want the other %d", len(pages), got[slug], total-1)
			}
		})
	}
}

func TestRegistryRetryErrorWording(t *testing.T) {
	t.Parallel()
	srv := serve(t, "random")
	srv.Fail(registrytest.VersionsPath("random"), 503)
	reg := fastRegistry(srv, crawler.RegistryOptions{})
	_, err := reg.Versions(context.Background(), "hashicorp", "random")
	want := "fetching /v1/providers/hashicorp/random/versions: 503 Service Unavailable: injected by registrytest after 5 attempts"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	if n := srv.Requests(registrytest.VersionsPath("random")); n != 5 {
		t.Errorf("%d requests, want 5", n)
	}
}

func TestRegistryCancelEndsARetryWait(t *testing.T) {
	t.Parallel()
	srv := serve(t, "random")
	srv.Fail(registrytest.VersionsPath("random"), http.StatusServiceUnavailable)
	srv.RetryAfter(registrytest.VersionsPath("random"), "3600")
	reg := fastRegistry(srv, crawler.RegistryOptions{MinBackoff: time.Hour, MaxBackoff: time.Hour})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	srv.OnRequest(func(*http.Request) {
		// Cancel once the client is surely waiting out the Retry-After.
		once.Do(func() { time.AfterFunc(50*time.Millisecond, cancel) })
	})
	start := time.Now()
	_, err := reg.Versions(ctx, "hashicorp", "random")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("returned after %s", took)
	}
	if n := srv.Requests(registrytest.VersionsPath("random")); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestRegistryRetryAfterOnEveryRetriedStatus: the registry's Retry-After is honoured on any
// status that is retried, not only on 429 and 503: here a "0" on a 502 cuts a wait that
// MinBackoff would make an hour.
func TestRegistryRetryAfterOnEveryRetriedStatus(t *testing.T) {
	t.Parallel()
	srv := serve(t, "random")
	srv.FailNext(registrytest.VersionsPath("random"), http.StatusBadGateway, http.StatusGatewayTimeout)
	srv.RetryAfter(registrytest.VersionsPath("random"), "0")
	reg := fastRegistry(srv, crawler.RegistryOptions{MinBackoff: time.Hour, MaxBackoff: time.Hour})

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := reg.Versions(ctx, "hashicorp", "random"); err != nil {
		t.Fatalf("want the third attempt to succeed at once, got %v", err)
	}
	if n := srv.Requests(registrytest.VersionsPath("random")); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// levels is a slog handler that counts records by level.
type levels struct {
	mu sync.Mutex
	n  map[slog.Level]int
}

func (h *levels) Enabled(context.Context, slog.Level) bool { return true }
func (h *levels) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n[r.Level]++
	return nil
}
func (h *levels) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *levels) WithGroup(string) slog.Handler      { return h }

// TestRegistryLogsRetriesAtDebug: failed attempts that are retried are logged, at debug
// level only; the caller gets the errors that matter.
func TestRegistryLogsRetriesAtDebug(t *testing.T) {
	t.Parallel()
	srv := serve(t, "random")
	srv.Fail(registrytest.VersionsPath("random"), http.StatusInternalServerError)
	h := &levels{n: map[slog.Level]int{}}
	reg := fastRegistry(srv, crawler.RegistryOptions{MaxRetries: 2, Logger: slog.New(h)})
	if _, err := reg.Versions(context.Background(), "hashicorp", "random"); err == nil {
		t.Fatal("want an error")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n[slog.LevelDebug] < 2 || len(h.n) != 1 {
		t.Errorf("records by level: %v; want some, all at debug", h.n)
	}
}
