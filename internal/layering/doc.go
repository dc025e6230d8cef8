// Package layering holds no code: its test reads the module's imports with `go list` and
// fails when a package imports one it may not, so dependencies keep pointing one way. The
// table in layering_test.go is the layout: every package, what it may import of the module.
//
// filelength_test.go keeps files to one concept each (STYLE.md): a hand-written Go file over
// 600 lines fails unless it says at its top why it is long.
package layering
