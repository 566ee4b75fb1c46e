package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The sandbox's new-commerce prices. One model prices both the price sheet
// (GET /v1.0/sales/pricesheets(...)/$value) and the orders (include_price),
// so the two always agree for the month of an order.
//
// The seed catalog gives each term a monthly price per currency; it is the
// estimated retail price (the sheet's "ERP Price") of paying the term up
// front, per month. From it, PC's rules:
//
//   - upfront billing (P1Y Annual, P3Y Triennial) and annual billing of a
//     longer term (P3Y Annual) cost the monthly price times the months billed;
//   - monthly billing of an annual or three-year term costs 5% more than
//     paying up front (since 1 April 2025; learn.microsoft.com Partner Center
//     announcements, March 2025: the March price list preview was republished
//     "to reflect the 5% price increase of monthly billing plans");
//   - a monthly term (P1M) costs 20% more than the annual term;
//   - UnitPrice, the partner's price, is 80% of the ERP price (the ratio of
//     the one row learn.microsoft.com "Get a price sheet" shows: 115.2 of 144),
//     and the rules above apply to each of the two prices on its own;
//   - published price changes (PriceChange) move the monthly price by a
//     percentage from the first day of a month; amounts are rounded half up
//     to cents after every step.
var (
	hundred            = decimal.NewFromInt(100)
	monthlyBillingRate = decimal.RequireFromString("1.05")
	monthlyTermRate    = decimal.RequireFromString("1.2")
	partnerRate        = decimal.RequireFromString("0.8")
	// monthlyBillingSince is when monthly billing of P1Y/P3Y began to cost 5% more.
	monthlyBillingSince = time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	// priceListEpoch is the first month with a new-commerce license-based
	// price sheet (seat-based new commerce became generally available in
	// January 2022); history before it answers 404.
	priceListEpoch = time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	// openEnd is the EffectiveEndDate of a price with no published end (the
	// value PC's documented sample row carries: 11/30/9999 11:59:59 PM).
	openEnd = time.Date(9999, 11, 30, 23, 59, 59, 0, time.UTC)
)

// PriceChange is a published change of new-commerce prices: from Effective
// (the first day of a month, 00:00 UTC) the monthly price of the selected
// SKUs moves by Percent (3 raises by 3%, -5 lowers by 5%). The sandbox
// publishes one at New for the first day of the month after its clock's
// start (some SKUs +3%, some -5%); SchedulePriceChange adds more.
type PriceChange struct {
	Effective time.Time       `json:"effective"`
	Percent   decimal.Decimal `json:"percent"`
	// SKUs are "productId:skuId" keys of catalog SKUs.
	SKUs []string `json:"skus"`
	// BulkEvery/BulkOffset select the synthetic SKUs of bulk price sheets
	// (SetPriceSheetBulkRows): every BulkEvery-th, starting at BulkOffset.
	BulkEvery  int `json:"bulkEvery,omitempty"`
	BulkOffset int `json:"bulkOffset,omitempty"`
}

// applies reports whether the change moves the SKU (bulk < 0: a catalog SKU).
func (pc *PriceChange) applies(sku string, bulk int) bool {
	if bulk >= 0 {
		return pc.BulkEvery > 0 && bulk%pc.BulkEvery == pc.BulkOffset
	}
	return slices.ContainsFunc(pc.SKUs, func(k string) bool { return strings.EqualFold(k, sku) })
}

// monthStart is the first instant of t's month (UTC).
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// priceBook prices new-commerce SKUs with the changes published so far. It
// is a snapshot: built under s.mu, used without it.
type priceBook struct {
	changes []PriceChange // by Effective
}

// priceBookLocked snapshots the published changes (caller holds s.mu).
func (s *Sandbox) priceBookLocked() *priceBook {
	b := &priceBook{changes: slices.Clone(s.st.PriceChanges)}
	slices.SortStableFunc(b.changes, func(x, y PriceChange) int { return x.Effective.Compare(y.Effective) })
	return b
}

// move applies the changes in effect at `at` to a monthly price and returns
// it with when it took effect (zero: never changed) and when the next
// published change of the SKU takes effect (zero: none).
func (b *priceBook) move(p decimal.Decimal, sku string, bulk int, at time.Time) (decimal.Decimal, time.Time, time.Time) {
	var since, next time.Time
	for i := range b.changes {
		ch := &b.changes[i]
		if !ch.applies(sku, bulk) {
			continue
		}
		if ch.Effective.After(at) {
			next = ch.Effective
			break
		}
		p = p.Mul(hundred.Add(ch.Percent)).Div(hundred).Round(2)
		since = ch.Effective
	}
	return p, since, next
}

