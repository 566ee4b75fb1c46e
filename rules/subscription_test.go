package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func nce(mod ...func(*rules.Subscription)) rules.Subscription {
	end := t0.Add(rules.TrancheWindow)
	s := rules.Subscription{OfferID: "CFQ7TTC0LH18:0001:CFQ7TTC0K5B4", Status: "active", Quantity: 10, Min: 1, Max: 300,
		BillingType: "license", WindowEnd: &end, TranchesKnown: true, Tranches: []rules.Tranche{{Quantity: 10, Until: end}}}
	for _, m := range mod {
		m(&s)
	}
	return s
}

// withTranches is 10 seats bought at t0 and 5 added three days later.
func withTranches(s *rules.Subscription) {
	s.Quantity = 15
	s.Tranches = []rules.Tranche{{Quantity: 5, Until: t0.Add(72*time.Hour + rules.TrancheWindow)}, {Quantity: 10, Until: t0.Add(rules.TrancheWindow)}}
}

func legacy(mod ...func(*rules.Subscription)) rules.Subscription {
	s := rules.Subscription{OfferID: "031C9E47-4802-4248-838E-778FB1D2CC05", Status: "active", Quantity: 10, Min: 1, Max: 300, BillingType: "license"}
	for _, m := range mod {
		m(&s)
	}
	return s
}

func TestSeatDecrease(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		s         rules.Subscription
		now       time.Time
		allowed   bool
		removable int
		until     time.Time
		reason    string
	}{
		{"nce inside window", nce(), t0.Add(time.Hour), true, 9, t0.Add(168 * time.Hour), "until 2026-03-08 12:00 UTC"},
		{"nce at the last instant", nce(), t0.Add(168 * time.Hour), true, 9, t0.Add(168 * time.Hour), "until"},
		{"nce after 8 days", nce(), t0.Add(8 * 24 * time.Hour), false, 0, t0.Add(168 * time.Hour), "closed on 2026-03-08 12:00 UTC"},
		{"two tranches open", nce(withTranches), t0.Add(24 * time.Hour), true, 14, t0.Add(240 * time.Hour), "10 seats can be removed until Sun 8 Mar 12:00 UTC, 6 days from now; 5 seats can be removed until Wed 11 Mar 12:00 UTC, 9 days from now"},
		{"only the seat add open", nce(withTranches), t0.Add(8 * 24 * time.Hour), true, 5, t0.Add(240 * time.Hour), "5 seats can be removed until Wed 11 Mar 12:00 UTC, 2 days from now"},
		{"all closed", nce(withTranches), t0.Add(11 * 24 * time.Hour), false, 0, t0.Add(240 * time.Hour), "closed on 2026-03-11 12:00 UTC"},
		{"mirrored before tranches: the term's window", nce(func(s *rules.Subscription) { s.TranchesKnown, s.Tranches = false, nil }), t0.Add(100 * time.Hour), true, 9, t0.Add(168 * time.Hour), "until"},
		{"nce without any tranche", nce(func(s *rules.Subscription) { s.Tranches = nil }), t0, false, 0, time.Time{}, "no seats"},
		{"legacy any time", legacy(), t0.AddDate(1, 0, 0), true, 9, time.Time{}, "any time"},
		{"suspended", legacy(func(s *rules.Subscription) { s.Status = "suspended" }), t0, false, 0, time.Time{}, "it is suspended"},
		{"usage", nce(func(s *rules.Subscription) { s.BillingType = "usage" }), t0, false, 0, time.Time{}, "usage"},
		{"nce by product type", legacy(func(s *rules.Subscription) { s.ProductType = "OnlineServicesNCE" }), t0, false, 0, time.Time{}, "no seats"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := rules.SeatDecrease(i18n.English, c.s, c.now)
			if d.Allowed != c.allowed || d.Removable != c.removable || !d.Until.Equal(c.until) || !strings.Contains(d.Reason, c.reason) {
				t.Errorf("SeatDecrease = %+v, want allowed %v removable %d until %v reason containing %q", d, c.allowed, c.removable, c.until, c.reason)
			}
		})
	}
}

