package store_test

import (
	"testing"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

func TestAnalyzeRefreshesTheMirrorsStatistics(t *testing.T) {
	t.Parallel()
	s := testdb.NewStore(t)
	ctx := t.Context()
	if _, err := s.Pool.Exec(ctx, `INSERT INTO customers (id, company_name) SELECT gen_random_uuid(), 'c' || i FROM generate_series(1, 500) i`); err != nil {
		t.Fatal(err)
	}
	tuples := func() float64 {
		var n float64
		if err := s.Pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = 'customers'::regclass`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := tuples(); n == 500 {
		t.Fatal("statistics already current before Analyze: the test proves nothing")
	}
	if err := s.Analyze(ctx, append(store.MirrorTables, store.CatalogTables...)...); err != nil {
		t.Fatal(err)
	}
	if n := tuples(); n != 500 {
		t.Fatalf("reltuples %v after Analyze, want 500", n)
	}
}
