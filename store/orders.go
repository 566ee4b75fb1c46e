package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store/db"
)

// Reads of the staff pages for carts, orders and subscription changes.
// The writes are package commerce's.

// CartCustomer is the customer a cart is for.
type CartCustomer = db.CartCustomerRow

// CartLine is a line of a staff user's cart for a customer.
type CartLine = db.CartLine

// CartItemChoice is a purchasable catalog item offered by the cart form.
type CartItemChoice = db.CartItemChoicesRow

// CartParentCandidate is an active subscription an add-on can go with.
type CartParentCandidate = db.CartParentCandidatesRow

// OrderPlacement is a placed cart: its lines and its one or two orders.
type OrderPlacement = db.OrderPlacement

// RecentOrderPlacement is a placed cart as the cart page lists it.
type RecentOrderPlacement = db.RecentOrderPlacementsRow

// OrderSubscription is a mirrored subscription of an order.
type OrderSubscription = db.OrderSubscriptionsRow

// SubscriptionForChange is a subscription as its page and the change rules
// need it.
type SubscriptionForChange = db.SubscriptionForChangeRow

// SubscriptionAddOn is an add-on of a subscription.
type SubscriptionAddOn = db.SubscriptionAddOnsRow

// SubscriptionChange is a change staff made to a subscription, with its
// command's status.
type SubscriptionChange = db.SubscriptionChangesRow

// SubscriptionChangeByToken is one change by its form token.
type SubscriptionChangeByToken = db.SubscriptionChangeByTokenRow

// SubscriptionAuditEntry is an audit line about a subscription.
type SubscriptionAuditEntry = db.SubscriptionAuditRow

// CartCustomer returns the customer id names, or ErrNotFound.
func (s *Store) CartCustomer(ctx context.Context, id uuid.UUID) (CartCustomer, error) {
	c, err := s.Q.CartCustomer(ctx, s.Pool, id)
	if err != nil {
		return c, fmt.Errorf("customer %s: %w", id, mapErr(err))
	}
	return c, nil
}

// CartLines returns user's cart for customer, in the order lines were added.
func (s *Store) CartLines(ctx context.Context, user int64, customer uuid.UUID) ([]CartLine, error) {
	l, err := s.Q.CartLines(ctx, s.Pool, db.CartLinesParams{UserID: user, CustomerID: customer})
	if err != nil {
		return nil, fmt.Errorf("cart lines: %w", mapErr(err))
	}
	return l, nil
}

// CartItemChoices returns the purchasable items of a country's catalog.
func (s *Store) CartItemChoices(ctx context.Context, country string) ([]CartItemChoice, error) {
	c, err := s.Q.CartItemChoices(ctx, s.Pool, country)
	if err != nil {
		return nil, fmt.Errorf("cart choices: %w", mapErr(err))
	}
	return c, nil
}

// CartParentCandidates returns customer's subscriptions an add-on can go with.
func (s *Store) CartParentCandidates(ctx context.Context, customer uuid.UUID) ([]CartParentCandidate, error) {
	c, err := s.Q.CartParentCandidates(ctx, s.Pool, customer)
	if err != nil {
		return nil, fmt.Errorf("cart parents: %w", mapErr(err))
	}
	return c, nil
}

// OrderPlacement returns a placed cart by its token, scoped to customer.
func (s *Store) OrderPlacement(ctx context.Context, customer, token uuid.UUID) (OrderPlacement, error) {
	p, err := s.Q.OrderPlacement(ctx, s.Pool, db.OrderPlacementParams{Token: token, CustomerID: customer})
	if err != nil {
		return p, fmt.Errorf("order %s: %w", token, mapErr(err))
	}
	return p, nil
}

// RecentOrderPlacements returns customer's latest placed carts.
func (s *Store) RecentOrderPlacements(ctx context.Context, customer uuid.UUID) ([]RecentOrderPlacement, error) {
	r, err := s.Q.RecentOrderPlacements(ctx, s.Pool, customer)
	if err != nil {
		return nil, fmt.Errorf("recent orders: %w", mapErr(err))
	}
	return r, nil
}

// OrderSubscriptions returns the mirrored subscriptions of customer's orders.
func (s *Store) OrderSubscriptions(ctx context.Context, customer uuid.UUID, orders ...string) ([]OrderSubscription, error) {
	r, err := s.Q.OrderSubscriptions(ctx, s.Pool, db.OrderSubscriptionsParams{CustomerID: customer, OrderIds: orders})
	if err != nil {
		return nil, fmt.Errorf("order subscriptions: %w", mapErr(err))
	}
	return r, nil
}

// SubscriptionForChange returns subscription id of customer, or ErrNotFound
// (also for another customer's subscription).
func (s *Store) SubscriptionForChange(ctx context.Context, customer uuid.UUID, id string) (SubscriptionForChange, error) {
	r, err := s.Q.SubscriptionForChange(ctx, s.Pool, db.SubscriptionForChangeParams{ID: id, CustomerID: customer})
	if err != nil {
		return r, fmt.Errorf("subscription %s: %w", id, mapErr(err))
	}
	return r, nil
}

// SubscriptionAddOns returns the add-ons of customer's subscription parent.
func (s *Store) SubscriptionAddOns(ctx context.Context, customer uuid.UUID, parent string) ([]SubscriptionAddOn, error) {
	r, err := s.Q.SubscriptionAddOns(ctx, s.Pool, db.SubscriptionAddOnsParams{CustomerID: customer, ParentID: parent})
	if err != nil {
		return nil, fmt.Errorf("add-ons of %s: %w", parent, mapErr(err))
	}
	return r, nil
}

// SubscriptionChanges returns the changes staff made to a subscription.
func (s *Store) SubscriptionChanges(ctx context.Context, customer uuid.UUID, sub string) ([]SubscriptionChange, error) {
	r, err := s.Q.SubscriptionChanges(ctx, s.Pool, db.SubscriptionChangesParams{CustomerID: customer, SubscriptionID: sub})
	if err != nil {
		return nil, fmt.Errorf("changes of %s: %w", sub, mapErr(err))
	}
	return r, nil
}

// SubscriptionChangeByToken returns a change by its form token, scoped to
// customer, or ErrNotFound.
func (s *Store) SubscriptionChangeByToken(ctx context.Context, customer, token uuid.UUID) (SubscriptionChangeByToken, error) {
	r, err := s.Q.SubscriptionChangeByToken(ctx, s.Pool, db.SubscriptionChangeByTokenParams{Token: token, CustomerID: customer})
	if err != nil {
		return r, fmt.Errorf("change %s: %w", token, mapErr(err))
	}
	return r, nil
}

// SubscriptionAudit returns the audit lines about a subscription.
func (s *Store) SubscriptionAudit(ctx context.Context, customer uuid.UUID, sub string) ([]SubscriptionAuditEntry, error) {
	r, err := s.Q.SubscriptionAudit(ctx, s.Pool, db.SubscriptionAuditParams{CustomerID: &customer, SubscriptionID: sub})
	if err != nil {
		return nil, fmt.Errorf("audit of %s: %w", sub, mapErr(err))
	}
	return r, nil
}
