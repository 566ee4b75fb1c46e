package db_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store/db"
)

// pricedRows gives n rows shaped as CustomerPricedSubscriptionsRow, with
// NULLs in every other row's pointer and decimal columns, so that a row
// sharing a pointer with the row before it would show.
const pricedRows = `SELECT 'sub-' || i, '', 'OFFER', 'Offer ' || i, '', 'active', i::int, 'P1Y', 'monthly', 'license', 'Licenses', i % 2 = 0,
	CASE WHEN i % 2 = 0 THEN timestamptz '2027-01-01' + i * interval '1 day' END, 'USD',
	CASE WHEN i % 2 = 1 THEN (i || '.25')::numeric END, (i || '.5')::numeric, '', 0, '', '',
	CASE WHEN i % 3 = 0 THEN timestamptz '2027-06-01' + i * interval '1 hour' END, 'sheet'
FROM generate_series(1, $1::int) i ORDER BY i`

// TestCollectByPos checks CollectByPos reads what pgx's RowToStructByPos
// reads, row by row, with no pointer shared between rows, and refuses a
// column count or a struct it cannot read safely.
func TestCollectByPos(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := testdb.NewPool(t)
	rows, err := pool.Query(ctx, pricedRows, 40)
	if err != nil {
		t.Fatal(err)
	}
	want, err := pgx.CollectRows(rows, pgx.RowToStructByPos[db.CustomerPricedSubscriptionsRow])
	if err != nil {
		t.Fatal(err)
	}
	rows, err = pool.Query(ctx, pricedRows, 40)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.CollectByPos[db.CustomerPricedSubscriptionsRow](rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40 || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %d rows, want %d equal to RowToStructByPos's:\n%+v\n%+v", len(got), len(want), got[:2], want[:2])
	}
	seen := map[*time.Time]bool{}
	for i, r := range got {
		for _, p := range []*time.Time{r.CommitmentEndDate, r.RenewsAt} {
			if p != nil && seen[p] {
				t.Errorf("row %d shares a time with an earlier row", i)
			}
			seen[p] = true
		}
		if (i%2 == 1) != (r.CommitmentEndDate != nil) || (i%2 == 0) != r.CurrentUnitPrice.Valid {
			t.Errorf("row %d: NULLs not where the query put them: %+v", i, r)
		}
		if !r.NextUnitPrice.Decimal.Equal(decimal.RequireFromString(strings.TrimPrefix(r.ID, "sub-") + ".5")) {
			t.Errorf("row %d: next price %s", i, r.NextUnitPrice.Decimal)
		}
	}

	rows, err = pool.Query(ctx, `SELECT 'a', 'b'`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CollectByPos[struct{ A string }](rows); err == nil || !strings.Contains(err.Error(), "2 columns for 1 fields") {
		t.Errorf("two columns into one field: %v", err)
	}
	rows, err = pool.Query(ctx, `SELECT ARRAY['a']`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CollectByPos[struct{ A []string }](rows); err == nil || !strings.Contains(err.Error(), "field A is a slice") {
		t.Errorf("a slice field: %v", err)
	}
	rows, err = pool.Query(ctx, `SELECT 1 WHERE false`)
	if err != nil {
		t.Fatal(err)
	}
	if none, err := db.CollectByPos[struct{ A int32 }](rows); err != nil || len(none) != 0 {
		t.Errorf("no rows: %v, %v", none, err)
	}
}

// BenchmarkCollect reads a big customer's 500 priced subscriptions by
// pgx's per-row reflection and by CollectByPos.
func BenchmarkCollect(b *testing.B) {
	ctx := b.Context()
	pool := testdb.NewPool(b)
	for _, bc := range []struct {
		name    string
		collect func(pgx.Rows) ([]db.CustomerPricedSubscriptionsRow, error)
	}{
		{"RowToStructByPos", func(r pgx.Rows) ([]db.CustomerPricedSubscriptionsRow, error) {
			return pgx.CollectRows(r, pgx.RowToStructByPos[db.CustomerPricedSubscriptionsRow])
		}},
		{"CollectByPos", db.CollectByPos[db.CustomerPricedSubscriptionsRow]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rows, err := pool.Query(ctx, pricedRows, 500)
				if err != nil {
					b.Fatal(err)
				}
				if out, err := bc.collect(rows); err != nil || len(out) != 500 {
					b.Fatal(len(out), err)
				}
			}
		})
	}
}
