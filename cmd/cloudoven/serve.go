package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Start the CloudOven web app.", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dataDir := fs.String("data-dir", "data", "directory for the SQLite database and other state")
	dbPath := fs.String("db", "", "SQLite database file (default: <data-dir>/cloudoven.db)")
	catalogDir := fs.String("catalog-dir", "", "catalog directory (default: the catalog built into this binary)")
	dev := fs.Bool("dev", false, "serve static files from web/static on disk, uncached")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	start := time.Now()
	cat, err := loadCatalog(*catalogDir)
	if err != nil {
		return err
	}
	types := 0
	for _, p := range cat.Providers() {
		types += len(p.Schema.ResourceSchemas) + len(p.Schema.DataSourceSchemas)
	}
	logger.Info("catalog loaded", "providers", len(cat.Providers()), "types", types, "duration", time.Since(start).Round(time.Millisecond))

	if *dbPath == "" {
		*dbPath = filepath.Join(*dataDir, "cloudoven.db")
	}
	st, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer st.Close()

	handler, err := web.New(web.Config{Store: st, Catalog: cat, Logger: logger, Dev: *dev, StaticDir: "web/static"})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "CloudOven is running at http://%s/ (database %s)\n", ln.Addr(), *dbPath)
	logger.Info("listening", "addr", ln.Addr().String(), "db", *dbPath)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
