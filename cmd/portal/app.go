package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/attention"
	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/config"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// errHelp means -h was given: the usage is printed and the command succeeds.
var errHelp = errors.New("help requested")

// loadConfig reads the subcommand's configuration (fs.Name() names it).
// Flag problems become errUsage; the flag package has printed the usage.
func loadConfig(e env, fs *flag.FlagSet, args []string) (config.Config, error) {
	fs.SetOutput(e.stderr)
	cfg, err := config.Load(e.getenv, args, fs)
	switch {
	case err == nil:
		return cfg, nil
	case errors.Is(err, flag.ErrHelp):
		return cfg, errHelp
	case errors.Is(err, config.ErrUsage):
		return cfg, fmt.Errorf("%w: %s: %s", errUsage, fs.Name(), strings.TrimPrefix(err.Error(), config.ErrUsage.Error()+": "))
	default:
		return cfg, fmt.Errorf("%s: configuration:\n  %s", fs.Name(), strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
}

// helpOK turns a -h request into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// openStore connects to the database and checks its migrations: pending
// ones are applied when migrate is set, otherwise serving is refused.
func openStore(ctx context.Context, url string, migrate bool, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := ensureMigrated(ctx, st, migrate, log); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// errPendingMigrations is returned by serve when the schema is behind.
var errPendingMigrations = errors.New("database has pending migrations")

func ensureMigrated(ctx context.Context, st *store.Store, migrate bool, log *slog.Logger) error {
	state, err := store.Migrations(ctx, st.Pool)
	if err != nil {
		return err
	}
	if state.Current > state.Latest {
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d); run a newer portal", state.Current, state.Latest)
	}
	if state.Pending == 0 {
		return nil
	}
	if !migrate {
		return fmt.Errorf("%w (%d pending, schema at %d, binary at %d): run `portal migrate up` first (or start `portal serve` with --migrate)",
			errPendingMigrations, state.Pending, state.Current, state.Latest)
	}
	applied, err := store.MigrateUp(ctx, st.Pool)
	if err != nil {
		return err
	}
	log.Info("database migrated", "applied", applied)
	return nil
}

// portal is a running portal's parts, built the same way by serve and dev.
type portal struct {
	srv         *handlers.Server
	runner      *jobs.Runner
	sessions    *store.SessionCache
	log         *slog.Logger
	metricsAddr string // PORTAL_METRICS_ADDR; "" or "off" serves no metrics
}

// newPortal builds the Partner Center connection, the mirror (read side),
// commerce (write side), their background jobs and the web layer on st;
// mod, when set, adjusts the web layer's deps (dev pre-fills the wizard).
func newPortal(cfg config.Config, st *store.Store, log *slog.Logger, mod func(*handlers.Deps)) (*portal, error) {
	deps, err := webDeps(cfg, st, log)
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	stats, err := mirror.NewMetrics(reg, st)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	pc, err := pcconn.New(pcconn.Deps{Config: pcconn.FromSettings(st, deps.SecretBox), Logger: log, OnCall: stats.PCCall})
	if err != nil {
		return nil, err
	}
	pricer := prices.NewPricer(st)
	m, err := mirror.New(mirror.Deps{Store: st, PC: pc, Logger: log.With("component", "mirror"), Metrics: stats,
		Options: mirror.Options{IncrementalInterval: cfg.SyncInterval}, Pricer: pricer,
		AfterFullSync: []river.JobArgs{prices.RefreshArgs{}}})
	if err != nil {
		return nil, err
	}
	mailer, err := mail.New(mail.Deps{Store: st, Box: deps.SecretBox, Logger: log.With("component", "mail"), Hostname: hostOf(cfg.BaseURL)})
	if err != nil {
		return nil, err
	}
	com, err := commerce.New(commerce.Deps{Store: st, PC: pc, Mirror: m, Logger: log.With("component", "commerce"), Metrics: stats, Mail: mailer})
	if err != nil {
		return nil, err
	}
	att, err := attention.New(attention.Deps{Store: st, Mail: mailer, BaseURL: cfg.BaseURL, Logger: log.With("component", "attention")})
	if err != nil {
		return nil, err
	}
	bil, err := billing.New(billing.Deps{Store: st, PC: pc, Logger: log.With("component", "billing"), Sale: pricer, Prices: pricer})
	if err != nil {
		return nil, err
	}
	pri, err := prices.New(prices.Deps{Store: st, PC: pc, Mirror: m, Pricer: pricer, Logger: log.With("component", "prices")})
	if err != nil {
		return nil, err
	}
	runner, err := jobs.New(st, jobs.Options{Logger: log}, m, com, mailer, att, bil, pri)
	if err != nil {
		return nil, err
	}
	deps.Registry, deps.PC, deps.Commerce, deps.Mail, deps.Attention, deps.Billing, deps.Prices = reg, pc, com, mailer, att, bil, pri
	deps.SessionCache = store.NewSessionCache(st, log.With("component", "sessions"))
	if mod != nil {
		mod(&deps)
	}
	srv, err := handlers.New(deps)
	if err != nil {
		return nil, err
	}
	return &portal{srv: srv, runner: runner, sessions: deps.SessionCache, log: log, metricsAddr: cfg.MetricsAddr}, nil
}

// run starts the background jobs and serves on ln until ctx ends; then it
// drains HTTP and stops the jobs (within the shutdown timeout each), before
// the caller closes the database.
func (p *portal) run(ctx context.Context, ln net.Listener, shutdown time.Duration, announce func(setupURL string)) error {
	if p.metricsAddr != "" && p.metricsAddr != "off" {
		stop, err := serveMetrics(p.metricsAddr, p.srv, p.log)
		if err != nil {
			return err
		}
		defer stop()
	}
	if err := p.runner.Start(ctx); err != nil {
		return fmt.Errorf("start background jobs: %w", err)
	}
	if p.sessions != nil {
		sctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); p.sessions.Run(sctx) }()
		defer func() { stop(); <-done }()
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdown)
		defer cancel()
		if err := p.runner.Stop(sctx); err != nil {
			p.log.Error("stop background jobs", "err", err)
		}
	}()
	return servePortal(ctx, ln, shutdown, p.srv, p.log, announce)
}

