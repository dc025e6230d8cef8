package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

const providersUsage = `usage: cloudoven providers <command> [flags]

  list     the provider packages in the cache: source, version, platform, size, hashes
  install  install providers into the cache (-provider and -version, or a root module's -dir)
  remove   remove one package (-provider, -version, -platform), and its Docker volumes
  prune    remove every package that the given lock files (-keep) do not use, or -all

Run 'cloudoven providers <command> -h' for its flags.
`

// maxLockRead bounds a lock file or a .tf file read by the providers commands.
const maxLockRead = 4 << 20

// providerFlags are the flags every providers command shares.
type providerFlags struct {
	dataDir, cacheDir, mirror, terraform, db *string
	volumes                                  *bool
}

func addProviderFlags(fs *flag.FlagSet) providerFlags {
	return providerFlags{
		dataDir:   fs.String("data-dir", "data", "directory of serve's state, as serve's"),
		cacheDir:  fs.String("provider-cache", "", "provider cache directory (default: <data-dir>/providers)"),
		mirror:    fs.String("provider-mirror", "", "operator's provider mirror directory (terraform's filesystem mirror layouts): install only from it, never from a registry"),
		terraform: fs.String("terraform", "terraform", "terraform binary that downloads providers from the registries"),
		db:        fs.String("db", "", "serve's database (its -database: a SQLite file or a postgres:// URL), which names its Docker volumes (default: <data-dir>/cloudoven.db)"),
		volumes:   fs.Bool("volumes", true, "also remove the removed packages' Docker volumes (on the daemon the environment names)"),
	}
}

func (f providerFlags) open() (*providers.Cache, error) {
	dir := *f.cacheDir
	if dir == "" {
		dir = filepath.Join(*f.dataDir, "providers")
	}
	tf := *f.terraform
	if *f.mirror == "" {
		path, err := exec.LookPath(tf)
		if err != nil {
			tf = "" // only installs need it: they say so
		} else {
			tf = path
		}
	}
	return providers.Open(dir, providers.Options{Terraform: tf, Mirror: *f.mirror,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
}

// remover removes packages: with their volumes when -volumes is set.
type remover interface {
	Remove(ctx context.Context, source, version, platform string) error
}

func (f providerFlags) remover(ctx context.Context, c *providers.Cache) (remover, func(), error) {
	if !*f.volumes {
		return c, func() {}, nil
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, nil, fmt.Errorf("configuring the docker client: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		cli.Close()
		return nil, nil, fmt.Errorf("no Docker daemon answers at %s to remove the packages' volumes (give -volumes=false to leave them): %w", cli.DaemonHost(), err)
	}
	db := *f.db
	if db == "" {
		db = filepath.Join(*f.dataDir, "cloudoven.db")
	}
	abs := databaseName(db)
	if !store.IsPostgresURL(db) {
		if abs, err = filepath.Abs(db); err != nil {
			cli.Close()
			return nil, nil, err
		}
	}
	return providers.NewVolumes(cli, runner.DefaultImage, instanceOf(abs), c), func() { cli.Close() }, nil
}

// instanceOf names the server whose database is dbPath (absolute) among others sharing a
// Docker daemon: the label of everything its runs and its provider volumes create.
func instanceOf(dbPath string) string {
	sum := sha256.Sum256([]byte(dbPath))
	return hex.EncodeToString(sum[:6])
}

// listFlag is a flag given several times, or once with commas.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

func runProviders(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, providersUsage)
		return exitError(2)
	}
	switch args[0] {
	case "list":
		return runProvidersList(ctx, args[1:], stdout, stderr)
	case "install":
		return runProvidersInstall(ctx, args[1:], stdout, stderr)
	case "remove":
		return runProvidersRemove(ctx, args[1:], stdout, stderr)
	case "prune":
		return runProvidersPrune(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, providersUsage)
		return nil
	}
	fmt.Fprintf(stderr, "cloudoven providers: unknown command %q\n\n%s", args[0], providersUsage)
	return exitError(2)
}

func runProvidersList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("providers list", "List the provider packages in the cache.", stderr)
	pf := addProviderFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, err := pf.open()
	if err != nil {
		return err
	}
	pkgs, err := c.List(ctx)
	if err != nil {
		return err
	}
	printPackages(stdout, pkgs)
	return nil
}

func printPackages(w io.Writer, pkgs []providers.Package) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tVERSION\tPLATFORM\tSIZE\tFROM\tHASHES")
	for _, p := range pkgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f MiB\t%s\t%s\n", p.Source, p.Version, p.Platform, float64(p.Size)/(1<<20), p.From, strings.Join(p.Hashes, " "))
	}
	tw.Flush()
}

