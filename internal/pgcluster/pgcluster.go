// Package pgcluster runs a private PostgreSQL cluster from the machine's own
// server binaries, for `portal dev` and for tests on machines without a
// database server.
//
// A cluster lives in one folder:
//
//	<dir>/data/         PGDATA, created by initdb on the first start
//	<dir>/port          the loopback port, chosen free on first start and reused
//	<dir>/postgres.log  the server's log
//	<dir>/.lock         flock held while a process runs the cluster
//
// The server listens on 127.0.0.1 only, without a Unix socket, with trust
// authentication for user postgres (anyone on this machine can connect, which
// is why it is for development only). It runs as a child process in its own
// process group, so Ctrl-C in the terminal reaches the portal first and the
// portal stops Postgres after draining HTTP; if the portal dies, the kernel
// sends Postgres SIGINT (fast shutdown) so no server is left behind.
//
// initdb and postgres refuse to run as root. When the portal runs as root,
// the cluster runs as the unprivileged user "postgres" (or "nobody" when
// that does not exist): the folder is chowned to that user, and every parent
// folder must be traversable by it.
package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options configure Start.
type Options struct {
	// Dir is the cluster's folder (created when missing).
	Dir string
	// Database is created when missing; default "portal".
	Database string
	// BinDir holds initdb and postgres; default: FindBinDir.
	BinDir string
	// Fast trades durability for speed (fsync off), for throwaway test
	// clusters.
	Fast bool
	// StartTimeout bounds waiting for the server to accept connections;
	// default 60s.
	StartTimeout time.Duration
	// Logger receives progress messages; default: discard.
	Logger *slog.Logger

	// orphanWait bounds the wait for a server left by a dead process to
	// finish its shutdown; default 10s (tests shorten it).
	orphanWait time.Duration
}

// Cluster is a running private Postgres server.
type Cluster struct {
	dir      string
	database string
	port     int
	log      *slog.Logger
	lock     *os.File

	proc    *os.Process
	done    chan struct{} // closed when the server process has exited
	waitErr error

	stopOnce sync.Once
	stopErr  error
}

// ErrInUse means another process already runs a server on the folder.
var ErrInUse = errors.New("cluster folder in use")

