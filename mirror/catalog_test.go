package mirror_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
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
		missing, err := e.Store.CatalogMissingCountries(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return len(missing) > 0
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
	if missing, err := e.Store.CatalogMissingCountries(t.Context()); err != nil || !slices.Equal(missing, []string{"JP"}) {
		t.Errorf("a customer in JP without a JP catalog: missing %v, %v", missing, err)
	}
}

// TestFullImportQueuesCatalogOfNewCountries: a full import that finds a
// customer in a country without a catalog queues a catalog sync of that
// country, even while another catalog sync waits or runs (it may have
// listed the countries before the import, and River keeps one catalog
// job per kind and countries), and also when the import ran as an
// incremental sync's fallback. That sync then mirrors the country.
func TestFullImportQueuesCatalogOfNewCountries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	ctx := t.Context()
	e.Run(mirror.KindCatalog) // the default country, US, only
	if _, err := e.Client.CreateCustomer(ctx, pccclient.NewRequestID(), pccclient.Customer{
		CompanyProfile: &pccclient.CompanyProfile{Domain: "tailspinfr.onmicrosoft.com"},
		BillingProfile: &pccclient.BillingProfile{Culture: "fr-FR", Language: "fr", Email: "it@tailspin.example", CompanyName: "Tailspin SAS",
			DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 rue de Rivoli", City: "Paris",
				PostalCode: "75001", Country: "FR"}},
	}); err != nil {
		t.Fatal(err)
	}
	rc := e.Stack.Jobs.Client()
	if _, err := rc.Insert(ctx, mirror.SyncArgs{SyncKind: mirror.KindCatalog, Trigger: "schedule"}, nil); err != nil {
		t.Fatal(err)
	}
	e.Run(mirror.KindIncremental) // no full import yet: it runs one
	missing, err := e.Store.CatalogMissingCountries(ctx)
	if err != nil || !slices.Contains(missing, "FR") {
		t.Fatalf("after the import the catalog misses %v (%v), want FR among them", missing, err)
	}
	res, err := rc.JobList(ctx, river.NewJobListParams().Kinds(mirror.SyncArgs{}.Kind()).
		States(rivertype.JobStateAvailable).First(100))
	if err != nil {
		t.Fatal(err)
	}
	var queued *mirror.SyncArgs
	var kinds []string
	for _, j := range res.Jobs {
		var a mirror.SyncArgs
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, fmt.Sprintf("%s %s %v", a.SyncKind, a.Trigger, a.Countries))
		if a.SyncKind == mirror.KindCatalog && len(a.Countries) > 0 {
			queued = &a
		}
	}
	if queued == nil || !slices.Equal(queued.Countries, missing) {
		t.Fatalf("sync jobs waiting: %v; want a catalog sync of %v", kinds, missing)
	}
	if _, err := e.Mirror.Run(ctx, mirror.KindCatalog, mirror.RunOptions{Trigger: queued.Trigger, Countries: queued.Countries}); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(`SELECT count(*) FROM availabilities WHERE country = 'FR' AND gone_at IS NULL`); n == 0 {
		t.Error("the queued catalog sync mirrored no FR availabilities")
	}
	if missing, err := e.Store.CatalogMissingCountries(ctx); err != nil || len(missing) > 0 {
		t.Errorf("after the queued catalog sync the catalog still misses %v (%v)", missing, err)
	}
}
