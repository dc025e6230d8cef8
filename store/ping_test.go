package store

import (
	"context"
	"errors"
	"testing"
)

func TestPing(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping of an open store: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Ping(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping with a canceled context: %v, want context.Canceled", err)
	}
	s.Close()
	if err := s.Ping(t.Context()); err == nil {
		t.Errorf("Ping of a closed store succeeded")
	}
}
