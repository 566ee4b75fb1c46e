package rules

// Changing a subscription: whether a seat decrease is possible now and
// until when, quantity limits, which status changes are allowed, and the
// version a page shows for optimistic concurrency.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CancellationWindow is the new-commerce window after purchase or renewal
// in which seats can be reduced (168 hours at GA).
const CancellationWindow = 168 * time.Hour

// Subscription is what the rules need to know about a subscription.
type Subscription struct {
	OfferID     string
	ProductType string // PC's productType id, e.g. OnlineServicesNCE
	Status      string // active, suspended, deleted, expired, pending, disabled
	Quantity    int
	Min, Max    int    // the offer's or SKU's limits; 0 = unknown
	BillingType string // license, usage, none
	IsAddOn     bool
	// WindowEnd is PC's cancellationAllowedUntilDate (new commerce).
	WindowEnd *time.Time
	// Start is the start of the current term (purchase or renewal), used
	// when PC gives no WindowEnd.
	Start *time.Time
}

// NCE reports whether s is a new-commerce subscription: its offer id is a
// catalog item id (product:sku:availability) or PC says so.
func (s Subscription) NCE() bool {
	return strings.Count(s.OfferID, ":") >= 2 || strings.HasSuffix(strings.ToLower(s.ProductType), "nce")
}

// Decrease says whether seats can be removed now and until when.
type Decrease struct {
	Allowed bool
	// Until is when the window closes (zero when there is none, e.g.
	// legacy subscriptions, which can be decreased at any time).
	Until time.Time
	// Reason explains the answer in a sentence for the page.
	Reason string
}

// DecreaseWindow tells whether a seat decrease is possible at now.
func DecreaseWindow(s Subscription, now time.Time) Decrease {
	switch {
	case s.Status != "active":
		return Decrease{Reason: "Seats can only be changed while the subscription is active (it is " + s.Status + ")."}
	case s.BillingType == "usage":
		return Decrease{Reason: "This subscription is billed by usage: it has no seat count."}
	case !s.NCE():
		return Decrease{Allowed: true, Reason: "Seats can be removed at any time (legacy licence subscription)."}
	}
	var until time.Time
	switch {
	case s.WindowEnd != nil:
		until = s.WindowEnd.UTC()
	case s.Start != nil:
		until = s.Start.UTC().Add(CancellationWindow)
	default:
		return Decrease{Reason: "Partner Center gave no cancellation window for this new-commerce subscription, so seats cannot be removed; turn auto-renew off to end it at the term end."}
	}
	if now.After(until) {
		return Decrease{Until: until, Reason: "The 7-day (168-hour) new-commerce cancellation window after purchase or renewal closed on " +
			until.Format("2006-01-02 15:04 UTC") + ": seats can no longer be removed this term. Turn auto-renew off or lower the quantity at renewal."}
	}
	return Decrease{Allowed: true, Until: until, Reason: "Seats can be removed until " + until.Format("2006-01-02 15:04 UTC") +
		" (the 7-day new-commerce cancellation window after purchase or renewal)."}
}

// CheckQuantity returns why the seat count cannot become q at now ("" when
// it can).
func CheckQuantity(s Subscription, q int, now time.Time) string {
	switch {
	case s.Status != "active":
		return "Seats can only be changed while the subscription is active (it is " + s.Status + ")."
	case s.BillingType == "usage":
		return "This subscription is billed by usage: it has no seat count."
	case q == s.Quantity:
		return "The quantity is already " + strconv.Itoa(q) + "."
	case q < 1:
		return "The quantity must be at least 1."
	case s.Min > 0 && q < s.Min:
		return fmt.Sprintf("The quantity must be at least %d for this offer.", s.Min)
	case s.Max > 0 && q > s.Max:
		return fmt.Sprintf("The quantity can be at most %d for this offer.", s.Max)
	}
	if q < s.Quantity {
		if d := DecreaseWindow(s, now); !d.Allowed {
			return d.Reason
		}
	}
	return ""
}

// QuantityEffect states what a seat change does, for the confirmation.
func QuantityEffect(s Subscription, q int) string {
	d := q - s.Quantity
	switch {
	case d > 0 && s.NCE():
		return fmt.Sprintf("Adds %d seat(s) (from %d to %d). New-commerce seats are charged prorated to the end of the current term, and can only be removed again within 7 days.", d, s.Quantity, q)
	case d > 0:
		return fmt.Sprintf("Adds %d seat(s) (from %d to %d), charged from today.", d, s.Quantity, q)
	case d < 0 && s.NCE():
		return fmt.Sprintf("Removes %d seat(s) (from %d to %d). Partner Center refunds the unused part prorated; after the window closes this cannot be undone this term.", -d, s.Quantity, q)
	case d < 0:
		return fmt.Sprintf("Removes %d seat(s) (from %d to %d); users beyond %d lose their licence.", -d, s.Quantity, q, q)
	}
	return "No change."
}

// CheckSuspend returns why s cannot be suspended ("" when it can).
func CheckSuspend(s Subscription) string {
	switch {
	case s.Status != "active":
		return "Only an active subscription can be suspended (it is " + s.Status + ")."
	case s.NCE():
		return "New-commerce subscriptions cannot be suspended by the partner; turn auto-renew off or cancel within the window instead."
	}
	return ""
}

// CheckReactivate returns why s cannot be reactivated ("" when it can);
// parentStatus is the base's status for an add-on ("" for a base).
func CheckReactivate(s Subscription, parentStatus string) string {
	switch {
	case s.Status != "suspended":
		return "Only a suspended subscription can be reactivated (it is " + s.Status + ")."
	case s.IsAddOn && parentStatus != "" && parentStatus != "active":
		return "This add-on's base subscription is " + parentStatus + ": reactivate the base first."
	}
	return ""
}

// CheckAutoRenew returns why auto-renew cannot be set to on ("" when it can).
func CheckAutoRenew(s Subscription, on bool) string {
	switch {
	case s.Status != "active":
		return "Auto-renew can only be changed while the subscription is active (it is " + s.Status + ")."
	case s.BillingType == "usage" && on:
		return "Usage-based subscriptions do not renew."
	}
	return ""
}

// CheckFriendlyName returns why name cannot be the friendly name.
func CheckFriendlyName(s Subscription, name string) string {
	switch {
	case s.Status == "deleted" || s.Status == "expired":
		return "A " + s.Status + " subscription cannot be renamed."
	case strings.TrimSpace(name) == "":
		return "Enter a name."
	case len([]rune(name)) > 128:
		return "The name can be at most 128 characters."
	}
	return ""
}

// Version is the optimistic-concurrency token a page carries: it changes
// whenever anything a change depends on changes (PC's etag or any of the
// values a staff member decides on).
func Version(etag, status string, quantity int, autoRenew bool, friendlyName string, windowEnd *time.Time) string {
	h := sha256.New()
	w := ""
	if windowEnd != nil {
		w = windowEnd.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%t\x00%s\x00%s", etag, status, quantity, autoRenew, friendlyName, w)
	return hex.EncodeToString(h.Sum(nil))[:20]
}

// WindowCloses is when a new-commerce purchase made at t can no longer be
// cancelled or reduced.
func WindowCloses(t time.Time) time.Time { return t.UTC().Add(CancellationWindow) }
