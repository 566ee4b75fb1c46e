package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cspportal/portal/store"
)

func TestDashboardShowsTheMirror(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "sam@example.com")
	p := e.get(c, "/")
	if !hasTestID(p.body, "mirror-empty") || hasTestID(p.body, "mirror-counts") {
		t.Fatal("empty mirror: no empty state")
	}
	ctx := t.Context()
	for _, q := range []string{
		`INSERT INTO customers (id, company_name) VALUES ('6f0a7a3e-0000-4000-8000-000000000001', 'Contoso'), ('6f0a7a3e-0000-4000-8000-000000000002', 'Fabrikam')`,
		`INSERT INTO customers (id, company_name, gone_at) VALUES ('6f0a7a3e-0000-4000-8000-000000000003', 'Gone Ltd', now())`,
		`INSERT INTO subscriptions (id, customer_id, status) VALUES ('s1', '6f0a7a3e-0000-4000-8000-000000000001', 'active'), ('s2', '6f0a7a3e-0000-4000-8000-000000000001', 'suspended')`,
		`INSERT INTO sync_runs (kind, status, finished_at) VALUES ('full', 'succeeded', '2026-03-01 10:00Z'), ('incremental', 'failed', '2026-03-02 10:00Z')`,
	} {
		if _, err := e.st.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Users: staff, two admins (one disabled): 3 users, 1 enabled admin.
	e.createUser("admin", "ada@example.com")
	off := e.createUser("admin", "old@example.com")
	if _, err := e.st.Pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, off.ID); err != nil {
		t.Fatal(err)
	}
	e.settle()
	p = e.get(c, "/")
	if !strings.Contains(p.body, `data-testid="user-count">3<`) || !strings.Contains(p.body, "1 admin") {
		t.Errorf("user counts: want 3 users, 1 admin")
	}
	if !hasTestID(p.body, "mirror-counts") || hasTestID(p.body, "mirror-empty") {
		t.Fatal("mirror counts not shown")
	}
	for _, want := range []string{`data-testid="count-customers">2<`, `data-testid="count-subscriptions">2<`, "1 active", "last synced 2026-03-01 10:00 UTC"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

// TestDashboardBoundsTheAttentionCount: the dashboard lists 50 open items
// and counts the others up to a bound, past which it says "more than".
func TestDashboardBoundsTheAttentionCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "sam@example.com")
	add := func(n int, from int) {
		t.Helper()
		if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO attention_items (kind, subject, reason, href)
			SELECT 'pc_consent', 'item ' || g, 'a reason', '/' FROM generate_series($1::int, $2::int) g`, from, from+n-1); err != nil {
			t.Fatal(err)
		}
	}
	add(60, 1)
	if p := e.get(c, "/"); !strings.Contains(p.body, "10 more not listed.") {
		t.Fatal("60 open items: want 10 more not listed")
	}
	add(store.AttentionCounted, 61)
	p := e.get(c, "/")
	if want := fmt.Sprintf("More than %d not listed.", store.AttentionCounted-50); !strings.Contains(p.body, want) {
		t.Fatalf("%d open items: want %q", store.AttentionCounted+60, want)
	}
}
