// Command cloudoven is CloudOven: compose Terraform in the browser and run it.
//
//	cloudoven serve      start the web app
//	cloudoven generate   write a blueprint's Terraform to a directory or zip
//	cloudoven validate   check a blueprint against the catalog
//	cloudoven import     turn .tf files into a blueprint document
//	cloudoven crawl      crawl provider schemas and docs into a catalog
//	cloudoven catalog    add a dumped provider schema to a catalog directory
//	cloudoven providers  list, install, remove and prune cached provider packages
//	cloudoven secrets    start over when the secret key is lost for good (secrets reset)
//	cloudoven version    print the version
//
// Every flag can also be set as CLOUDOVEN_<FLAG> (upper case, '-' as '_').
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	var exit exitError
	switch {
	case errors.As(err, &exit):
		os.Exit(int(exit))
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "cloudoven:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status after the command has said why itself.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

const usage = `usage: cloudoven <command> [flags]

commands:
  serve      start the web app
  generate   write a blueprint's Terraform files to a directory or a .zip
  validate   check a blueprint (and optionally an environment) against the catalog
  import     turn existing .tf files into a blueprint document
  crawl      crawl provider schemas and docs into a catalog directory
  catalog    manage a catalog directory (catalog add -h)
  providers  list, install, remove and prune cached provider packages (providers -h)
  secrets    start over when the secret key is lost for good (secrets reset -h)
  version    print the version

Run 'cloudoven <command> -h' for a command's flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError(2)
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "generate":
		return runGenerate(ctx, args[1:], stdout, stderr)
	case "validate":
		return runValidate(ctx, args[1:], stdout, stderr)
	case "catalog":
		return runCatalog(ctx, args[1:], stdout, stderr)
	case "crawl":
		return runCrawl(ctx, args[1:], stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], stdout, stderr)
	case "secrets":
		return runSecrets(ctx, args[1:], stdout, stderr)
	case "providers":
		return runProviders(ctx, args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "cloudoven %s\n", Version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "cloudoven: unknown command %q\n\n%s", args[0], usage)
	return exitError(2)
}
