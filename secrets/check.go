package secrets

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/store"
)

// KeyID returns the id of a key: 16 hex digits of an HMAC-SHA256 under the key, which
// tells two keys apart and nothing of either. The database records the id of the key that
// sealed its values, so that a lost or wrong key is found at start rather than by a run
// that fails on them.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("cloudoven secret key id v1"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// ErrKeyMismatch reports a key that does not open what the database holds sealed; every
// *KeyMismatchError wraps it.
var ErrKeyMismatch = errors.New("the secret key does not match the database")

// KeyMismatchError says that a key cannot be used with a database, why, and what to do.
type KeyMismatchError struct {
	// Source says where the key came from: "the key in CLOUDOVEN_SECRET_KEY", or in a file;
	// FromEnv says it is the former.
	Source  string
	FromEnv bool
	// KeyFile is the key file's path; Missing says it does not exist (and none was made).
	KeyFile string
	Missing bool
	// Have is the key's id; Want the one the database recorded, "" when it recorded none
	// (a database from before the key check).
	Have, Want string
	// Sealed is what the database holds sealed with the other key.
	Sealed store.SealedCounts
}

func (e *KeyMismatchError) Error() string {
	var b strings.Builder
	held := e.Sealed.String()
	switch {
	case e.Missing:
		fmt.Fprintf(&b, "the secret key file %s does not exist, but this database holds %s", e.KeyFile, held)
		if e.Want != "" {
			fmt.Fprintf(&b, " sealed with key id %s", e.Want)
		}
		b.WriteString("; a new key would never open them, so none was made")
	case e.Want == "":
		fmt.Fprintf(&b, "%s (key id %s) is not the key that sealed this database's %s: it opens none of them", e.Source, e.Have, held)
	default:
		fmt.Fprintf(&b, "%s (key id %s) is not the key that sealed this database's %s (key id %s)", e.Source, e.Have, held, e.Want)
	}
	if e.FromEnv {
		fmt.Fprintf(&b, "; set %s to the key that sealed them, or unset it to use the key file (restore the file from your backup, mode 0600), and start again", keyEnv)
	} else {
		fmt.Fprintf(&b, "; restore the key file from your backup (mode 0600), or set %s to the key that sealed them, and start again", keyEnv)
	}
	b.WriteString("; to start over without them instead (every secret is deleted and must be set again, and plans waiting for approval are discarded), run: cloudoven secrets reset -confirm, with the same -data-dir (or -db) and key settings")
	return b.String()
}

// Unwrap makes errors.Is(err, ErrKeyMismatch) hold.
func (e *KeyMismatchError) Unwrap() error { return ErrKeyMismatch }

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// KeyCheck is what CheckKey (or UseKey) found, for the server to log.
type KeyCheck struct {
	// KeyID is the key's id.
	KeyID string
	// Sealed is what the database holds sealed with the key, as counted when the key was
	// not the recorded one; zero when it was.
	Sealed store.SealedCounts
	// Created says a new key file was written (UseKey).
	Created bool
	// Recorded says the key's id was recorded now: on the database's first use of a key,
	// or on the first start of a database from before the key check.
	Recorded bool
	// Replaced is the id of the key recorded before, which this key replaced because
	// nothing was sealed with it.
	Replaced string
	// Unreadable names (project/environment/name) the secrets of a database from before
	// the key check that the key does not open although it opens others: sealed with
	// another key earlier, they must be set again.
	Unreadable []string
}

