package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// TestDatabaseOutagePage: with the database unreachable, pages answer 503
// with Retry-After and say so, instead of a generic 500.
func TestDatabaseOutagePage(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: connections are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg, err := pgxpool.ParseConfig("postgres://postgres@" + addr + "/portal?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	key, _ := secrets.ParseKey(secrets.GenerateKey())
	box, _ := secrets.New(key)
	logs := &lockedBuffer{}
	srv, err := handlers.New(handlers.Deps{Store: store.New(pool), SecretBox: box, BaseURL: "http://portal.test",
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Routes())
	defer ts.Close()
	for _, path := range []string{"/login", "/customers", "/"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b := new(strings.Builder)
		_, _ = io.Copy(b, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			!strings.Contains(b.String(), "cannot reach its database; retrying") {
			t.Fatalf("%s: %d %q\n%.2000s", path, resp.StatusCode, resp.Header.Get("Retry-After"), b.String())
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("an outage is logged as an error:\n%s", logs.String())
	}
}

// TestClientHangUpNotAnError: a request whose client went away is logged
// as such (499), not as a 500 error.
func TestClientHangUpNotAnError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("staff", "staff@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "staff@example.com")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.ts.URL+"/customers", nil)
	// Serve it in-process with the canceled context, as the server would
	// after the client hung up.
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	e.srv.Routes().ServeHTTP(rec, req)
	time.Sleep(10 * time.Millisecond)
	logs := e.logs.String()
	if strings.Contains(logs, "level=ERROR") {
		t.Fatalf("a hang-up is logged as an error:\n%s", logs)
	}
	if !strings.Contains(logs, "status=499") {
		t.Fatalf("the hang-up is not logged as 499:\n%s", logs)
	}
}
