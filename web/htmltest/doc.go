// Package htmltest reads rendered HTML as a browser would (the values a form submits, and
// whether text could run script), for tests of any package of the web layer, including
// internal tests that cannot use webtest because it imports the whole interface.
package htmltest
