package rules_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cspportal/portal/rules"
)

func TestPhases(t *testing.T) {
	t.Parallel()
	one, three := int64(1), int64(3)
	lines := []rules.CartLine{
		{ID: 1, ItemID: "base-a", Name: "A", Quantity: 5, TermDuration: "P1Y", BillingCycle: "monthly", PromotionID: "promo-a", PromotionLabel: "A promo (5% off)"},
		{ID: 2, ItemID: "addon-x", Name: "X", Quantity: 5, BillingCycle: "monthly", IsAddOn: true, ParentLineID: &one},
		{ID: 3, ItemID: "base-b", Name: "B", Quantity: 2, BillingCycle: "monthly"},
		{ID: 4, ItemID: "addon-y", Name: "Y", Quantity: 1, BillingCycle: "monthly", IsAddOn: true, ParentSubscriptionID: "sub-9"},
		{ID: 5, ItemID: "addon-z", Name: "Z", Quantity: 2, BillingCycle: "monthly", IsAddOn: true, ParentLineID: &three, PromotionID: "promo-z"},
	}
	got, two := rules.Phases(lines)
	want := []rules.PlacementLine{
		{ItemID: "base-a", Name: "A", Quantity: 5, Term: "P1Y", Cycle: "monthly", Phase: 1, BaseLine: -1, OrderLineNum: 0, PromotionID: "promo-a", Promotion: "A promo (5% off)"},
		{ItemID: "base-b", Name: "B", Quantity: 2, Cycle: "monthly", Phase: 1, BaseLine: -1, OrderLineNum: 1},
		{ItemID: "addon-y", Name: "Y", Quantity: 1, Cycle: "monthly", Phase: 1, BaseLine: -1, ParentSubID: "sub-9", OrderLineNum: 2},
		{ItemID: "addon-x", Name: "X", Quantity: 5, Cycle: "monthly", Phase: 2, BaseLine: 0, OrderLineNum: 0},
		{ItemID: "addon-z", Name: "Z", Quantity: 2, Cycle: "monthly", Phase: 2, BaseLine: 1, OrderLineNum: 1, PromotionID: "promo-z"},
	}
	if d := cmp.Diff(want, got); d != "" || !two {
		t.Fatalf("phases (-want +got):\n%s\ntwo phases: %v", d, two)
	}
	if _, two := rules.Phases(lines[2:4]); two {
		t.Fatal("a cart without add-ons of new bases needs one phase")
	}
}

func TestPlacementState(t *testing.T) {
	t.Parallel()
	ok := rules.Phase{Status: rules.StatusSucceeded, Completed: true}
	provisioning := rules.Phase{Status: rules.StatusSucceeded}
	failed := rules.Phase{Status: rules.StatusFailed}
	pending := rules.Phase{Status: rules.StatusPending}
	waiting := rules.Phase{Status: rules.StatusWaiting}
	none := rules.Phase{}
	for _, c := range []struct {
		name             string
		base, addons     rules.Phase
		needs, cancelled bool
		want             rules.OrderState
	}{
		{"one phase, on its way", pending, none, false, false, rules.OrderState{}},
		{"one phase, provisioning", provisioning, none, false, false, rules.OrderState{}},
		{"one phase, done", ok, none, false, false, rules.OrderState{Done: true}},
		{"one phase, refused", failed, none, false, false, rules.OrderState{CanRetry: true, CanCancel: true, Done: true}},
		{"add-ons waiting for the bases", ok, waiting, true, false, rules.OrderState{CanCancel: true}},
		{"add-ons on their way", ok, pending, true, false, rules.OrderState{}},
		{"add-ons refused", ok, failed, true, false, rules.OrderState{CanRetry: true, CanCancel: true, Done: true}},
		{"both done", ok, ok, true, false, rules.OrderState{Done: true}},
		{"bases done, add-ons provisioning", ok, provisioning, true, false, rules.OrderState{}},
		{"cancelled while waiting", ok, waiting, true, true, rules.OrderState{Done: true}},
		{"cancelled after a refusal", failed, none, true, true, rules.OrderState{Done: true}},
	} {
		if got := rules.PlacementState(c.base, c.addons, c.needs, c.cancelled); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestNestAddOns(t *testing.T) {
	t.Parallel()
	type sub struct{ id, parent string }
	subs := []sub{{"a1", "b1"}, {"b1", ""}, {"o1", "gone"}, {"b2", ""}, {"a2", "b1"}}
	got := rules.NestAddOns(subs, func(s sub) string { return s.id }, func(s sub) string { return s.parent })
	var flat []string
	for _, n := range got {
		line := n.Item.id + ":"
		for _, a := range n.AddOns {
			line += " " + a.id
		}
		flat = append(flat, line)
	}
	want := []string{"b1: a1 a2", "o1:", "b2:"}
	if d := cmp.Diff(want, flat); d != "" {
		t.Fatalf("nested (-want +got):\n%s", d)
	}
	// By position: the same nesting.
	n := rules.Nest(len(subs), func(i int) string { return subs[i].id }, func(i int) string { return subs[i].parent })
	if d := cmp.Diff(rules.Nesting{Bases: []int{1, 2, 3}, AddOns: map[int][]int{1: {0, 4}}}, n); d != "" {
		t.Fatalf("nesting by position (-want +got):\n%s", d)
	}
}
