package main

import (
	"context"
	"flag"
	"fmt"
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
	p, err := newPortal(cfg, st, log, nil)
	if err != nil {
		return err
	}
	return p.run(ctx, ln, cfg.ShutdownTimeout, nil)
}
