package sandbox

import (
	"cmp"
	"time"
)

// The subscription calendar after purchase (learn.microsoft.com
// "Subscription lifecycle states", "Schedule changes for a new commerce
// subscription"): seat tranches with their own return windows, renewals
// processed in a queue from 00:00 UTC the day after the term ends, and the
// post-term path. New commerce: active with auto-renew off → expired (30
// days) → disabled (90 days, data kept) → deleted; suspended at the term's
// end → disabled (30 days, then 90 days) → deleted. Legacy: suspended →
// deleted after 90 days or at the term's end, whichever comes first.

const (
	dayLen = 24 * time.Hour
	// expiredFor is the new-commerce expired state after a term ends
	// without renewal; disabledFor the disabled state that follows a
	// suspended term end; dataKeptFor the 90-day disabled state after either.
	expiredFor  = 30 * dayLen
	disabledFor = 30 * dayLen
	dataKeptFor = 90 * dayLen
	// legacySuspendedFor is how long a suspended legacy subscription lasts.
	legacySuspendedFor = 90 * dayLen
	// renewalQueue spreads renewal processing after 00:00 UTC (PC: "may
	// take up to 24 hours"; the sandbox uses the first four, per subscription).
	renewalQueue = 4 * time.Hour
)

// lifecycle is the bookkeeping of a subscription's calendar that Partner
// Center does not show as fields.
type lifecycle struct {
	// SuspendedAt is when the partner last suspended it (zero when active).
	SuspendedAt time.Time `json:"suspendedAt,omitzero"`
	// EndedAt is the term end it did not renew past (expired or disabled).
	EndedAt time.Time `json:"endedAt,omitzero"`
	// DisableAt is when it becomes (or became) disabled.
	DisableAt time.Time `json:"disableAt,omitzero"`
	// DeleteAt is when it is (or was) deleted with its data.
	DeleteAt time.Time `json:"deleteAt,omitzero"`
	// Terms are the recent terms with their unit price (newest last).
	Terms []termRecord `json:"terms,omitempty"`
	// Transitions are the upgrades requested for it (transitions.go).
	Transitions []*transitionRec `json:"transitions,omitempty"`
}

// maxTerms bounds the term history kept per subscription.
const maxTerms = 6

// termEnd is when sub's term ends: new-commerce end dates are inclusive,
// so 00:00 UTC the day after commitmentEndDate.
func termEnd(sub *subscription) time.Time { return day(sub.W.CommitmentEndDate).Add(dayLen) }

// renewalLag is where in the renewal queue sub is processed, fixed per id.
func renewalLag(id string) time.Duration {
	// FNV-1a over the lower-cased id, inline: recomputeDue runs it for
	// every subscription.
	h := uint32(2166136261)
	for i := range len(id) {
		c := id[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint32(c)) * 16777619
	}
	return time.Duration(h%uint32(renewalQueue/time.Second)) * time.Second
}

type eventKind int

const (
	evNone       eventKind = iota
	evTransition           // a requested transition completes
	evTranche              // a seat tranche's return window closes
	evTermEnd              // an active term ends: renew or expire
	evSuspendEnd           // a suspended new-commerce term ends: disabled
	evLegacyEnd            // a suspended legacy subscription is deleted
	evDisable              // an expired subscription becomes disabled
	evDelete               // a disabled subscription is deleted
)

