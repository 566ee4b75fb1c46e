package rules_test

import (
	"strings"
	"testing"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
)

var (
	basic    = rules.TermSpec{ItemID: "CFQ7TTC0LH18:0001:CFQ7TTC0K971", Title: "Microsoft 365 Business Basic", Quantity: 15, TermDuration: "P1Y", BillingCycle: "annual"}
	p1y      = []rules.Term{{Duration: "P1M", BillingCycle: "Monthly"}, {Duration: "P1Y", BillingCycle: "Monthly"}, {Duration: "P1Y", BillingCycle: "Annual"}}
	targets  = []rules.Target{{ItemID: basic.ItemID, Title: basic.Title, Eligible: true, Terms: p1y, Min: 1, Max: 300}, {ItemID: "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM", Title: "Microsoft 365 Business Standard", Eligible: true, Terms: p1y, Min: 1, Max: 300}, {ItemID: "X:1:2", Title: "Blocked", Problems: []string{"Only an active subscription can be upgraded."}}}
	schedule = func(q int, cycle string) *rules.Scheduled {
		return &rules.Scheduled{TermSpec: rules.TermSpec{ItemID: basic.ItemID, Title: basic.Title, Quantity: q, TermDuration: "P1Y", BillingCycle: cycle}}
	}
)

func TestNextTermOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		s         *rules.Scheduled
		qty       int
		cycle     string
		scheduled bool
		changes   string
	}{
		{"as it is", nil, 15, "annual", false, ""},
		{"quantity and billing plan", schedule(12, "Monthly"), 12, "monthly", true, "quantity 15 → 12; billing plan annual → monthly"},
		{"same values", schedule(15, "annual"), 15, "annual", true, ""},
		{"upgrade", &rules.Scheduled{TermSpec: rules.TermSpec{ItemID: "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM", Title: "Microsoft 365 Business Standard", TermDuration: "P1M", BillingCycle: "monthly"}},
			15, "monthly", true, "product Microsoft 365 Business Basic → Microsoft 365 Business Standard; term 1 year → 1 month; billing plan annual → monthly"},
	} {
		n := rules.NextTermOf(i18n.English, basic, c.s)
		if n.Quantity != c.qty || n.BillingCycle != c.cycle || n.Scheduled != c.scheduled || strings.Join(n.Changes, "; ") != c.changes {
			t.Errorf("%s: %+v, want qty %d cycle %s scheduled %v changes %q", c.name, n, c.qty, c.cycle, c.scheduled, c.changes)
		}
	}
	// In Chinese: the changes, terms and billing cycles read in Chinese.
	n := rules.NextTermOf(i18n.SimplifiedChinese, basic, &rules.Scheduled{TermSpec: rules.TermSpec{Quantity: 12, TermDuration: "P1M", BillingCycle: "monthly"}})
	if got, want := strings.Join(n.Changes, "；"), "数量 15 → 12；期限 1 年 → 1 个月；计费方案 按年 → 按月"; got != want {
		t.Errorf("zh NextTermOf changes = %q, want %q", got, want)
	}
	if got, want := rules.TermLabel(i18n.SimplifiedChinese, "P3Y")+"/"+rules.CycleLabel(i18n.SimplifiedChinese, "Triennial"), "3 年/每 3 年"; got != want {
		t.Errorf("zh TermLabel/CycleLabel = %q, want %q", got, want)
	}
}