func TestCheckQuantity(t *testing.T) {
	t.Parallel()
	late := t0.Add(8 * 24 * time.Hour)
	cases := []struct {
		name string
		s    rules.Subscription
		q    int
		now  time.Time
		want string // "" = allowed, else a fragment of the message
	}{
		{"increase nce inside window", nce(), 12, t0, ""},
		{"increase nce after window", nce(), 12, late, ""},
		{"decrease nce inside window", nce(), 5, t0, ""},
		{"decrease nce after window", nce(), 5, late, "window"},
		{"decrease by the open tranche", nce(withTranches), 10, late, ""},
		{"decrease beyond the open tranche", nce(withTranches), 9, late, "At most 5 seats can be removed now (down to 10): 5 seats can be removed until Wed 11 Mar 12:00 UTC, 2 days from now"},
		{"decrease to zero seats of a fresh purchase", nce(), 1, t0, ""},
		{"decrease legacy late", legacy(), 5, late, ""},
		{"same quantity", nce(), 10, t0, "already 10"},
		{"zero", nce(), 0, t0, "at least 1"},
		{"below min", nce(func(s *rules.Subscription) { s.Min = 5 }), 4, t0, "at least 5"},
		{"above max", nce(), 301, t0, "at most 300"},
		{"unknown limits", nce(func(s *rules.Subscription) { s.Min, s.Max = 0, 0 }), 100000, t0, ""},
		{"suspended", legacy(func(s *rules.Subscription) { s.Status = "suspended" }), 11, t0, "active"},
		{"usage", legacy(func(s *rules.Subscription) { s.BillingType = "usage" }), 11, t0, "usage"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := rules.CheckQuantity(i18n.English, c.s, c.q, c.now)
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Errorf("CheckQuantity(%d) = %q, want %q", c.q, got, c.want)
			}
		})
	}
}

func TestStatusAndSettingRules(t *testing.T) {
	t.Parallel()
	suspended := legacy(func(s *rules.Subscription) { s.Status = "suspended" })
	addOn := legacy(func(s *rules.Subscription) { s.Status, s.IsAddOn = "suspended", true })
	cases := []struct {
		name, got, want string
	}{
		{"suspend legacy", rules.CheckSuspend(legacy()), ""},
		{"suspend nce", rules.CheckSuspend(nce()), ""},
		{"suspend nce by usage", rules.CheckSuspend(nce(func(s *rules.Subscription) { s.BillingType = "usage" })), "Usage-based"},
		{"suspend suspended", rules.CheckSuspend(suspended), "Only an active"},
		{"reactivate suspended", rules.CheckReactivate(suspended, ""), ""},
		{"reactivate active", rules.CheckReactivate(legacy(), ""), "Only a suspended"},
		{"reactivate add-on under suspended base", rules.CheckReactivate(addOn, "suspended"), "base first"},
		{"reactivate add-on under active base", rules.CheckReactivate(addOn, "active"), ""},
		{"auto-renew on", rules.CheckAutoRenew(nce(), true), ""},
		{"auto-renew suspended", rules.CheckAutoRenew(suspended, false), "active"},
		{"auto-renew usage", rules.CheckAutoRenew(legacy(func(s *rules.Subscription) { s.BillingType = "usage" }), true), "do not renew"},
		{"name ok", rules.CheckFriendlyName(nce(), "Sales team"), ""},
		{"name empty", rules.CheckFriendlyName(nce(), "  "), "Enter a name"},
		{"name long", rules.CheckFriendlyName(nce(), strings.Repeat("x", 129)), "at most 128"},
		{"name deleted", rules.CheckFriendlyName(legacy(func(s *rules.Subscription) { s.Status = "deleted" }), "x"), "deleted"},
	}
	for _, c := range cases {
		if (c.want == "") != (c.got == "") || !strings.Contains(c.got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestVersionChangesWithEveryField(t *testing.T) {
	t.Parallel()
	end := t0
	base := rules.Version("e1", "active", 10, true, "A", &end)
	if base != rules.Version("e1", "active", 10, true, "A", &end) {
		t.Fatal("Version is not deterministic")
	}
	later := t0.Add(time.Hour)
	for name, v := range map[string]string{
		"etag": rules.Version("e2", "active", 10, true, "A", &end), "status": rules.Version("e1", "suspended", 10, true, "A", &end),
		"quantity": rules.Version("e1", "active", 11, true, "A", &end), "renew": rules.Version("e1", "active", 10, false, "A", &end),
		"name": rules.Version("e1", "active", 10, true, "B", &end), "window": rules.Version("e1", "active", 10, true, "A", &later),
		"no window": rules.Version("e1", "active", 10, true, "A", nil),
	} {
		if v == base {
			t.Errorf("changing %s keeps the version", name)
		}
	}
}

func TestQuantityEffect(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    rules.Subscription
		q    int
		want string
		zh   string
	}{{nce(), 12, "Adds 2 seat(s) (from 10 to 12)", "增加 2 个席位（从 10 个增至 12 个）"}, {nce(), 7, "Removes 3 seat(s)", "减少 3 个席位"},
		{legacy(), 9, "users beyond 9 lose their licence", "超出 9 个的用户将失去许可证"}, {legacy(), 10, "No change", "没有更改"}} {
		if got := rules.QuantityEffect(i18n.English, c.s, c.q); !strings.Contains(got, c.want) {
			t.Errorf("QuantityEffect(%d) = %q, want %q", c.q, got, c.want)
		}
		if got := rules.QuantityEffect(i18n.SimplifiedChinese, c.s, c.q); !strings.Contains(got, c.zh) {
			t.Errorf("QuantityEffect(zh, %d) = %q, want %q", c.q, got, c.zh)
		}
	}
}

func TestCheckOrderQuantity(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		q, min, max int
		want        string
	}{{1, 1, 300, ""}, {300, 1, 300, ""}, {0, 1, 300, "at least 1"}, {-5, 0, 0, "at least 1"}, {4, 5, 10, "at least 5"},
		{301, 1, 300, "at most 300"}, {100000, 0, 0, ""}} {
		got := rules.CheckOrderQuantity(c.q, c.min, c.max)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("CheckOrderQuantity(%d, %d, %d) = %q, want %q", c.q, c.min, c.max, got, c.want)
		}
	}
	if got := rules.WindowCloses(t0); !got.Equal(t0.Add(168 * time.Hour)) {
		t.Errorf("WindowCloses = %v", got)
	}
}

