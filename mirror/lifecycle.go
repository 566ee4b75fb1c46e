package mirror

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// The lifecycle rows of a subscription (tranches, scheduled changes, its
// calendar and next term, the terms seen) are written with the
// subscription, in the same transaction, from what PC returned and what
// the mirror knew before (a suspension or renewal is seen as a change of
// status or commitment end date).

// subWrite is a subscription PC returned, to write with its lifecycle.
type subWrite struct {
	sub      *pccclient.Subscription
	customer uuid.UUID
	// seen is when PC changed it, when an audit record says so (the
	// suspension date of a legacy subscription counts from it).
	seen time.Time
}

// Reasons a scheduled change disappeared (subscription_scheduled_changes.removed_reason).
const (
	RemovedAtRenewal  = "applied at the renewal"
	RemovedSuspension = "deleted by the suspension"
	RemovedAutoRenew  = "deleted when auto-renew was turned off"
	RemovedMidTerm    = "deleted by a mid-term change"
	RemovedCleared    = "cleared"
	RemovedEnded      = "deleted when the subscription ended"
)

// writeLifecycle writes the lifecycle rows of ws inside tx. With
// respectPending, subscriptions with a command on its way to PC are left
// alone (like their subscription rows). why, when set, is the reason a
// scheduled change that disappeared is given (the portal's own change).
func (m *Mirror) writeLifecycle(ctx context.Context, tx pgx.Tx, ws []subWrite, respectPending bool, why string, at time.Time) error {
	if len(ws) == 0 {
		return nil
	}
	if respectPending {
		open, err := store.OpenCommandTargetsTx(ctx, tx)
		if err != nil {
			return err
		}
		if len(open) > 0 {
			kept := ws[:0:0]
			for _, w := range ws {
				if !open[w.sub.ID] {
					kept = append(kept, w)
				}
			}
			ws = kept
		}
	}
	ids := make([]string, len(ws))
	for i, w := range ws {
		ids[i] = w.sub.ID
	}
	before, err := store.LifecycleBeforeTx(ctx, tx, ids)
	if err != nil {
		return err
	}
	titles, err := m.nextTitles(ctx, tx, ws)
	if err != nil {
		return err
	}
	out := store.LifecycleWrite{Replaced: ids, At: at, PCNow: m.opt.PCNow().UTC()}
	removed := map[string][]string{}
	qs := make([]PriceQuery, 0, len(ws))
	rows := make([]store.LifecycleRow, 0, len(ws))
	for _, w := range ws {
		s := w.sub
		prev, known := before[s.ID]
		row, q := lifecycleRow(w, prev, known, titles, at)
		rows, qs = append(rows, row), append(qs, q)
		for i, d := range tranchesOf(s) {
			out.Tranches = append(out.Tranches, store.TrancheRow{SubscriptionID: s.ID, Ordinal: int32(i), CustomerID: w.customer,
				Quantity: int32(d.Quantity), AllowedUntil: d.Until, SyncedAt: at})
		}
		if nt := s.ScheduledNextTermInstructions; nt != nil && nt.Product != nil {
			p := nt.Product
			out.Scheduled = append(out.Scheduled, store.ScheduledRow{SubscriptionID: s.ID, CustomerID: w.customer,
				CatalogItemID: itemID(p), ProductID: p.ProductID, SkuID: p.SkuID, AvailabilityID: p.AvailabilityID,
				Title: row.NextTitle, TermDuration: p.TermDuration, BillingCycle: lower(string(p.BillingCycle)),
				PromotionID: p.PromotionID, Quantity: int32(nt.Quantity), CustomTermEndDate: tptr(nt.CustomTermEndDate), SyncedAt: at})
		} else if prev.HadScheduled {
			r := cmp.Or(why, removalReason(s, prev))
			removed[r] = append(removed[r], s.ID)
		}
		if renewed(prev, known, s) || !known {
			if s.CommitmentEndDate.IsZero() || usage(s) {
				continue
			}
			tr := store.TermRow{SubscriptionID: s.ID, CommitmentEndDate: s.CommitmentEndDate.UTC(), CustomerID: w.customer,
				ItemID: s.OfferID, Quantity: int32(s.Quantity), TermDuration: s.TermDuration, BillingCycle: lower(string(s.BillingCycle)),
				Renewal: known, ObservedAt: at, TermStart: tptr(s.EffectiveStartDate)}
			if known && prev.CommitmentEndDate != nil {
				start := rules.TermEnd(*prev.CommitmentEndDate)
				tr.TermStart = &start
			}
			out.Terms = append(out.Terms, tr)
		}
	}
	for r, ids := range removed {
		out.Removed = append(out.Removed, store.ScheduledRemoval{IDs: ids, Reason: r})
	}
	prices, err := m.pricer.TermPrices(ctx, tx, qs)
	if err != nil {
		return err
	}
	for i := range rows {
		prev, known := before[rows[i].SubscriptionID]
		applyPrices(&rows[i], prices[rows[i].SubscriptionID], prev, known, ws[i].sub)
	}
	byID := make(map[string]*store.LifecycleRow, len(rows))
	for i := range rows {
		byID[rows[i].SubscriptionID] = &rows[i]
	}
	for i := range out.Terms {
		if r := byID[out.Terms[i].SubscriptionID]; r != nil {
			out.Terms[i].Currency, out.Terms[i].UnitPrice = r.Currency, r.CurrentUnitPrice
		}
	}
	out.Lifecycle = rows
	return store.WriteLifecycle(ctx, tx, out)
}

