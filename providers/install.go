package providers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// source is where one install takes a package from.
type fetched struct {
	version string
	zip     string   // the archive, when the package came as one
	dir     string   // else its unpacked directory
	h1      []string // h1: hashes the source itself computed, checked against ours
	from    string   // "registry" or "mirror"
}

// install brings the newest version matching con for platform into the cache. The caller
// holds the lock of source and platform. Everything happens in a staging directory under
// the cache (same filesystem, so the final rename is atomic), removed whatever happens; the
// package appears with one rename, and counts once its metadata is written.
func (c *Cache) install(ctx context.Context, source string, con constraint, platform string) (Package, error) {
	what := fmt.Sprintf("installing %s (%s) for %s", source, con.describe(), platform)
	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout, errInstallTimeout)
	defer cancel()

	// The staging directory's lock is taken before the directory exists and held until it
	// is gone, so that Open in another process never removes a live install's files.
	var random [8]byte
	rand.Read(random[:])
	name := "install-" + hex.EncodeToString(random[:])
	stagingLock, ok, err := tryLockFile(filepath.Join(c.lockDir(), "staging-"+name))
	if err != nil || !ok {
		return Package{}, c.installError(ctx, what, fmt.Errorf("locking a staging directory: %v", err))
	}
	staging := filepath.Join(c.stagingDir(), name)
	defer func() {
		os.RemoveAll(staging)
		stagingLock.unlockAndRemove()
	}()
	if err := os.Mkdir(staging, 0o755); err != nil {
		return Package{}, c.installError(ctx, what, fmt.Errorf("making a staging directory: %w", err))
	}

	var f fetched
	if c.opts.Mirror != "" {
		f, err = c.fromMirror(source, con, platform)
	} else {
		f, err = c.fromRegistry(ctx, staging, source, con, platform)
	}
	if err != nil {
		return Package{}, c.installError(ctx, what, err)
	}
	pkg := Package{Source: source, Version: f.version, Platform: platform, From: f.from}
	if err := checkPackage(pkg); err != nil {
		return Package{}, fmt.Errorf("%s: %w", what, err)
	}
	what = fmt.Sprintf("installing %s %s for %s", source, f.version, platform)
	if existing, ok, err := c.cached(source, f.version, platform); ok || err != nil {
		return existing, err
	}

	unpacked := filepath.Join(staging, "package")
	if f.zip != "" {
		pkg.Size, err = unzip(f.zip, unpacked)
		if err == nil {
			var zh string
			zh, err = archiveHash(f.zip)
			pkg.Hashes = append(pkg.Hashes, zh)
		}
	} else {
		pkg.Size, err = copyTree(f.dir, unpacked)
	}
	if err != nil {
		return Package{}, c.installError(ctx, what, fmt.Errorf("unpacking into %s: %w", c.dir, err))
	}
	h1, err := dirHash(unpacked)
	if err != nil {
		return Package{}, fmt.Errorf("%s: hashing: %w", what, err)
	}
	if len(f.h1) > 0 && !slices.Contains(f.h1, h1) {
		return Package{}, fmt.Errorf("%s: the unpacked package's hash %s is none of those terraform computed (%s): %w",
			what, h1, strings.Join(f.h1, ", "), ErrChecksumMismatch)
	}
	pkg.Hashes = append(pkg.Hashes, h1)
	slices.Sort(pkg.Hashes)
	pkg.InstalledAt = time.Now().UTC()

	dest := filepath.Join(c.dir, filepath.FromSlash(pkg.Path()))
	// A directory without metadata is an unfinished install (Open removes them too).
	if err := os.RemoveAll(dest); err != nil {
		return Package{}, fmt.Errorf("%s: removing an unfinished install: %w", what, err)
	}
	if err := retryParents(dest, func() error { return os.Rename(unpacked, dest) }); err != nil {
		return Package{}, c.installError(ctx, what, err)
	}
	if err := c.writeMeta(pkg); err != nil {
		os.RemoveAll(dest)
		return Package{}, c.installError(ctx, what, fmt.Errorf("recording the package: %w", err))
	}
	pkg.Dir = dest
	c.installs.Add(1)
	c.log.Info("installed provider", "provider", source, "version", pkg.Version, "platform", platform,
		"from", pkg.From, "size", pkg.Size, "duration", time.Since(start).Round(time.Millisecond))
	return pkg, nil
}

// errInstallTimeout is the cause of an install's context when Options.Timeout ends it.
var errInstallTimeout = errors.New("install time limit reached")

