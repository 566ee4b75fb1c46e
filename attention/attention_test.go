package attention_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/attention"
	"github.com/cspportal/portal/internal/mailcatcher"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/store"
)

type env struct {
	t       testing.TB
	st      *store.Store
	att     *attention.Service
	catcher *mailcatcher.Catcher
	base    time.Time
	offset  atomic.Int64 // the clock's advance over base
}

// newEnv is the service on a fresh database with a clock the test moves;
// mail goes through the outbox's worker to a mail catcher.
func newEnv(t testing.TB) *env {
	t.Helper()
	st := testdb.NewStore(t)
	c, err := mailcatcher.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := st.UpdateSMTPSettings(t.Context(), store.SMTPSettings{SmtpHost: c.Host(), SmtpPort: int32(c.Port()), SmtpSecurity: "none",
		SmtpFrom: "portal@test.example"}); err != nil {
		t.Fatal(err)
	}
	m, err := mail.New(mail.Deps{Store: st, Box: sandboxtest.Box(t), Logger: sandboxtest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, catcher: c, base: time.Now().UTC().Truncate(time.Second)}
	e.att, err = attention.New(attention.Deps{Store: st, Mail: m, BaseURL: "https://portal.example", Logger: sandboxtest.Quiet(),
		Now: func() time.Time { return e.base.Add(time.Duration(e.offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	r, err := jobs.New(st, jobs.Options{Logger: sandboxtest.Quiet(), NoPeriodic: true}, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return e
}

func (e *env) advance(d time.Duration) { e.offset.Add(int64(d)) }

func (e *env) now() time.Time { return e.base.Add(time.Duration(e.offset.Load())) }

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.st.Pool.Exec(context.Background(), q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// customer adds a mirrored customer.
func (e *env) customer(name string) uuid.UUID {
	id := uuid.New()
	e.exec(`INSERT INTO customers (id, company_name, domain, synced_at) VALUES ($1, $2, $3, now() - interval '2 hours')`, id, name, strings.ToLower(name)+".example")
	return id
}

// sub is a mirrored subscription.
type sub struct {
	id, status, billing string
	autoRenew           bool
	quantity            int
	ends, windowUntil   time.Duration // from now; 0: none
	assigned, purchased int           // the SKU's licence usage; purchased 0: no usage row
	product             string
	customer            uuid.UUID
	syncedAgo           time.Duration
}

func (e *env) sub(s sub) {
	e.t.Helper()
	var ends, window *time.Time
	if s.ends != 0 {
		v := e.now().Add(s.ends)
		ends = &v
	}
	if s.windowUntil != 0 {
		v := e.now().Add(s.windowUntil)
		window = &v
	}
	synced := time.Now().Add(-s.syncedAgo)
	e.exec(`INSERT INTO subscriptions (id, customer_id, offer_name, status, quantity, billing_type, auto_renew_enabled,
		commitment_end_date, cancellation_allowed_until, synced_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.id, s.customer, s.product, s.status, s.quantity, s.billing, s.autoRenew, ends, window, synced)
	if window != nil {
		e.exec(`INSERT INTO subscription_tranches (subscription_id, allowed_until, ordinal, customer_id, quantity) VALUES ($1, $2, 0, $3, 2)`,
			s.id, window, s.customer)
	}
	if s.status == "suspended" && ends != nil {
		e.exec(`INSERT INTO subscription_lifecycle (subscription_id, customer_id, status, nce, commitment_end_date, term_end, disabled_at, deletes_at, path)
			VALUES ($1, $2, 'suspended', true, $3, $3, $3, $3::timestamptz + interval '120 days', 'suspended')`, s.id, s.customer, ends)
	}
	if s.purchased > 0 {
		e.exec(`INSERT INTO subscribed_skus (customer_id, sku_id, sku_name, active_units, consumed_units, synced_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (customer_id, sku_id) DO UPDATE SET active_units = excluded.active_units, consumed_units = excluded.consumed_units`,
			s.customer, "sku-"+s.product, s.product, s.purchased, s.assigned, synced)
	}
}

// openItems are the first max open items as the dashboard reads them (due
// within the service's horizon), and how many there are.
func (e *env) openItems(max int) ([]store.AttentionItem, int, error) {
	d, err := e.st.Dashboard(context.Background(), e.att.Due(), max)
	return d.Attention, d.AttentionTotal, err
}

// open lists the open items as "kind subject".
func (e *env) open() []string {
	e.t.Helper()
	items, total, err := e.openItems(100)
	if err != nil {
		e.t.Fatal(err)
	}
	if total != len(items) {
		e.t.Fatalf("total %d, listed %d", total, len(items))
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Kind+" "+subjectOf(it))
	}
	slices.Sort(out)
	return out
}

func subjectOf(it store.AttentionItem) string {
	// The link names what to act on: its last segment is the subject.
	return it.Href[strings.LastIndex(it.Href, "/")+1:]
}

func (e *env) evaluate() {
	e.t.Helper()
	if _, err := e.att.Evaluate(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

const day = 24 * time.Hour

// Everything that needs action is listed, ordered by deadline, and nothing
// that does not: a monthly roll-over with every seat assigned, a term
// beyond the horizon, usage billing, a failure retried since.
func TestEvaluationListsWhatNeedsActionOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.customer("Alpha"), e.customer("Bravo")
	for _, s := range []sub{
		{id: "unassigned", customer: a, product: "Microsoft 365 E3", status: "active", autoRenew: true, quantity: 10, ends: 10 * day, purchased: 10, assigned: 7},
		{id: "rollover", customer: a, product: "Exchange Online", status: "active", autoRenew: true, quantity: 5, ends: 9 * day, purchased: 5, assigned: 5},
		{id: "no-usage", customer: a, product: "Visio", status: "active", autoRenew: true, quantity: 5, ends: 9 * day},
		{id: "ending", customer: a, product: "Teams", status: "active", quantity: 3, ends: 20 * day},
		{id: "far", customer: a, product: "Project", status: "active", quantity: 3, ends: 60 * day},
		{id: "azure", customer: a, product: "Azure plan", status: "active", billing: "usage", ends: 5 * day},
		{id: "suspended", customer: b, product: "Power BI", status: "suspended", quantity: 2, ends: 15 * day},
		{id: "window", customer: b, product: "Intune", status: "active", autoRenew: true, quantity: 4, ends: 300 * day, windowUntil: 5 * time.Hour},
		{id: "window-later", customer: b, product: "Defender", status: "active", autoRenew: true, quantity: 4, ends: 300 * day, windowUntil: 3 * day},
		{id: "dearer", customer: b, product: "Copilot", status: "active", autoRenew: true, quantity: 4, ends: 25 * day},
		{id: "same-price", customer: b, product: "Entra ID P1", status: "active", autoRenew: true, quantity: 4, ends: 25 * day},
	} {
		e.sub(s)
	}
	for id, next := range map[string]string{"dearer": "31.50", "same-price": "30.00"} {
		e.exec(`INSERT INTO subscription_lifecycle (subscription_id, customer_id, status, nce, auto_renew, term_end, renews_at, currency, current_unit_price, next_unit_price)
			SELECT id, customer_id, status, true, true, commitment_end_date, commitment_end_date, 'USD', 30.00, $2::numeric FROM subscriptions WHERE id = $1`, id, next)
	}
	e.exec(`INSERT INTO commands (kind, customer_id, target_id, payload, ms_request_id, status, last_error, pc_error_code, updated_at)
		VALUES ('patch_subscription', $1, 'window', '{}', gen_random_uuid(), 'failed', 'Quantity is below the minimum', '800002', now()),
		       ('create_order', $2, '', '{}', gen_random_uuid(), 'failed', 'Needs a sign-in', 'consent_required', now()),
		       ('patch_subscription', $2, 'suspended', '{}', gen_random_uuid(), 'failed', 'Busy', '800000', now()),
		       ('patch_subscription', $2, 'suspended', '{}', gen_random_uuid(), 'succeeded', '', '', now())`, b, a)
	gone := e.customer("Charlie")
	e.exec(`UPDATE customers SET relationship_removed_at = now() WHERE id = $1`, gone)
	e.exec(`INSERT INTO sync_runs (kind, status, finished_at, last_error) VALUES ('full', 'failed', now(), 'PC answered 503')`)
	e.exec(`UPDATE settings SET pc_refresh_token_enc = '\x00', pc_connected_at = $1`, e.now().Add(-80*day))
	e.evaluate()

	want := []string{
		"command_failed window",
		"consent_waiting " + a.String(),
		"ending ending",
		"relationship_removed " + gone.String(),
		"renewal_price dearer",
		"renewal_unassigned unassigned",
		"suspended suspended",
		"sync_failed sync",
		"token_expiring health",
		"window_closing window",
	}
	if got := e.open(); !slices.Equal(got, want) {
		t.Fatalf("open items:\n got %q\nwant %q", got, want)
	}
	items, _, err := e.openItems(100)
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for _, it := range items {
		if it.Deadline == nil {
			continue
		}
		if it.Deadline.Before(last) {
			t.Fatalf("not ordered by deadline: %s after %s", it.Deadline, last)
		}
		last = *it.Deadline
	}
	if !slices.ContainsFunc(items, func(it store.AttentionItem) bool {
		return it.Kind == "renewal_unassigned" && strings.Contains(it.Reason, "3 of the customer's 10 seats of this product are not assigned")
	}) {
		t.Fatal("the renewal's reason does not say how many seats are unassigned")
	}
	for _, want := range []string{"Copilot renews on", "at $31.50 per licence instead of $30.00", "Power BI is suspended: disabled on",
		"Intune: 2 seat(s) added recently can be removed until"} {
		if !slices.ContainsFunc(items, func(it store.AttentionItem) bool { return strings.Contains(it.Reason, want) }) {
			t.Errorf("no item says %q", want)
		}
	}
}

// An item goes when its cause does, a dismissed one stays hidden while the
// same event holds (audited), and a new deadline is a new item.
func TestItemsResolveAndDismiss(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.customer("Alpha")
	e.sub(sub{id: "s1", customer: a, product: "E3", status: "active", autoRenew: true, quantity: 10, ends: 10 * day, purchased: 10, assigned: 7})
	e.sub(sub{id: "s2", customer: a, product: "E5", status: "active", quantity: 2, ends: 12 * day})
	e.evaluate()
	if got := e.open(); !slices.Equal(got, []string{"ending s2", "renewal_unassigned s1"}) {
		t.Fatalf("open: %q", got)
	}
	e.exec(`UPDATE subscribed_skus SET consumed_units = 10 WHERE customer_id = $1`, a)
	e.evaluate()
	if got := e.open(); !slices.Equal(got, []string{"ending s2"}) {
		t.Fatalf("after assigning every seat: %q", got)
	}

	items, _, _ := e.openItems(10)
	admin, err := e.st.CreateUser(context.Background(), store.NewUser{Email: "ada@reseller.example", Role: store.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	by := store.Actor{UserID: &admin.ID, Label: admin.Email}
	if ok, err := e.att.Dismiss(context.Background(), items[0].ID, by); err != nil || !ok {
		t.Fatalf("dismiss: %v %v", ok, err)
	}
	if ok, _ := e.att.Dismiss(context.Background(), items[0].ID, by); ok {
		t.Fatal("dismissed twice")
	}
	e.evaluate()
	if got := e.open(); len(got) != 0 {
		t.Fatalf("dismissed item came back while unchanged: %q", got)
	}
	var audited int
	if err := e.st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'attention.dismissed' AND actor_user_id = $1
		AND customer_id = $2`, admin.ID, a).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("dismissal audited %d times (%v)", audited, err)
	}
	// The term was extended: a new deadline is a new event.
	e.exec(`UPDATE subscriptions SET commitment_end_date = commitment_end_date + interval '3 days' WHERE id = 's2'`)
	e.evaluate()
	if got := e.open(); !slices.Equal(got, []string{"ending s2"}) {
		t.Fatalf("new deadline: %q", got)
	}
}

// Between full runs only customers whose rows changed are re-evaluated;
// the hourly full run catches the rest.
func TestIncrementalEvaluationReadsChangedCustomersOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a, b := e.customer("Alpha"), e.customer("Bravo")
	e.sub(sub{id: "a1", customer: a, product: "E3", status: "active", quantity: 2, ends: 10 * day, syncedAgo: time.Hour})
	e.sub(sub{id: "b1", customer: b, product: "E3", status: "active", quantity: 2, ends: 10 * day, syncedAgo: time.Hour})
	if _, err := e.att.EvaluateChanged(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.open(); !slices.Equal(got, []string{"ending a1", "ending b1"}) {
		t.Fatalf("first (full) run: %q", got)
	}
	// Both stop needing attention, but only a's row says it changed.
	e.exec(`UPDATE subscriptions SET auto_renew_enabled = true, synced_at = now() WHERE id = 'a1'`)
	e.exec(`UPDATE subscriptions SET auto_renew_enabled = true, synced_at = now() - interval '1 hour' WHERE id = 'b1'`)
	e.advance(5 * time.Minute)
	if _, err := e.att.EvaluateChanged(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.open(); !slices.Equal(got, []string{"ending b1"}) {
		t.Fatalf("incremental run re-read %q, want only a's change", got)
	}
	e.advance(time.Hour)
	if _, err := e.att.EvaluateChanged(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := e.open(); len(got) != 0 {
		t.Fatalf("hourly full run left %q", got)
	}
}

// Alerts: one digest per recipient per day with each item once per lead
// time, immediate mails for windows closing, opt-outs honoured.
func TestNotifySendsDigestsOncePerLeadTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for _, u := range []store.NewUser{{Email: "ada@reseller.example", Role: store.RoleAdmin}, {Email: "sam@reseller.example", Role: store.RoleStaff},
		{Email: "old@reseller.example", Role: store.RoleStaff}} {
		if _, err := e.st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	e.exec(`UPDATE users SET disabled_at = now() WHERE email = 'old@reseller.example'`)
	a, quiet := e.customer("Alpha"), e.customer("Quiet")
	e.sub(sub{id: "renews", customer: a, product: "E3", status: "active", autoRenew: true, quantity: 10, ends: 10 * day, purchased: 10, assigned: 7})
	e.sub(sub{id: "window", customer: a, product: "E5", status: "active", autoRenew: true, quantity: 4, ends: 300 * day, windowUntil: 6 * time.Hour})
	e.sub(sub{id: "hushed", customer: quiet, product: "E3", status: "active", quantity: 1, ends: 10 * day})
	rules, err := e.st.AlertRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rules {
		if rules[i].Kind == "renewal_unassigned" {
			rules[i].ToEmails = []string{"licences@reseller.example"}
		}
	}
	if err := e.st.SaveAlertRules(ctx, rules, store.Actor{Label: "test"}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetAlertOptOut(ctx, quiet, store.AllAlerts, true, store.Actor{Label: "test"}); err != nil {
		t.Fatal(err)
	}
	e.evaluate()
	notify := func() int {
		t.Helper()
		n, err := e.att.Notify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// ada and sam: a digest and the immediate window mail; the shared
	// mailbox: the renewal's digest.
	if n := notify(); n != 5 {
		t.Fatalf("first notify queued %d mails, want 5", n)
	}
	got := e.catcher.Wait(20*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) >= 5 })
	if len(got) != 5 {
		t.Fatalf("%d mails arrived, want 5", len(got))
	}
	if len(e.catcher.To("old@reseller.example")) != 0 {
		t.Fatal("a disabled user was mailed")
	}
	for _, to := range []string{"ada@reseller.example", "sam@reseller.example"} {
		var digest, immediate int
		for _, m := range e.catcher.To(to) {
			switch {
			case strings.HasPrefix(m.Subject, "What needs attention on"):
				digest++
				if !strings.Contains(m.Text, "Renewal with unassigned seats") || !strings.Contains(m.Text, "https://portal.example/customers/"+a.String()+"/subscriptions/renews") {
					t.Errorf("%s's digest lacks the renewal: %s", to, m.Text)
				}
				if strings.Contains(m.Text, "Quiet") {
					t.Errorf("%s's digest lists an opted-out customer", to)
				}
			case strings.HasPrefix(m.Subject, "Seat reduction window closing"):
				immediate++
			}
		}
		if digest != 1 || immediate != 1 {
			t.Errorf("%s got %d digests and %d immediate mails, want 1 and 1", to, digest, immediate)
		}
	}
	shared := e.catcher.To("licences@reseller.example")
	if len(shared) != 1 || !strings.Contains(shared[0].Text, "Renewal with unassigned seats") || strings.Contains(shared[0].Text, "Seat reduction") {
		t.Fatalf("shared mailbox: %+v", shared)
	}

	// Same day, nothing new; a day later still inside the 30-day lead.
	if n := notify(); n != 0 {
		t.Fatalf("second notify queued %d mails", n)
	}
	e.advance(day)
	e.evaluate()
	if n := notify(); n != 0 {
		t.Fatalf("next day, no new lead time: %d mails", n)
	}
	// Three days later the 7-day lead time comes: a new digest each.
	e.advance(2*day + time.Hour)
	e.evaluate()
	if n := notify(); n != 3 {
		t.Fatalf("7-day lead: %d mails, want 3", n)
	}
	got = e.catcher.Wait(20*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) >= 8 })
	if len(got) != 8 {
		t.Fatalf("%d mails in all, want 8", len(got))
	}
	var deliveries int
	if err := e.st.Pool.QueryRow(ctx, `SELECT count(*) FROM alert_deliveries`).Scan(&deliveries); err != nil || deliveries == 0 {
		t.Fatalf("deliveries not recorded: %d %v", deliveries, err)
	}
}
