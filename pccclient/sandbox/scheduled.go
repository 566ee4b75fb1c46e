package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Scheduled next-term changes (learn.microsoft.com "Schedule changes for a
// new commerce subscription using Partner Center APIs"): PATCH the whole
// subscription with scheduledNextTermInstructions (null clears them); they
// need auto-renew, name a target from transitionEligibilities with
// eligibilityType=scheduled (the current SKU for quantity, term or
// billing-plan changes), apply at renewal, and any immediate mid-term change
// deletes them.

// parseNextTerm decodes a PATCH body's instructions; nil means "clear".
func parseNextTerm(raw json.RawMessage) (*nextTermWire, *pcError) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	var nt nextTermWire
	if err := json.Unmarshal(raw, &nt); err != nil {
		return nil, errBadInput("scheduledNextTermInstructions: %v", err)
	}
	return &nt, nil
}

// sameNextTerm reports whether two instructions say the same.
func sameNextTerm(a, b *nextTermWire) bool {
	if a == nil || b == nil {
		return a == b
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// nextTermItem is the catalog item the instructions name.
func (s *Sandbox) nextTermItem(nt *nextTermWire) *item {
	p := nt.Product
	return s.cat.item(p.ProductID + ":" + p.SkuID + ":" + p.AvailabilityID)
}

// checkNextTerm validates instructions for sub; autoRenew is the value the
// PATCH leaves autoRenewEnabled at.
func (s *Sandbox) checkNextTerm(cust *customer, sub *subscription, nt *nextTermWire, autoRenew bool) *pcError {
	if !autoRenew {
		// PC documents the prerequisite ("Auto-renew is enabled on the
		// subscription") but no error code: our choice is 800002.
		return errBadInput("scheduled changes apply at renewal: turn auto-renew on (autoRenewEnabled true) first")
	}
	p := nt.Product
	if p == nil || p.ProductID == "" || p.SkuID == "" || p.AvailabilityID == "" {
		return errInvalidProperty("scheduledNextTermInstructions.product needs productId, skuId and availabilityId")
	}
	ti := s.nextTermItem(nt)
	if ti == nil || !ti.NCE {
		return errInvalidOffer(p.ProductID + ":" + p.SkuID + ":" + p.AvailabilityID)
	}
	if !strings.EqualFold(ti.ID, sub.ItemID) && !s.scheduledTarget(cust, sub, ti) {
		return refuseTransition(transitionErrorWire{Code: tePathNotFound, Description: teDesc[tePathNotFound]})
	}
	if ti.term(p.TermDuration, p.BillingCycle) == nil {
		return errBadInput("catalog item %s has no term %q with billing cycle %q", ti.ID, p.TermDuration, p.BillingCycle)
	}
	if nt.Quantity < max(ti.Min, 1) || nt.Quantity > ti.Max {
		return errQuantityRange(nt.Quantity, ti.Min, ti.Max)
	}
	if nt.CustomTermEndDate != nil {
		start := termEnd(sub)
		last := addDuration(start, p.TermDuration).Add(-dayLen)
		if ce := day(*nt.CustomTermEndDate); ce.Before(start) || ce.After(last) {
			return errBadInput("customTermEndDate %s is outside the next term (%s to %s)", ce.Format(time.DateOnly),
				start.Format(time.DateOnly), last.Format(time.DateOnly))
		}
	}
	return nil
}

// scheduledTarget reports whether ti is an eligible scheduled target of sub.
func (s *Sandbox) scheduledTarget(cust *customer, sub *subscription, ti *item) bool {
	for _, e := range s.eligibilities(cust, sub, true) {
		if strings.EqualFold(e.CatalogItemID, ti.ID) {
			for _, d := range e.Eligibilities {
				if d.IsEligible {
					return true
				}
			}
		}
	}
	return false
}

// applyNextTerm applies sub's instructions for the term that starts now
// and clears them; it returns the custom term end, if any.
func (s *Sandbox) applyNextTerm(cust *customer, sub *subscription) time.Time {
	nt := sub.W.ScheduledNextTermInstructions
	sub.W.ScheduledNextTermInstructions = nil
	if nt == nil {
		return time.Time{}
	}
	if nt.Product != nil {
		if ti := s.nextTermItem(nt); ti != nil && !strings.EqualFold(ti.ID, sub.ItemID) {
			s.setItem(cust, sub, ti)
		}
		if nt.Product.TermDuration != "" {
			sub.W.TermDuration = nt.Product.TermDuration
		}
		if nt.Product.BillingCycle != "" {
			sub.W.BillingCycle = strings.ToLower(nt.Product.BillingCycle)
		}
	}
	if nt.Quantity > 0 {
		sub.W.Quantity = nt.Quantity
	}
	if nt.CustomTermEndDate != nil {
		return day(*nt.CustomTermEndDate)
	}
	return time.Time{}
}

// setItem moves sub to another catalog item (an upgrade or a scheduled
// SKU change): offer, names, product type and links follow.
func (s *Sandbox) setItem(cust *customer, sub *subscription, ti *item) {
	w := &sub.W
	if w.FriendlyName == "" || w.FriendlyName == w.OfferName {
		w.FriendlyName = ti.Name
	}
	sub.ItemID, sub.NCE = ti.ID, ti.NCE
	w.OfferID, w.OfferName, w.UnitType = ti.ID, ti.Name, ti.UnitType
	w.HasPurchasableAddons = s.cat.hasAddOns[strings.ToUpper(ti.skuKey())]
	if ti.Trial != w.IsTrial {
		w.IsTrial = ti.Trial
	}
	if ti.NCE {
		pt := ti.Product.ProductType
		w.ProductType = &productTypeWire{ID: pt.ID, DisplayName: pt.DisplayName}
		p, sk := ti.Product, ti.Sku
		w.Links.Product = getLink("/products/" + p.ID + "?country=" + cust.Country)
		w.Links.Sku = getLink("/products/" + p.ID + "/skus/" + sk.ID + "?country=" + cust.Country)
		w.Links.Availability = getLink("/products/" + p.ID + "/skus/" + sk.ID + "/availabilities/" + ti.Avail.ID + "?country=" + cust.Country)
	}
}

// refuseTransition is PC's 400 for an ineligible transition or scheduled
// target. PC documents the eligibility errors (TransitionError) but no
// HTTP error code for refusing the request: our choice is 400 800002 with
// the TransitionErrors in data.
func refuseTransition(errs ...transitionErrorWire) *pcError {
	e := newErr(http.StatusBadRequest, "800002", "Invalid request input: %s", errs[0].Description)
	for _, te := range errs {
		e.Data = append(e.Data, te)
	}
	return e
}
