package handlers

import (
	"cmp"
	"context"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/web/templates"
)

// customerRenewal is the renewal part of a subscription in the customer
// view: when and as what it renews, its next-term price where the
// reseller shows it (customer_settings), or what happens to it instead.
// Every read takes the customer id.
func (s *Server) customerRenewal(ctx context.Context, customer uuid.UUID, sub string, sp prices.SubscriptionPrice) (*templates.CustomerRenewalView, error) {
	life, err := s.st.SubscriptionLifecycle(ctx, customer, sub)
	if err != nil || !life.Known {
		return nil, err
	}
	l := commerce.LifecycleOf(life)
	row := life.Row
	v := &templates.CustomerRenewalView{Path: rules.CustomerPath(row.Status, row.Nce, l, s.now())}
	if !l.TermEnd.IsZero() {
		v.Date = rules.Day(l.TermEnd)
	}
	if !l.RenewsAt.IsZero() {
		next := rules.TermSpec{Title: row.NextTitle, Quantity: int(row.NextQuantity), TermDuration: row.NextTermDuration, BillingCycle: row.NextBillingCycle}
		if next.Title == "" {
			next.Title = "this product"
		}
		v.Renews = commerce.NextTermSummary(i18n.From(ctx), next)
		show, err := s.st.ShowsRenewalPrices(ctx, customer)
		if err != nil {
			return nil, err
		}
		if show {
			// the sale price: row's prices are the reseller's cost
			v.Price = saleUnit(ctx, sp.NextUnitSale, sp.Currency, cmp.Or(row.NextBillingCycle, sp.BillingCycle))
		}
	}
	if v.Renews == "" && v.Path == "" {
		return nil, nil
	}
	return v, nil
}
