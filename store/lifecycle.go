package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/store/db"
)

// The subscription lifecycle rows (migration 00110): the mirror writes
// them with their subscription (WriteLifecycle), the pages read them.

// LifecycleRow is one subscription's calendar and next term as the mirror
// writes it (subscription_lifecycle; price_changes is computed by Postgres).
type LifecycleRow struct {
	SubscriptionID                                    string
	CustomerID                                        uuid.UUID
	Status                                            string
	NCE, AutoRenew                                    bool
	CommitmentEndDate, TermEnd, RenewsAt, BilledUntil *time.Time
	ExpiresAt, DisabledAt, DeletesAt                  *time.Time
	DeletesApprox                                     bool
	Path                                              string
	SuspendedAt, ReactivatedAt                        *time.Time
	Refundable                                        int32
	WindowClosesAt                                    *time.Time
	NextItemID, NextTitle                             string
	NextQuantity                                      int32
	NextTermDuration, NextBillingCycle                string
	Scheduled                                         bool
	Currency                                          string
	CurrentUnitPrice, NextUnitPrice                   decimal.NullDecimal
	PriceSource                                       string
	ComputedAt                                        time.Time
}

// TrancheRow is one seat tranche of a subscription.
type TrancheRow struct {
	SubscriptionID string
	Ordinal        int32
	CustomerID     uuid.UUID
	Quantity       int32
	AllowedUntil   time.Time
	SyncedAt       time.Time
}

// ScheduledRow is a subscription's scheduled next-term instructions.
type ScheduledRow = db.UpsertScheduledChangeParams

// TermRow is a term the mirror saw a subscription start.
type TermRow = db.InsertSubscriptionTermParams

// TransitionRow is a transition as PC reports it.
type TransitionRow = db.UpsertTransitionParams

// ScheduledRemoval marks the instructions of subscriptions PC no longer
// returns, with why.
type ScheduledRemoval struct {
	IDs    []string
	Reason string
}

// LifecycleWrite is what one mirror write changes in the lifecycle tables.
type LifecycleWrite struct {
	// Replaced are the subscriptions whose tranches are replaced by Tranches.
	Replaced  []string
	Lifecycle []LifecycleRow
	Tranches  []TrancheRow
	Scheduled []ScheduledRow
	Removed   []ScheduledRemoval
	Terms     []TermRow
	At        time.Time
	// PCNow is Partner Center's time of the read: tranches closing after it
	// are replaced, earlier ones kept as closed.
	PCNow time.Time
}

// LifecycleBefore is what the mirror knew of a subscription before a write.
type LifecycleBefore = db.LifecycleBeforeRow

