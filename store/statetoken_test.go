package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestStateTokens: a token reads back as stored, its username is taken once, a revoke
// deletes every token of its run and no other, and storing a token deletes the expired.
func TestStateTokens(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	now := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	hash := strings.Repeat("ab", 32)
	tok := StateToken{Username: "run-1a", PasswordSHA256: hash, Project: "payments", DeploymentID: 7,
		RunID: "r1", Scope: "plan", ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateStateToken(ctx, tok, now); err != nil {
		t.Fatal(err)
	}
	got, err := s.StateToken(ctx, "run-1a")
	if err != nil || got != tok {
		t.Fatalf("read back %+v, %v; want %+v", got, err, tok)
	}
	if err := s.CreateStateToken(ctx, tok, now); !errors.Is(err, ErrConflict) {
		t.Errorf("the same username again: %v, want ErrConflict", err)
	}
	for _, name := range []string{"run-1b", "run-2a"} {
		other := tok
		other.Username, other.RunID, other.Scope = name, "r"+name[4:5], "apply"
		if err := s.CreateStateToken(ctx, other, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteStateTokens(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]error{"run-1a": ErrNotFound, "run-1b": ErrNotFound, "run-2a": nil, "": ErrNotFound} {
		if _, err := s.StateToken(ctx, name); !errors.Is(err, want) {
			t.Errorf("token %q after revoking r1: %v, want %v", name, err, want)
		}
	}
	// Storing a token an hour later deletes run-2a's, which expired then.
	later := tok
	later.Username, later.RunID, later.ExpiresAt = "run-3a", "r3", now.Add(2*time.Hour)
	if err := s.CreateStateToken(ctx, later, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "state_tokens"); n != 1 {
		t.Errorf("%d tokens stored, want 1 (the expired one deleted)", n)
	}
	for name, bad := range map[string]StateToken{
		"no username":   {PasswordSHA256: hash, Project: "p", RunID: "r", Scope: "plan"},
		"short hash":    {Username: "u", PasswordSHA256: "ab", Project: "p", RunID: "r", Scope: "plan"},
		"unknown scope": {Username: "u", PasswordSHA256: hash, Project: "p", RunID: "r", Scope: "admin"},
	} {
		if err := s.CreateStateToken(ctx, bad, now); err == nil {
			t.Errorf("%s: stored", name)
		}
	}
}
