package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
)

const syncUsage = `usage: portal sync full|incremental|reconcile|catalog

Runs one sync with Partner Center in the foreground and prints its progress:
  full         import every customer with its subscriptions, orders,
               agreements and license usage (resumes an interrupted import)
  incremental  apply Partner Center's audit records since the last sync
  reconcile    compare everything and write a drift report
  catalog      mirror the offers and products of the configured countries
It needs DATABASE_URL and PORTAL_SECRET_KEY (to decrypt the stored Partner
Center secret), like serve.`

// cmdSync runs one sync job in the foreground with plain-text progress.
func cmdSync(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(e.stderr, syncUsage); fs.PrintDefaults() }
	cfg, err := loadConfig(e, fs, e.args)
	if err != nil {
		return helpOK(err)
	}
	if len(cfg.Args) != 1 {
		fmt.Fprintln(e.stderr, syncUsage)
		return fmt.Errorf("%w: sync needs exactly one of full, incremental, reconcile, catalog", errUsage)
	}
	kind := strings.ToLower(cfg.Args[0])
	switch kind {
	case mirror.KindFull, mirror.KindIncremental, mirror.KindReconcile, mirror.KindCatalog:
	default:
		fmt.Fprintln(e.stderr, syncUsage)
		return fmt.Errorf("%w: unknown sync %q", errUsage, kind)
	}
	log := cfg.Logger(e.stderr)
	// config requires PORTAL_SECRET_KEY for sync and checked its format.
	key, err := secrets.ParseKey(cfg.SecretKey)
	if err != nil {
		return fmt.Errorf("sync: PORTAL_SECRET_KEY: %w", err)
	}
	box, err := secrets.New(key)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg.DatabaseURL, false, log)
	if err != nil {
		return err
	}
	defer st.Close()
	return runSync(ctx, st, box, kind, e.stdout, log)
}

// runSync runs the sync and prints a progress line about once a second.
func runSync(ctx context.Context, st *store.Store, box *secrets.Box, kind string, out io.Writer, log *slog.Logger) error {
	var last mirror.Progress
	var mu sync.Mutex
	pc, err := pcconn.New(pcconn.Deps{Config: pcconn.FromSettings(st, box), Logger: log})
	if err != nil {
		return err
	}
	m, err := mirror.New(mirror.Deps{
		Store: st, Logger: log, PC: pc,
		Options: mirror.Options{OnProgress: func(p mirror.Progress) {
			mu.Lock()
			defer mu.Unlock()
			last = p
			// Under the lock: progress comes from several goroutines.
			fmt.Fprintln(out, progressLine(p))
		}},
	})
	if err != nil {
		return err
	}
	start := time.Now()
	id, err := m.Run(ctx, kind, mirror.RunOptions{Trigger: "cli"})
	if errors.Is(err, pcconn.ErrNotConfigured) {
		return errors.New("sync: the Partner Center connection is not set up yet (finish the setup wizard first)")
	}
	if errors.Is(err, mirror.ErrBusy) {
		return errors.New("sync: another sync is running against this database; try again when it finishes")
	}
	mu.Lock()
	p := last
	mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(out, "sync %s interrupted (run %d); run it again to resume\n", kind, id)
		}
		return fmt.Errorf("sync %s (run %d): %w", kind, id, err)
	}
	fmt.Fprintf(out, "sync %s done (run %d) in %s: %d PC calls, %d throttled, %d errors; %s\n", kind, id,
		time.Since(start).Round(time.Millisecond), p.Calls, p.Throttles, p.Errors, countsText(p.Counts))
	return nil
}

func progressLine(p mirror.Progress) string {
	const width = 30
	bar := strings.Repeat(".", width)
	pct := 0
	if p.Total > 0 {
		pct = min(100, p.Done*100/p.Total)
		n := pct * width / 100
		bar = strings.Repeat("#", n) + strings.Repeat(".", width-n)
	}
	return fmt.Sprintf("%-11s [%s] %3d%% %d/%d  calls %d  throttled %d  errors %d  %s", p.Kind, bar, pct, p.Done, p.Total,
		p.Calls, p.Throttles, p.Errors, p.Elapsed.Round(time.Second))
}

func countsText(c map[string]int) string {
	var parts []string
	for _, k := range []string{"customers", "subscriptions", "orders", "agreements", "subscribed_skus", "audit_records",
		"offers", "products", "skus", "availabilities", "drift", "customers_gone", "subscriptions_gone"} {
		if v := c[k]; v > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), v))
		}
	}
	if len(parts) == 0 {
		return "nothing changed"
	}
	return strings.Join(parts, ", ")
}
