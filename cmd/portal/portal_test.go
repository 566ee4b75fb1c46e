package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/migrations"
	"github.com/cspportal/portal/store"
)

const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// syncBuffer is a bytes.Buffer safe for a running command and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runPortal runs the binary in-process with env as its whole environment.
func runPortal(ctx context.Context, env map[string]string, args ...string) (stdout, stderr string, err error) {
	var out, errb syncBuffer
	err = run(ctx, args, func(k string) string { return env[k] }, &out, &errb)
	return out.String(), errb.String(), err
}

// emptyDB creates a database with no schema at all, dropped after t.
func emptyDB(t *testing.T) string {
	t.Helper()
	admin, err := testdb.ServerURL(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "portal_cmd_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(t.Context(), admin)
	if err != nil {
		t.Fatalf("connect to test server: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

func TestVersion(t *testing.T) {
	out, _, err := runPortal(t.Context(), nil, "version")
	if err != nil || !strings.HasPrefix(out, "portal ") || !strings.Contains(out, "go1.") {
		t.Fatalf("version: %q, %v", out, err)
	}
	saved := version
	version = "v9.8.7"
	defer func() { version = saved }()
	out, _, err = runPortal(t.Context(), nil, "version")
	if err != nil || !strings.HasPrefix(out, "portal v9.8.7 ") {
		t.Errorf("version with -X: %q, %v", out, err)
	}
	if _, _, err := runPortal(t.Context(), nil, "version", "extra"); !errors.Is(err, errUsage) {
		t.Errorf("version extra: got %v, want a usage error", err)
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	t.Parallel()
	_, stderr, err := runPortal(t.Context(), nil, "frobnicate")
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("err = %v, want a usage error naming the command", err)
	}
	if !strings.Contains(stderr, "usage: portal") || !strings.Contains(stderr, "migrate") {
		t.Errorf("stderr lacks the usage:\n%s", stderr)
	}
	if _, _, err := runPortal(t.Context(), nil, "serve", "--bogus"); !errors.Is(err, errUsage) ||
		err.Error() != "usage: serve: flag provided but not defined: -bogus" {
		t.Errorf("serve --bogus: got %v, want a usage error naming the flag", err)
	}
	if _, _, err := runPortal(t.Context(), nil, "serve", "-h"); err != nil {
		t.Errorf("serve -h: %v", err)
	}
}

func TestServeReportsConfigProblemsAtOnce(t *testing.T) {
	t.Parallel()
	_, _, err := runPortal(t.Context(), map[string]string{
		"PORTAL_SECRET_KEY": "too-short",
		"PORTAL_ADDR":       "nowhere",
	}, "serve", "--log-format", "yaml")
	if err == nil {
		t.Fatal("serve started with a broken configuration")
	}
	for _, want := range []string{"DATABASE_URL: required", "PORTAL_SECRET_KEY: must be base64 of 32 bytes",
		"PORTAL_ADDR: must be host:port", "--log-format: must be text or json"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestMigrateUpStatusDown(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": emptyDB(t)}
	ctx := t.Context()

	out, _, err := runPortal(ctx, env, "migrate", "status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "current: 0\n") || strings.Contains(out, "pending: 0\n") {
		t.Errorf("status on an empty database:\n%s", out)
	}
	out, _, err = runPortal(ctx, env, "migrate", "up")
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if !strings.Contains(out, "applied 00001\n") {
		t.Errorf("up output:\n%s", out)
	}
	out, _, err = runPortal(ctx, env, "migrate", "status")
	if err != nil {
		t.Fatal(err)
	}
	var cur, latest, pending int
	if _, err := fmt.Sscanf(out, "current: %d\nlatest: %d\npending: %d\n", &cur, &latest, &pending); err != nil {
		t.Fatalf("parse status %q: %v", out, err)
	}
	if cur != latest || cur == 0 || pending != 0 {
		t.Errorf("after up: current %d latest %d pending %d", cur, latest, pending)
	}
	if out, _, _ := runPortal(ctx, env, "migrate", "up"); !strings.Contains(out, "no pending migrations") {
		t.Errorf("second up:\n%s", out)
	}
	out, _, err = runPortal(ctx, env, "migrate", "down")
	if err != nil {
		t.Fatalf("down: %v", err)
	}
	if want := fmt.Sprintf("rolled back %05d\n", latest); out != want {
		t.Errorf("down = %q, want %q", out, want)
	}
	out, _, _ = runPortal(ctx, env, "migrate", "--log-level", "warn", "status")
	if !strings.Contains(out, "pending: 1\n") {
		t.Errorf("status after down:\n%s", out)
	}
	if _, _, err := runPortal(ctx, env, "migrate", "sideways"); !errors.Is(err, errUsage) {
		t.Errorf("migrate sideways: got %v, want a usage error", err)
	}
	if _, _, err := runPortal(ctx, env, "migrate"); !errors.Is(err, errUsage) {
		t.Errorf("migrate without action: got %v, want a usage error", err)
	}
}

func TestServeRefusesPendingMigrations(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": emptyDB(t), "PORTAL_SECRET_KEY": testKey, "PORTAL_ADDR": "127.0.0.1:0"}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, _, err := runPortal(ctx, env, "serve")
	if !errors.Is(err, errPendingMigrations) {
		t.Fatalf("got %v, want errPendingMigrations", err)
	}
	for _, want := range []string{"portal migrate up", "--migrate"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
}

// TestMigrateConcurrentReplicas: three replicas migrating one empty
// database at once all succeed, and each migration is applied once.
func TestMigrateConcurrentReplicas(t *testing.T) {
	t.Parallel()
	dbURL := emptyDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	applied := make([][]int64, 3)
	for i := range 3 {
		wg.Go(func() {
			st, err := store.Open(t.Context(), dbURL)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			applied[i], errs[i] = store.MigrateUp(t.Context(), st.Pool)
		})
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		total += len(applied[i])
	}
	st, err := store.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ms, err := st.MigrationState(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n, err := migrationCount()
	if err != nil {
		t.Fatal(err)
	}
	if total != n || ms.Pending != 0 {
		t.Fatalf("%d applications over 3 replicas for %d migrations (%d pending)", total, n, ms.Pending)
	}
}

func migrationCount() (int, error) {
	ents, err := fs.Glob(migrations.FS, "*.sql")
	return len(ents), err
}
