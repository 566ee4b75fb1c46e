package rules_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cspportal/portal/rules"
)

func TestCheckAutoApproval(t *testing.T) {
	t.Parallel()
	on := rules.SeatPolicy{Enabled: true, MaxPerRequest: 5, MaxPerMonth: 8}
	tests := []struct {
		name                    string
		p                       rules.SeatPolicy
		current, requested, mon int
		want                    string // part of the reason; "" approved
	}{
		{"off by default", rules.SeatPolicy{}, 10, 11, 0, "No auto-approval policy"},
		{"disabled with limits", rules.SeatPolicy{MaxPerRequest: 5}, 10, 11, 0, "No auto-approval policy"},
		{"within both limits", on, 10, 15, 0, ""},
		{"one seat", on, 1, 2, 7, ""},
		{"exactly the month's rest", on, 10, 13, 5, ""},
		{"decrease", on, 10, 9, 0, "Only seat increases"},
		{"same count", on, 10, 10, 0, "Only seat increases"},
		{"over per request", on, 10, 16, 0, "at most 5 per request"},
		{"over the month", on, 10, 14, 5, "at most 8 a month and 5 were approved"},
		{"month only", rules.SeatPolicy{Enabled: true, MaxPerMonth: 100}, 10, 60, 40, ""},
		{"month only, over", rules.SeatPolicy{Enabled: true, MaxPerMonth: 100}, 10, 61, 50, "at most 100 a month"},
		{"request only, any month", rules.SeatPolicy{Enabled: true, MaxPerRequest: 3}, 10, 13, 9000, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.CheckAutoApproval(tt.p, tt.current, tt.requested, tt.mon)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Fatalf("CheckAutoApproval = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckSeatPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     rules.SeatPolicyInput
		want   rules.SeatPolicy
		fields []string
	}{
		{"off, empty", rules.SeatPolicyInput{}, rules.SeatPolicy{}, nil},
		{"off keeps limits", rules.SeatPolicyInput{MaxPerRequest: "5"}, rules.SeatPolicy{MaxPerRequest: 5}, nil},
		{"on, both", rules.SeatPolicyInput{Enabled: true, MaxPerRequest: " 5 ", MaxPerMon: "20"}, rules.SeatPolicy{Enabled: true, MaxPerRequest: 5, MaxPerMonth: 20}, nil},
		{"on, month only", rules.SeatPolicyInput{Enabled: true, MaxPerMon: "20"}, rules.SeatPolicy{Enabled: true, MaxPerMonth: 20}, nil},
		{"on, no limit", rules.SeatPolicyInput{Enabled: true}, rules.SeatPolicy{Enabled: true}, []string{"max_per_request"}},
		{"zero", rules.SeatPolicyInput{Enabled: true, MaxPerRequest: "0"}, rules.SeatPolicy{Enabled: true}, []string{"max_per_request"}},
		{"not a number", rules.SeatPolicyInput{Enabled: true, MaxPerRequest: "5", MaxPerMon: "lots"}, rules.SeatPolicy{Enabled: true, MaxPerRequest: 5}, []string{"max_per_month"}},
		{"too many", rules.SeatPolicyInput{Enabled: true, MaxPerRequest: "10001"}, rules.SeatPolicy{Enabled: true}, []string{"max_per_request"}},
		{"negative", rules.SeatPolicyInput{MaxPerMon: "-1"}, rules.SeatPolicy{}, []string{"max_per_month"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := rules.CheckSeatPolicy(tt.in)
			var fields []string
			for f := range errs {
				fields = append(fields, f)
			}
			if diff := cmp.Diff(tt.fields, fields); diff != "" {
				t.Fatalf("problems %v (-want +got):\n%s", errs, diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("policy (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeatPolicySummary(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    rules.SeatPolicy
		want string
	}{
		{rules.SeatPolicy{MaxPerRequest: 5}, "off"},
		{rules.SeatPolicy{Enabled: true, MaxPerRequest: 5}, "on: seat increases up to 5 per request"},
		{rules.SeatPolicy{Enabled: true, MaxPerRequest: 5, MaxPerMonth: 20}, "on: seat increases up to 5 per request, up to 20 a month"},
	} {
		if got := rules.SeatPolicySummary(tt.p); got != tt.want {
			t.Errorf("SeatPolicySummary(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestCustomerEscalationStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ cmd, pc, want string }{
		{"pending", "", "Your reseller is filing it with Microsoft."},
		{"failed", "", "Your reseller is filing it with Microsoft."},
		{"succeeded", "", "Filed with Microsoft."},
		{"succeeded", "none", "Filed with Microsoft."},
		{"succeeded", "open", "Microsoft is working on it."},
		{"succeeded", "attention_needed", "Microsoft asked your reseller for more information."},
		{"succeeded", "closed", "Microsoft closed it."},
	} {
		if got := rules.CustomerEscalationStatus(tt.cmd, tt.pc); got != tt.want {
			t.Errorf("CustomerEscalationStatus(%q, %q) = %q, want %q", tt.cmd, tt.pc, got, tt.want)
		}
	}
}
