package rules

// The next term: what a new-commerce subscription renews as (its current
// product, quantity, term and billing plan, unless scheduled next-term
// instructions say otherwise; learn.microsoft.com "Schedule changes for a
// new commerce subscription"), and upgrades now (transitions; "Transition a
// new commerce subscription").

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cspportal/portal/internal/i18n"
)

// TermSpec is a term as a subscription has it or will renew into.
type TermSpec struct {
	ItemID       string // catalog item id (product:sku:availability) or offer id
	Title        string // the SKU's or offer's name
	Quantity     int
	TermDuration string // P1M, P1Y, P3Y
	BillingCycle string // monthly, annual, triennial, none
}

// Scheduled are scheduled next-term instructions (zero values: unchanged).
type Scheduled struct {
	TermSpec
	CustomTermEnd *time.Time
}

// NextTerm is the term a subscription renews into.
type NextTerm struct {
	TermSpec
	Scheduled     bool
	CustomTermEnd *time.Time
	// Changes say what differs from the current term ("quantity 10 → 12").
	Changes []string
}

// NextTermOf is cur as it renews, with the scheduled instructions s (nil
// when there are none) applied; its Changes are in l.
func NextTermOf(l i18n.Lang, cur TermSpec, s *Scheduled) NextTerm {
	n := NextTerm{TermSpec: cur}
	if s == nil {
		return n
	}
	n.Scheduled, n.CustomTermEnd = true, s.CustomTermEnd
	if s.ItemID != "" {
		n.ItemID, n.Title = s.ItemID, strings.TrimSpace(s.Title)
		if n.Title == "" {
			n.Title = cur.Title
		}
	}
	if s.Quantity > 0 {
		n.Quantity = s.Quantity
	}
	if s.TermDuration != "" {
		n.TermDuration = s.TermDuration
	}
	if s.BillingCycle != "" {
		n.BillingCycle = strings.ToLower(s.BillingCycle)
	}
	if !strings.EqualFold(n.ItemID, cur.ItemID) && n.ItemID != "" {
		n.Changes = append(n.Changes, i18n.In(l, "r.change_product", cur.Title, n.Title))
	}
	if n.Quantity != cur.Quantity {
		n.Changes = append(n.Changes, i18n.In(l, "r.change_quantity", strconv.Itoa(cur.Quantity), strconv.Itoa(n.Quantity)))
	}
	if n.TermDuration != cur.TermDuration {
		n.Changes = append(n.Changes, i18n.In(l, "r.change_term", TermLabel(l, cur.TermDuration), TermLabel(l, n.TermDuration)))
	}
	if !strings.EqualFold(n.BillingCycle, cur.BillingCycle) {
		n.Changes = append(n.Changes, i18n.In(l, "r.change_cycle", CycleLabel(l, cur.BillingCycle), CycleLabel(l, n.BillingCycle)))
	}
	if n.CustomTermEnd != nil {
		n.Changes = append(n.Changes, i18n.In(l, "r.change_term_end", Day(*n.CustomTermEnd)))
	}
	return n
}

// CycleLabel says a billing cycle in words in l.
func CycleLabel(l i18n.Lang, c string) string {
	switch strings.ToLower(c) {
	case "monthly":
		return i18n.In(l, "r.cycle.monthly")
	case "annual":
		return i18n.In(l, "r.cycle.annual")
	case "triennial":
		return i18n.In(l, "r.cycle.triennial")
	case "none", "":
		return i18n.In(l, "r.cycle.none")
	}
	return strings.ToLower(c)
}

// Target is a catalog item a subscription can move to (a target of
// transitionEligibilities) with the terms it is sold on.
type Target struct {
	ItemID, Title string
	// Eligible per transition type; Problems are PC's reasons in plain words.
	Eligible bool
	Problems []string
	Terms    []Term
	Min, Max int
}

// TermValue is a term's form value ("P1Y/annual").
func TermValue(t Term) string { return t.Duration + "/" + strings.ToLower(t.BillingCycle) }

// TermChoiceLabel says a term and billing plan ("1 year, billed annual").
func TermChoiceLabel(t Term) string {
	return TermLabel(i18n.English, t.Duration) + ", billed " + CycleLabel(i18n.English, t.BillingCycle)
}

// NextTermRequest is the scheduled-change editor's form.
type NextTermRequest struct {
	ItemID   string // a target's item id
	Quantity string // as typed
	Term     string // TermValue of one of the target's terms
}

