package pccclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

func subPath(customerID, subID string) string {
	return "/customers/" + customerID + "/subscriptions/" + subID
}

// ListSubscriptions lists a customer's subscriptions (PC returns one
// collection; links.next is followed if present).
func (c *Client) ListSubscriptions(ctx context.Context, customerID string) iter.Seq2[Subscription, error] {
	const op = "list-subscriptions"
	if err := check(op).guid("customerID", customerID).done(); err != nil {
		return errSeq[Subscription](err)
	}
	return pages[Subscription](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/subscriptions"}, false)
}

// ListSubscriptionsByOrder lists the subscriptions an order created.
func (c *Client) ListSubscriptionsByOrder(ctx context.Context, customerID, orderID string) iter.Seq2[Subscription, error] {
	const op = "list-subscriptions"
	if err := check(op).guid("customerID", customerID).required("orderID", orderID).done(); err != nil {
		return errSeq[Subscription](err)
	}
	return pages[Subscription](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/subscriptions", query: url.Values{"order_id": {orderID}}}, false)
}

// ListSubscriptionAddOns lists the add-on subscriptions of a subscription.
func (c *Client) ListSubscriptionAddOns(ctx context.Context, customerID, subscriptionID string) iter.Seq2[Subscription, error] {
	const op = "list-subscription-addons"
	if err := check(op).guid("customerID", customerID).guid("subscriptionID", subscriptionID).done(); err != nil {
		return errSeq[Subscription](err)
	}
	return pages[Subscription](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: subPath(customerID, subscriptionID) + "/addons"}, false)
}

// GetSubscription returns a subscription.
func (c *Client) GetSubscription(ctx context.Context, customerID, subscriptionID string) (*Subscription, error) {
	const op = "get-subscription"
	if err := check(op).guid("customerID", customerID).guid("subscriptionID", subscriptionID).done(); err != nil {
		return nil, err
	}
	var s Subscription
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, path: subPath(customerID, subscriptionID), out: &s}); err != nil {
		return nil, err
	}
	return &s, nil
}

