package rules

// The subscription calendar after the term (learn.microsoft.com
// "Subscription lifecycle states", "Schedule changes for a new commerce
// subscription"). Partner Center has no field for the expired, disabled or
// deletion dates: they follow from the status, commitmentEndDate (the
// term's last day, inclusive) and the documented durations.
//
//   - Renewal: processed from 00:00 UTC the day after the term's last day,
//     in a queue that may take up to 24 hours.
//   - New commerce, auto-renew off: expired for 30 days (users keep
//     access, not billed), disabled for 90 (data kept, no access), deleted.
//   - New commerce, suspended at the term end (billed until then): disabled
//     for 30 + 90 days, deleted (120 days after the term end either way).
//   - Legacy, suspended: deleted 90 days after the suspension, or at the
//     term end when that comes first.

import (
	"fmt"
	"strings"
	"time"
)

// Lifecycle durations (days are 24 hours: PC counts in UTC days).
const (
	day = 24 * time.Hour
	// ExpiredFor is the new-commerce expired state after a term ends
	// without renewal.
	ExpiredFor = 30 * day
	// DisabledFor is the first disabled period after a term that ended
	// suspended.
	DisabledFor = 30 * day
	// DataKeptFor is the disabled period with data kept, before deletion.
	DataKeptFor = 90 * day
	// LegacySuspendedFor is how long a suspended legacy subscription lasts.
	LegacySuspendedFor = 90 * day
	// RenewalQueue is how long PC may take to process a renewal.
	RenewalQueue = 24 * time.Hour
)

// Post-term paths: how a subscription left (or will leave) its term.
const (
	PathSuspended = "suspended" // suspended at the term end: disabled
	PathExpired   = "expired"   // auto-renew off: expired, then disabled
)

// LifecycleFacts are what the dates follow from.
type LifecycleFacts struct {
	Status    string // PC's status, lower case
	NCE       bool
	AutoRenew bool
	Trial     bool
	Usage     bool // billed by usage: no term
	// CommitmentEnd is PC's commitmentEndDate (the term's last day).
	CommitmentEnd *time.Time
	// SuspendedAt is when it was suspended, if the mirror saw it happen.
	SuspendedAt *time.Time
	// Path is how it left its term, as the mirror saw it ("" unknown).
	Path string
}

// Lifecycle is a subscription's calendar: zero times are "not on this path".
type Lifecycle struct {
	// TermEnd is 00:00 UTC the day after commitmentEndDate: the term's
	// exclusive end, when a renewal starts or the post-term path begins.
	TermEnd time.Time
	// RenewsAt is when PC starts processing the renewal (active, auto-renew
	// on; done within RenewalQueue).
	RenewsAt time.Time
	// BilledUntil is how far a suspended subscription is still billed.
	BilledUntil time.Time
	// ExpiresAt, DisabledAt, DeletesAt are when it expires, is disabled
	// and deleted (past or future). DeletesApprox marks a legacy deletion
	// date that assumes the term end because the suspension date is
	// unknown.
	ExpiresAt, DisabledAt, DeletesAt time.Time
	DeletesApprox                    bool
	Path                             string
}

// TermEnd is the exclusive end of a term whose last day is commitmentEnd.
func TermEnd(commitmentEnd time.Time) time.Time {
	return commitmentEnd.UTC().Truncate(day).Add(day)
}

