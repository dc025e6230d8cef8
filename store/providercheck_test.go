package store

import (
	"errors"
	"strings"
	"testing"
)

// TestProviderCheckCache: missing, kept, read back, replaced, bounded in size and count.
func TestProviderCheckCache(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	if _, _, found, err := s.ProviderCheck(ctx, "k1"); found || err != nil {
		t.Fatalf("before any save: found %v, %v", found, err)
	}
	if err := s.SaveProviderCheck(ctx, "k1", []byte(`{"diagnostics":[]}`)); err != nil {
		t.Fatal(err)
	}
	res, at, found, err := s.ProviderCheck(ctx, "k1")
	if err != nil || !found || string(res) != `{"diagnostics":[]}` || at.IsZero() {
		t.Fatalf("read back %q at %v, found %v, %v", res, at, found, err)
	}
	if err := s.SaveProviderCheck(ctx, "k1", []byte(`{"diagnostics":[{}]}`)); err != nil {
		t.Fatal(err)
	}
	res2, at2, _, _ := s.ProviderCheck(ctx, "k1")
	if string(res2) != `{"diagnostics":[{}]}` || !at2.After(at) {
		t.Errorf("not replaced: %q at %v (first at %v)", res2, at2, at)
	}
	if err := s.SaveProviderCheck(ctx, "k2", make([]byte, MaxDocumentBytes+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized result: %v", err)
	}
	if err := s.SaveProviderCheck(ctx, strings.Repeat("k", 129), []byte(`{}`)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized key: %v", err)
	}

	providerCheckLimit = 3
	t.Cleanup(func() { providerCheckLimit = MaxProviderChecks })
	for _, k := range []string{"a", "b", "c", "d"} {
		if err := s.SaveProviderCheck(ctx, k, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	for k, want := range map[string]bool{"k1": false, "a": false, "b": true, "c": true, "d": true} {
		if _, _, found, _ := s.ProviderCheck(ctx, k); found != want {
			t.Errorf("after saving past the limit, %s kept = %v, want %v", k, found, want)
		}
	}
}