// LifecycleBeforeTx returns the lifecycle rows of ids by subscription id.
func LifecycleBeforeTx(ctx context.Context, tx pgx.Tx, ids []string) (map[string]LifecycleBefore, error) {
	out := make(map[string]LifecycleBefore, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.New().LifecycleBefore(ctx, tx, ids)
	if err != nil {
		return nil, fmt.Errorf("lifecycle before: %w", err)
	}
	for _, r := range rows {
		out[r.SubscriptionID] = r
	}
	return out, nil
}

// WriteLifecycle writes w inside tx.
func WriteLifecycle(ctx context.Context, tx pgx.Tx, w LifecycleWrite) error {
	q := db.New()
	if len(w.Replaced) > 0 {
		if err := q.DeleteTranches(ctx, tx, db.DeleteTranchesParams{Ids: w.Replaced, OpenFrom: w.PCNow, ClosedBefore: w.PCNow.AddDate(-1, -1, 0)}); err != nil {
			return fmt.Errorf("tranches: %w", err)
		}
	}
	if err := bulkTranches.upsert(ctx, tx, trancheValues(w.Tranches)); err != nil {
		return err
	}
	if err := bulkLifecycle.upsert(ctx, tx, lifecycleValues(w.Lifecycle)); err != nil {
		return err
	}
	for _, r := range w.Removed {
		if len(r.IDs) > 0 {
			if err := q.MarkScheduledRemoved(ctx, tx, db.MarkScheduledRemovedParams{Ids: r.IDs, Reason: r.Reason, At: &w.At}); err != nil {
				return fmt.Errorf("scheduled changes removed: %w", err)
			}
		}
	}
	var berr error
	keep := func(_ int, e error) {
		if e != nil && berr == nil {
			berr = e
		}
	}
	if len(w.Scheduled) > 0 {
		q.UpsertScheduledChange(ctx, tx, w.Scheduled).Exec(keep)
	}
	if len(w.Terms) > 0 {
		q.InsertSubscriptionTerm(ctx, tx, w.Terms).Exec(keep)
	}
	if berr != nil {
		return fmt.Errorf("lifecycle: %w", berr)
	}
	return nil
}

// WriteTransitions upserts transitions inside tx.
func WriteTransitions(ctx context.Context, tx pgx.Tx, ts []TransitionRow) error {
	if len(ts) == 0 {
		return nil
	}
	var berr error
	db.New().UpsertTransition(ctx, tx, ts).Exec(func(_ int, e error) {
		if e != nil && berr == nil {
			berr = e
		}
	})
	if berr != nil {
		return fmt.Errorf("transitions: %w", berr)
	}
	return nil
}

var (
	bulkTranches = bulk{table: "subscription_tranches", key: []string{"subscription_id", "allowed_until", "ordinal"}, noGone: true,
		cols: []string{"subscription_id", "ordinal", "customer_id", "quantity", "allowed_until", "synced_at"}}
	bulkLifecycle = bulk{table: "subscription_lifecycle", key: []string{"subscription_id"}, noGone: true, changed: "computed_at",
		cols: []string{"subscription_id", "customer_id", "status", "nce", "auto_renew", "commitment_end_date", "term_end",
			"renews_at", "billed_until", "expires_at", "disabled_at", "deletes_at", "deletes_approx", "path", "suspended_at",
			"reactivated_at", "refundable", "window_closes_at", "next_item_id", "next_title", "next_quantity",
			"next_term_duration", "next_billing_cycle", "scheduled", "currency", "current_unit_price", "next_unit_price",
			"price_source", "computed_at"}}
)

func trancheValues(ps []TrancheRow) [][]any {
	seen := map[string]int{}
	out := make([][]any, 0, len(ps))
	for _, p := range ps {
		out = appendUnique(out, seen, fmt.Sprint(p.SubscriptionID, "\x00", p.AllowedUntil.UnixNano(), "\x00", p.Ordinal),
			[]any{p.SubscriptionID, p.Ordinal, p.CustomerID, p.Quantity, p.AllowedUntil, p.SyncedAt})
	}
	return out
}

func lifecycleValues(ps []LifecycleRow) [][]any {
	seen := map[string]int{}
	out := make([][]any, 0, len(ps))
	for _, p := range ps {
		out = appendUnique(out, seen, p.SubscriptionID, []any{p.SubscriptionID, p.CustomerID, p.Status, p.NCE, p.AutoRenew,
			p.CommitmentEndDate, p.TermEnd, p.RenewsAt, p.BilledUntil, p.ExpiresAt, p.DisabledAt, p.DeletesAt,
			p.DeletesApprox, p.Path, p.SuspendedAt, p.ReactivatedAt, p.Refundable, p.WindowClosesAt, p.NextItemID,
			p.NextTitle, p.NextQuantity, p.NextTermDuration, p.NextBillingCycle, p.Scheduled, p.Currency,
			p.CurrentUnitPrice, p.NextUnitPrice, p.PriceSource, p.ComputedAt})
	}
	return out
}

// PriceQuery asks the default pricer for one subscription's prices.
type PriceQuery struct {
	SubscriptionID, OrderID, Country string
	CurItem, CurTerm, CurCycle       string
	NextItem, NextTerm, NextCycle    string
}

// DefaultPrice is the default pricer's answer: the order line's unit price
// (the current term as bought), and the price list's for the current and
// the next term.
type DefaultPrice struct {
	OrderCurrency   string
	LinePrice       decimal.NullDecimal
	CurrentCurrency string
	CurrentPrice    decimal.NullDecimal
	NextCurrency    string
	NextPrice       decimal.NullDecimal
}

// DefaultTermPrices reads, inside tx, the default prices of qs by
// subscription id.
func DefaultTermPrices(ctx context.Context, tx pgx.Tx, qs []PriceQuery) (map[string]DefaultPrice, error) {
	out := make(map[string]DefaultPrice, len(qs))
	if len(qs) == 0 {
		return out, nil
	}
	p := db.DefaultTermPricesParams{}
	for _, x := range qs {
		p.SubscriptionIds = append(p.SubscriptionIds, x.SubscriptionID)
		p.OrderIds = append(p.OrderIds, x.OrderID)
		p.Countries = append(p.Countries, x.Country)
		p.CurItems = append(p.CurItems, x.CurItem)
		p.CurTerms = append(p.CurTerms, x.CurTerm)
		p.CurCycles = append(p.CurCycles, x.CurCycle)
		p.NextItems = append(p.NextItems, x.NextItem)
		p.NextTerms = append(p.NextTerms, x.NextTerm)
		p.NextCycles = append(p.NextCycles, x.NextCycle)
	}
	rows, err := db.New().DefaultTermPrices(ctx, tx, p)
	if err != nil {
		return nil, fmt.Errorf("default term prices: %w", err)
	}
	dec := func(s string) decimal.NullDecimal {
		d, err := decimal.NewFromString(s)
		return decimal.NullDecimal{Decimal: d, Valid: s != "" && err == nil}
	}
	for _, r := range rows {
		out[r.SubscriptionID] = DefaultPrice{OrderCurrency: r.OrderCurrency, LinePrice: dec(r.LinePrice),
			CurrentCurrency: r.CurrentCurrency, CurrentPrice: dec(r.CurrentPrice), NextCurrency: r.NextCurrency, NextPrice: dec(r.NextPrice)}
	}
	return out, nil
}

// LifecycleForPricing is a subscription whose next term is priced again.
type LifecycleForPricing = db.LifecycleForPricingRow

// LifecycleForPricingBatch returns up to n subscriptions after id after.
func (s *Store) LifecycleForPricingBatch(ctx context.Context, after string, n int32) ([]LifecycleForPricing, error) {
	r, err := s.Q.LifecycleForPricing(ctx, s.Pool, db.LifecycleForPricingParams{After: after, Lim: n})
	if err != nil {
		return nil, fmt.Errorf("lifecycle for pricing: %w", err)
	}
	return r, nil
}

// NextTermPrice is a repriced next term (SetNextTermPrices).
type NextTermPrice = db.SetNextTermPriceParams

// SetNextTermPrices writes repriced next terms inside tx.
func SetNextTermPrices(ctx context.Context, tx pgx.Tx, ps []NextTermPrice) error {
	if len(ps) == 0 {
		return nil
	}
	var berr error
	db.New().SetNextTermPrice(ctx, tx, ps).Exec(func(_ int, e error) {
		if e != nil && berr == nil {
			berr = e
		}
	})
	return berr
}

// SkuTitlesTx returns the titles of SKUs by upper-case productId:skuId.
func SkuTitlesTx(ctx context.Context, tx pgx.Tx, keys []string) (map[string]string, error) {
	out := map[string]string{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := db.New().SkuTitles(ctx, tx, keys)
	if err != nil {
		return nil, fmt.Errorf("sku titles: %w", err)
	}
	for _, r := range rows {
		out[r.SkuKey] = r.Title
	}
	return out, nil
}

// OpenCommandTargetsTx returns the ids targeted by commands still on their
// way to Partner Center (syncs leave those rows alone).
func OpenCommandTargetsTx(ctx context.Context, tx pgx.Tx) (map[string]bool, error) {
	ids, err := db.New().OpenCommandTargets(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("open command targets: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
