package providercheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/cloudoven/cloudoven/blueprint"
)

// Cache keeps checks' results by key; *store.Store has it. The results are opaque to it.
type Cache interface {
	ProviderCheck(ctx context.Context, key string) (result []byte, checkedAt time.Time, found bool, err error)
	SaveProviderCheck(ctx context.Context, key string, result []byte) error
}

// Options configures a Checker. Terraform and Mirror are required.
type Options struct {
	Terraform string // the terraform binary
	Mirror    Mirror
	Cache     Cache // nil checks every time
	// Timeout bounds one check, init and validate together; 0 means DefaultTimeout.
	Timeout time.Duration
	// TempDir is where each check's folder is made; "" is the system's.
	TempDir string
	// Concurrent bounds the checks that run at once (each starts terraform and every
	// provider); 0 means DefaultConcurrent. More wait their turn, within their timeout.
	Concurrent int
	Logger     *slog.Logger
}

// DefaultConcurrent is how many checks run at once by default.
const DefaultConcurrent = 2

// DefaultTimeout is how long a check may take: init links the providers from the mirror
// and validate starts each one once, seconds even for azurerm.
const DefaultTimeout = 2 * time.Minute

// Checker runs the providers' check.
type Checker struct {
	opts  Options
	slots chan struct{}

	mu        sync.Mutex
	tfVersion string // terraform's version, read once
}

// New returns a Checker.
func New(opts Options) *Checker {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Concurrent <= 0 {
		opts.Concurrent = DefaultConcurrent
	}
	return &Checker{opts: opts, slots: make(chan struct{}, opts.Concurrent)}
}

// Result is a check's answer.
type Result struct {
	Diagnostics Diagnostics `json:"diagnostics"`
	Providers   []Provider  `json:"providers"`
	Terraform   string      `json:"terraform"`
	// Duration is how long the check took; for a cached result, the check that made it.
	Duration time.Duration `json:"duration"`
	// Cached says the result came from the cache; CheckedAt is when it was made.
	Cached    bool      `json:"-"`
	CheckedAt time.Time `json:"-"`
}

// Check checks b with its providers from the mirror, or answers from the cache when the
// same files were checked with the same provider versions.
func (c *Checker) Check(ctx context.Context, b *blueprint.Blueprint) (Result, error) {
	start := time.Now()
	if c.opts.Terraform == "" || c.opts.Mirror == nil {
		return Result{}, errors.New("checking with providers: no terraform or no provider mirror is configured")
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout, fmt.Errorf("the check took longer than %s", c.opts.Timeout))
	defer cancel()
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		return Result{}, fmt.Errorf("checking with providers: %w", err)
	}
	byName := make(map[string][]byte, len(files))
	for _, f := range files {
		byName[f.Name] = f.Content
	}
	mirror, err := c.opts.Mirror.Mirror(ctx, byName)
	if err != nil {
		return Result{}, fmt.Errorf("providers for the check: %w", err)
	}
	providers, err := mirroredProviders(mirror, b)
	if err != nil {
		return Result{}, fmt.Errorf("checking with providers: %w", err)
	}
	tfv, err := c.terraformVersion(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("checking with providers: %w", c.cause(ctx, err))
	}
	key := cacheKey(b, files, providers, tfv)
	if res, ok := c.cached(ctx, key); ok {
		return res, nil
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("checking with providers: waiting for another check to end: %w", c.cause(ctx, ctx.Err()))
	}
	res, err := c.run(ctx, mirror, b, files, tfv)
	<-c.slots
	if err != nil {
		return Result{}, fmt.Errorf("checking with providers: %w", c.cause(ctx, err))
	}
	res.Duration, res.CheckedAt = time.Since(start), time.Now()
	if c.opts.Cache != nil {
		if doc, err := json.Marshal(res); err != nil {
			c.opts.Logger.Error("encoding a provider check", "err", err)
		} else if err := c.opts.Cache.SaveProviderCheck(ctx, key, doc); err != nil {
			c.opts.Logger.Error("caching a provider check", "err", err)
		}
	}
	return res, nil
}

// cause says why ctx ended, when it did: the timeout's own words rather than "signal: killed".
func (c *Checker) cause(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
		if errors.Is(cause, context.Canceled) {
			return fmt.Errorf("%w: %w", cause, err)
		}
		return fmt.Errorf("%w (%w): %w", cause, context.DeadlineExceeded, err)
	}
	return err
}

func (c *Checker) cached(ctx context.Context, key string) (Result, bool) {
	if c.opts.Cache == nil {
		return Result{}, false
	}
	doc, at, found, err := c.opts.Cache.ProviderCheck(ctx, key)
	if err != nil {
		c.opts.Logger.Error("reading a cached provider check", "err", err)
		return Result{}, false
	}
	if !found {
		return Result{}, false
	}
	var res Result
	if err := json.Unmarshal(doc, &res); err != nil {
		c.opts.Logger.Error("reading a cached provider check", "err", err)
		return Result{}, false
	}
	res.Cached, res.CheckedAt = true, at
	return res, true
}

