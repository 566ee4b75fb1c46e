package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// Reads of the subscription page's lifecycle parts, and the small writes
// that are portal settings rather than Partner Center changes (per-customer
// renewal price visibility, calendar feeds), each with its audit entry.

// LifecycleRowRead is a subscription's calendar and next term as stored.
type LifecycleRowRead = db.SubscriptionLifecycle

// ScheduledChange is a subscription's scheduled next-term change (or the
// last one, with why it is gone).
type ScheduledChange = db.SubscriptionScheduledChange

// Transition is an upgrade of a subscription as PC reported it.
type Transition = db.SubscriptionTransition

// SubscriptionTerm is a term the mirror saw a subscription start.
type SubscriptionTerm = db.SubscriptionTerm

// TrancheRead is one seat tranche as stored.
type TrancheRead = db.SubscriptionTranchesRow

// SubscriptionLifecycle is everything the subscription page shows of a
// subscription's lifecycle. Known is false for a subscription the mirror
// wrote before it kept lifecycle rows (until the next sync).
type SubscriptionLifecycle struct {
	Known       bool
	Row         LifecycleRowRead
	Tranches    []TrancheRead
	Scheduled   *ScheduledChange
	Transitions []Transition
	Terms       []SubscriptionTerm
}

// SubscriptionLifecycle returns the lifecycle of customer's subscription sub.
func (s *Store) SubscriptionLifecycle(ctx context.Context, customer uuid.UUID, sub string) (SubscriptionLifecycle, error) {
	var out SubscriptionLifecycle
	row, err := s.Q.SubscriptionLifecycle(ctx, s.Pool, db.SubscriptionLifecycleParams{SubscriptionID: sub, CustomerID: customer})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return out, nil
	case err != nil:
		return out, fmt.Errorf("lifecycle of %s: %w", sub, err)
	}
	out.Known, out.Row = true, row
	if out.Tranches, err = s.Q.SubscriptionTranches(ctx, s.Pool, db.SubscriptionTranchesParams{SubscriptionID: sub, CustomerID: customer}); err != nil {
		return out, fmt.Errorf("tranches of %s: %w", sub, err)
	}
	sc, err := s.Q.SubscriptionScheduledChange(ctx, s.Pool, db.SubscriptionScheduledChangeParams{SubscriptionID: sub, CustomerID: customer})
	switch {
	case err == nil:
		out.Scheduled = &sc
	case !errors.Is(err, pgx.ErrNoRows):
		return out, fmt.Errorf("scheduled change of %s: %w", sub, err)
	}
	if out.Transitions, err = s.Q.SubscriptionTransitions(ctx, s.Pool, db.SubscriptionTransitionsParams{SubscriptionID: sub, CustomerID: customer}); err != nil {
		return out, fmt.Errorf("transitions of %s: %w", sub, err)
	}
	if out.Terms, err = s.Q.SubscriptionTerms(ctx, s.Pool, db.SubscriptionTermsParams{SubscriptionID: sub, CustomerID: customer}); err != nil {
		return out, fmt.Errorf("terms of %s: %w", sub, err)
	}
	return out, nil
}

// CatalogItemTerm is one term of a catalog item.
type CatalogItemTerm struct {
	Duration     string `json:"duration"`
	BillingCycle string `json:"billingCycle"`
}

// TargetItem is a new-commerce catalog item with its SKU's title,
// quantity limits and terms.
type TargetItem struct {
	ID, Title string
	Min, Max  int
	Terms     []CatalogItemTerm
}

