// Package tfsource is Terraform configuration as read from a directory, a zip, uploaded
// files or pasted text, with one set of limits. Whatever the source, a read gives a Source:
// the .tf files by name in a stable order, each checked to be UTF-8 text (a byte order mark
// dropped, no NUL bytes) nested no deeper than hcllimit.MaxNesting, and the names it left
// out with the reason, so that a caller lists them instead of dropping them silently. Input it refuses is a *Problem whose Kind says
// which rule it broke, so the web answers 413 or 422 with its own wording and the CLI
// prints one line naming the limit.
//
// It is not a parser: beyond running hclsyntax's lexer over each file to refuse one nested
// deeper than the parser's recursion survives (package hcllimit), it never looks inside HCL
// (blueprint.Import does), and it neither writes files nor decides what a blueprint holds.
// The other files a configuration reads (file(), templatefile()) are read in a second step,
// by the names blueprint.FileReads finds in the .tf files (read.go: Source.ReadDirFiles,
// ReadZipFiles, PickFiles), within the same limits and without any parse, into Source.Read.
//
// A directory's subfolders are read only as the folders of local modules the configuration
// calls (ReadDirModules, given blueprint.ModuleFolders to find them); an archive's entries
// are read at any depth, and blueprint.Import picks the modules' folders among them.
//
// Start with Source and the limits in source.go, then Problem in problem.go; one file per
// way in: dir.go (ReadDir), modules.go (ReadDirModules), zip.go (ReadZip), files.go
// (ReadFiles, ReadText), and read.go for the files a configuration reads. text.go holds
// the checks every .tf file goes through.
package tfsource
