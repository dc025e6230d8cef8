package testenv

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// postgresUser is the role the private cluster's tests connect as; the
// cluster trusts every local connection, so it has no password.
const postgresUser = "cloudoven"

// cluster is the one PostgreSQL server a test binary starts, on a unix
// socket in its own temporary directory.
type cluster struct {
	dir    string // removed at Stop
	socket string // the directory of the server's unix socket
	cmd    *exec.Cmd
	exited chan struct{}
	admin  *sql.DB
	next   atomic.Int64
}

var pg struct {
	mu      sync.Mutex
	cluster *cluster
	err     error // why the cluster did not start; not retried
	missing string
}

// Postgres returns the URL of a new, empty database on a private PostgreSQL
// cluster that the test binary starts on first use (initdb into a temporary
// directory, a unix socket there, no TCP port, fsync off, trust for the test
// role) and StopPostgres stops. The database is dropped when the test ends.
// Without PostgreSQL's binaries (Debian's postgresql package) the test skips,
// or fails under CI=true. As root, the cluster runs as the postgres user,
// since postgres refuses to run as root.
func Postgres(t testing.TB) string {
	t.Helper()
	c, missing, err := startCluster()
	if missing != "" {
		Unavailable(t, missing)
		return ""
	}
	if err != nil {
		t.Fatalf("starting PostgreSQL: %v", err)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), c.next.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if _, err := c.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	return c.url(name)
}

// StopPostgres stops the cluster Postgres started, if any, and removes its
// files. A package whose tests use Postgres calls it from TestMain after
// m.Run; should the binary die first, the server gets SIGQUIT from the
// kernel (parent-death signal) and shuts down at once.
func StopPostgres() {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	c := pg.cluster
	if c == nil {
		return
	}
	pg.cluster = nil
	pg.err = errors.New("the test binary stopped its PostgreSQL cluster")
	c.admin.Close()
	c.stop()
}

func (c *cluster) url(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(postgresUser),
		Path:     "/" + db,
		RawQuery: url.Values{"host": {c.socket}, "sslmode": {"disable"}}.Encode(),
	}
	return u.String()
}

func (c *cluster) stop() {
	// SIGINT is PostgreSQL's fast shutdown: backends are told to stop and
	// the server exits when they have.
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.exited
	}
	os.RemoveAll(c.dir)
}

func startCluster() (*cluster, string, error) {
	pg.mu.Lock()
	defer pg.mu.Unlock()
	if pg.cluster != nil || pg.err != nil || pg.missing != "" {
		return pg.cluster, pg.missing, pg.err
	}
	bin, err := postgresBinDir()
	if err != nil {
		pg.missing = err.Error()
		return nil, pg.missing, nil
	}
	pg.cluster, pg.err = newCluster(bin)
	return pg.cluster, "", pg.err
}

// postgresBinDir finds initdb and postgres: $CLOUDOVEN_POSTGRES_BIN, the
// directory initdb on PATH points into, or the newest of Debian's
// /usr/lib/postgresql/*/bin.
func postgresBinDir() (string, error) {
	var dirs []string
	if d := os.Getenv("CLOUDOVEN_POSTGRES_BIN"); d != "" {
		dirs = append(dirs, d)
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
	}
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(debian, func(i, j int) bool { return pgMajor(debian[i]) > pgMajor(debian[j]) })
	dirs = append(dirs, debian...)
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL binaries (initdb and postgres) on PATH or in /usr/lib/postgresql/*/bin; install Debian's postgresql package")
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// ownerFile, in a cluster's directory, holds the pid of the test binary that made it.
const ownerFile = "owner.pid"

// removeStaleClusters removes what test binaries killed before StopPostgres left behind:
// cluster directories whose test binary is gone (their postgres got the parent-death
// signal). A directory without an owner may be one being made right now, so it goes only
// once it is an hour old.
func removeStaleClusters() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "cloudoven-pg-*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			if fi, serr := os.Stat(dir); serr == nil && time.Since(fi.ModTime()) > time.Hour {
				os.RemoveAll(dir)
			}
			continue
		}
		pid, err := strconv.Atoi(string(bytes.TrimSpace(b)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(dir)
		}
	}
}

func newCluster(bin string) (*cluster, error) {
	removeStaleClusters()
	dir, err := os.MkdirTemp("", "cloudoven-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, socket: dir, exited: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	cred, err := serverCredential(dir)
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", postgresUser,
		"--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-k", dir, "-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=32MB",
		"-c", "wal_level=minimal", "-c", "max_wal_senders=0", "-c", "max_wal_size=4GB")
	c.cmd.Dir = dir
	c.cmd.Stdout = logFile
	c.cmd.Stderr = logFile
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting postgres: %w", err)
	}
	go func() { _ = c.cmd.Wait(); close(c.exited) }()
	admin, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		c.stop()
		return nil, err
	}
	if err := waitReady(admin, c.exited); err != nil {
		admin.Close()
		c.stop()
		log, _ := os.ReadFile(logPath)
		return nil, fmt.Errorf("%w\n%s", err, bytes.TrimSpace(log))
	}
	c.admin = admin
	ok = true
	return c, nil
}

// waitReady waits until the server accepts a connection, it exits, or a
// minute passes.
func waitReady(db *sql.DB, exited <-chan struct{}) error {
	deadline := time.After(time.Minute)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited before accepting connections: %w", err)
		case <-deadline:
			return fmt.Errorf("postgres accepts no connection after a minute: %w", err)
		case <-tick.C:
		}
	}
}

// serverCredential is who runs initdb and postgres: the test's own user, or
// when that is root, which postgres refuses, the postgres user (Debian's
// package creates it), who is given dir.
func serverCredential(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and there is no postgres user to run the server as: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}
