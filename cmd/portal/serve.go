package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/cspportal/portal/web/handlers"
)

// cmdServe runs the web portal against an existing database:
// configuration -> database (pending migrations refused unless --migrate)
// -> web layer -> one-time setup link while no admin exists -> HTTP until
// SIGINT/SIGTERM, then a graceful shutdown.
func cmdServe(ctx context.Context, e env) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg, err := loadConfig(e, fs, e.args)
	if err != nil {
		return helpOK(err)
	}
	if len(cfg.Args) > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, cfg.Args)
	}
	log := cfg.Logger(e.stderr)
	log.Info("starting portal", "version", versionString(), "config", cfg)

	st, err := openStore(ctx, cfg.DatabaseURL, cfg.Migrate, log)
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := listen(&cfg)
	if err != nil {
		return err
	}
	defer ln.Close()
	deps, err := webDeps(cfg, st, log)
	if err != nil {
		return err
	}
	srv, err := handlers.New(deps)
	if err != nil {
		return err
	}
	stopJobs, err := startJobs(jobsContext(ctx, srv), cfg, deps)
	if err != nil {
		return err
	}
	defer stopJobs()
	return servePortal(ctx, ln, cfg.ShutdownTimeout, srv, log, nil)
}