// Start initialises the cluster on first use, starts the server, waits until
// it accepts connections and creates the database. A second Start on the
// same folder (after Stop) reuses the data.
func Start(ctx context.Context, o Options) (c *Cluster, err error) {
	if o.Dir == "" {
		return nil, errors.New("pgcluster: no folder given")
	}
	if o.Database == "" {
		o.Database = "portal"
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 60 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.orphanWait == 0 {
		o.orphanWait = 10 * time.Second
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cluster folder: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	data := filepath.Join(dir, "data")
	// We hold the lock, so a server still running here was left by a
	// process that died; the kernel has sent it SIGINT (see Pdeathsig), so
	// give it a moment to finish its shutdown.
	for deadline := time.Now().Add(o.orphanWait); time.Now().Before(deadline); {
		if _, _, ok := runningPostmaster(data); !ok {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pid, port, ok := runningPostmaster(data); ok {
		return nil, fmt.Errorf("%w: a Postgres server (pid %d, port %d) already runs on %s; stop it with: pg_ctl -D %s stop",
			ErrInUse, pid, port, data, data)
	}

	major := ""
	if b, err := os.ReadFile(filepath.Join(data, "PG_VERSION")); err == nil {
		major = strings.TrimSpace(string(b))
	}
	bin := o.BinDir
	if bin == "" {
		if bin, err = FindBinDir(major); err != nil {
			return nil, err
		}
	}
	cred, err := runAs(dir)
	if err != nil {
		return nil, err
	}

	if major == "" {
		o.Logger.Info("initialising private Postgres cluster", "dir", data, "binaries", bin)
		if err := initdb(ctx, bin, data, cred, o.Fast); err != nil {
			return nil, err
		}
	}

	c = &Cluster{dir: dir, database: o.Database, log: o.Logger, lock: lock}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := choosePort(dir, attempt > 0)
		if err != nil {
			return nil, err
		}
		c.port = port
		if lastErr = c.startServer(ctx, bin, data, cred, o); lastErr == nil {
			break
		}
		if !errors.Is(lastErr, errExited) {
			break
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	if err := c.createDatabase(ctx, o.Database); err != nil {
		c.Stop(context.Background())
		return nil, err
	}
	o.Logger.Info("private Postgres cluster ready", "dir", data, "port", c.port, "database", o.Database)
	return c, nil
}

var errExited = errors.New("postgres exited during start")

// startServer runs postgres as a child and waits until it is ready.
func (c *Cluster) startServer(ctx context.Context, bin, data string, cred *syscall.Credential, o Options) error {
	logPath := filepath.Join(c.dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open postgres log: %w", err)
	}
	args := []string{"-D", data, "-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="}
	if o.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = childEnv()
	cmd.Dir = c.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:    true,           // Ctrl-C in the terminal goes to the portal, which stops us in order
		Pdeathsig:  syscall.SIGINT, // portal gone: fast shutdown, nothing left running
		Credential: cred,
	}
	c.done = make(chan struct{})
	started := make(chan error, 1)
	// Pdeathsig fires when the thread that forked the child exits, so fork
	// from a locked thread that lives as long as the child.
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			logf.Close()
			started <- err
			close(c.done)
			return
		}
		started <- nil
		c.waitErr = cmd.Wait()
		logf.Close()
		close(c.done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.proc = cmd.Process

	ctx, cancel := context.WithTimeout(ctx, o.StartTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return fmt.Errorf("%w (%v); last lines of %s:\n%s", errExited, c.waitErr, logPath, tail(logPath, 15))
		case <-ctx.Done():
			c.Stop(context.Background())
			return fmt.Errorf("postgres did not accept connections within %s; see %s", o.StartTimeout, logPath)
		case <-tick.C:
		}
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(pctx, c.URL("postgres"))
		pcancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
	}
}

// createDatabase creates name unless it exists.
func (c *Cluster) createDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("connect to private cluster: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// URL returns the connection URL of database on this cluster.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, database)
}

// DatabaseURL is the URL of the database named in Options.Database.
func (c *Cluster) DatabaseURL() string { return c.URL(c.database) }

// Port is the loopback port the server listens on.
func (c *Cluster) Port() int { return c.port }

// Dir is the cluster's folder.
func (c *Cluster) Dir() string { return c.dir }

// Done is closed when the server process has exited (after Stop, or if it
// died).
func (c *Cluster) Done() <-chan struct{} { return c.done }

// Stop shuts the server down with a fast shutdown (like pg_ctl stop -m
// fast: open sessions are ended, data is checkpointed). If ctx ends first
// the server gets an immediate shutdown. The data stays for the next Start.
func (c *Cluster) Stop(ctx context.Context) error {
	c.stopOnce.Do(func() {
		defer c.lock.Close()
		if c.proc == nil {
			return
		}
		select {
		case <-c.done:
			return
		default:
		}
		if err := c.proc.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
			c.stopErr = fmt.Errorf("signal postgres: %w", err)
			return
		}
		select {
		case <-c.done:
			c.log.Info("private Postgres cluster stopped", "dir", c.dir)
		case <-ctx.Done():
			c.proc.Signal(syscall.SIGQUIT)
			<-c.done
			c.stopErr = fmt.Errorf("postgres did not stop in time; sent an immediate shutdown: %w", ctx.Err())
		}
	})
	return c.stopErr
}

// initdb creates the data folder.
func initdb(ctx context.Context, bin, data string, cred *syscall.Credential, fast bool) error {
	args := []string{"-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"}
	if fast {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), args...)
	cmd.Env = childEnv()
	cmd.Dir = filepath.Dir(data)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		os.RemoveAll(data) // a half-made cluster would block the next try
		return fmt.Errorf("initdb %s: %w\n%s", data, err, out.String())
	}
	return nil
}

// choosePort returns the remembered port when it is free (and fresh is
// false), else a new free loopback port, and remembers it.
func choosePort(dir string, fresh bool) (int, error) {
	path := filepath.Join(dir, "port")
	if !fresh {
		if b, err := os.ReadFile(path); err == nil {
			if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && portFree(p) {
				return p, nil
			}
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if err := os.WriteFile(path, []byte(strconv.Itoa(p)+"\n"), 0o644); err != nil {
		return 0, fmt.Errorf("remember port: %w", err)
	}
	return p, nil
}

func portFree(p int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// childEnv is the environment without PG* variables, which would otherwise
// point initdb and postgres elsewhere, and with a neutral locale.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
