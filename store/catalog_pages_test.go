package store_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// The catalog's landing page (a country by name, no filter) merges offers
// and SKUs read in name order; every page of it holds what sorting the
// whole catalog_items view gives, ties and case included, with the
// country's count.
func TestCatalogByNameMatchesTheView(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO products (country, id, title) SELECT 'US', p, p FROM unnest(ARRAY['CFQ0', 'CFQ1', 'CFQ2', 'CFQ9']) AS p`)
	names := []string{"Teams", "teams", "Azure", "Visio", "exchange", "Exchange", "Project", "Zeta", "alpha", "Teams"}
	for i, n := range names {
		exec(`INSERT INTO offers (country, id, name) VALUES ('US', $1, $2), ('GB', $1, $2)`, fmt.Sprintf("OFFER-%02d", 20-i), n)
		exec(`INSERT INTO skus (country, product_id, id, title) VALUES ('US', $1, $2, $3)`, fmt.Sprintf("CFQ%d", i%3), fmt.Sprintf("%04d", i), n+" Plan")
		exec(`INSERT INTO skus (country, product_id, id, title) VALUES ('US', 'CFQ9', $1, $2)`, fmt.Sprintf("%04d", i), n)
	}
	exec(`UPDATE offers SET gone_at = now() WHERE id = 'OFFER-15'`)
	exec(`UPDATE skus SET gone_at = now() WHERE id = '0004' AND product_id = 'CFQ9'`)

	var want []string
	rows, err := s.Pool.Query(ctx, `SELECT kind || ':' || id FROM catalog_items WHERE gone_at IS NULL AND country = 'US' ORDER BY lower(name), id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		want = append(want, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) != 28 {
		t.Fatalf("the view has %d US items, want 28", len(want))
	}
	const per = 4
	var got []string
	for off := 0; off < len(want)+per; off += per {
		page, err := s.CatalogSearch(ctx, store.CatalogFilter{Country: "us", Sort: []string{"name", "relevance", ""}[off%3], Offset: off, Limit: per})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != len(want) {
			t.Fatalf("offset %d: total %d, want %d", off, page.Total, len(want))
		}
		for _, it := range page.Items {
			if it.Name == "" || it.Country != "US" {
				t.Fatalf("offset %d: item without its columns: %+v", off, it)
			}
			got = append(got, it.Kind+":"+it.ID)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("pages by name (-view +pages):\n%s", diff)
	}
}