// hasChangeAt reports whether a published change takes effect at m.
func (b *priceBook) hasChangeAt(m time.Time) bool {
	for _, ch := range b.changes {
		if ch.Effective.Equal(m) {
			return true
		}
	}
	return false
}

// termMonths is the length of an ISO-8601 term (P1M 1, P1Y 12, P3Y 36; 0
// for no term, as the Azure plan has).
func termMonths(d string) int {
	n, unit, ok := parseISODuration(d)
	switch {
	case !ok:
		return 0
	case unit == 'Y':
		return 12 * n
	case unit == 'M':
		return n
	}
	return 0
}

// periodMonths is the months one bill of a billing plan covers (0: none,
// as trials have).
func periodMonths(plan string) int {
	switch strings.ToLower(plan) {
	case "monthly":
		return 1
	case "annual":
		return 12
	case "triennial":
		return 36
	}
	return 0
}

// planPrice applies PC's rules (see the top of this file) to one price
// level: base is the monthly upfront price of the term, base1Y that of the
// SKU's one-year term (has1Y false: none), at the month priced.
func planPrice(base, base1Y decimal.Decimal, has1Y bool, term, period int, at time.Time) decimal.Decimal {
	switch {
	case period == 0 || term == 0:
		return base
	case term == 1:
		if has1Y {
			return base1Y.Mul(monthlyTermRate).Round(2)
		}
		return base
	case period == 1:
		if at.Before(monthlyBillingSince) {
			return base
		}
		return base.Mul(monthlyBillingRate).Round(2)
	default:
		return base.Mul(decimal.NewFromInt(int64(period)))
	}
}

// planQuote is one term and billing plan of a SKU at a time.
type planQuote struct {
	Unit, ERP decimal.Decimal
	// Since is when this price took effect; Until when the next published
	// change replaces it (zero: none).
	Since, Until time.Time
}

// seedPrice reads a seed amount (JSON numbers with at most two decimals).
func seedPrice(prices map[string]float64, cur string) (decimal.Decimal, bool) {
	v, ok := prices[cur]
	if !ok {
		return decimal.Decimal{}, false
	}
	return decimal.NewFromFloat(v).Round(2), true
}

// upfrontTerm is the term of duration d billed once for the whole term, or
// else the first term of that duration.
func upfrontTerm(av *seedAvailability, d string) *seedTerm {
	var first *seedTerm
	for i := range av.Terms {
		t := &av.Terms[i]
		if !strings.EqualFold(t.Duration, d) {
			continue
		}
		if first == nil {
			first = t
		}
		if n := termMonths(d); n > 0 && periodMonths(t.BillingCycle) == n {
			return t
		}
	}
	return first
}

// levels are the monthly upfront prices of a term at `at`: ERP and the
// partner's, with when they took effect and the next change.
type levels struct {
	erp, unit    decimal.Decimal
	since, until time.Time
}

// levelsOf moves a seed monthly price by the changes of the SKU.
func (b *priceBook) levelsOf(seed decimal.Decimal, sku string, bulk int, at time.Time) levels {
	erp, since, until := b.move(seed, sku, bulk, at)
	return levels{erp: erp, unit: erp.Mul(partnerRate).Round(2), since: since, until: until}
}

// quote prices term t of a catalog availability in currency cur at `at`.
func (b *priceBook) quote(it *item, t *seedTerm, cur string, at time.Time) (planQuote, bool) {
	if it.Trial {
		// Trials cost nothing whatever the seed says.
		return planQuote{Since: priceListEpoch}, true
	}
	sku := it.skuKey()
	base := upfrontTerm(it.Avail, t.Duration)
	seed, ok := seedPrice(base.Prices, cur)
	if !ok {
		return planQuote{}, false
	}
	lv := b.levelsOf(seed, sku, -1, at)
	var y levels
	has1Y := false
	if termMonths(t.Duration) == 1 {
		if t1 := upfrontTerm(it.Avail, "P1Y"); t1 != nil {
			if s1, ok := seedPrice(t1.Prices, cur); ok {
				y, has1Y = b.levelsOf(s1, sku, -1, at), true
				lv.since, lv.until = y.since, y.until
			}
		}
	}
	return finishQuote(lv, y, has1Y, termMonths(t.Duration), periodMonths(t.BillingCycle), at), true
}