func runProvidersInstall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("providers install", "Install providers into the cache: one (-provider, -version), or those a root module\n"+
		"requires (-dir: its *.tf files, and its .terraform.lock.hcl when there is one, whose versions and hashes are kept).", stderr)
	pf := addProviderFlags(fs)
	provider := fs.String("provider", "", "provider address, e.g. hashicorp/azurerm or registry.terraform.io/hashicorp/azurerm")
	constraint := fs.String("version", "", "version constraint for -provider, e.g. \"~> 4.0\" (default: the newest)")
	dir := fs.String("dir", "", "root module directory whose providers to install")
	platforms := listFlag{}
	fs.Var(&platforms, "platform", "platform os_arch, several with commas (default: this machine's, "+runtime.GOOS+"_"+runtime.GOARCH+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(platforms) == 0 {
		platforms = listFlag{runtime.GOOS + "_" + runtime.GOARCH}
	}
	var reqs []providers.Requirement
	var lock providers.Lock
	switch {
	case (*provider == "") == (*dir == ""):
		return errors.New("give -provider or -dir")
	case *provider != "":
		source, err := providers.Address(*provider)
		if err != nil {
			return err
		}
		reqs = []providers.Requirement{{Source: source, Constraint: *constraint}}
	default:
		var err error
		if reqs, lock, err = readRootModule(*dir); err != nil {
			return err
		}
	}
	c, err := pf.open()
	if err != nil {
		return err
	}
	pkgs, err := c.Ensure(ctx, reqs, lock, platforms)
	if err != nil {
		return err
	}
	printPackages(stdout, pkgs)
	fmt.Fprintf(stdout, "%d installed, %d already in %s\n", c.Installs(), int64(len(pkgs))-c.Installs(), c.Dir())
	return nil
}

// readRootModule reads the requirements of dir's *.tf files and its lock file, if any.
func readRootModule(dir string) ([]providers.Requirement, providers.Lock, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, providers.Lock{}, fmt.Errorf("reading the root module: %w", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".tf") {
			data, err := readBounded(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, providers.Lock{}, err
			}
			files[e.Name()] = data
		}
	}
	reqs, err := providers.Requirements(files)
	if err != nil {
		return nil, providers.Lock{}, err
	}
	data, err := readBounded(filepath.Join(dir, providers.LockFileName))
	if errors.Is(err, os.ErrNotExist) {
		return reqs, providers.Lock{}, nil
	} else if err != nil {
		return nil, providers.Lock{}, err
	}
	lock, err := providers.ParseLock(data)
	return reqs, lock, err
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxLockRead+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxLockRead {
		return nil, fmt.Errorf("reading %s: over %d MiB", path, maxLockRead>>20)
	}
	return data, nil
}

func runProvidersRemove(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("providers remove", "Remove one package from the cache, and its Docker volumes (unless -volumes=false).", stderr)
	pf := addProviderFlags(fs)
	provider := fs.String("provider", "", "full provider address, as list prints it")
	version := fs.String("version", "", "version, as list prints it")
	platform := fs.String("platform", runtime.GOOS+"_"+runtime.GOARCH, "platform os_arch")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *provider == "" || *version == "" {
		return errors.New("give -provider and -version")
	}
	c, err := pf.open()
	if err != nil {
		return err
	}
	r, done, err := pf.remover(ctx, c)
	if err != nil {
		return err
	}
	defer done()
	if err := r.Remove(ctx, *provider, *version, *platform); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "removed %s %s for %s\n", *provider, *version, *platform)
	return nil
}

func runProvidersPrune(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("providers prune", "Remove every package whose provider version none of the -keep lock files names (all\n"+
		"platforms of a kept version stay), with its Docker volumes (unless -volumes=false).", stderr)
	pf := addProviderFlags(fs)
	keep := listFlag{}
	fs.Var(&keep, "keep", "dependency lock file (.terraform.lock.hcl) whose versions stay; several with commas or repeated")
	all := fs.Bool("all", false, "remove every package (when no -keep is given)")
	dryRun := fs.Bool("dry-run", false, "only print what would be removed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(keep) == 0 && !*all {
		return errors.New("give -keep lock files, or -all to remove every package")
	}
	if len(keep) > 0 && *all {
		return errors.New("give -keep or -all, not both")
	}
	kept := map[string]bool{}
	for _, path := range keep {
		data, err := readBounded(path)
		if err != nil {
			return err
		}
		lock, err := providers.ParseLock(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, p := range lock.Providers {
			kept[p.Source+" "+p.Version] = true
		}
	}
	c, err := pf.open()
	if err != nil {
		return err
	}
	pkgs, err := c.List(ctx)
	if err != nil {
		return err
	}
	var r remover = c
	if !*dryRun {
		rm, done, err := pf.remover(ctx, c)
		if err != nil {
			return err
		}
		defer done()
		r = rm
	}
	removed := 0
	for _, p := range pkgs {
		if kept[p.Source+" "+p.Version] {
			continue
		}
		if *dryRun {
			fmt.Fprintf(stdout, "would remove %s %s for %s\n", p.Source, p.Version, p.Platform)
			removed++
			continue
		}
		if err := r.Remove(ctx, p.Source, p.Version, p.Platform); err != nil {
			return fmt.Errorf("pruning (%d removed so far): %w", removed, err)
		}
		removed++
		fmt.Fprintf(stdout, "removed %s %s for %s\n", p.Source, p.Version, p.Platform)
	}
	verb := "removed"
	if *dryRun {
		verb = "would be removed (dry run)"
	}
	fmt.Fprintf(stdout, "%d %s, %d kept\n", removed, verb, len(pkgs)-removed)
	return nil
}
