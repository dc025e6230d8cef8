package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// StatusError is an answer from the registry that was not a success.
type StatusError struct {
	StatusCode int
	Detail     string // from the JSON:API error body, when it has one
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Retryable tells whether asking again may help: rate limiting and server-side failures.
func (e *StatusError) Retryable() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// fetch GETs path (with its query) from the registry and returns the body, which is JSON
// by its Content-Type and at most limit bytes. Network errors, attempt timeouts, 429 and
// 5xx are retried up to MaxRetries times with exponential backoff and jitter, or after the
// server's Retry-After; other answers are final. Errors name the path.
func (r *Registry) fetch(ctx context.Context, path string, limit int64) ([]byte, error) {
	attempts := r.maxRetries + 1
	for attempt := 1; ; attempt++ {
		body, retryAfter, retry, err := r.attempt(ctx, path, limit)
		if err == nil {
			return body, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("fetching %s: %w", path, ctx.Err())
		}
		if !retry {
			return nil, fmt.Errorf("fetching %s: %w", path, err)
		}
		if attempt >= attempts {
			if attempts == 1 {
				return nil, fmt.Errorf("fetching %s: %w", path, err)
			}
			return nil, fmt.Errorf("fetching %s: %w after %d attempts", path, err, attempts)
		}
		wait := r.backoff(attempt, retryAfter)
		r.log.Debug("retrying registry request", "path", path, "attempt", attempt, "wait", wait, "err", err)
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("fetching %s: %w", path, err)
		}
	}
}

// attempt makes one request under its own timeout. retryAfter is the server's Retry-After
// (negative when it sent none); retry tells whether the failure is worth another attempt.
func (r *Registry) attempt(ctx context.Context, path string, limit int64) (body []byte, retryAfter time.Duration, retry bool, err error) {
	retryAfter = -1
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.baseURL+path, nil)
	if err != nil {
		return nil, retryAfter, false, err
	}
	req.Header.Set("User-Agent", r.userAgent)
	req.Header.Set("Accept", "application/vnd.api+json, application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, retryAfter, true, r.transportError(ctx, "no answer", err)
	}
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{StatusCode: resp.StatusCode, Detail: errorDetail(resp.Body)}
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			retryAfter = d
		}
		return nil, retryAfter, se.Retryable(), se
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return nil, retryAfter, false, fmt.Errorf("the answer is %q, not JSON", ct)
		}
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, retryAfter, true, r.transportError(ctx, "no complete answer", err)
	}
	if int64(len(body)) > limit {
		return nil, retryAfter, false, fmt.Errorf("the answer is larger than %s", byteSize(limit))
	}
	return body, retryAfter, false, nil
}

// transportError says an attempt's timeout in words and drops net/http's "Get <url>:"
// prefix, since callers name the path themselves.
func (r *Registry) transportError(ctx context.Context, what string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s within %s", what, r.timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// errorDetail reads the detail of a JSON:API error body ({"errors": [{"detail": ...}]} or
// {"errors": ["..."]}), if there is one; anything else gives "".
func errorDetail(body io.Reader) string {
	b, err := io.ReadAll(io.LimitReader(body, 16<<10))
	if err != nil {
		return ""
	}
	var v struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(b, &v) != nil || len(v.Errors) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(v.Errors[0], &s) == nil {
		return clip(s, 300)
	}
	var e struct{ Title, Detail string }
	if json.Unmarshal(v.Errors[0], &e) == nil {
		if e.Detail != "" {
			return clip(e.Detail, 300)
		}
		return clip(e.Title, 300)
	}
	return ""
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// backoff is how long to wait before attempt+1: the server's Retry-After when it sent one,
// else MinBackoff doubled per attempt, both capped at MaxBackoff. Without Retry-After the
// wait is jittered over its upper half so that workers that failed together do not retry
// together.
func (r *Registry) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter >= 0 {
		return min(retryAfter, r.maxBackoff)
	}
	d := r.minBackoff
	for i := 1; i < attempt && d < r.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.maxBackoff)
	if half := int64(d / 2); half > 0 {
		d = time.Duration(half + rand.Int64N(half+1))
	}
	return d
}

// sleep waits d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