// finishQuote applies the plan rules to both price levels.
func finishQuote(lv, y levels, has1Y bool, term, period int, at time.Time) planQuote {
	q := planQuote{
		Unit:  planPrice(lv.unit, y.unit, has1Y, term, period, at),
		ERP:   planPrice(lv.erp, y.erp, has1Y, term, period, at),
		Since: lv.since, Until: lv.until,
	}
	if q.Since.IsZero() {
		q.Since = priceListEpoch
	}
	// Monthly billing of a longer term changed price when the 5% rule began.
	if term > 1 && period == 1 {
		if !at.Before(monthlyBillingSince) && q.Since.Before(monthlyBillingSince) {
			q.Since = monthlyBillingSince
		}
		if at.Before(monthlyBillingSince) && (q.Until.IsZero() || q.Until.After(monthlyBillingSince)) {
			q.Until = monthlyBillingSince
		}
	}
	return q
}

// orderUnitPrice is what PC bills per unit and billing period for a
// purchase made at `at`: the price sheet's UnitPrice for new commerce, the
// monthly list price times the months billed for legacy offers.
func (s *Sandbox) orderUnitPrice(b *priceBook, it *item, cur, term, cycle string, at time.Time) decimal.Decimal {
	if it.NCE {
		t := it.term(term, cycle)
		if t == nil {
			return decimal.Zero
		}
		q, ok := b.quote(it, t, cur, monthStart(at))
		if !ok {
			return decimal.Zero
		}
		return q.Unit
	}
	monthly, _ := seedPrice(it.Offer.Prices, cur)
	if n := periodMonths(cycle); n > 1 {
		return monthly.Mul(decimal.NewFromInt(int64(n)))
	}
	return monthly
}

// seedPriceChangesLocked publishes the sandbox's first price change for the
// month after now: catalog SKUs 0, 4, 8, ... (sorted by productId:skuId)
// +3%, SKUs 1, 5, 9, ... -5%, and the same pattern over bulk SKUs.
func (s *Sandbox) seedPriceChangesLocked(now time.Time) {
	eff := monthStart(now).AddDate(0, 1, 0)
	var keys []string
	for _, it := range s.cat.items {
		if it.NCE && !it.Trial && it.Billing == "license" && !slices.Contains(keys, it.skuKey()) {
			keys = append(keys, it.skuKey())
		}
	}
	slices.Sort(keys)
	up := PriceChange{Effective: eff, Percent: decimal.NewFromInt(3), SKUs: []string{}, BulkEvery: 4, BulkOffset: 0}
	down := PriceChange{Effective: eff, Percent: decimal.NewFromInt(-5), SKUs: []string{}, BulkEvery: 4, BulkOffset: 1}
	for i, k := range keys {
		switch i % 4 {
		case 0:
			up.SKUs = append(up.SKUs, k)
		case 1:
			down.SKUs = append(down.SKUs, k)
		}
	}
	s.st.PriceChanges = append(s.st.PriceChanges, up, down)
	s.st.PricesSeeded = true
}

// SchedulePriceChange publishes a price change: from the first day of
// effective's month the monthly price of the given catalog SKUs
// ("productId:skuId") moves by percent. With no SKUs it applies to every
// paid new-commerce SKU of the catalog and of bulk sheets.
func (s *Sandbox) SchedulePriceChange(effective time.Time, percent decimal.Decimal, skus ...string) error {
	if percent.LessThanOrEqual(decimal.NewFromInt(-100)) {
		return fmt.Errorf("sandbox: a price change of %s%% would make prices negative", percent)
	}
	pc := PriceChange{Effective: monthStart(effective), Percent: percent, SKUs: []string{}}
	if len(skus) == 0 {
		pc.BulkEvery = 1
	}
	for _, k := range skus {
		if s.cat.skuKnown(k) == "" {
			return fmt.Errorf("sandbox: no new-commerce SKU %q (want productId:skuId)", k)
		}
		pc.SKUs = append(pc.SKUs, s.cat.skuKnown(k))
	}
	if len(skus) == 0 {
		for _, it := range s.cat.items {
			if it.NCE && !it.Trial && it.Billing == "license" && !slices.Contains(pc.SKUs, it.skuKey()) {
				pc.SKUs = append(pc.SKUs, it.skuKey())
			}
		}
		slices.Sort(pc.SKUs)
	}
	s.mu.Lock()
	s.st.PriceChanges = append(s.st.PriceChanges, pc)
	s.mu.Unlock()
	s.changed()
	return nil
}

// PriceChanges returns the published price changes, earliest first.
func (s *Sandbox) PriceChanges() []PriceChange {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.priceBookLocked().changes
}

// skuKnown returns the catalog's spelling of a productId:skuId key, "" if unknown.
func (c *catalog) skuKnown(k string) string {
	for _, it := range c.items {
		if it.NCE && strings.EqualFold(it.skuKey(), k) {
			return it.skuKey()
		}
	}
	return ""
}
