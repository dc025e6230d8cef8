// Package webtest is what the web layer's tests share: the whole interface over a real
// SQLite store signed in as a user (App), requests and HTML helpers that find elements by
// data-testid, headless Chromium for browser tests, and the fixtures several features'
// tests build on (a project with a blueprint, an environment, a deployment).
//
// Only tests import it; a layering test keeps it that way. It builds the interface with
// web.New, so a feature package's tests that use it are external (package x_test).
package webtest
