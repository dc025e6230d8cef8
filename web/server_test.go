package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/web"
)

// quick are timeouts short enough for tests: a second for headers and for a body that
// brings nothing, plus a second per 16 KiB.
var quick = web.Timeouts{Header: time.Second, Body: time.Second, BodyMinRate: 16 << 10, Idle: time.Minute}

// serve runs h behind web.NewHTTPServer with t on a loopback port and returns its address.
func serve(tb testing.TB, h http.Handler, t web.Timeouts) string {
	tb.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config = web.NewHTTPServer(h, t, nil)
	srv.Config.ReadTimeout = time.Second
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// readBody answers with how much of the body it read, or 400 with the error.
var readBody = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, "read %d", n)
})

// TestServerAnswersATrickledBodyWith408: the body's deadline cuts a trickle off; a handler
// that answers nothing then (as the interface's do once net/http canceled the request's
// context, taking the read error for a client gone) gets a 408 answered for it.
func TestServerAnswersATrickledBodyWith408(t *testing.T) {
	t.Parallel()
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err == nil {
			t.Error("the trickled body was read to its end")
		}
	})
	addr := serve(t, silent, quick)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
	start := time.Now()
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("reading the answer: %v", err)
		}
		answered <- resp
	}()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case resp := <-answered:
			if resp != nil && resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("answered %s, want 408", resp.Status)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("answered after %s; the body had a second", took)
			}
			return
		case <-tick.C:
			_, _ = conn.Write([]byte("a"))
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("no answer after 10 s of a trickled body")
		}
	}
}

func TestServerLetsASteadyUploadThrough(t *testing.T) {
	t.Parallel()
	addr := serve(t, readBody, quick)
	// 128 KiB over about 2 s: longer than the first second, at 64 KiB/s, above the 16 KiB/s
	// that keeps a body going.
	pr, pw := io.Pipe()
	go func() {
		chunk := bytes.Repeat([]byte("x"), 8<<10)
		for range 16 {
			time.Sleep(125 * time.Millisecond)
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 128 << 10
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != fmt.Sprintf("read %d", 128<<10) {
		t.Errorf("a steady upload: %s %q", resp.Status, body)
	}
}

// TestServerKeepsLongHandlersAlive: a handler that answers long after the body timeout,
// with or without a body, keeps its request's context and its connection.
func TestServerKeepsLongHandlersAlive(t *testing.T) {
	t.Parallel()
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
			t.Errorf("%s %s: the context ended after %d bytes: %v", r.Method, r.URL.Path, n, context.Cause(r.Context()))
		case <-time.After(3 * quick.Body):
		}
		fmt.Fprintf(w, "read %d", n)
	})
	addr := serve(t, slow, quick)
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		resp, err := http.DefaultClient.Do(must(http.NewRequest(method, "http://"+addr+"/"+method, strings.NewReader(strings.Repeat("y", 100)))))
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "read ") {
			t.Errorf("%s: %s %q", method, resp.Status, body)
		}
	}
}

func must(r *http.Request, err error) *http.Request {
	if err != nil {
		panic(err)
	}
	return r
}
