package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/web/templates"
)

// Prices on the customer pages. Staff see cost, sale and margin; the
// customer's view is built from the sale fields only (saleUnit,
// saleRenewal), so no cost can reach it.

// saleUnit says a unit sale price per billing period ("9.63 USD per
// licence, billed monthly"), "" when unknown.
func saleUnit(ctx context.Context, d decimal.NullDecimal, currency, cycle string) string {
	if !d.Valid {
		return ""
	}
	return i18n.T(ctx, "h.price.per_licence", templates.Money(d.Decimal, currency), cycleLabel(ctx, cycle))
}

// saleRenewal is the "renews at … on …" line of a subscription, at the
// next term's sale price (the future sheet's when the term renews into a
// month PC has published prices for); "" when it does not renew or its
// price is not known.
func saleRenewal(ctx context.Context, sp prices.SubscriptionPrice) string {
	if sp.RenewsOn == nil || !sp.NextUnitSale.Valid {
		return ""
	}
	cycle := sp.NextBillingCycle
	if cycle == "" {
		cycle = sp.BillingCycle
	}
	return i18n.T(ctx, "h.price.renews_at", saleUnit(ctx, sp.NextUnitSale, sp.Currency, cycle), rules.Day(*sp.RenewsOn))
}

// runRateView is the staff customer page's run rate: every subscription
// at cost and sale per unit and per month, and the totals per currency.
func runRateView(ctx context.Context, rr prices.RunRate, customerHref string) ([]templates.RunRateLine, []templates.RunRateTotal) {
	lines := make([]templates.RunRateLine, 0, len(rr.Subscriptions))
	for _, sp := range rr.Subscriptions {
		l := templates.RunRateLine{ID: sp.ID, Name: sp.Name, Href: customerHref + "/subscriptions/" + sp.ID,
			Quantity: strconv.Itoa(sp.Quantity), Plan: strings.TrimSpace(termChoiceLabel(ctx, rules.Term{Duration: sp.TermDuration, BillingCycle: sp.BillingCycle})),
			UnitCost: "—", UnitSale: "—", Cost: "—", Sale: "—", Margin: "—", Rule: sp.Rule, NotCounted: sp.NotCounted,
			Renewal: saleRenewal(ctx, sp), PriceChanges: sp.SaleChanges()}
		if sp.UnitCost.Valid {
			l.UnitCost = templates.Money(sp.UnitCost.Decimal, sp.Currency)
			l.UnitSale = templates.Money(sp.UnitSale.Decimal, sp.Currency)
		}
		if sp.Counted {
			l.Cost, l.Sale = templates.Money(sp.MonthlyCost, sp.Currency), templates.Money(sp.MonthlySale, sp.Currency)
			l.Margin = marginOf(sp.MonthlyCost, sp.MonthlySale, sp.Currency)
		}
		lines = append(lines, l)
	}
	totals := make([]templates.RunRateTotal, 0, len(rr.Totals))
	for _, t := range rr.Totals {
		tv := templates.RunRateTotal{Currency: t.Currency, Cost: templates.Money(t.Cost, t.Currency), Sale: templates.Money(t.Sale, t.Currency),
			Margin: marginOf(t.Cost, t.Sale, t.Currency), Subscriptions: t.Subscriptions}
		if t.NextKnown && !t.NextSale.Round(2).Equal(t.Sale.Round(2)) {
			tv.AfterRenewals = templates.Money(t.NextSale, t.Currency) + " a month at sale once they renew (margin " +
				marginOf(t.NextCost, t.NextSale, t.Currency) + ")"
		}
		totals = append(totals, tv)
	}
	return lines, totals
}

// marginOf is sale - cost with its share of the sale ("1.50 USD (13.0 %)").
func marginOf(cost, sale decimal.Decimal, currency string) string {
	return fmt.Sprintf("%s (%s %%)", templates.Money(sale.Sub(cost), currency), rules.MarginShare(cost, sale).StringFixed(1))
}

// saleTotals are the customer's monthly totals at sale, per currency
// ("1,234.56 EUR a month"), for the customer's view.
func saleTotals(ctx context.Context, rr prices.RunRate) []string {
	out := make([]string, 0, len(rr.Totals))
	for _, t := range rr.Totals {
		out = append(out, i18n.T(ctx, "ent.a_month", templates.Money(t.Sale, t.Currency)))
	}
	return out
}

