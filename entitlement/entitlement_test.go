package entitlement_test

import (
	"testing"
	"time"

	"github.com/cspportal/portal/entitlement"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(24*time.Hour)
	active := entitlement.Subscription{Status: "active", AutoRenew: true, CommitmentEndDate: &future, OrderStatus: "completed"}
	with := func(f func(*entitlement.Subscription)) entitlement.Subscription {
		s := active
		f(&s)
		return s
	}
	tests := []struct {
		name   string
		sub    entitlement.Subscription
		parent *entitlement.Subscription
		ok     bool
		reason string
	}{
		{"active", active, nil, true, ""},
		{"active upper case", with(func(s *entitlement.Subscription) { s.Status = "Active" }), nil, true, ""},
		{"active without term end", with(func(s *entitlement.Subscription) { s.CommitmentEndDate = nil }), nil, true, ""},
		{"suspended by customer", with(func(s *entitlement.Subscription) {
			s.Status, s.SuspensionReasons = "suspended", []string{"CustomerCancellation"}
		}), nil, false, entitlement.ReasonSuspended},
		{"suspended for payment", with(func(s *entitlement.Subscription) {
			s.Status, s.SuspensionReasons = "suspended", []string{"Fraud", "PaymentIssue"}
		}), nil, false, entitlement.ReasonUnpaid},
		{"expired status", with(func(s *entitlement.Subscription) { s.Status = "expired" }), nil, false, entitlement.ReasonExpired},
		{"term ended without auto-renew", with(func(s *entitlement.Subscription) { s.AutoRenew, s.CommitmentEndDate = false, &past }), nil, false, entitlement.ReasonExpired},
		{"term ends exactly now", with(func(s *entitlement.Subscription) { s.AutoRenew, s.CommitmentEndDate = false, &now }), nil, false, entitlement.ReasonExpired},
		{"term ended but auto-renews", with(func(s *entitlement.Subscription) { s.CommitmentEndDate = &past }), nil, true, ""},
		{"pending subscription", with(func(s *entitlement.Subscription) { s.Status = "pending" }), nil, false, entitlement.ReasonPending},
		{"pending order", with(func(s *entitlement.Subscription) { s.OrderStatus = "pending" }), nil, false, entitlement.ReasonPending},
		{"replaced", with(func(s *entitlement.Subscription) { s.ReplacedBy = "new-sub" }), nil, false, entitlement.ReasonReplaced},
		{"replaced wins over suspended", with(func(s *entitlement.Subscription) { s.ReplacedBy, s.Status = "new-sub", "suspended" }), nil, false, entitlement.ReasonReplaced},
		{"cancelled", with(func(s *entitlement.Subscription) { s.Status = "deleted" }), nil, false, entitlement.ReasonCancelled},
		{"disabled", with(func(s *entitlement.Subscription) { s.Status = "disabled" }), nil, false, entitlement.ReasonDisabled},
		{"trial", with(func(s *entitlement.Subscription) { s.IsTrial = true }), nil, false, entitlement.ReasonTrial},
		{"no status", with(func(s *entitlement.Subscription) { s.Status = "" }), nil, false, entitlement.ReasonUnknown},
		{"odd status", with(func(s *entitlement.Subscription) { s.Status = "frozen" }), nil, false, entitlement.ReasonUnknown},
		{"add-on of active base", active, &active, true, ""},
		{"add-on of suspended base", active, ptr(with(func(s *entitlement.Subscription) { s.Status = "suspended" })), false, "base subscription suspended"},
		{"add-on of expired base", active, ptr(with(func(s *entitlement.Subscription) { s.Status = "expired" })), false, "base subscription expired"},
		{"suspended add-on of active base", with(func(s *entitlement.Subscription) { s.Status = "suspended" }), &active, false, entitlement.ReasonSuspended},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, reason := entitlement.Evaluate(tt.sub, tt.parent, now)
			if ok != tt.ok || reason != tt.reason {
				t.Errorf("Evaluate = (%t, %q), want (%t, %q)", ok, reason, tt.ok, tt.reason)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
