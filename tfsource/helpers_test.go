package tfsource_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/cloudoven/cloudoven/tfsource"
)

// outcome is what a read gave, in a form a table can state: the files' names (and, where a
// test cares, their bytes), what was skipped, or the problem's kind and name.
type outcome struct {
	Files   []string
	Skipped []tfsource.Skipped
	Kind    tfsource.Kind
	Name    string
}

func outcomeOf(t *testing.T, src *tfsource.Source, err error) outcome {
	t.Helper()
	if err != nil {
		var p *tfsource.Problem
		if !errors.As(err, &p) {
			t.Fatalf("error %v is not a *tfsource.Problem", err)
		}
		if src != nil {
			t.Errorf("a refused read returned a source")
		}
		return outcome{Kind: p.Kind, Name: p.Name}
	}
	var o outcome
	for _, f := range src.Files {
		o.Files = append(o.Files, f.Name)
	}
	o.Skipped = src.Skipped
	return o
}

// zipOf archives files in the order given; a name ending in "/" is a folder.
func zipOf(t *testing.T, files ...tfsource.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawZip archives f compressed with deflate under a header of the test's choosing: its
// method and the uncompressed size it claims.
func rawZip(t *testing.T, f tfsource.File, method uint16, claimedSize uint64) []byte {
	t.Helper()
	var compressed bytes.Buffer
	fw, err := flate.NewWriter(&compressed, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(f.Data)
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: method,
		CompressedSize64: uint64(compressed.Len()), UncompressedSize64: claimedSize, CRC32: crc32.ChecksumIEEE(f.Data)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(compressed.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// padding is n bytes of a comment that compresses to almost nothing.
func padding(n int) []byte {
	line := []byte("# padding padding padding padding\n")
	return bytes.Repeat(line, n/len(line)+1)[:n]
}

func tf(name, text string) tfsource.File { return tfsource.File{Name: name, Data: []byte(text)} }

func skipped(name string, r tfsource.Reason) tfsource.Skipped {
	return tfsource.Skipped{Name: name, Reason: r}
}
