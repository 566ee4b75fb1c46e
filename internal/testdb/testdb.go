// Package testdb gives tests a real, migrated Postgres database of their own.
//
// It connects to PORTAL_TEST_DATABASE_URL, or else the local server at
// 127.0.0.1:5432 as user postgres, or else (no server answering) a private
// cluster it starts for the test binary with internal/pgcluster. Once per set of migrations it builds a
// template database (named after a hash of the embedded migrations, so a
// changed migration gets a fresh template), and each call to New clones it
// with CREATE DATABASE ... TEMPLATE, which takes tens of milliseconds. The
// clone is dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/migrations"
	"github.com/cspportal/portal/store"
)

// DefaultAdminURL is used when PORTAL_TEST_DATABASE_URL is unset.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL returns the admin URL of the server tests use:
// PORTAL_TEST_DATABASE_URL when set; else the local server at
// DefaultAdminURL when it answers within two seconds; else a private
// cluster started from the machine's Postgres binaries (see fallback.go).
// Tests may replace it.
var ServerURL = func(ctx context.Context) (string, error) {
	if u := os.Getenv("PORTAL_TEST_DATABASE_URL"); u != "" {
		return u, nil
	}
	return localOrPrivate(ctx)
}

var (
	templateOnce sync.Once
	templateName string
	adminURL     string
	templateErr  error
)

// New returns the URL of a fresh, fully migrated database for t, dropped when
// t ends.
func New(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	templateOnce.Do(func() { templateName, adminURL, templateErr = prepareTemplate(ctx) })
	if templateErr != nil {
		t.Fatalf("testdb: %v", templateErr)
	}
	name := "portal_t_" + randomHex(6)
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("testdb: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, templateName)); err != nil {
		t.Fatalf("testdb: clone template: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Logf("testdb: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Logf("testdb: drop %s: %v", name, err)
		}
	})
	return withDatabase(adminURL, name)
}

// NewPool returns a pool on a fresh database for t, closed when t ends.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(New(t))
	if err != nil {
		t.Fatalf("testdb: pool: %v", err)
	}
	store.Configure(cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("testdb: pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewStore returns a store on a fresh database for t.
func NewStore(t testing.TB) *store.Store {
	t.Helper()
	return store.New(NewPool(t))
}

// prepareTemplate makes sure the template database for the current
// migrations exists. Test binaries run in parallel, so creation is guarded by
// an advisory lock and a marker comment set only once migration succeeded.
func prepareTemplate(ctx context.Context) (name, admin string, err error) {
	admin, err = ServerURL(ctx)
	if err != nil {
		return "", "", err
	}
	hash, err := migrationsHash()
	if err != nil {
		return "", "", err
	}
	name = "portal_tmpl_" + hash[:16]
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", "", fmt.Errorf("connect to %s (set PORTAL_TEST_DATABASE_URL): %w", redact(admin), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7264001)"); err != nil {
		return "", "", fmt.Errorf("lock: %w", err)
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(7264001)")

	var ready bool
	err = conn.QueryRow(ctx, `SELECT coalesce(shobj_description(oid, 'pg_database') = 'ready', false)
		FROM pg_database WHERE datname = $1`, name).Scan(&ready)
	if err == nil && ready {
		return name, admin, nil
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
		return "", "", fmt.Errorf("drop stale template: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s", name)); err != nil {
		return "", "", fmt.Errorf("create template: %w", err)
	}
	pool, err := pgxpool.New(ctx, withDatabase(admin, name))
	if err != nil {
		return "", "", err
	}
	_, err = store.MigrateUp(ctx, pool)
	pool.Close()
	if err != nil {
		return "", "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("COMMENT ON DATABASE %s IS 'ready'", name)); err != nil {
		return "", "", err
	}
	return name, admin, nil
}

// migrationsHash identifies the embedded migrations' content.
func migrationsHash() (string, error) {
	h := sha256.New()
	var names []string
	err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	// Schema created outside migrations/ (for example River's own tables)
	// changes with the module's dependencies; ExtraHash lets them count.
	h.Write([]byte(ExtraHash))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ExtraHash is mixed into the template key; set it (in an init function) to
// a version string of any schema that store.MigrateUp applies besides the
// embedded files. It defaults to River's latest migration version.
var ExtraHash = fmt.Sprintf("river:%d", store.RiverMigrationVersion())

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}
