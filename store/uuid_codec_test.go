package store_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/internal/testdb"
)

// TestUUIDsTravelAsBytes checks a uuid.UUID reaches Postgres as the same
// uuid, and comes back the same, through the store's pools, alone, as a
// pointer, NULL and in an array, as it does through a plain pool, where
// it travels as text.
func TestUUIDsTravelAsBytes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, b := uuid.MustParse("0f8fad5b-d9cb-469f-a165-70867728950e"), uuid.MustParse("7c9e6679-7425-40de-944b-e07fc1f90ae7")
	for _, p := range []struct {
		name string
		pool *pgxpool.Pool
	}{{"store", testdb.NewPool(t)}, {"plain", plainPool(t)}} {
		var text string
		var got uuid.UUID
		var ptr, null *uuid.UUID
		var list []uuid.UUID
		err := p.pool.QueryRow(ctx, `SELECT $1::uuid::text || ' ' || $2::uuid::text, $1::uuid, $2::uuid, NULL::uuid, $3::uuid[]`,
			a, &b, []uuid.UUID{b, a}).Scan(&text, &got, &ptr, &null, &list)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if text != a.String()+" "+b.String() || got != a || ptr == nil || *ptr != b || null != nil || !slices.Equal(list, []uuid.UUID{b, a}) {
			t.Errorf("%s: %q %s %v %v %v", p.name, text, got, ptr, null, list)
		}
		// NULL leaves a fresh uuid.UUID at uuid.Nil, as its own Scan did.
		got = uuid.UUID{}
		if err := p.pool.QueryRow(ctx, `SELECT NULL::uuid`).Scan(&got); err != nil || got != uuid.Nil {
			t.Errorf("%s: NULL into a uuid.UUID: %s, %v", p.name, got, err)
		}
		var n int
		if err := p.pool.QueryRow(ctx, `SELECT count(*) FROM unnest($1::uuid[]) u WHERE u = $2`, []uuid.UUID{a, b, a}, a).Scan(&n); err != nil || n != 2 {
			t.Errorf("%s: %d, %v", p.name, n, err)
		}
	}
}
