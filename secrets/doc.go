// Package secrets keeps an environment's secret environment variables
// (cloud credentials such as ARM_CLIENT_SECRET, or TF_VAR_db_password)
// encrypted at rest.
//
// LoadKey finds the 32-byte key: CLOUDOVEN_SECRET_KEY when set, else a key
// file created on first start. Box seals and opens values with AES-256-GCM
// under that key. Vault stores an environment's secrets through the store,
// sealed, with the project, environment and secret name as additional
// data, so a ciphertext copied to another row does not open.
//
// Secrets are write-only from the outside: Names lists what is set and
// when, never values; Values decrypts them for the runner and for
// redacting run output. Nothing in this package logs, and no error it
// returns carries a value or a key.
//
// It is not a general secret manager: there is no key rotation yet (a
// changed key makes Values fail, naming the secret), and it does not
// redact output itself.
//
// Start reading at vault.go, then box.go and key.go.
package secrets