// installError says why an install ended: its time limit, a cancel, a full disk, or err.
func (c *Cache) installError(ctx context.Context, what string, err error) error {
	switch {
	case errors.Is(context.Cause(ctx), errInstallTimeout):
		return fmt.Errorf("%s: no answer within %s (the install's time limit; the registry or the network may be down): %w", what, c.opts.Timeout, context.DeadlineExceeded)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", what, ctx.Err())
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%s: the provider cache's disk is full (%s): %w", what, c.dir, err)
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return fmt.Errorf("%s: the provider cache %s is not writable: %w", what, c.dir, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// maxTerraformOutput bounds what is kept of terraform's output for an error message.
const maxTerraformOutput = 16 << 10

// fromRegistry has the host's terraform download the package into staging: `terraform
// providers mirror` on a configuration requiring exactly this provider. It always asks the
// provider's origin registry (whatever the CLI configuration says), checks the archive
// against the registry's signed checksums, and writes the archive with its h1: hash.
func (c *Cache) fromRegistry(ctx context.Context, staging, source string, con constraint, platform string) (fetched, error) {
	if c.opts.Terraform == "" {
		return fetched{}, errors.New("no terraform binary configured to download providers with")
	}
	config := filepath.Join(staging, "config")
	out := filepath.Join(staging, "mirror")
	if err := os.MkdirAll(config, 0o755); err != nil {
		return fetched{}, err
	}
	version := ""
	if con.text != "" {
		version = fmt.Sprintf("\n      version = %q", con.text)
	}
	main := fmt.Sprintf("terraform {\n  required_providers {\n    p = {\n      source  = %q%s\n    }\n  }\n}\n", source, version)
	if err := os.WriteFile(filepath.Join(config, "main.tf"), []byte(main), 0o644); err != nil {
		return fetched{}, err
	}
	cliConfig := filepath.Join(staging, "cli.tfrc")
	if err := os.WriteFile(cliConfig, []byte("provider_installation {\n  direct {}\n}\n"), 0o644); err != nil {
		return fetched{}, err
	}
	cmd := c.terraformCommand(ctx, staging, cliConfig, "-chdir="+config, "providers", "mirror", "-no-color", "-platform="+platform, out)
	var output tailBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fetched{}, ctx.Err()
		}
		msg := terraformMessage(output.String())
		host, _, _ := strings.Cut(source, "/")
		if strings.Contains(msg, "does not have a provider named") || strings.Contains(msg, "no releases match") || strings.Contains(msg, "no available releases match") {
			return fetched{}, fmt.Errorf("the registry %s has none: %s: %w", host, msg, ErrNotFound)
		}
		if strings.Contains(msg, "no space left on device") {
			return fetched{}, fmt.Errorf("terraform providers mirror from %s: %s: %w", host, msg, syscall.ENOSPC)
		}
		return fetched{}, fmt.Errorf("terraform providers mirror from %s: %v: %s", host, err, msg)
	}
	typ := source[strings.LastIndex(source, "/")+1:]
	prefix, suffix := "terraform-provider-"+typ+"_", "_"+platform+".zip"
	entries, err := os.ReadDir(filepath.Join(out, filepath.FromSlash(source)))
	if err != nil {
		return fetched{}, fmt.Errorf("reading what terraform downloaded: %w", err)
	}
	var f fetched
	for _, e := range entries {
		if name := e.Name(); strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) {
			if f.zip != "" {
				return fetched{}, errors.New("terraform downloaded more than one package")
			}
			f.version = strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix)
			f.zip = filepath.Join(out, filepath.FromSlash(source), name)
		}
	}
	if f.zip == "" {
		return fetched{}, fmt.Errorf("terraform downloaded no package for %s: %s", platform, terraformMessage(output.String()))
	}
	f.from = "registry"
	// The index terraform writes beside the archive records the h1: hash it computed.
	var index struct {
		Archives map[string]struct {
			Hashes []string `json:"hashes"`
		} `json:"archives"`
	}
	if data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(source), f.version+".json")); err == nil {
		if json.Unmarshal(data, &index) == nil {
			f.h1 = index.Archives[platform].Hashes
		}
	}
	if len(f.h1) == 0 {
		return fetched{}, fmt.Errorf("terraform recorded no hash of the package it downloaded (%s.json)", f.version)
	}
	return f, nil
}

// terraformCommand builds a terraform command run with a minimal environment: the
// server's own, without any TF_ variable (the operator's CLI configuration, plugin cache
// or log settings must not change how the cache installs), then Options.Env.
func (c *Cache) terraformCommand(ctx context.Context, home, cliConfig string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.opts.Terraform, args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "CHECKPOINT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
	for k, v := range c.opts.Env {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	// Killed at once when ctx ends (exec's default): it only writes into the staging
	// directory, which goes anyway. WaitDelay stops waiting for its output.
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// ansi matches terminal escapes: terraform colours its diagnostics even when not on a
// terminal.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// terraformMessage is terraform's first error diagnostic, on one line, without colours or
// box drawing; all of its output when it has none.
func terraformMessage(out string) string {
	out = ansi.ReplaceAllString(out, "")
	var all, diag []string
	inError := false
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(strings.TrimLeft(l, "╷│╵ "))
		if l == "" {
			continue
		}
		all = append(all, l)
		if summary, ok := strings.CutPrefix(l, "Error: "); ok {
			if inError || len(diag) > 0 {
				break
			}
			inError = true
			diag = append(diag, summary+":")
			continue
		}
		if inError {
			diag = append(diag, l)
		}
	}
	if len(diag) > 0 {
		return strings.TrimSuffix(strings.Join(diag, " "), ".")
	}
	return strings.TrimSuffix(strings.Join(all, " "), ".")
}

// tailBuffer keeps the last maxTerraformOutput bytes written to it.
type tailBuffer struct{ b bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b.Write(p)
	if over := t.b.Len() - maxTerraformOutput; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return t.b.String() }

var _ io.Writer = (*tailBuffer)(nil)
