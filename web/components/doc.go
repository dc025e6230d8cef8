// Package components holds the small templ widgets CloudOven's pages share: timestamps,
// field errors, empty states and diagnostic lists. Widgets take their own plain view types,
// never domain types, so they know nothing of stores or blueprints; package web converts.
package components
