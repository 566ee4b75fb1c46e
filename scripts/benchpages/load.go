package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// page is one line of the table: a name, who asks, and the URL of a
// request (drawn at random, so no single cached URL is measured).
type page struct {
	name     string
	customer bool // asked by customer users
	reseller bool // asked by reseller users (else staff)
	path     func(r *rand.Rand, worker int) string
}

// pages returns the measured pages for the seeded sizes.
// order is the customer list's order (ids), for the keyset links; mine
// is each reseller user's (worker's) customers in its list's order;
// billed is the latest invoice's customers (PC's ids) in its page's order.
func pages(s sizes, order []string, mine [][]string, billed []string) []page {
	small := func(r *rand.Rand) int { return s.Big + 1 + r.IntN(s.Customers-s.Big) }
	big := func(r *rand.Rand) int { return 1 + r.IntN(s.Big) }
	searches := searchTerms(s)
	latest := invoiceID(billingMonths)
	return []page{
		{name: "customers ?page=1..200", path: func(r *rand.Rand, _ int) string {
			return "/customers?page=" + strconv.Itoa(1+r.IntN(max(1, s.Customers/50)))
		}},
		{name: "customers ?after= (keyset)", path: func(r *rand.Rand, _ int) string {
			n := 2 + r.IntN(max(1, len(order)/50-1)) // the link page n-1's "Next page" has
			return "/customers?page=" + strconv.Itoa(n) + "&after=" + order[(n-1)*50-1]
		}},
		{name: "customers ?q= (1,000 terms)", path: func(r *rand.Rand, _ int) string {
			return "/customers?q=" + url.QueryEscape(searches[r.IntN(len(searches))])
		}},
		{name: "customer page (10 subs)", path: func(r *rand.Rand, _ int) string { return "/customers/" + customerID(small(r)).String() }},
		{name: "customer page (500 subs)", path: func(r *rand.Rand, _ int) string { return "/customers/" + customerID(big(r)).String() }},
		{name: "catalog ?country=US", path: func(*rand.Rand, int) string { return "/catalog?country=US" }},
		{name: "catalog ?country=US&q=", path: func(r *rand.Rand, _ int) string {
			words := strings.Fields(products[r.IntN(len(products))])
			return "/catalog?country=US&q=" + url.QueryEscape(words[r.IntN(len(words))])
		}},
		{name: "audit", path: func(*rand.Rand, int) string { return "/audit" }},
		{name: "audit ?customer=", path: func(r *rand.Rand, _ int) string {
			return "/audit?customer=" + customerID(1+r.IntN(s.Customers)).String()
		}},
		{name: "view as customer (10 subs)", path: func(r *rand.Rand, _ int) string {
			return "/customers/" + customerID(small(r)).String() + "/view/subscriptions"
		}},
		{name: "view as customer (500 subs)", path: func(r *rand.Rand, _ int) string {
			return "/customers/" + customerID(big(r)).String() + "/view/subscriptions"
		}},
		{name: "resellers ?page=1..2", path: func(r *rand.Rand, _ int) string {
			return "/resellers?page=" + strconv.Itoa(1+r.IntN((resellers+49)/50))
		}},
		{name: "dashboard /", path: func(*rand.Rand, int) string { return "/" }},
		{name: "renewals", path: func(*rand.Rand, int) string { return "/renewals" }},
		// Billing: the invoices, and the latest invoice's customers (its
		// pager), one customer's charges and the reconciliation.
		{name: "billing", path: func(*rand.Rand, int) string { return "/billing" }},
		{name: "billing/invoices/{id} ?page=1..200", path: func(r *rand.Rand, _ int) string {
			return "/billing/invoices/" + latest + "?page=" + strconv.Itoa(1+r.IntN((s.Customers+49)/50))
		}},
		{name: "billing/invoices/{id} ?after= (keyset)", path: func(r *rand.Rand, _ int) string {
			n := 2 + r.IntN(max(1, len(billed)/50-1)) // the link page n-1's "Next" has
			return "/billing/invoices/" + latest + "?after=" + url.QueryEscape(billed[(n-1)*50-1]) + "&page=" + strconv.Itoa(n)
		}},
		{name: "billing/invoices/{id}/customers/{pc} (10 subs)", path: func(r *rand.Rand, _ int) string {
			return "/billing/invoices/" + latest + "/customers/" + customerID(small(r)).String()
		}},
		{name: "billing/invoices/{id}/customers/{pc} (500 subs)", path: func(r *rand.Rand, _ int) string {
			return "/billing/invoices/" + latest + "/customers/" + customerID(big(r)).String()
		}},
		{name: "billing/invoices/{id}/reconciliation", path: func(*rand.Rand, int) string {
			return "/billing/invoices/" + latest + "/reconciliation"
		}},
		// Customer users: worker w is customer w+1's user, so the first
		// s.Big workers are big customers.
		{name: "my/subscriptions (customer)", customer: true, path: func(*rand.Rand, int) string { return "/my/subscriptions" }},
		{name: "my/orders (customer)", customer: true, path: func(*rand.Rand, int) string { return "/my/orders" }},
		{name: "my/charges (customer)", customer: true, path: func(*rand.Rand, int) string { return "/my/charges" }},
		// Reseller users: worker w is reseller user w+1, whose reseller has
		// about s.Customers/resellers customers.
		{name: "reseller/customers ?page=", reseller: true, path: func(r *rand.Rand, w int) string {
			return "/reseller/customers?page=" + strconv.Itoa(1+r.IntN((len(mine[w])+49)/50))
		}},
		{name: "reseller/customers/{id}", reseller: true, path: func(r *rand.Rand, w int) string {
			return "/reseller/customers/" + mine[w][r.IntN(len(mine[w]))]
		}},
	}
}