func TestCheckNextTerm(t *testing.T) {
	t.Parallel()
	sub := nce()
	req := func(item, q, term string) rules.NextTermRequest {
		return rules.NextTermRequest{ItemID: item, Quantity: q, Term: term}
	}
	for _, c := range []struct {
		name      string
		s         rules.Subscription
		autoRenew bool
		r         rules.NextTermRequest
		field     string // "" = accepted
		want      string
	}{
		{"quantity and billing plan", sub, true, req(basic.ItemID, "12", "P1Y/monthly"), "", ""},
		{"upgrade at renewal", sub, true, req("cfq7ttc0ldpb:0001:cfq7ttc0k5dm", "15", "P1Y/annual"), "", ""},
		{"no change", sub, true, req(basic.ItemID, "15", "P1Y/annual"), "_form", "renews already"},
		{"auto-renew off", sub, false, req(basic.ItemID, "12", "P1Y/monthly"), "_form", "turn auto-renew on"},
		{"legacy", legacy(), true, req(basic.ItemID, "12", "P1Y/monthly"), "_form", "new-commerce"},
		{"suspended", nce(func(s *rules.Subscription) { s.Status = "suspended" }), true, req(basic.ItemID, "12", "P1Y/monthly"), "_form", "it is suspended"},
		{"unknown target", sub, true, req("Z:1:1", "12", "P1Y/monthly"), "item_id", "Choose a product"},
		{"ineligible target", sub, true, req("X:1:2", "12", "P1Y/monthly"), "item_id", "cannot renew into Blocked: Only an active"},
		{"bad quantity", sub, true, req(basic.ItemID, "lots", "P1Y/monthly"), "quantity", "whole number"},
		{"quantity above max", sub, true, req(basic.ItemID, "301", "P1Y/monthly"), "quantity", "at most 300"},
		{"term not sold", sub, true, req(basic.ItemID, "12", "P3Y/annual"), "term", "Choose one of the terms"},
	} {
		got, errs := rules.CheckNextTerm(c.s, c.autoRenew, basic, targets, c.r)
		if c.field == "" {
			if len(errs) > 0 || got.Quantity == 0 {
				t.Errorf("%s: refused %v", c.name, errs)
			}
			continue
		}
		if !strings.Contains(errs[c.field], c.want) {
			t.Errorf("%s: errors %v, want %s: %q", c.name, errs, c.field, c.want)
		}
	}
}

func TestCheckTransition(t *testing.T) {
	t.Parallel()
	std := "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM"
	ts := map[string]map[string]rules.Target{strings.ToUpper(std): {
		rules.TransitionOnly:                {ItemID: std, Title: "Microsoft 365 Business Standard", Eligible: true},
		rules.TransitionWithLicenseTransfer: {ItemID: std, Title: "Microsoft 365 Business Standard", Problems: []string{rules.ExplainTransitionError(3, "", "")}},
	}}
	for _, c := range []struct {
		name  string
		s     rules.Subscription
		r     rules.TransitionRequest
		field string
		want  string
		qty   int
	}{
		{"all seats", nce(), rules.TransitionRequest{ItemID: std}, "", "", 10},
		{"some seats", nce(), rules.TransitionRequest{ItemID: std, Quantity: "4", Type: rules.TransitionOnly}, "", "", 4},
		{"licence transfer blocked", nce(), rules.TransitionRequest{ItemID: std, Type: rules.TransitionWithLicenseTransfer}, "item_id", "another active subscription of this product", 0},
		{"not a target", nce(), rules.TransitionRequest{ItemID: "A:B:C"}, "item_id", "Choose one of the upgrades", 0},
		{"too many seats", nce(), rules.TransitionRequest{ItemID: std, Quantity: "11"}, "quantity", "between 1 and 10", 0},
		{"bad type", nce(), rules.TransitionRequest{ItemID: std, Type: "swap"}, "type", "licences", 0},
		{"suspended", nce(func(s *rules.Subscription) { s.Status = "suspended" }), rules.TransitionRequest{ItemID: std}, "_form", "it is suspended", 0},
	} {
		got, errs := rules.CheckTransition(c.s, ts, c.r)
		if c.field == "" {
			if len(errs) > 0 || got.Quantity != c.qty {
				t.Errorf("%s: %+v %v", c.name, got, errs)
			}
			continue
		}
		if !strings.Contains(errs[c.field], c.want) {
			t.Errorf("%s: errors %v, want %s: %q", c.name, errs, c.field, c.want)
		}
	}
}

func TestExplainTransitionError(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		code         int
		desc, status string
		want         string
	}{
		{2, "", "suspended", "this one is suspended"},
		{3, "", "", "upgrade without moving licences"},
		{4, "", "", "still running"},
		{7, "", "", "no upgrade"},
		{8, "", "", "not one of this subscription's upgrade paths"},
		{9, "", "", "being provisioned"},
		{10, "", "", "term and billing plan"},
		{99, "Something PC said.", "", "Something PC said."},
		{0, "", "", "does not allow"},
	} {
		if got := rules.ExplainTransitionError(c.code, c.desc, c.status); !strings.Contains(got, c.want) {
			t.Errorf("ExplainTransitionError(%d) = %q, want %q", c.code, got, c.want)
		}
	}
}
