// Package secrets keeps an environment's secret environment variables
// (cloud credentials such as ARM_CLIENT_SECRET, or TF_VAR_db_password)
// encrypted at rest.
//
// LoadKey finds the 32-byte key: CLOUDOVEN_SECRET_KEY when set, else a key
// file created on first start. Box seals and opens values with AES-256-GCM
// under that key (environment secrets here, saved plans for package runs).
// Vault stores an environment's secrets through the store, sealed, with the
// project, environment and secret name as additional data, so a ciphertext
// copied to another row does not open.
//
// The database records the id of the key that sealed its values (KeyID, an
// HMAC under the key that tells nothing of it). UseKey, what a server calls
// at start, loads the key and checks it (CheckKey): a key file that is gone
// while sealed values exist is not made anew, and a key other than the
// recorded one is refused, each with a *KeyMismatchError that says what to do.
// Vault.Set checks too, so nothing is ever sealed beside values of another
// key. When a key is lost for good, Reset (cloudoven secrets reset) deletes
// what it sealed and makes the database the new key's.
//
// Secrets are write-only from the outside: Names lists what is set and
// when, never values; Values decrypts them for the runner and for
// redacting run output. Nothing in this package logs, and no error it
// returns carries a value or a key.
//
// It is not a general secret manager: there is no key rotation yet (a new
// key means starting over with Reset), and it does not redact output itself.
//
// Start reading at vault.go, then box.go, key.go and check.go.
package secrets
