package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestStaffPagesBenchmark measures the catalog search, customer list and
// customer page with 10,000 customers (100,000 subscriptions) and the
// sandbox's full catalog in the mirror: server time through the real
// router (p50, p99), then wrk at 64 connections on the customer list.
// It runs only with PORTAL_BENCH=1 (about a minute):
//
//	PORTAL_BENCH=1 go test ./web/handlers -run TestStaffPagesBenchmark -v
//
// With PORTAL_BENCH_PROFILE=dir it also writes CPU, block and mutex
// profiles of the server during the customer list's wrk run to dir
// (cpu.pprof, block.pprof, mutex.pprof).
func TestStaffPagesBenchmark(t *testing.T) {
	if os.Getenv("PORTAL_BENCH") == "" {
		t.Skip("set PORTAL_BENCH=1 to run the staff pages benchmark")
	}
	e := newPCEnv(t, true)
	e.sync("catalog")
	ctx := t.Context()
	start := time.Now()
	seed := []string{
		`INSERT INTO customers (id, tenant_id, domain, company_name, company_email, address_line1, address_city, address_postal_code,
			address_country, billing_first_name, billing_last_name, billing_email, billing_culture, billing_language, relationship)
		SELECT md5('c' || i)::uuid, md5('c' || i)::uuid::text, 'tenant' || i || '.onmicrosoft.com',
			(ARRAY['Contoso', 'Fabrikam', 'Northwind', 'Tailspin', 'Wingtip', 'Adatum', 'Litware'])[1 + i % 7] || ' ' ||
			(ARRAY['Traders', 'Systems', 'Health', 'Logistics', 'Studios'])[1 + (i / 7) % 5] || ' ' || i,
			'info@tenant' || i || '.example', i || ' Main Street', 'Springfield', '12345', 'US', 'Pat', 'Doe',
			'billing@tenant' || i || '.example', 'en-US', 'en', 'reseller'
		FROM generate_series(1, 10000) i`,
		`INSERT INTO subscriptions (id, customer_id, parent_subscription_id, offer_id, offer_name, friendly_name, status, quantity,
			unit_type, term_duration, billing_cycle, auto_renew_enabled, commitment_end_date)
		SELECT 'sub-' || i || '-' || j, md5('c' || i)::uuid, CASE WHEN j > 7 THEN 'sub-' || i || '-1' ELSE '' END,
			'offer-' || j, (ARRAY['Microsoft 365 E3', 'Microsoft 365 E5', 'Office 365 E1', 'Exchange Online (Plan 1)', 'Teams Essentials',
			'Visio Plan 2', 'Project Plan 3', 'Defender for Office 365', 'Audio Conferencing', 'Phone System'])[j], '',
			CASE WHEN (i * j) % 97 = 0 THEN 'suspended' ELSE 'active' END, 1 + (i * j) % 250, 'Licenses', 'P1Y', 'monthly', true,
			now() + ((i * 7 + j * 13) % 365) * interval '1 day'
		FROM generate_series(1, 10000) i, generate_series(1, 10) j`,
		`INSERT INTO agreements (customer_id, agreement_type, template_id, date_agreed, contact_first_name, contact_last_name, contact_email)
		SELECT md5('c' || i)::uuid, 'MicrosoftCustomerAgreement', '117a77b0-9360-443b-8795-c6dedc750cf9', now() - interval '100 days',
			'Pat', 'Doe', 'pat@tenant' || i || '.example' FROM generate_series(1, 10000) i WHERE i % 10 <> 0`,
		`INSERT INTO subscribed_skus (customer_id, sku_id, sku_part_number, sku_name, active_units, consumed_units)
		SELECT md5('c' || i)::uuid, 'sku-' || k, 'PART' || k, 'License ' || k, 10 + k, (i + k) % 15
		FROM generate_series(1, 10000) i, generate_series(1, 3) k`,
		`INSERT INTO orders (id, customer_id, status, billing_cycle, currency_code, total_price, creation_date)
		SELECT 'order-' || i || '-' || k, md5('c' || i)::uuid, 'completed', 'monthly', 'USD', 100 + k, now() - k * interval '30 days'
		FROM generate_series(1, 10000) i, generate_series(1, 3) k`,
		`INSERT INTO order_line_items (order_id, line_item_number, offer_id, quantity)
		SELECT 'order-' || i || '-' || k, 0, 'offer-' || k, 5 FROM generate_series(1, 10000) i, generate_series(1, 3) k`,
		`INSERT INTO audit_log (at, actor, action, customer_id, outcome)
		SELECT now() - (i + k) * interval '1 hour', 'staff@example.com', 'pc.patch_subscription', md5('c' || i)::uuid, 'ok'
		FROM generate_series(1, 10000) i, generate_series(1, 5) k`,
		`INSERT INTO pc_audit_records (id, customer_id, operation_type, operation_status, operation_date, resource_type)
		SELECT 'rec-' || i || '-' || k, md5('c' || i)::uuid, 'update_subscription', 'succeeded', now() - (i + k) * interval '1 minute', 'subscription'
		FROM generate_series(1, 10000) i, generate_series(1, 5) k`,
		`ANALYZE`,
	}
	for _, q := range seed {
		if _, err := e.st.Pool.Exec(ctx, q); err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
	t.Logf("seeded 10,000 customers, 100,000 subscriptions in %s", time.Since(start).Round(time.Millisecond))

	c := e.client()
	e.login(c, "staff@example.com")
	cookie := sessionCookie(c, e.ts.URL)
	h := e.srv.Routes()
	measure := func(name string, n int, path func(i int) string) {
		get := func(p string) time.Duration {
			req := httptest.NewRequest(http.MethodGet, p, nil)
			req.AddCookie(cookie)
			w := httptest.NewRecorder()
			t0 := time.Now()
			h.ServeHTTP(w, req)
			d := time.Since(t0)
			if w.Code != http.StatusOK {
				t.Fatalf("%s: GET %s: %d", name, p, w.Code)
			}
			return d
		}
		for i := range 20 {
			get(path(i))
		}
		ds := make([]time.Duration, n)
		for i := range n {
			ds[i] = get(path(i))
		}
		slices.Sort(ds)
		t.Logf("%-34s p50 %7.2f ms   p99 %7.2f ms   (n=%d)", name, ms(ds[n/2]), ms(ds[n*99/100]), n)
	}
	queries := []string{"office", "microsoft 365", "exchange", "teams", "azure", "visio"}
	measure("catalog search (q + filter)", 500, func(i int) string {
		return "/catalog?country=US&q=" + strings.ReplaceAll(queries[i%len(queries)], " ", "+") + "&addon=base"
	})
	measure("catalog list (no query)", 500, func(int) string { return "/catalog?country=US" })
	measure("customer list (page 1)", 500, func(int) string { return "/customers" })
	measure("customer list (page 100)", 300, func(int) string { return "/customers?page=100" })
	names := []string{"contoso", "north", "wingtip+health", "tenant12", "litware"}
	measure("customer search + filter", 300, func(i int) string {
		return "/customers?q=" + names[i%len(names)] + []string{"", "&noagreement=1", "&suspended=1", "&renewals=1"}[i%4]
	})
	measure("customer page", 500, func(i int) string {
		var id string
		e.st.Pool.QueryRow(ctx, `SELECT md5('c' || $1::int)::uuid::text`, 1+(i*7919)%10000).Scan(&id)
		return "/customers/" + id
	})

	wrk, err := exec.LookPath("wrk")
	if err != nil {
		t.Log("wrk not installed (apt-get install -y wrk): no throughput figure")
		return
	}
	// The list, the list's first 20 pages at random (identical concurrent
	// requests are rarer), then two baselines on the same box: a signed-in
	// page that does one small query (a customer that does not exist:
	// session, user, one lookup) and a static file (no database at all).
	script := filepath.Join(t.TempDir(), "pages.lua")
	if err := os.WriteFile(script, []byte(`function init(args) math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 1000003) end
function request() return wrk.format(nil, "/customers?page=" .. math.random(1, 20)) end
`), 0o644); err != nil {
		t.Fatal(err)
	}
	profDir := os.Getenv("PORTAL_BENCH_PROFILE")
	for _, path := range []string{"/customers", "/customers?page=1..20", "/customers/00000000-0000-4000-8000-000000000000", "/static/css/app.css"} {
		stop := func() {}
		if profDir != "" && path == "/customers" {
			stop = startProfiles(t, profDir)
		}
		// CPU time of this process and of the database's backends: per
		// request, it is the figure other load on the box disturbs least.
		cpu := measureCPU(t, e)
		args := []string{"-t2", "-c64", "-d10s", "--latency", "-H", "Cookie: " + cookie.Name + "=" + cookie.Value, e.ts.URL + path}
		if strings.Contains(path, "..") {
			args = append(args[:len(args)-1], "-s", script, e.ts.URL+"/customers")
		}
		out, err := exec.CommandContext(ctx, wrk, args...).CombinedOutput()
		goCPU, pgCPU, cpuOK := cpu()
		stop()
		if err != nil {
			t.Fatalf("wrk: %v\n%s", err, out)
		}
		t.Logf("wrk -t2 -c64 -d10s %s:\n%s", path, out)
		if m := regexp.MustCompile(`(\d+) requests in`).FindSubmatch(out); m != nil && cpuOK {
			n, _ := strconv.Atoi(string(m[1]))
			perReq := func(ticks int64) float64 { return float64(ticks) * 1e4 / float64(max(n, 1)) } // 100 ticks/s -> µs
			t.Logf("CPU per request %s: server %.0f µs, Postgres %.0f µs", path, perReq(goCPU), perReq(pgCPU))
		}
		if m := regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`).FindSubmatch(out); m != nil && (path == "/customers" || strings.HasPrefix(path, "/customers?")) {
			t.Errorf("wrk saw %s error responses", m[1])
		}
	}
}

// procTicks returns the user+system CPU ticks (1/100 s) process pid has
// used (-1 if it is gone or there is no /proc).
func procTicks(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return -1
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}

// measureCPU samples, every 100 ms until the returned func is called, the
// CPU ticks of this process and of the Postgres backends serving e's
// database; the func returns the ticks each side used in between.
// Backends come and go (a request cancelled when wrk stops closes its
// connection), so each is counted from its first to its last sample, from
// zero if it started in between.
func measureCPU(t *testing.T, e *pcEnv) func() (goTicks, pgTicks int64, ok bool) {
	t.Helper()
	pids := func() []string {
		rows, err := e.st.Pool.Query(context.Background(), "SELECT pid::text FROM pg_stat_activity WHERE datname = current_database()")
		if err != nil {
			return nil
		}
		p, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		return p
	}
	first, last := map[string]int64{}, map[string]int64{}
	sample := func(initial bool) {
		for _, pid := range pids() {
			v := procTicks(pid)
			if v < 0 {
				continue
			}
			if _, seen := first[pid]; !seen {
				first[pid] = 0
				if initial {
					first[pid] = v
				}
			}
			last[pid] = v
		}
	}
	self0 := procTicks("self")
	sample(true)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample(false)
			}
		}
	}()
	return func() (int64, int64, bool) {
		close(done)
		<-stopped
		self1 := procTicks("self")
		if self0 < 0 || self1 < 0 {
			return 0, 0, false
		}
		var pg int64
		for pid, v := range last {
			pg += v - first[pid]
		}
		return self1 - self0, pg, true
	}
}

// startProfiles starts a CPU profile and block/mutex sampling; the
// returned func stops them and writes the three profiles to dir.
func startProfiles(t *testing.T, dir string) func() {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Fatal(err)
	}
	runtime.SetBlockProfileRate(10000) // one sample per 10µs blocked
	runtime.SetMutexProfileFraction(5)
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		for _, name := range []string{"block", "mutex"} {
			pf, err := os.Create(filepath.Join(dir, name+".pprof"))
			if err != nil {
				t.Fatal(err)
			}
			if err := pprof.Lookup(name).WriteTo(pf, 0); err != nil {
				t.Fatal(err)
			}
			pf.Close()
		}
		runtime.SetBlockProfileRate(0)
		runtime.SetMutexProfileFraction(0)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
