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
	exec := sqlExec(t, s)
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
	// Counted by the search, and given the facets' count.
	facets, err := s.CatalogFacets(ctx, "US")
	if err != nil || facets.Items != len(want) {
		t.Fatalf("facets count %d items, want %d (%v)", facets.Items, len(want), err)
	}
	for _, items := range []int{0, facets.Items} {
		const per = 4
		var got []string
		for off := 0; off < len(want)+per; off += per {
			page, err := s.CatalogSearch(ctx, store.CatalogFilter{Country: "us", Sort: []string{"name", "relevance", ""}[off%3], Offset: off, Limit: per,
				Items: items})
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
			t.Fatalf("pages by name, items %d (-view +pages):\n%s", items, diff)
		}
	}
}

// A SKU keeps what the catalog shows of its availabilities (terms,
// cycles, purchasable, currencies); after every kind of write to them the
// kept columns equal what deriving them from the availabilities gives.
func TestSkuAvailabilityFactsFollowTheirRows(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := sqlExec(t, s)
	// derived is the view's former definition of the four columns.
	const derived = `SELECT s.product_id || '/' || s.id,
		coalesce((SELECT array_agg(DISTINCT t->>'duration' ORDER BY t->>'duration') FROM availabilities a, jsonb_array_elements(a.terms) t
			WHERE a.country = s.country AND a.product_id = s.product_id AND a.sku_id = s.id AND a.gone_at IS NULL
			AND coalesce(t->>'duration', '') <> ''), '{}'),
		coalesce((SELECT array_agg(DISTINCT lower(t->>'billingCycle') ORDER BY lower(t->>'billingCycle')) FROM availabilities a, jsonb_array_elements(a.terms) t
			WHERE a.country = s.country AND a.product_id = s.product_id AND a.sku_id = s.id AND a.gone_at IS NULL
			AND coalesce(t->>'billingCycle', '') <> ''), s.supported_billing_cycles),
		EXISTS (SELECT 1 FROM availabilities a WHERE a.country = s.country AND a.product_id = s.product_id
			AND a.sku_id = s.id AND a.gone_at IS NULL AND a.is_purchasable),
		coalesce((SELECT array_agg(DISTINCT a.currency ORDER BY a.currency) FROM availabilities a
			WHERE a.country = s.country AND a.product_id = s.product_id AND a.sku_id = s.id AND a.gone_at IS NULL AND a.currency <> ''), '{}')
		FROM skus s ORDER BY 1`
	const kept = `SELECT id, ARRAY(SELECT unnest(terms) ORDER BY 1), ARRAY(SELECT unnest(billing_cycles) ORDER BY 1), purchasable,
		ARRAY(SELECT unnest(currencies) ORDER BY 1) FROM catalog_items WHERE kind = 'sku' ORDER BY 1`
	read := func(q string) []string {
		t.Helper()
		rows, err := s.Pool.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			var terms, cycles, currencies []string
			var purchasable bool
			if err := rows.Scan(&id, &terms, &cycles, &purchasable, &currencies); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(id, terms, cycles, purchasable, currencies))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	check := func(step string, wantPurchasable int) {
		t.Helper()
		want, got := read(derived), read(kept)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s: kept columns differ from the availabilities (-derived +kept):\n%s", step, diff)
		}
		var n int
		if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM catalog_items WHERE kind = 'sku' AND purchasable`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != wantPurchasable {
			t.Fatalf("%s: %d purchasable SKUs, want %d", step, n, wantPurchasable)
		}
	}
	avail := func(sku, id, currency string, purchasable bool, terms string) {
		t.Helper()
		exec(`INSERT INTO availabilities (country, product_id, sku_id, id, currency, is_purchasable, terms, synced_at)
			VALUES ('US', 'CFQ7', $1, $2, $3, $4, $5, now())
			ON CONFLICT (country, product_id, sku_id, id) DO UPDATE SET currency = excluded.currency,
				is_purchasable = excluded.is_purchasable, terms = excluded.terms, synced_at = excluded.synced_at, gone_at = NULL`,
			sku, id, currency, purchasable, terms)
	}
	yearly := `[{"duration": "P1Y", "billingCycle": "Monthly"}, {"duration": "P1Y", "billingCycle": "annual"}]`

	// An availability that arrives before its SKU.
	avail("0001", "A1", "USD", true, yearly)
	exec(`INSERT INTO skus (country, product_id, id, title, supported_billing_cycles) VALUES
		('US', 'CFQ7', '0001', 'One', '{monthly}'), ('US', 'CFQ7', '0002', 'Two', '{annual}')`)
	check("SKU after its availability", 1)

	avail("0002", "B1", "EUR", false, `[{"duration": "P1M", "billingCycle": "monthly"}]`)
	avail("0002", "B2", "USD", false, `[{"duration": "P3Y", "billingCycle": "triennial"}, {"duration": ""}]`)
	avail("0001", "A2", "", true, `[]`)
	check("availabilities added", 1)

	exec(`UPDATE availabilities SET synced_at = now() + interval '1 hour'`)
	avail("0002", "B2", "USD", true, `[{"duration": "P3Y", "billingCycle": "triennial"}]`)
	check("one availability becomes purchasable", 2)

	exec(`UPDATE availabilities SET gone_at = now() WHERE id = 'A1'`)
	check("an availability gone", 2)
	exec(`UPDATE availabilities SET gone_at = now() WHERE id = 'A2'`)
	check("all of a SKU's availabilities gone", 1)

	// A sync's sweep marks SKUs and availabilities gone in one statement.
	avail("0001", "A1", "USD", true, yearly)
	exec(`WITH k AS (UPDATE skus SET gone_at = now() WHERE id = '0002')
		UPDATE availabilities SET gone_at = now() WHERE sku_id = '0002' AND id = 'B1'`)
	check("swept with its SKU", 2)

	exec(`DELETE FROM availabilities WHERE id = 'B2'`)
	check("an availability deleted", 1)

	exec(`UPDATE availabilities SET sku_id = '0002' WHERE id = 'A1'`)
	check("an availability moved to another SKU", 1)

	exec(`TRUNCATE availabilities`)
	check("availabilities truncated", 0)
}

// A catalog page's "from" prices: each item's lowest monthly-billed unit
// price per currency, over all its availabilities, of its country, with
// no price that is gone, read or kept for the catalog's version, which a
// price sheet import moves; and the facets say whether a current price
// sheet is imported.
func TestCatalogPagePrices(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := sqlExec(t, s)
	for _, c := range []string{"US", "GB"} {
		exec(`INSERT INTO availabilities (country, product_id, sku_id, id, catalog_item_id) VALUES
			($1, 'P1', '0001', 'A1', 'P1:0001:A1'), ($1, 'P1', '0001', 'A2', 'P1:0001:A2'),
			($1, 'P1', '0002', 'A1', 'P1:0002:A1'), ($1, 'P2', '0001', 'A1', 'P2:0001:A1')`, c)
	}
	exec(`INSERT INTO prices (country, item_id, term_duration, billing_cycle, currency, unit_price, gone_at) VALUES
		('US', 'P1:0001:A1', 'P1M', 'monthly', 'USD', 12, NULL), ('US', 'P1:0001:A2', 'P1Y', 'monthly', 'USD', 10, NULL),
		('US', 'P1:0001:A2', 'P1Y', 'annual', 'USD', 5, NULL), ('US', 'P1:0001:A1', 'P1M', 'monthly', 'EUR', 11, NULL),
		('US', 'P1:0002:A1', 'P1M', 'monthly', 'USD', 3, now()), ('US', 'P1:0002:A1', 'P1Y', 'monthly', 'USD', 7, NULL),
		('GB', 'P1:0001:A1', 'P1M', 'monthly', 'USD', 1, NULL), ('US', 'P2:0001:A1', 'P1M', 'monthly', 'USD', 9, NULL)`)

	ids := []string{"P1/0001", "P1/0002", "P9/0001"}
	want := map[string]string{"P1/0001 USD": "10", "P1/0001 EUR": "11", "P1/0002 USD": "7"}
	check := func(what string, version int64, want map[string]string) {
		t.Helper()
		from, err := s.CatalogPagePrices(ctx, "US", version, ids)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for id, fs := range from {
			for _, f := range fs {
				if f.ItemID != id {
					t.Fatalf("%s: %s's prices hold %s's", what, id, f.ItemID)
				}
				got[f.ItemID+" "+f.Currency] = f.UnitPrice.String()
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s: from prices (-want +got):\n%s", what, diff)
		}
	}
	check("read", 0, want)
	if from, err := s.CatalogPagePrices(ctx, "US", 0, nil); err != nil || len(from) != 0 {
		t.Fatalf("no items: %v, %v", from, err)
	}
	facets, err := s.CatalogFacets(ctx, "US")
	if err != nil || facets.Sheet || facets.Version != 0 {
		t.Fatalf("never synced, no sheet: %+v, %v", facets, err)
	}
	// Synced: the country's prices are kept for the version, which a
	// price sheet import moves.
	exec(`INSERT INTO sync_watermarks (name, at, updated_at) VALUES ('catalog:US', now(), '2026-12-01')`)
	if facets, err = s.CatalogFacets(ctx, "US"); err != nil || facets.Version == 0 {
		t.Fatalf("synced: version %d, %v", facets.Version, err)
	}
	version := facets.Version
	check("kept", version, want)
	exec(`UPDATE prices SET unit_price = 4 WHERE item_id = 'P1:0002:A1' AND term_duration = 'P1Y'`)
	check("kept, the version unmoved", version, want)
	exec(`INSERT INTO price_sheet_imports (market, view, timeline, month, state, updated_at)
		VALUES ('US', 'updatedlicensebased', 'current', '2026-12-01', 'done', '2026-12-02')`)
	if facets, err = s.CatalogFacets(ctx, "US"); err != nil || !facets.Sheet || facets.Version == version {
		t.Fatalf("a sheet imported: sheet %v, version %d (was %d), %v", facets.Sheet, facets.Version, version, err)
	}
	want["P1/0002 USD"] = "4"
	check("kept for the import's version", facets.Version, want)
}

// Once the catalog has been synced, a page's items come from the
// country's items kept for the sync: a rename shows after the next sync
// (the watermark moves), and an item written without a sync is read
// rather than left out.
func TestCatalogKeptItemsFollowSyncs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := testdb.NewStore(t)
	exec := sqlExec(t, s)
	exec(`INSERT INTO products (country, id, title) VALUES ('US', 'CFQ1', 'Product')`)
	for i, n := range []string{"Alpha", "Bravo", "Charlie"} {
		exec(`INSERT INTO skus (country, product_id, id, title) VALUES ('US', 'CFQ1', $1, $2)`, fmt.Sprintf("%04d", i), n)
	}
	exec(`INSERT INTO sync_watermarks (name, at, updated_at) VALUES ('catalog:US', now(), '2026-12-01')`)
	names := func(q string) (out []string) {
		t.Helper()
		facets, err := s.CatalogFacets(ctx, "US")
		if err != nil || facets.Version == 0 {
			t.Fatalf("facets of a synced catalog: version %d, %v", facets.Version, err)
		}
		page, err := s.CatalogSearch(ctx, store.CatalogFilter{Country: "US", Query: q, Limit: 10, Items: facets.Items, Version: facets.Version})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			out = append(out, it.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"Alpha", "Bravo", "Charlie"}, names("")); diff != "" {
		t.Fatalf("first page (-want +got):\n%s", diff)
	}
	// Kept: a rename without a sync does not show yet.
	exec(`UPDATE skus SET title = 'Bravo Two' WHERE id = '0001'`)
	if diff := cmp.Diff([]string{"Alpha", "Bravo", "Charlie"}, names("")); diff != "" {
		t.Fatalf("a rename without a sync (-want +got):\n%s", diff)
	}
	// The page's keys are always read: an item new to them makes the
	// page's rows read.
	exec(`INSERT INTO skus (country, product_id, id, title) VALUES ('US', 'CFQ1', '0009', 'Delta')`)
	if diff := cmp.Diff([]string{"Alpha", "Bravo Two", "Charlie", "Delta"}, names("")); diff != "" {
		t.Fatalf("an item written without a sync (-want +got):\n%s", diff)
	}
	exec(`UPDATE sync_watermarks SET updated_at = '2026-12-02' WHERE name = 'catalog:US'`)
	if diff := cmp.Diff([]string{"Alpha", "Bravo Two", "Charlie", "Delta"}, names("")); diff != "" {
		t.Fatalf("after the sync (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Bravo Two"}, names("two")); diff != "" {
		t.Fatalf("a search (-want +got):\n%s", diff)
	}
}