// nextEvent is the earliest lifecycle event of sub and its kind.
func (s *Sandbox) nextEvent(sub *subscription) (time.Time, eventKind) {
	var at time.Time
	kind := evNone
	consider := func(t time.Time, k eventKind) {
		if !t.IsZero() && (kind == evNone || t.Before(at)) {
			at, kind = t, k
		}
	}
	for _, tr := range sub.Life.Transitions {
		if !tr.Done {
			consider(tr.DueAt, evTransition)
		}
	}
	for _, l := range sub.Lots {
		consider(l.Until.Add(time.Nanosecond), evTranche)
	}
	if sub.W.BillingType == "usage" {
		return at, kind
	}
	switch sub.W.Status {
	case "active":
		consider(termEnd(sub).Add(renewalLag(sub.W.ID)), evTermEnd)
	case "suspended":
		switch {
		case sub.NCE:
			consider(termEnd(sub), evSuspendEnd)
		case sub.Life.SuspendedAt.IsZero():
			consider(termEnd(sub), evLegacyEnd)
		default:
			consider(earliest(sub.Life.SuspendedAt.Add(legacySuspendedFor), termEnd(sub)), evLegacyEnd)
		}
	case "expired":
		consider(sub.Life.DisableAt, evDisable)
	case "disabled":
		consider(sub.Life.DeleteAt, evDelete)
	}
	return at, kind
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// advanceSub runs sub's lifecycle events up to now, oldest first.
func (s *Sandbox) advanceSub(cust *customer, sub *subscription, now time.Time) {
	for range 10_000 { // a 1-day term renewed daily for decades stays bounded
		at, k := s.nextEvent(sub)
		if k == evNone || at.After(now) {
			return
		}
		s.applyEvent(cust, sub, at, k)
	}
}

func (s *Sandbox) applyEvent(cust *customer, sub *subscription, at time.Time, k eventKind) {
	c := &call{now: at, system: true}
	switch k {
	case evTransition:
		s.completeTransitions(cust, sub, at)
	case evTranche:
		sub.refreshRefundable(at)
	case evTermEnd:
		old := sub.W
		if !sub.W.AutoRenewEnabled || sub.W.IsTrial {
			s.expire(c, cust, sub, termEnd(sub))
		} else {
			s.renewTerm(cust, sub, termEnd(sub), at)
		}
		s.audit(c, cust, "subscription", "update_subscription", old, sub.W)
	case evSuspendEnd:
		end := termEnd(sub)
		s.endSuspended(c, cust, sub, end)
	case evLegacyEnd:
		s.endState(c, cust, sub, "deleted", func(x *subscription) { x.Life.SuspendedAt, x.Life.DeleteAt = time.Time{}, at })
		for _, ch := range s.children(cust, sub.W.ID) {
			if ch.W.Status == "suspended" || ch.W.Status == "active" {
				s.endState(c, cust, ch, "deleted", nil)
			}
		}
	case evDisable:
		s.endState(c, cust, sub, "disabled", nil)
	case evDelete:
		s.endState(c, cust, sub, "deleted", nil)
	}
}

// endState moves sub to status at c.now with an audit record.
func (s *Sandbox) endState(c *call, cust *customer, sub *subscription, status string, also func(*subscription)) {
	old := sub.W
	sub.W.Status, sub.W.AutoRenewEnabled, sub.W.SuspensionReasons = status, false, nil
	sub.W.ScheduledNextTermInstructions = nil
	sub.SuspendedWithParent = false
	sub.Lots = nil
	if also != nil {
		also(sub)
	}
	sub.refreshRefundable(c.now)
	sub.bump()
	s.audit(c, cust, "subscription", "update_subscription", old, sub.W)
}

// expire ends sub (and its active or suspended add-ons) at the term end
// end: new commerce then counts 30 days expired, 90 disabled, deleted.
func (s *Sandbox) expire(c *call, cust *customer, sub *subscription, end time.Time) {
	timers := func(x *subscription) {
		if x.NCE {
			x.Life.EndedAt, x.Life.DisableAt, x.Life.DeleteAt = end, end.Add(expiredFor), end.Add(expiredFor+dataKeptFor)
		}
	}
	sub.W.Status, sub.W.AutoRenewEnabled, sub.W.ScheduledNextTermInstructions = "expired", false, nil
	sub.Lots = nil
	timers(sub)
	sub.refreshRefundable(c.now)
	sub.bump()
	for _, ch := range s.children(cust, sub.W.ID) {
		if ch.W.Status == "active" || ch.W.Status == "suspended" {
			s.endState(c, cust, ch, "expired", timers)
		}
	}
}

// endSuspended disables a new-commerce subscription still suspended at
// its term end (billed until then): 30 + 90 days disabled, then deleted.
func (s *Sandbox) endSuspended(c *call, cust *customer, sub *subscription, end time.Time) {
	timers := func(x *subscription) {
		x.Life.EndedAt, x.Life.DisableAt, x.Life.DeleteAt = end, end, end.Add(disabledFor+dataKeptFor)
	}
	s.endState(c, cust, sub, "disabled", timers)
	for _, ch := range s.children(cust, sub.W.ID) {
		if ch.W.Status == "suspended" || ch.W.Status == "active" {
			s.endState(c, cust, ch, "disabled", timers)
		}
	}
}

// renewTerm starts the term after end: scheduled changes apply, a new
// tranche and return window open, the new term's price is recorded.
func (s *Sandbox) renewTerm(cust *customer, sub *subscription, end, at time.Time) {
	customEnd := s.applyNextTerm(cust, sub)
	term := cmp.Or(sub.W.TermDuration, "P1Y")
	sub.TermStart = end
	sub.W.CommitmentEndDate = addDuration(end, term).Add(-dayLen)
	if !customEnd.IsZero() {
		sub.W.CommitmentEndDate = customEnd
	}
	if sub.NCE {
		s.openWindow(sub, end)
	}
	s.recordTerm(cust, sub, end, true)
	sub.refreshRefundable(at)
	sub.bump()
}

// refreshRefundable drops closed tranches and renders refundableQuantity
// (new-commerce licence subscriptions only) as of now.
func (sub *subscription) refreshRefundable(now time.Time) {
	if !sub.NCE || sub.W.BillingType == "usage" {
		if sub.W.RefundableQuantity != nil {
			sub.W.RefundableQuantity = nil
			sub.cache.Store(nil)
		}
		return
	}
	keep := sub.Lots[:0]
	rq := &refundableWire{Details: []refundableDetailWire{}}
	for _, l := range sub.Lots {
		if l.Qty <= 0 || now.After(l.Until) {
			continue
		}
		keep = append(keep, l)
		rq.TotalQuantity += l.Qty
		rq.Details = append(rq.Details, refundableDetailWire{Quantity: l.Qty, AllowedUntilDateTime: l.Until})
	}
	if len(keep) == 0 {
		keep = nil
	}
	sub.Lots = keep
	sub.W.RefundableQuantity = rq
	sub.cache.Store(nil)
}

// suspend suspends sub (and its active add-ons) at c.now. New commerce
// removes scheduled changes (learn.microsoft.com "Subscription lifecycle
// states") and turns auto-renew off, so reactivating restores neither.
func (s *Sandbox) suspend(c *call, cust *customer, sub *subscription, reason string) {
	w := &sub.W
	w.Status, w.SuspensionReasons = "suspended", []string{reason}
	sub.Life.SuspendedAt = c.now
	if sub.NCE {
		w.AutoRenewEnabled, w.ScheduledNextTermInstructions = false, nil
	}
	for _, ch := range s.children(cust, w.ID) {
		if ch.W.Status == "active" {
			old := ch.W
			s.suspendChild(c, ch)
			s.audit(c, cust, "subscription", "update_subscription", old, ch.W)
		}
	}
}

// suspendChild suspends an add-on because its base is suspended.
func (s *Sandbox) suspendChild(c *call, ch *subscription) {
	ch.W.Status, ch.W.SuspensionReasons, ch.SuspendedWithParent = "suspended", []string{"ParentSuspended"}, true
	ch.Life.SuspendedAt = c.now
	if ch.NCE {
		ch.W.AutoRenewEnabled, ch.W.ScheduledNextTermInstructions = false, nil
	}
	ch.bump()
}
