package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeCutsOffASlowBody sends the sign-in form one byte every 500 ms, as a slowloris
// client does, to `cloudoven serve` over TCP: the server stops waiting for the body after
// its body read timeout (20 s when the body brings no data to speak of) and answers 408,
// instead of holding the connection for as long as the client cares to trickle.
func TestServeCutsOffASlowBody(t *testing.T) {
	base, _, stop := startServe(t, filepath.Join(t.TempDir(), "data"))
	defer stop()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := url.Values{"name": {"admin"}, "password": {strings.Repeat("x", 200)}}.Encode()
	fmt.Fprintf(conn, "POST /signin HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", u.Host, len(body))
	start := time.Now()

	answered := make(chan string, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answered <- "the connection closed: " + err.Error()
			return
		}
		resp.Body.Close()
		answered <- "answered " + resp.Status
	}()
	const limit = 30 * time.Second
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case how := <-answered:
			took := time.Since(start)
			t.Logf("after %d bytes in %s: %s", i, took.Round(time.Millisecond), how)
			if how != "answered 408 Request Timeout" {
				t.Errorf("the server %s, want a 408 answer", how)
			}
			if took < 15*time.Second {
				t.Errorf("the server gave up after %s, before the 20 s a body has", took)
			}
			return
		case <-tick.C:
		}
		if time.Since(start) > limit {
			t.Fatalf("the connection is still open after %s of a body trickling in (%d of %d bytes sent)", limit, i, len(body))
		}
		if i < len(body) {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				t.Logf("writing byte %d: %v", i, err)
			}
		}
	}
}
