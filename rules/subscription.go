package rules

// Changing a subscription: whether a seat decrease is possible now and
// until when, quantity limits, which status changes are allowed, and the
// version a page shows for optimistic concurrency.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/cspportal/portal/internal/i18n"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Subscription is what the rules need to know about a subscription.
type Subscription struct {
	OfferID     string
	ProductType string // PC's productType id, e.g. OnlineServicesNCE
	Status      string // active, suspended, deleted, expired, pending, disabled
	Quantity    int
	Min, Max    int    // the offer's or SKU's limits; 0 = unknown
	BillingType string // license, usage, none
	IsAddOn     bool
	// Tranches are the seat tranches PC returned (refundableQuantity's
	// details) and TranchesKnown whether PC returned refundableQuantity at
	// all (rows mirrored before the portal read it have none).
	Tranches      []Tranche
	TranchesKnown bool
	// WindowEnd is PC's cancellationAllowedUntilDate (new commerce): the
	// window of the purchase or renewal, used when no tranches are known.
	WindowEnd *time.Time
}

// NCE reports whether s is a new-commerce subscription: its offer id is a
// catalog item id (product:sku:availability) or PC says so.
func (s Subscription) NCE() bool {
	return strings.Count(s.OfferID, ":") >= 2 || strings.HasSuffix(strings.ToLower(s.ProductType), "nce")
}

// tranches are s's tranches, or (mirrored before PC's refundableQuantity
// was read) the whole quantity until cancellationAllowedUntilDate.
func (s Subscription) tranches() []Tranche {
	if s.TranchesKnown || s.WindowEnd == nil {
		return s.Tranches
	}
	return []Tranche{{Quantity: s.Quantity, Until: s.WindowEnd.UTC()}}
}

// Decrease says how many seats can be removed now and until when.
type Decrease struct {
	Allowed bool
	// Removable is how many seats can be removed now (the quantity minus
	// one for a legacy subscription; new commerce: the open tranches).
	Removable int
	// Open are the new-commerce tranches still open, closing first first.
	Open []Tranche
	// Until is when the last open tranche closes, or (nothing open) when
	// the last one closed; zero for legacy subscriptions.
	Until time.Time
	// Reason explains the answer in a sentence for the page.
	Reason string
}

// SeatDecrease tells how far the seat count of s can go down at now: a
// legacy subscription any time, a new-commerce one by the seats of its
// open tranches. The reason is in l.
func SeatDecrease(l i18n.Lang, s Subscription, now time.Time) Decrease {
	switch {
	case s.Status != "active":
		return Decrease{Reason: i18n.In(l, "rules.decrease_inactive", i18n.Status(l, s.Status))}
	case s.BillingType == "usage":
		return Decrease{Reason: i18n.In(l, "rules.decrease_usage")}
	case !s.NCE():
		return Decrease{Allowed: true, Removable: max(s.Quantity-1, 0), Reason: i18n.In(l, "rules.decrease_legacy")}
	}
	ts := s.tranches()
	open := OpenTranches(ts, now)
	if len(open) == 0 {
		last := LastClosed(ts, now)
		if last.IsZero() && s.WindowEnd != nil && now.After(*s.WindowEnd) {
			last = s.WindowEnd.UTC() // closed before the portal read the tranches
		}
		if last.IsZero() {
			return Decrease{Reason: i18n.In(l, "rules.decrease_no_window")}
		}
		return Decrease{Until: last, Reason: i18n.In(l, "rules.decrease_closed", last.Format("2006-01-02 15:04 UTC"))}
	}
	n := 0
	for _, t := range open {
		n += t.Quantity
	}
	until := open[len(open)-1].Until
	reason := i18n.In(l, "rules.decrease_open", until.Format("2006-01-02 15:04 UTC"), strconv.Itoa(n), strconv.Itoa(s.Quantity),
		upperFirst(l, trancheList(l, open, now)))
	return Decrease{Allowed: true, Removable: min(n, s.Quantity-1), Open: open, Until: until, Reason: reason}
}

