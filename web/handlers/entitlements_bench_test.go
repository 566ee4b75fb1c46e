package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// bigCustomer serves a portal whose customer has n subscriptions (one in
// five an add-on, some suspended, replaced, pending; license usage for a
// tenth of the products; raw PC resources of a realistic 2.5 kB) and returns the router and a signed-in customer
// session cookie.
func bigCustomer(tb testing.TB, n int) (http.Handler, *http.Cookie) {
	tb.Helper()
	h, st := benchPortal(tb, nil)
	id := seedBigCustomer(tb, st, n)
	if _, err := st.CreateUser(tb.Context(), store.NewUser{Email: "big@big.example", Role: store.RoleCustomer, PasswordHash: testHash(),
		CustomerID: &id, CustomerVia: "invitation"}); err != nil {
		tb.Fatal(err)
	}
	return h, benchSignIn(tb, h, "big@big.example")
}

// benchPortal serves a set-up portal on a fresh test database through the
// real router, its clock now (nil: the real one).
func benchPortal(tb testing.TB, now func() time.Time) (http.Handler, *store.Store) {
	tb.Helper()
	st := testdb.NewStore(tb)
	key, _ := secrets.ParseKey(secrets.GenerateKey())
	box, _ := secrets.New(key)
	srv, err := handlers.New(handlers.Deps{Store: st, SecretBox: box, BaseURL: "http://portal.test", Version: "bench",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.CompleteSetup(tb.Context()); err != nil {
		tb.Fatal(err)
	}
	return srv.Routes(), st
}

// benchSignIn signs the user with email in (testPassword) and returns
// the session's cookie.
func benchSignIn(tb testing.TB, h http.Handler, email string) *http.Cookie {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"email": {email}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "portal_session" {
			return c
		}
	}
	tb.Fatalf("no session after login: %d", rec.Code)
	return nil
}

// seedBigCustomer adds "Big Co" with n subscriptions (every fifth an
// add-on of the one before) and "Other Co" with as many, and returns Big
// Co's id.
func seedBigCustomer(tb testing.TB, st *store.Store, n int) uuid.UUID {
	tb.Helper()
	ctx := tb.Context()
	id, other := uuid.New(), uuid.New()
	for _, q := range []string{
		`INSERT INTO customers (id, tenant_id, company_name) VALUES ($1::uuid, $1::uuid::text, 'Big Co'), ($2::uuid, $2::uuid::text, 'Other Co')`,
		`INSERT INTO orders (id, customer_id, status, creation_date)
			SELECT 'ord-' || c.id || '-' || g, c.id, CASE WHEN g % 50 = 0 THEN 'pending' ELSE 'completed' END, now() - g * interval '1 day'
			FROM generate_series(1, 50) g, (VALUES ($1::uuid), ($2::uuid)) c(id)`,
		`INSERT INTO subscriptions (id, customer_id, parent_subscription_id, order_id, offer_name, status, quantity, unit_type,
			term_duration, billing_cycle, auto_renew_enabled, suspension_reasons, effective_start_date, commitment_end_date, raw)
			SELECT c.id || '-' || g, c.id,
				CASE WHEN g % 5 = 0 THEN c.id || '-' || (g - 1) ELSE '' END,
				'ord-' || c.id || '-' || (g % 50 + 1), 'Product ' || (g % 100), 
				CASE WHEN g % 17 = 0 THEN 'suspended' WHEN g % 23 = 0 THEN 'expired' ELSE 'active' END,
				g % 40 + 1, 'Licenses', 'P1Y', 'monthly', g % 3 <> 0, '{}', now() - interval '100 days', now() + (g % 300) * interval '1 day',
				jsonb_build_object('links', repeat('x', 2500)) || CASE WHEN g % 31 = 0
					THEN jsonb_build_object('migratedFromSubscriptionId', c.id || '-' || (g - 2)) ELSE '{}' END
			FROM generate_series(1, $3::int) g, (VALUES ($1::uuid), ($2::uuid)) c(id)`,
		`INSERT INTO subscribed_skus (customer_id, sku_id, sku_name, consumed_units, active_units)
			SELECT c.id, 'sku-' || g, 'Product ' || g, g, g + 5 FROM generate_series(0, 99, 10) g, (VALUES ($1::uuid), ($2::uuid)) c(id)`,
	} {
		args := []any{id, other}
		if strings.Contains(q, "$3") {
			args = append(args, n)
		}
		if _, err := st.Pool.Exec(ctx, q, args...); err != nil {
			tb.Fatalf("%v\n%s", err, q)
		}
	}
	if _, err := st.Pool.Exec(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	return id
}

// serveTimed requests path through the router and returns the time spent.
func serveTimed(tb testing.TB, h http.Handler, c *http.Cookie, path string) (time.Duration, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	d := time.Since(start)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: %d", path, rec.Code)
	}
	return d, rec
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// TestEntitlementPage500 checks the first page of a customer with 500
// subscriptions holds 50 products, the printable version all of them and
// neither another customer's, and logs the server time.
func TestEntitlementPage500(t *testing.T) {
	t.Parallel()
	h, c := bigCustomer(t, 500)
	var ds []time.Duration
	var body string
	for range 30 {
		d, rec := serveTimed(t, h, c, "/my/subscriptions")
		ds, body = append(ds, d), rec.Body.String()
	}
	rows, addOns := strings.Count(body, `data-testid="entitlement-row"`), strings.Count(body, `data-testid="entitlement-addon"`)
	if rows-addOns != 50 {
		t.Errorf("%d products on the first page, want 50", rows-addOns)
	}
	// The printable version is the whole list.
	_, rec := serveTimed(t, h, c, "/my/subscriptions?print=1")
	if n := strings.Count(rec.Body.String(), `data-testid="entitlement-row"`); n != 500 {
		t.Errorf("%d rows printable, want 500", n)
	}
	if n := strings.Count(rec.Body.String(), `data-testid="entitlement-addon"`); n != 100 {
		t.Errorf("%d add-ons printable, want 100", n)
	}
	if strings.Contains(body, "Other Co") {
		t.Error("another customer's data on the page")
	}
	t.Logf("entitlement page, 500 subscriptions, 30 requests: p50 %v, p99 %v", percentile(ds, 0.5), percentile(ds, 0.99))
}

// BenchmarkEntitlementPage measures the server time of the entitlement
// page and the CSV for a customer with 500 subscriptions through the real
// router (session, role check, queries, rendering). Target: p99 < 50 ms.
func BenchmarkEntitlementPage(b *testing.B) {
	h, c := bigCustomer(b, 500)
	for _, path := range []string{"/my/subscriptions", "/my/subscriptions.csv"} {
		b.Run(strings.TrimPrefix(path, "/my/"), func(b *testing.B) {
			for range 5 {
				serveTimed(b, h, c, path) // warm the pool and caches
			}
			ds := make([]time.Duration, 0, b.N)
			cpu0 := processCPU()
			for b.Loop() {
				d, _ := serveTimed(b, h, c, path)
				ds = append(ds, d)
			}
			// The portal's own CPU per request (Postgres excluded): on a
			// loaded machine the wall-clock percentiles mostly measure the
			// wait for a core.
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(ds)), "go-cpu-ms/op")
			b.ReportMetric(float64(percentile(ds, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(ds, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

// processCPU is the user and system CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCustomerStaffPages measures the staff pages of a customer with
// 500 subscriptions and of one with 10, the customer page and the view as
// the customer, through the real router, as BenchmarkEntitlementPage does.
func BenchmarkCustomerStaffPages(b *testing.B) {
	h, st := benchPortal(b, nil)
	id, small := seedBigCustomer(b, st, 500), seedBigCustomer(b, st, 10)
	if _, err := st.CreateUser(b.Context(), store.NewUser{Email: "staff@big.example", Role: store.RoleStaff, PasswordHash: testHash()}); err != nil {
		b.Fatal(err)
	}
	c := benchSignIn(b, h, "staff@big.example")
	for _, p := range []struct{ name, path string }{{"page500", "/customers/" + id.String()}, {"view500", "/customers/" + id.String() + "/view/subscriptions"},
		{"page10", "/customers/" + small.String()}, {"view10", "/customers/" + small.String() + "/view/subscriptions"}} {
		path := p.path
		b.Run(p.name, func(b *testing.B) {
			for range 5 {
				serveTimed(b, h, c, path)
			}
			ds := make([]time.Duration, 0, b.N)
			cpu0 := processCPU()
			for b.Loop() {
				d, rec := serveTimed(b, h, c, path)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, rec.Code)
				}
				ds = append(ds, d)
			}
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(ds)), "go-cpu-ms/op")
			b.ReportMetric(float64(percentile(ds, 0.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(ds, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}
