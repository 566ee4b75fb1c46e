// Command benchpages is the portal's page load harness: it seeds a
// database of the design size (10,000 customers, 100,000 subscriptions,
// 100,000 order lines and audit rows, a year of invoices) by COPY, starts the real portal
// binary on it, signs in as staff, as customer users and as indirect
// resellers' users (100 resellers share the customers), and drives each
// page with 64 concurrent clients, printing per page req/s, p50/p95/p99
// and the CPU time the portal and Postgres spent per request.
//
// It is opt-in (not part of go test):
//
//	make bench-pages
//	go run ./scripts/benchpages -c 64 -d 10s -pages 'customers|audit'
//
// The database (default portal_bench on 127.0.0.1:5432) is seeded once
// and reused; -reseed drops and seeds it again. One seeded before the
// resellers existed gets them added (and its customers spread over them);
// one seeded before billing gets the invoices added.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/store"
)

// customerUsers is how many customer users are seeded (one per client at
// the default concurrency).
const customerUsers = 64

func customerUserEmail(i int) string { return fmt.Sprintf("user%d@tenant%d.example", i, i) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := runBench(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchpages:", err)
		os.Exit(1)
	}
}

func runBench(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("benchpages", flag.ContinueOnError)
	admin := fs.String("admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "Postgres URL of a database to create the bench database from")
	dbName := fs.String("db", "portal_bench", "name of the bench database")
	reseed := fs.Bool("reseed", false, "drop and seed the bench database again")
	seedOnly := fs.Bool("seed-only", false, "seed (if needed) and exit")
	conc := fs.Int("c", 64, "concurrent clients")
	dur := fs.Duration("d", 10*time.Second, "measured duration per page (a fifth more is warm-up)")
	only := fs.String("pages", "", "regexp: only pages whose name matches")
	binary := fs.String("binary", "", "run this portal binary instead of building ./cmd/portal (to compare two builds on one data set)")
	target := fs.String("url", "", "measure a portal already running on this base URL (on the bench database) instead of starting one")
	bare := fs.Bool("bare", true, "also replay each page's SQL, captured from the portal, in a bare net/http handler and compare (false: quicker, portal only)")
	captureN := fs.Int("capture", 0, "requests per page captured for the bare handler (0: one per client, -c)")
	verbose := fs.Bool("v", false, "print each page's capture and its first request's SQL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *captureN <= 0 {
		// One request per signed-in client, so the replayed writes (the
		// session's upsert) touch as many rows as the portal's clients
		// do: 20 replayed by 64 clients queued on each other's row locks.
		*captureN = *conc
	}
	if *conc > min(customerUsers, resellerUsers) {
		return fmt.Errorf("-c at most %d (one customer user and one reseller user each)", min(customerUsers, resellerUsers))
	}
	dbURL, err := withDB(*admin, *dbName)
	if err != nil {
		return err
	}
	s := defaultSizes
	if err := prepare(ctx, *admin, *dbName, dbURL, *reseed, s, out); err != nil {
		return err
	}
	if *seedOnly {
		return nil
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	if *bare && *target != "" {
		fmt.Fprintln(out, "-url: the portal runs elsewhere, so its SQL cannot be captured: no bare handler")
		*bare = false
	}
	// With the bare handler, a second portal, the capture portal, reaches
	// Postgres through the recording proxy; the measured portal and the
	// bare handler connect to Postgres directly, so the proxy's parsing
	// and extra hop take no CPU from the measured runs.
	var px *pgProxy
	var stopCapture func()
	base, pid, capBase := *target, 0, ""
	if base == "" {
		bin := *binary
		if bin == "" {
			var cleanup func()
			if bin, cleanup, err = buildPortal(ctx, out); err != nil {
				return err
			}
			defer cleanup()
		}
		// The two portals share the sessions in the database, and a
		// client's cookie (cookies ignore the port), so they share a key.
		key := secrets.GenerateKey()
		if *bare {
			cfg, err := pgx.ParseConfig(dbURL)
			if err != nil {
				return fmt.Errorf("parse %s: %w", dbURL, err)
			}
			if px, err = startProxy(net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))); err != nil {
				return err
			}
			defer px.close()
			proxied := fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", cfg.User, px.addr(), *dbName)
			if capBase, _, stopCapture, err = startPortal(ctx, bin, proxied, key, "capture portal", out); err != nil {
				return err
			}
			defer stopCapture()
		}
		var stopServer func()
		base, pid, stopServer, err = startPortal(ctx, bin, dbURL, key, "portal", out)
		if err != nil {
			return err
		}
		defer stopServer()
		// The binary's periodic jobs run once at start (attention's
		// evaluation over every customer): let them finish first.
		waitJobs(ctx, &store.Store{Pool: pool}, 2*time.Minute)
		// Every run starts from the seed's audit trail: each staff view
		// of a customer adds a row, and the rows of earlier runs (60,000
		// after a few, most on the ten big customers) slowed the
		// customer page's audit section from run to run.
		if _, err := pool.Exec(ctx, `DELETE FROM audit_log WHERE id > $1`, s.Audit); err != nil {
			return fmt.Errorf("delete the audit rows of earlier runs: %w", err)
		}
		// Then vacuum what they wrote (thousands of attention items), as
		// autovacuum would after so many inserts: without it every
		// index-only scan of those rows visits the heap (the dashboard's
		// count of open items: 1.3 ms against 0.2), and this machine's
		// Postgres runs with autovacuum off.
		if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
			return fmt.Errorf("vacuum after the jobs: %w", err)
		}
	}

	staff := make([]*http.Client, *conc)
	cust := make([]*http.Client, *conc)
	resel := make([]*http.Client, *conc)
	for w := range *conc {
		staff[w], cust[w], resel[w] = newClient(), newClient(), newClient()
		if err := signIn(ctx, staff[w], base, "staff@bench.example"); err != nil {
			return err
		}
		if err := signIn(ctx, cust[w], base, customerUserEmail(w+1)); err != nil {
			return err
		}
		if err := signIn(ctx, resel[w], base, resellerUserEmail(w+1)); err != nil {
			return err
		}
	}
	var re *regexp.Regexp
	if *only != "" {
		if re, err = regexp.Compile(*only); err != nil {
			return err
		}
	}
	var bs *bareServer
	var bareClients []*http.Client
	var idle map[string]bool
	if *bare {
		// The same pool size as the portal's: its URL sets none, so
		// pgxpool's default for this machine.
		pcfg, err := pgxpool.ParseConfig(dbURL)
		if err != nil {
			return fmt.Errorf("parse %s: %w", dbURL, err)
		}
		bpool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			return fmt.Errorf("bare handler pool: %w", err)
		}
		defer bpool.Close()
		if bs, err = startBare(bpool); err != nil {
			return err
		}
		defer bs.close()
		for range *conc {
			bareClients = append(bareClients, newClient())
		}
		idle = idleSQL(ctx, px, time.Second)
		fmt.Fprintf(out, "bare handler on %s, pool of %d connections (as the portal's); %d distinct statements ran in an idle second (background jobs, left out of the captures)\n",
			bs.base, pcfg.MaxConns, len(idle))
		if *verbose {
			for q := range idle {
				fmt.Fprintf(out, "  idle: %s\n", shortSQL(q))
			}
		}
	}
	cpu := &cpuMeter{pool: pool, db: *dbName, serverPID: pid}
	// The bare handler runs in this process, with the load client: no
	// process CPU figure for it.
	bareCPU := &cpuMeter{pool: pool, db: *dbName}
	var table []pageRow
	var order []string
	rows, err := pool.Query(ctx, `SELECT id::text FROM customers WHERE gone_at IS NULL ORDER BY lower(company_name), id`)
	if err != nil {
		return err
	}
	if order, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return err
	}
	// Each reseller user's customers in its list's order (worker w is
	// reseller user w+1).
	mine := make([][]string, *conc)
	for w := range *conc {
		rows, err := pool.Query(ctx, `SELECT c.id::text FROM users u JOIN customers c ON c.associated_partner_id = u.reseller_id::text
			WHERE lower(u.email) = lower($1) AND c.gone_at IS NULL ORDER BY lower(c.company_name), c.id`, resellerUserEmail(w+1))
		if err != nil {
			return err
		}
		if mine[w], err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		if len(mine[w]) == 0 {
			return fmt.Errorf("reseller user %s has no customers", resellerUserEmail(w+1))
		}
	}
	// The latest invoice's customers in its page's order, for the pager's
	// keyset links.
	rows, err = pool.Query(ctx, `SELECT pc_customer_id FROM billing_invoice_customers WHERE invoice_id = $1
		ORDER BY cost DESC, pc_customer_id DESC`, invoiceID(billingMonths))
	if err != nil {
		return err
	}
	billed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	type todo struct {
		p       page
		clients []*http.Client
		c       captured
	}
	var todos []todo
	for _, p := range pages(s, order, mine, billed) {
		if re != nil && !re.MatchString(p.name) {
			continue
		}
		clients := staff
		switch {
		case p.customer:
			clients = cust
		case p.reseller:
			clients = resel
		}
		todos = append(todos, todo{p: p, clients: clients})
	}
	if *bare {
		// Every page's SQL first, from the capture portal, which then
		// stops: it takes no CPU from the measured runs.
		for i := range todos {
			t := &todos[i]
			if t.c, err = capturePage(ctx, px, capBase, t.p, t.clients, *captureN, idle); err != nil {
				return fmt.Errorf("%s: %w", t.p.name, err)
			}
			printCapture(out, t.p.name, t.c, *verbose)
		}
		if stopCapture != nil {
			stopCapture()
		}
	}
	fmt.Fprintf(out, "\n%d clients, %s per page, GOMAXPROCS of the box: %d CPUs; load average before: %s\n\n", *conc, *dur, numCPU(), loadAvg())
	printHeader(out)
	for _, t := range todos {
		// The capture portal's warm-up does not warm this one.
		if err := warm(ctx, base, t.p, t.clients); err != nil {
			return fmt.Errorf("%s: %w", t.p.name, err)
		}
		row := pageRow{portal: run(ctx, base, t.p, t.clients, *dur, cpu), loadPortal: loadAvg(), withBare: *bare, stmts: t.c.perRequest()}
		if *bare && ctx.Err() == nil {
			bs.serve(t.c)
			bp := page{name: t.p.name, path: func(*rand.Rand, int) string { return "/" }}
			row.bare, row.loadBare, row.bareErr = run(ctx, bs.base, bp, bareClients, *dur, bareCPU), loadAvg(), bs.replayErr()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		printRow(out, row)
		table = append(table, row)
	}
	if *bare {
		printSummary(out, table)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return max(1, strings.Count(string(b), "processor\t:"))
}

// withDB returns admin's URL with the database name replaced.
func withDB(admin, name string) (string, error) {
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name), nil
}

