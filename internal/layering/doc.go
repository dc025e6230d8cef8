// Package layering holds no code: its test reads the module's imports with `go list` and
// fails when a package imports one it may not, so dependencies keep pointing one way. The
// table in layering_test.go is the layout: every package, what it may import of the module.
package layering
