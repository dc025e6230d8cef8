package secrets

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudoven/cloudoven/store"
)

// maxValueBytes is the largest secret value Set accepts: far more than any
// credential, small enough to pass in a process environment.
const maxValueBytes = 64 << 10

// Info describes a stored secret without its value.
type Info struct {
	Name      string
	UpdatedAt time.Time
}

// Vault stores an environment's secrets encrypted; additional data binds
// each ciphertext to project/environment/name so a row copied elsewhere
// does not decrypt.
type Vault struct {
	st  *store.Store
	box *Box
}

// NewVault returns a Vault that keeps secrets in st, sealed by box.
func NewVault(st *store.Store, box *Box) *Vault {
	return &Vault{st: st, box: box}
}

// Set stores value as the secret name of the environment, replacing any
// value it had. name must be an environment variable name,
// ^[A-Za-z_][A-Za-z0-9_]{0,127}$ (else an error wrapping
// store.ErrInvalidName); value must be 1 byte to 64 KiB (over is
// store.ErrTooLarge; to remove a secret, Delete it). A missing project or
// environment is store.ErrNotFound. The vault's key must be the one the
// database's sealed values were sealed with (CheckKey): sealing a secret with
// another key beside them would leave no key that opens them all, so that is
// an error wrapping ErrKeyMismatch and nothing is stored.
func (v *Vault) Set(ctx context.Context, project, environment, name, value string) error {
	if err := validName(name); err != nil {
		return fmt.Errorf("setting a secret of environment %q in project %q: %w", environment, project, err)
	}
	fail := func(err error) error {
		return fmt.Errorf("setting secret %s of environment %q in project %q: %w", name, environment, project, err)
	}
	switch {
	case value == "":
		return fail(errors.New("the value is empty; to remove a secret, delete it"))
	case len(value) > maxValueBytes:
		return fail(&kindError{kind: store.ErrTooLarge,
			msg: fmt.Sprintf("the value is %d bytes; the limit is %d bytes (64 KiB)", len(value), maxValueBytes)})
	}
	if _, err := CheckKey(ctx, v.st, v.box); err != nil {
		return fail(err)
	}
	sealed, err := v.box.Seal([]byte(value), additionalData(project, environment, name))
	if err != nil {
		return fail(err)
	}
	// The store's error already says what was being set, and where.
	return v.st.SetEnvironmentSecret(ctx, project, environment, name, sealed)
}

// Delete removes the secret name from the environment. A secret that is
// not set is not an error; a missing project or environment is
// store.ErrNotFound.
func (v *Vault) Delete(ctx context.Context, project, environment, name string) error {
	if err := validName(name); err != nil {
		return fmt.Errorf("deleting a secret of environment %q in project %q: %w", environment, project, err)
	}
	return v.st.DeleteEnvironmentSecret(ctx, project, environment, name)
}

// Names lists the environment's secrets, sorted by name, without their
// values and without decrypting anything.
func (v *Vault) Names(ctx context.Context, project, environment string) ([]Info, error) {
	ss, err := v.st.EnvironmentSecrets(ctx, project, environment)
	if err != nil {
		return nil, err
	}
	infos := make([]Info, 0, len(ss))
	for _, s := range ss {
		infos = append(infos, Info{Name: s.Name, UpdatedAt: s.UpdatedAt})
	}
	return infos, nil
}

// Values decrypts the environment's secrets, by name, for the runner to
// pass to Terraform and to redact from its output. A secret that does not
// decrypt (the key changed, or the row was altered or copied from another
// secret) is an error naming it; no partial map is returned.
func (v *Vault) Values(ctx context.Context, project, environment string) (map[string]string, error) {
	ss, err := v.st.EnvironmentSecrets(ctx, project, environment)
	if err != nil {
		return nil, err
	}
	values := make(map[string]string, len(ss))
	for _, s := range ss {
		plain, err := v.box.Open(s.Ciphertext, additionalData(project, environment, s.Name))
		if err != nil {
			return nil, fmt.Errorf("reading secret %s of environment %q in project %q: %w; set it again, or restore the key it was stored with (%s or the key file)",
				s.Name, environment, project, err, keyEnv)
		}
		values[s.Name] = string(plain)
	}
	return values, nil
}

// additionalData binds a ciphertext to where it belongs. Project and
// environment names (store.ValidName) and secret names cannot hold a
// NUL, so the encoding is unambiguous; the prefix keeps these apart from
// anything else the key may ever seal.
func additionalData(project, environment, name string) []byte {
	return []byte("cloudoven environment secret v1\x00" + project + "\x00" + environment + "\x00" + name)
}

// validName reports whether name is an environment variable name that a
// secret may have: ^[A-Za-z_][A-Za-z0-9_]{0,127}$.
func validName(name string) error {
	ok := len(name) >= 1 && len(name) <= 128
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', c == '_':
		case '0' <= c && c <= '9' && i > 0:
		default:
			ok = false
		}
	}
	if ok {
		return nil
	}
	return &kindError{kind: store.ErrInvalidName, msg: fmt.Sprintf(
		"secret name %s is not valid: use 1-128 letters, digits or '_', not starting with a digit, like ARM_CLIENT_SECRET", quote(name))}
}

// quote quotes a name for an error message, cut short so a hostile name
// cannot flood a log.
func quote(s string) string {
	const max = 80
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:max]) + "..."
}

// kindError is a message for people that wraps a store sentinel, so
// callers pick a status with errors.Is while the text does not end in
// ": invalid name".
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
