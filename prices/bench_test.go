package prices_test

import (
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/prices"
)

// TestImportBenchmark imports a price sheet of 100,000 synthetic rows (and
// the seed catalog's) and reports the time and the Go heap's peak. Opt-in:
// PORTAL_BENCH=1 go test ./prices -run TestImportBenchmark -v
func TestImportBenchmark(t *testing.T) {
	if os.Getenv("PORTAL_BENCH") == "" {
		t.Skip("set PORTAL_BENCH=1 to run")
	}
	env := sandboxtest.NewEnv(t, sandbox.Options{}, sandboxtest.StackOptions{Timeout: 10 * time.Minute})
	env.Run(mirror.KindCatalog)
	env.SB.SetPriceSheetBulkRows(100_000)
	s := newService(t, env, prices.Options{})
	ctx := context.Background()
	tx, err := env.Store.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := env.Store.CreatePriceSheetImport(ctx, tx, "US", prices.View, "current", time.Now(), "bench", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var peak uint64
	done := make(chan struct{})
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
				metrics.Read(sample)
				peak = max(peak, sample[0].Value.Uint64())
			}
		}
	}()
	start := time.Now()
	if err := s.Import(ctx, id); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	close(done)
	imp, err := env.Store.PriceSheetImport(ctx, id)
	if err != nil || imp.State != "done" || imp.Rows < 100_000 {
		t.Fatalf("import %+v, %v", imp, err)
	}
	var rss string
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				rss = l
			}
		}
	}
	t.Logf("%d rows in %s (%.0f rows/s); Go memory peak %.1f MiB; process %s (sandbox included)", imp.Rows, took.Round(time.Millisecond),
		float64(imp.Rows)/took.Seconds(), float64(peak)/(1<<20), rss)
}