// searchTerms returns 1,000 distinct searches: name prefixes, whole
// names, domains, tenant-number prefixes and words from inside names.
func searchTerms(s sizes) []string {
	seen := map[string]bool{}
	var out []string
	add := func(q string) {
		if !seen[q] && len(out) < 1000 {
			seen[q] = true
			out = append(out, q)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for len(out) < 1000 {
		i := 1 + r.IntN(s.Customers)
		switch r.IntN(5) {
		case 0:
			n := strings.ToLower(namesA[i%len(namesA)])
			add(n[:3+r.IntN(len(n)-3)])
		case 1:
			add(companyName(i))
		case 2:
			add("tenant" + strconv.Itoa(i) + ".onmicrosoft")
		case 3:
			add("tenant" + strconv.Itoa(i/10))
		default:
			add(strings.ToLower(namesB[r.IntN(len(namesB))]) + " " + strconv.Itoa(i))
		}
	}
	return out
}

// client is one simulated user: a browser with keep-alive and its own
// session cookie. It asks for what Chrome asks for (acceptEncoding) and,
// like wrk, does not decode the answer: a browser decodes on its own
// machine, and here the decoding would take CPU from the two cores the
// portal and Postgres share.
func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signIn posts the sign-in form and fails unless the portal redirects.
func signIn(ctx context.Context, c *http.Client, base, email string) error {
	form := url.Values{"email": {email}, "password": {benchPassword}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign in %s: status %d", email, resp.StatusCode)
	}
	return nil
}

// result is one page's figures.
type result struct {
	name                 string
	n, errs              int
	rps                  float64
	p50, p95, p99, max   time.Duration
	bytes                int64
	pgCPU, srvCPU        time.Duration // per request
	firstErr             string
	pgCPUOK, serverCPUOK bool
}

// run drives p with one goroutine per client for d (after a short
// warm-up), each client signed in as itself.
// acceptEncoding is Chrome's Accept-Encoding.
const acceptEncoding = "gzip, deflate, br, zstd"

// fetch GETs base+path through c and reads the whole answer; a status
// other than 200 is an error. It returns the bytes read, as sent (an
// answer compressed is counted compressed).
func fetch(ctx context.Context, c *http.Client, base, path string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", path, err)
	}
	req.Header.Set("Accept-Encoding", acceptEncoding)
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return n, nil
}

func run(ctx context.Context, base string, p page, clients []*http.Client, d time.Duration, cpu *cpuMeter) result {
	var mu sync.Mutex
	var lat []time.Duration
	res := result{name: p.name}
	warm := time.Now().Add(d / 5)
	stop := warm.Add(d)
	var wg sync.WaitGroup
	var measure func() (time.Duration, time.Duration, bool, bool)
	var once sync.Once
	for w, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			var mine []time.Duration
			var errs, n int
			var bytes int64
			var firstErr string
			for {
				now := time.Now()
				if now.After(stop) || ctx.Err() != nil {
					break
				}
				if !now.Before(warm) {
					once.Do(func() { measure = cpu.start() })
				}
				path := p.path(r, w)
				t0 := time.Now()
				nb, err := fetch(ctx, c, base, path)
				el := time.Since(t0)
				if t0.Add(el).Before(warm) {
					continue
				}
				n++
				bytes += nb
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				mine = append(mine, el)
			}
			mu.Lock()
			lat = append(lat, mine...)
			res.n += n
			res.errs += errs
			res.bytes += bytes
			if res.firstErr == "" {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if measure != nil {
		pg, srv, pgOK, srvOK := measure()
		if res.n > 0 {
			res.pgCPU, res.srvCPU = pg/time.Duration(res.n), srv/time.Duration(res.n)
		}
		res.pgCPUOK, res.serverCPUOK = pgOK, srvOK
	}
	res.rps = float64(res.n) / d.Seconds()
	if len(lat) > 0 {
		slices.Sort(lat)
		q := func(f float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*f))] }
		res.p50, res.p95, res.p99, res.max = q(0.50), q(0.95), q(0.99), lat[len(lat)-1]
	}
	return res
}

