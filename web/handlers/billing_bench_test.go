package handlers_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestBillingImportBenchmark imports an invoice of 1,000,000 line items
// (the sandbox's bulk lines after one real purchase) from Graph's export:
// time and peak RSS of this process (sandbox and portal both: the blobs are
// generated, gzip'ed, downloaded, decoded and COPY'd as a stream), then
// the invoice page's latency in process and at 64 connections (wrk). It
// runs only with PORTAL_BENCH=1 (a few minutes; PORTAL_BENCH_LINES sets
// another size):
//
//	PORTAL_BENCH=1 go test ./web/handlers -run TestBillingImportBenchmark -v -timeout 30m
func TestBillingImportBenchmark(t *testing.T) {
	if os.Getenv("PORTAL_BENCH") == "" {
		t.Skip("set PORTAL_BENCH=1 to run the billing import benchmark")
	}
	lines := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("PORTAL_BENCH_LINES")); err == nil && n > 2 {
		lines = n
	}
	pe := startPCEnv(t, sandbox.Options{NoSeed: true}, true)
	pe.sb.SetBillingConfig(sandbox.BillingConfig{BulkLines: lines - 2})
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	pe.t.Logf("machine: %d CPUs, load before: %s", runtime.NumCPU(), loadavg())
	buyAndBill(t, pe)
	st := sandboxtest.NewStack(t, pe.st, sandboxtest.StackOptions{Box: pe.box, Mirror: mirror.Options{PCNow: pe.sb.Now},
		Timeout: 10 * time.Minute, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	invs := pe.sb.BillingInvoices()
	inv := invs[len(invs)-1]
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset the peak RSS (Linux)
	before := vm("VmHWM")
	start := time.Now()
	if err := st.Billing.Sync(ctx, billing.SyncArgs{Invoices: true}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := pe.st.Pool.QueryRow(ctx, `SELECT id FROM billing_imports WHERE invoice_id = $1 AND dataset = 'reconciliation'`, inv.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Billing.RunImport(ctx, id); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	var rows int64
	var state string
	if err := pe.st.Pool.QueryRow(ctx, `SELECT rows, state FROM billing_imports WHERE id = $1`, id).Scan(&rows, &state); err != nil {
		t.Fatal(err)
	}
	if state != "done" || rows != int64(inv.Lines) {
		t.Fatalf("import %s with %d rows, invoice has %d", state, rows, inv.Lines)
	}
	t.Logf("imported %d lines in %s (%.0f lines/s); peak RSS %s (at start %s); load after: %s",
		rows, took.Round(time.Millisecond), float64(rows)/took.Seconds(), vm("VmHWM"), before, loadavg())

	c := pe.client()
	pe.login(c, "staff@example.com")
	cookie := sessionCookie(c, pe.ts.URL)
	h := pe.srv.Routes()
	measure := func(name, path string, n int) {
		ds := make([]time.Duration, n)
		for i := range n + 20 {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.AddCookie(cookie)
			w := httptest.NewRecorder()
			t0 := time.Now()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", path, w.Code)
			}
			if i >= 20 {
				ds[i-20] = time.Since(t0)
			}
		}
		slices.Sort(ds)
		t.Logf("%-32s p50 %7.2f ms   p99 %7.2f ms   (n=%d)", name, ms(ds[n/2]), ms(ds[n*99/100]), n)
	}
	page := "/billing/invoices/" + inv.ID
	measure("invoice page", page, 300)
	measure("invoice page 20", page+"?page=20", 300)
	measure("invoice search", page+"?q=customer+17", 300)
	measure("billing page", "/billing", 300)
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		t.Log("wrk not installed (apt-get install -y wrk): no figure at 64 connections")
		return
	}
	stop := func() {}
	if dir := os.Getenv("PORTAL_BENCH_PROFILE"); dir != "" {
		stop = startProfiles(t, dir)
	}
	out, err := exec.CommandContext(ctx, wrk, "-t2", "-c64", "-d10s", "--latency", "-H", "Cookie: "+cookie.Name+"="+cookie.Value,
		pe.ts.URL+page).CombinedOutput()
	stop()
	if err != nil {
		t.Fatalf("wrk: %v\n%s", err, out)
	}
	t.Logf("wrk -t2 -c64 -d10s %s (load %s):\n%s", page, loadavg(), out)
	if m := regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`).FindSubmatch(out); m != nil {
		t.Errorf("wrk saw %s error responses", m[1])
	}
}

// buyAndBill buys one subscription and moves the sandbox to the day its
// month's invoice (with the bulk lines) is out; the mirror is synced.
func buyAndBill(t *testing.T, pe *pcEnv) {
	t.Helper()
	billMonth(t, pe, 10, 14)
}

// vm reads a memory figure of this process from /proc (e.g. VmHWM).
func vm(field string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			return strings.Join(strings.Fields(strings.TrimPrefix(l, field+":")), " ")
		}
	}
	return "?"
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
