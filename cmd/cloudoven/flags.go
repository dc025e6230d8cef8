package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// newFlagSet makes a flag set whose usage lists every default and the env var of each flag.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: cloudoven %s [flags]\n\n%s\n\nflags (each also settable as CLOUDOVEN_<FLAG>):\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags applies CLOUDOVEN_<FLAG> (and CLOUDOVEN_<FLAG>_FILE, the file's trimmed
// content) for every flag not given on the command line, then parses args. Flags win over env.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		key := "CLOUDOVEN_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		val, ok := os.LookupEnv(key)
		if !ok {
			file, fok := os.LookupEnv(key + "_FILE")
			if !fok {
				return
			}
			b, rerr := os.ReadFile(file)
			if rerr != nil {
				err = fmt.Errorf("reading %s_FILE: %w", key, rerr)
				return
			}
			val = strings.TrimSpace(string(b))
		}
		if serr := fs.Set(f.Name, val); serr != nil {
			err = fmt.Errorf("%s=%q: %w", key, val, serr)
		}
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags go before nothing else; see -h)", fs.Arg(0))
	}
	return nil
}
