package store

import (
	"cmp"
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store/db"
)

// CustomerEntitlement is one subscription of the customer view with what
// the entitlement rule needs (order status, replacement, license usage).
type CustomerEntitlement = db.CustomerEntitlementsRow

// EntitlementsPriced is a customer's subscriptions for its view: with
// what the entitlement rule needs, and as PricedSubscription gives them,
// by name, at one data version.
type EntitlementsPriced struct {
	Rows    []CustomerEntitlement // shared between requests: not to be changed
	Priced  []PricedSubscription
	Version int64
	// Nest is how the add-ons nest under their bases, by position in Rows
	// (and Priced, in the same order).
	Nest rules.Nesting
}

// CustomerEntitlementsPriced returns CustomerEntitlements and the same
// subscriptions as CustomerPricedSubscriptions gives them (by name), from
// one read: the customer view shows both.
func (s *Store) CustomerEntitlementsPriced(ctx context.Context, customerID uuid.UUID) (EntitlementsPriced, error) {
	var e EntitlementsPriced
	var err error
	var l rowList[CustomerEntitlement]
	if l, e.Version, err = s.customerEntitlements(ctx, customerID); err != nil {
		return e, err
	}
	e.Rows, e.Nest = l.rows, l.nest
	// The same rows as the customer page's at the same version: a big
	// customer's are kept once for both.
	if v, kept := s.priced.get(customerID); v == e.Version && v != noVersion {
		e.Priced = kept.rows
		return e, nil
	}
	e.Priced = make([]PricedSubscription, len(e.Rows))
	for i, r := range e.Rows {
		e.Priced[i] = PricedSubscription{ID: r.ID, ParentSubscriptionID: r.ParentSubscriptionID, OfferID: r.OfferID,
			OfferName: r.OfferName, FriendlyName: r.FriendlyName, Status: r.Status, Quantity: r.Quantity,
			TermDuration: r.TermDuration, BillingCycle: r.BillingCycle, BillingType: r.BillingType, UnitType: r.UnitType,
			AutoRenewEnabled: r.AutoRenewEnabled, CommitmentEndDate: r.CommitmentEndDate, Currency: r.Currency,
			CurrentUnitPrice: r.CurrentUnitPrice, NextUnitPrice: r.NextUnitPrice, NextItemID: r.NextItemID,
			NextQuantity: r.NextQuantity, NextTermDuration: r.NextTermDuration, NextBillingCycle: r.NextBillingCycle,
			RenewsAt: r.RenewsAt, PriceSource: r.PriceSource}
	}
	// In the rows' order, which is sortPriced's, so nested the same.
	s.priced.put(customerID, e.Version, rowList[PricedSubscription]{rows: e.Priced, nest: e.Nest})
	return e, nil
}

// CustomerOrderSummary is one order of a customer's order history.
type CustomerOrderSummary = db.CustomerOrdersRow

// CustomerOrderHeader is one order of a customer.
type CustomerOrderHeader = db.CustomerOrderRow

// CustomerOrderLine is one line item of a customer's order.
type CustomerOrderLine = db.CustomerOrderLinesRow

// CustomerEntitlements returns customerID's current subscriptions (never
// another customer's: the id filters every table in SQL), by name (the
// friendly name, else the offer's), the order of CustomerPricedSubscriptions.
// A big customer's rows are shared between requests: not to be changed.
// Nesting is how their add-ons nest under their bases, by position.
func (s *Store) CustomerEntitlements(ctx context.Context, customerID uuid.UUID) ([]CustomerEntitlement, rules.Nesting, error) {
	l, _, err := s.customerEntitlements(ctx, customerID)
	return l.rows, l.nest, err
}

// customerEntitlements reads a customer's entitlements unless they are
// kept at its current data version (kept_rows.go), and that version.
func (s *Store) customerEntitlements(ctx context.Context, customerID uuid.UUID) (l rowList[CustomerEntitlement], version int64, err error) {
	keptVersion, kept := s.entitlements.get(customerID)
	var rows []CustomerEntitlement
	err = s.readSnapshot(ctx, func(b *pgx.Batch) {
		s.Q.QueueCustomerDataVersion(b, customerID, &version)
		s.Q.QueueCustomerEntitlements(b, db.CustomerEntitlementsParams{CustomerID: customerID, UnlessVersion: keptVersion}, &rows)
	})
	if err != nil {
		return l, 0, fmt.Errorf("entitlements of customer %s: %w", customerID, mapErr(err))
	}
	l = s.entitlements.keep(customerID, keptVersion, version, kept, rows, func(rows []CustomerEntitlement) {
		rules.SortByName(rows, func(e CustomerEntitlement) (string, string) { return cmp.Or(e.FriendlyName, e.OfferName), e.ID })
	})
	return l, version, nil
}

// CustomerOrderHistory is a customer's order list: its latest 500 orders,
// newest first, and their priced lines, for totals at sale price (PC's
// totalPrice is the cost).
type CustomerOrderHistory struct {
	Orders []CustomerOrderSummary
	Lines  []OrderLinePrice
}

// orderLinePricesSQL is the priced lines of the orders CustomerOrders
// lists for customer $1: the same 500, by the same order.
const orderLinePricesSQL = `SELECT l.order_id, l.offer_id, l.quantity, l.unit_price FROM order_line_items l
	WHERE l.order_id IN (SELECT o.id FROM orders o WHERE o.customer_id = $1 AND o.gone_at IS NULL
		ORDER BY o.creation_date DESC NULLS LAST, o.id LIMIT 500)
	AND l.gone_at IS NULL AND l.unit_price IS NOT NULL`

// CustomerOrderHistory reads a customer's orders and their priced lines
// in one round trip and one snapshot (others' orders are not read); the
// lines took a second round trip once the orders were known.
func (s *Store) CustomerOrderHistory(ctx context.Context, customerID uuid.UUID) (CustomerOrderHistory, error) {
	var h CustomerOrderHistory
	err := s.readSnapshot(ctx, func(b *pgx.Batch) {
		s.Q.QueueCustomerOrders(b, customerID, &h.Orders)
		b.Queue(orderLinePricesSQL, customerID).Query(func(rows pgx.Rows) (err error) {
			h.Lines, err = db.CollectByPos[OrderLinePrice](rows)
			return err
		})
	})
	if err != nil {
		return CustomerOrderHistory{}, fmt.Errorf("orders of customer %s: %w", customerID, mapErr(err))
	}
	return h, nil
}

// CustomerOrder returns one of customerID's orders with its line items, or
// ErrNotFound when the order does not exist or belongs to someone else.
func (s *Store) CustomerOrder(ctx context.Context, customerID uuid.UUID, orderID string) (CustomerOrderHeader, []CustomerOrderLine, error) {
	o, err := s.Q.CustomerOrder(ctx, s.Pool, db.CustomerOrderParams{ID: orderID, CustomerID: customerID})
	if err != nil {
		return o, nil, fmt.Errorf("order %s of customer %s: %w", orderID, customerID, mapErr(err))
	}
	lines, err := s.Q.CustomerOrderLines(ctx, s.Pool, db.CustomerOrderLinesParams{OrderID: orderID, CustomerID: customerID})
	if err != nil {
		return o, nil, fmt.Errorf("lines of order %s: %w", orderID, mapErr(err))
	}
	return o, lines, nil
}
