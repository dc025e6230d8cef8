package tfsource

import (
	"bytes"
	"errors"
	"unicode/utf8"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// utf8BOM is dropped from .tf files: editors on Windows write it, and HCL does not skip it.
var utf8BOM = []byte("\xef\xbb\xbf")

// checkText refuses a .tf file that is not UTF-8, holds a NUL byte or nests deeper than
// hcllimit.MaxNesting, and drops a byte order mark so a problem's line and column count
// what the user sees. The checks run before anything parses the file: hclsyntax's parser
// recurses once a level, and a Go stack overflow is fatal to the whole server.
func checkText(name string, data []byte) ([]byte, error) {
	skipped := 0
	if bytes.HasPrefix(data, utf8BOM) {
		data, skipped = data[len(utf8BOM):], len(utf8BOM)
	}
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		return nil, &Problem{Kind: NotUTF8, Name: name, Line: lineAt(data, off), Offset: skipped + off}
	}
	if off := bytes.IndexByte(data, 0); off >= 0 {
		return nil, &Problem{Kind: NULByte, Name: name, Line: lineAt(data, off), Offset: skipped + off}
	}
	var lim *hcllimit.Error
	if err := hcllimit.Config(data, name); errors.As(err, &lim) {
		return nil, &Problem{Kind: TooDeep, Name: name, Line: lim.Pos.Line, Column: lim.Pos.Column, Offset: skipped + lim.Pos.Byte, Limit: lim.Limit}
	}
	return data, nil
}

// invalidUTF8 is the offset of the first byte of data that is not UTF-8.
func invalidUTF8(data []byte) int {
	for off := 0; off < len(data); {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			return off
		}
		off += size
	}
	return len(data)
}

// lineAt is the 1-based line of the byte at off.
func lineAt(data []byte, off int) int {
	return bytes.Count(data[:off], []byte("\n")) + 1
}
