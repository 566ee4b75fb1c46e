package sandbox

import (
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
	newStatus := ""
	if p.Status != nil && !strings.EqualFold(*p.Status, w.Status) && *p.Status != "" {
		newStatus = strings.ToLower(*p.Status)
	}
	qty := p.Quantity != nil && *p.Quantity != w.Quantity
	renew := p.AutoRenewEnabled != nil && *p.AutoRenewEnabled != w.AutoRenewEnabled
	name := p.FriendlyName != nil && *p.FriendlyName != w.FriendlyName
	cycle := p.BillingCycle != nil && *p.BillingCycle != "" && !strings.EqualFold(*p.BillingCycle, w.BillingCycle)
	partner := p.PartnerID != nil && *p.PartnerID != w.PartnerID
	next := p.ScheduledNextTermInstructions != nil && string(p.ScheduledNextTermInstructions) != string(w.ScheduledNextTermInstructions) &&
		!(string(p.ScheduledNextTermInstructions) == "null" && w.ScheduledNextTermInstructions == nil)
	if newStatus == "" && !qty && !renew && !name && !cycle && !partner && !next {
		return 200, w
	}
	switch w.Status {
	case "deleted":
		return 0, newErr(http.StatusBadRequest, "2011", "Subscription with id %s and deleted status cannot be updated.", w.ID)
	case "expired":
		return 0, newErr(http.StatusBadRequest, "800040", "Asset status cannot be changed to %s from expired", cmpOr(newStatus, "active"))
	case "pending":
		return 0, newErr(http.StatusConflict, "800060", "Your order is in progress. Please check your order history for recent orders in few minutes")
	case "suspended":
		if qty {
			return 0, newErr(http.StatusBadRequest, "2001", "Subscription quantity cannot be increased or decreased while subscription is being suspended")
		}
		if newStatus != "active" || renew || cycle || partner || next {
			return 0, newErr(http.StatusBadRequest, "800091", "Cannot update a subscription with suspended status")
		}
		if w.ParentSubscriptionID != "" {
			if parent := s.st.Subs[key(w.ParentSubscriptionID)]; parent == nil || parent.W.Status != "active" {
				return 0, newErr(http.StatusConflict, "27009", "Cannot enable a child subscription, when the parent subscription is not Active")
			}
		}
	case "active":
	default:
		// disabled (PC disables a subscription, e.g. for non-payment or
		// fraud) and statuses the sandbox does not model (set through
		// SetSubscriptionStatus): the partner cannot change them.
		return 0, newErr(http.StatusBadRequest, "800040", "Asset status cannot be changed to %s from %s", cmpOr(newStatus, w.Status), w.Status)
	}
	old := *w
	if cycle {
		if sub.NCE {
			return 0, newErr(http.StatusBadRequest, "800097", "Cannot update the billing cycle for this subscription")
		}
		return 0, newErr(http.StatusBadRequest, "2054", "Billing cycle of an existing subscription cannot be changed via update-subscription; update the order's billing cycle instead")
	}
	if w.Status == "active" {
		if e := s.checkActivePatch(c.now, sub, it, p, newStatus, qty, renew, next); e != nil {
			return 0, e
		}
	}
	// All checks passed: apply.
	if qty {
		if sub.NCE {
			if d := *p.Quantity - w.Quantity; d > 0 {
				if t := it.term(w.TermDuration, w.BillingCycle); t != nil {
					sub.Lots = append(sub.Lots, seatLot{Qty: d, Until: refundWindow(t, c.now)})
				}
			} else {
				sub.reduce(c.now, -d)
			}
		}
		w.Quantity = *p.Quantity
	}
	if renew {
		w.AutoRenewEnabled = *p.AutoRenewEnabled
	}
	if name {
		w.FriendlyName = *p.FriendlyName
	}
	if partner {
		w.PartnerID = *p.PartnerID
	}
	if next {
		if string(p.ScheduledNextTermInstructions) == "null" {
			w.ScheduledNextTermInstructions = nil
		} else {
			w.ScheduledNextTermInstructions = append(json.RawMessage(nil), p.ScheduledNextTermInstructions...)
		}
	}
	switch newStatus {
	case "suspended":
		w.Status = "suspended"
		w.SuspensionReasons = []string{"CustomerCancellation"}
		for _, ch := range s.children(cust, w.ID) {
			if ch.W.Status == "active" {
				ch.W.Status, ch.W.SuspensionReasons, ch.SuspendedWithParent = "suspended", []string{"ParentSuspended"}, true
				ch.bump()
				s.audit(c, cust, "subscription", "update_subscription", nil, ch.W)
			}
		}
	case "active":
		w.Status, w.SuspensionReasons = "active", nil
		sub.SuspendedWithParent = false
		for _, ch := range s.children(cust, w.ID) {
			if ch.W.Status == "suspended" && ch.SuspendedWithParent {
				ch.W.Status, ch.W.SuspensionReasons, ch.SuspendedWithParent = "active", nil, false
				ch.bump()
				s.audit(c, cust, "subscription", "update_subscription", nil, ch.W)
			}
		}
	case "deleted":
		w.Status, w.AutoRenewEnabled = "deleted", false
		for _, ch := range s.children(cust, w.ID) {
			if ch.W.Status == "active" || ch.W.Status == "suspended" {
				ch.W.Status, ch.W.AutoRenewEnabled = "deleted", false
				ch.bump()
			}
		}
	}
	sub.bump()
	s.audit(c, cust, "subscription", "update_subscription", old, *w)
	if newStatus == "active" {
		// Reactivated subscriptions (and their add-ons) renew again: let
		// the next tick rescan for the earliest term end.
		s.lowerDue(c.now)
	}
	return 200, w
}

// checkActivePatch holds the rules for changing an active subscription.
func (s *Sandbox) checkActivePatch(now time.Time, sub *subscription, it *item, p subPatch, newStatus string, qty, renew, next bool) *pcError {
	w := &sub.W
	inWindow := !now.After(sub.WindowEnd)
	switch newStatus {
	case "", "active":
	case "suspended":
		if sub.NCE {
			return newErr(http.StatusBadRequest, "800096", "Cannot update the status for this subscription")
		}
		if qty {
			return newErr(http.StatusBadRequest, "2001", "Subscription quantity cannot be increased or decreased while subscription is being suspended")
		}
	case "deleted":
		if !sub.NCE {
			return newErr(http.StatusBadRequest, "800040", "Asset status cannot be changed to deleted from active")
		}
		if !inWindow && w.BillingType != "usage" {
			return newErr(http.StatusBadRequest, "900117", "You have passed your %d-day cancellation window. We are unable to cancel your purchase", windowDays(it, w))
		}
	default:
		return newErr(http.StatusBadRequest, "800040", "Asset status cannot be changed to %s from active", newStatus)
	}
	if qty {
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
	if renew && (w.BillingType == "usage" || w.IsTrial || !it.AutoRenew) {
		return newErr(http.StatusBadRequest, "800093", "The subscription is not eligible to be auto-renewed")
	}
	if next && !sub.NCE {
		return errInvalidProperty("scheduledNextTermInstructions applies to new commerce subscriptions only")
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
