package components

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// File is a generated file as a page shows it.
type File struct {
	Name    string
	Content string
}

// NewFile is a generated file as a page shows it: a binary one (a certificate a blueprint
// keeps as base64) by its size, since its bytes are not text to show.
func NewFile(name string, content []byte) File {
	if !utf8.Valid(content) || bytes.IndexByte(content, 0) >= 0 {
		return File{Name: name, Content: fmt.Sprintf("(binary file, %d bytes, written as it is)", len(content))}
	}
	return File{Name: name, Content: string(content)}
}
