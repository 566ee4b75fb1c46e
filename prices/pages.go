package prices

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// Prices for the pages: a customer's subscriptions at cost and sale with
// the monthly run rate, the renewals whose sale price changes, and a
// customer's price list. Costs are the partner's (the price sheet's unit
// price per billing period); sales are the markup rules applied per unit.
// Callers that face customers use only the sale fields.

// SubscriptionPrice is one subscription of a customer priced.
type SubscriptionPrice struct {
	ID, ParentID, Name, Offer, Status string
	Quantity                          int
	TermDuration, BillingCycle        string
	Currency                          string
	// UnitCost and UnitSale are per unit and billing period (invalid when
	// the subscription's price is not known).
	UnitCost, UnitSale decimal.NullDecimal
	// MonthlyCost and MonthlySale are the whole subscription per month.
	MonthlyCost, MonthlySale decimal.Decimal
	// Counted: in the run rate (active, priced, billed in a known period).
	Counted bool
	// Why it is not counted, in words ("" when it is).
	NotCounted string
	Rule       string // the markup rule that priced it ("" at cost)
	// The next term: its unit cost and sale per NextBillingCycle (the
	// future sheet's price when the term renews into a published month).
	NextUnitCost, NextUnitSale decimal.NullDecimal
	NextBillingCycle           string
	NextQuantity               int
	RenewsOn                   *time.Time
	PriceSource                string
}

// SaleChanges says whether the next term's sale price differs from the
// current one (compared per unit and month when the billing plan changes).
func (sp SubscriptionPrice) SaleChanges() bool {
	if !sp.UnitSale.Valid || !sp.NextUnitSale.Valid {
		return false
	}
	return saleDiffers(sp.UnitSale.Decimal, sp.NextUnitSale.Decimal, sp.BillingCycle, sp.nextCycle(), sp.TermDuration)
}

func (sp SubscriptionPrice) nextCycle() string { return cmp.Or(sp.NextBillingCycle, sp.BillingCycle) }

// CurrencyTotal is a run rate in one currency (currencies never summed).
type CurrencyTotal struct {
	Currency           string
	Cost, Sale, Margin decimal.Decimal
	Subscriptions      int
	MarginShare        decimal.Decimal // margin as % of sale
	NextCost, NextSale decimal.Decimal // the same subscriptions once renewed
	NextKnown          bool
}

// RunRate is a customer's subscriptions priced and their monthly totals.
type RunRate struct {
	Subscriptions []SubscriptionPrice
	Totals        []CurrencyTotal
}

// CustomerRunRate prices the customer's subscriptions (no other
// customer's) at cost and sale as party sees them, per unit and per
// month, with the next term's prices, and totals the active ones per
// currency.
func (p *Pricer) CustomerRunRate(ctx context.Context, party Party, customer uuid.UUID) (RunRate, error) {
	rows, err := p.st.CustomerPricedSubscriptions(ctx, customer)
	if err != nil {
		return RunRate{}, err
	}
	return p.RunRateOf(ctx, party, customer, rows)
}