// cpuMeter measures the CPU time the portal process and the Postgres
// backends of the bench database use between start and stop, from
// /proc (clock ticks, 1/100 s): the figure other load on a shared
// machine disturbs least.
type cpuMeter struct {
	pool      *pgxpool.Pool
	db        string
	serverPID int // 0 when the portal runs elsewhere
}

func (m *cpuMeter) start() func() (pg, srv time.Duration, pgOK, srvOK bool) {
	first, last := map[string]int64{}, map[string]int64{}
	sample := func(initial bool) {
		rows, err := m.pool.Query(context.Background(), "SELECT pid::text FROM pg_stat_activity WHERE datname = $1", m.db)
		if err != nil {
			return
		}
		var pids []string
		for rows.Next() {
			var p string
			if rows.Scan(&p) == nil {
				pids = append(pids, p)
			}
		}
		rows.Close()
		for _, pid := range pids {
			v := procTicks(pid)
			if v < 0 {
				continue
			}
			if _, ok := first[pid]; !ok {
				first[pid] = 0
				if initial {
					first[pid] = v
				}
			}
			last[pid] = v
		}
	}
	srv0 := int64(-1)
	if m.serverPID > 0 {
		srv0 = procTicks(strconv.Itoa(m.serverPID))
	}
	sample(true)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample(false)
			}
		}
	}()
	return func() (time.Duration, time.Duration, bool, bool) {
		close(done)
		<-stopped
		sample(false)
		var pg int64
		for pid, v := range last {
			pg += v - first[pid]
		}
		var srv int64
		srvOK := false
		if srv0 >= 0 {
			if v := procTicks(strconv.Itoa(m.serverPID)); v >= 0 {
				srv, srvOK = v-srv0, true
			}
		}
		tick := 10 * time.Millisecond
		return time.Duration(pg) * tick, time.Duration(srv) * tick, len(last) > 0, srvOK
	}
}

// procTicks returns the user+system CPU ticks process pid has used, -1
// when it is gone or there is no /proc.
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

// loadAvg is /proc/loadavg's first three fields.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
