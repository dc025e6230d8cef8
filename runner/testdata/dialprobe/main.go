// Command dialprobe is a step that ignores the egress proxy, as a hostile provider would: it
// dials each address given on its command line directly, then each again through
// HTTPS_PROXY with CONNECT, and prints one line per attempt. The runner's egress tests run
// it as a step's image.
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	proxy := os.Getenv("HTTPS_PROXY")
	for _, addr := range os.Args[1:] {
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			fmt.Printf("direct %s: unreachable: %v\n", addr, err)
		} else {
			fmt.Fprintf(c, "GET /direct HTTP/1.0\r\nHost: %s\r\n\r\n", addr)
			c.Close()
			fmt.Printf("direct %s: reached\n", addr)
		}
		fmt.Printf("proxied %s: %s\n", addr, viaProxy(proxy, addr))
	}
}

// viaProxy asks the proxy for a tunnel to addr and says how it answered.
func viaProxy(proxy, addr string) string {
	if proxy == "" {
		return "no proxy"
	}
	u, err := http.NewRequest(http.MethodConnect, proxy, nil)
	if err != nil {
		return err.Error()
	}
	c, err := net.DialTimeout("tcp", u.URL.Host, 3*time.Second)
	if err != nil {
		return "proxy unreachable: " + err.Error()
	}
	defer c.Close()
	fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", addr, addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err.Error()
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "refused: " + resp.Status
	}
	fmt.Fprintf(c, "GET /proxied HTTP/1.0\r\nHost: %s\r\n\r\n", addr)
	resp, err = http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return "tunnelled, no answer: " + err.Error()
	}
	resp.Body.Close()
	return "reached: " + resp.Status
}
