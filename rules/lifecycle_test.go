package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
)

func TestCountdown(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 8, 9, 58, 30, 0, time.UTC)
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{2*24*time.Hour + 4*time.Hour + 3*time.Minute, "2 days 4 hours from now"},
		{24 * time.Hour, "1 day from now"},
		{24*time.Hour + time.Hour, "1 day 1 hour from now"},
		{3*time.Hour + 5*time.Minute + 59*time.Second, "3 hours 5 minutes from now"},
		{time.Hour, "1 hour from now"},
		{12 * time.Minute, "12 minutes from now"},
		{time.Minute, "1 minute from now"},
		{59 * time.Second, "less than a minute from now"},
		{0, "less than a minute from now"},
		{-30 * time.Second, "less than a minute ago"},
		{-26 * time.Hour, "1 day 2 hours ago"},
		{-5 * time.Minute, "5 minutes ago"},
	} {
		if got := rules.Countdown(i18n.English, now, now.Add(c.d)); got != c.want {
			t.Errorf("Countdown(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestTrancheSentence(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 8, 9, 58, 0, 0, time.UTC)
	for _, c := range []struct {
		tr   rules.Tranche
		now  time.Time
		want string
	}{
		{rules.Tranche{Quantity: 3, Until: time.Date(2026, 12, 10, 14, 2, 0, 0, time.UTC)}, now,
			"3 seats can be removed until Thu 10 Dec 14:02 UTC, 2 days 4 hours from now"},
		{rules.Tranche{Quantity: 1, Until: now.Add(90 * time.Second)}, now, "1 seat can be removed until Tue 8 Dec 09:59 UTC, 1 minute from now"},
		{rules.Tranche{Quantity: 2, Until: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)}, now, "2 seats can be removed until Sat 2 Jan 2027 00:00 UTC, 24 days 14 hours from now"},
		{rules.Tranche{Quantity: 4, Until: now.Add(-2 * time.Hour)}, now, "4 seats could be removed until Tue 8 Dec 07:58 UTC, 2 hours ago"},
	} {
		if got := rules.TrancheSentence(i18n.English, c.tr, c.now); got != c.want {
			t.Errorf("TrancheSentence(%+v) = %q, want %q", c.tr, got, c.want)
		}
	}
	// In Chinese: the date reads 月/日/周, the countdown 天/小时 and no plural.
	for tr, want := range map[rules.Tranche]string{
		{Quantity: 3, Until: time.Date(2026, 12, 10, 14, 2, 0, 0, time.UTC)}: "3 个席位可在 12月10日 周四 14:02 UTC 之前减少，2 天 4 小时后",
		{Quantity: 1, Until: time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)}:    "1 个席位可在 2027年1月2日 周六 00:00 UTC 之前减少，24 天 14 小时后",
		{Quantity: 4, Until: now.Add(-90 * time.Second)}:                     "4 个席位原可在 12月8日 周二 09:56 UTC 之前减少，1 分钟前",
	} {
		if got := rules.TrancheSentence(i18n.SimplifiedChinese, tr, now); got != want {
			t.Errorf("zh TrancheSentence(%+v) = %q, want %q", tr, got, want)
		}
	}
}

