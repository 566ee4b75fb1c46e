package testdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/pgcluster"
)

func TestNewGivesMigratedPrivateDatabases(t *testing.T) {
	t.Parallel()
	a, b := New(t), New(t)
	if a == b {
		t.Fatalf("two calls returned the same database %s", a)
	}
	for _, url := range []string{a, b} {
		conn, err := pgx.Connect(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = conn.QueryRow(t.Context(), "SELECT count(*) FROM settings").Scan(&n)
		conn.Close(context.Background())
		if err != nil || n != 1 {
			t.Errorf("%s: settings rows = %d, %v (want the migrated schema)", redact(url), n, err)
		}
	}
}

func TestPrivateClusterFallback(t *testing.T) {
	t.Parallel()
	if _, err := pgcluster.FindBinDir(""); err != nil {
		t.Skipf("no PostgreSQL binaries: %v", err)
	}
	url, err := startPrivate(t.Context(), errors.New("pretend the local server is down"))
	if err != nil {
		t.Fatal(err)
	}
	if url == DefaultAdminURL {
		t.Fatal("fallback returned the default server")
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// Tests create and drop databases there.
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE fallback_probe"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(t.Context(), "DROP DATABASE fallback_probe"); err != nil {
		t.Fatal(err)
	}
}

// Not parallel: its sweeps would remove the folder TestPrivateClusterFallback
// is creating in the same process, before that cluster takes its lock.
func TestSweepAbandonedKeepsLiveClusters(t *testing.T) {
	abandoned, err := os.MkdirTemp("", privatePrefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(abandoned, ".lock"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	fresh, err := os.MkdirTemp("", privatePrefix) // being created: no lock file yet
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(fresh)
	live, err := os.MkdirTemp("", privatePrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(live)
	f, err := os.Create(filepath.Join(live, ".lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := flock(f); err != nil {
		t.Fatal(err)
	}

	sweepAbandoned()
	if _, err := os.Stat(abandoned); !os.IsNotExist(err) {
		t.Errorf("abandoned folder survived: %v", err)
	}
	for _, d := range []string{fresh, live} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s removed: %v", d, err)
		}
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(fresh, old, old)
	sweepAbandoned()
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("hour-old folder without a lock survived: %v", err)
	}
}
