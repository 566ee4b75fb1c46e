package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// pageRow is one page's figures: the portal's, and the bare handler's
// when it ran.
type pageRow struct {
	portal, bare         result
	withBare             bool
	stmts                float64 // statements per request, from the capture
	loadPortal, loadBare string  // load average after each run
	bareErr              string  // the bare handler's first replay error
}

const rowFmt = "%-30s %7s %8s %8s %8s %8s %8s %12s %12s %6s %9s %9s %9s %8s %6s %12s %6s  %s\n"

func printHeader(out io.Writer) {
	fmt.Fprintf(out, rowFmt, "page", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "KiB/req", "portal µs/req", "Postgres µs/req", "errors",
		"stmts/req", "bare req/s", "bare p99", "bare KiB", "ratio", "bare PG µs/req", "b.errs", "load avg")
}

// ratio is the portal's req/s over the bare handler's: 1 or more means
// the portal serves the page as fast as its SQL alone allows.
func (r pageRow) ratio() float64 { return r.portal.rps / max(r.bare.rps, 1e-9) }

func printRow(out io.Writer, r pageRow) {
	f1 := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	p, b := r.portal, r.bare
	stmts, brps, bp99, bkib, ratio, bpg, berrs := "-", "-", "-", "-", "-", "-", "-"
	if r.withBare {
		stmts, brps, bp99, ratio = f1(r.stmts), fmt.Sprintf("%.0f", b.rps), f1(ms(b.p99)), fmt.Sprintf("%.2f", r.ratio())
		bpg, berrs, bkib = cpuCol(b.pgCPU, b.pgCPUOK), fmt.Sprint(b.errs), f1(float64(b.bytes)/1024/float64(max(b.n, 1)))
	}
	load := r.loadPortal
	if r.withBare {
		load += " / " + r.loadBare
	}
	fmt.Fprintf(out, rowFmt, p.name, fmt.Sprintf("%.0f", p.rps), f1(ms(p.p50)), f1(ms(p.p95)), f1(ms(p.p99)), f1(ms(p.max)),
		f1(float64(p.bytes)/1024/float64(max(p.n, 1))), cpuCol(p.srvCPU, p.serverCPUOK), cpuCol(p.pgCPU, p.pgCPUOK),
		fmt.Sprint(p.errs), stmts, brps, bp99, bkib, ratio, bpg, berrs, load)
	if p.firstErr != "" {
		fmt.Fprintf(out, "  first error: %s\n", p.firstErr)
	}
	if r.bareErr != "" {
		fmt.Fprintf(out, "  first bare replay error: %s\n", oneLine(r.bareErr))
	}
}

// printSummary prints the side-by-side table the issue asks for, as
// Markdown, ready for docs/performance.md.
func printSummary(out io.Writer, rows []pageRow) {
	fmt.Fprintf(out, "\n| page | req/s | p50 ms | p99 ms | bare req/s | bare p99 ms | ratio | stmts/req | PG µs/req | bare PG µs/req | load avg (portal / bare) |\n")
	fmt.Fprintf(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		p, b := r.portal, r.bare
		fmt.Fprintf(out, "| %s | %.0f | %.1f | %.1f | %.0f | %.1f | %.2f | %.1f | %s | %s | %s / %s |\n", p.name, p.rps, ms(p.p50), ms(p.p99),
			b.rps, ms(b.p99), r.ratio(), r.stmts, cpuCol(p.pgCPU, p.pgCPUOK), cpuCol(b.pgCPU, b.pgCPUOK), load1(r.loadPortal), load1(r.loadBare))
	}
}

func cpuCol(d time.Duration, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%d", d.Microseconds())
}

// load1 is the first (one-minute) figure of a loadAvg string.
func load1(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// oneLine shortens an error body (http.Error's, with its newline) for
// the table.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// printCapture prints what a page's capture found, and with verbose the
// first request's statements.
//
// What was dropped as a refresh is always printed: the guess that a
// statement only one request ran is a kept value's refresh could be wrong
// for a page, and it would make the bare handler look faster.
func printCapture(out io.Writer, name string, c captured, verbose bool) {
	for _, q := range c.refreshes {
		fmt.Fprintf(out, "  %s: replay leaves out, as a kept value's refresh: %s\n", name, shortSQL(q))
	}
	if !verbose {
		return
	}
	fmt.Fprintf(out, "  %s: %d requests captured, %.1f statements each; dropped %d background statements and %d refreshes of kept values\n",
		name, len(c.reqs), c.perRequest(), c.background, len(c.refreshes))
	if len(c.reqs) > 0 {
		for _, s := range c.reqs[0] {
			fmt.Fprintf(out, "    %s\n", shortSQL(s.sql))
		}
	}
}

// shortSQL is q on one line, cut to 140 bytes.
func shortSQL(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 140 {
		q = q[:140] + "…"
	}
	return q
}
