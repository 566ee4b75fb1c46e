package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/cspportal/portal/store"
)

// cmdMigrate applies, rolls back or reports the database migrations:
//
//	portal migrate [--database-url URL] up|down|status
func cmdMigrate(ctx context.Context, e env) error {
	action, rest := splitAction(e.args)
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: portal migrate [flags] up|down|status\n\n"+
			"  up      apply every pending migration\n"+
			"  down    roll back the most recent migration\n"+
			"  status  print the current and latest versions and the pending count\n\nflags:")
		fs.PrintDefaults()
	}
	cfg, err := loadConfig(e, fs, rest)
	if err != nil {
		return helpOK(err)
	}
	if action == "" && len(cfg.Args) > 0 {
		action, cfg.Args = cfg.Args[0], cfg.Args[1:]
	}
	if action == "" || len(cfg.Args) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: migrate needs exactly one of up, down, status", errUsage)
	}
	log := cfg.Logger(e.stderr)

	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	switch action {
	case "up":
		applied, err := store.MigrateUp(ctx, st.Pool)
		if err != nil {
			return err
		}
		if len(applied) == 0 {
			fmt.Fprintln(e.stdout, "no pending migrations")
		}
		for _, v := range applied {
			fmt.Fprintf(e.stdout, "applied %05d\n", v)
		}
		log.Debug("migrations applied", "versions", applied)
	case "down":
		v, err := store.MigrateDown(ctx, st.Pool)
		if err != nil {
			return err
		}
		if v == 0 {
			fmt.Fprintln(e.stdout, "nothing to roll back")
		} else {
			fmt.Fprintf(e.stdout, "rolled back %05d\n", v)
		}
	case "status":
		s, err := store.Migrations(ctx, st.Pool)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "current: %d\nlatest:  %d\npending: %d\nriver:   %d of %d\n",
			s.Current, s.Latest, s.Pending, s.RiverCurrent, s.RiverLatest)
	default:
		fs.Usage()
		return fmt.Errorf("%w: unknown migrate action %q (want up, down or status)", errUsage, action)
	}
	return nil
}

// splitAction takes a leading positional word (the action) off args, so
// both `migrate up --database-url X` and `migrate --database-url X up` work.
func splitAction(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}