// DeriveLifecycle computes the calendar of f's subscription.
func DeriveLifecycle(f LifecycleFacts) Lifecycle {
	var l Lifecycle
	if f.CommitmentEnd == nil || f.CommitmentEnd.IsZero() || f.CommitmentEnd.Year() >= 9999 || f.Usage {
		return l
	}
	end := TermEnd(*f.CommitmentEnd)
	l.TermEnd = end
	switch f.Status {
	case "active":
		switch {
		case f.AutoRenew && !f.Trial:
			l.RenewsAt = end
		case f.NCE:
			l.Path, l.ExpiresAt, l.DisabledAt, l.DeletesAt = PathExpired, end, end.Add(ExpiredFor), end.Add(ExpiredFor+DataKeptFor)
		default:
			l.ExpiresAt = end
		}
	case "suspended":
		if f.NCE {
			l.Path, l.BilledUntil, l.DisabledAt, l.DeletesAt = PathSuspended, end, end, end.Add(DisabledFor+DataKeptFor)
			break
		}
		l.DeletesAt, l.DeletesApprox = end, true
		if f.SuspendedAt != nil {
			l.DeletesAt, l.DeletesApprox = earliest(f.SuspendedAt.UTC().Add(LegacySuspendedFor), end), false
		}
	case "expired":
		l.Path, l.ExpiresAt = PathExpired, end
		if f.NCE {
			l.DisabledAt, l.DeletesAt = end.Add(ExpiredFor), end.Add(ExpiredFor+DataKeptFor)
		}
	case "disabled":
		l.Path = f.Path
		switch f.Path {
		case PathSuspended:
			l.DisabledAt = end
		case PathExpired:
			l.ExpiresAt, l.DisabledAt = end, end.Add(ExpiredFor)
		}
		// Both paths delete 120 days after the term end.
		l.DeletesAt = end.Add(ExpiredFor + DataKeptFor)
	}
	return l
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Day writes an instant's UTC date (2006-01-02).
func Day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// PostTermPath says in plain words what happens to a subscription in
// status with calendar l, at now ("" when nothing is ahead).
func PostTermPath(status string, nce bool, l Lifecycle, now time.Time) string {
	if l.TermEnd.IsZero() {
		return ""
	}
	switch status {
	case "active":
		if !l.RenewsAt.IsZero() {
			return "Renews on " + Day(l.RenewsAt) + " (Partner Center starts renewals at 00:00 UTC the day after the term's last day and may take up to 24 hours)."
		}
		if nce {
			return fmt.Sprintf("Auto-renew is off: the term ends on %s. Then expired (users keep access, no longer billed, cannot be reactivated), disabled from %s (no access, data kept), deleted on %s.",
				Day(l.ExpiresAt), Day(l.DisabledAt), Day(l.DeletesAt))
		}
		return "Auto-renew is off: the subscription ends on " + Day(l.ExpiresAt) + "."
	case "suspended":
		if nce {
			return fmt.Sprintf("Suspended: billed until %s, disabled from then, deleted on %s unless reactivated.", Day(l.BilledUntil), Day(l.DeletesAt))
		}
		if l.DeletesApprox {
			return "Suspended: not billed; deleted on " + Day(l.DeletesAt) + " at the latest (90 days after it was suspended, or at the term end if sooner) unless reactivated."
		}
		return "Suspended: not billed; deleted on " + Day(l.DeletesAt) + " unless reactivated (90 days after it was suspended, or at the term end if sooner)."
	case "expired":
		if l.DisabledAt.IsZero() {
			return "Expired on " + Day(l.ExpiresAt) + "."
		}
		if now.Before(l.DisabledAt) {
			return fmt.Sprintf("Expired on %s: users keep access and it is no longer billed, but it cannot be reactivated. Disabled from %s, deleted on %s.",
				Day(l.ExpiresAt), Day(l.DisabledAt), Day(l.DeletesAt))
		}
		return fmt.Sprintf("Expired on %s, disabled since %s: deleted on %s.", Day(l.ExpiresAt), Day(l.DisabledAt), Day(l.DeletesAt))
	case "disabled":
		since := ""
		if !l.DisabledAt.IsZero() {
			since = " since " + Day(l.DisabledAt)
		}
		return fmt.Sprintf("Disabled%s: users have no access, the data is kept until it is deleted on %s.", since, Day(l.DeletesAt))
	case "deleted":
		return "Deleted."
	}
	return ""
}

// SuspendEffect says what suspending a subscription does, for the
// confirmation: new commerce stays billed to the term end, loses its
// auto-renew and scheduled changes, and is disabled then deleted if still
// suspended at the term end.
func SuspendEffect(s Subscription, l Lifecycle, scheduled bool) string {
	if !s.NCE() {
		del := ""
		if !l.TermEnd.IsZero() {
			del = " If it is not reactivated it is deleted 90 days from now, or at the term end (" + Day(l.TermEnd) + ") if that is sooner."
		}
		return "The customer's users lose access to this subscription's services until it is reactivated." + del
	}
	var b strings.Builder
	b.WriteString("The customer's users lose access to this subscription's services until it is reactivated. Partner Center keeps billing it")
	if !l.TermEnd.IsZero() {
		fmt.Fprintf(&b, " until the term ends on %s; if it is still suspended then, it is disabled and deleted on %s",
			Day(l.TermEnd), Day(l.TermEnd.Add(DisabledFor+DataKeptFor)))
	}
	b.WriteString(". Suspending turns auto-renew off")
	if scheduled {
		b.WriteString(" and deletes the scheduled change for the next term")
	}
	b.WriteString(": reactivating restores neither.")
	return b.String()
}

// DeletesScheduled reports whether a change of kind action deletes a new-
// commerce subscription's scheduled next-term changes ("If you make a
// mid-term (immediate) change before your renewal date, all scheduled
// changes ... are deleted"; suspending removes them; without auto-renew they
// cannot apply). autoRenewOn is the auto-renew value an "autorenew" change
// sets.
func DeletesScheduled(action string, autoRenewOn bool) bool {
	switch action {
	case "quantity", "suspend", "transition":
		return true
	case "autorenew":
		return !autoRenewOn
	}
	return false
}

// CustomerPath says to the customer what happens to a subscription that
// does not simply renew ("" when it renews or nothing is ahead).
func CustomerPath(status string, nce bool, l Lifecycle, now time.Time) string {
	if l.TermEnd.IsZero() {
		return ""
	}
	switch status {
	case "active":
		if !l.RenewsAt.IsZero() {
			return ""
		}
		if nce {
			return fmt.Sprintf("Does not renew: the term ends on %s. Your users keep access until %s; the data is then kept until it is deleted on %s.",
				Day(l.ExpiresAt), Day(l.DisabledAt), Day(l.DeletesAt))
		}
		return "Does not renew: it ends on " + Day(l.ExpiresAt) + "."
	case "suspended":
		if nce {
			return fmt.Sprintf("Suspended by your provider: your users cannot use it. Unless it is reactivated it is disabled on %s and deleted with its data on %s.",
				Day(l.DisabledAt), Day(l.DeletesAt))
		}
		return "Suspended by your provider: your users cannot use it. Unless it is reactivated it is deleted with its data on " + Day(l.DeletesAt) + "."
	case "expired":
		if l.DisabledAt.IsZero() {
			return "Ended on " + Day(l.ExpiresAt) + "."
		}
		return fmt.Sprintf("Ended on %s. Your users keep access until %s; the data is kept until it is deleted on %s.", Day(l.ExpiresAt), Day(l.DisabledAt), Day(l.DeletesAt))
	case "disabled":
		return "Disabled: your users have no access. The data is kept until it is deleted on " + Day(l.DeletesAt) + "."
	}
	return ""
}
