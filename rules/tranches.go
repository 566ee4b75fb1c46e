package rules

// Seat tranches: every new-commerce purchase, renewal and mid-term seat
// increase is a tranche with its own 7-day (168-hour) return window
// (learn.microsoft.com "Change the quantity of a subscription": PC returns
// refundableQuantity {totalQuantity, details[{quantity,
// allowedUntilDateTime}]} as of the request). A decrease may remove at most
// the seats of the tranches still open.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cspportal/portal/internal/i18n"
)

// TrancheWindow is how long the seats of a new-commerce purchase, renewal
// or seat increase can be removed (168 hours at GA).
const TrancheWindow = 168 * time.Hour

// Tranche is seats that can be removed until Until (PC's
// refundableQuantity.details entry).
type Tranche struct {
	Quantity int
	Until    time.Time
}

// Open reports whether t's seats can still be removed at now (PC counts
// allowedUntilDateTime itself as inside the window).
func (t Tranche) Open(now time.Time) bool { return t.Quantity > 0 && !now.After(t.Until) }

// OpenTranches returns the tranches of ts still open at now, the one that
// closes first first.
func OpenTranches(ts []Tranche, now time.Time) []Tranche {
	var out []Tranche
	for _, t := range ts {
		if t.Open(now) {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b Tranche) int { return a.Until.Compare(b.Until) })
	return out
}

// Removable is how many seats of ts can be removed at now.
func Removable(ts []Tranche, now time.Time) int {
	n := 0
	for _, t := range OpenTranches(ts, now) {
		n += t.Quantity
	}
	return n
}

// LastClosed is when the latest tranche of ts that is closed at now closed
// (zero when none did).
func LastClosed(ts []Tranche, now time.Time) time.Time {
	var last time.Time
	for _, t := range ts {
		if t.Quantity > 0 && now.After(t.Until) && t.Until.After(last) {
			last = t.Until
		}
	}
	return last
}

// WindowCloses is when the seats of a new-commerce purchase (or seat
// increase) made at t can no longer be removed.
func WindowCloses(t time.Time) time.Time { return t.UTC().Add(TrancheWindow) }

// Moment says an instant the way the pages do in l: "Thu 10 Dec 14:02
// UTC", "12月10日 周四 14:02 UTC", with the year when it is not now's.
func Moment(l i18n.Lang, now, t time.Time) string {
	t = t.UTC()
	sameYear := t.Year() == now.UTC().Year()
	if l == i18n.SimplifiedChinese {
		day := fmt.Sprintf("%d月%d日 周%s %s UTC", int(t.Month()), t.Day(), []string{"日", "一", "二", "三", "四", "五", "六"}[t.Weekday()], t.Format("15:04"))
		if !sameYear {
			return strconv.Itoa(t.Year()) + "年" + day
		}
		return day
	}
	if !sameYear {
		return t.Format("Mon 2 Jan 2006 15:04 UTC")
	}
	return t.Format("Mon 2 Jan 15:04 UTC")
}

// Countdown says how far t is from now in words in l, to the minute: "2
// days 4 hours from now", "3 hours 5 minutes from now", "less than a minute
// from now", "1 day ago".
func Countdown(l i18n.Lang, now, t time.Time) string {
	d := t.Sub(now)
	key := "rules.countdown_ahead"
	if d < 0 {
		d, key = -d, "rules.countdown_ago"
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	switch {
	case days > 0:
		parts = append(parts, i18n.In(l, "rules.days", days))
		if hours > 0 {
			parts = append(parts, i18n.In(l, "rules.hours", hours))
		}
	case hours > 0:
		parts = append(parts, i18n.In(l, "rules.hours", hours))
		if mins > 0 {
			parts = append(parts, i18n.In(l, "rules.minutes", mins))
		}
	case mins > 0:
		parts = append(parts, i18n.In(l, "rules.minutes", mins))
	default:
		return i18n.In(l, key+"_moment")
	}
	return i18n.In(l, key, strings.Join(parts, " "))
}

// Seats says a number of seats in l ("1 seat", "3 seats", "3 个席位").
func Seats(l i18n.Lang, n int) string { return i18n.In(l, "rules.seats", n, strconv.Itoa(n)) }

// TrancheSentence says what t allows at now in l: "3 seats can be removed
// until Thu 10 Dec 14:02 UTC, 2 days 4 hours from now".
func TrancheSentence(l i18n.Lang, t Tranche, now time.Time) string {
	key := "rules.tranche_open"
	if !t.Open(now) {
		key = "rules.tranche_closed"
	}
	return i18n.In(l, key, Seats(l, t.Quantity), Moment(l, now, t.Until), Countdown(l, now, t.Until))
}
