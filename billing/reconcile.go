package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// Finding checks.
const (
	CheckUnmatched = "unmatched" // a line's subscription is not mirrored
	CheckSeats     = "seats"     // seats billed differ from seats held
	CheckStatus    = "status"    // charged while suspended or cancelled
	CheckPrice     = "price"     // unit price differs from the price sheet
	CheckNote      = "note"      // a check that could not run, and why
)

// auditValue is what the checks read of a subscription in PC's audit log
// (PascalCase JSON; member names match case-insensitively).
type auditValue struct {
	ID       string `json:"Id"`
	Quantity *int   `json:"Quantity"`
	Status   string `json:"Status"`
}

// reconcile checks the invoice's lines against the mirror: every
// subscription mirrored, seats billed as held on the charge's day, no
// charge for a subscription suspended or cancelled in the period, unit
// prices as the price sheet says.
func (s *Service) reconcile(ctx context.Context, tx pgx.Tx, inv store.BillingInvoice) ([]store.BillingFinding, error) {
	out, err := s.st.UnmatchedBillingSubscriptions(ctx, tx, inv.ID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		f := &out[i]
		f.Reason = fmt.Sprintf("Subscription %s is not in the mirror, yet %s was charged for it: it was bought outside the portal, "+
			"or the customer's subscriptions were not synced since.", f.SubscriptionID, i18n.Money(i18n.English, f.Amount, inv.Currency))
	}
	var charges []store.BillingCharge
	if err := s.st.MatchedBillingCharges(ctx, tx, inv.ID, func(c store.BillingCharge) error {
		charges = append(charges, c)
		return nil
	}); err != nil {
		return nil, err
	}
	if len(charges) == 0 {
		return out, nil
	}
	ids := map[string]bool{}
	for _, c := range charges {
		ids[c.SubscriptionID] = true
	}
	subIDs := make([]string, 0, len(ids))
	for id := range ids {
		subIDs = append(subIDs, id)
	}
	mirror, err := s.st.MirrorSubscriptions(ctx, tx, subIDs)
	if err != nil {
		return nil, err
	}
	custs := map[uuid.UUID]bool{}
	for _, m := range mirror {
		custs[m.CustomerID] = true
	}
	custIDs := make([]uuid.UUID, 0, len(custs))
	for id := range custs {
		custIDs = append(custIDs, id)
	}
	from := inv.PeriodStart
	to := inv.PeriodEnd.AddDate(0, 0, 1)
	changes, err := s.st.SubscriptionAuditChanges(ctx, tx, custIDs, from.AddDate(0, 0, -1))
	if err != nil {
		return nil, err
	}
	history := historyOf(changes)
	statusSeen := map[string]bool{}
	priceNote := ""
	for _, c := range charges {
		m := mirror[strings.ToLower(c.SubscriptionID)]
		cur := rules.SubscriptionState{Qty: m.Quantity, Status: m.Status}
		rc := rules.Charge{SubscriptionID: c.SubscriptionID, ChargeType: c.ChargeType, Quantity: c.Quantity, Cost: c.Cost, Currency: c.Currency}
		if c.ChargeStart != nil {
			rc.Start = *c.ChargeStart
		}
		finding := func(mm rules.Mismatch) store.BillingFinding {
			return store.BillingFinding{Check: mm.Check, PCCustomerID: c.PCCustomerID, CustomerID: c.CustomerID, CustomerName: c.CustomerName,
				SubscriptionID: c.SubscriptionID, ChargeType: c.ChargeType, ChargeStart: c.ChargeStart, Amount: c.Cost, Reason: mm.Reason}
		}
		h := history[strings.ToLower(c.SubscriptionID)]
		if c.Kind == "license" {
			if mm, ok := rules.CheckSeats(rc, h, cur); ok {
				out = append(out, finding(mm))
			}
		}
		if mm, ok := rules.CheckStatus(rc, h, cur, from, to); ok && !statusSeen[c.SubscriptionID] {
			statusSeen[c.SubscriptionID] = true
			out = append(out, finding(mm))
		}
		if c.Kind != "license" || !rules.Recurring(c.ChargeType) {
			continue
		}
		li := LineItem{Kind: c.Kind, SubscriptionID: c.SubscriptionID, ProductID: c.ProductID, SkuID: c.SkuID,
			AvailabilityID: c.AvailabilityID, ChargeType: c.ChargeType, ChargeStart: rc.Start, BillingCycle: c.BillingFrequency,
			Quantity: c.Quantity, UnitPrice: c.UnitPrice, Cost: c.Cost, Currency: c.Currency}
		if c.CustomerID != nil {
			li.CustomerID = *c.CustomerID
		}
		want, err := s.prices.ExpectedPrice(ctx, tx, li)
		switch {
		case errors.Is(err, ErrNoPriceSheet):
			priceNote = "Unit prices were not checked: no price sheet imported for " + from.Format("January 2006") + "."
		case err != nil:
			priceNote = "Unit prices were not checked: " + err.Error()
		case !want.Equal(c.UnitPrice):
			out = append(out, finding(rules.Mismatch{Check: CheckPrice, Reason: fmt.Sprintf("Billed %s %s per unit (%s from %s); the price sheet says %s.",
				c.UnitPrice, c.Currency, rules.ChargeLabel(c.ChargeType), rc.Start.Format(time.DateOnly), want)}))
		}
	}
	if priceNote != "" {
		out = append(out, store.BillingFinding{Check: CheckNote, Reason: priceNote})
	}
	return out, nil
}

// historyOf groups PC's recorded subscription changes by subscription.
func historyOf(changes []store.SubscriptionAuditChange) map[string][]rules.SubscriptionChange {
	out := map[string][]rules.SubscriptionChange{}
	for _, c := range changes {
		var oldV, newV auditValue
		if json.Unmarshal([]byte(c.NewValue), &newV) != nil || newV.ID == "" {
			continue
		}
		_ = json.Unmarshal([]byte(c.OldValue), &oldV)
		ch := rules.SubscriptionChange{At: c.At, OldStatus: strings.ToLower(oldV.Status), NewStatus: strings.ToLower(newV.Status)}
		if newV.Quantity != nil {
			ch.NewQty = *newV.Quantity
		}
		ch.OldQty = ch.NewQty
		if oldV.Quantity != nil {
			ch.OldQty = *oldV.Quantity
		}
		if ch.OldStatus == "" {
			ch.OldStatus = ch.NewStatus
		}
		k := strings.ToLower(newV.ID)
		out[k] = append(out[k], ch)
	}
	for _, h := range out {
		sort.SliceStable(h, func(i, j int) bool { return h[i].At.Before(h[j].At) })
	}
	return out
}
