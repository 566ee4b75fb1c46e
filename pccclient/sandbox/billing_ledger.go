package sandbox

import (
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The billing ledger: what Partner Center bills, derived from what the
// sandbox has seen. Every term a subscription starts (purchase, renewal,
// transition) is recorded with its unit price, and every change of its
// seats or status with the sandbox time it happened (two hooks: recordTerm
// and audit). From that, a month's charges follow PC's new-commerce rules
// (learn.microsoft.com "Billed invoice reconciliation", "New commerce
// license-based billing"): the first billing period of a term is charged
// when it starts ("new", or "renew" for a renewal), each later period at
// its start ("cycleCharge"), a seat change mid-period pro-rated by days to
// the period's end ("addQuantity", "removeQuantity" as a credit), a
// cancellation in the window credited ("cancelImmediate"). A suspended
// new-commerce subscription is still billed until its term ends; a
// suspended legacy one is not. Azure plan usage is charged per day.

// billSub is one subscription's billing history.
type billSub struct {
	CustomerID string      `json:"customerId"`
	ItemID     string      `json:"itemId"`
	NCE        bool        `json:"nce"`
	OrderID    string      `json:"orderId"`
	Terms      []billTerm  `json:"terms"`
	States     []billState `json:"states"`
}

// billTerm is one term and the price of one billing period of it.
type billTerm struct {
	Start     time.Time       `json:"start"`
	End       time.Time       `json:"end"` // commitmentEndDate (inclusive)
	Cycle     string          `json:"cycle"`
	Term      string          `json:"term"`
	Currency  string          `json:"currency"`
	UnitPrice decimal.Decimal `json:"unitPrice"`
	Renewal   bool            `json:"renewal,omitempty"`
}

// billState is the seats and status from At on.
type billState struct {
	At     time.Time `json:"at"`
	Qty    int       `json:"qty"`
	Status string    `json:"status"`
}

// billingLedger is the sandbox's billing state (persisted with the state).
type billingLedger struct {
	Subs     map[string]*billSub  `json:"subs"`
	Invoices []*billInvoice       `json:"invoices,omitempty"`
	Ops      map[string]*exportOp `json:"ops,omitempty"`
	Manifest map[string]*manifest `json:"manifests,omitempty"`
	Config   BillingConfig        `json:"config"`
	Served   map[string]int       `json:"served,omitempty"` // blob GETs per blob path (fail-once bookkeeping)
	Seq      int                  `json:"seq,omitempty"`    // invoice number sequence
	calls    map[string]int       // requests per billing operation (not persisted)
}

// billing returns the ledger, creating it (caller holds s.mu for writing,
// or for reading when it exists).
func (s *Sandbox) billing() *billingLedger {
	if s.st.Billing == nil {
		s.st.Billing = &billingLedger{}
	}
	b := s.st.Billing
	if b.Subs == nil {
		b.Subs = map[string]*billSub{}
	}
	if b.Ops == nil {
		b.Ops = map[string]*exportOp{}
	}
	if b.Manifest == nil {
		b.Manifest = map[string]*manifest{}
	}
	if b.Served == nil {
		b.Served = map[string]int{}
	}
	return b
}

// billTermStarted records a term sub starts at start (recordTerm's hook).
func (s *Sandbox) billTermStarted(cust *customer, sub *subscription, start time.Time, renewal bool, price decimal.Decimal, currency string) {
	b := s.billing()
	bs := b.Subs[key(sub.W.ID)]
	if bs == nil {
		bs = &billSub{CustomerID: cust.W.ID, ItemID: sub.ItemID, NCE: sub.NCE, OrderID: sub.W.OrderID}
		b.Subs[key(sub.W.ID)] = bs
	}
	bs.ItemID = sub.ItemID
	bs.Terms = append(bs.Terms, billTerm{Start: start, End: sub.W.CommitmentEndDate, Cycle: strings.ToLower(sub.W.BillingCycle),
		Term: sub.W.TermDuration, Currency: currency, UnitPrice: price, Renewal: renewal})
	bs.note(start, sub.W.Quantity, sub.W.Status, true)
}

// billObserve records a subscription's seats and status after a change
// (the audit hook): only a change of either is kept.
func (s *Sandbox) billObserve(at time.Time, w subscriptionWire) {
	if s.st.Billing == nil {
		return
	}
	if bs := s.st.Billing.Subs[key(w.ID)]; bs != nil {
		bs.note(at, w.Quantity, w.Status, false)
	}
}

func (bs *billSub) note(at time.Time, qty int, status string, force bool) {
	status = strings.ToLower(status)
	if n := len(bs.States); n > 0 && !force {
		last := bs.States[n-1]
		if last.Qty == qty && last.Status == status {
			return
		}
		if at.Before(last.At) {
			at = last.At
		}
	}
	bs.States = append(bs.States, billState{At: at, Qty: qty, Status: status})
}

// stateAt is the state in force at t (the latest one at or before t).
func (bs *billSub) stateAt(t time.Time) (billState, bool) {
	i := sort.Search(len(bs.States), func(i int) bool { return bs.States[i].At.After(t) })
	if i == 0 {
		return billState{}, false
	}
	return bs.States[i-1], true
}

// billable reports whether a subscription in status is charged for a new
// billing period: new-commerce subscriptions are billed while suspended.
func (bs *billSub) billable(status string) bool {
	switch status {
	case "active", "pending":
		return true
	case "suspended":
		return bs.NCE
	}
	return false
}

// billMonths is the length of one billing period of a term.
func billMonths(t billTerm) int {
	if n := periodMonths(t.Cycle); n > 0 {
		return n
	}
	// none (trials), one_time: one period, the whole term.
	n, unit, ok := parseISODuration(t.Term)
	switch {
	case !ok:
		return 12
	case unit == 'Y':
		return 12 * n
	case unit == 'M':
		return n
	}
	return 1
}

// charge is one line of the ledger for a month, before rendering.
type charge struct {
	sub         *billSub
	subID       string
	term        billTerm
	chargeType  string
	qty         int
	start, end  time.Time // end exclusive
	amount      decimal.Decimal
	unitPrice   decimal.Decimal
	effective   decimal.Decimal
	termEnd     time.Time
	periodStart time.Time
}

// licenseCharges returns sub's charges incurred in [from, to).
func (bs *billSub) licenseCharges(subID string, from, to time.Time) []charge {
	var out []charge
	for ti, t := range bs.Terms {
		termEnd := day(t.End).Add(dayLen)
		if ti+1 < len(bs.Terms) && bs.Terms[ti+1].Start.Before(termEnd) {
			termEnd = bs.Terms[ti+1].Start // a transition replaced the term
		}
		months := billMonths(t)
		for k := 0; ; k++ {
			ps := t.Start.AddDate(0, k*months, 0)
			if !ps.Before(termEnd) || !ps.Before(to) {
				break
			}
			pe := earliest(t.Start.AddDate(0, (k+1)*months, 0), termEnd)
			// The period's own charge.
			if !ps.Before(from) {
				st, ok := bs.stateAt(ps)
				if ok && bs.billable(st.Status) && st.Qty > 0 {
					typ := "cycleCharge"
					if k == 0 {
						typ = "new"
						if t.Renewal {
							typ = "renew"
						}
					}
					amt := t.UnitPrice.Mul(decimal.NewFromInt(int64(st.Qty))).Round(2)
					out = append(out, charge{sub: bs, subID: subID, term: t, chargeType: typ, qty: st.Qty, start: ps, end: pe,
						amount: amt, unitPrice: t.UnitPrice, effective: t.UnitPrice, termEnd: termEnd, periodStart: ps})
				}
			}
			// Changes inside the period.
			for i, st := range bs.States {
				if i == 0 || !st.At.After(ps) || !st.At.Before(pe) || st.At.Before(from) || !st.At.Before(to) {
					continue
				}
				prev := bs.States[i-1]
				ratio := prorate(st.At, ps, pe)
				switch {
				case st.Status == "deleted" && bs.billable(prev.Status) && prev.Qty > 0:
					amt := t.UnitPrice.Mul(decimal.NewFromInt(int64(prev.Qty))).Mul(ratio).Round(2).Neg()
					out = append(out, charge{sub: bs, subID: subID, term: t, chargeType: "cancelImmediate", qty: -prev.Qty,
						start: day(st.At), end: pe, amount: amt, unitPrice: t.UnitPrice, effective: t.UnitPrice.Mul(ratio).Round(2),
						termEnd: termEnd, periodStart: ps})
				case st.Qty != prev.Qty && bs.billable(st.Status) && bs.billable(prev.Status):
					d := st.Qty - prev.Qty
					typ := "addQuantity"
					if d < 0 {
						typ = "removeQuantity"
					}
					amt := t.UnitPrice.Mul(decimal.NewFromInt(int64(d))).Mul(ratio).Round(2)
					out = append(out, charge{sub: bs, subID: subID, term: t, chargeType: typ, qty: d, start: day(st.At), end: pe,
						amount: amt, unitPrice: t.UnitPrice, effective: t.UnitPrice.Mul(ratio).Round(2), termEnd: termEnd, periodStart: ps})
				}
			}
		}
	}
	return out
}

// prorate is the share of the billing period [ps, pe) left from the day of
// at: whole days, as PC pro-rates.
func prorate(at, ps, pe time.Time) decimal.Decimal {
	total := int64(day(pe).Sub(day(ps)) / dayLen)
	left := int64(day(pe).Sub(day(at)) / dayLen)
	if total <= 0 || left <= 0 {
		return decimal.Zero
	}
	return decimal.NewFromInt(left).Div(decimal.NewFromInt(total)).Round(6)
}