func TestOpenTranchesAndRemovable(t *testing.T) {
	t.Parallel()
	a := rules.Tranche{Quantity: 10, Until: t0.Add(rules.TrancheWindow)}
	b := rules.Tranche{Quantity: 5, Until: t0.Add(72*time.Hour + rules.TrancheWindow)}
	zero := rules.Tranche{Quantity: 0, Until: t0.Add(500 * time.Hour)}
	ts := []rules.Tranche{b, zero, a}
	for _, c := range []struct {
		now       time.Time
		open      int
		removable int
		first     rules.Tranche
		last      time.Time
	}{
		{t0, 2, 15, a, time.Time{}},
		{t0.Add(rules.TrancheWindow), 2, 15, a, time.Time{}},
		{t0.Add(rules.TrancheWindow + time.Nanosecond), 1, 5, b, a.Until},
		{t0.Add(300 * time.Hour), 0, 0, rules.Tranche{}, b.Until},
	} {
		open := rules.OpenTranches(ts, c.now)
		if len(open) != c.open || rules.Removable(ts, c.now) != c.removable || (len(open) > 0 && open[0] != c.first) ||
			!rules.LastClosed(ts, c.now).Equal(c.last) {
			t.Errorf("at %v: open %v removable %d last closed %v", c.now, open, rules.Removable(ts, c.now), rules.LastClosed(ts, c.now))
		}
	}
	if got := rules.WindowCloses(t0); !got.Equal(t0.Add(168 * time.Hour)) {
		t.Errorf("WindowCloses = %v", got)
	}
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func TestDeriveLifecycle(t *testing.T) {
	t.Parallel()
	end := date(2027, 2, 28) // the term's last day: it ends at 2027-03-01 00:00 UTC
	suspendedAt := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	late := time.Date(2027, 1, 20, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name                                             string
		f                                                rules.LifecycleFacts
		renews, billed, expires, disabled, deletes, path string
		approx                                           bool
	}{
		{"active renewing", rules.LifecycleFacts{Status: "active", NCE: true, AutoRenew: true, CommitmentEnd: end}, "2027-03-01", "", "", "", "", "", false},
		{"trial never renews", rules.LifecycleFacts{Status: "active", NCE: true, AutoRenew: true, Trial: true, CommitmentEnd: end}, "", "", "2027-03-01", "2027-03-31", "2027-06-29", "expired", false},
		{"nce auto-renew off", rules.LifecycleFacts{Status: "active", NCE: true, CommitmentEnd: end}, "", "", "2027-03-01", "2027-03-31", "2027-06-29", "expired", false},
		{"legacy auto-renew off", rules.LifecycleFacts{Status: "active", CommitmentEnd: end}, "", "", "2027-03-01", "", "", "", false},
		{"nce suspended", rules.LifecycleFacts{Status: "suspended", NCE: true, CommitmentEnd: end}, "", "2027-03-01", "", "2027-03-01", "2027-06-29", "suspended", false},
		{"legacy suspended 90 days first", rules.LifecycleFacts{Status: "suspended", CommitmentEnd: end, SuspendedAt: &suspendedAt}, "", "", "", "", "2026-12-30", "", false},
		{"legacy suspended term end first", rules.LifecycleFacts{Status: "suspended", CommitmentEnd: end, SuspendedAt: &late}, "", "", "", "", "2027-03-01", "", false},
		{"legacy suspended, date unknown", rules.LifecycleFacts{Status: "suspended", CommitmentEnd: end}, "", "", "", "", "2027-03-01", "", true},
		{"nce expired", rules.LifecycleFacts{Status: "expired", NCE: true, CommitmentEnd: end}, "", "", "2027-03-01", "2027-03-31", "2027-06-29", "expired", false},
		{"disabled after suspension", rules.LifecycleFacts{Status: "disabled", NCE: true, CommitmentEnd: end, Path: rules.PathSuspended}, "", "", "", "2027-03-01", "2027-06-29", "suspended", false},
		{"disabled after expiry", rules.LifecycleFacts{Status: "disabled", NCE: true, CommitmentEnd: end, Path: rules.PathExpired}, "", "", "2027-03-01", "2027-03-31", "2027-06-29", "expired", false},
		{"disabled, path unknown", rules.LifecycleFacts{Status: "disabled", NCE: true, CommitmentEnd: end}, "", "", "", "", "2027-06-29", "", false},
		{"usage: no term", rules.LifecycleFacts{Status: "active", NCE: true, Usage: true, CommitmentEnd: end}, "", "", "", "", "", "", false},
		{"no end date", rules.LifecycleFacts{Status: "active", NCE: true, AutoRenew: true}, "", "", "", "", "", "", false},
		{"deleted", rules.LifecycleFacts{Status: "deleted", NCE: true, CommitmentEnd: end}, "", "", "", "", "", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := rules.DeriveLifecycle(c.f)
			d := func(x time.Time) string {
				if x.IsZero() {
					return ""
				}
				return rules.Day(x)
			}
			got := []string{d(l.RenewsAt), d(l.BilledUntil), d(l.ExpiresAt), d(l.DisabledAt), d(l.DeletesAt), l.Path}
			want := []string{c.renews, c.billed, c.expires, c.disabled, c.deletes, c.path}
			if strings.Join(got, "|") != strings.Join(want, "|") || l.DeletesApprox != c.approx {
				t.Errorf("DeriveLifecycle = %v approx %v, want %v approx %v", got, l.DeletesApprox, want, c.approx)
			}
		})
	}
}