// RunRateAt is RunRateOf over rows read at the customer's data version
// (store.CustomerDetail). A big customer's run rate is kept per party
// until that version or the rules move, and shared: not to be changed.
func (p *Pricer) RunRateAt(ctx context.Context, party Party, customer uuid.UUID, version int64, rows []store.PricedSubscription) (RunRate, error) {
	if len(rows) < keepRunRateFrom {
		return p.RunRateOf(ctx, party, customer, rows)
	}
	// The generation is read before pricing: rules that change meanwhile
	// leave this run rate kept under the older one.
	if _, err := p.ruleSet(ctx); err != nil {
		return RunRate{}, err
	}
	key := runRateKey{customer, party}
	p.mu.Lock()
	gen := p.gen
	k, ok := p.kept[key]
	if ok && k.version == version && k.gen == gen {
		p.keptTick++
		k.used = p.keptTick
		p.mu.Unlock()
		return k.rr, nil
	}
	p.mu.Unlock()
	rr, err := p.RunRateOf(ctx, party, customer, rows)
	if err != nil {
		return rr, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keptTick++
	p.kept[key] = &keptRunRate{version: version, gen: gen, rr: rr, used: p.keptTick}
	for len(p.kept) > keepRunRates {
		var oldest runRateKey
		var at uint64
		for key, k := range p.kept {
			if at == 0 || k.used < at {
				oldest, at = key, k.used
			}
		}
		delete(p.kept, oldest)
	}
	return rr, nil
}

const (
	// keepRunRateFrom is the fewest subscriptions whose run rate is kept
	// (as the store keeps their rows).
	keepRunRateFrom = 100
	// keepRunRates bounds the run rates kept: twenty big customers, each
	// seen by the provider's staff, its reseller and itself.
	keepRunRates = 60
)

type runRateKey struct {
	customer uuid.UUID
	party    Party
}

type keptRunRate struct {
	version int64
	gen     uint64
	rr      RunRate
	used    uint64
}

// RunRateOf is CustomerRunRate over the customer's priced subscriptions
// read by the caller (with the rest of its page, in one snapshot).
func (p *Pricer) RunRateOf(ctx context.Context, party Party, customer uuid.UUID, rows []store.PricedSubscription) (RunRate, error) {
	out := RunRate{Subscriptions: make([]SubscriptionPrice, 0, len(rows))}
	// The totals add in place (rules.Sum), per currency.
	type sums struct {
		CurrencyTotal
		cost, sale, nextCost, nextSale rules.Sum
	}
	totals := map[string]*sums{}
	quote := p.quoter(customer)
	for _, r := range rows {
		sp := SubscriptionPrice{ID: r.ID, ParentID: r.ParentSubscriptionID, Name: cmp.Or(r.FriendlyName, r.OfferName), Offer: r.OfferName,
			Status: r.Status, Quantity: int(r.Quantity), TermDuration: r.TermDuration, BillingCycle: strings.ToLower(r.BillingCycle),
			Currency: strings.ToUpper(r.Currency), UnitCost: r.CurrentUnitPrice, NextUnitCost: r.NextUnitPrice,
			NextBillingCycle: strings.ToLower(r.NextBillingCycle), NextQuantity: int(r.NextQuantity), RenewsOn: r.RenewsAt,
			PriceSource: r.PriceSource}
		if r.CurrentUnitPrice.Valid {
			q, err := quote(ctx, r.OfferID, r.CurrentUnitPrice.Decimal)
			if err != nil {
				return RunRate{}, err
			}
			cost, sale, rule := q.Seen(party)
			sp.UnitCost, sp.UnitSale, sp.Rule = decimal.NewNullDecimal(cost), decimal.NewNullDecimal(sale), rule
		}
		if r.NextUnitPrice.Valid {
			q, err := quote(ctx, cmp.Or(r.NextItemID, r.OfferID), r.NextUnitPrice.Decimal)
			if err != nil {
				return RunRate{}, err
			}
			cost, sale, _ := q.Seen(party)
			sp.NextUnitCost, sp.NextUnitSale = decimal.NewNullDecimal(cost), decimal.NewNullDecimal(sale)
		}
		var mc, ms decimal.Decimal
		ok := false
		if sp.UnitCost.Valid {
			mc, ok = rules.MonthlyEquivalent(sp.UnitCost.Decimal, int64(sp.Quantity), sp.BillingCycle, sp.TermDuration)
			ms, _ = rules.MonthlyEquivalent(sp.UnitSale.Decimal, int64(sp.Quantity), sp.BillingCycle, sp.TermDuration)
		}
		switch {
		case r.Status != "active":
			sp.NotCounted = "not active"
		case r.BillingType == "usage":
			sp.NotCounted = "billed by usage"
		case !sp.UnitCost.Valid || sp.Currency == "":
			sp.NotCounted = "no price known"
		case !ok:
			sp.NotCounted = "billing plan unknown"
		default:
			sp.Counted, sp.MonthlyCost, sp.MonthlySale = true, mc, ms
			t := totals[sp.Currency]
			if t == nil {
				t = &sums{CurrencyTotal: CurrencyTotal{Currency: sp.Currency, NextKnown: true}}
				totals[sp.Currency] = t
			}
			t.cost.Add(mc)
			t.sale.Add(ms)
			t.Subscriptions++
			nc, ns, nok := sp.nextMonthly()
			if !nok {
				nc, ns = mc, ms
				t.NextKnown = t.NextKnown && sp.RenewsOn == nil
			}
			t.nextCost.Add(nc)
			t.nextSale.Add(ns)
		}
		out.Subscriptions = append(out.Subscriptions, sp)
	}
	for _, t := range totals {
		t.Cost, t.Sale, t.NextCost, t.NextSale = t.cost.Value(), t.sale.Value(), t.nextCost.Value(), t.nextSale.Value()
		t.Margin, t.MarginShare = t.Sale.Sub(t.Cost), rules.MarginShare(t.Cost, t.Sale)
		out.Totals = append(out.Totals, t.CurrencyTotal)
	}
	slices.SortFunc(out.Totals, func(a, b CurrencyTotal) int { return cmp.Compare(a.Currency, b.Currency) })
	return out, nil
}

// quoter prices units for one customer, once per item and cost: a big
// customer holds many subscriptions of few offers at few prices.
func (p *Pricer) quoter(customer uuid.UUID) func(ctx context.Context, item string, cost decimal.Decimal) (Quote, error) {
	type priced struct {
		cost decimal.Decimal
		q    Quote
	}
	seen := map[string][]priced{}
	return func(ctx context.Context, item string, cost decimal.Decimal) (Quote, error) {
		for _, pr := range seen[item] {
			if pr.cost.Equal(cost) {
				return pr.q, nil
			}
		}
		q, err := p.Quote(ctx, customer, item, "", cost)
		if err == nil {
			seen[item] = append(seen[item], priced{cost, q})
		}
		return q, err
	}
}

// nextMonthly is the next term's monthly cost and sale (at the next
// quantity, else the current one).
func (sp SubscriptionPrice) nextMonthly() (cost, sale decimal.Decimal, ok bool) {
	if !sp.NextUnitCost.Valid || !sp.NextUnitSale.Valid {
		return cost, sale, false
	}
	q := int64(cmp.Or(sp.NextQuantity, sp.Quantity))
	cost, ok = rules.MonthlyEquivalent(sp.NextUnitCost.Decimal, q, sp.nextCycle(), sp.TermDuration)
	sale, _ = rules.MonthlyEquivalent(sp.NextUnitSale.Decimal, q, sp.nextCycle(), sp.TermDuration)
	return cost, sale, ok
}

// saleDiffers compares two unit prices per billing period: as they are
// when billed alike, else per month.
func saleDiffers(cur, next decimal.Decimal, curCycle, nextCycle, term string) bool {
	if strings.EqualFold(curCycle, nextCycle) {
		return !cur.Equal(next)
	}
	a, ok1 := rules.MonthlyEquivalent(cur, 1, curCycle, term)
	b, ok2 := rules.MonthlyEquivalent(next, 1, nextCycle, term)
	if !ok1 || !ok2 {
		return !cur.Equal(next)
	}
	return !a.Round(2).Equal(b.Round(2))
}

// PriceChange is a renewal whose sale price changes.
type PriceChange struct {
	SubscriptionID string
	CustomerID     uuid.UUID
	Customer       string
	Name           string
	Currency       string
	// CurrentSale and NextSale are per unit and their billing period.
	CurrentSale, NextSale   decimal.Decimal
	CurrentCycle, NextCycle string
	Quantity                int // the seats that renew
	// PerMonth is what the renewing seats cost more (or less, negative)
	// per month at sale; Percent is the change of the unit's monthly price.
	PerMonth, Percent decimal.Decimal
	RenewsOn          time.Time
	Source            string
	key               string
}

// Key is the keyset the next page starts after.
func (c PriceChange) Key() string { return c.key }

// RenewalPriceChanges lists up to limit renewing subscriptions whose next
// term's sale price differs from the current one, by renewal date, after
// the key of the previous page's last row ("" for the first page); next
// is the key of the page after this one ("" when it is the last).
func (p *Pricer) RenewalPriceChanges(ctx context.Context, after string, limit int) (out []PriceChange, next string, err error) {
	afterEnd, afterID := time.Time{}, ""
	if t, id, ok := strings.Cut(after, "|"); ok {
		if at, err := time.Parse(time.RFC3339Nano, t); err == nil {
			afterEnd, afterID = at, id
		}
	}
	if afterEnd.IsZero() {
		afterEnd = time.Unix(0, 0).UTC().AddDate(-100, 0, 0)
	}
	batch := max(limit*2, 100)
	for len(out) <= limit {
		cands, err := p.st.RenewalPriceCandidates(ctx, afterEnd, afterID, batch)
		if err != nil {
			return nil, "", err
		}
		for _, c := range cands {
			afterEnd, afterID = *c.TermEnd, c.SubscriptionID
			curSale, _, err := p.UnitSale(ctx, Provider, c.CustomerID, c.OfferID, "", c.CurrentUnitPrice.Decimal)
			if err != nil {
				return nil, "", err
			}
			nextSale, _, err := p.UnitSale(ctx, Provider, c.CustomerID, cmp.Or(c.NextItemID, c.OfferID), "", c.NextUnitPrice.Decimal)
			if err != nil {
				return nil, "", err
			}
			curCycle, nextCycle := strings.ToLower(c.BillingCycle), strings.ToLower(cmp.Or(c.NextBillingCycle, c.BillingCycle))
			if !saleDiffers(curSale, nextSale, curCycle, nextCycle, c.TermDuration) {
				continue
			}
			q := int64(cmp.Or(c.NextQuantity, c.Quantity))
			pc := PriceChange{SubscriptionID: c.SubscriptionID, CustomerID: c.CustomerID, Customer: cmp.Or(c.CompanyName, c.Domain),
				Name: cmp.Or(c.NextTitle, c.FriendlyName, c.OfferName), Currency: strings.ToUpper(c.Currency), CurrentSale: curSale,
				NextSale: nextSale, CurrentCycle: curCycle, NextCycle: nextCycle, Quantity: int(q), RenewsOn: *c.RenewsAt,
				Source: c.PriceSource, key: c.TermEnd.UTC().Format(time.RFC3339Nano) + "|" + c.SubscriptionID}
			a, ok1 := rules.MonthlyEquivalent(curSale, 1, curCycle, c.TermDuration)
			b, ok2 := rules.MonthlyEquivalent(nextSale, 1, nextCycle, cmp.Or(c.NextTermDuration, c.TermDuration))
			if !ok1 || !ok2 {
				a, b = curSale, nextSale
			}
			pc.PerMonth = b.Sub(a).Mul(decimal.NewFromInt(q))
			if !a.IsZero() {
				pc.Percent = b.Sub(a).Mul(decimal.NewFromInt(100)).DivRound(a, 1)
			}
			out = append(out, pc)
			if len(out) > limit {
				break
			}
		}
		if len(cands) < batch {
			break
		}
	}
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].key
	}
	return out, next, nil
}

