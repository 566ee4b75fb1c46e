package sandbox

import (
	"cmp"
	"strings"
	"time"
)

// createTransition checks a Transition request against the immediate
// eligibilities and queues it; it completes after Options.OrderDelay.
func (s *Sandbox) createTransition(c *call) (int, any) {
	cust, sub, e := s.subOf(c)
	if e != nil {
		return 0, e
	}
	var in transitionWire
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	if in.ToCatalogItemID == "" {
		return 0, errInvalidProperty("toCatalogItemId is required")
	}
	if in.FromSubscriptionID != "" && !strings.EqualFold(in.FromSubscriptionID, sub.W.ID) {
		return 0, errBadInput("fromSubscriptionId %s is not the subscription %s of the request path", in.FromSubscriptionID, sub.W.ID)
	}
	typ := strings.ToLower(cmp.Or(in.TransitionType, transitionOnly))
	if typ != transitionOnly && typ != transitionWithLicenses {
		return 0, errBadInput("transitionType must be %s or %s, got %q", transitionOnly, transitionWithLicenses, in.TransitionType)
	}
	elig := s.eligibilities(cust, sub, false)
	if len(elig) == 0 {
		return 0, refuseTransition(teErr(teNoPaths))
	}
	var target *transitionEligibilityWire
	for i := range elig {
		if strings.EqualFold(elig[i].CatalogItemID, in.ToCatalogItemID) {
			target = &elig[i]
		}
	}
	if target == nil {
		return 0, refuseTransition(teErr(tePathNotFound))
	}
	for _, d := range target.Eligibilities {
		if d.TransitionType == typ && !d.IsEligible {
			return 0, refuseTransition(d.Errors...)
		}
	}
	ti := s.cat.item(target.CatalogItemID)
	qty := cmpInt(in.Quantity, sub.W.Quantity)
	if qty < 1 || qty > sub.W.Quantity {
		return 0, errBadInput("quantity %d: a transition moves 1 to %d seats (the subscription's quantity)", qty, sub.W.Quantity)
	}
	term, cycle := cmp.Or(in.TermDuration, sub.W.TermDuration), strings.ToLower(cmp.Or(in.BillingCycle, sub.W.BillingCycle))
	if sub.W.IsTrial && in.TermDuration == "" && in.BillingCycle == "" && len(ti.Avail.Terms) > 0 {
		term, cycle = ti.Avail.Terms[0].Duration, strings.ToLower(ti.Avail.Terms[0].BillingCycle)
	}
	if ti.term(term, cycle) == nil {
		return 0, refuseTransition(teErr(teBillingCycle))
	}
	if qty < ti.Min || qty > ti.Max {
		return 0, errQuantityRange(qty, ti.Min, ti.Max)
	}
	if in.ToSubscriptionID != "" {
		ok := false
		for _, se := range target.SubscriptionEligibilities {
			ok = ok || (se.IsEligible && strings.EqualFold(se.SubscriptionID, in.ToSubscriptionID))
		}
		if !ok {
			return 0, errBadInput("toSubscriptionId %s is not an active subscription of %s with the same term and billing cycle", in.ToSubscriptionID, ti.ID)
		}
	}
	rec := &transitionRec{DueAt: c.now.Add(s.opts.OrderDelay), W: transitionWire{OperationID: s.newGUID(),
		FromCatalogItemID: sub.ItemID, FromSubscriptionID: sub.W.ID, ToCatalogItemID: ti.ID, ToSubscriptionID: in.ToSubscriptionID,
		Quantity: qty, TermDuration: term, BillingCycle: cycle, TransitionType: typ, PromotionID: in.PromotionID,
		Events:     []transitionEventWire{{Name: "Conversion", Status: "Started", Timestamp: c.now, Attributes: attrs{ObjectType: "TransitionEvent"}}},
		Attributes: attrs{ObjectType: "Transition"}}}
	sub.Life.Transitions = append(sub.Life.Transitions, rec)
	s.lowerDue(rec.DueAt)
	return 200, rec.W
}

// completeTransitions finishes sub's transitions due at or before at.
func (s *Sandbox) completeTransitions(cust *customer, sub *subscription, at time.Time) {
	for _, rec := range sub.Life.Transitions {
		if !rec.Done && !rec.DueAt.After(at) {
			rec.Done = true
			s.completeTransition(cust, sub, rec, rec.DueAt)
		}
	}
}

