package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/store"
)

const secretsUsage = `usage: cloudoven secrets reset [flags]

  reset   start over without what a secret key that is lost for good sealed

Run 'cloudoven secrets reset -h' for its flags.
`

// confirmEnv would set -confirm like any flag's variable; a deletion that cannot be undone
// is asked for on the command line only.
const confirmEnv = "CLOUDOVEN_CONFIRM"

// runSecrets is `cloudoven secrets reset`: when the secret key does not open what the
// database holds sealed, it says what a reset deletes and, with -confirm, deletes it
// (secrets.Reset). Run it with serve stopped and with serve's data, database and key
// settings.
func runSecrets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "reset" {
		fmt.Fprint(stderr, secretsUsage)
		return exitError(2)
	}
	fs := newFlagSet("secrets reset", "Start over without the environment secrets and saved plans sealed with a secret key that is lost for good:\n"+
		"they are deleted (secrets must be set again, plans waiting for approval are discarded) and the key that\n"+
		"serve would load (CLOUDOVEN_SECRET_KEY, or the key file, made when missing) becomes the database's.\n"+
		"Nothing happens when that key opens what the database holds. Stop serve first.", stderr)
	dataDir := fs.String("data-dir", "data", "directory of the SQLite database and the key file, as serve's")
	dbf := addDatabaseFlags(fs, dataDir)
	secretKeyFile := fs.String("secret-key-file", "", "the key file, as serve's (default: <data-dir>/secret.key); CLOUDOVEN_SECRET_KEY (base64) takes precedence")
	confirm := fs.Bool("confirm", false, "delete them (on the command line only); without it, only say what would be deleted")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if _, ok := os.LookupEnv(confirmEnv); ok {
		return fmt.Errorf("%s is set: give -confirm on the command line, where deleting every secret is deliberate", confirmEnv)
	}
	dbLoc, err := dbf.location()
	if err != nil {
		return err
	}
	if *secretKeyFile == "" {
		*secretKeyFile = filepath.Join(*dataDir, "secret.key")
	}
	if !store.IsPostgresURL(dbLoc) {
		if _, err := os.Stat(dbLoc); err != nil {
			// Opening would create an empty database: there is nothing to reset in one.
			return fmt.Errorf("reading the database: %w", err)
		}
	}
	st, err := store.Open(ctx, dbLoc)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := secrets.Reset(ctx, st, *secretKeyFile, *confirm)
	if err != nil {
		return err
	}
	if res.Matches {
		fmt.Fprintf(stdout, "nothing to reset: %s (key id %s) opens what this database holds sealed\n", res.Source, res.KeyID)
		return nil
	}
	if !res.Done {
		fmt.Fprintln(stdout, describeReset(res, *secretKeyFile))
		fmt.Fprintln(stdout, "nothing was deleted; to delete them for good and use that key from now on, run this again with -confirm")
		return exitError(1)
	}
	fmt.Fprintf(stdout, "deleted %s, discarded %d planned runs; %s (key id %s) is this database's key now: back it up, and set the secrets again\n",
		res.Forgot.SealedCounts, res.Forgot.Discarded, res.Source, res.KeyID)
	return nil
}

// describeReset says what an unconfirmed reset found.
func describeReset(res secrets.ResetResult, keyFile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "this database holds %s sealed with another key", res.Forgot.SealedCounts)
	if res.OldKeyID != "" {
		fmt.Fprintf(&b, " (key id %s)", res.OldKeyID)
	}
	if res.KeyID == "" {
		fmt.Fprintf(&b, "; the key file %s does not exist, and a confirmed reset makes a new key there", keyFile)
	} else {
		fmt.Fprintf(&b, "; %s has key id %s", res.Source, res.KeyID)
	}
	b.WriteString("; a reset deletes them, and discards the plans waiting for approval")
	return b.String()
}
