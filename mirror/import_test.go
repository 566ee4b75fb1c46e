package mirror_test

import (
	"testing"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

func TestFullImportMirrorsPartnerCenterAndIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	if err := e.SB.SeedBulk(40, 3); err != nil {
		t.Fatal(err)
	}
	e.Run(mirror.KindFull)
	sandboxtest.AssertConverged(t, e.Client, e.Store)

	snapshot := func() string {
		var s string
		e.Store.Pool.QueryRow(t.Context(), `SELECT md5(string_agg(x, ',' ORDER BY x)) FROM (
			SELECT id || status || quantity || coalesce(gone_at::text, '') AS x FROM subscriptions
			UNION ALL SELECT id::text || company_name || coalesce(gone_at::text, '') FROM customers) t`).Scan(&s)
		return s
	}
	before := snapshot()
	subs := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM subscriptions`)
	e.Run(mirror.KindFull)
	if after := snapshot(); after != before {
		t.Fatalf("second import changed the mirror")
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM subscriptions`); n != subs {
		t.Fatalf("second import: %d subscription rows, want %d", n, subs)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'full' AND status = 'succeeded' AND done = total AND total > 0`); n != 2 {
		t.Fatalf("succeeded full runs with done = total: %d, want 2", n)
	}
	customers := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE gone_at IS NULL`)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'full' AND (counts->>'customers')::int = $1`, customers); n != 2 {
		t.Fatalf("%d full runs whose summary counts each of the %d customers once, want 2", n, customers)
	}
}
