package prices_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/store"
)

// A big customer's run rate is kept for its data version and the rules it
// was priced with: another version, or a rule saved, prices it again.
func TestRunRateIsKeptPerVersionUntilTheRulesChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := testdb.NewStore(t)
	id := uuid.New()
	if _, err := st.Pool.Exec(ctx, `INSERT INTO customers (id, company_name) VALUES ($1, 'Big')`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `INSERT INTO subscriptions (id, customer_id, offer_id, offer_name, quantity, status, term_duration, billing_cycle)
		SELECT 'b' || g, $1, 'CFQ7TTC0LH18:0001', 'Offer', 1, 'active', 'P1M', 'monthly' FROM generate_series(1, 120) g`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `INSERT INTO subscription_lifecycle (subscription_id, customer_id, currency, current_unit_price)
		SELECT id, customer_id, 'EUR', 2 FROM subscriptions WHERE customer_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	d, err := st.CustomerDetail(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	p := prices.NewPricer(st)
	sale := func(version int64, rows []store.PricedSubscription) string {
		t.Helper()
		rr, err := p.RunRateAt(ctx, prices.Provider, id, version, rows)
		if err != nil || len(rr.Totals) != 1 {
			t.Fatalf("run rate: %+v, %v", rr.Totals, err)
		}
		return rr.Totals[0].Sale.StringFixed(2)
	}
	if got := sale(d.Version, d.Priced); got != "240.00" {
		t.Fatalf("sale %s, want 240.00 (120 at 2, no rule)", got)
	}
	fewer := d.Priced[:110]
	if got := sale(d.Version, fewer); got != "240.00" {
		t.Fatalf("same version, other rows: sale %s, want the kept 240.00", got)
	}
	if got := sale(d.Version+1, fewer); got != "220.00" {
		t.Fatalf("a new version: sale %s, want 220.00 priced again", got)
	}
	if _, err := st.Pool.Exec(ctx, `INSERT INTO markup_rules (kind, amount) VALUES ('percent', 10)`); err != nil {
		t.Fatal(err)
	}
	p.Forget() // what saving a rule does
	if got := sale(d.Version+1, d.Priced); got != "264.00" {
		t.Fatalf("after a rule was saved: sale %s, want 264.00 (+10 %%, priced again)", got)
	}
	// A small customer is priced on every call.
	small := d.Priced[:10]
	if got := sale(d.Version, small); got != "22.00" {
		t.Fatalf("10 subscriptions: sale %s, want 22.00", got)
	}
	if got := sale(d.Version, small[:5]); got != "11.00" {
		t.Fatalf("5 subscriptions at the same version: sale %s, want 11.00 (small lists are not kept)", got)
	}
}