func (s *Sandbox) completeTransition(cust *customer, sub *subscription, rec *transitionRec, at time.Time) {
	ev := func(name, status string, errs ...transitionErrorWire) {
		rec.W.Events = append(rec.W.Events, transitionEventWire{Name: name, Status: status, Timestamp: at, Errors: errs,
			Attributes: attrs{ObjectType: "TransitionEvent"}})
	}
	ti := s.cat.item(rec.W.ToCatalogItemID)
	if sub.W.Status != "active" || ti == nil || rec.W.Quantity > sub.W.Quantity {
		ev("Conversion", "Failed", teErr(teStatusNotActive))
		return
	}
	c := &call{now: at, system: true}
	old := sub.W
	op := "upgrade_subscription"
	if sub.W.IsTrial {
		op = "convert_trial_subscription"
	}
	q := rec.W.Quantity
	switch {
	case rec.W.ToSubscriptionID == "" && q == sub.W.Quantity:
		// The whole subscription becomes the target; its id stays.
		trial := sub.W.IsTrial
		s.setItem(cust, sub, ti)
		sub.W.TermDuration, sub.W.BillingCycle = rec.W.TermDuration, rec.W.BillingCycle
		if trial {
			// A converted trial starts a paid term and its window now.
			sub.W.AutoRenewEnabled = ti.AutoRenew && !ti.Trial
			sub.TermStart = at
			sub.W.CommitmentEndDate = addDuration(day(at), rec.W.TermDuration).Add(-dayLen)
			s.openWindow(sub, at)
			s.recordTerm(cust, sub, day(at), false)
		}
	case rec.W.ToSubscriptionID != "":
		to := s.st.Subs[key(rec.W.ToSubscriptionID)]
		if to == nil || to.W.Status != "active" {
			ev("Conversion", "Failed", teErr(tePathNotFound))
			return
		}
		toOld := to.W
		s.addSeats(to, q, at)
		to.W.ScheduledNextTermInstructions = nil
		to.refreshRefundable(at)
		to.bump()
		s.audit(c, cust, "subscription", "update_subscription", toOld, to.W)
		s.removeSeats(sub, q)
	default:
		o := s.newOrder(at, cust, true, rec.W.BillingCycle)
		s.addLines(at, cust, o, []purchaseLine{{item: ti, quantity: q, termDuration: rec.W.TermDuration,
			billingCycle: rec.W.BillingCycle, parentLine: -1, partnerID: sub.W.PartnerID}}, "active")
		o.W.Status = "completed"
		s.orderAudit(&call{now: at, corr: c.corr}, cust, o, "create_order", 0)
		rec.W.ToSubscriptionID = o.W.LineItems[0].SubscriptionID
		s.removeSeats(sub, q)
	}
	sub.W.ScheduledNextTermInstructions = nil // an immediate mid-term change
	sub.refreshRefundable(at)
	sub.bump()
	ev("Conversion", "Completed")
	if rec.W.TransitionType == transitionWithLicenses {
		ev("LicenseReassignment", "Completed")
	}
	s.audit(c, cust, "subscription", op, old, sub.W)
}

// addSeats adds q seats to sub as a new tranche with its own window.
func (s *Sandbox) addSeats(sub *subscription, q int, at time.Time) {
	sub.W.Quantity += q
	if it := s.cat.item(sub.ItemID); sub.NCE && it != nil {
		if t := it.term(sub.W.TermDuration, sub.W.BillingCycle); t != nil {
			sub.Lots = append(sub.Lots, seatLot{Qty: q, Until: refundWindow(t, at)})
		}
	}
}

// removeSeats takes q seats off sub (moved elsewhere, not refunded): the
// open tranches shrink, newest first, so they never exceed the quantity.
func (s *Sandbox) removeSeats(sub *subscription, q int) {
	sub.W.Quantity -= q
	over := -sub.W.Quantity
	for _, l := range sub.Lots {
		over += l.Qty
	}
	for i := len(sub.Lots) - 1; i >= 0 && over > 0; i-- {
		take := min(sub.Lots[i].Qty, over)
		sub.Lots[i].Qty -= take
		over -= take
	}
}
