package pccclient

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Lifecycle operations: transitions (learn.microsoft.com "Transition a new
// commerce subscription", "Get transitions") and scheduled next-term
// changes ("Schedule changes for a new commerce subscription using Partner
// Center APIs"). All accept app-only credentials.

// GetTransitionEligibilities lists the catalog items a subscription can
// transition to: upgrades now (EligibilityImmediate, or "") or targets for
// the next term (EligibilityScheduled, which include the current SKU for a
// quantity, term or billing-plan change). Each target says per
// TransitionType whether it is eligible and, if not, why (TransitionError).
func (c *Client) GetTransitionEligibilities(ctx context.Context, customerID, subscriptionID string, eligibilityType EligibilityType) ([]TransitionEligibility, error) {
	const op = "get-transition-eligibilities"
	et := strings.ToLower(string(eligibilityType))
	if err := check(op).guid("customerID", customerID).guid("subscriptionID", subscriptionID).
		check(et == "" || et == string(EligibilityImmediate) || et == string(EligibilityScheduled), "eligibilityType",
			"must be immediate or scheduled, got "+string(eligibilityType)).done(); err != nil {
		return nil, err
	}
	q := url.Values{}
	if et != "" {
		q.Set("eligibilityType", et)
	}
	return Collect(pages[TransitionEligibility](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: subPath(customerID, subscriptionID) + "/transitionEligibilities", query: q}, false))
}