// terraformVersion reads the binary's version once.
func (c *Checker) terraformVersion(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tfVersion != "" {
		return c.tfVersion, nil
	}
	tf, err := tfexec.NewTerraform(os.TempDir(), c.opts.Terraform)
	if err != nil {
		return "", fmt.Errorf("finding terraform: %w", err)
	}
	tf.SetEnv(map[string]string{"PATH": os.Getenv("PATH"), "CHECKPOINT_DISABLE": "1"})
	v, _, err := tf.Version(ctx, true)
	if err != nil {
		return "", fmt.Errorf("reading terraform's version: %w", err)
	}
	c.tfVersion = v.String()
	return c.tfVersion, nil
}

// run writes the files into a new folder, runs init and validate there and removes it.
func (c *Checker) run(ctx context.Context, mirror string, b *blueprint.Blueprint, files []blueprint.File, tfv string) (Result, error) {
	dir, err := os.MkdirTemp(c.opts.TempDir, "cloudoven-providercheck-")
	if err != nil {
		return Result{}, fmt.Errorf("making the check's folder: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			c.opts.Logger.Error("removing a provider check's folder", "err", err)
		}
	}()
	work := filepath.Join(dir, "config")
	if err := writeFiles(work, files); err != nil {
		return Result{}, err
	}
	env, err := checkEnv(dir, mirror)
	if err != nil {
		return Result{}, err
	}
	tf, err := tfexec.NewTerraform(work, c.opts.Terraform)
	if err != nil {
		return Result{}, fmt.Errorf("finding terraform: %w", err)
	}
	tf.SetEnv(env)
	if err := tf.Init(ctx, tfexec.Backend(false), tfexec.Upgrade(false)); err != nil {
		return Result{}, fmt.Errorf("terraform init (providers from the mirror): %w", err)
	}
	out, err := c.validate(ctx, work, env)
	if err != nil {
		return Result{}, err
	}
	lock, err := os.ReadFile(filepath.Join(work, ".terraform.lock.hcl"))
	if err != nil && !os.IsNotExist(err) {
		return Result{}, fmt.Errorf("reading the lock file init wrote: %w", err)
	}
	ds, err := Parse(out, Source{Blueprint: b, Files: files, Lock: lock, Terraform: tfv})
	if err != nil {
		return Result{}, err
	}
	providers, err := lockedProviders(b, lock)
	if err != nil {
		return Result{}, err
	}
	return Result{Diagnostics: ds, Providers: providers, Terraform: tfv}, nil
}

// validateCommand is terraform validate -json in dir with env, built apart from running it.
func (c *Checker) validateCommand(ctx context.Context, dir string, env map[string]string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, c.opts.Terraform, "validate", "-json", "-no-color")
	cmd.Dir = dir
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "TF_IN_AUTOMATION=1")
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// validate runs terraform validate -json, reading at most MaxOutputBytes of its output. It
// exits 1 on an invalid configuration, which is an answer: what counts is the JSON.
func (c *Checker) validate(ctx context.Context, dir string, env map[string]string) ([]byte, error) {
	cmd := c.validateCommand(ctx, dir, env)
	stdout := &limitedBuffer{max: MaxOutputBytes}
	stderr := &limitedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	if stdout.over {
		return nil, fmt.Errorf("terraform validate: the output is larger than %d bytes", MaxOutputBytes)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("terraform validate: %w", ctx.Err())
	}
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1 && json.Valid(stdout.Bytes())) {
		return nil, fmt.Errorf("terraform validate: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// checkEnv is the environment terraform runs in: a CLI configuration that installs
// providers from the mirror alone, a home in the check's folder, and nothing else of the
// server's environment (no credential reaches a provider).
func checkEnv(dir, mirror string) (map[string]string, error) {
	abs, err := filepath.Abs(mirror)
	if err != nil {
		return nil, fmt.Errorf("finding the provider mirror: %w", err)
	}
	cfg := filepath.Join(dir, "cli.tfrc")
	text := "provider_installation {\n  filesystem_mirror {\n    path = " + strconv.Quote(abs) + "\n  }\n}\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		return nil, fmt.Errorf("writing the CLI configuration: %w", err)
	}
	return map[string]string{
		"PATH":               os.Getenv("PATH"),
		"HOME":               dir,
		"TF_CLI_CONFIG_FILE": cfg,
		"CHECKPOINT_DISABLE": "1",
	}, nil
}

func writeFiles(dir string, files []blueprint.File) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if !strings.HasPrefix(p, dir+string(filepath.Separator)) {
			return fmt.Errorf("writing %s: outside the configuration's folder", f.Name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
		if err := os.WriteFile(p, f.Content, 0o600); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
	}
	return nil
}

// lockedProviders are the providers b uses with the versions init locked.
func lockedProviders(b *blueprint.Blueprint, lock []byte) ([]Provider, error) {
	versions := map[string]string{}
	if lock != nil {
		var err error
		if versions, err = LockVersions(lock); err != nil {
			return nil, err
		}
	}
	var out []Provider
	for name := range requirements(b) {
		src := ProviderSource(b, name)
		out = append(out, Provider{Name: name, Source: src, Version: versions[src]})
	}
	sortProviders(out)
	return out, nil
}

// limitedBuffer keeps at most max bytes and says whether more came; it never fails a
// write, so the process is not killed by a broken pipe halfway through a line.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.Len(); len(p) > room {
		l.over = true
		if room > 0 {
			l.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return l.Buffer.Write(p)
}

var _ io.Writer = (*limitedBuffer)(nil)
