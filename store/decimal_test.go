package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/testdb"
)

// plainPool is a pool without store.Configure: numerics reach decimals
// through their sql.Scanner, as text.
func plainPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestNumericScansAsText checks the direct numeric decoding gives exactly
// the decimal the text path gives: the same digits and the same exponent,
// so a price keeps the places it was stored with.
func TestNumericScansAsText(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	direct, text := testdb.NewPool(t), plainPool(t)
	for _, lit := range []string{
		"0", "0.00", "1", "-1.50", "12.345600", "1200", "-1250", "100000000000000000000", "0.000001",
		"123456789012345678901234567890.123456789", "9999.9999", "-0.0001", "10000", "0.10",
		// Around the four-digit fast path: 16 digits, 17, tiny, whole thousands.
		"12.5", "-99999999.99", "1234567890123456", "12345678901234567", "0.00000001", "5000", "-0.5", "9223372036854775807",
	} {
		const q = `SELECT $1::text::numeric, $1::text::numeric(38,6), NULL::numeric`
		var a, b, c, d decimal.Decimal
		var an, bn decimal.NullDecimal
		if err := direct.QueryRow(ctx, q, lit).Scan(&a, &c, &an); err != nil {
			t.Fatalf("%s direct: %v", lit, err)
		}
		if err := text.QueryRow(ctx, q, lit).Scan(&b, &d, &bn); err != nil {
			t.Fatalf("%s as text: %v", lit, err)
		}
		for _, p := range [][2]decimal.Decimal{{a, b}, {c, d}} {
			if p[0].Coefficient().Cmp(p[1].Coefficient()) != 0 || p[0].Exponent() != p[1].Exponent() {
				t.Errorf("%s: direct %s×10^%d, as text %s×10^%d", lit, p[0].Coefficient(), p[0].Exponent(), p[1].Coefficient(), p[1].Exponent())
			}
		}
		if an.Valid || bn.Valid {
			t.Errorf("%s: NULL scanned as valid: %v %v", lit, an, bn)
		}
		var nd decimal.NullDecimal
		if err := direct.QueryRow(ctx, `SELECT $1::text::numeric`, lit).Scan(&nd); err != nil || !nd.Valid || !nd.Decimal.Equal(b) {
			t.Errorf("%s into NullDecimal: %v, %v", lit, nd, err)
		}
	}
	var d decimal.Decimal
	for _, q := range []string{`SELECT NULL::numeric`, `SELECT 'NaN'::numeric`} {
		if err := direct.QueryRow(ctx, q).Scan(&d); err == nil {
			t.Errorf("%s: scanned as %s", q, d)
		}
	}
}

// BenchmarkNumericScan reads 500 rows of four prices, as a big customer's
// page does, directly and through text.
func BenchmarkNumericScan(b *testing.B) {
	ctx := context.Background()
	for _, p := range []struct {
		name string
		pool *pgxpool.Pool
	}{{"direct", testdb.NewPool(b)}, {"text", plainPool(b)}} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rows, err := p.pool.Query(ctx, `SELECT (i * 1.234567)::numeric(18,6), (i * 0.5)::numeric(18,6), i::numeric, NULL::numeric
					FROM generate_series(1, 500) i`)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
					var x, y, z decimal.Decimal
					var n decimal.NullDecimal
					if err := rows.Scan(&x, &y, &z, &n); err != nil {
						b.Fatal(err)
					}
				}
				if rows.Err() != nil {
					b.Fatal(rows.Err())
				}
			}
		})
	}
}
