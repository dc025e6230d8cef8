package web

// Internals the external tests of this package read.
var StaticFiles = staticFiles

const DevHash = devHash
