package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cspportal/portal/internal/i18n"
)

// Cart lines: what staff may put in a cart for a customer, checked before
// anything is written so each problem shows next to its field.

// CartItem is a purchasable catalog item as a cart line needs it.
type CartItem struct {
	Kind     string // "nce" (product:sku:availability) or "offer" (legacy)
	ID, Name string
	Min, Max int      // quantity limits; 0 = unknown
	AddOn    bool     // needs a base: a subscription or a line in the cart
	Bases    []string // legacy base offer ids or NCE productId:skuId prerequisites
	Terms    []Term   // NCE: the term and billing cycle pairs sold
	Cycles   []string // legacy: the billing cycles sold
}

// Term is one term of an NCE availability with its billing cycle.
type Term struct {
	Duration     string `json:"duration"`
	BillingCycle string `json:"billingCycle"`
}

// baseKey is what an add-on's prerequisites name for an offer or item id.
func baseKey(offerID string) string {
	if parts := strings.Split(offerID, ":"); len(parts) == 3 {
		return parts[0] + ":" + parts[1]
	}
	return offerID
}

// AcceptsBase reports whether the add-on it can go with offerID.
func (it CartItem) AcceptsBase(offerID string) bool {
	k := baseKey(offerID)
	return slices.ContainsFunc(it.Bases, func(b string) bool { return strings.EqualFold(b, k) || strings.EqualFold(b, offerID) })
}

// CartRequest is a cart line as the form asks for it.
type CartRequest struct {
	Quantity string // as typed
	Term     string // NCE term (P1M, P1Y, ...); "" when the item has one
	Cycle    string // billing cycle; "" for the item's first
	// Parent is "sub:<subscription id>", "line:<cart line id>" or "".
	Parent string
}

// ParentSubscription is the existing subscription a "sub:" parent names,
// nil when it is not one of the customer's.
type ParentSubscription struct {
	ID, OfferID, OfferName, Status string
	Name                           string // its friendly name, else the offer's
}

// CartChoice is a checked cart line, ready to write.
type CartChoice struct {
	Quantity             int
	Term, Cycle          string
	ParentLineID         *int64
	ParentSubscriptionID string
}

