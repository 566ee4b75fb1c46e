package mirror

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// Next-term prices: the renewal calendar shows what a subscription costs
// now and what it will cost once it renews, and flags a change. Partner
// Center has no field for either: the price comes from the partner's price
// lists. The NextTermPricer hook lets the price-sheet work plug its own
// source in; the default reads what the mirror has (the order line a
// subscription was bought on, and the prices table).

// PriceQuery describes a subscription's current term and the one it
// renews into, for a NextTermPricer.
type PriceQuery struct {
	SubscriptionID string
	CustomerID     uuid.UUID
	OrderID        string
	Current, Next  rules.TermSpec
	// RenewsOn is when the next term starts (the current term's exclusive end).
	RenewsOn time.Time
}

// TermPricing is a subscription's unit prices per billing period: Current
// of the term it is in, Next of the term it renews into (invalid when not
// known), in Currency; Source says where they come from, for the page.
type TermPricing struct {
	Currency      string
	Current, Next decimal.NullDecimal
	Source        string
}

// NextTermPricer prices terms for the renewal calendar. It runs inside the
// mirror's write transaction (tx sees the rows being written), once per
// batch of subscriptions; a query it cannot price is left out of the map.
type NextTermPricer interface {
	TermPrices(ctx context.Context, tx pgx.Tx, qs []PriceQuery) (map[string]TermPricing, error)
}

// DefaultPricer prices from what the mirror holds: the current term at the
// unit price of the order line that bought the subscription, else at the
// price list's (prices table) for its item, term and billing plan; the
// next term at the price list's price for the item, term and billing plan
// it renews into, else, renewing unchanged, at the current price. The
// mirror keeps a current term's price once known (a later price list does
// not change what the term was bought at).
type DefaultPricer struct{}

// TermPrices implements NextTermPricer.
func (DefaultPricer) TermPrices(ctx context.Context, tx pgx.Tx, qs []PriceQuery) (map[string]TermPricing, error) {
	in := make([]store.PriceQuery, len(qs))
	for i, q := range qs {
		in[i] = store.PriceQuery{SubscriptionID: q.SubscriptionID, OrderID: q.OrderID,
			CurItem: q.Current.ItemID, CurTerm: q.Current.TermDuration, CurCycle: strings.ToLower(q.Current.BillingCycle),
			NextItem: q.Next.ItemID, NextTerm: q.Next.TermDuration, NextCycle: strings.ToLower(q.Next.BillingCycle)}
	}
	got, err := store.DefaultTermPrices(ctx, tx, in)
	if err != nil {
		return nil, err
	}
	out := make(map[string]TermPricing, len(qs))
	for _, q := range qs {
		p, ok := got[q.SubscriptionID]
		if !ok {
			continue
		}
		var tp TermPricing
		switch {
		case p.LinePrice.Valid:
			tp.Currency, tp.Current = strings.ToUpper(p.OrderCurrency), p.LinePrice
		case p.CurrentPrice.Valid:
			tp.Currency, tp.Current = strings.ToUpper(p.CurrentCurrency), p.CurrentPrice
		}
		switch {
		case p.NextPrice.Valid && (tp.Currency == "" || strings.EqualFold(p.NextCurrency, tp.Currency)):
			tp.Currency, tp.Next, tp.Source = strings.ToUpper(p.NextCurrency), p.NextPrice, "price list"
		case sameTerm(q.Current, q.Next) && tp.Current.Valid:
			tp.Next, tp.Source = tp.Current, "current price (no price list for the next term)"
		}
		if tp.Current.Valid || tp.Next.Valid {
			out[q.SubscriptionID] = tp
		}
	}
	return out, nil
}

func sameTerm(a, b rules.TermSpec) bool {
	return strings.EqualFold(a.ItemID, b.ItemID) && a.TermDuration == b.TermDuration && strings.EqualFold(a.BillingCycle, b.BillingCycle)
}

// RepriceRenewals prices the next term of every active or suspended
// subscription again (after the price lists changed: the prices work calls
// it when a sheet is loaded; a daily job does too). It returns how many
// subscriptions were priced.
func (m *Mirror) RepriceRenewals(ctx context.Context) (int, error) {
	const batch = 1000
	after, n := "", 0
	for {
		rows, err := m.st.LifecycleForPricingBatch(ctx, after, batch)
		if err != nil {
			return n, err
		}
		if len(rows) == 0 {
			return n, nil
		}
		after = rows[len(rows)-1].SubscriptionID
		qs := make([]PriceQuery, len(rows))
		for i, r := range rows {
			qs[i] = PriceQuery{SubscriptionID: r.SubscriptionID, CustomerID: r.CustomerID, OrderID: r.OrderID,
				Current: rules.TermSpec{ItemID: r.OfferID, Quantity: int(r.Quantity), TermDuration: r.TermDuration, BillingCycle: r.BillingCycle},
				Next: rules.TermSpec{ItemID: r.NextItemID, Quantity: int(r.NextQuantity), TermDuration: r.NextTermDuration,
					BillingCycle: r.NextBillingCycle}}
			if r.TermEnd != nil {
				qs[i].RenewsOn = *r.TermEnd
			}
		}
		err = m.inTx(ctx, func(tx pgx.Tx) error {
			prices, err := m.pricer.TermPrices(ctx, tx, qs)
			if err != nil {
				return err
			}
			var set []store.NextTermPrice
			for _, r := range rows {
				p, ok := prices[r.SubscriptionID]
				if !ok {
					continue
				}
				cur := r.CurrentUnitPrice
				if !cur.Valid {
					cur = p.Current // the current term's price is kept once known
				}
				set = append(set, store.NextTermPrice{SubscriptionID: r.SubscriptionID, Currency: p.Currency,
					CurrentUnitPrice: cur, NextUnitPrice: p.Next, PriceSource: p.Source})
			}
			n += len(set)
			return store.SetNextTermPrices(ctx, tx, set)
		})
		if err != nil {
			return n, fmt.Errorf("reprice renewals: %w", err)
		}
		if len(rows) < batch {
			return n, nil
		}
	}
}