// prepare creates, migrates and seeds the bench database unless it is
// already seeded (and not asked to reseed). A database that is only
// behind on migrations is migrated, keeping its data.
func prepare(ctx context.Context, admin, name, dbURL string, reseed bool, s sizes, out io.Writer) error {
	ac, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer ac.Close(ctx)
	var exists bool
	if err := ac.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	ident := pgx.Identifier{name}.Sanitize()
	if exists && reseed {
		if _, err := ac.Exec(ctx, "DROP DATABASE "+ident+" WITH (FORCE)"); err != nil {
			return err
		}
		exists = false
	}
	if !exists {
		if _, err := ac.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
			return err
		}
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := store.MigrateUp(ctx, st.Pool); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var customers int
	if err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM customers").Scan(&customers); err != nil {
		return err
	}
	if customers > 0 {
		fmt.Fprintf(out, "bench database %s: %d customers (seeded before; -reseed to start again)\n", name, customers)
		var n int
		if err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM resellers").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			// Seeded before the indirect model: add it, keeping the rest.
			fmt.Fprintf(out, "adding %d resellers and %d reseller users, every customer a reseller's\n", resellers, resellerUsers)
			if err := topUpResellers(ctx, st.Pool, s, func(f string, a ...any) { fmt.Fprintf(out, f+"\n", a...) }); err != nil {
				return err
			}
		}
		if err := st.Pool.QueryRow(ctx, "SELECT count(*) FROM billing_invoices").Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			// Seeded before billing: add it, keeping the rest.
			fmt.Fprintf(out, "adding %d monthly invoices, the latest with a line or two per subscription\n", billingMonths)
			t0 := time.Now()
			if err := topUpBilling(ctx, st.Pool, s, func(f string, a ...any) { fmt.Fprintf(out, f+"\n", a...) }); err != nil {
				return err
			}
			fmt.Fprintf(out, "added in %s\n", time.Since(t0).Round(time.Millisecond))
		}
		_, err := st.Pool.Exec(ctx, "ANALYZE")
		return err
	}
	fmt.Fprintf(out, "seeding %s: %d customers over %d resellers, about %d subscriptions (%d customers with %d), %d order lines, %d audit rows, %d monthly invoices\n",
		name, s.Customers, resellers, s.Subs, s.Big, s.BigSubs, s.Lines, s.Audit, billingMonths)
	t0 := time.Now()
	if err := seed(ctx, st.Pool, s, func(f string, a ...any) { fmt.Fprintf(out, f+"\n", a...) }); err != nil {
		return err
	}
	fmt.Fprintf(out, "seeded in %s\n", time.Since(t0).Round(time.Millisecond))
	return nil
}

