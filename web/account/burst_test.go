package account_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// heapPeak samples the live heap (as the last GC marked it) and the heap's allocated
// objects every millisecond until stop is called, which returns the highest of each.
func heapPeak() (stop func() (live, objects uint64)) {
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	result := make(chan [2]uint64)
	go func() {
		var peak [2]uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			peak[0] = max(peak[0], samples[0].Value.Uint64())
			peak[1] = max(peak[1], samples[1].Value.Uint64())
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		p := <-result
		return p[0], p[1]
	}
}

// TestSignInBurstStaysBounded sends 50 wrong passwords for one user at once, each from its
// own address, against a user whose hash has the real default argon2id costs (64 MiB per
// hash). Attempts are counted before their hash is computed, so no more of them reach the
// hash than the per-user ceiling allows, and hashes run a few at a time, so the live heap
// grows by about the hashing budget (256 MiB), not by 50 × 64 MiB.
//
// Not parallel: it measures the whole process's heap, so no other test may run beside it.
func TestSignInBurstStaysBounded(t *testing.T) {
	a := webtest.NewAppWith(t, func(c *web.Config) { c.PasswordParams = auth.Params{} })
	hash, err := auth.HashPassword("the victim's own password", auth.Params{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.CreateUser(context.Background(), "victim", hash, false); err != nil {
		t.Fatal(err)
	}
	const (
		attempts = 50
		// userCeiling is the per-user ceiling of failed sign-ins from addresses the user
		// never signed in from (README, "Signing in").
		userCeiling = 20
		// budget is the memory argon2id hashes may hold at once, and slack what the rest of
		// the sign-ins (forms, pages, audit rows) may add to the live heap.
		budget = 256 << 20
		slack  = 128 << 20
	)

	runtime.GC()
	var base [1]metrics.Sample
	base[0].Name = "/gc/heap/live:bytes"
	metrics.Read(base[:])
	stop := heapPeak()

	start := make(chan struct{})
	codes := make([]int, attempts)
	var wg sync.WaitGroup
	for i := range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"name": {"victim"}, "password": {fmt.Sprintf("guess number %d", i)}}
			r := httptest.NewRequest(http.MethodPost, paths.SignIn(""), strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.RemoteAddr = fmt.Sprintf("198.51.100.%d:40000", i+1)
			<-start
			w := httptest.NewRecorder()
			a.Handler.ServeHTTP(w, r)
			codes[i] = w.Code
		}()
	}
	close(start)
	wg.Wait()
	live, objects := stop()

	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	t.Logf("answers %v; live heap %d MiB before, peak %d MiB; peak allocated heap %d MiB",
		count, base[0].Value.Uint64()>>20, live>>20, objects>>20)
	for c := range count {
		switch c {
		case http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		default:
			t.Errorf("%d attempts answered %d", count[c], c)
		}
	}
	if n := count[http.StatusUnauthorized]; n > userCeiling {
		t.Errorf("%d of %d wrong passwords were checked (401); the per-user ceiling is %d", n, attempts, userCeiling)
	}
	if n := count[http.StatusTooManyRequests]; n < attempts-userCeiling {
		t.Errorf("%d attempts were refused with 429, want at least %d", n, attempts-userCeiling)
	}
	if growth := int64(live) - int64(base[0].Value.Uint64()); growth > budget+slack {
		t.Errorf("the live heap grew by %d MiB during the burst, want at most %d MiB", growth>>20, (budget+slack)>>20)
	}
}
