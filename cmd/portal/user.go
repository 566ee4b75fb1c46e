package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"strings"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/store"
)

// cmdUser manages local accounts from the shell, for the first admin of a
// headless install and for locked-out admins:
//
//	portal user create-admin --email E [--name N] [--password P]
//	portal user reset-password --email E [--password P]
//
// The password may come from PORTAL_ADMIN_PASSWORD instead of the flag, so
// it does not show in the process list or shell history.
func cmdUser(ctx context.Context, e env) error {
	action, rest := splitAction(e.args)
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	email := fs.String("email", "", "the account's email address")
	name := fs.String("name", "", "display name (create-admin)")
	password := fs.String("password", "", "the new password, at least 12 characters [$PORTAL_ADMIN_PASSWORD]")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: portal user create-admin|reset-password --email E [--password P]\n\n"+
			"  create-admin    create a local admin account\n"+
			"  reset-password  set a new password for a local account\n\nflags:")
		fs.PrintDefaults()
	}
	cfg, err := loadConfig(e, fs, rest)
	if err != nil {
		return helpOK(err)
	}
	if action == "" && len(cfg.Args) > 0 {
		action, cfg.Args = cfg.Args[0], cfg.Args[1:]
	}
	if action != "create-admin" && action != "reset-password" || len(cfg.Args) > 0 {
		fs.Usage()
		return fmt.Errorf("%w: user needs create-admin or reset-password", errUsage)
	}

	pw := cmp.Or(*password, e.getenv("PORTAL_ADMIN_PASSWORD"))
	var errs []error
	addr, err := mail.ParseAddress(strings.TrimSpace(*email))
	if err != nil || addr.Address != strings.TrimSpace(*email) {
		errs = append(errs, fmt.Errorf("--email: must be a plain email address, got %q", *email))
	}
	switch n := len([]rune(pw)); {
	case n == 0:
		errs = append(errs, errors.New("--password (or PORTAL_ADMIN_PASSWORD): required"))
	case n < auth.MinPasswordLength:
		errs = append(errs, fmt.Errorf("--password (or PORTAL_ADMIN_PASSWORD): must be at least %d characters, got %d", auth.MinPasswordLength, n))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("user %s:\n  %s", action, strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}

	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := ensureMigrated(ctx, st, false, nil); err != nil {
		return err
	}
	hash, err := auth.HashPassword(ctx, pw)
	if err != nil {
		return err
	}
	if action == "create-admin" {
		u, err := st.CreateUser(ctx, store.NewUser{
			Email: addr.Address, DisplayName: *name, Role: store.RoleAdmin, PasswordHash: hash,
		})
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("a user with email %s already exists (use `portal user reset-password` to set its password)", addr.Address)
		}
		if err != nil {
			return err
		}
		if err := st.Audit(ctx, store.AuditEntry{Actor: "cli", Action: "user.admin_created",
			TargetType: "user", TargetID: fmt.Sprint(u.ID), Detail: "created with `portal user create-admin`"}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created admin %s (id %d)\n", u.Email, u.ID)
		return nil
	}

	u, err := st.UserByEmail(ctx, addr.Address)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no user with email %s", addr.Address)
	}
	if err != nil {
		return err
	}
	if err := st.SetUserPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	if err := st.Audit(ctx, store.AuditEntry{Actor: "cli", Action: "user.password_reset",
		TargetType: "user", TargetID: fmt.Sprint(u.ID), Detail: "reset with `portal user reset-password`"}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password reset for %s\n", u.Email)
	return nil
}