func TestCheckLicenceLoss(t *testing.T) {
	tests := []struct {
		name                         string
		assigned, purchased, removed int
		want                         rules.LicenceLoss
	}{
		{"the issue's case: 45 to 5 with 30 assigned", 30, 45, 40, rules.LicenceLoss{Assigned: 30, Remaining: 5, Lost: 25}},
		{"enough unassigned seats", 30, 45, 15, rules.LicenceLoss{Assigned: 30, Remaining: 30}},
		{"one short", 30, 45, 16, rules.LicenceLoss{Assigned: 30, Remaining: 29, Lost: 1}},
		{"another subscription of the product keeps them", 10, 60, 40, rules.LicenceLoss{Assigned: 10, Remaining: 20}},
		{"usage unknown", -1, -1, 40, rules.LicenceLoss{}},
		{"an increase loses nothing", 30, 45, -5, rules.LicenceLoss{}},
		{"the mirror is behind: more removed than purchased", 3, 2, 5, rules.LicenceLoss{Assigned: 3, Remaining: 0, Lost: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.CheckLicenceLoss(tt.assigned, tt.purchased, tt.removed)
			if got != tt.want {
				t.Fatalf("CheckLicenceLoss(%d, %d, %d) = %+v, want %+v", tt.assigned, tt.purchased, tt.removed, got, tt.want)
			}
			if (got.Sentence() == "") != (got.Lost == 0) {
				t.Fatalf("Sentence() = %q for %+v", got.Sentence(), got)
			}
		})
	}
}

func TestSuspensionOrigin(t *testing.T) {
	tests := []struct {
		reasons []string
		want    string
	}{
		{nil, ""},
		{[]string{"CustomerCancellation"}, "suspended by the partner (in Partner Center or through its API)"},
		{[]string{"ParentSuspended"}, "suspended with its base subscription"},
		{[]string{"Fraud"}, "suspended by Microsoft"},
		{[]string{"ChannelPartnerSuspension"}, "suspended by the distributor (indirect provider)"},
		{[]string{"SomethingNew"}, "suspended for a reason Partner Center gives as SomethingNew"},
		{[]string{"CustomerCancellation", "Fraud"}, "suspended by the partner (in Partner Center or through its API); suspended by Microsoft"},
	}
	for _, tt := range tests {
		if got := rules.SuspensionOrigin(tt.reasons); got != tt.want {
			t.Errorf("SuspensionOrigin(%q) = %q, want %q", tt.reasons, got, tt.want)
		}
	}
}