// serveMetrics serves /metrics on a listener of its own (loopback by
// default), so the public listener never shows them; stop closes it.
func serveMetrics(addr string, srv *handlers.Server, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s (set PORTAL_METRICS_ADDR, or off): %w", addr, err)
	}
	hs := httpServer(srv.MetricsHandler(), log)
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return func() { hs.Close() }, nil
}

// webDeps builds the web layer's dependencies from the configuration.
func webDeps(cfg config.Config, st *store.Store, log *slog.Logger) (handlers.Deps, error) {
	box, err := secretBox(cfg)
	if err != nil {
		return handlers.Deps{}, err
	}
	return handlers.Deps{
		Store:          st,
		Logger:         log,
		SecretBox:      box,
		BaseURL:        cfg.BaseURL,
		SecureCookies:  strings.HasPrefix(cfg.BaseURL, "https://"),
		Version:        versionString(),
		TrustedProxies: cfg.TrustedProxies,
		PCDefaults: handlers.PCDefaults{
			TenantID:     cfg.PC.TenantID,
			ClientID:     cfg.PC.ClientID,
			ClientSecret: cfg.PC.ClientSecret,
			APIURL:       cfg.PC.APIURL,
			TokenURL:     cfg.PC.TokenURL,
			Cloud:        cfg.PC.Cloud,
		},
		OIDC: handlers.OIDCConfig{
			Issuer:         cfg.OIDC.Issuer,
			ClientID:       cfg.OIDC.ClientID,
			ClientSecret:   cfg.OIDC.ClientSecret,
			AllowedTenants: cfg.OIDC.AllowedTenants,
		},
	}, nil
}

// secretBox seals and opens the stored secrets with PORTAL_SECRET_KEY.
func secretBox(cfg config.Config) (*secrets.Box, error) {
	key, err := secrets.ParseKey(cfg.SecretKey)
	if err != nil {
		return nil, err
	}
	return secrets.New(key)
}

// httpServer returns a server with timeouts suited to a server-rendered
// site: no slow-loris headers, bounded request bodies in time, idle keep-
// alives closed after two minutes.
func httpServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// listen opens the portal's listener. When the base URL was derived from
// the address (not configured) it follows the actual port, so --addr
// 127.0.0.1:0 still prints working links.
func listen(cfg *config.Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (set --addr or PORTAL_ADDR): %w", cfg.Addr, err)
	}
	if cfg.BaseURL == config.DefaultBaseURL(cfg.Addr) {
		cfg.BaseURL = config.DefaultBaseURL(ln.Addr().String())
	}
	cfg.Addr = ln.Addr().String()
	return ln, nil
}

// servePortal serves on ln, logs the setup link while the instance has no
// admin (and passes it to announce, when set), and when ctx ends shuts down
// gracefully within timeout.
func servePortal(ctx context.Context, ln net.Listener, timeout time.Duration, srv *handlers.Server, log *slog.Logger, announce func(setupURL string)) error {
	hs := httpServer(srv.Routes(), log)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("portal listening", "addr", ln.Addr().String())

	link, err := srv.PrepareSetup(ctx)
	if err != nil && ctx.Err() == nil {
		hs.Close()
		return fmt.Errorf("prepare setup: %w", err)
	}
	if link != "" {
		// Warn so it stands out: whoever opens this link first becomes admin.
		log.Warn("no admin yet: open the one-time setup link to configure the portal", "setup_url", link)
		if announce != nil {
			announce(link)
		}
	}
	return shutdownOnDone(ctx, hs, errc, timeout, log)
}

// shutdownOnDone waits for ctx or a serve error, then drains hs.
func shutdownOnDone(ctx context.Context, hs *http.Server, errc <-chan error, timeout time.Duration, log *slog.Logger) error {
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// hostOf is the host of a URL (Message-IDs use it), "" when there is none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
