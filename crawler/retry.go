package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
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

// attemptError is why one attempt failed, and whether another may go better. checkRetry
// reads it; giveUp unwraps it.
type attemptError struct {
	err   error
	retry bool
}

func (e *attemptError) Error() string { return e.err.Error() }
func (e *attemptError) Unwrap() error { return e.err }

// newRetryClient is the client fetch asks through: hc's transport with a per-attempt
// timeout, the registry's retry count and backoff bounds, and retryablehttp's own log lines
// at debug level on the registry's logger.
func (r *Registry) newRetryClient(hc *http.Client) *retryablehttp.Client {
	// http.Client.Timeout bounds one Do and the reading of its body, which is one attempt:
	// retryablehttp calls Do once per attempt. A copy, so that the caller's client keeps
	// its own timeout.
	attempt := *hc
	attempt.Timeout = r.timeout
	return &retryablehttp.Client{
		HTTPClient:   &attempt,
		Logger:       debugLogger{r.log},
		RetryWaitMin: r.minBackoff,
		RetryWaitMax: r.maxBackoff,
		RetryMax:     r.maxRetries,
		CheckRetry:   r.checkRetry,
		Backoff:      backoff,
		ErrorHandler: giveUp,
	}
}

// fetch GETs path (with its query) from the registry and returns the body, which is JSON
// by its Content-Type and at most limit bytes. Network errors, attempt timeouts, 429 and
// 5xx are retried up to MaxRetries times with exponential backoff and jitter, or after the
// server's Retry-After; other answers are final. Errors name the path.
func (r *Registry) fetch(ctx context.Context, path string, limit int64) ([]byte, error) {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, r.baseURL+path, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", path, err)
	}
	req.Header.Set("User-Agent", r.userAgent)
	req.Header.Set("Accept", "application/vnd.api+json, application/json")
	var body []byte
	// The handler sees every answer (checkRetry passes them all on), so that a failure
	// status, a wrong Content-Type and a body cut short are judged in one place.
	req.SetResponseHandler(func(resp *http.Response) error {
		var err error
		body, err = r.readAnswer(resp, limit)
		return err
	})
	resp, err := r.client.Do(req)
	if err == nil {
		resp.Body.Close()
		return body, nil
	}
	if ctx.Err() != nil {
		// Canceled while asking or while waiting to ask again: checkRetry and retryablehttp
		// made no further attempt.
		return nil, fmt.Errorf("fetching %s: %w", path, ctx.Err())
	}
	return nil, fmt.Errorf("fetching %s: %w", path, err)
}

// readAnswer reads one answer: a success status, JSON, at most limit bytes. It leaves the
// body open; retryablehttp drains it before asking again, fetch and giveUp close it.
func (r *Registry) readAnswer(resp *http.Response, limit int64) ([]byte, error) {
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		se := &StatusError{StatusCode: resp.StatusCode, Detail: errorDetail(resp.Body)}
		return nil, &attemptError{se, se.Retryable()}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return nil, &attemptError{fmt.Errorf("the answer is %q, not JSON", ct), false}
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &attemptError{r.transportError("no complete answer", err), true}
	}
	if int64(len(body)) > limit {
		return nil, &attemptError{fmt.Errorf("the answer is larger than %s", byteSize(limit)), false}
	}
	return body, nil
}

// checkRetry is the retry policy. retryablehttp calls it after each request (err is the
// transport's) and again after the response handler (err is readAnswer's): an error
// readAnswer did not make is the transport's, and is always worth another attempt. Its
// error, when not nil, is the attempt's and reaches giveUp.
func (r *Registry) checkRetry(ctx context.Context, _ *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err == nil {
		return false, nil
	}
	var ae *attemptError
	if errors.As(err, &ae) {
		return ae.retry, ae
	}
	return true, &attemptError{r.transportError("no answer", err), true}
}

// giveUp makes the error of the last attempt fetch's: "after N attempts" when retries ran
// out, the attempt's error alone when it was final.
func giveUp(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if resp != nil {
		resp.Body.Close()
	}
	var ae *attemptError
	if !errors.As(err, &ae) {
		return nil, err // the context's
	}
	if ae.retry && attempts > 1 {
		return nil, fmt.Errorf("%w after %d attempts", ae.err, attempts)
	}
	return nil, ae.err
}

// transportError says an attempt's timeout in words and drops net/http's "Get <url>:"
// prefix, since callers name the path themselves.
func (r *Registry) transportError(what string, err error) error {
	// An attempt that ran out of time fails with net/http's own timeout error, which matches
	// context.DeadlineExceeded and wraps nothing. A dialer's timeout matches too, but comes
	// in a *net.OpError: it is reported as it is.
	var oe *net.OpError
	if errors.Is(err, context.DeadlineExceeded) && !errors.As(err, &oe) {
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

// backoff is how long to wait before attempt attemptNum+2 (attemptNum counts from 0, as
// retryablehttp does): the server's Retry-After when its failure sent one, else minWait
// doubled per attempt, both capped at maxWait. Without Retry-After the wait is jittered
// over its upper half so that workers that failed together do not retry together.
//
// retryablehttp's DefaultBackoff reads Retry-After on 429 and 503 only, and takes it
// uncapped; the registry's is honoured on every status that is retried (429 and any 5xx),
// and capped, so that a server cannot park a crawl for hours.
func backoff(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	// resp is nil after a transport error, and a success status after a body cut short:
	// neither has a Retry-After to honour.
	if resp != nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxWait)
		}
	}
	d := minWait
	for i := 0; i < attemptNum && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if half := int64(d / 2); half > 0 {
		d = time.Duration(half + rand.Int64N(half+1))
	}
	return d
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

// debugLogger hands retryablehttp's log lines (each request, each failed attempt, each
// retry and its wait) to slog at debug level, whatever level the library gives them: a
// failed attempt that is retried is not yet an error, and a final failure reaches the
// caller as one.
type debugLogger struct{ log *slog.Logger }

func (l debugLogger) Error(msg string, kv ...any) { l.log.Debug(msg, kv...) }
func (l debugLogger) Warn(msg string, kv ...any)  { l.log.Debug(msg, kv...) }
func (l debugLogger) Info(msg string, kv ...any)  { l.log.Debug(msg, kv...) }
func (l debugLogger) Debug(msg string, kv ...any) { l.log.Debug(msg, kv...) }

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
