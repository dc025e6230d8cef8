package store

import (
	"errors"
	"testing"
	"time"
)

// hashOf stands in for an argon2id hash: the store keeps what it is given and its schema
// only insists on the prefix.
func hashOf(pw string) string { return "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + pw }

func TestUsers(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers on a new store = %d, %v", n, err)
	}
	admin, err := s.CreateUser(ctx, "admin", hashOf("a"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "ann", hashOf("b"), false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "ann", hashOf("c"), false); !errors.Is(err, ErrConflict) {
		t.Errorf("a second ann: %v, want ErrConflict", err)
	}
	if _, err := s.CreateUser(ctx, "Ann Smith", hashOf("c"), false); !errors.Is(err, ErrInvalidName) {
		t.Errorf("a bad name: %v, want ErrInvalidName", err)
	}
	if _, err := s.CreateUser(ctx, "plain", "secret", false); err == nil {
		t.Error("the schema accepted a password that is not an argon2id hash")
	}
	got, err := s.User(ctx, "admin")
	if err != nil || got.ID != admin.ID || !got.Admin || got.PasswordHash != hashOf("a") {
		t.Errorf("User(admin) = %+v, %v", got, err)
	}
	if _, err := s.User(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("User(nobody): %v, want ErrNotFound", err)
	}
	if err := s.SetPassword(ctx, "ann", hashOf("new")); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User(ctx, "ann"); u.PasswordHash != hashOf("new") || u.Admin {
		t.Errorf("after SetPassword: %+v", u)
	}
	if err := s.SetPassword(ctx, "nobody", hashOf("x")); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetPassword(nobody): %v, want ErrNotFound", err)
	}
	us, err := s.Users(ctx)
	if err != nil || len(us) != 2 || us[0].Name != "admin" || us[1].Name != "ann" {
		t.Errorf("Users = %+v, %v", us, err)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	u, err := s.CreateUser(ctx, "ann", hashOf("a"), false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	hashA, hashB := repeat('a', 64), repeat('b', 64)
	for _, h := range []string{hashA, hashB} {
		if err := s.CreateSession(ctx, h, u.ID, now, now.Add(7*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	ses, err := s.Session(ctx, hashA)
	if err != nil || ses.User.Name != "ann" || !ses.LastSeenAt.Equal(now) || !ses.ExpiresAt.Equal(now.Add(7*24*time.Hour)) {
		t.Fatalf("Session = %+v, %v", ses, err)
	}
	if err := s.TouchSession(ctx, hashA, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ses, _ := s.Session(ctx, hashA); !ses.LastSeenAt.Equal(now.Add(time.Hour)) {
		t.Errorf("LastSeenAt after touch = %v", ses.LastSeenAt)
	}
	// Only B is idle for 12 hours at now+12h30m.
	if err := s.DeleteExpiredSessions(ctx, now.Add(12*time.Hour+30*time.Minute), 12*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, hashB); !errors.Is(err, ErrNotFound) {
		t.Errorf("an idle session survived: %v", err)
	}
	if err := s.DeleteUserSessions(ctx, u.ID, hashA); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, hashA); err != nil {
		t.Errorf("the kept session is gone: %v", err)
	}
	if err := s.DeleteSession(ctx, hashA); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, hashA); !errors.Is(err, ErrNotFound) {
		t.Errorf("Session after DeleteSession: %v, want ErrNotFound", err)
	}
}

func repeat(c byte, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return string(b)
}