// CheckCartLine checks req for item it against the cart's lines and, for a
// "sub:" parent, the subscription it names (parent). Problems come back by
// form field (item_id, quantity, term, billing_cycle, parent); none means
// the choice can be written.
func CheckCartLine(it CartItem, req CartRequest, lines []CartLine, parent *ParentSubscription) (CartChoice, map[string]string) {
	errs := map[string]string{}
	var c CartChoice
	q, err := strconv.Atoi(strings.TrimSpace(req.Quantity))
	if err != nil {
		errs["quantity"] = "Enter a whole number."
	} else if msg := CheckOrderQuantity(q, it.Min, it.Max); msg != "" {
		errs["quantity"] = msg
	}
	c.Quantity = q
	term, cycle := req.Term, strings.ToLower(req.Cycle)
	if it.Kind == "nce" {
		if term == "" && len(it.Terms) == 1 {
			term = it.Terms[0].Duration
		}
		if cycle == "" {
			for _, t := range it.Terms {
				if t.Duration == term {
					cycle = strings.ToLower(t.BillingCycle)
					break
				}
			}
		}
		if !slices.ContainsFunc(it.Terms, func(t Term) bool { return t.Duration == term && strings.EqualFold(t.BillingCycle, cycle) }) {
			var opts []string
			for _, t := range it.Terms {
				opts = append(opts, TermLabel(i18n.English, t.Duration)+" billed "+strings.ToLower(t.BillingCycle))
			}
			errs["term"] = "Choose a term and billing cycle this item offers: " + strings.Join(opts, ", ") + "."
		}
	} else {
		term = ""
		if cycle == "" && len(it.Cycles) > 0 {
			cycle = strings.ToLower(it.Cycles[0])
		}
		if !slices.ContainsFunc(it.Cycles, func(c string) bool { return strings.EqualFold(c, cycle) }) {
			errs["billing_cycle"] = "This offer is billed " + strings.Join(it.Cycles, " or ") + "."
		}
	}
	c.Term, c.Cycle = term, cycle
	for _, l := range lines {
		if l.BillingCycle != "" && cycle != "" && !strings.EqualFold(l.BillingCycle, cycle) {
			errs["billing_cycle"] = "A cart becomes one order with one billing cycle: this cart is billed " + l.BillingCycle + "."
			break
		}
	}
	switch p := req.Parent; {
	case !it.AddOn && p != "":
		errs["parent"] = it.Name + " is not an add-on: leave the parent empty."
	case it.AddOn && p == "":
		errs["parent"] = it.Name + " is an add-on: choose the subscription or cart line it goes with."
	case strings.HasPrefix(p, "sub:"):
		switch {
		case parent == nil:
			errs["parent"] = "That subscription does not belong to this customer."
		case parent.Status != "active":
			errs["parent"] = "The subscription " + parent.Name + " is " + parent.Status + ": add-ons need an active base."
		case !it.AcceptsBase(parent.OfferID):
			errs["parent"] = it.Name + " cannot be added to " + parent.OfferName + "."
		default:
			c.ParentSubscriptionID = parent.ID
		}
	case strings.HasPrefix(p, "line:"):
		id, _ := strconv.ParseInt(strings.TrimPrefix(p, "line:"), 10, 64)
		i := slices.IndexFunc(lines, func(l CartLine) bool { return l.ID == id })
		switch {
		case i < 0:
			errs["parent"] = "That line is not in your cart for this customer."
		case lines[i].IsAddOn:
			errs["parent"] = "An add-on cannot be the base of another add-on."
		case !it.AcceptsBase(lines[i].ItemID):
			errs["parent"] = it.Name + " cannot be added to " + lines[i].Name + "."
		default:
			c.ParentLineID = &id
		}
	case it.AddOn:
		errs["parent"] = "Choose the subscription or cart line the add-on goes with."
	}
	return c, errs
}

// CheckOrderQuantity returns why q seats cannot be ordered of an item
// with limits min..max (0 = unknown) ("" when they can).
func CheckOrderQuantity(q, min, max int) string {
	switch {
	case q < 1:
		return "The quantity must be at least 1."
	case min > 0 && q < min:
		return fmt.Sprintf("The quantity must be at least %d for this offer.", min)
	case max > 0 && q > max:
		return fmt.Sprintf("The quantity can be at most %d for this offer.", max)
	}
	return ""
}

// TermLabel says an ISO 8601 term duration in words in l ("" stays "").
func TermLabel(l i18n.Lang, t string) string {
	switch t {
	case "P1M":
		return i18n.In(l, "r.term.p1m")
	case "P1Y":
		return i18n.In(l, "r.term.p1y")
	case "P3Y":
		return i18n.In(l, "r.term.p3y")
	}
	return t
}

// PlanLabel says a term and billing cycle in words for the configurator
// ("1 year, billed monthly"); term is "" for legacy offers.
func PlanLabel(term, cycle string) string {
	cycle = strings.ToLower(cycle)
	billed := map[string]string{"monthly": "billed monthly", "annual": "billed annually", "triennial": "paid up front for 3 years",
		"none": "no billing cycle", "onetime": "paid once"}[cycle]
	if billed == "" {
		billed = "billed " + cycle
	}
	if term == "" {
		return strings.ToUpper(billed[:1]) + billed[1:]
	}
	return TermLabel(i18n.English, term) + ", " + billed
}

// PlanValue is the configurator's value for a term and billing cycle;
// SplitPlan reads it back.
func PlanValue(term, cycle string) string { return term + "|" + strings.ToLower(cycle) }

// SplitPlan reads a PlanValue; ok is false for anything else.
func SplitPlan(v string) (term, cycle string, ok bool) {
	return strings.Cut(v, "|")
}