// CheckKey checks box's key against what the database holds sealed, before anything is
// sealed or opened with it:
//
//   - the key the database recorded: fine;
//   - nothing sealed: the key's id is recorded (replacing any other) and it is fine;
//   - sealed values and another key recorded: a *KeyMismatchError;
//   - sealed values and no key recorded (a database from before the key check): the key
//     is right when it opens one of the secrets, and its id is then recorded; secrets it
//     does not open are listed in KeyCheck.Unreadable.
//
// The errors of the last two cases wrap ErrKeyMismatch and say what to do.
func CheckKey(ctx context.Context, st *store.Store, box *Box) (KeyCheck, error) {
	fail := func(err error) (KeyCheck, error) {
		return KeyCheck{}, fmt.Errorf("checking the secret key: %w", err)
	}
	mismatch := func(want string, sealed store.SealedCounts) (KeyCheck, error) {
		return KeyCheck{}, &KeyMismatchError{Source: box.source, FromEnv: box.fromEnv, Have: box.id, Want: want, Sealed: sealed}
	}
	check := KeyCheck{KeyID: box.id}
	recorded, err := st.SecretKeyID(ctx)
	if err != nil {
		return fail(err)
	}
	if recorded == box.id {
		return check, nil
	}
	if check.Sealed, err = st.SealedCounts(ctx); err != nil {
		return fail(err)
	}
	switch {
	case !check.Sealed.Any() && recorded != "":
		err := st.ReplaceSecretKeyID(ctx, box.id)
		if errors.Is(err, store.ErrConflict) {
			// Something was sealed with the recorded key meanwhile.
			sealed, _ := st.SealedCounts(ctx)
			return mismatch(recorded, sealed)
		}
		if err != nil {
			return fail(err)
		}
		check.Replaced = recorded
		return check, nil
	case recorded != "":
		return mismatch(recorded, check.Sealed)
	case check.Sealed.Any():
		opened := 0
		err := st.EachEnvironmentSecret(ctx, func(project, environment string, s store.StoredSecret) error {
			if _, err := box.Open(s.Ciphertext, additionalData(project, environment, s.Name)); err != nil {
				check.Unreadable = append(check.Unreadable, project+"/"+environment+"/"+s.Name)
			} else {
				opened++
			}
			return nil
		})
		if err != nil {
			return fail(err)
		}
		if opened == 0 {
			return mismatch("", check.Sealed)
		}
	}
	got, err := st.RecordSecretKeyID(ctx, box.id)
	if err != nil {
		return fail(err)
	}
	if got != box.id {
		// Another process recorded its key first.
		sealed, _ := st.SealedCounts(ctx)
		return mismatch(got, sealed)
	}
	check.Recorded = true
	return check, nil
}

// UseKey loads the key as LoadKey does and checks it with CheckKey, for a server about to
// seal and open with it. The one difference from LoadKey: when the key file does not exist
// (and CLOUDOVEN_SECRET_KEY is not set) while the database holds sealed values, no key is
// made, since a new key could never open them; that is a *KeyMismatchError too.
func UseKey(ctx context.Context, st *store.Store, path string) (*Box, KeyCheck, error) {
	source := "the key in " + keyEnv
	_, fromEnv := os.LookupEnv(keyEnv)
	if !fromEnv {
		source = "the key in " + path
		if _, err := os.Stat(path); path != "" && errors.Is(err, fs.ErrNotExist) {
			sealed, err := st.SealedCounts(ctx)
			if err != nil {
				return nil, KeyCheck{}, fmt.Errorf("checking the secret key: %w", err)
			}
			if sealed.Any() {
				want, err := st.SecretKeyID(ctx)
				if err != nil {
					return nil, KeyCheck{}, fmt.Errorf("checking the secret key: %w", err)
				}
				return nil, KeyCheck{}, &KeyMismatchError{Source: source, KeyFile: path, Missing: true, Want: want, Sealed: sealed}
			}
		}
	}
	key, created, err := LoadKey(path)
	if err != nil {
		return nil, KeyCheck{}, err
	}
	box, err := NewBox(key)
	if err != nil {
		return nil, KeyCheck{}, err
	}
	box.source, box.fromEnv = source, fromEnv
	check, err := CheckKey(ctx, st, box)
	if err != nil {
		return nil, KeyCheck{}, err
	}
	check.Created = created
	return box, check, nil
}
