package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestBillingSource(t *testing.T) {
	d := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		graph   bool
		dataset string
		period  time.Time
		want    string
	}{
		{true, DatasetReconciliation, d(2026, 4), SourceGraph},
		{true, DatasetReconciliation, d(2024, 2), SourceGraph},
		{true, DatasetReconciliation, d(2024, 1), SourceV1},
		{true, DatasetUsage, d(2023, 1), SourceGraph},
		{true, DatasetUsage, d(2022, 8), SourceV1},
		{false, DatasetReconciliation, d(2026, 4), SourceV1},
		{false, DatasetUsage, d(2026, 4), SourceV1},
	} {
		if got := BillingSource(tc.graph, tc.dataset, tc.period); got != tc.want {
			t.Errorf("BillingSource(%v, %s, %s) = %s, want %s", tc.graph, tc.dataset, tc.period.Format("2006-01"), got, tc.want)
		}
	}
}

func TestChargeLabel(t *testing.T) {
	for in, want := range map[string]string{"new": "New", "cycleCharge": "Cycle", "addQuantity": "Pro-rated add",
		"removeQuantity": "Pro-rated remove", "renew": "Renewal", "cancelImmediate": "Cancellation", "usage": "Usage", "": "Other",
		"somethingNew": "somethingNew"} {
		if got := ChargeLabel(in); got != want {
			t.Errorf("ChargeLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStateAt(t *testing.T) {
	at := func(day int) time.Time { return time.Date(2026, 5, day, 10, 0, 0, 0, time.UTC) }
	changes := []SubscriptionChange{
		{At: at(5), OldQty: 10, NewQty: 15, OldStatus: "active", NewStatus: "active"},
		{At: at(20), OldQty: 15, NewQty: 15, OldStatus: "active", NewStatus: "suspended"},
	}
	cur := SubscriptionState{Qty: 15, Status: "suspended"}
	for _, tc := range []struct {
		t    time.Time
		want SubscriptionState
	}{
		{at(1), SubscriptionState{10, "active"}},
		{at(5), SubscriptionState{15, "active"}}, // the change at t is in force at t
		{at(10), SubscriptionState{15, "active"}},
		{at(25), cur},
	} {
		if got := StateAt(changes, cur, tc.t); got != tc.want {
			t.Errorf("StateAt(%s) = %+v, want %+v", tc.t, got, tc.want)
		}
	}
	if got := StateAt(nil, cur, at(1)); got != cur {
		t.Errorf("no history: %+v", got)
	}
}

func TestCheckSeatsAndStatus(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 5, d, 0, 0, 0, 0, time.UTC) }
	at := func(d int) time.Time { return day(d).Add(9 * time.Hour) }
	from, to := day(1), day(1).AddDate(0, 1, 0)
	q := decimal.NewFromInt
	added := []SubscriptionChange{{At: at(16), OldQty: 10, NewQty: 15, OldStatus: "active", NewStatus: "active"}}
	suspended := []SubscriptionChange{{At: at(20), OldQty: 10, NewQty: 10, OldStatus: "active", NewStatus: "suspended"}}
	before := []SubscriptionChange{{At: day(1).Add(-48 * time.Hour), OldQty: 10, NewQty: 10, OldStatus: "active", NewStatus: "suspended"}}
	for _, tc := range []struct {
		name    string
		c       Charge
		changes []SubscriptionChange
		cur     SubscriptionState
		seats   string // substring of the reason, "" = no finding
		status  string
	}{
		{"new charge matches the seats before a later add", Charge{ChargeType: "new", Start: day(13), Quantity: q(10), Cost: q(100)},
			added, SubscriptionState{15, "active"}, "", ""},
		{"cycle charge billed for more seats than held", Charge{ChargeType: "cycleCharge", Start: day(13), Quantity: q(12), Cost: q(120)},
			nil, SubscriptionState{10, "active"}, "Billed 12 seats (Cycle from 2026-05-13); the subscription had 10 then.", ""},
		{"pro-rated add is a delta, not a seat count", Charge{ChargeType: "addQuantity", Start: day(16), Quantity: q(5), Cost: q(45)},
			added, SubscriptionState{15, "active"}, "", ""},
		{"charged, then suspended in the period", Charge{ChargeType: "cycleCharge", Start: day(13), Quantity: q(10), Cost: q(100), Currency: "USD"},
			suspended, SubscriptionState{10, "suspended"}, "", "the subscription was suspended on 2026-05-20, in this billing period"},
		{"charged while suspended", Charge{ChargeType: "cycleCharge", Start: day(13), Quantity: q(10), Cost: q(100), Currency: "USD"},
			before, SubscriptionState{10, "suspended"}, "", "while the subscription was suspended"},
		{"a credit for a cancelled subscription is fine", Charge{ChargeType: "cancelImmediate", Start: day(3), Quantity: q(-10), Cost: q(-90)},
			[]SubscriptionChange{{At: at(3), OldQty: 10, NewQty: 10, OldStatus: "active", NewStatus: "deleted"}},
			SubscriptionState{10, "deleted"}, "", ""},
		{"active all month", Charge{ChargeType: "renew", Start: day(2), Quantity: q(3), Cost: q(30)},
			nil, SubscriptionState{3, "active"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := CheckSeats(tc.c, tc.changes, tc.cur)
			if ok != (tc.seats != "") || ok && !strings.Contains(m.Reason, tc.seats) {
				t.Errorf("seats: %v %q, want %q", ok, m.Reason, tc.seats)
			}
			m, ok = CheckStatus(tc.c, tc.changes, tc.cur, from, to)
			if ok != (tc.status != "") || ok && !strings.Contains(m.Reason, tc.status) {
				t.Errorf("status: %v %q, want %q", ok, m.Reason, tc.status)
			}
		})
	}
}
