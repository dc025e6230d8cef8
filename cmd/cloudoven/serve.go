package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/providercheck"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/catalogview"
	"github.com/cloudoven/cloudoven/web/editor"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Start the CloudOven web app.", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data-dir", "data", "directory for the SQLite database and other state")
	dbf := addDatabaseFlags(fs, dataDir)
	catalogDir := fs.String("catalog-dir", "", "catalog directory crawls write into and the server loads once it exists (default: <data-dir>/catalog; until a crawl writes it, the catalog built into this binary)")
	schedule := fs.String("crawl-schedule", "", "cron expression (5 fields) for crawling the catalog, e.g. \"0 3 * * *\"; empty crawls only on demand")
	cf := addCrawlFlags(fs)
	rf := addRunFlags(fs)
	adminPassword := fs.String("admin-password", "", "password of the first user, admin, created when the database has no users (default: a generated one, printed once)")
	secretKeyFile := fs.String("secret-key-file", "", "file holding the key that seals environment secrets and saved plans, created with mode 0600 on first start, never while the database holds values sealed with another key (default: <data-dir>/secret.key); CLOUDOVEN_SECRET_KEY (base64) takes precedence")
	secureCookies := fs.Bool("secure-cookies", false, "mark the session cookie Secure even for plain-HTTP requests (set this behind a TLS-terminating proxy)")
	dev := fs.Bool("dev", false, "serve static files from web/static on disk, uncached")
	shutdownDelay := fs.Duration("shutdown-delay", 0, "on SIGTERM, keep serving this long with /readyz answering 503 before closing the listener, so a load balancer (a Kubernetes Service) stops sending requests first")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	// The catalog: the crawl directory once a crawl has written it, else the one built into
	// the binary. Crawls (on demand from the status page, or on -crawl-schedule) write into
	// the directory, starting from a copy of the built-in catalog, and swap the result in.
	dir := *catalogDir
	if dir == "" {
		dir = filepath.Join(*dataDir, "catalog")
	}
	loadDir := dir
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		loadDir = ""
	}
	start := time.Now()
	cat, err := loadCatalog(loadDir)
	if err != nil {
		return err
	}
	live := catalog.NewLive(cat)
	types := 0
	for _, p := range cat.Providers() {
		types += len(p.Schema.ResourceSchemas) + len(p.Schema.DataSourceSchemas)
	}
	logger.Info("catalog loaded", "providers", len(cat.Providers()), "types", types, "dir", loadDir, "duration", time.Since(start).Round(time.Millisecond))

	targets, err := cf.targets()
	if err != nil {
		return err
	}
	dbLoc, err := dbf.location()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, dbLoc)
	if err != nil {
		return err
	}
	defer st.Close()

	opts := cf.options(dir, logger)
	opts.SeedFrom = catalog.Embedded()
	// Replicas share a PostgreSQL database: they crawl one at a time, and each takes the
	// catalog another crawled. A SQLite file serves one replica, which has nobody to tell.
	if store.IsPostgresURL(dbLoc) {
		opts.Shared = sharedCatalog{st}
	}
	svc, err := crawler.NewService(targets, opts, *schedule, func(c *catalog.Catalog) {
		live.Swap(c)
		logger.Info("catalog swapped in", "providers", len(c.Providers()))
	})
	if err != nil {
		return err
	}
	// A replica starting takes the published catalog when its directory lacks it, before
	// it serves; a failure is logged and leaves it on its own catalog.
	if gen, err := svc.Follow(ctx); err != nil {
		logger.Error("published catalog not taken", "err", err)
	} else if gen > 0 {
		logger.Info("published catalog taken", "generation", gen)
	}
	svc.Start(ctx)
	defer svc.Stop()
	crawls := crawlStatus{svc}

	// Environment secrets and saved plans are sealed with AES-256-GCM under this key; losing
	// it loses them. It is checked against the database before anything else is written: a
	// lost key file or a wrong key stops the start here, saying what to do.
	if *secretKeyFile == "" {
		*secretKeyFile = filepath.Join(*dataDir, "secret.key")
	}
	box, check, err := secrets.UseKey(ctx, st, *secretKeyFile)
	if err != nil {
		return err
	}
	logKeyCheck(logger, check, *secretKeyFile)
	vault := secrets.NewVault(st, box)

	if err := bootstrapAdmin(ctx, st, *adminPassword, stdout); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	rs, err := rf.start(ctx, st, live.Catalog, vault, box, *dataDir, databaseName(dbLoc), "http://"+ln.Addr().String(), opts.Schema.Terraform, *cf.mirror, logger)
	if err != nil {
		return err
	}
	if rs.runs != nil {
		defer rs.runs.Wait()
	}
	// The editor's "Check with providers" runs the host's terraform with the providers the
	// cache installs for this host; without a terraform the button says it is not set up.
	var providerCheck editor.ProviderChecker
	if opts.Schema.Terraform != "" {
		providerCheck = providercheck.New(providercheck.Options{Terraform: opts.Schema.Terraform, Mirror: rs.providers, Cache: st, Logger: logger})
	}
	// Closed when a signal arrives: /readyz answers 503 from then on (see -shutdown-delay).
	shuttingDown := make(chan struct{})
	handler, err := web.New(web.Config{Store: st, ShuttingDown: shuttingDown, CatalogSource: live, Crawls: crawls, Logger: logger, Dev: *dev, StaticDir: "web/static", SecureCookies: *secureCookies, Secrets: vault, Runs: rs.runs, RunLogs: rs.hub, RunnerLabel: rs.label, StateURL: rs.stateURL, StateBlobs: rs.blobs,
		ProviderCheck: providerCheck, ProviderCache: rs.providers, LockUpgrader: rs.providers})
	if err != nil {
		return err
	}
	srv := web.NewHTTPServer(withState(handler, rs.state), web.DefaultTimeouts, slog.NewLogLogger(logger.Handler(), slog.LevelWarn))
	fmt.Fprintf(stdout, "CloudOven is running at http://%s/ (database %s)\n", ln.Addr(), databaseName(dbLoc))
	logger.Info("listening", "addr", ln.Addr().String(), "db", databaseName(dbLoc))

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if rs.stateListener != nil {
		// The state backend alone, for the runs' containers (see bridgeStateListener).
		only := http.NewServeMux()
		only.Handle(state.PathPrefix, rs.state)
		stateSrv := web.NewHTTPServer(only, web.DefaultTimeouts, slog.NewLogLogger(logger.Handler(), slog.LevelWarn))
		go func() { errc <- stateSrv.Serve(rs.stateListener) }()
		defer stateSrv.Close()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	close(shuttingDown)
	logger.Info("shutting down", "delay", *shutdownDelay)
	if *shutdownDelay > 0 {
		// Endpoints learn of the 503s only at their next probe: until then requests still
		// arrive, and are served.
		delay := time.NewTimer(*shutdownDelay)
		select {
		case <-delay.C:
		case err := <-errc:
			delay.Stop()
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// logKeyCheck logs what the start-up check of the secret key found.
func logKeyCheck(logger *slog.Logger, check secrets.KeyCheck, keyFile string) {
	if check.Created {
		logger.Info("created the secret key; back it up, secrets cannot be read without it", "file", keyFile, "key_id", check.KeyID)
	}
	if check.Replaced != "" {
		logger.Warn("the secret key changed; nothing was sealed with the previous one", "key_id", check.KeyID, "previous_key_id", check.Replaced)
	} else if check.Recorded && !check.Created {
		logger.Info("recorded the secret key's id", "key_id", check.KeyID, "secrets", check.Sealed.Secrets)
	}
	if n := len(check.Unreadable); n > 0 {
		// Names only, never values: sealed with another key earlier, these must be set again.
		logger.Warn("secrets that the secret key does not open; set them again", "count", n, "secrets", strings.Join(check.Unreadable[:min(n, 20)], ", "))
	}
}

// sharedCatalog adapts the store to what the crawl service needs of the database replicas
// share.
type sharedCatalog struct{ *store.Store }

func (s sharedCatalog) PublishedCatalog(ctx context.Context) (crawler.Published, error) {
	pc, err := s.Store.PublishedCatalog(ctx)
	if err != nil {
		return crawler.Published{}, err
	}
	return crawler.Published{Generation: pc.Generation, SHA256: pc.SHA256, Blob: pc.Blob}, nil
}

// crawlStatus adapts the crawl service to the web interface's view of it.
type crawlStatus struct{ svc *crawler.Service }

func (c crawlStatus) StartCrawl() error {
	err := c.svc.Trigger()
	if errors.Is(err, crawler.ErrRunning) {
		return catalogview.ErrCrawlRunning
	}
	return err
}

func (c crawlStatus) CrawlStatus() catalogview.CrawlStatus {
	running, st := c.svc.Status()
	out := catalogview.CrawlStatus{Running: running, Schedule: c.svc.Schedule(), NextRun: c.svc.NextRun()}
	if st == nil {
		return out
	}
	run := &catalogview.CrawlRun{Started: st.Started, Finished: st.Finished}
	if st.Err != nil {
		run.Err = st.Err.Error()
	}
	seen := map[string]bool{}
	for _, p := range st.Result.Providers {
		seen[p.Source] = true
		cp := catalogview.CrawlProvider{Source: p.Source, Version: p.Version, Skipped: p.Skipped, Resources: p.Resources,
			DataSources: p.DataSources, DocPages: p.DocPages, Coverage: -1, DocErrors: p.DocErrors}
		if p.Coverage.Arguments > 0 {
			cp.Coverage = p.Coverage.Percent()
		}
		if p.Err != nil {
			cp.Err = p.Err.Error()
		}
		prog := st.Progress[p.Source]
		cp.Done, cp.Total = prog[0], prog[1]
		run.Providers = append(run.Providers, cp)
	}
	// While running, providers not finished yet show by their progress alone.
	for source, prog := range st.Progress {
		if !seen[source] {
			run.Providers = append(run.Providers, catalogview.CrawlProvider{Source: source, Coverage: -1, Done: prog[0], Total: prog[1]})
		}
	}
	out.Last = run
	return out
}

// bootstrapAdmin creates the first user, the global admin "admin", when there are no users:
// with password (which must pass auth.CheckPassword), or a generated one printed once to
// stdout (never to the log).
func bootstrapAdmin(ctx context.Context, st *store.Store, password string, stdout io.Writer) error {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	generated := password == ""
	if generated {
		if password, err = auth.NewPassword(); err != nil {
			return err
		}
	} else if err := auth.CheckPassword(password, "admin"); err != nil {
		return fmt.Errorf("-admin-password: %w", err)
	}
	hash, err := auth.HashPassword(password, auth.DefaultParams)
	if err != nil {
		return err
	}
	if _, err := st.CreateUser(ctx, "admin", hash, true); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil // another server started at the same moment made it
		}
		return fmt.Errorf("creating the first user: %w", err)
	}
	if generated {
		fmt.Fprintf(stdout, "CloudOven created the first user admin with password %s; change it after signing in (Account)\n", password)
	} else {
		fmt.Fprintln(stdout, "CloudOven created the first user admin with the password from -admin-password; change it after signing in (Account)")
	}
	return nil
}