// lifecycleRow computes a subscription's calendar and next term (prices
// are added by applyPrices) and the pricer's query for it.
func lifecycleRow(w subWrite, prev store.LifecycleBefore, known bool, titles map[string]string, at time.Time) (store.LifecycleRow, PriceQuery) {
	s := w.sub
	status := lower(string(s.Status))
	nce := rules.Subscription{OfferID: s.OfferID, ProductType: productType(s)}.NCE()
	row := store.LifecycleRow{SubscriptionID: s.ID, CustomerID: w.customer, Status: status, NCE: nce, AutoRenew: s.AutoRenewEnabled,
		CommitmentEndDate: tptr(s.CommitmentEndDate), ComputedAt: at}
	// What the mirror saw happen.
	seen := at
	if !w.seen.IsZero() {
		seen = w.seen.UTC()
	}
	switch {
	case status == "suspended" && known && prev.Status == "suspended":
		row.SuspendedAt = prev.SuspendedAt
	case status == "suspended" && known:
		row.SuspendedAt = &seen
	}
	switch {
	case status == "active" && known && prev.Status == "suspended":
		row.ReactivatedAt = &seen
	case status == "active" && known:
		row.ReactivatedAt = prev.ReactivatedAt
	}
	path := ""
	if status == "disabled" && known {
		switch prev.Status {
		case "suspended":
			path = rules.PathSuspended
		case "expired":
			path = rules.PathExpired
		default:
			path = prev.Path
		}
	}
	l := rules.DeriveLifecycle(rules.LifecycleFacts{Status: status, NCE: nce, AutoRenew: s.AutoRenewEnabled, Trial: s.IsTrial,
		Usage: usage(s), CommitmentEnd: tptr(s.CommitmentEndDate), SuspendedAt: row.SuspendedAt, Path: path})
	row.TermEnd, row.RenewsAt, row.BilledUntil = tptr(l.TermEnd), tptr(l.RenewsAt), tptr(l.BilledUntil)
	row.ExpiresAt, row.DisabledAt, row.DeletesAt = tptr(l.ExpiresAt), tptr(l.DisabledAt), tptr(l.DeletesAt)
	row.DeletesApprox, row.Path = l.DeletesApprox, l.Path
	for _, d := range tranchesOf(s) {
		row.Refundable += int32(d.Quantity)
		if row.WindowClosesAt == nil || d.Until.After(*row.WindowClosesAt) {
			u := d.Until
			row.WindowClosesAt = &u
		}
	}
	cur := rules.TermSpec{ItemID: s.OfferID, Title: s.OfferName, Quantity: s.Quantity, TermDuration: s.TermDuration,
		BillingCycle: lower(string(s.BillingCycle))}
	var sched *rules.Scheduled
	if nt := s.ScheduledNextTermInstructions; nt != nil && nt.Product != nil {
		id := itemID(nt.Product)
		title := s.OfferName
		if !strings.EqualFold(id, s.OfferID) {
			title = cmp.Or(titles[skuKey(nt.Product)], id)
		}
		sched = &rules.Scheduled{TermSpec: rules.TermSpec{ItemID: id, Title: title, Quantity: nt.Quantity,
			TermDuration: nt.Product.TermDuration, BillingCycle: string(nt.Product.BillingCycle)}, CustomTermEnd: tptr(nt.CustomTermEndDate)}
	}
	next := rules.NextTermOf(i18n.English, cur, sched)
	row.NextItemID, row.NextTitle, row.NextQuantity = next.ItemID, next.Title, int32(next.Quantity)
	row.NextTermDuration, row.NextBillingCycle, row.Scheduled = next.TermDuration, next.BillingCycle, next.Scheduled
	q := PriceQuery{SubscriptionID: s.ID, CustomerID: w.customer, OrderID: s.OrderID, Current: cur, Next: next.TermSpec, RenewsOn: l.TermEnd}
	return row, q
}