// PatchSubscription sends the whole subscription resource back to PC
// (PATCH /customers/{id}/subscriptions/{sub.ID}) with the caller's changes
// (quantity, status, autoRenewEnabled, friendlyName,
// scheduledNextTermInstructions). Start from a subscription read from PC so
// every member round-trips. requestID is the caller's MS-RequestId; the
// request body is encoded once, so retries are byte-identical.
func (c *Client) PatchSubscription(ctx context.Context, requestID, customerID string, sub Subscription) (*Subscription, error) {
	const op = "patch-subscription"
	a := check(op).guid("requestID", requestID).guid("customerID", customerID).guid("subscription.id", sub.ID)
	if sub.Quantity < 1 && sub.ContractType != ContractProductKey && sub.ContractType != ContractRedemptionCode {
		a.positive("quantity", sub.Quantity)
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	var out Subscription
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPatch, path: subPath(customerID, sub.ID),
		body: sub, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// updateSubscription reads the subscription and, unless it already is in
// the wanted state (change returns false), applies change and PATCHes it.
//
// Retries: within one call the PATCH body is encoded once and resent
// byte-identically. A later retry by the caller (same requestID, after an
// unknown outcome) reads again: if the first PATCH was applied, the wanted
// state is already there and no PATCH is sent, so the retry cannot collide
// with the first request's body under the same MS-RequestId.
func (c *Client) updateSubscription(ctx context.Context, requestID, customerID, subscriptionID string, change func(*Subscription) bool) (*Subscription, error) {
	s, err := c.GetSubscription(ctx, customerID, subscriptionID)
	if err != nil {
		return nil, err
	}
	if !change(s) {
		return s, nil
	}
	return c.PatchSubscription(ctx, requestID, customerID, *s)
}

// SetSubscriptionQuantity changes the seat count (GET, then PATCH unless
// the subscription already has that quantity).
func (c *Client) SetSubscriptionQuantity(ctx context.Context, requestID, customerID, subscriptionID string, quantity int) (*Subscription, error) {
	if err := check("patch-subscription").guid("requestID", requestID).guid("customerID", customerID).
		guid("subscriptionID", subscriptionID).positive("quantity", quantity).done(); err != nil {
		return nil, err
	}
	return c.updateSubscription(ctx, requestID, customerID, subscriptionID, func(s *Subscription) bool {
		if s.Quantity == quantity {
			return false
		}
		s.Quantity = quantity
		return true
	})
}

// SuspendSubscription sets status suspended (GET, then PATCH).
func (c *Client) SuspendSubscription(ctx context.Context, requestID, customerID, subscriptionID string) (*Subscription, error) {
	return c.setStatus(ctx, requestID, customerID, subscriptionID, SubscriptionSuspended)
}

// ReactivateSubscription sets status active (GET, then PATCH).
func (c *Client) ReactivateSubscription(ctx context.Context, requestID, customerID, subscriptionID string) (*Subscription, error) {
	return c.setStatus(ctx, requestID, customerID, subscriptionID, SubscriptionActive)
}

// CancelSubscription sets status deleted (new commerce, inside the
// cancellation window; GET, then PATCH).
func (c *Client) CancelSubscription(ctx context.Context, requestID, customerID, subscriptionID string) (*Subscription, error) {
	return c.setStatus(ctx, requestID, customerID, subscriptionID, SubscriptionDeleted)
}

func (c *Client) setStatus(ctx context.Context, requestID, customerID, subscriptionID string, st SubscriptionStatus) (*Subscription, error) {
	if err := check("patch-subscription").guid("requestID", requestID).guid("customerID", customerID).
		guid("subscriptionID", subscriptionID).done(); err != nil {
		return nil, err
	}
	return c.updateSubscription(ctx, requestID, customerID, subscriptionID, func(s *Subscription) bool {
		if s.Status.Is(st) {
			return false
		}
		s.Status = st
		return true
	})
}

// SetSubscriptionAutoRenew turns auto-renewal on or off (GET, then PATCH).
func (c *Client) SetSubscriptionAutoRenew(ctx context.Context, requestID, customerID, subscriptionID string, enabled bool) (*Subscription, error) {
	if err := check("patch-subscription").guid("requestID", requestID).guid("customerID", customerID).
		guid("subscriptionID", subscriptionID).done(); err != nil {
		return nil, err
	}
	return c.updateSubscription(ctx, requestID, customerID, subscriptionID, func(s *Subscription) bool {
		if s.AutoRenewEnabled == enabled {
			return false
		}
		s.AutoRenewEnabled = enabled
		return true
	})
}

// SetSubscriptionFriendlyName renames a subscription (GET, then PATCH).
func (c *Client) SetSubscriptionFriendlyName(ctx context.Context, requestID, customerID, subscriptionID, name string) (*Subscription, error) {
	if err := check("patch-subscription").guid("requestID", requestID).guid("customerID", customerID).
		guid("subscriptionID", subscriptionID).check(name != "", "friendlyName", "is empty").done(); err != nil {
		return nil, err
	}
	return c.updateSubscription(ctx, requestID, customerID, subscriptionID, func(s *Subscription) bool {
		if s.FriendlyName == name {
			return false
		}
		s.FriendlyName = name
		return true
	})
}

// GetSubscriptionProvisioningStatus returns a subscription's provisioning state.
func (c *Client) GetSubscriptionProvisioningStatus(ctx context.Context, customerID, subscriptionID string) (*SubscriptionProvisioningStatus, error) {
	const op = "get-provisioning-status"
	if err := check(op).guid("customerID", customerID).guid("subscriptionID", subscriptionID).done(); err != nil {
		return nil, err
	}
	var out SubscriptionProvisioningStatus
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: subPath(customerID, subscriptionID) + "/provisioningstatus", out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListEntitlements lists a customer's entitlements.
func (c *Client) ListEntitlements(ctx context.Context, customerID string) iter.Seq2[Entitlement, error] {
	const op = "list-entitlements"
	if err := check(op).guid("customerID", customerID).done(); err != nil {
		return errSeq[Entitlement](err)
	}
	return pages[Entitlement](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/entitlements"}, false)
}

// ListSubscribedSKUs lists a customer's license usage per SKU.
func (c *Client) ListSubscribedSKUs(ctx context.Context, customerID string) iter.Seq2[SubscribedSKU, error] {
	const op = "list-subscribed-skus"
	if err := check(op).guid("customerID", customerID).done(); err != nil {
		return errSeq[SubscribedSKU](err)
	}
	return pages[SubscribedSKU](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/subscribedskus"}, false)
}