// TargetItems returns the mirrored catalog items of ids by upper-case id,
// preferring country's.
func (s *Store) TargetItems(ctx context.Context, country string, ids []string) (map[string]TargetItem, error) {
	up := make([]string, len(ids))
	for i, id := range ids {
		up[i] = strings.ToUpper(id)
	}
	rows, err := s.Q.CatalogItemsByID(ctx, s.Pool, db.CatalogItemsByIDParams{Ids: up, Country: strings.ToUpper(country)})
	if err != nil {
		return nil, fmt.Errorf("catalog items: %w", err)
	}
	out := make(map[string]TargetItem, len(rows))
	for _, r := range rows {
		it := TargetItem{ID: r.CatalogItemID, Title: r.Title, Min: int(r.MinQuantity), Max: int(r.MaxQuantity)}
		_ = json.Unmarshal(r.Terms, &it.Terms)
		out[strings.ToUpper(r.CatalogItemID)] = it
	}
	return out, nil
}

// ShowsRenewalPrices reports whether the reseller shows customer its
// next-term prices in the customer view.
func (s *Store) ShowsRenewalPrices(ctx context.Context, customer uuid.UUID) (bool, error) {
	v, err := s.Q.CustomerSettings(ctx, s.Pool, customer)
	if err != nil {
		return false, fmt.Errorf("customer settings: %w", err)
	}
	return v, nil
}

// SetRenewalPrices turns the next-term prices in customer's view on or off.
func (s *Store) SetRenewalPrices(ctx context.Context, by Actor, customer uuid.UUID, show bool) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		if err := s.Q.SetCustomerRenewalPrices(ctx, tx, db.SetCustomerRenewalPricesParams{CustomerID: customer, Show: show, UpdatedBy: by.UserID}); err != nil {
			return fmt.Errorf("customer settings: %w", err)
		}
		detail := "next-term prices hidden from the customer"
		if show {
			detail = "next-term prices shown to the customer"
		}
		return s.auditTx(ctx, tx, by, "customer.renewal_prices", "customer", customer.String(), customer, detail)
	})
}

// CalendarFeed is a user's live feed (without its token, which is never
// stored).
type CalendarFeed = db.LiveCalendarFeedRow

// CreateCalendarFeed replaces user's live feed by one whose token hashes
// to hash.
func (s *Store) CreateCalendarFeed(ctx context.Context, by Actor, user int64, hash []byte) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := s.Q.RevokeCalendarFeeds(ctx, tx, user); err != nil {
			return fmt.Errorf("revoke feeds: %w", err)
		}
		f, err := s.Q.InsertCalendarFeed(ctx, tx, db.InsertCalendarFeedParams{UserID: user, TokenHash: hash})
		if err != nil {
			return fmt.Errorf("calendar feed: %w", mapErr(err))
		}
		return s.auditNoCustomer(ctx, tx, by, "calendar_feed.created", "calendar_feed", fmt.Sprint(f.ID), "")
	})
}

// RevokeCalendarFeed revokes user's live feed (ErrNotFound when none).
func (s *Store) RevokeCalendarFeed(ctx context.Context, by Actor, user int64) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		n, err := s.Q.RevokeCalendarFeeds(ctx, tx, user)
		if err != nil {
			return fmt.Errorf("revoke feeds: %w", err)
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.auditNoCustomer(ctx, tx, by, "calendar_feed.revoked", "calendar_feed", fmt.Sprint(user), "")
	})
}

// CalendarFeedUser is the staff user a live feed token (by its hash)
// belongs to, or ErrNotFound (unknown, revoked, user disabled or no longer
// staff).
func (s *Store) CalendarFeedUser(ctx context.Context, hash []byte) (db.CalendarFeedUserRow, error) {
	u, err := s.Q.CalendarFeedUser(ctx, s.Pool, hash)
	if err != nil {
		return u, fmt.Errorf("calendar feed: %w", mapErr(err))
	}
	return u, nil
}

func (s *Store) auditNoCustomer(ctx context.Context, q db.DBTX, by Actor, action, targetType, targetID, detail string) error {
	if _, err := s.Q.InsertAudit(ctx, q, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: action,
		TargetType: targetType, TargetID: targetID, Outcome: "ok", Detail: detail}); err != nil {
		return fmt.Errorf("audit %s: %w", action, mapErr(err))
	}
	return nil
}
