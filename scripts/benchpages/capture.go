package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// captured is one page's SQL: the statements each of a few sequential
// requests ran, the portal's background jobs filtered out.
type captured struct {
	reqs       [][]stmt
	background int      // statements dropped as background job traffic
	refreshes  []string // statements dropped as a kept value's refresh (see dropRare)
}

// perRequest is the mean number of statements a request ran.
func (c captured) perRequest() float64 {
	n := 0
	for _, r := range c.reqs {
		n += len(r)
	}
	return float64(n) / float64(max(1, len(c.reqs)))
}

// idleSQL records the proxy for d while nothing is asked of the portal:
// what runs then is background work (River's leader election, fetches,
// the notifier), and its extended-protocol statements are filtered out of
// the captures by their SQL.
func idleSQL(ctx context.Context, p *pgProxy, d time.Duration) map[string]bool {
	p.record(true)
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	p.record(false)
	idle := map[string]bool{}
	for _, s := range p.take() {
		if !s.simple {
			idle[s.sql] = true
		}
	}
	return idle
}

// capturePage asks for k of p's URLs one after another, each through the
// next of the page's signed-in clients (as itself), and assigns each
// recorded statement to the request whose start and end enclose it.
//
// Every client asks once first, unrecorded, so the capture sees what
// the portal does over and over, not what it does once: the first
// request refreshes the values the portal keeps for a while (the
// customer list's filter counts, the catalog's facets), and a session's
// first requests after sign-in write it (the sign-in flash is consumed).
// Captured, the bare handler would replay those on every request.
func capturePage(ctx context.Context, px *pgProxy, base string, p page, clients []*http.Client, k int, idle map[string]bool) (captured, error) {
	type window struct{ from, to time.Time }
	var wins []window
	r := rand.New(rand.NewPCG(7, 11))
	get := func(i int) error {
		w := i % len(clients)
		if _, err := fetch(ctx, clients[w], base, p.path(r, w)); err != nil {
			return fmt.Errorf("capture: %w", err)
		}
		return nil
	}
	if err := warm(ctx, base, p, clients); err != nil {
		return captured{}, err
	}
	px.record(true)
	for i := range k {
		t0 := time.Now()
		if err := get(i); err != nil {
			px.record(false)
			return captured{}, err
		}
		wins = append(wins, window{t0, time.Now()})
	}
	px.record(false)
	all := px.take()
	var c captured
	for _, w := range wins {
		var in []stmt
		for _, s := range all {
			if !s.at.Before(w.from) && !s.at.After(w.to) {
				in = append(in, s)
			}
		}
		kept := foreground(in, idle)
		c.background += len(in) - len(kept)
		c.reqs = append(c.reqs, kept)
	}
	c.dropRare()
	return c, nil
}

// warm asks for one of p's URLs through each client, all at once.
func warm(ctx context.Context, base string, p page, clients []*http.Client) error {
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for w, c := range clients {
		wg.Go(func() {
			if _, err := fetch(ctx, c, base, p.path(rand.New(rand.NewPCG(uint64(w), 3)), w)); err != nil {
				errs[w] = fmt.Errorf("warm: %w", err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// dropRare drops statements whose shape only one of ten or more
// captured requests ran: a kept value whose time ran out during the
// capture (the customer counts last 10 s). A page's own statements recur,
// as its URLs differ only in their parameters or in numbers written into
// the SQL (the customer search's LIMIT and OFFSET).
func (c *captured) dropRare() {
	if len(c.reqs) < 10 {
		return
	}
	in := map[string]int{}
	for _, req := range c.reqs {
		seen := map[string]bool{}
		for _, s := range req {
			if k := shape(s.sql); !s.simple && !seen[k] {
				seen[k] = true
				in[k]++
			}
		}
	}
	for i, req := range c.reqs {
		kept := req[:0:0]
		for _, s := range req {
			if !s.simple && in[shape(s.sql)] == 1 {
				c.refreshes = append(c.refreshes, s.sql)
				continue
			}
			kept = append(kept, s)
		}
		c.reqs[i] = kept
	}
}

// foreground drops background job traffic from one request's statements
// and orders the rest connection by connection (in the order the
// connections were first used), so a transaction stays in one piece when
// it is replayed on one connection. A transaction (begin to commit or
// rollback on one connection) is dropped whole if any statement in it is
// background work, or if it is cut by the window's edge: a request's own
// transactions end before the request does.
func foreground(in []stmt, idle map[string]bool) []stmt {
	var conns []int64
	byConn := map[int64][]stmt{}
	for _, s := range in {
		if _, ok := byConn[s.conn]; !ok {
			conns = append(conns, s.conn)
		}
		byConn[s.conn] = append(byConn[s.conn], s)
	}
	var out []stmt
	for _, cn := range conns {
		var unit []stmt
		inTx := false
		flush := func(complete bool) {
			if complete && !slices.ContainsFunc(unit, func(s stmt) bool { return background(s, idle) }) {
				out = append(out, unit...)
			}
			unit = nil
		}
		for _, s := range byConn[cn] {
			switch txVerb(s) {
			case "begin":
				flush(!inTx) // a begin inside a transaction: the first one was cut
				unit, inTx = []stmt{s}, true
			case "end":
				unit = append(unit, s)
				flush(inTx) // an end without its begin started before the window
				inTx = false
			default:
				unit = append(unit, s)
				if !inTx {
					flush(true)
				}
			}
		}
		flush(!inTx)
	}
	return out
}

// txVerb tells a simple query that starts ("begin") or ends ("end") a
// transaction from any other statement ("").
func txVerb(s stmt) string {
	if !s.simple {
		return ""
	}
	q := strings.ToLower(strings.TrimSpace(s.sql))
	switch {
	case strings.HasPrefix(q, "begin"), strings.HasPrefix(q, "start transaction"):
		return "begin"
	case strings.HasPrefix(q, "commit"), strings.HasPrefix(q, "rollback"), strings.HasPrefix(q, "end"):
		return "end"
	}
	return ""
}

// background tells River's statements (its tables are river_*, and it
// listens and notifies) and those seen while the portal was idle.
func background(s stmt, idle map[string]bool) bool {
	q := strings.ToLower(s.sql)
	if strings.Contains(q, "river_") || strings.Contains(q, "pg_notify") ||
		strings.HasPrefix(strings.TrimSpace(q), "listen") || strings.HasPrefix(strings.TrimSpace(q), "unlisten") {
		return true
	}
	return !s.simple && idle[s.sql]
}

// digits are runs of digits, which shape makes one.
var digits = regexp.MustCompile(`[0-9]+`)

// shape is q with its numbers made alike.
func shape(q string) string { return digits.ReplaceAllString(q, "0") }