// upperFirst capitalises an English list that starts a sentence.
func upperFirst(l i18n.Lang, s string) string {
	if s == "" || l == i18n.SimplifiedChinese {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// CheckQuantity returns why the seat count cannot become q at now ("" when
// it can); a reason about the decrease window is in l.
func CheckQuantity(l i18n.Lang, s Subscription, q int, now time.Time) string {
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
		d := SeatDecrease(l, s, now)
		if !d.Allowed {
			return d.Reason
		}
		if s.Quantity-q > d.Removable {
			return i18n.In(l, "rules.decrease_at_most", Seats(l, d.Removable), strconv.Itoa(s.Quantity-d.Removable), trancheList(l, d.Open, now))
		}
	}
	return ""
}

// trancheList says the open tranches as one list in l.
func trancheList(l i18n.Lang, ts []Tranche, now time.Time) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = TrancheSentence(l, t, now)
	}
	return strings.Join(parts, i18n.In(l, "rules.list_sep"))
}

// QuantityEffect states what a seat change does, for the confirmation.
func QuantityEffect(l i18n.Lang, s Subscription, q int) string {
	d, from, to := q-s.Quantity, strconv.Itoa(s.Quantity), strconv.Itoa(q)
	switch {
	case d > 0 && s.NCE():
		return i18n.In(l, "rules.quantity_add_nce", strconv.Itoa(d), from, to)
	case d > 0:
		return i18n.In(l, "rules.quantity_add", strconv.Itoa(d), from, to)
	case d < 0 && s.NCE():
		return i18n.In(l, "rules.quantity_remove_nce", strconv.Itoa(-d), from, to)
	case d < 0:
		return i18n.In(l, "rules.quantity_remove", strconv.Itoa(-d), from, to)
	}
	return i18n.In(l, "rules.quantity_same")
}

// CheckSuspend returns why s cannot be suspended ("" when it can). New
// commerce can be suspended (learn.microsoft.com "Subscription lifecycle
// states"), except usage-based subscriptions, which PC refuses (800096).
func CheckSuspend(s Subscription) string {
	switch {
	case s.Status != "active":
		return "Only an active subscription can be suspended (it is " + s.Status + ")."
	case s.NCE() && s.BillingType == "usage":
		return "Usage-based new-commerce subscriptions cannot be suspended (Partner Center refuses it)."
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
	case utf8.RuneCountInString(name) > MaxFriendlyNameRunes:
		return fmt.Sprintf("The name can be at most %d characters.", MaxFriendlyNameRunes)
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

// LicenceLoss is what a seat decrease does to licences already assigned to
// users: the product's assigned and purchased units (PC's subscribed SKUs,
// -1 when unknown) and how many users would be left without one.
type LicenceLoss struct {
	Assigned, Remaining, Lost int
}

// CheckLicenceLoss returns the loss when removing `removed` seats from a
// product with `purchased` units of which `assigned` are assigned; Lost is 0
// when enough remain or the usage is unknown. Other subscriptions of the
// same product count in purchased, so only the units left overall matter.
func CheckLicenceLoss(assigned, purchased, removed int) LicenceLoss {
	if assigned < 0 || purchased < 0 || removed <= 0 {
		return LicenceLoss{}
	}
	remaining := max(purchased-removed, 0)
	return LicenceLoss{Assigned: assigned, Remaining: remaining, Lost: max(assigned-remaining, 0)}
}

// Sentence states the loss for the confirmation page.
func (l LicenceLoss) Sentence() string {
	if l.Lost == 0 {
		return ""
	}
	return fmt.Sprintf("%d licence(s) of this product are assigned to users, but only %d would remain: %d user(s) would be left without a licence. "+
		"Unassign licences in the Microsoft 365 admin center first to choose who keeps one.", l.Assigned, l.Remaining, l.Lost)
}

// SuspensionOrigin says in words who suspended a subscription, from PC's
// reason codes: a partner's suspension reads "CustomerCancellation" in PC,
// which alone would read as if the customer had cancelled. Unknown codes are
// kept as PC gave them.
func SuspensionOrigin(reasons []string) string {
	var out []string
	for _, r := range reasons {
		switch strings.ToLower(r) {
		case "customercancellation":
			out = append(out, "suspended by the partner (in Partner Center or through its API)")
		case "parentsuspended":
			out = append(out, "suspended with its base subscription")
		case "channelpartnersuspension", "indirectprovidersuspension", "distributorsuspension":
			out = append(out, "suspended by the distributor (indirect provider)")
		case "fraud", "fraudsuspension", "creditcheck", "creditlimitexceeded", "paymentdefault", "nonpayment", "microsoftsuspension":
			out = append(out, "suspended by Microsoft")
		case "":
		default:
			out = append(out, "suspended for a reason Partner Center gives as "+r)
		}
	}
	return strings.Join(out, "; ")
}
