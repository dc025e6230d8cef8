// Package components holds the templ widgets several features' pages share: timestamps,
// field errors, alerts, empty states, diagnostic lists, generated files, file diffs, the
// resources a change replaces, and the runner label. Each widget takes its own plain view type; the few converters from domain
// values (blueprint diagnostics, file diffs) live beside their widget, so every page shows a
// diagnostic or a diff the same way.
package components
