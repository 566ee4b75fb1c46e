package pccclient_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// benchRows is the size of the benchmark sheets (the import benchmark's).
const benchRows = 100_000

// heapPeak samples the live heap every millisecond until stop is called and
// returns the highest value seen (runtime/metrics: no stop-the-world).
func heapPeak() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// drainSheet reads every row and returns how many there were.
func drainSheet(b *testing.B, ps *pccclient.PriceSheet) int {
	n := 0
	for ps.Next() {
		if ps.Row().UnitPrice.IsNegative() {
			b.Fatal("negative price")
		}
		n++
	}
	if err := ps.Err(); err != nil {
		b.Fatal(err)
	}
	ps.Close()
	return n
}

// BenchmarkPriceSheetParse100k reads a 100k-row license-based sheet saved
// from the sandbox (CSV and zip) from a file: the client's own cost, with
// no HTTP server in the process. peak-heap-MiB is the live heap's peak
// while reading (the test binary's baseline included).
func BenchmarkPriceSheetParse100k(b *testing.B) {
	e := newEnv(b, sandbox.Options{PriceSheetBulkRows: benchRows}, func(c *pccclient.Config) { c.HTTPClient = nil })
	dir := b.TempDir()
	for _, tc := range []struct {
		name string
		zip  bool
	}{{"csv", false}, {"zip", true}} {
		path := filepath.Join(dir, tc.name)
		saveSheet(b, e, path, tc.zip)
		fi, _ := os.Stat(path)
		runtime.GC()
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			stop := heapPeak()
			rows := 0
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				ps, err := pccclient.ReadPriceSheet(f)
				if err != nil {
					b.Fatal(err)
				}
				rows = drainSheet(b, ps)
			}
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(fi.Size())/(1<<20), "file-MiB")
		})
	}
}

// BenchmarkPriceSheetHTTP100k downloads and reads the same sheet from the
// sandbox over loopback HTTP with GetPriceSheet (token, request, stream):
// time, allocations and heap include the sandbox writing it in-process.
func BenchmarkPriceSheetHTTP100k(b *testing.B) {
	e := newEnv(b, sandbox.Options{PriceSheetBulkRows: benchRows}, func(c *pccclient.Config) { c.HTTPClient = nil })
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		zip  bool
	}{{"csv", false}, {"zip", true}} {
		b.Run(tc.name, func(b *testing.B) {
			runtime.GC()
			b.ReportAllocs()
			stop := heapPeak()
			rows := 0
			for b.Loop() {
				ps, err := e.c.OpenPriceSheet(ctx, pccclient.PriceSheetRequest{Market: "US", View: pccclient.ViewUpdatedLicenseBased, Uncompressed: !tc.zip})
				if err != nil {
					b.Fatal(err)
				}
				rows = drainSheet(b, ps)
			}
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// saveSheet streams the US license-based sheet from the sandbox to path.
func saveSheet(b *testing.B, e *env, path string, zipped bool) {
	b.Helper()
	tok, err := e.sb.IssuePricingToken("admin@sandbox.test")
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.url+sheetPath, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if zipped {
		req.Header.Set("Accept-Encoding", "deflate")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}
