package sandbox

import (
	"encoding/json"
	"math"
	"sort"
	"strings"
	"time"
)

// Asynchronous work (order completion, renewals, expiry) runs lazily: every
// request and every Advance first runs whatever became due on the sandbox
// clock. nextDue caches the earliest due time so most requests skip it.

func (s *Sandbox) lowerDue(t time.Time) {
	n := t.UnixNano()
	for {
		cur := s.nextDue.Load()
		if n >= cur || s.nextDue.CompareAndSwap(cur, n) {
			return
		}
	}
}

// recomputeDue scans the state for the earliest due work.
func (s *Sandbox) recomputeDue() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.recomputeDueLocked()
}

func (s *Sandbox) recomputeDueLocked() {
	next := int64(math.MaxInt64)
	for _, k := range s.st.Pending {
		if o := s.st.Orders[k]; o != nil && o.DueAt.UnixNano() < next {
			next = o.DueAt.UnixNano()
		}
	}
	for _, sub := range s.st.Subs {
		if sub.W.Status == "active" && sub.W.BillingType != "usage" {
			if end := sub.W.CommitmentEndDate.Add(24 * time.Hour).UnixNano(); end < next {
				next = end
			}
		}
	}
	s.nextDue.Store(next)
}

// tickLocked runs due work (caller holds s.mu for writing).
func (s *Sandbox) tickLocked(now time.Time) {
	if now.UnixNano() < s.nextDue.Load() {
		return
	}
	keep := s.st.Pending[:0]
	for _, k := range s.st.Pending {
		o := s.st.Orders[k]
		if o == nil {
			continue
		}
		if now.Before(o.DueAt) {
			keep = append(keep, k)
			continue
		}
		s.completeOrder(o)
	}
	s.st.Pending = keep
	from := len(s.st.Audit)
	for _, cid := range s.st.CustomerIDs {
		cust := s.st.Customers[cid]
		for _, sid := range cust.SubIDs {
			s.renew(cust, s.st.Subs[sid], now)
		}
	}
	// Renewals are stamped with their term end; keep the log in time order.
	tail := s.st.Audit[from:]
	sort.SliceStable(tail, func(i, j int) bool { return tail[i].OperationDate.Before(tail[j].OperationDate) })
	s.recomputeDueLocked()
}

func (s *Sandbox) completeOrder(o *order) {
	o.W.Status = "completed"
	for _, li := range o.W.LineItems {
		if sub := s.st.Subs[key(li.SubscriptionID)]; sub != nil && sub.W.Status == "pending" {
			sub.W.Status = "active"
			sub.bump()
		}
	}
}

type nextTerm struct {
	Product *struct {
		TermDuration string `json:"termDuration"`
		BillingCycle string `json:"billingCycle"`
	} `json:"product"`
	Quantity int `json:"quantity"`
}

// renew renews or expires sub for every term that ended before now.
func (s *Sandbox) renew(cust *customer, sub *subscription, now time.Time) {
	for sub.W.Status == "active" && sub.W.BillingType != "usage" {
		termEnd := sub.W.CommitmentEndDate.Add(24 * time.Hour)
		if now.Before(termEnd) {
			return
		}
		old := sub.W
		at := &call{now: termEnd, system: true}
		if !sub.W.AutoRenewEnabled || sub.W.IsTrial {
			s.expire(cust, sub)
			s.audit(at, cust, "subscription", "update_subscription", old, sub.W)
			return
		}
		if len(sub.W.ScheduledNextTermInstructions) > 0 && string(sub.W.ScheduledNextTermInstructions) != "null" {
			var nt nextTerm
			if json.Unmarshal(sub.W.ScheduledNextTermInstructions, &nt) == nil {
				if nt.Quantity > 0 {
					sub.W.Quantity = nt.Quantity
				}
				if nt.Product != nil && nt.Product.TermDuration != "" {
					sub.W.TermDuration = nt.Product.TermDuration
				}
				if nt.Product != nil && nt.Product.BillingCycle != "" {
					sub.W.BillingCycle = strings.ToLower(nt.Product.BillingCycle)
				}
			}
			sub.W.ScheduledNextTermInstructions = nil
		}
		term := cmpOr(sub.W.TermDuration, "P1Y")
		sub.TermStart = termEnd
		sub.W.CommitmentEndDate = addDuration(termEnd, term).Add(-24 * time.Hour)
		if sub.NCE {
			s.openWindow(sub, termEnd)
		}
		sub.bump()
		s.audit(at, cust, "subscription", "update_subscription", old, sub.W)
	}
}

// expire ends sub and its add-ons.
func (s *Sandbox) expire(cust *customer, sub *subscription) {
	sub.W.Status = "expired"
	sub.W.AutoRenewEnabled = false
	sub.bump()
	for _, child := range s.children(cust, sub.W.ID) {
		if child.W.Status == "active" || child.W.Status == "suspended" {
			child.W.Status = "expired"
			child.W.AutoRenewEnabled = false
			child.bump()
		}
	}
}

// children are the add-on subscriptions of parent.
func (s *Sandbox) children(cust *customer, parent string) []*subscription {
	var out []*subscription
	for _, sid := range cust.SubIDs {
		if sub := s.st.Subs[sid]; strings.EqualFold(sub.W.ParentSubscriptionID, parent) {
			out = append(out, sub)
		}
	}
	return out
}
