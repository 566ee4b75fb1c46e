package prices_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/store"
)

func newService(t *testing.T, env *sandboxtest.Env, o prices.Options) *prices.Service {
	t.Helper()
	s, err := prices.New(prices.Deps{Store: env.Store, PC: env.Stack.PC, Mirror: env.Mirror, Logger: sandboxtest.Quiet(),
		Now: env.SB.Now, Options: o})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// importAll queues the market's sheets and runs each import in turn.
func importAll(t *testing.T, env *sandboxtest.Env, s *prices.Service, market string) []store.PriceSheetImport {
	t.Helper()
	ctx := context.Background()
	if _, err := s.QueueImport(ctx, store.Actor{Label: "test"}, []string{market}); err != nil {
		t.Fatal(err)
	}
	imps, err := env.Store.PriceSheetImports(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range imps {
		if i.State == "queued" {
			if err := s.Import(ctx, i.ID); err != nil {
				t.Fatalf("import %d: %v", i.ID, err)
			}
		}
	}
	imps, err = env.Store.PriceSheetImports(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	return imps
}

func TestImportLoadsTheSheetInChunksAndReimportReplacesIt(t *testing.T) {
	env := sandboxtest.NewEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	env.Run(mirror.KindCatalog)
	s := newService(t, env, prices.Options{ChunkRows: 7})

	imps := importAll(t, env, s, "US")
	cur := imps[0]
	for _, i := range imps {
		if i.Timeline == "current" {
			cur = i
		}
	}
	if cur.State != "done" || cur.Rows == 0 {
		t.Fatalf("current import = %+v, want done with rows", cur)
	}
	rows := env.Count(`SELECT count(*) FROM price_sheet_rows WHERE import_id = $1`, cur.ID)
	if int64(rows) != cur.Rows {
		t.Fatalf("rows stored %d, progress says %d", rows, cur.Rows)
	}
	priced := env.Count(`SELECT count(*) FROM prices WHERE country = 'US' AND gone_at IS NULL`)
	if priced == 0 {
		t.Fatal("the price list was not rebuilt from the sheet")
	}
	// the catalog's price of an NCE SKU is the sheet's
	if n := env.Count(`SELECT count(*) FROM prices p JOIN availabilities a ON a.catalog_item_id = p.item_id
		JOIN price_sheet_rows r ON r.import_id = $1 AND r.product_id = a.product_id AND r.sku_id = a.sku_id
		  AND r.term_duration = p.term_duration AND r.billing_plan = p.billing_cycle AND r.unit_price = p.unit_price
		WHERE p.country = 'US'`, cur.ID); n == 0 {
		t.Fatal("no price list row matches its sheet row")
	}
	// and keeps the sheet's estimated retail price beside it
	if n := env.Count(`SELECT count(*) FROM prices p JOIN availabilities a ON a.catalog_item_id = p.item_id
		JOIN price_sheet_rows r ON r.import_id = $1 AND r.product_id = a.product_id AND r.sku_id = a.sku_id
		  AND r.term_duration = p.term_duration AND r.billing_plan = p.billing_cycle AND r.unit_price = p.unit_price
		WHERE p.country = 'US' AND r.erp_price IS NOT NULL AND p.erp_price = r.erp_price AND p.erp_price > p.unit_price`, cur.ID); n == 0 {
		t.Fatal("the price list has no estimated retail price from the sheet")
	}

	// the same month again: same rows, the first import superseded, its rows gone
	imps = importAll(t, env, s, "US")
	if n := env.Count(`SELECT count(*) FROM price_sheet_imports WHERE timeline = 'current' AND state = 'done'`); n != 1 {
		t.Fatalf("%d done current imports, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM price_sheet_rows WHERE import_id = $1`, cur.ID); n != 0 {
		t.Fatalf("replaced sheet still has %d rows", n)
	}
	if n := env.Count(`SELECT count(*) FROM price_sheet_rows r JOIN price_sheet_imports i ON i.id = r.import_id
		WHERE i.timeline = 'current'`); n != rows {
		t.Fatalf("re-import has %d rows, want %d", n, rows)
	}
	if n := env.Count(`SELECT count(*) FROM prices WHERE country = 'US' AND gone_at IS NULL`); n != priced {
		t.Fatalf("re-import priced %d items, want %d", n, priced)
	}
	_ = imps
}

func TestImportWithoutConsentSaysSo(t *testing.T) {
	env := sandboxtest.NewEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	env.Config.UserTokens = nil
	env.Stack = env.NewStack(sandboxtest.StackOptions{})
	s := newService(t, env, prices.Options{})
	imps := importAll(t, env, s, "US")
	for _, i := range imps {
		if i.State != "consent_required" {
			t.Fatalf("import %s = %s (%s), want consent_required", i.Timeline, i.State, i.Error)
		}
	}
}

func TestRefreshQueuesTheMonthOnce(t *testing.T) {
	env := sandboxtest.NewEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	s := newService(t, env, prices.Options{})
	ctx := context.Background()
	n, err := s.Refresh(ctx)
	if err != nil || n != 2 {
		t.Fatalf("first refresh queued %d (%v), want 2 (current and future of US)", n, err)
	}
	if n, err = s.Refresh(ctx); err != nil || n != 0 {
		t.Fatalf("second refresh queued %d (%v), want 0", n, err)
	}
	_ = time.Now
}

func TestPricerChecksAndMarksUpBilledLines(t *testing.T) {
	env := sandboxtest.NewEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	env.Run(mirror.KindCatalog)
	s := newService(t, env, prices.Options{})
	importAll(t, env, s, "US")
	ctx := context.Background()
	cust := uuid.New()
	if _, err := env.Store.Pool.Exec(ctx, `INSERT INTO customers (id, company_name, address_country) VALUES ($1, 'Fabrikam', 'US')`, cust); err != nil {
		t.Fatal(err)
	}
	var product, sku, plan, cur string
	var price decimal.Decimal
	if err := env.Store.Pool.QueryRow(ctx, `SELECT r.product_id, r.sku_id, r.billing_plan, r.currency, r.unit_price
		FROM price_sheet_rows r JOIN price_sheet_imports i ON i.id = r.import_id
		WHERE i.timeline = 'current' AND r.billing_plan = 'monthly' AND r.term_duration = 'P1Y' LIMIT 1`).
		Scan(&product, &sku, &plan, &cur, &price); err != nil {
		t.Fatal(err)
	}
	line := billing.LineItem{Kind: "license", CustomerID: cust, ProductID: product, SkuID: sku, BillingCycle: "Monthly",
		Currency: cur, UnitPrice: price, Quantity: decimal.NewFromInt(3), Cost: price.Mul(decimal.NewFromInt(3)), ChargeStart: env.SB.Now()}
	p := s.Pricer()
	got, err := p.ExpectedPrice(ctx, env.Store.Pool, line)
	if err != nil || !got.Equal(price) {
		t.Fatalf("ExpectedPrice = %s, %v; want %s", got, err, price)
	}
	wrong := line
	wrong.UnitPrice = price.Add(decimal.NewFromInt(1))
	if got, err := p.ExpectedPrice(ctx, env.Store.Pool, wrong); err != nil || got.Equal(wrong.UnitPrice) {
		t.Fatalf("a wrong price passed the check: %s, %v", got, err)
	}
	old := line
	old.ChargeStart = env.SB.Now().AddDate(-1, 0, 0)
	if _, err := p.ExpectedPrice(ctx, env.Store.Pool, old); !errors.Is(err, billing.ErrNoPriceSheet) {
		t.Fatalf("a month without a sheet: %v, want ErrNoPriceSheet", err)
	}

	// no rule: at cost; a customer rule beats the default
	if sale, err := p.Sale(ctx, cust, line); err != nil || !sale.Equal(line.Cost) {
		t.Fatalf("Sale without rules = %s, %v", sale, err)
	}
	by := store.Actor{Label: "test"}
	if pr, err := s.SaveRule(ctx, by, prices.RuleForm{Kind: "percent", Amount: "10", Rounding: "cents"}); err != nil || len(pr) > 0 {
		t.Fatal(pr, err)
	}
	if pr, err := s.SaveRule(ctx, by, prices.RuleForm{CustomerID: &cust, Kind: "fixed", Amount: "1", Rounding: "cents"}); err != nil || len(pr) > 0 {
		t.Fatal(pr, err)
	}
	want := price.Add(decimal.NewFromInt(1)).Mul(decimal.NewFromInt(3)).Round(2)
	if sale, err := p.Sale(ctx, cust, line); err != nil || !sale.Equal(want) {
		t.Fatalf("Sale = %s, %v; want %s (customer rule: +1 a unit)", sale, err, want)
	}
	want = price.Mul(decimal.RequireFromString("1.1")).Round(2).Mul(decimal.NewFromInt(3)).Round(2)
	if sale, err := p.Sale(ctx, uuid.New(), line); err != nil || !sale.Equal(want) {
		t.Fatalf("Sale for another customer = %s, %v; want %s (default +10%%)", sale, err, want)
	}
	if n := env.Count(`SELECT count(*) FROM audit_log WHERE action = 'prices.markup_saved'`); n != 2 {
		t.Fatalf("%d audit entries, want 2", n)
	}

	// A reseller's customer: the provider bills the reseller at its rule
	// for that reseller (+5 %), never at the reseller's own rule (+50 %).
	res, rcust := uuid.New(), uuid.New()
	if _, err := env.Store.Pool.Exec(ctx, `INSERT INTO resellers (tenant_id, name, mpn_id) VALUES ($1, 'First Up', '4847383')`, res); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.Pool.Exec(ctx, `INSERT INTO customers (id, company_name, address_country, associated_partner_id)
		VALUES ($1, 'Tailspin', 'US', $2::text)`, rcust, res); err != nil {
		t.Fatal(err)
	}
	for _, f := range []prices.RuleForm{{ResellerID: &res, Amount: "5"}, {Owner: store.ResellerRules(res), Amount: "50"}} {
		f.Kind, f.Rounding = "percent", "cents"
		if pr, err := s.SaveRule(ctx, by, f); err != nil || len(pr) > 0 {
			t.Fatal(pr, err)
		}
	}
	want = price.Mul(decimal.RequireFromString("1.05")).Round(2).Mul(decimal.NewFromInt(3)).Round(2)
	if sale, err := p.Sale(ctx, rcust, line); err != nil || !sale.Equal(want) {
		t.Fatalf("Sale to the reseller = %s, %v; want %s (its rule +5%%)", sale, err, want)
	}
	q, err := p.Quote(ctx, rcust, product+"/"+sku, "", price)
	toReseller := price.Mul(decimal.RequireFromString("1.05")).Round(2)
	if err != nil || !q.Provider.Equal(toReseller) || !q.Customer.Equal(toReseller.Mul(decimal.RequireFromString("1.5")).Round(2)) || q.Reseller != res {
		t.Fatalf("Quote = %+v, %v", q, err)
	}
}

func TestFutureSheetPricesTheRenewal(t *testing.T) {
	env := sandboxtest.NewEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	env.Run(mirror.KindCatalog)
	ctx := context.Background()
	changes := env.SB.PriceChanges()
	if len(changes) == 0 || len(changes[0].SKUs) == 0 {
		t.Fatal("the sandbox published no price change")
	}
	var item string
	for _, ch := range changes {
		for _, k := range ch.SKUs {
			ps := strings.SplitN(k, ":", 2)
			_ = env.Store.Pool.QueryRow(ctx, `SELECT a.catalog_item_id FROM availabilities a, jsonb_array_elements(a.terms) t
				WHERE a.product_id = $1 AND a.sku_id = $2 AND a.country = 'US' AND a.is_purchasable AND a.catalog_item_id <> ''
				  AND t->>'duration' = 'P1Y' AND lower(t->>'billingCycle') = 'monthly' LIMIT 1`, ps[0], ps[1]).Scan(&item)
			if item != "" {
				break
			}
		}
		if item != "" {
			break
		}
	}
	if item == "" {
		t.Fatal("no purchasable P1Y monthly item among the changed SKUs")
	}
	cust := env.NewCustomer(true)
	cart, err := env.Client.CreateCart(ctx, pccclient.NewRequestID(), cust, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: item, Quantity: 2, BillingCycle: pccclient.BillingCycleMonthly, TermDuration: "P1Y"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.Client.CheckoutCart(ctx, pccclient.NewRequestID(), cust, cart.ID)
	if err != nil {
		t.Fatal(err)
	}
	env.SB.Advance(time.Minute)
	env.Run(mirror.KindFull)
	sub := res.Orders[0].LineItems[0].SubscriptionID

	s := newService(t, env, prices.Options{})
	imps := importAll(t, env, s, "US")
	for _, i := range imps {
		if i.Timeline == "future" && i.State != "done" {
			t.Fatalf("future sheet: %s (%s)", i.State, i.Error)
		}
	}
	var cur, next decimal.NullDecimal
	var source string
	if err := env.Store.Pool.QueryRow(ctx, `SELECT current_unit_price, next_unit_price, price_source FROM subscription_lifecycle
		WHERE subscription_id = $1`, sub).Scan(&cur, &next, &source); err != nil {
		t.Fatal(err)
	}
	if !cur.Valid || !next.Valid || cur.Decimal.Equal(next.Decimal) || !strings.HasPrefix(source, "price sheet from") {
		t.Fatalf("renewal priced %v -> %v by %q; want the future sheet's changed price", cur, next, source)
	}
}

// TestRefreshRetriesSheetsThatNeededConsent: sheets that could not be
// downloaded without the partner admin's sign-in are queued again by the
// next refresh (the one a new sign-in queues), the future one included.
func TestRefreshRetriesSheetsThatNeededConsent(t *testing.T) {
	env := sandboxtest.NewEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	env.Config.UserTokens = nil
	env.Stack = env.NewStack(sandboxtest.StackOptions{})
	s := newService(t, env, prices.Options{})
	ctx := context.Background()
	importQueued := func() {
		t.Helper()
		imps, err := env.Store.PriceSheetImports(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range imps {
			if i.State == "queued" {
				if err := s.Import(ctx, i.ID); err != nil {
					t.Fatalf("import %d: %v", i.ID, err)
				}
			}
		}
	}
	if n, err := s.Refresh(ctx); err != nil || n != 2 {
		t.Fatalf("first refresh queued %d (%v), want 2", n, err)
	}
	importQueued()
	if n := env.Count(`SELECT count(*) FROM price_sheet_imports WHERE state = 'consent_required'`); n != 2 {
		t.Fatalf("%d imports need consent, want 2", n)
	}
	if n, err := s.Refresh(ctx); err != nil || n != 2 {
		t.Fatalf("refresh after imports that needed consent queued %d (%v), want 2 (current and future again)", n, err)
	}
	if n, err := s.Refresh(ctx); err != nil || n != 0 {
		t.Fatalf("refresh with both queued queued %d (%v), want 0", n, err)
	}
	if err := s.QueueRefresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.QueueRefresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := env.Count(`SELECT count(*) FROM river_job WHERE kind = 'prices.refresh' AND state = 'available'`); n != 1 {
		t.Fatalf("%d refresh jobs waiting, want 1 (unique)", n)
	}
}

// TestCatalogSyncPricesASheetLoadedBeforeIt: on a new install the sheet
// can arrive before the catalog's availabilities (it then prices nothing);
// the catalog sync rebuilds the price list from it.
func TestCatalogSyncPricesASheetLoadedBeforeIt(t *testing.T) {
	env := sandboxtest.NewEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	s := newService(t, env, prices.Options{})
	imps := importAll(t, env, s, "US")
	for _, i := range imps {
		if i.Timeline == "current" && (i.State != "done" || i.Rows == 0) {
			t.Fatalf("current import = %+v, want done with rows", i)
		}
	}
	if n := env.Count(`SELECT count(*) FROM prices WHERE country = 'US' AND gone_at IS NULL`); n != 0 {
		t.Fatalf("%d prices without a catalog", n)
	}
	env.Run(mirror.KindCatalog)
	if n := env.Count(`SELECT count(*) FROM prices p JOIN price_sheet_rows r ON r.unit_price = p.unit_price
		JOIN availabilities a ON a.catalog_item_id = p.item_id AND r.product_id = a.product_id AND r.sku_id = a.sku_id
		WHERE p.country = 'US' AND p.gone_at IS NULL`); n == 0 {
		t.Fatal("the catalog sync did not price the list from the loaded sheet")
	}
}
