package rules

import "time"

// Orders: a cart becomes one or two Partner Center orders (phases), and an
// order page offers retry and cancel by the state of its phases.

// CartLine is a line of a staff user's cart for a customer.
type CartLine struct {
	ID                   int64
	ItemID               string // legacy offer id or NCE product:sku:availability
	Name                 string
	Quantity             int
	TermDuration         string // NCE only, e.g. P1Y
	BillingCycle         string // monthly, annual
	IsAddOn              bool
	ParentLineID         *int64 // an add-on of a base in the same cart
	ParentSubscriptionID string // an add-on of an existing subscription
	PromotionID          string // NCE promotion chosen for the line, or ""
	PromotionLabel       string // its name and discount in words
	CustomTermEnd        string // co-termed end of the first term (2006-01-02), or ""
}

// PlacementLine is a cart line as submitted (order_placements.lines). Phase
// 1 lines are ordered first (bases, and add-ons of existing subscriptions);
// phase 2 lines are add-ons of a phase 1 line (BaseLine is its index).
type PlacementLine struct {
	ItemID       string `json:"itemId"`
	Name         string `json:"name"`
	Quantity     int    `json:"quantity"`
	Term         string `json:"term,omitempty"`
	Cycle        string `json:"cycle,omitempty"`
	Phase        int    `json:"phase"`
	BaseLine     int    `json:"baseLine"` // phase 2: index of the base line; -1 otherwise
	ParentSubID  string `json:"parentSubscriptionId,omitempty"`
	OrderLineNum int    `json:"orderLine"` // line item number in its phase's order
	PromotionID  string `json:"promotionId,omitempty"`
	Promotion    string `json:"promotion,omitempty"` // the promotion in words, for the order page
	TermEnd      string `json:"termEnd,omitempty"`   // custom term end date (2006-01-02)
}

// Phases numbers a cart's lines into the orders that place them: PC needs
// a base subscription to exist before an add-on can name it, so add-ons of
// bases in the same cart go in a second order (needsAddons).
func Phases(lines []CartLine) (out []PlacementLine, needsAddons bool) {
	idx := map[int64]int{}
	n1, n2 := 0, 0
	for _, l := range lines {
		if l.ParentLineID != nil {
			continue
		}
		idx[l.ID] = len(out)
		out = append(out, PlacementLine{ItemID: l.ItemID, Name: l.Name, Quantity: l.Quantity, Term: l.TermDuration, Cycle: l.BillingCycle,
			Phase: 1, BaseLine: -1, ParentSubID: l.ParentSubscriptionID, OrderLineNum: n1, PromotionID: l.PromotionID,
			Promotion: l.PromotionLabel, TermEnd: l.CustomTermEnd})
		n1++
	}
	for _, l := range lines {
		if l.ParentLineID == nil {
			continue
		}
		out = append(out, PlacementLine{ItemID: l.ItemID, Name: l.Name, Quantity: l.Quantity, Term: l.TermDuration, Cycle: l.BillingCycle,
			Phase: 2, BaseLine: idx[*l.ParentLineID], OrderLineNum: n2, PromotionID: l.PromotionID,
			Promotion: l.PromotionLabel, TermEnd: l.CustomTermEnd})
		n2++
	}
	return out, n2 > 0
}

// Command statuses (commands.status), as the order rules see them.
const (
	StatusPending    = "pending"
	StatusDelivering = "delivering"
	StatusSucceeded  = "succeeded"
	StatusFailed     = "failed"
	// StatusWaiting is an add-on phase not queued yet (its bases are not
	// active in Partner Center yet).
	StatusWaiting = "waiting"
)

// Phase is one Partner Center order of a placement as its page shows it.
type Phase struct {
	Status    string // a command status, StatusWaiting, or "" for no such phase
	Completed bool   // PC answered and every subscription it created is active
}

// OrderState is what an order page offers.
type OrderState struct {
	CanRetry  bool // a phase was refused: send it again
	CanCancel bool // give up on the lines not yet placed
	Done      bool // nothing will change without staff: stop polling
}

// PlacementState decides what an order page offers from its phases.
func PlacementState(base, addons Phase, needsAddons, cancelled bool) OrderState {
	failed := base.Status == StatusFailed || addons.Status == StatusFailed
	return OrderState{
		CanRetry:  failed && !cancelled,
		CanCancel: !cancelled && (failed || addons.Status == StatusWaiting) && base.Status != StatusPending,
		Done: cancelled || failed || (base.Status == StatusSucceeded && base.Completed &&
			(!needsAddons || (addons.Status == StatusSucceeded && addons.Completed))),
	}
}

// Date is a day as the portal writes it (2006-01-02, UTC), "—" when
// unknown.
func Date(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02")
}
