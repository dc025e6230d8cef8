// Package paths builds every URL CloudOven's pages link to and redirect to, so a route
// changes in its feature's Routes method and here only. Handlers and templates of every
// feature package call it; it imports nothing of CloudOven.
//
// Path segments are escaped even though store names are URL-safe, because a 404 page may
// echo back whatever was asked for.
package paths
