package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/config"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

func TestSyncCommandImportsFromTheConfiguredPartnerCenter(t *testing.T) {
	t.Parallel()
	pc := sandboxtest.New(t, sandbox.Options{Seed: 5})
	dbURL := testdb.New(t)
	key := secrets.GenerateKey()
	raw, _ := secrets.ParseKey(key)
	box, _ := secrets.New(raw)
	st, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Connected as the wizard leaves it, with a partner admin's consent:
	// agreements and license usage are read with the app+user credential.
	pc.Store(st, box)
	env := map[string]string{"DATABASE_URL": dbURL, "PORTAL_SECRET_KEY": key}
	getenv := func(k string) string { return env[k] }

	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"sync", "full"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("sync full: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "sync full done") || !strings.Contains(out.String(), "customers") {
		t.Fatalf("output:\n%s", out.String())
	}
	var n int
	st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM customers`).Scan(&n)
	if n == 0 {
		t.Fatal("no customers mirrored")
	}
	if st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM agreements`).Scan(&n); n == 0 {
		t.Fatal("no agreements mirrored: the app+user credential was not used")
	}

	out.Reset()
	if err := run(context.Background(), []string{"sync", "sideways"}, getenv, &out, &errOut); err == nil {
		t.Fatal("unknown sync kind accepted")
	}
	delete(env, "PORTAL_SECRET_KEY")
	if err := run(context.Background(), []string{"sync", "incremental"}, getenv, &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "PORTAL_SECRET_KEY") {
		t.Fatalf("sync without a key: %v", err)
	}
}

func TestMirrorStartsWithServeAndReportsOnItsMetrics(t *testing.T) {
	t.Parallel()
	st := testdb.NewStore(t)
	cfg := config.Config{SyncInterval: time.Hour, ShutdownTimeout: 5 * time.Second, SecretKey: testKey, BaseURL: "http://127.0.0.1:0"}
	p, err := newPortal(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.runner.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Partner Center is not configured yet: the periodic sync runs and
	// finds nothing to do, without failing the job.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'mirror.sync' AND state = 'completed'`).Scan(&n)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no sync job completed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := p.runner.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	mfs, err := p.srv.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	for _, want := range []string{"portal_sync_lag_seconds", "go_goroutines"} {
		if !names[want] {
			t.Errorf("the portal's /metrics registry lacks %s", want)
		}
	}
}
