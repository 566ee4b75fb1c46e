package attention_test

import (
	"context"
	"syscall"
	"testing"
)

// fillMirror writes customers with ten subscriptions each (about one in
// four renewing within 30 days, one in ten with auto-renew off, a few
// suspended or with a reduce window closing) and their licence usage,
// set-based.
func (e *env) fillMirror(customers int) {
	e.t.Helper()
	e.exec(`INSERT INTO customers (id, company_name, domain, synced_at)
		SELECT md5('c' || i)::uuid, 'Customer ' || i, 'c' || i || '.example', now() - interval '2 hours' FROM generate_series(1, $1::int) i`, customers)
	e.exec(`INSERT INTO subscriptions (id, customer_id, offer_name, status, quantity, billing_type, auto_renew_enabled, commitment_end_date,
			cancellation_allowed_until, synced_at)
		SELECT 's' || i || '-' || j, md5('c' || i)::uuid, 'Product ' || j, CASE WHEN (i + j) % 50 = 0 THEN 'suspended' ELSE 'active' END,
			10 + j, 'license', (i + j) % 10 <> 0, $2::timestamptz + make_interval(days => ((i * 7 + j * 13) % 120) + 1),
			CASE WHEN (i + j) % 97 = 0 THEN $2::timestamptz + interval '5 hours' END, now() - interval '2 hours'
		FROM generate_series(1, $1::int) i, generate_series(1, 10) j`, customers, e.now())
	e.exec(`INSERT INTO subscribed_skus (customer_id, sku_id, sku_name, active_units, consumed_units, synced_at)
		SELECT md5('c' || i)::uuid, 'sku' || j, 'Product ' || j, 10 + j, CASE WHEN (i + j) % 3 = 0 THEN 10 + j ELSE 8 END, now() - interval '2 hours'
		FROM generate_series(1, $1::int) i, generate_series(1, 10) j`, customers)
	e.exec(`ANALYZE`)
}

// peakRSSMiB is the process's peak resident set so far.
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

// BenchmarkEvaluate: the evaluation over 10k customers and 100k
// subscriptions, in full (the hourly run; target under 10 s) and
// incrementally after a sync changed 1% of the customers.
func BenchmarkEvaluate(b *testing.B) {
	e := newEnv(b)
	e.fillMirror(10_000)
	ctx := context.Background()
	b.Run("full", func(b *testing.B) {
		var n int
		for b.Loop() {
			var err error
			if n, err = e.att.Evaluate(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "items")
		b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
	})
	b.Run("changed-1pct", func(b *testing.B) {
		var n int
		for b.Loop() {
			b.StopTimer()
			e.exec(`UPDATE subscriptions SET quantity = quantity + 1, synced_at = now() WHERE customer_id IN
				(SELECT md5('c' || i)::uuid FROM generate_series(1, 10000, 100) i) AND id LIKE '%-1'`)
			// The last full run is recent; the clock stands still, so the
			// rows changed since are those this iteration touched.
			if _, err := e.att.Evaluate(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			var err error
			if n, err = e.att.EvaluateChanged(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n), "items")
		b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
	})
}
