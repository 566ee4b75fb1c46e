package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// runCache starts a session cache on s and waits until it listens.
func runCache(t *testing.T, s *store.Store) *store.SessionCache {
	t.Helper()
	c := store.NewSessionCache(s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	waitLive(t, c, true)
	return c
}

func waitLive(t *testing.T, c *store.SessionCache, live bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); c.Live() != live; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("session cache live = %v after 10s, want %v", c.Live(), live)
		}
	}
}

// The cache answers from memory while it listens, and every change to the
// session, its user or the settings, from any connection, counts from the
// next lookup after it has reached the cache.
func TestSessionCacheForgetsWhatChanged(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := sqlExec(t, s)
	u, err := s.CreateUser(ctx, store.NewUser{Email: "kim@example.com", Role: "staff"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CommitSession(ctx, "tok-kim", []byte("one"), time.Now().Add(time.Hour), u.ID); err != nil {
		t.Fatal(err)
	}
	c := runCache(t, s)
	find := func() store.SessionRow {
		t.Helper()
		r, err := c.FindSession(ctx, "tok-kim")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	settle := func() {
		t.Helper()
		if err := c.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if r := find(); string(r.Data) != "one" || r.User == nil || r.User.Role != "staff" {
		t.Fatalf("first lookup: %+v", r)
	}

	// A write the triggers do not see (replication role) shows that the
	// second lookup came from memory.
	execSilently(t, s, "UPDATE sessions SET data = 'silent' WHERE token = 'tok-kim'")
	settle()
	if r := find(); string(r.Data) != "one" {
		t.Fatalf("second lookup read %q, want the kept %q", r.Data, "one")
	}

	exec("UPDATE users SET role = 'admin' WHERE id = $1", u.ID)
	settle()
	if r := find(); r.User.Role != "admin" || string(r.Data) != "silent" {
		t.Fatalf("after the role change: role %q data %q", r.User.Role, r.Data)
	}

	exec("UPDATE settings SET partner_mode = 'indirect' WHERE id = 1")
	settle()
	if r := find(); r.Instance == nil || r.Instance.PartnerMode != "indirect" {
		t.Fatalf("after the settings change: %+v", r.Instance)
	}

	exec("UPDATE sessions SET data = 'two' WHERE token = 'tok-kim'")
	settle()
	if r := find(); string(r.Data) != "two" {
		t.Fatalf("after the session's write: %q", r.Data)
	}

	exec("UPDATE users SET disabled_at = now() WHERE id = $1", u.ID)
	settle()
	if r := find(); r.User.DisabledAt == nil {
		t.Fatal("the disabled user's session still shows it enabled")
	}

	exec("DELETE FROM sessions WHERE token = 'tok-kim'")
	settle()
	if _, err := c.FindSession(ctx, "tok-kim"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted session: err = %v, want ErrNotFound", err)
	}
}

// A customer user's session comes with their customer's name, and the
// cache forgets it when the customer is renamed, not when a sync rewrites
// the customer's row unchanged.
func TestSessionCacheForgetsRenamedCustomer(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := sqlExec(t, s)
	id := uuid.New()
	exec(`INSERT INTO customers (id, company_name, domain) VALUES ($1, 'Contoso', 'contoso.example')`, id)
	u, err := s.CreateUser(ctx, store.NewUser{Email: "ana@contoso.example", Role: "customer", CustomerID: &id, CustomerVia: "invitation"})
	if err != nil {
		t.Fatal(err)
	}
	staff, err := s.CreateUser(ctx, store.NewUser{Email: "lee@example.com", Role: "staff"})
	if err != nil {
		t.Fatal(err)
	}
	for tok, uid := range map[string]int64{"tok-ana": u.ID, "tok-lee": staff.ID} {
		if err := s.CommitSession(ctx, tok, []byte("one"), time.Now().Add(time.Hour), uid); err != nil {
			t.Fatal(err)
		}
	}
	c := runCache(t, s)
	find := func(tok string) store.SessionRow {
		t.Helper()
		if err := c.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		r, err := c.FindSession(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := find("tok-ana"); !r.CustomerFound || r.CustomerName != "Contoso" {
		t.Fatalf("customer user's session: found %v, name %q", r.CustomerFound, r.CustomerName)
	}
	if r := find("tok-lee"); r.CustomerFound || r.CustomerName != "" {
		t.Fatalf("staff session: found %v, name %q", r.CustomerFound, r.CustomerName)
	}

	execSilently(t, s, "UPDATE sessions SET data = 'silent' WHERE token = 'tok-ana'")
	exec("UPDATE customers SET synced_at = now(), company_name = company_name WHERE id = $1", id)
	if r := find("tok-ana"); string(r.Data) != "one" {
		t.Fatalf("an unchanged name made the cache read the session again (%q)", r.Data)
	}
	exec("UPDATE customers SET company_name = '' WHERE id = $1", id)
	if r := find("tok-ana"); string(r.Data) != "silent" || r.CustomerName != "contoso.example" {
		t.Fatalf("after the rename: data %q, name %q", r.Data, r.CustomerName)
	}
	exec("DELETE FROM customers WHERE id = $1", id)
	if r := find("tok-ana"); r.CustomerFound {
		t.Fatalf("deleted customer still found: %q", r.CustomerName)
	}
}

// Forget drops a session at once, before its notification arrives.
func TestSessionCacheForget(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	if err := s.CommitSession(ctx, "tok-anon", []byte("one"), time.Now().Add(time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	c := runCache(t, s)
	if _, err := c.FindSession(ctx, "tok-anon"); err != nil {
		t.Fatal(err)
	}
	execSilently(t, s, "UPDATE sessions SET data = 'two' WHERE token = 'tok-anon'")
	c.Forget("tok-anon")
	r, err := c.FindSession(ctx, "tok-anon")
	if err != nil || string(r.Data) != "two" {
		t.Fatalf("after Forget: %q, %v", r.Data, err)
	}
}

// A session past its idle deadline is not served from memory, and when
// the listening connection breaks nothing is until it listens again.
func TestSessionCacheExpiryAndLostListener(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	// Long enough to be found first under a loaded -race run (300 ms was
	// not), then waited out.
	short := time.Now().Add(3 * time.Second)
	if err := s.CommitSession(ctx, "tok-short", []byte("x"), short, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitSession(ctx, "tok-long", []byte("y"), time.Now().Add(time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	c := runCache(t, s)
	for _, tok := range []string{"tok-short", "tok-long"} {
		if _, err := c.FindSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Until(short) + 100*time.Millisecond)
	if _, err := c.FindSession(ctx, "tok-short"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session: err = %v, want ErrNotFound", err)
	}

	// Cut the listener and write behind the triggers' back while it is
	// gone: once it listens again, the lookup reads the new row.
	if _, err := s.Pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN portal_sessions'`); err != nil {
		t.Fatal(err)
	}
	waitLive(t, c, false)
	execSilently(t, s, "UPDATE sessions SET data = 'z' WHERE token = 'tok-long'")
	if r, err := c.FindSession(ctx, "tok-long"); err != nil || string(r.Data) != "z" {
		t.Fatalf("while not listening: %q, %v", r.Data, err)
	}
	waitLive(t, c, true)
	if r, err := c.FindSession(ctx, "tok-long"); err != nil || string(r.Data) != "z" {
		t.Fatalf("listening again: %q, %v", r.Data, err)
	}
}

// AfterWrite waits for what was committed before it, and when it cannot
// wait (here: a request already cancelled) forgets every session instead.
func TestSessionCacheAfterWrite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	for _, tok := range []string{"tok-a", "tok-b"} {
		if err := s.CommitSession(ctx, tok, []byte("one"), time.Now().Add(time.Hour), 0); err != nil {
			t.Fatal(err)
		}
	}
	c := runCache(t, s)
	for _, tok := range []string{"tok-a", "tok-b"} {
		if _, err := c.FindSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Pool.Exec(ctx, "UPDATE sessions SET data = 'two' WHERE token = 'tok-a'"); err != nil {
		t.Fatal(err)
	}
	c.AfterWrite(ctx)
	if r, err := c.FindSession(ctx, "tok-a"); err != nil || string(r.Data) != "two" {
		t.Fatalf("after AfterWrite: %q, %v", r.Data, err)
	}

	execSilently(t, s, "UPDATE sessions SET data = 'silent' WHERE token = 'tok-b'")
	if r, _ := c.FindSession(ctx, "tok-b"); string(r.Data) != "one" {
		t.Fatalf("before: %q, want the kept %q", r.Data, "one")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	c.AfterWrite(cancelled)
	if r, err := c.FindSession(ctx, "tok-b"); err != nil || string(r.Data) != "silent" {
		t.Fatalf("after a failed AfterWrite: %q, %v", r.Data, err)
	}
}
