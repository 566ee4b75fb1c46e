package rules_test

import (
	"testing"
	"time"

	"github.com/cspportal/portal/rules"
)

func TestEntitled(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(24*time.Hour)
	active := rules.Holding{Status: "active", AutoRenew: true, CommitmentEndDate: &future, OrderStatus: "completed"}
	with := func(f func(*rules.Holding)) rules.Holding {
		s := active
		f(&s)
		return s
	}
	tests := []struct {
		name   string
		sub    rules.Holding
		parent *rules.Holding
		ok     bool
		reason string
	}{
		{"active", active, nil, true, ""},
		{"active upper case", with(func(s *rules.Holding) { s.Status = "Active" }), nil, true, ""},
		{"active without term end", with(func(s *rules.Holding) { s.CommitmentEndDate = nil }), nil, true, ""},
		{"suspended by customer", with(func(s *rules.Holding) {
			s.Status, s.SuspensionReasons = "suspended", []string{"CustomerCancellation"}
		}), nil, false, rules.ReasonSuspended},
		{"suspended for payment", with(func(s *rules.Holding) {
			s.Status, s.SuspensionReasons = "suspended", []string{"Fraud", "PaymentIssue"}
		}), nil, false, rules.ReasonUnpaid},
		{"expired status", with(func(s *rules.Holding) { s.Status = "expired" }), nil, false, rules.ReasonExpired},
		{"term ended without auto-renew", with(func(s *rules.Holding) { s.AutoRenew, s.CommitmentEndDate = false, &past }), nil, false, rules.ReasonExpired},
		{"term ends exactly now", with(func(s *rules.Holding) { s.AutoRenew, s.CommitmentEndDate = false, &now }), nil, false, rules.ReasonExpired},
		{"term ended but auto-renews", with(func(s *rules.Holding) { s.CommitmentEndDate = &past }), nil, true, ""},
		{"pending subscription", with(func(s *rules.Holding) { s.Status = "pending" }), nil, false, rules.ReasonPending},
		{"pending order", with(func(s *rules.Holding) { s.OrderStatus = "pending" }), nil, false, rules.ReasonPending},
		{"replaced", with(func(s *rules.Holding) { s.ReplacedBy = "new-sub" }), nil, false, rules.ReasonReplaced},
		{"replaced wins over suspended", with(func(s *rules.Holding) { s.ReplacedBy, s.Status = "new-sub", "suspended" }), nil, false, rules.ReasonReplaced},
		{"cancelled", with(func(s *rules.Holding) { s.Status = "deleted" }), nil, false, rules.ReasonCancelled},
		{"disabled", with(func(s *rules.Holding) { s.Status = "disabled" }), nil, false, rules.ReasonDisabled},
		{"trial", with(func(s *rules.Holding) { s.IsTrial = true }), nil, false, rules.ReasonTrial},
		{"no status", with(func(s *rules.Holding) { s.Status = "" }), nil, false, rules.ReasonUnknown},
		{"odd status", with(func(s *rules.Holding) { s.Status = "frozen" }), nil, false, rules.ReasonUnknown},
		{"add-on of active base", active, &active, true, ""},
		{"add-on of suspended base", active, ptr(with(func(s *rules.Holding) { s.Status = "suspended" })), false, "base subscription suspended"},
		{"add-on of expired base", active, ptr(with(func(s *rules.Holding) { s.Status = "expired" })), false, "base subscription expired"},
		{"suspended add-on of active base", with(func(s *rules.Holding) { s.Status = "suspended" }), &active, false, rules.ReasonSuspended},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, reason := rules.Entitled(tt.sub, tt.parent, now)
			if ok != tt.ok || reason != tt.reason {
				t.Errorf("Evaluate = (%t, %q), want (%t, %q)", ok, reason, tt.ok, tt.reason)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
