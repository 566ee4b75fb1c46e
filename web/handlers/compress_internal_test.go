package handlers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestChooseEncoding(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"gzip, deflate, br, zstd"}, "zstd"}, // Chrome
		{[]string{"gzip, deflate, br"}, "gzip"},       // Safari
		{[]string{"deflate"}, "deflate"},
		{[]string{"br"}, ""},
		{[]string{"identity"}, ""},
		{[]string{"gzip;q=0"}, ""},
		{[]string{"gzip;q=0, deflate"}, "deflate"},
		{[]string{"zstd;q=0, gzip"}, "gzip"},
		{[]string{"zstd;q=0.5, gzip;q=1.0"}, "gzip"},
		{[]string{"zstd;q=0.5, gzip;q=0.5"}, "zstd"},
		{[]string{"GZIP ; Q=0.8"}, "gzip"},
		{[]string{"*"}, "zstd"},
		{[]string{"*;q=0"}, ""},
		{[]string{"*;q=0, gzip"}, "gzip"},
		{[]string{"zstd;q=0, *"}, "gzip"},
		{[]string{"gzip;q=abc"}, ""},
		{[]string{"gzip;q=2"}, ""},
		{[]string{"deflate", "gzip"}, "gzip"}, // two header lines
		{[]string{",, ;q=1, gzip"}, "gzip"},
	} {
		if got := chooseEncoding(tc.header); got != tc.want {
			t.Errorf("chooseEncoding(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

// BenchmarkCompressPage compresses a 37 KB page of fifty table rows, about
// the audit page, in each encoding a browser may ask for.
func BenchmarkCompressPage(b *testing.B) {
	var page strings.Builder
	page.WriteString("<!doctype html><html><head><title>Audit trail</title></head><body><table><tbody>")
	for i := range 50 {
		fmt.Fprintf(&page, `<tr data-testid="audit-row"><td class="small nowrap">2026-12-07 02:%02d:32 UTC</td><td data-testid="audit-actor">staff@bench.example</td>`+
			`<td><span data-testid="audit-action" title="customer_view.viewed_as">Viewed as the customer</span> <br><span class="small muted">customer %08x-aee6-552a-94ea-7f5d9c72dc2c</span></td>`+
			`<td><a href="/customers/%08x-aee6-552a-94ea-7f5d9c72dc2c">Proseware Traders %d</a></td><td class="small"><p class="audit-detail">/customers/%08x-aee6-552a-94ea-7f5d9c72dc2c/view/subscriptions</p></td>`+
			`<td data-testid="audit-status"><span class="status status-done">done</span></td></tr>`, i, i*7919, i*7919, i, i*7919)
	}
	page.WriteString("</tbody></table></body></html>")
	body := []byte(page.String())
	h := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}))
	for _, enc := range []string{"zstd", "gzip"} {
		b.Run(enc, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "/audit", nil)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			var out int
			for b.Loop() {
				r.Header.Set("Accept-Encoding", enc)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				out = w.Body.Len()
			}
			b.ReportMetric(float64(out), "bytes-sent")
		})
	}
}