// PriceListLine is one price of a customer's price list.
type PriceListLine struct {
	ItemID, Product, SKU       string
	TermDuration, BillingCycle string
	Currency                   string
	// Cost and Sale are per unit and billing period; ERP is Microsoft's
	// estimated retail price (invalid when the sheet gives none).
	Cost, Sale decimal.Decimal
	ERP        decimal.NullDecimal
	Rule       string
}

// CustomerPriceList prices the customer's market's price list for the
// customer (its own markup rules first) as party sees it; market is the
// country priced.
func (p *Pricer) CustomerPriceList(ctx context.Context, party Party, customer uuid.UUID) (market string, out []PriceListLine, err error) {
	if market, err = p.st.CustomerPriceMarket(ctx, customer); err != nil {
		return "", nil, err
	}
	rows, err := p.st.PriceList(ctx, market)
	if err != nil {
		return market, nil, err
	}
	out = make([]PriceListLine, 0, len(rows))
	for _, r := range rows {
		q, err := p.Quote(ctx, customer, r.ItemID, r.Family, r.UnitPrice)
		if err != nil {
			return market, nil, fmt.Errorf("price list of %s: %w", customer, err)
		}
		cost, sale, rule := q.Seen(party)
		out = append(out, PriceListLine{ItemID: r.ItemID, Product: r.ProductTitle, SKU: r.SkuTitle, TermDuration: r.TermDuration,
			BillingCycle: r.BillingCycle, Currency: strings.ToUpper(r.Currency), Cost: cost, Sale: sale, ERP: r.ErpPrice, Rule: rule})
	}
	return market, out, nil
}
