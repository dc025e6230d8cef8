package main

import (
	"errors"
	"flag"
	"path/filepath"

	"github.com/cloudoven/cloudoven/store"
)

// databaseFlags is where a command finds the store. -database is the one setting: a
// SQLite file (the default, <data-dir>/cloudoven.db, as before PostgreSQL was supported)
// or a postgres:// or postgresql:// URL, which may carry a password and so is best given
// as CLOUDOVEN_DATABASE_FILE, a file holding the URL. -db, the flag's name from before,
// still works and means the same (CLOUDOVEN_DB too); giving both with different values is
// an error rather than a silent choice. The URL's password is never printed or logged:
// every message shows store.RedactPassword of it.
type databaseFlags struct {
	database *string
	db       *string
	dataDir  *string
}

func addDatabaseFlags(fs *flag.FlagSet, dataDir *string) databaseFlags {
	return databaseFlags{
		database: fs.String("database", "", "the database: a SQLite file, or a postgres://user:password@host/db URL (best as CLOUDOVEN_DATABASE_FILE, a file holding it) (default: <data-dir>/cloudoven.db)"),
		db:       fs.String("db", "", "the same as -database, by its older name"),
		dataDir:  dataDir,
	}
}

// location is the database to open: the PostgreSQL URL as given, or the SQLite file's
// absolute path.
func (f databaseFlags) location() (string, error) {
	loc := *f.database
	if *f.db != "" {
		if loc != "" && loc != *f.db {
			return "", errors.New("-db and -database (or CLOUDOVEN_DB and CLOUDOVEN_DATABASE) name different databases: give one")
		}
		loc = *f.db
	}
	if store.IsPostgresURL(loc) {
		return loc, nil
	}
	if loc == "" {
		loc = filepath.Join(*f.dataDir, "cloudoven.db")
	}
	return filepath.Abs(loc)
}

// databaseName is what messages and logs call the database at loc: its path, or its URL
// without the password.
func databaseName(loc string) string {
	return store.RedactPassword(loc)
}