// salePrices fills the customer view's rows (add-ons too) with their sale
// prices and returns the priced subscription want (none when want is
// "" or not among the rows).
func salePrices(ctx context.Context, rows []templates.EntitlementRow, rr prices.RunRate, want string) prices.SubscriptionPrice {
	// Only the rows given are looked up: a page of a big customer's list.
	shown := make(map[string]*templates.EntitlementRow, len(rows))
	for i := range rows {
		shown[rows[i].ID] = &rows[i]
		for j := range rows[i].AddOns {
			shown[rows[i].AddOns[j].ID] = &rows[i].AddOns[j]
		}
	}
	var found prices.SubscriptionPrice
	for i := range rr.Subscriptions {
		sp := &rr.Subscriptions[i]
		r := shown[sp.ID]
		if r == nil {
			continue
		}
		if sp.ID == want {
			found = *sp
		}
		if !sp.UnitSale.Valid {
			continue
		}
		r.Price = saleUnit(ctx, sp.UnitSale, sp.Currency, sp.BillingCycle)
		if sp.Counted {
			r.Monthly = templates.Money(sp.MonthlySale, sp.Currency)
		}
	}
	return found
}

// priceChangePageSize is the number of renewals per page of price changes.
const priceChangePageSize = 50

// priceChangeList lists the renewals whose sale price changes, by
// renewal date, a keyset page at a time (?after= the last row's key).
func (s *Server) priceChangeList(w http.ResponseWriter, r *http.Request) error {
	after := r.URL.Query().Get("after")
	if len(after) > 200 {
		after = ""
	}
	changes, next, err := s.pri.Pricer().RenewalPriceChanges(r.Context(), after, priceChangePageSize)
	if err != nil {
		return err
	}
	v := templates.PriceChangesView{}
	if after != "" {
		v.FirstHref = priceChangesPath
	}
	if next != "" {
		v.NextHref = priceChangesPath + "?" + url.Values{"after": {next}}.Encode()
	}
	for _, c := range changes {
		cust := "/customers/" + c.CustomerID.String()
		sign := "+"
		if c.PerMonth.IsNegative() {
			sign = ""
		}
		pct := c.Percent.StringFixed(1)
		if !c.Percent.IsNegative() {
			pct = "+" + pct
		}
		v.Rows = append(v.Rows, templates.PriceChangeRow{Customer: c.Customer, CustomerHref: cust, Name: c.Name,
			Href: cust + "/subscriptions/" + c.SubscriptionID, Renews: rules.Day(c.RenewsOn),
			Current: saleUnit(r.Context(), decimal.NewNullDecimal(c.CurrentSale), c.Currency, c.CurrentCycle),
			Next:    saleUnit(r.Context(), decimal.NewNullDecimal(c.NextSale), c.Currency, c.NextCycle),
			Seats:   i18n.T(r.Context(), "h.price.licences", strconv.Itoa(c.Quantity)), Change: sign + templates.Money(c.PerMonth, c.Currency), Percent: pct + " %",
			Up: c.PerMonth.IsPositive(), Source: c.Source})
	}
	return s.render(w, r, http.StatusOK, templates.PriceChangesPage(s.page(r, "Price changes at renewal", "/renewals"), v))
}

// priceChangesPath is the list of renewals whose price changes.
const priceChangesPath = "/renewals/price-changes"

// placementPrices prices a placed order's lines for staff from the
// customer's market's price list: cost and sale per billing period for
// the line's quantity, and the margin ("" when the list has no price).
func (s *Server) placementPrices(ctx context.Context, customer uuid.UUID, lines []templates.OrderLine) error {
	c, err := s.st.CartCustomer(ctx, customer)
	if err != nil {
		return err
	}
	for i := range lines {
		l := &lines[i]
		ps, err := s.st.CatalogPrices(ctx, c.Country, l.ItemID)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.TermDuration != l.TermDuration || !strings.EqualFold(p.BillingCycle, l.BillingCycle) {
				continue
			}
			sale, _, err := s.pri.Pricer().UnitSale(ctx, prices.Provider, customer, l.ItemID, "", p.UnitPrice)
			if err != nil {
				return err
			}
			q := decimal.NewFromInt(int64(l.Quantity))
			l.Cost, l.Sale = templates.Money(p.UnitPrice.Mul(q), p.Currency), templates.Money(sale.Mul(q), p.Currency)
			l.Margin = marginOf(p.UnitPrice.Mul(q), sale.Mul(q), p.Currency)
			break
		}
	}
	return nil
}
