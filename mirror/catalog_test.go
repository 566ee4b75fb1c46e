package mirror_test

import (
	"testing"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestCatalogCoversTheCustomersCountries: without configured countries the
// catalog sync mirrors the default country and every customer's country,
// whose carts and price lists read their own country's catalog.
func TestCatalogCoversTheCustomersCountries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	e.Run(mirror.KindFull)
	if _, err := e.Store.Pool.Exec(t.Context(), `UPDATE settings SET default_country = 'US'`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Pool.Exec(t.Context(), `UPDATE customers SET address_country = 'FR'
		WHERE id = (SELECT id FROM customers ORDER BY id LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	var want []string
	rows, err := e.Store.Pool.Query(t.Context(), `SELECT DISTINCT upper(address_country) FROM customers WHERE address_country <> ''
		UNION SELECT 'US' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		want = append(want, c)
	}
	rows.Close()
	if len(want) < 2 {
		t.Fatalf("countries %v: the test needs customers outside the default country", want)
	}
	lacks := func() bool {
		t.Helper()
		ok, err := e.Store.CatalogLacksCountries(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !lacks() {
		t.Error("before any catalog sync the catalog does not lack countries")
	}
	e.Run(mirror.KindCatalog)
	if lacks() {
		t.Error("after the catalog sync the catalog still lacks a country")
	}
	for _, c := range want {
		if n := e.Count(`SELECT count(*) FROM availabilities WHERE country = $1 AND gone_at IS NULL`, c); n == 0 {
			t.Errorf("no catalog availabilities mirrored for %s (countries %v)", c, want)
		}
	}
	// A customer in a country the catalog has not seen: the next full
	// import queues a catalog sync for it.
	if _, err := e.Store.Pool.Exec(t.Context(), `UPDATE customers SET address_country = 'JP'
		WHERE id = (SELECT id FROM customers ORDER BY id LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	if !lacks() {
		t.Error("a customer in JP without a JP catalog is not noticed")
	}
}