func TestPostTermPath(t *testing.T) {
	t.Parallel()
	end := date(2027, 2, 28)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		f    rules.LifecycleFacts
		now  time.Time
		want string
	}{
		{rules.LifecycleFacts{Status: "suspended", NCE: true, CommitmentEnd: end}, now, "Suspended: billed until 2027-03-01, disabled from then, deleted on 2027-06-29 unless reactivated."},
		{rules.LifecycleFacts{Status: "active", NCE: true, AutoRenew: true, CommitmentEnd: end}, now, "Renews on 2027-03-01 (Partner Center starts renewals at 00:00 UTC"},
		{rules.LifecycleFacts{Status: "active", NCE: true, CommitmentEnd: end}, now, "term ends on 2027-03-01. Then expired (users keep access, no longer billed, cannot be reactivated), disabled from 2027-03-31 (no access, data kept), deleted on 2027-06-29."},
		{rules.LifecycleFacts{Status: "expired", NCE: true, CommitmentEnd: end}, time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC), "Expired on 2027-03-01: users keep access"},
		{rules.LifecycleFacts{Status: "expired", NCE: true, CommitmentEnd: end}, time.Date(2027, 4, 5, 0, 0, 0, 0, time.UTC), "Expired on 2027-03-01, disabled since 2027-03-31: deleted on 2027-06-29."},
		{rules.LifecycleFacts{Status: "disabled", NCE: true, CommitmentEnd: end, Path: rules.PathSuspended}, now, "Disabled since 2027-03-01: users have no access, the data is kept until it is deleted on 2027-06-29."},
		{rules.LifecycleFacts{Status: "disabled", NCE: true, CommitmentEnd: end}, now, "Disabled: users have no access"},
		{rules.LifecycleFacts{Status: "suspended", CommitmentEnd: end}, now, "deleted on 2027-03-01 at the latest"},
		{rules.LifecycleFacts{Status: "active", AutoRenew: false, CommitmentEnd: end}, now, "ends on 2027-03-01"},
		{rules.LifecycleFacts{Status: "deleted", NCE: true, CommitmentEnd: end}, now, "Deleted."},
		{rules.LifecycleFacts{Status: "active", NCE: true, Usage: true}, now, ""},
	} {
		got := rules.PostTermPath(c.f.Status, c.f.NCE, rules.DeriveLifecycle(c.f), c.now)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("PostTermPath(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
}

func TestSuspendEffectAndScheduledDeletion(t *testing.T) {
	t.Parallel()
	l := rules.DeriveLifecycle(rules.LifecycleFacts{Status: "active", NCE: true, AutoRenew: true, CommitmentEnd: date(2027, 2, 28)})
	for _, c := range []struct {
		got, want string
	}{
		{rules.SuspendEffect(nce(), l, true), "keeps billing it until the term ends on 2027-03-01; if it is still suspended then, it is disabled and deleted on 2027-06-29. Suspending turns auto-renew off and deletes the scheduled change for the next term: reactivating restores neither."},
		{rules.SuspendEffect(nce(), l, false), "Suspending turns auto-renew off: reactivating restores neither."},
		{rules.SuspendEffect(legacy(), l, false), "deleted 90 days from now, or at the term end (2027-03-01)"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for _, c := range []struct {
		action string
		on     bool
		want   bool
	}{{"quantity", false, true}, {"suspend", false, true}, {"transition", false, true}, {"autorenew", false, true},
		{"autorenew", true, false}, {"name", false, false}, {"reactivate", false, false}} {
		if got := rules.DeletesScheduled(c.action, c.on); got != c.want {
			t.Errorf("DeletesScheduled(%s, %v) = %v", c.action, c.on, got)
		}
	}
}

func TestCustomerPath(t *testing.T) {
	t.Parallel()
	end := date(2027, 2, 28)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		f    rules.LifecycleFacts
		want string
	}{
		{rules.LifecycleFacts{Status: "suspended", NCE: true, CommitmentEnd: end}, "Suspended by your provider: your users cannot use it. Unless it is reactivated it is disabled on 2027-03-01 and deleted with its data on 2027-06-29."},
		{rules.LifecycleFacts{Status: "active", NCE: true, CommitmentEnd: end}, "Does not renew: the term ends on 2027-03-01. Your users keep access until 2027-03-31"},
		{rules.LifecycleFacts{Status: "active", NCE: true, AutoRenew: true, CommitmentEnd: end}, ""},
		{rules.LifecycleFacts{Status: "disabled", NCE: true, CommitmentEnd: end}, "deleted on 2027-06-29"},
		{rules.LifecycleFacts{Status: "expired", NCE: true, CommitmentEnd: end}, "Ended on 2027-03-01."},
		{rules.LifecycleFacts{Status: "suspended", CommitmentEnd: end}, "deleted with its data on 2027-03-01"},
	} {
		got := rules.CustomerPath(c.f.Status, c.f.NCE, rules.DeriveLifecycle(c.f), now)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("CustomerPath(%+v) = %q, want %q", c.f, got, c.want)
		}
	}
}
