package sandbox

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

func (s *Sandbox) subOf(c *call) (*customer, *subscription, *pcError) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return nil, nil, e
	}
	sub := s.st.Subs[key(c.pv("sid"))]
	if sub == nil || sub.CustomerID != cust.W.ID {
		return nil, nil, errSubNotFound(c.pv("sid"))
	}
	return cust, sub, nil
}

// listSubscriptions returns all subscriptions of a customer in one
// collection, optionally those of one order (order_id) or reseller (mpn_id).
func (s *Sandbox) listSubscriptions(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	orderID, mpn := c.qi("order_id"), c.qi("mpn_id")
	items := make([]*subscription, 0, len(cust.SubIDs))
	for _, id := range cust.SubIDs {
		sub := s.st.Subs[id]
		if orderID != "" && !strings.EqualFold(sub.W.OrderID, orderID) {
			continue
		}
		if mpn != "" && sub.W.PartnerID != mpn {
			continue
		}
		items = append(items, sub)
	}
	return 200, subCollection(items, "/customers/"+cust.W.ID+"/subscriptions")
}

func (s *Sandbox) getSubscription(c *call) (int, any) {
	_, sub, e := s.subOf(c)
	if e != nil {
		return 0, e
	}
	return 200, rawBody{body: sub.json()}
}

func (s *Sandbox) listSubscriptionAddons(c *call) (int, any) {
	cust, sub, e := s.subOf(c)
	if e != nil {
		return 0, e
	}
	return 200, subCollection(s.children(cust, sub.W.ID), "/customers/"+cust.W.ID+"/subscriptions/"+sub.W.ID+"/addons")
}

func (s *Sandbox) provisioningStatus(c *call) (int, any) {
	_, sub, e := s.subOf(c)
	if e != nil {
		return 0, e
	}
	status := "success"
	if sub.W.Status == "pending" {
		status = "pending"
	}
	skuID := strings.ToUpper(sub.W.OfferID)
	if it := s.cat.item(sub.ItemID); it != nil {
		if id, _, _, _ := it.aad(); id != "" {
			skuID = strings.ToUpper(id)
		}
	}
	return 200, &provisioningStatusWire{SkuID: skuID, Status: status, Quantity: sub.W.Quantity,
		EndDate: sub.W.CommitmentEndDate, Attributes: attrs{ObjectType: "SubscriptionProvisioningStatus"}}
}

// subPatch is the part of the (whole) Subscription resource PATCH reads.
type subPatch struct {
	Quantity                      *int            `json:"quantity"`
	Status                        *string         `json:"status"`
	AutoRenewEnabled              *bool           `json:"autoRenewEnabled"`
	FriendlyName                  *string         `json:"friendlyName"`
	BillingCycle                  *string         `json:"billingCycle"`
	PartnerID                     *string         `json:"partnerId"`
	ScheduledNextTermInstructions json.RawMessage `json:"scheduledNextTermInstructions"`
}

