package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// cmdSandbox runs the Partner Center sandbox standalone until ctx ends.
func cmdSandbox(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	seed := fs.Int64("seed", 1, "seed for ids, demo data and faults")
	stateFile := fs.String("state", "", "JSON file to load state from and save it to (optional)")
	orderDelay := fs.Duration("order-delay", 5*time.Second, "how long orders stay pending")
	realTime := fs.Bool("real-time", true, "sandbox clock follows wall time (false: virtual clock, advance via POST /_sandbox/clock/advance)")
	noSeed := fs.Bool("empty", false, "start without demo customers")
	readDelay := fs.Duration("read-after-create", 20*time.Second, "how long a new customer is not readable (PC: about 90s; 0 disables)")
	appOnly := fs.Bool("allow-app-only", false, "accept app-only tokens on the operations PC only allows with app+user (less strict than PC)")
	priceRows := fs.Int("price-sheet-rows", 0, "synthetic rows appended to every license-based price sheet (import benchmarks; also POST /_sandbox/pricesheet)")
	cloud := fs.String("cloud", "global", "the Partner Center to play: global, or china (operated by 21Vianet: no Azure plan, no Graph billing)")
	verbose := fs.Bool("v", false, "log every request")
	if err := fs.Parse(e.args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	sb, err := sandbox.New(sandbox.Options{Seed: *seed, RealTime: *realTime, OrderDelay: *orderDelay,
		StateFile: *stateFile, Logger: log, NoSeed: *noSeed, ReadAfterCreateDelay: *readDelay, AllowAppOnlyEverywhere: *appOnly,
		PriceSheetBulkRows: *priceRows, Cloud: *cloud})
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		sb.Close()
		return fmt.Errorf("sandbox: listen %s: %w", *addr, err)
	}
	base := "http://" + ln.Addr().String()
	c := sb.Credentials()
	fmt.Fprintf(e.stdout, `Partner Center sandbox listening on %[1]s

  API base URL   %[1]s            (PC paths under /v1)
  pricing URL    %[1]s%[5]s    (price sheets: api.partner.microsoft.com's /v1.0/sales/..., app+user)
  graph URL      %[1]s%[6]s      (Microsoft Graph billing exports /v1.0/reports/partners/billing/..., app-only;
                 POST %[1]s/_sandbox/billing tunes export delay, bulk lines, faults)
  token URL      %[1]s/%[2]s/oauth2/token          (v2: .../oauth2/v2.0/token)
  authorize URL  %[1]s/%[2]s/oauth2/v2.0/authorize  (partner admin consent, PKCE S256)
  tenant id      %[2]s
  client id      %[3]s
  client secret  %[4]s
  admin          %[1]s/_sandbox/state

Try it:
  TOKEN=$(curl -s -X POST %[1]s/%[2]s/oauth2/token -d grant_type=client_credentials \
    -d client_id=%[3]s -d client_secret=%[4]s \
    -d resource=https://api.partnercenter.microsoft.com | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" -H "X-Locale: en-US" '%[1]s/v1/offers?country=US&size=3'
`, base, c.TenantID, c.ClientID, c.ClientSecret, sandbox.PricingPathPrefix, sandbox.GraphPathPrefix)
	if *cloud == sandbox.CloudChina {
		fmt.Fprintf(e.stdout, "\nCloud: Partner Center operated by 21Vianet (choose it in the portal's settings): Azure plan purchases and Graph billing exports are refused.\n")
	}
	fmt.Fprintf(e.stdout, "\nPartner users (sign-in page of the authorize URL):\n")
	for _, u := range sb.Users() {
		mfa := "with MFA"
		if !u.MFA {
			mfa = "without MFA (Partner Center refuses its app+user calls)"
		}
		fmt.Fprintf(e.stdout, "  %-22s password %-16s %s\n", u.UPN, u.Password, mfa)
	}
	fmt.Fprintf(e.stdout, "\nStrictness: app+user-only operations (%s) %s; new customers readable after %s.\n",
		strings.Join(sandbox.AppUserOperations(), ", "), map[bool]string{true: "also accept app-only tokens", false: "refuse app-only tokens"}[*appOnly], *readDelay)
	srv := &http.Server{Handler: sb.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		// Release requests parked by injected timeouts, then drain the rest.
		closeErr := sb.Close()
		shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = srv.Shutdown(shutCtx)
		cancel()
		if err == nil {
			err = closeErr
		}
		log.Info("sandbox stopped")
		return err
	}
	sb.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("sandbox: serve: %w", err)
}
