package sandbox

import (
	"math"
	"sort"
	"strings"
	"time"
)

// Asynchronous work (order completion and the lifecycle events of
// lifecycle.go: tranches closing, renewals, expiry, disabling, deletion,
// transitions) runs lazily: every request and every Advance first runs
// whatever became due on the sandbox clock. nextDue caches the earliest due
// time so most requests skip it.

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
		if at, k := s.nextEvent(sub); k != evNone && at.UnixNano() < next {
			next = at.UnixNano()
		}
	}
	s.nextDue.Store(next)
}

// tickLocked runs due work (caller holds s.mu for writing): orders
// complete, then every subscription's lifecycle events up to now.
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
		for i := 0; i < len(cust.SubIDs); i++ { // transitions may add subscriptions
			s.advanceSub(cust, s.st.Subs[cust.SubIDs[i]], now)
		}
	}
	// Lifecycle events are stamped with their own time; keep the log in time order.
	tail := s.st.Audit[from:]
	sort.SliceStable(tail, func(i, j int) bool { return tail[i].OperationDate.Before(tail[j].OperationDate) })
	s.recomputeDueLocked()
}

// completeOrder activates the order's pending subscriptions. An add-on
// whose base was suspended, ended or cancelled while it provisioned takes
// the base's state instead: PC never has an active add-on under a base
// that is not active.
func (s *Sandbox) completeOrder(o *order) {
	o.W.Status = "completed"
	cust := s.st.Customers[key(o.CustomerID)]
	for _, li := range o.W.LineItems {
		sub := s.st.Subs[key(li.SubscriptionID)]
		if sub == nil || sub.W.Status != "pending" {
			continue
		}
		sub.W.Status = "active"
		if parent := s.st.Subs[key(sub.W.ParentSubscriptionID)]; parent != nil && parent.W.Status != "active" && parent.W.Status != "pending" && cust != nil {
			c := &call{now: o.DueAt, system: true}
			old := sub.W
			switch parent.W.Status {
			case "suspended":
				s.suspendChild(c, sub)
			default:
				sub.W.Status, sub.W.AutoRenewEnabled = parent.W.Status, false
				sub.Lots, sub.Life.EndedAt = nil, parent.Life.EndedAt
				sub.Life.DisableAt, sub.Life.DeleteAt = parent.Life.DisableAt, parent.Life.DeleteAt
			}
			sub.refreshRefundable(o.DueAt)
			sub.bump()
			s.audit(c, cust, "subscription", "update_subscription", old, sub.W)
			continue
		}
		sub.bump()
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
