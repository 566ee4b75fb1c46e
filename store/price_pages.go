package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store/db"
)

// PricedSubscription is a customer's subscription with the unit cost of
// its current and next term (per billing period; invalid when unknown).
type PricedSubscription = db.CustomerPricedSubscriptionsRow

// CustomerPricedSubscriptions lists the customer's subscriptions (no
// other customer's) with their term prices, by name.
func (s *Store) CustomerPricedSubscriptions(ctx context.Context, customer uuid.UUID) ([]PricedSubscription, error) {
	rows, err := s.Q.CustomerPricedSubscriptions(ctx, s.Pool, db.CustomerPricedSubscriptionsParams{CustomerID: customer, UnlessVersion: noVersion})
	if err != nil {
		return nil, fmt.Errorf("priced subscriptions of %s: %w", customer, err)
	}
	sortPriced(rows)
	return rows, nil
}

// sortPriced orders priced subscriptions by name (friendly, else offer),
// then id. The query leaves the order to Go, which sorts 500 rows in a
// fraction of what Postgres took.
func sortPriced(rows []PricedSubscription) {
	rules.SortByName(rows, func(p PricedSubscription) (string, string) { return cmp.Or(p.FriendlyName, p.OfferName), p.ID })
}

// nestPriced nests add-ons under their bases by position.
func nestPriced(rows []PricedSubscription) rules.Nesting {
	return rules.Nest(len(rows), func(i int) string { return rows[i].ID }, func(i int) string { return rows[i].ParentSubscriptionID })
}

// nestEntitlements nests add-ons under their bases by position.
func nestEntitlements(rows []CustomerEntitlement) rules.Nesting {
	return rules.Nest(len(rows), func(i int) string { return rows[i].ID }, func(i int) string { return rows[i].ParentSubscriptionID })
}

// RenewalPriceCandidate is a renewing subscription whose next term may
// cost another price.
type RenewalPriceCandidate = db.RenewalPriceCandidatesRow

// RenewalPriceCandidates returns up to limit renewing subscriptions whose
// next term's cost or item, term or billing plan differs from the current
// one, by renewal date, after (afterEnd, afterID).
func (s *Store) RenewalPriceCandidates(ctx context.Context, afterEnd time.Time, afterID string, limit int) ([]RenewalPriceCandidate, error) {
	rows, err := s.Q.RenewalPriceCandidates(ctx, s.Pool, db.RenewalPriceCandidatesParams{AfterEnd: afterEnd, AfterID: afterID,
		MaxRows: int32(limit)})
	if err != nil {
		return nil, fmt.Errorf("renewal price candidates: %w", err)
	}
	return rows, nil
}

// PriceListRow is one price of a market's price list.
type PriceListRow = db.CustomerPriceListRow

// PriceList returns the country's price list (the current sheet's prices
// the catalog shows) with the catalog's titles.
func (s *Store) PriceList(ctx context.Context, country string) ([]PriceListRow, error) {
	rows, err := s.Q.CustomerPriceList(ctx, s.Pool, strings.ToUpper(country))
	if err != nil {
		return nil, fmt.Errorf("price list %s: %w", country, err)
	}
	return rows, nil
}

// CustomerPriceMarket is the market whose price list a customer buys
// from: its country, else the portal's default country (ErrNotFound when
// there is no such customer).
func (s *Store) CustomerPriceMarket(ctx context.Context, customer uuid.UUID) (string, error) {
	m, err := s.Q.CustomerPriceMarket(ctx, s.Pool, customer)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("price market of %s: %w", customer, err)
	}
	return m, nil
}
