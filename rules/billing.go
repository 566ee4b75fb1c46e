package rules

// Billing: where an invoice's line items come from, what a charge type
// means to a reader, and the reconciliation checks a reseller does by hand
// (seats billed against seats held on that day, charges for subscriptions
// suspended or cancelled in the period).

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
)

// Where line items come from.
const (
	SourceGraph = "graph" // Microsoft Graph reconciliation exports (API v2)
	SourceV1    = "v1"    // the v1 invoice line items on the Partner Center host
)

// Billing datasets.
const (
	DatasetReconciliation = "reconciliation" // license-based (and one-time) line items
	DatasetUsage          = "usage"          // Azure daily rated usage
)

// Graph's reconciliation data starts with these billing periods
// (learn.microsoft.com "Get invoice line items": the v1 API only for
// periods before February 2024; "Get invoice billed commercial consumption
// line items": daily rated usage before September 2022 only from v1).
var (
	GraphReconciliationFrom = time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	GraphUsageFrom          = time.Date(2022, 9, 1, 0, 0, 0, 0, time.UTC)
)

// BillingSource is where the dataset of the billing period starting at
// period comes from: Graph where the cloud has Graph billing and the
// period is recent enough, else the v1 invoice API.
func BillingSource(graphBilling bool, dataset string, period time.Time) string {
	if !graphBilling {
		return SourceV1
	}
	from := GraphReconciliationFrom
	if dataset == DatasetUsage {
		from = GraphUsageFrom
	}
	if period.Before(from) {
		return SourceV1
	}
	return SourceGraph
}

// ChargeLabel names a charge type for people: new, cycle, pro-rated add or
// remove, renewal, cancellation, usage.
func ChargeLabel(chargeType string) string {
	switch strings.ToLower(chargeType) {
	case "new", "purchase":
		return "New"
	case "cyclecharge", "cycle fee":
		return "Cycle"
	case "addquantity":
		return "Pro-rated add"
	case "removequantity":
		return "Pro-rated remove"
	case "renew", "renewal":
		return "Renewal"
	case "cancelimmediate", "cancel":
		return "Cancellation"
	case "usage":
		return "Usage"
	case "convert":
		return "Conversion"
	case "":
		return "Other"
	}
	return chargeType
}

// Recurring reports charge types that bill a whole billing period at the
// subscription's seat count (so the count must match the seats held).
func Recurring(chargeType string) bool {
	switch strings.ToLower(chargeType) {
	case "new", "cyclecharge", "renew", "purchase":
		return true
	}
	return false
}

// SubscriptionChange is one recorded change of a subscription (from PC's
// audit log): its seats and status before and after.
type SubscriptionChange struct {
	At                   time.Time
	OldQty, NewQty       int
	OldStatus, NewStatus string
}

// SubscriptionState is a subscription's seats and status at a time.
type SubscriptionState struct {
	Qty    int
	Status string
}

// StateAt is the seats and status in force at t: what the first change
// after t changed from, or the current state when nothing changed since.
// changes must be sorted by time.
func StateAt(changes []SubscriptionChange, current SubscriptionState, t time.Time) SubscriptionState {
	i := sort.Search(len(changes), func(i int) bool { return changes[i].At.After(t) })
	if i == len(changes) {
		return current
	}
	c := changes[i]
	return SubscriptionState{Qty: c.OldQty, Status: strings.ToLower(c.OldStatus)}
}

// Billed states: a subscription in any other state should not start a
// billing period.
func chargeable(status string) bool {
	switch strings.ToLower(status) {
	case "active", "pending", "":
		return true
	}
	return false
}

// Charge is what the checks need to know about a charge.
type Charge struct {
	SubscriptionID string
	ChargeType     string
	Start          time.Time // the charge's start (a date)
	Quantity       decimal.Decimal
	Cost           decimal.Decimal
	Currency       string
}

// Mismatch is a check's finding: which check and why.
type Mismatch struct {
	Check  string // seats | status
	Reason string
}

// CheckSeats compares a recurring charge's seats with the seats the
// subscription held on the charge's start day.
func CheckSeats(c Charge, changes []SubscriptionChange, current SubscriptionState) (Mismatch, bool) {
	if !Recurring(c.ChargeType) {
		return Mismatch{}, false
	}
	held := StateAt(changes, current, c.Start)
	if c.Quantity.Equal(decimal.NewFromInt(int64(held.Qty))) {
		return Mismatch{}, false
	}
	return Mismatch{Check: "seats", Reason: fmt.Sprintf("Billed %s seats (%s from %s); the subscription had %d then.",
		c.Quantity, ChargeLabel(c.ChargeType), c.Start.Format(time.DateOnly), held.Qty)}, true
}

// CheckStatus flags a charge (not a credit) for a subscription that was not
// active when the charge started, or that was suspended or cancelled in the
// billing period [from, to).
func CheckStatus(c Charge, changes []SubscriptionChange, current SubscriptionState, from, to time.Time) (Mismatch, bool) {
	if !c.Cost.IsPositive() {
		return Mismatch{}, false
	}
	if s := StateAt(changes, current, c.Start); !chargeable(s.Status) {
		return Mismatch{Check: "status", Reason: fmt.Sprintf("Charged %s (%s from %s) while the subscription was %s.",
			i18n.Money(i18n.English, c.Cost, c.Currency), ChargeLabel(c.ChargeType), c.Start.Format(time.DateOnly), s.Status)}, true
	}
	for _, ch := range changes {
		if ch.At.Before(from) || !ch.At.Before(to) || chargeable(ch.NewStatus) || !chargeable(ch.OldStatus) {
			continue
		}
		return Mismatch{Check: "status", Reason: fmt.Sprintf("Charged %s (%s from %s); the subscription was %s on %s, in this billing period.",
			i18n.Money(i18n.English, c.Cost, c.Currency), ChargeLabel(c.ChargeType), c.Start.Format(time.DateOnly), strings.ToLower(ch.NewStatus),
			ch.At.Format(time.DateOnly))}, true
	}
	return Mismatch{}, false
}