// CheckNextTerm checks a scheduled change of s (whose current term is cur)
// to req against the scheduled targets. Problems come back by form field
// (item_id, quantity, term, or _form).
func CheckNextTerm(s Subscription, autoRenew bool, cur TermSpec, targets []Target, req NextTermRequest) (Scheduled, map[string]string) {
	bad := func(field, msg string) (Scheduled, map[string]string) {
		return Scheduled{}, map[string]string{field: msg}
	}
	switch {
	case !s.NCE():
		return bad("_form", "Only new-commerce subscriptions take scheduled changes; change a legacy subscription now instead.")
	case s.Status != "active":
		return bad("_form", "Changes can only be scheduled while the subscription is active (it is "+s.Status+").")
	case !autoRenew:
		return bad("_form", "Scheduled changes apply at renewal: turn auto-renew on first.")
	}
	var t *Target
	for i := range targets {
		if strings.EqualFold(targets[i].ItemID, req.ItemID) {
			t = &targets[i]
		}
	}
	if t == nil {
		return bad("item_id", "Choose a product this subscription can renew into.")
	}
	if !t.Eligible {
		return bad("item_id", "It cannot renew into "+t.Title+": "+strings.Join(t.Problems, " "))
	}
	q, err := strconv.Atoi(strings.TrimSpace(req.Quantity))
	if err != nil {
		return bad("quantity", "Enter a whole number of seats.")
	}
	if msg := CheckOrderQuantity(q, max(t.Min, 1), t.Max); msg != "" {
		return bad("quantity", msg)
	}
	var term *Term
	for i := range t.Terms {
		if strings.EqualFold(TermValue(t.Terms[i]), req.Term) {
			term = &t.Terms[i]
		}
	}
	if term == nil {
		return bad("term", "Choose one of the terms "+t.Title+" is sold on.")
	}
	out := Scheduled{TermSpec: TermSpec{ItemID: t.ItemID, Title: t.Title, Quantity: q, TermDuration: term.Duration,
		BillingCycle: strings.ToLower(term.BillingCycle)}}
	if len(NextTermOf(i18n.English, cur, &out).Changes) == 0 {
		return bad("_form", "That is how the subscription renews already: change the quantity, term, billing plan or product.")
	}
	return out, nil
}

// TransitionRequest is the upgrade form.
type TransitionRequest struct {
	ItemID   string
	Quantity string // "" = all seats
	Type     string // transition_only or transition_with_license_transfer
}

// Transition types (PC's TransitionType values).
const (
	TransitionOnly                = "transition_only"
	TransitionWithLicenseTransfer = "transition_with_license_transfer"
)

// TransitionChoice is a checked upgrade.
type TransitionChoice struct {
	ItemID, Title string
	Quantity      int
	Type          string
}

// CheckTransition checks an upgrade of s to req; eligible maps a target's
// item id and transition type to whether PC allows it, with its reasons.
func CheckTransition(s Subscription, targets map[string]map[string]Target, req TransitionRequest) (TransitionChoice, map[string]string) {
	bad := func(field, msg string) (TransitionChoice, map[string]string) {
		return TransitionChoice{}, map[string]string{field: msg}
	}
	if s.Status != "active" {
		return bad("_form", "Only an active subscription can be upgraded (it is "+s.Status+").")
	}
	typ := req.Type
	if typ == "" {
		typ = TransitionOnly
	}
	if typ != TransitionOnly && typ != TransitionWithLicenseTransfer {
		return bad("type", "Choose whether the users' licences move with the seats.")
	}
	byType, ok := targets[strings.ToUpper(req.ItemID)]
	if !ok {
		return bad("item_id", "Choose one of the upgrades Partner Center offers for this subscription.")
	}
	t, ok := byType[typ]
	if !ok || !t.Eligible {
		return bad("item_id", "Partner Center does not allow this upgrade: "+strings.Join(t.Problems, " "))
	}
	q := s.Quantity
	if v := strings.TrimSpace(req.Quantity); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return bad("quantity", "Enter a whole number of seats.")
		}
		q = n
	}
	if q < 1 || q > s.Quantity {
		return bad("quantity", fmt.Sprintf("Move between 1 and %d seats (all of them upgrade the subscription itself; fewer move to a new subscription).", s.Quantity))
	}
	return TransitionChoice{ItemID: t.ItemID, Title: t.Title, Quantity: q, Type: typ}, nil
}

// ExplainTransitionError says PC's transition error code in plain words
// (the SDK's TransitionErrorCode; description is PC's own text, used for
// codes the portal does not know).
func ExplainTransitionError(code int, description, status string) string {
	switch code {
	case 1:
		return "Delegated admin access to the customer's tenant is off; an upgrade needs it."
	case 2:
		if status != "" {
			return "Only an active subscription can be upgraded (this one is " + status + ")."
		}
		return "Only an active subscription can be upgraded."
	case 3:
		return "The customer has another active subscription of this product, so the users' licences cannot move automatically: upgrade without moving licences and reassign them in the admin center."
	case 4:
		return "Another upgrade of this subscription is still running: wait until it has finished."
	case 5:
		return "This upgrade needs a partner admin's sign-in."
	case 6:
		return "The subscription has add-ons that block this upgrade: remove or move them first."
	case 7:
		return "Microsoft offers no upgrade from this product."
	case 8:
		return "That product is not one of this subscription's upgrade paths."
	case 9:
		return "The subscription is still being provisioned: try again once it is active."
	case 10:
		return "The target product is not sold on this subscription's term and billing plan: pick a target that is, or schedule the change for the renewal."
	case 11:
		return "Partner Center found no conversion for this subscription."
	case 12:
		return "Licences assigned to users block the move: unassign them or upgrade without moving licences."
	}
	if description = strings.TrimSpace(description); description != "" {
		return description
	}
	return "Partner Center does not allow this upgrade."
}
