package blueprint_test

import (
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/corpus"
)

// TestCorpusFileReads measures, on every example configuration of the catalog's docs, the
// calls of file-reading functions, and that Import accounts for each one: with the files
// beside the example it keeps every file read by a literal path (a certificate that
// filebase64 reads as base64), without them it names each
// one missing, and a path that is an expression is a warning. Nothing is dropped silently.
func TestCorpusFileReads(t *testing.T) {
	examples := corpus.Examples(testCatalog(t))
	var withReads, calls, literal, dynamic, outside, kept int
	byFunc := map[string]int{}
	for _, ex := range examples {
		src := map[string][]byte{"main.tf": []byte(ex.Source)}
		reads := blueprint.FileReads(src)
		if len(reads) == 0 {
			continue
		}
		withReads++
		paths := map[string][]byte{}
		for _, r := range reads {
			calls++
			byFunc[r.Func]++
			if r.Path == "" {
				if strings.Contains(r.Problem, "is an expression") {
					dynamic++
				} else {
					outside++
				}
				continue
			}
			literal++
			// What filebase64 reads in the docs is a certificate: binary.
			paths[r.Path] = []byte("content of " + r.Path + "\n")
			if r.Func == "filebase64" {
				paths[r.Path] = []byte{0x30, 0x82, 0xff, 0x00}
			}
		}

		// Without the files: each literal path is named missing, each expression noted.
		_, ds := blueprint.Import(src)
		for p := range paths {
			if len(ds.At("files["+p+"]")) == 0 {
				t.Errorf("%s: no diagnostic for the missing %s", ex.Name(), p)
			}
		}
		notKnown := 0
		for _, d := range ds {
			if d.Path == "files" && d.Summary == "file path not known" {
				notKnown++
			}
		}
		if notKnown != len(reads)-countLiteral(reads) {
			t.Errorf("%s: %d paths not known reported, want %d", ex.Name(), notKnown, len(reads)-countLiteral(reads))
		}

		// With the files: every one is kept at its path.
		for p, data := range paths {
			src[p] = data
		}
		b, _ := blueprint.Import(src)
		for p, data := range paths {
			if f := b.File(p); f != nil && bytesOf(f) == string(data) {
				kept++
			} else {
				t.Errorf("%s: %s not kept", ex.Name(), p)
			}
		}
	}
	t.Logf("%d of %d examples call a file-reading function: %d calls (%v); %d with a literal path a blueprint keeps (%d kept when present, binary ones as base64), %d with a path outside the configuration's folder (home folder, absolute), %d with an expression",
		withReads, len(examples), calls, byFunc, literal, kept, outside, dynamic)
	if withReads == 0 {
		t.Error("no example reads a file: the scan finds nothing")
	}
}

func bytesOf(f *blueprint.BlueprintFile) string {
	data, err := f.Bytes()
	if err != nil {
		return err.Error()
	}
	return string(data)
}

func countLiteral(reads []blueprint.FileRead) int {
	n := 0
	for _, r := range reads {
		if r.Path != "" {
			n++
		}
	}
	return n
}