// patchSubscription applies PC's subscription rules; see the package doc.
func (s *Sandbox) patchSubscription(c *call) (int, any) {
	cust, sub, e := s.subOf(c)
	if e != nil {
		return 0, e
	}
	if im := strings.Trim(strings.TrimPrefix(c.r.Header.Get("If-Match"), "W/"), `"`); im != "" && im != "*" && im != sub.W.Attributes.Etag {
		return 0, newErr(http.StatusBadRequest, "2055", "Etag is no longer valid")
	}
	var p subPatch
	if e := c.decode(&p); e != nil {
		return 0, e
	}
	w := &sub.W
	it := s.cat.item(sub.ItemID)
	ch := subChange{}
	if p.Status != nil && !strings.EqualFold(*p.Status, w.Status) && *p.Status != "" {
		ch.status = strings.ToLower(*p.Status)
	}
	ch.qty = p.Quantity != nil && *p.Quantity != w.Quantity
	ch.renew = p.AutoRenewEnabled != nil && *p.AutoRenewEnabled != w.AutoRenewEnabled
	name := p.FriendlyName != nil && *p.FriendlyName != w.FriendlyName
	if name {
		if e := tooLong(fieldLimit{"friendlyName", *p.FriendlyName, limitFriendlyName}); e != nil {
			return 0, e
		}
	}
	cycle := p.BillingCycle != nil && *p.BillingCycle != "" && !strings.EqualFold(*p.BillingCycle, w.BillingCycle)
	partner := p.PartnerID != nil && *p.PartnerID != w.PartnerID
	if p.ScheduledNextTermInstructions != nil {
		nt, e := parseNextTerm(p.ScheduledNextTermInstructions)
		if e != nil {
			return 0, e
		}
		ch.next, ch.nextTerm = !sameNextTerm(nt, w.ScheduledNextTermInstructions), nt
	}
	if ch.status == "" && !ch.qty && !ch.renew && !name && !cycle && !partner && !ch.next {
		return 200, w
	}
	switch w.Status {
	case "deleted":
		return 0, newErr(http.StatusBadRequest, "2011", "Subscription with id %s and deleted status cannot be updated.", w.ID)
	case "expired":
		return 0, newErr(http.StatusBadRequest, "800040", "Asset status cannot be changed to %s from expired", cmp.Or(ch.status, "active"))
	case "pending":
		return 0, newErr(http.StatusConflict, "800060", "Your order is in progress. Please check your order history for recent orders in few minutes")
	case "suspended":
		if e := s.checkSuspendedPatch(c.now, sub, it, ch, cycle || partner); e != nil {
			return 0, e
		}
	case "active":
	default:
		// disabled (after a suspended or expired term end, or set by
		// SetSubscriptionStatus) and statuses the sandbox does not model:
		// the partner cannot change them.
		return 0, newErr(http.StatusBadRequest, "800040", "Asset status cannot be changed to %s from %s", cmp.Or(ch.status, w.Status), w.Status)
	}
	old := *w
	if cycle {
		if sub.NCE {
			return 0, newErr(http.StatusBadRequest, "800097", "Cannot update the billing cycle for this subscription")
		}
		return 0, newErr(http.StatusBadRequest, "2054", "Billing cycle of an existing subscription cannot be changed via update-subscription; update the order's billing cycle instead")
	}
	if w.Status == "active" {
		if e := s.checkActivePatch(c.now, cust, sub, it, p, ch); e != nil {
			return 0, e
		}
	}
	// All checks passed: apply.
	if ch.qty {
		if d := *p.Quantity - w.Quantity; d > 0 {
			s.addSeats(sub, d, c.now)
		} else {
			sub.reduce(c.now, -d)
			w.Quantity = *p.Quantity
		}
	}
	if ch.renew {
		w.AutoRenewEnabled = *p.AutoRenewEnabled
	}
	if name {
		w.FriendlyName = *p.FriendlyName
	}
	if partner {
		w.PartnerID = *p.PartnerID
	}
	if ch.next {
		w.ScheduledNextTermInstructions = ch.nextTerm
	}
	if ch.qty || (ch.renew && !w.AutoRenewEnabled) {
		// An immediate mid-term change deletes the scheduled changes
		// ("Schedule changes for a new commerce subscription"); without
		// auto-renew they could never apply.
		w.ScheduledNextTermInstructions = nil
	}
	switch ch.status {
	case "suspended":
		s.suspend(c, cust, sub, "CustomerCancellation")
	case "active":
		s.reactivate(c, cust, sub)
	case "deleted":
		s.cancel(c, cust, sub)
	}
	sub.refreshRefundable(c.now)
	sub.bump()
	s.audit(c, cust, "subscription", "update_subscription", old, *w)
	return 200, w
}

// subChange is what a PATCH changes that the rules look at.
type subChange struct {
	status           string // new status, "" when unchanged
	qty, renew, next bool
	nextTerm         *nextTermWire // the instructions sent (nil: clear)
}

// reactivate makes a suspended subscription (and the add-ons suspended
// with it) active again. Auto-renew and scheduled changes stay as the
// suspension left them: the partner turns them back on.
func (s *Sandbox) reactivate(c *call, cust *customer, sub *subscription) {
	sub.W.Status, sub.W.SuspensionReasons = "active", nil
	sub.SuspendedWithParent, sub.Life.SuspendedAt = false, time.Time{}
	for _, ch := range s.children(cust, sub.W.ID) {
		if ch.W.Status == "suspended" && ch.SuspendedWithParent {
			old := ch.W
			ch.W.Status, ch.W.SuspensionReasons, ch.SuspendedWithParent = "active", nil, false
			ch.Life.SuspendedAt = time.Time{}
			ch.refreshRefundable(c.now)
			ch.bump()
			s.audit(c, cust, "subscription", "update_subscription", old, ch.W)
		}
	}
	// Reactivated subscriptions (and their add-ons) renew again: let the
	// next tick rescan for the earliest term end.
	s.lowerDue(c.now)
}

// cancel deletes a new-commerce subscription inside its window, with its
// add-ons.
func (s *Sandbox) cancel(c *call, cust *customer, sub *subscription) {
	w := &sub.W
	w.Status, w.AutoRenewEnabled, w.SuspensionReasons, w.ScheduledNextTermInstructions = "deleted", false, nil, nil
	sub.Lots, sub.Life.SuspendedAt, sub.Life.DeleteAt = nil, time.Time{}, c.now
	for _, ch := range s.children(cust, w.ID) {
		if ch.W.Status == "active" || ch.W.Status == "suspended" || ch.W.Status == "pending" {
			s.endState(c, cust, ch, "deleted", func(x *subscription) { x.Life.DeleteAt = c.now })
		}
	}
}

