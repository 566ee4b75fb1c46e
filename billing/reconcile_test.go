package billing_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
)

// sheet is a price sheet that disagrees with Partner Center about one
// subscription's unit price.
type sheet struct{ wrong string }

func (p sheet) ExpectedPrice(_ context.Context, _ store.BillingDB, l billing.LineItem) (decimal.Decimal, error) {
	if l.SubscriptionID == p.wrong {
		return l.UnitPrice.Add(decimal.NewFromInt(1)), nil
	}
	return l.UnitPrice, nil
}

// TestReconciliationFlagsEachSeededMismatchAndNothingElse bills a month
// with four seeded problems among healthy lines: a subscription the mirror
// lost, a seat count the mirror disagrees with, a subscription suspended in
// the month, and a price the price sheet disagrees with.
func TestReconciliationFlagsEachSeededMismatchAndNothingElse(t *testing.T) {
	t.Parallel()
	f := newFixture(t, billing.Options{})
	c1, c2 := f.env.NewCustomer(true), f.env.NewCustomer(true)
	healthy := f.buy(c1, nceBasic, 10, "P1Y", "monthly")
	seats := f.buy(c1, nceStandard, 3, "P1Y", "annual")
	suspended := f.buy(c2, nceBasic, 4, "P1M", "monthly")
	lost := f.buy(c2, nceStandard, 2, "P1Y", "monthly")
	priced := f.buy(c2, nceStandard, 6, "P1Y", "monthly")
	f.env.SB.Advance(3 * 24 * time.Hour)
	f.change(c1, healthy, func(s *pccclient.Subscription) { s.Quantity = 15 }) // pro-rated, not a mismatch
	f.env.SB.Advance(2 * 24 * time.Hour)
	f.change(c2, suspended, func(s *pccclient.Subscription) { s.Status = pccclient.SubscriptionStatus("suspended") })
	f.toInvoiceDay()
	f.env.Run("full")
	if _, err := f.env.Store.Pool.Exec(f.ctx, `UPDATE subscriptions SET quantity = 4 WHERE id = $1`, seats); err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.Store.Pool.Exec(f.ctx, `DELETE FROM subscriptions WHERE id = $1`, lost); err != nil {
		t.Fatal(err)
	}
	f.s.SetPrices(sheet{wrong: priced})
	inv := f.invoice()
	f.sync()
	f.runAll()

	rows, err := f.env.Store.Pool.Query(f.ctx, `SELECT check_name, subscription_id, reason FROM billing_findings WHERE invoice_id = $1`, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	reasons := map[string]string{}
	for rows.Next() {
		var check, sub, reason string
		_ = rows.Scan(&check, &sub, &reason)
		got = append(got, check+" "+sub)
		reasons[check] = reason
	}
	rows.Close()
	want := []string{"price " + priced, "seats " + seats, "status " + suspended, "unmatched " + lost}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for check, part := range map[string]string{
		"seats":     "Billed 3 seats (New from ",
		"status":    "the subscription was suspended on ",
		"unmatched": "is not in the mirror",
		"price":     "the price sheet says",
	} {
		if !strings.Contains(reasons[check], part) {
			t.Errorf("%s reason %q lacks %q", check, reasons[check], part)
		}
	}
}

// TestReconciliationWithoutPriceSheetSaysSo: the default checker skips
// the price check with a note, not a finding per line.
func TestReconciliationWithoutPriceSheetSaysSo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, billing.Options{})
	inv := f.month()
	f.sync()
	f.runAll()
	n := f.count(`SELECT count(*) FROM billing_findings WHERE invoice_id = $1 AND check_name <> 'note'`, inv.ID)
	notes := f.count(`SELECT count(*) FROM billing_findings WHERE invoice_id = $1 AND check_name = 'note'
	    AND reason LIKE 'Unit prices were not checked: no price sheet imported for %'`, inv.ID)
	if n != 0 || notes != 1 {
		t.Fatalf("%d findings, %d price notes; want 0 and 1", n, notes)
	}
}
