package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	refused := map[string]string{
		"short":                       "too short",
		"aaaaaaaaaa":                  "fewer than 5 different characters",
		"1111122222":                  "fewer than 5 different characters",
		"abcabcabcabc":                "fewer than 5 different characters",
		"abcdeabcdeab":                "repeats one piece",
		"passwordpassword":            "repeats one piece",
		"abcdefghijk":                 "sequence",
		"9876543210":                  "sequence",
		"qwertyuiop":                  "sequence",
		"aabbccddeeff":                "sequence",
		"xyz12345678":                 "sequence",
		"password123":                 "most common",
		"PASSWORD123":                 "most common",
		"p@ssw0rd123":                 "common password",
		"Password2024!":               "common password with digits or symbols added",
		"P@ssw0rd-2024":               "common password with digits or symbols added",
		"  iloveyou!!":                "common password with digits or symbols added",
		"CloudOven2024":               "user name or CloudOven's",
		"Margaret1984":                "user name or CloudOven's",
		strings.Repeat("ab1!Zq", 200): "too long",
	}
	for pw, want := range refused {
		err := CheckPassword(pw, "margaret")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "password ") || !errors.Is(err, ErrWeakPassword) {
			t.Errorf("CheckPassword(%.20q) = %v, want an error about %q", pw, err, want)
		}
	}
	for _, pw := range []string{"correct horse battery", "Tr0ub4dor&3-unique", "vX9-kq2_Lm7pZt", "Margaret's garden 1984", "übersicht-42-kühl"} {
		if err := CheckPassword(pw, "margaret"); err != nil {
			t.Errorf("CheckPassword(%q) = %v", pw, err)
		}
	}
	for range 50 {
		pw, err := NewPassword()
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckPassword(pw); err != nil {
			t.Errorf("a generated password %q: %v", pw, err)
		}
	}
}

func TestCommonPasswordsList(t *testing.T) {
	t.Parallel()
	m := commonPasswords()
	if len(m) < 3000 {
		t.Fatalf("%d common passwords loaded", len(m))
	}
	for pw := range m {
		if pw != strings.ToLower(pw) || strings.TrimSpace(pw) != pw {
			t.Errorf("entry %q is not lowercase and trimmed", pw)
		}
	}
	for _, pw := range []string{"1234567890", "qwertyuiop", "password", "iloveyou"} {
		if !m[pw] {
			t.Errorf("%q is not on the list", pw)
		}
	}
}
