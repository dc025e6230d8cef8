package auth

import (
	"strings"
	"testing"
)

var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestRoleOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		have, need Role
		want       bool
	}{
		{Viewer, Viewer, true},
		{Viewer, Editor, false},
		{Editor, Viewer, true},
		{Editor, Operator, false},
		{Operator, Editor, true},
		{Admin, Operator, true},
		{Operator, Admin, false},
		{Role("owner"), Viewer, false},
		{Admin, Role("owner"), false},
	}
	for _, tt := range tests {
		if got := tt.have.Allows(tt.need); got != tt.want {
			t.Errorf("%q.Allows(%q) = %v, want %v", tt.have, tt.need, got, tt.want)
		}
	}
	if _, err := ParseRole("superuser"); err == nil {
		t.Error("ParseRole accepted an unknown role")
	}
	if r, err := ParseRole("operator"); err != nil || r != Operator {
		t.Errorf("ParseRole(operator) = %q, %v", r, err)
	}
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("correct horse", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	if ok, err := VerifyPassword(h, "correct horse"); !ok || err != nil {
		t.Errorf("the right password: %v, %v", ok, err)
	}
	if ok, err := VerifyPassword(h, "correct horsE"); ok || err != nil {
		t.Errorf("a wrong password: %v, %v", ok, err)
	}
	other, _ := HashPassword("correct horse", cheap)
	if other == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=9999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5"} {
		if _, err := VerifyPassword(bad, "x"); err == nil {
			t.Errorf("VerifyPassword accepted the hash %q", bad)
		}
	}
}

func TestDefaultParamsHash(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("pw", Params{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash with default params = %q", h)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	a, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken()
	if a == b || len(a) != 43 {
		t.Errorf("tokens %q and %q: want two different 43-character tokens", a, b)
	}
	if len(TokenHash(a)) != 64 || TokenHash(a) == TokenHash(b) {
		t.Error("token hashes are not distinct SHA-256 hex")
	}
	if CSRFToken(a) == CSRFToken(b) || CSRFToken(a) == TokenHash(a) {
		t.Error("CSRF tokens are not distinct from each other and from the stored hash")
	}
	if !Equal(CSRFToken(a), CSRFToken(a)) || Equal(CSRFToken(a), CSRFToken(b)) || Equal("", CSRFToken(a)) {
		t.Error("Equal is wrong")
	}
}
