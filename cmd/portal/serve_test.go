package main

import (
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/pgcluster"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// started is a command running in the background.
type started struct {
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan error
	once           sync.Once
}

// startPortal runs the binary until stop, and waits for the line matching
// ready in its log (it returns the first submatch).
func startPortal(t *testing.T, env map[string]string, ready string, args ...string) (*started, string) {
	t.Helper()
	if _, ok := env["PORTAL_METRICS_ADDR"]; !ok {
		// The default port (9090) would collide between parallel tests.
		env = maps.Clone(env)
		env["PORTAL_METRICS_ADDR"] = "127.0.0.1:0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		s.done <- run(ctx, args, func(k string) string { return env[k] }, s.stdout, s.stderr)
	}()
	re := regexp.MustCompile(ready)
	deadline := time.After(60 * time.Second)
	for {
		if m := re.FindStringSubmatch(s.stderr.String()); m != nil {
			t.Cleanup(func() { s.stop(t) })
			return s, m[len(m)-1]
		}
		select {
		case err := <-s.done:
			cancel()
			t.Fatalf("%v exited early: %v\nstdout:\n%s\nstderr:\n%s", args, err, s.stdout, s.stderr)
		case <-deadline:
			cancel()
			t.Fatalf("%v not ready in time\nstderr:\n%s", args, s.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop cancels the command's context (as Ctrl-C does) and checks it ends
// cleanly.
func (s *started) stop(t *testing.T) {
	t.Helper()
	s.once.Do(func() {
		s.cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("exit after Ctrl-C: %v\nstderr:\n%s", err, s.stderr)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("did not stop within 30s after Ctrl-C")
		}
	})
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const listening = `portal listening.* addr=(\S+)`

func TestServeMigratesServesAndShutsDown(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL":            emptyDB(t),
		"PORTAL_SECRET_KEY":       testKey,
		"PORTAL_PC_CLIENT_SECRET": "pc-secret-never-shown",
	}
	s, addr := startPortal(t, env, listening, "serve", "--migrate", "--addr", "127.0.0.1:0")
	if code, _ := get(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d", code)
	}
	// /metrics is on its own listener only.
	waitFor(t, s.stderr, "metrics listening")
	m := regexp.MustCompile(`metrics listening.* addr=(\S+)`).FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatal("no metrics listener logged")
	}
	if code, body := get(t, "http://"+m[1]+"/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("metrics listener /metrics = %d", code)
	}
	if code, body := get(t, "http://"+addr+"/metrics"); strings.Contains(body, "go_goroutines") {
		t.Errorf("the portal's own listener serves /metrics: %d", code)
	}
	// The setup link is logged at WARN once the listener is up.
	waitFor(t, s.stderr, "setup_url=")
	logs := s.stderr.String()
	if !regexp.MustCompile(`level=WARN .*setup_url="?http://` + regexp.QuoteMeta(addr) + `/setup\?token=\S+`).MatchString(logs) {
		t.Errorf("no setup link at WARN in the log:\n%s", logs)
	}
	for _, secret := range []string{testKey, "pc-secret-never-shown"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log reveals %q", secret)
		}
	}
	if !strings.Contains(logs, "database migrated") || !strings.Contains(logs, "config.secret_key=********") {
		t.Errorf("start-up log lacks the migration or masked config:\n%s", logs)
	}
	s.stop(t)
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestUserCreateAdminAndResetPassword(t *testing.T) {
	t.Parallel()
	dbURL := testdb.New(t)
	env := map[string]string{"DATABASE_URL": dbURL, "PORTAL_ADMIN_PASSWORD": "correct horse battery"}
	ctx := t.Context()

	out, _, err := runPortal(ctx, env, "user", "create-admin", "--email", "Admin@Example.com", "--name", "Ada")
	if err != nil {
		t.Fatalf("create-admin: %v", err)
	}
	if !strings.Contains(out, "created admin Admin@Example.com") {
		t.Errorf("output: %q", out)
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByEmail(ctx, "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != store.RoleAdmin || u.DisplayName != "Ada" || u.PasswordHash == nil {
		t.Fatalf("user = %+v", u)
	}
	if ok, err := auth.CheckPassword(t.Context(), "correct horse battery", *u.PasswordHash); !ok || err != nil {
		t.Errorf("stored hash does not match the password: %v", err)
	}

	if _, _, err := runPortal(ctx, env, "user", "create-admin", "--email", "admin@example.com"); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate create-admin: %v", err)
	}
	_, _, err = runPortal(ctx, map[string]string{"DATABASE_URL": dbURL}, "user", "create-admin", "--email", "not-an-email", "--password", "short")
	if err == nil || !strings.Contains(err.Error(), "--email") || !strings.Contains(err.Error(), "at least 12") {
		t.Errorf("bad email and short password: %v", err)
	}

	if _, _, err := runPortal(ctx, map[string]string{"DATABASE_URL": dbURL}, "user", "reset-password",
		"--email", "admin@example.com", "--password", "a much newer passphrase"); err != nil {
		t.Fatalf("reset-password: %v", err)
	}
	u, _ = st.UserByEmail(ctx, "admin@example.com")
	if ok, _ := auth.CheckPassword(t.Context(), "a much newer passphrase", *u.PasswordHash); !ok {
		t.Error("reset-password did not change the password")
	}
	if _, _, err := runPortal(ctx, env, "user", "reset-password", "--email", "nobody@example.com"); err == nil ||
		!strings.Contains(err.Error(), "no user") {
		t.Errorf("reset for unknown email: %v", err)
	}
}

func TestDevSecretKeyIsMadeOnceAndKept(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret.key")
	k1, created, err := devSecretKey(path)
	if err != nil || !created {
		t.Fatalf("first: %v created=%v", err, created)
	}
	k2, created, err := devSecretKey(path)
	if err != nil || created || k2 != k1 {
		t.Fatalf("second: %v created=%v same=%v", err, created, k1 == k2)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	os.WriteFile(path, []byte("garbage"), 0o600)
	if _, _, err := devSecretKey(path); err == nil {
		t.Error("a corrupt key file was accepted")
	}
}

// TestDevWithPrivateCluster runs `portal dev` twice on one data folder, as
// a newcomer would: the first run creates the cluster and the key, the
// second reuses both, and each Ctrl-C stops Postgres.
func TestDevWithPrivateCluster(t *testing.T) {
	t.Parallel()
	if _, err := pgcluster.FindBinDir(""); err != nil {
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // reachable by the cluster's user when root
	data := filepath.Join(dir, "data")
	env := map[string]string{}
	args := []string{"dev", "--data-dir", data, "--addr", "127.0.0.1:0", "--sandbox-addr", "127.0.0.1:0"}

	s, addr := startPortal(t, env, listening, args...)
	if code, _ := get(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d", code)
	}
	if !strings.Contains(s.stdout.String(), "Generated PORTAL_SECRET_KEY") {
		t.Errorf("first run did not announce the generated key:\n%s", s.stdout)
	}
	waitFor(t, s.stdout, "/setup?token=")
	if !strings.Contains(s.stdout.String(), "http://"+addr+"/setup?token=") {
		t.Errorf("dev did not print the setup link on stdout:\n%s", s.stdout)
	}
	m := regexp.MustCompile(`Sandbox: (\S+)`).FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no sandbox URL printed:\n%s", s.stdout)
	}
	resp, err := http.PostForm(m[1]+"/"+"6e1b3f5a-0000-4000-8000-00000000cafe/oauth2/token", map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {"wrong"}, "client_secret": {"wrong"},
	})
	if err != nil {
		t.Fatalf("sandbox token endpoint: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("sandbox token with bad credentials = %d, want 4xx", resp.StatusCode)
	}
	s.stop(t)
	if _, err := os.Stat(filepath.Join(data, "postgres", "data", "postmaster.pid")); !os.IsNotExist(err) {
		t.Errorf("postmaster.pid left after Ctrl-C (Postgres not stopped?): %v", err)
	}

	s2, addr2 := startPortal(t, env, listening, args...)
	if strings.Contains(s2.stdout.String(), "Generated PORTAL_SECRET_KEY") {
		t.Error("second run generated a new key instead of reusing it")
	}
	if code, _ := get(t, "http://"+addr2+"/healthz"); code != http.StatusOK {
		t.Errorf("second run /healthz = %d", code)
	}
	if strings.Contains(s2.stderr.String(), "initialising private Postgres cluster") {
		t.Error("second run ran initdb again")
	}
}

// TestServeRunsBackgroundJobs: serve runs the River workers (the periodic
// incremental sync runs at start and, with no Partner Center connection
// yet, completes as skipped) and stops them after HTTP drained (the leader
// resigns).
func TestServeRunsBackgroundJobs(t *testing.T) {
	t.Parallel()
	url := testdb.New(t)
	env := map[string]string{"DATABASE_URL": url, "PORTAL_SECRET_KEY": testKey}
	s, _ := startPortal(t, env, listening, "serve", "--addr", "127.0.0.1:0")
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	count := func(sql string) int {
		var n int
		if err := pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	deadline := time.Now().Add(20 * time.Second)
	for count(`SELECT count(*) FROM river_job WHERE kind = 'mirror.sync' AND state = 'completed'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no sync job was worked: serve does not run the background jobs")
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop(t)
	if n := count(`SELECT count(*) FROM river_leader`); n != 0 {
		t.Errorf("%d River leaders after shutdown: the jobs were not stopped", n)
	}
}

// waitFor waits up to 10s for want to appear in b.
func waitFor(t *testing.T, b *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.String(), want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDevWithDatabaseURL uses the given database instead of a private
// cluster.
func TestDevWithDatabaseURL(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := map[string]string{"DATABASE_URL": emptyDB(t)}
	s, addr := startPortal(t, env, listening, "dev", "--data-dir", data, "--addr", "127.0.0.1:0", "--sandbox-addr", "127.0.0.1:0")
	if code, _ := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d (dev should have migrated the given database)", code)
	}
	if strings.Contains(s.stderr.String(), "private Postgres") {
		t.Errorf("dev started a private cluster although DATABASE_URL was set:\n%s", s.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "postgres")); !os.IsNotExist(err) {
		t.Errorf("a postgres folder appeared in the data dir: %v", err)
	}
}
