package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/store"
)

func TestReaderReadsAStoredVersion(t *testing.T) {
	t.Parallel()
	before, _ := realStates(t)
	ctx := t.Context()
	blobs := NewDirStore(t.TempDir())
	v, err := NewVersion(7, before)
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.Put(ctx, v.BlobKey, before); err != nil {
		t.Fatal(err)
	}
	s, err := NewReader(blobs).Read(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != v.Serial || s.Lineage != v.Lineage || s.TerraformVersion != "1.5.7" {
		t.Errorf("read serial %d lineage %q terraform %q; the version says serial %d lineage %q", s.Serial, s.Lineage, s.TerraformVersion, v.Serial, v.Lineage)
	}
}

func TestReaderRefuses(t *testing.T) {
	t.Parallel()
	before, _ := realStates(t)
	ctx := t.Context()
	blobs := NewDirStore(t.TempDir())
	stored, err := NewVersion(7, before)
	if err != nil {
		t.Fatal(err)
	}
	if err := blobs.Put(ctx, stored.BlobKey, before); err != nil {
		t.Fatal(err)
	}
	v3 := []byte(`{"version":3,"serial":1,"lineage":"l","modules":[]}`)
	v3Version := store.StateVersion{Version: 4, SHA256: sha(v3), BlobKey: "deployments/7/v3.tfstate", Size: int64(len(v3))}
	if err := blobs.Put(ctx, v3Version.BlobKey, v3); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		reader *Reader
		v      func(store.StateVersion) store.StateVersion
		want   error
		says   string
	}{
		{"a version over the limit", NewReader(blobs).WithLimit(stored.Size - 1),
			func(v store.StateVersion) store.StateVersion { return v }, ErrTooLarge, "CloudOven shows states up to"},
		{"a blob over the limit whose version says less", NewReader(blobs).WithLimit(stored.Size - 1),
			func(v store.StateVersion) store.StateVersion { v.Size = 10; return v }, ErrTooLarge, "CloudOven shows states up to"},
		{"a missing blob", NewReader(blobs),
			func(v store.StateVersion) store.StateVersion { v.BlobKey = "deployments/7/gone.tfstate"; return v }, ErrNotFound, "blob not found"},
		{"a blob that is not the version's", NewReader(blobs),
			func(v store.StateVersion) store.StateVersion { v.SHA256 = strings.Repeat("0", 64); return v }, ErrCorrupt, "SHA-256"},
		{"an old state format", NewReader(blobs),
			func(store.StateVersion) store.StateVersion { return v3Version }, ErrCorrupt, "format version 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := tt.reader.Read(ctx, tt.v(stored))
			if !errors.Is(err, tt.want) || s != nil {
				t.Fatalf("Read = %v, %v; want %v", s, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.says) || !strings.Contains(err.Error(), "state version") {
				t.Errorf("the error does not say why: %v", err)
			}
		})
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := NewReader(blobs).Read(canceled, stored); !errors.Is(err, context.Canceled) {
		t.Errorf("Read after a cancel = %v, want context.Canceled", err)
	}
}

func TestParseRefusesWhatIsNoState(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, data, says string }{
		{"not JSON", `{"version":`, "not a state file"},
		{"no version", `{"serial":1}`, "no format version"},
		{"version 3", `{"version":3,"serial":1}`, "format version 3"},
		{"no serial", `{"version":4}`, "no serial"},
		{"deeper than JSON allows", strings.Repeat("[", 20000), "not a state file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Parse([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Parse = %v, want an error saying %q", err, tt.says)
			}
		})
	}
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestConcealMasksStringsThatHoldAValue(t *testing.T) {
	t.Parallel()
	s := mustParse(t, []byte(`{"version":4,"serial":1,"lineage":"l","outputs":{
		"url":{"value":"postgres://app:k3y-value@db","type":"string"},
		"short":{"value":"abc","type":"string"},
		"plain":{"value":["x","y"],"type":["list","string"]}}}`))
	s.Conceal("k3y-value", "abc", "")
	outs, _ := s.Outputs()
	got := map[string]Value{}
	for _, o := range outs {
		got[o.Name] = o.Value
	}
	if v := got["url"]; !v.Sensitive || !v.SensitiveCopy || v.Text != "" {
		t.Errorf("a string holding a concealed value: %+v", v)
	}
	if v := got["short"]; v.Sensitive || v.Text != `"abc"` {
		t.Errorf("a value shorter than four bytes is concealed: %+v", v)
	}
	if v := got["plain"]; v.Sensitive {
		t.Errorf("a value holding no concealed value: %+v", v)
	}
}
