// Package editor is the web feature of the blueprint editor: a new blueprint (empty or from a
// starter), the editor page on one item (a resource, data source, provider configuration,
// variables, locals, outputs, the files the configuration reads (files.go), settings, or
// the module calls: modules.go, where each input is edited as an expression, a call can be
// renamed and everything else of a call is shown as kept), every change to the blueprint's
// draft with the live preview of the generated files, diagnostics and guardrail findings
// placed on their fields, adding a type from the catalog, and saving, discarding and
// downloading the draft.
// The draft is checked with the project's checks (a Checker: its rules, the provider sources
// it allows, its deployments' state addresses), so a provider the project does not allow is
// an error here as it is on the deployment page.
//
// Every form carries the revision of the draft it shows and every answer brings the new one:
// a change, save or discard made on a draft someone else has changed since is refused with
// 409 (draft.go: changeDraft, draftWrite; the rule is store.DraftHead.Admits).
//
// A field in reference mode offers the references that fit its type in a picker
// (refpicker.go): grouped by kind, each with its type, with a filter box that filters in the
// browser (app.js) and posts nothing. An argument cleared and set again goes back where the
// draft's base version had it, a new one in schema order (items.go passes both to
// form.Parse; the rule is blueprint.Placement's).
//
// The forms themselves are built from provider schemas by package web/form, which also
// defines the keys and ops the forms post; the docs' rules shape a field's input
// (rules.templ: a choice for an enumeration, bounds, the default as placeholder, the
// forces-new mark). Start with Handlers (handlers.go), then
// editor.go (the request cycle) and items.go (each kind of item).
package editor
