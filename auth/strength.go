package auth

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Password rules for new passwords (NIST SP 800-63B's: a length, and no password that is
// known, repetitive or sequential, or made of the context's words; no composition rules).
//
// The list of common passwords is common_passwords.txt, derived from SecLists' list of the
// 100,000 most common passwords (MIT License; NOTICE.md says how it was made): every entry
// at least MinPasswordLength long, and the words among the 1,000 most common, which a
// password may not merely surround with digits and symbols.

//go:embed common_passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsFile, "\n") {
		if l != "" {
			m[l] = true
		}
	}
	return m
})

// minDistinct is the fewest different characters a password must use.
const minDistinct = 5

// productName is a word every CloudOven password is checked against, like the user's name.
const productName = "cloudoven"

// sequences are the orders in which neighbouring characters make a run: the alphabet,
// digits (on the keyboard, 0 follows 9), and the letter rows of QWERTY and AZERTY keyboards.
var sequences = []string{
	"abcdefghijklmnopqrstuvwxyz", "01234567890",
	"qwertyuiop", "asdfghjkl", "zxcvbnm",
	"azertyuiop", "qsdfghjklm", "wxcvbn",
}

// leet undoes the digit and symbol spellings of letters (p@ssw0rd).
var leet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "!", "i")

// ErrWeakPassword is wrapped by every CheckPassword error.
var ErrWeakPassword = errors.New("password is not accepted")

type weakPassword string

func (w weakPassword) Error() string { return string(w) }
func (w weakPassword) Unwrap() error { return ErrWeakPassword }

// CheckPassword says why password may not be a new password, or returns nil. It is refused
// when it is shorter than MinPasswordLength characters or longer than 1024 bytes; uses
// fewer than 5 different characters; repeats one piece (abcabcabc); is one or two runs of
// neighbouring letters, digits or keys (abcdefghij, 1234567890, qwertyuiop, with repeats:
// aaaabbbbcc); is on the list of common passwords; or is a common word, or one of words
// (the user's name) or "cloudoven", with only digits, symbols and spaces around it,
// letters spelt as digits or symbols counted as letters (P@ssw0rd2024!). Each error's text
// starts with "password " and says what to change.
func CheckPassword(password string, words ...string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return weakPassword(fmt.Sprintf("password is too short: use at least %d characters", MinPasswordLength))
	case len(password) > maxPasswordLength:
		return weakPassword(fmt.Sprintf("password is too long: use at most %d characters", maxPasswordLength))
	}
	lower := strings.ToLower(password)
	switch {
	case distinct(lower) < minDistinct:
		return weakPassword(fmt.Sprintf("password uses fewer than %d different characters: use more", minDistinct))
	case repeats(lower):
		return weakPassword("password repeats one piece: use more than one")
	case runs(lower) <= 2:
		return weakPassword("password is a sequence of letters, digits or keys: choose one that is harder to guess")
	case commonPasswords()[lower] || commonPasswords()[leet.Replace(lower)]:
		return weakPassword("password is one of the most common passwords: choose one that is harder to guess")
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if core == "" {
		return nil
	}
	for _, c := range []string{core, leet.Replace(core)} {
		if c == productName || contains(words, c) {
			return weakPassword("password is made of your user name or CloudOven's: choose one that is harder to guess")
		}
		if commonPasswords()[c] {
			return weakPassword("password is a common password with digits or symbols added: choose one that is harder to guess")
		}
	}
	return nil
}

func contains(words []string, w string) bool {
	for _, x := range words {
		if x != "" && strings.ToLower(x) == w {
			return true
		}
	}
	return false
}

func distinct(s string) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// repeats reports whether s is one piece of at most half its length, repeated (the last
// repetition may be cut short).
func repeats(s string) bool {
	rs := []rune(s)
	for p := 1; p <= len(rs)/2; p++ {
		i := p
		for i < len(rs) && rs[i] == rs[i-p] {
			i++
		}
		if i == len(rs) {
			return true
		}
	}
	return false
}

// runs counts the runs of s: maximal stretches in which each character repeats the one
// before it or is its neighbour, up or down, in one of the sequences.
func runs(s string) int {
	rs := []rune(s)
	n := 1
	for i := 1; i < len(rs); i++ {
		if rs[i] != rs[i-1] && !neighbours(rs[i-1], rs[i]) {
			n++
		}
	}
	return n
}

func neighbours(a, b rune) bool {
	for _, seq := range sequences {
		if strings.Contains(seq, string([]rune{a, b})) || strings.Contains(seq, string([]rune{b, a})) {
			return true
		}
	}
	return false
}