// applyPrices sets row's prices: the current term keeps the price it was
// first seen at (after a renewal: the next-term price it renewed at), the
// next term takes the pricer's.
func applyPrices(row *store.LifecycleRow, p TermPricing, prev store.LifecycleBefore, known bool, s *pccclient.Subscription) {
	row.Currency, row.CurrentUnitPrice, row.NextUnitPrice, row.PriceSource = p.Currency, p.Current, p.Next, p.Source
	switch {
	case known && renewed(prev, known, s) && prev.NextUnitPrice.Valid:
		row.CurrentUnitPrice, row.Currency = prev.NextUnitPrice, cmp.Or(prev.Currency, p.Currency)
	case known && !renewed(prev, known, s) && prev.CurrentUnitPrice.Valid:
		row.CurrentUnitPrice, row.Currency = prev.CurrentUnitPrice, cmp.Or(prev.Currency, p.Currency)
	}
	if row.Currency != "" && p.Currency != "" && !strings.EqualFold(row.Currency, p.Currency) {
		row.NextUnitPrice = decimal.NullDecimal{} // not comparable: the pricer answered in another currency
	}
}

// renewed reports whether s started a new term since prev was written.
func renewed(prev store.LifecycleBefore, known bool, s *pccclient.Subscription) bool {
	return known && prev.CommitmentEndDate != nil && !s.CommitmentEndDate.IsZero() && s.CommitmentEndDate.After(*prev.CommitmentEndDate)
}

// removalReason says why PC no longer has s's scheduled change.
func removalReason(s *pccclient.Subscription, prev store.LifecycleBefore) string {
	switch {
	case prev.CommitmentEndDate != nil && !s.CommitmentEndDate.IsZero() && s.CommitmentEndDate.After(*prev.CommitmentEndDate):
		return RemovedAtRenewal
	case s.Status.Is(pccclient.SubscriptionSuspended):
		return RemovedSuspension
	case !s.Status.Is(pccclient.SubscriptionActive):
		return RemovedEnded
	case !s.AutoRenewEnabled:
		return RemovedAutoRenew
	case s.Quantity != int(prev.NextQuantity) && prev.NextQuantity > 0:
		return RemovedMidTerm
	}
	return RemovedMidTerm + " or cleared"
}

// tranchesOf are s's seat tranches as PC returned them.
func tranchesOf(s *pccclient.Subscription) []rules.Tranche {
	if s.RefundableQuantity == nil {
		return nil
	}
	out := make([]rules.Tranche, 0, len(s.RefundableQuantity.Details))
	for _, d := range s.RefundableQuantity.Details {
		if d.Quantity > 0 && !d.AllowedUntilDateTime.IsZero() {
			out = append(out, rules.Tranche{Quantity: d.Quantity, Until: d.AllowedUntilDateTime.UTC()})
		}
	}
	return out
}

func usage(s *pccclient.Subscription) bool {
	return strings.EqualFold(string(s.BillingType), string(pccclient.BillingTypeUsage))
}

func itemID(p *pccclient.NextTermProduct) string {
	return p.ProductID + ":" + p.SkuID + ":" + p.AvailabilityID
}

func skuKey(p *pccclient.NextTermProduct) string {
	return strings.ToUpper(p.ProductID + ":" + p.SkuID)
}

func productType(s *pccclient.Subscription) string {
	if s.ProductType == nil {
		return ""
	}
	return s.ProductType.ID
}

// nextTitles looks up the SKU names of scheduled changes to another SKU.
func (m *Mirror) nextTitles(ctx context.Context, tx pgx.Tx, ws []subWrite) (map[string]string, error) {
	var keys []string
	for _, w := range ws {
		if nt := w.sub.ScheduledNextTermInstructions; nt != nil && nt.Product != nil && !strings.EqualFold(itemID(nt.Product), w.sub.OfferID) {
			keys = append(keys, skuKey(nt.Product))
		}
	}
	return store.SkuTitlesTx(ctx, tx, keys)
}

// subWrites pairs subscriptions with their customer.
func subWrites(subs []pccclient.Subscription, customer uuid.UUID) []subWrite {
	out := make([]subWrite, len(subs))
	for i := range subs {
		out[i] = subWrite{sub: &subs[i], customer: customer}
	}
	return out
}