// CreateTransition starts a transition of a subscription (POST
// .../transitions): t.ToCatalogItemID from GetTransitionEligibilities,
// Quantity (0 = all seats; fewer moves them to a new subscription or to
// t.ToSubscriptionID), TermDuration and BillingCycle ("" = the source's),
// TransitionType (TransitionOnly when ""). PC answers with the transition
// and its first event; it completes asynchronously (ListTransitions). A
// refusal is a 400 whose TransitionErrors say why. requestID is the
// caller's MS-RequestId.
func (c *Client) CreateTransition(ctx context.Context, requestID, customerID, subscriptionID string, t Transition) (*Transition, error) {
	const op = "create-transition"
	a := check(op).guid("requestID", requestID).guid("customerID", customerID).guid("subscriptionID", subscriptionID).
		required("toCatalogItemId", t.ToCatalogItemID).
		check(t.Quantity >= 0, "quantity", "is negative").
		check(t.FromSubscriptionID == "" || strings.EqualFold(t.FromSubscriptionID, subscriptionID), "fromSubscriptionId",
			"differs from subscriptionID")
	if t.ToSubscriptionID != "" {
		a.guid("toSubscriptionId", t.ToSubscriptionID)
	}
	if t.TransitionType != "" {
		a.check(t.TransitionType.Is(TransitionOnly) || t.TransitionType.Is(TransitionWithLicenseTransfer), "transitionType",
			"must be transition_only or transition_with_license_transfer")
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	if t.FromSubscriptionID == "" {
		t.FromSubscriptionID = subscriptionID
	}
	var out Transition
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPost, path: subPath(customerID, subscriptionID) + "/transitions",
		body: t, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListTransitions returns a subscription's transitions with their events
// (operationID "" = all of them, else the one CreateTransition returned).
func (c *Client) ListTransitions(ctx context.Context, customerID, subscriptionID, operationID string) ([]Transition, error) {
	const op = "list-transitions"
	a := check(op).guid("customerID", customerID).guid("subscriptionID", subscriptionID)
	q := url.Values{}
	if operationID != "" {
		a.required("operationID", operationID)
		q.Set("operationId", operationID)
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	return Collect(pages[Transition](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: subPath(customerID, subscriptionID) + "/transitions", query: q}, false))
}

// PatchSubscriptionIfMatch is PatchSubscription with If-Match set to
// sub.Attributes.Etag (when it has one): PC refuses the change (400 2055,
// IsStaleEtag) if the subscription changed since sub was read.
func (c *Client) PatchSubscriptionIfMatch(ctx context.Context, requestID, customerID string, sub Subscription) (*Subscription, error) {
	const op = "patch-subscription"
	a := check(op).guid("requestID", requestID).guid("customerID", customerID).guid("subscription.id", sub.ID)
	if sub.Quantity < 1 && sub.ContractType != ContractProductKey && sub.ContractType != ContractRedemptionCode {
		a.positive("quantity", sub.Quantity)
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	cl := &call{op: op, class: ClassWrite, method: http.MethodPatch, path: subPath(customerID, sub.ID), body: sub, requestID: requestID}
	if et := sub.Attributes.Etag; et != "" {
		cl.header = http.Header{"If-Match": {`"` + strings.Trim(et, `"`) + `"`}}
	}
	var out Subscription
	cl.out = &out
	if _, err := c.do(ctx, cl); err != nil {
		return nil, err
	}
	return &out, nil
}

// IsStaleEtag reports PC's refusal of a change to a resource that changed
// since it was read (400 2055 "Etag is no longer valid"): read it again.
func IsStaleEtag(err error) bool { return HasCode(err, "2055") }

// ScheduleNextTermChange sets the changes a new-commerce subscription
// takes at its next renewal (GET, then PATCH of the whole resource with
// If-Match; nothing is sent when the same instructions are already set).
// next.Product names a target of GetTransitionEligibilities with
// EligibilityScheduled and one of its terms; Quantity is the next term's.
// Auto-renew must be on, and any immediate mid-term change later deletes
// the instructions.
func (c *Client) ScheduleNextTermChange(ctx context.Context, requestID, customerID, subscriptionID string, next ScheduledNextTermInstructions) (*Subscription, error) {
	p := next.Product
	a := check("patch-subscription").guid("requestID", requestID).guid("customerID", customerID).
		guid("subscriptionID", subscriptionID).check(p != nil, "scheduledNextTermInstructions.product", "is missing").
		positive("scheduledNextTermInstructions.quantity", next.Quantity)
	if p != nil {
		a.required("product.productId", p.ProductID).required("product.skuId", p.SkuID).
			required("product.availabilityId", p.AvailabilityID).required("product.termDuration", p.TermDuration).
			required("product.billingCycle", string(p.BillingCycle))
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	return c.updateSubscriptionIfMatch(ctx, requestID, customerID, subscriptionID, func(s *Subscription) bool {
		if sameInstructions(s.ScheduledNextTermInstructions, &next) {
			return false
		}
		n := next
		s.ScheduledNextTermInstructions = &n
		return true
	})
}

// ClearScheduledNextTermChange removes a subscription's scheduled
// next-term changes (scheduledNextTermInstructions null; GET, then PATCH
// with If-Match unless there are none).
func (c *Client) ClearScheduledNextTermChange(ctx context.Context, requestID, customerID, subscriptionID string) (*Subscription, error) {
	if err := check("patch-subscription").guid("requestID", requestID).guid("customerID", customerID).
		guid("subscriptionID", subscriptionID).done(); err != nil {
		return nil, err
	}
	return c.updateSubscriptionIfMatch(ctx, requestID, customerID, subscriptionID, func(s *Subscription) bool {
		if s.ScheduledNextTermInstructions == nil {
			return false
		}
		s.ScheduledNextTermInstructions = nil
		return true
	})
}

// updateSubscriptionIfMatch is updateSubscription whose PATCH carries the
// read's etag, so a change made in between is refused rather than undone.
func (c *Client) updateSubscriptionIfMatch(ctx context.Context, requestID, customerID, subscriptionID string, change func(*Subscription) bool) (*Subscription, error) {
	s, err := c.GetSubscription(ctx, customerID, subscriptionID)
	if err != nil {
		return nil, err
	}
	if !change(s) {
		return s, nil
	}
	return c.PatchSubscriptionIfMatch(ctx, requestID, customerID, *s)
}

// sameInstructions compares instructions as PC reads them (ids and enums
// case-insensitively).
func sameInstructions(a, b *ScheduledNextTermInstructions) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Quantity != b.Quantity || !a.CustomTermEndDate.Equal(b.CustomTermEndDate) || (a.Product == nil) != (b.Product == nil) {
		return false
	}
	if a.Product == nil {
		return true
	}
	p, q := a.Product, b.Product
	return strings.EqualFold(p.ProductID, q.ProductID) && strings.EqualFold(p.SkuID, q.SkuID) &&
		strings.EqualFold(p.AvailabilityID, q.AvailabilityID) && p.BillingCycle.Is(q.BillingCycle) &&
		strings.EqualFold(p.TermDuration, q.TermDuration) && strings.EqualFold(p.PromotionID, q.PromotionID)
}