// buildPortal builds ./cmd/portal into a temporary directory; cleanup
// removes it.
func buildPortal(ctx context.Context, out io.Writer) (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "benchpages-bin")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "portal")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/portal")
	build.Stdout, build.Stderr = out, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build the portal (run from the repository root): %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// startPortal runs `bin serve` on a free loopback port against dbURL,
// with the secret key given; it returns the base URL, the process id and
// a func that stops it. name labels it in the output.
func startPortal(ctx context.Context, bin, dbURL, key, name string, out io.Writer) (string, int, func(), error) {
	dir, err := os.MkdirTemp("", "benchpages")
	if err != nil {
		return "", 0, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", 0, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	logf, err := os.Create(filepath.Join(dir, "portal.log"))
	if err != nil {
		return "", 0, nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "PORTAL_ADDR="+addr, "PORTAL_BASE_URL="+base,
		"PORTAL_SECRET_KEY="+key, "PORTAL_LOG_LEVEL=warn", "PORTAL_METRICS_ADDR=off")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stopped := false
	stopFn := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
		os.RemoveAll(dir)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			stopFn()
			return "", 0, nil, errors.New("the portal did not become ready in 30s (see its log)")
		}
		time.Sleep(200 * time.Millisecond)
	}
	fmt.Fprintf(out, "%s serve (pid %d) on %s, log %s\n", name, cmd.Process.Pid, base, logf.Name())
	return base, cmd.Process.Pid, stopFn, nil
}

// waitJobs waits until no River job is running or available (up to max).
func waitJobs(ctx context.Context, st *store.Store, limit time.Duration) {
	deadline := time.Now().Add(limit)
	time.Sleep(2 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		depth, err := st.JobQueueDepth(ctx)
		if err != nil {
			return
		}
		n := int64(0)
		for _, d := range depth {
			if d.State == "running" || d.State == "available" {
				n += d.N
			}
		}
		if n == 0 {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}
