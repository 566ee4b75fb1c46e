package rules_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cspportal/portal/rules"
)

func TestCheckCartLine(t *testing.T) {
	t.Parallel()
	nce := rules.CartItem{Kind: "nce", ID: "P1:S1:A1", Name: "Business Premium", Min: 1, Max: 300,
		Terms: []rules.Term{{Duration: "P1M", BillingCycle: "Monthly"}, {Duration: "P1Y", BillingCycle: "Annual"}, {Duration: "P1Y", BillingCycle: "Monthly"}}}
	oneTerm := rules.CartItem{Kind: "nce", ID: "P2:S2:A2", Name: "Teams", Min: 1, Max: 10, Terms: []rules.Term{{Duration: "P1Y", BillingCycle: "Annual"}}}
	legacy := rules.CartItem{Kind: "offer", ID: "OFFER-1", Name: "Office 365 E1", Min: 1, Max: 100, Cycles: []string{"monthly", "annual"}}
	addOn := rules.CartItem{Kind: "nce", ID: "P9:S9:A9", Name: "Audio Conferencing", AddOn: true, Bases: []string{"P1:S1"},
		Terms: []rules.Term{{Duration: "P1Y", BillingCycle: "Monthly"}}}
	base := rules.CartLine{ID: 7, ItemID: "P1:S1:A1", Name: "Business Premium", BillingCycle: "monthly"}
	other := rules.CartLine{ID: 8, ItemID: "PX:SX:AX", Name: "Visio", BillingCycle: "monthly"}
	addLine := rules.CartLine{ID: 9, ItemID: "P9:S9:A9", Name: "Audio", IsAddOn: true, BillingCycle: "monthly"}
	activeBase := &rules.ParentSubscription{ID: "sub-1", OfferID: "P1:S1:A1", Name: "BP", Status: "active"}
	seven := int64(7)
	tests := []struct {
		name   string
		it     rules.CartItem
		req    rules.CartRequest
		lines  []rules.CartLine
		parent *rules.ParentSubscription
		want   rules.CartChoice
		errs   map[string]string
	}{
		{"nce with term and cycle", nce, rules.CartRequest{Quantity: "5", Term: "P1Y", Cycle: "monthly"}, nil, nil,
			rules.CartChoice{Quantity: 5, Term: "P1Y", Cycle: "monthly"}, nil},
		{"nce cycle defaults to the term's first", nce, rules.CartRequest{Quantity: "5", Term: "P1M"}, nil, nil,
			rules.CartChoice{Quantity: 5, Term: "P1M", Cycle: "monthly"}, nil},
		{"nce single term is the default", oneTerm, rules.CartRequest{Quantity: "2"}, nil, nil,
			rules.CartChoice{Quantity: 2, Term: "P1Y", Cycle: "annual"}, nil},
		{"nce unknown term", nce, rules.CartRequest{Quantity: "1", Term: "P3Y"}, nil, nil,
			rules.CartChoice{Quantity: 1, Term: "P3Y"},
			map[string]string{"term": "Choose a term and billing cycle this item offers: 1 month billed monthly, 1 year billed annual, 1 year billed monthly."}},
		{"quantity not a number", nce, rules.CartRequest{Quantity: "ten", Term: "P1M"}, nil, nil,
			rules.CartChoice{Term: "P1M", Cycle: "monthly"}, map[string]string{"quantity": "Enter a whole number."}},
		{"quantity above max", oneTerm, rules.CartRequest{Quantity: "11"}, nil, nil,
			rules.CartChoice{Quantity: 11, Term: "P1Y", Cycle: "annual"}, map[string]string{"quantity": "The quantity can be at most 10 for this offer."}},
		{"legacy first cycle, no term", legacy, rules.CartRequest{Quantity: "3", Term: "P1Y"}, nil, nil,
			rules.CartChoice{Quantity: 3, Cycle: "monthly"}, nil},
		{"legacy unsold cycle", legacy, rules.CartRequest{Quantity: "3", Cycle: "triennial"}, nil, nil,
			rules.CartChoice{Quantity: 3, Cycle: "triennial"}, map[string]string{"billing_cycle": "This offer is billed monthly or annual."}},
		{"one billing cycle per cart", legacy, rules.CartRequest{Quantity: "3", Cycle: "annual"}, []rules.CartLine{other}, nil,
			rules.CartChoice{Quantity: 3, Cycle: "annual"}, map[string]string{"billing_cycle": "A cart becomes one order with one billing cycle: this cart is billed monthly."}},
		{"base with a parent", nce, rules.CartRequest{Quantity: "1", Term: "P1M", Parent: "line:7"}, []rules.CartLine{base}, nil,
			rules.CartChoice{Quantity: 1, Term: "P1M", Cycle: "monthly"}, map[string]string{"parent": "Business Premium is not an add-on: leave the parent empty."}},
		{"add-on without parent", addOn, rules.CartRequest{Quantity: "1"}, nil, nil,
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly"}, map[string]string{"parent": "Audio Conferencing is an add-on: choose the subscription or cart line it goes with."}},
		{"add-on on a cart line", addOn, rules.CartRequest{Quantity: "1", Parent: "line:7"}, []rules.CartLine{base}, nil,
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly", ParentLineID: &seven}, nil},
		{"add-on on a line not in the cart", addOn, rules.CartRequest{Quantity: "1", Parent: "line:70"}, []rules.CartLine{base}, nil,
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly"}, map[string]string{"parent": "That line is not in your cart for this customer."}},
		{"add-on on an add-on", addOn, rules.CartRequest{Quantity: "1", Parent: "line:9"}, []rules.CartLine{addLine}, nil,
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly"}, map[string]string{"parent": "An add-on cannot be the base of another add-on."}},
		{"add-on on the wrong base line", addOn, rules.CartRequest{Quantity: "1", Parent: "line:8"}, []rules.CartLine{other}, nil,
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly"}, map[string]string{"parent": "Audio Conferencing cannot be added to Visio."}},
		{"add-on on a subscription", addOn, rules.CartRequest{Quantity: "1", Parent: "sub:sub-1"}, nil, activeBase,
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly", ParentSubscriptionID: "sub-1"}, nil},
		{"add-on on another customer's subscription", addOn, rules.CartRequest{Quantity: "1", Parent: "sub:x"}, nil, nil,
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly"}, map[string]string{"parent": "That subscription does not belong to this customer."}},
		{"add-on on a suspended subscription", addOn, rules.CartRequest{Quantity: "1", Parent: "sub:sub-1"}, nil,
			&rules.ParentSubscription{ID: "sub-1", OfferID: "P1:S1:A1", Name: "BP", Status: "suspended"},
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly"}, map[string]string{"parent": "The subscription BP is suspended: add-ons need an active base."}},
		{"add-on on a subscription of another product", addOn, rules.CartRequest{Quantity: "1", Parent: "sub:sub-2"}, nil,
			&rules.ParentSubscription{ID: "sub-2", OfferID: "PX:SX:AX", OfferName: "Visio", Name: "Our Visio", Status: "active"},
			rules.CartChoice{Quantity: 1, Term: "P1Y", Cycle: "monthly"}, map[string]string{"parent": "Audio Conferencing cannot be added to Visio."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := rules.CheckCartLine(tc.it, tc.req, tc.lines, tc.parent)
			if tc.errs == nil {
				tc.errs = map[string]string{}
			}
			if d := cmp.Diff(tc.errs, errs); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("choice (-want +got):\n%s", d)
			}
		})
	}
}

func TestPlanLabel(t *testing.T) {
	tests := []struct{ term, cycle, want string }{
		{"P1Y", "monthly", "1 year, billed monthly"},
		{"P1Y", "Annual", "1 year, billed annually"},
		{"P3Y", "triennial", "3 years, paid up front for 3 years"},
		{"P1M", "monthly", "1 month, billed monthly"},
		{"", "monthly", "Billed monthly"},
		{"P2Y", "quarterly", "P2Y, billed quarterly"},
	}
	for _, tt := range tests {
		if got := rules.PlanLabel(tt.term, tt.cycle); got != tt.want {
			t.Errorf("PlanLabel(%q, %q) = %q, want %q", tt.term, tt.cycle, got, tt.want)
		}
		term, cycle, ok := rules.SplitPlan(rules.PlanValue(tt.term, tt.cycle))
		if !ok || term != tt.term || cycle != strings.ToLower(tt.cycle) {
			t.Errorf("SplitPlan(PlanValue(%q, %q)) = %q, %q, %v", tt.term, tt.cycle, term, cycle, ok)
		}
	}
}
