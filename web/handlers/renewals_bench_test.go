package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/store"
)

// bigCalendar serves a portal with n subscriptions (1,000 customers) and
// their lifecycle rows: term ends spread over a year, one in four with
// auto-renew off, one in 20 with a scheduled change, one in 15 with a price
// change, one in 10 with an open tranche, license usage for a tenth of the
// products; it returns the router, a signed-in staff session and a
// customer id.
func bigCalendar(tb testing.TB, n int) (http.Handler, *http.Cookie, string) {
	tb.Helper()
	ctx := tb.Context()
	now := time.Now().UTC()
	h, st := benchPortal(tb, func() time.Time { return now })
	for _, q := range []string{
		`INSERT INTO customers (id, tenant_id, company_name, address_country)
			SELECT md5('c' || g)::uuid, md5('c' || g), 'Customer ' || g, 'US' FROM generate_series(1, 1000) g`,
		`INSERT INTO subscriptions (id, customer_id, offer_id, offer_name, status, quantity, unit_type, term_duration, billing_cycle,
			auto_renew_enabled, suspension_reasons, commitment_end_date, raw)
			SELECT 'sub-' || g, md5('c' || (g % 1000 + 1))::uuid, 'P' || (g % 100) || ':0001:A', 'Product ' || (g % 100),
				CASE WHEN g % 37 = 0 THEN 'suspended' ELSE 'active' END, g % 40 + 1, 'Licenses', 'P1Y',
				CASE WHEN g % 2 = 0 THEN 'monthly' ELSE 'annual' END, g % 4 <> 0, '{}',
				date_trunc('day', $1::timestamptz) + (g % 365) * interval '1 day', jsonb_build_object('links', repeat('x', 2500))
			FROM generate_series(1, $2::int) g`,
		`INSERT INTO subscription_lifecycle (subscription_id, customer_id, status, nce, auto_renew, commitment_end_date, term_end,
			renews_at, next_item_id, next_title, next_quantity, next_term_duration, next_billing_cycle, scheduled, currency,
			current_unit_price, next_unit_price, price_source, refundable, window_closes_at)
			SELECT s.id, s.customer_id, s.status, true, s.auto_renew_enabled, s.commitment_end_date,
				s.commitment_end_date + interval '1 day', CASE WHEN s.auto_renew_enabled THEN s.commitment_end_date + interval '1 day' END,
				s.offer_id, s.offer_name, CASE WHEN g % 20 = 0 THEN s.quantity + 2 ELSE s.quantity END, 'P1Y', s.billing_cycle,
				g % 20 = 0, 'USD', 20, CASE WHEN g % 15 = 0 THEN 22 ELSE 20 END, 'price list',
				CASE WHEN g % 10 = 0 THEN 3 ELSE 0 END, CASE WHEN g % 10 = 0 THEN $1::timestamptz + (g % 7 + 1) * interval '1 day' END
			FROM subscriptions s, LATERAL (SELECT substr(s.id, 5)::int AS g) x`,
		`INSERT INTO subscription_tranches (subscription_id, allowed_until, ordinal, customer_id, quantity)
			SELECT subscription_id, window_closes_at, 0, customer_id, 3 FROM subscription_lifecycle WHERE window_closes_at IS NOT NULL`,
		`INSERT INTO subscribed_skus (customer_id, sku_id, sku_name, consumed_units, active_units)
			SELECT c.id, 'sku-' || g, 'Product ' || g, g % 30, 30 FROM generate_series(0, 99, 10) g, customers c`,
		`ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, now)
		}
		if strings.Contains(q, "$2") {
			args = append(args, n)
		}
		if _, err := st.Pool.Exec(ctx, q, args...); err != nil {
			tb.Fatalf("%v\n%s", err, q)
		}
	}
	if _, err := st.CreateUser(ctx, store.NewUser{Email: "staff@bench.example", Role: store.RoleStaff, PasswordHash: testHash()}); err != nil {
		tb.Fatal(err)
	}
	c := benchSignIn(tb, h, "staff@bench.example")
	var cust string
	if err := st.Pool.QueryRow(ctx, `SELECT md5('c' || 500)::uuid::text`).Scan(&cust); err != nil {
		tb.Fatal(err)
	}
	return h, c, cust
}

// BenchmarkRenewalCalendar measures the renewal calendar with 100,000
// subscriptions through the real router (session, role check, the keyset
// query, rendering): the default view, each filter, a customer's
// calendar and a page deep in the year. Target: p99 < 50 ms.
func BenchmarkRenewalCalendar(b *testing.B) {
	h, c, cust := bigCalendar(b, 100_000)
	after := url.QueryEscape(time.Now().UTC().Truncate(24*time.Hour).Add(200*24*time.Hour).Format(time.RFC3339Nano) + "|sub-5")
	for _, path := range []string{"/renewals", "/renewals?autorenew_off=1", "/renewals?scheduled=1", "/renewals?price=1",
		"/renewals?window=1", "/renewals?unassigned=1", "/renewals?scheduled=1&price=1&unassigned=1",
		"/customers/" + cust + "/renewals", "/renewals?after=" + after} {
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			for range 5 {
				serveTimed(b, h, c, path)
			}
			ds := make([]time.Duration, 0, b.N)
			cpu0 := processCPU()
			var body string
			for b.Loop() {
				d, rec := serveTimed(b, h, c, path)
				ds, body = append(ds, d), rec.Body.String()
			}
			if !strings.Contains(body, `data-testid="renewal"`) {
				b.Fatalf("%s lists no renewal", path)
			}
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(ds)), "go-cpu-ms/op")
			b.ReportMetric(float64(percentile(ds, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(ds, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

// TestRenewalCalendarAtScale checks the calendar of 20,000 subscriptions
// pages through a filter without repeating or losing a row.
func TestRenewalCalendarAtScale(t *testing.T) {
	t.Parallel()
	h, c, _ := bigCalendar(t, 20_000)
	seen := map[string]bool{}
	path := "/renewals?scheduled=1"
	for path != "" {
		_, rec := serveTimed(t, h, c, path)
		body := rec.Body.String()
		for _, m := range strings.Split(body, `data-subscription="`)[1:] {
			id := m[:strings.IndexByte(m, '"')]
			if seen[id] {
				t.Fatalf("%s listed twice", id)
			}
			seen[id] = true
		}
		path = ""
		if i := strings.Index(body, `data-testid="renewals-next"`); i >= 0 {
			h := body[:i]
			h = h[strings.LastIndex(h, `href="`)+6:]
			path = strings.ReplaceAll(h[:strings.IndexByte(h, '"')], "&amp;", "&")
		}
	}
	// One in 20 has a scheduled change; one in 37 of those is suspended
	// (still listed); all term ends fall within the year shown.
	if len(seen) != 20_000/20 {
		t.Fatalf("%d scheduled renewals paged through, want %d", len(seen), 20_000/20)
	}
}
