// Package hcllimit holds the limits HCL text must keep before CloudOven parses it: how deeply
// it nests and, for a single expression, how long it is.
//
// hclsyntax's parser is recursive, and so are the walks over the trees it builds
// (Variables, Value, hclwrite): text nested 100,000 levels deep overflows the goroutine's
// stack, which is a fatal error no recover catches, so one hostile import or form field
// would stop the whole server. The checks here read the text with hclsyntax's lexer, which
// is a state machine and does not recurse, so strings, heredocs, comments and template
// sequences are read exactly as the parser reads them, and they refuse text deeper than
// MaxNesting before any parser sees it.
//
// It is not a parser and says nothing about whether text is valid: text within the limits
// may still fail to parse, with the parser's own diagnostics.
//
// Start with Config and Expression in limit.go; nesting.go says what counts as a level.
package hcllimit