// checkSuspendedPatch holds the rules for a suspended subscription: it can
// be reactivated, or cancelled inside the new-commerce window; nothing else.
func (s *Sandbox) checkSuspendedPatch(now time.Time, sub *subscription, it *item, ch subChange, other bool) *pcError {
	w := &sub.W
	if ch.qty {
		return newErr(http.StatusBadRequest, "2001", "Subscription quantity cannot be increased or decreased while subscription is being suspended")
	}
	if ch.status == "deleted" && sub.NCE && !ch.renew && !ch.next && !other {
		if now.After(sub.WindowEnd) {
			return newErr(http.StatusBadRequest, "900117", "You have passed your %d-day cancellation window. We are unable to cancel your purchase", windowDays(it, w))
		}
		return nil
	}
	if ch.status != "active" || ch.renew || ch.next || other {
		return newErr(http.StatusBadRequest, "800091", "Cannot update a subscription with suspended status")
	}
	if w.ParentSubscriptionID != "" {
		if parent := s.st.Subs[key(w.ParentSubscriptionID)]; parent == nil || parent.W.Status != "active" {
			return newErr(http.StatusConflict, "27009", "Cannot enable a child subscription, when the parent subscription is not Active")
		}
	}
	return nil
}

// checkActivePatch holds the rules for changing an active subscription.
func (s *Sandbox) checkActivePatch(now time.Time, cust *customer, sub *subscription, it *item, p subPatch, ch subChange) *pcError {
	w := &sub.W
	inWindow := !now.After(sub.WindowEnd)
	switch ch.status {
	case "", "active":
	case "suspended":
		if sub.NCE && w.BillingType == "usage" {
			return newErr(http.StatusBadRequest, "800096", "Cannot update the status for this subscription")
		}
		if ch.qty {
			return newErr(http.StatusBadRequest, "2001", "Subscription quantity cannot be increased or decreased while subscription is being suspended")
		}
		if ch.next {
			return newErr(http.StatusBadRequest, "800091", "Cannot update a subscription with suspended status")
		}
	case "deleted":
		if !sub.NCE {
			return newErr(http.StatusBadRequest, "800040", "Asset status cannot be changed to deleted from active")
		}
		if !inWindow && w.BillingType != "usage" {
			return newErr(http.StatusBadRequest, "900117", "You have passed your %d-day cancellation window. We are unable to cancel your purchase", windowDays(it, w))
		}
	default:
		return newErr(http.StatusBadRequest, "800040", "Asset status cannot be changed to %s from active", ch.status)
	}
	if ch.qty {
		q := *p.Quantity
		if w.BillingType == "usage" {
			return newErr(http.StatusBadRequest, "800095", "Cannot update the seat quantity for this subscription")
		}
		if q < it.Min || q > it.Max {
			return errQuantityRange(q, it.Min, it.Max)
		}
		if sub.NCE && q < w.Quantity && w.Quantity-q > sub.reducible(now) {
			return newErr(http.StatusBadRequest, "800090", "Subscription quantity cannot be decreased by %d: only %d seat(s) were added in the last %d days (168 hours) after purchase, renewal or increase.", w.Quantity-q, sub.reducible(now), windowDays(it, w))
		}
	}
	if ch.renew && *p.AutoRenewEnabled && (w.BillingType == "usage" || w.IsTrial || !it.AutoRenew) {
		return newErr(http.StatusBadRequest, "800093", "The subscription is not eligible to be auto-renewed")
	}
	if ch.next {
		if !sub.NCE {
			return errInvalidProperty("scheduledNextTermInstructions applies to new commerce subscriptions only")
		}
		if ch.qty {
			// Our choice: PC documents that a mid-term change deletes the
			// scheduled changes, not what one request doing both means.
			return errBadInput("a mid-term quantity change deletes scheduled changes: send them in a separate request")
		}
		if ch.nextTerm != nil {
			autoRenew := w.AutoRenewEnabled
			if p.AutoRenewEnabled != nil {
				autoRenew = *p.AutoRenewEnabled
			}
			if e := s.checkNextTerm(cust, sub, ch.nextTerm, autoRenew); e != nil {
				return e
			}
		}
	}
	return nil
}

func windowDays(it *item, w *subscriptionWire) int {
	if it != nil && it.NCE {
		if t := it.term(w.TermDuration, w.BillingCycle); t != nil {
			start := time.Time{}
			return int(refundWindow(t, start).Sub(start).Hours() / 24)
		}
	}
	return 7
}
