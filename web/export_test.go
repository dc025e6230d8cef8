package web

import "net/http"

// Internals the external tests of this package read.
var StaticFiles = staticFiles

const DevHash = devHash

// Mux is the route table of the interface cfg configures, without its middleware.
func Mux(cfg Config) (*http.ServeMux, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.mux(), nil
}
