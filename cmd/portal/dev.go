package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cspportal/portal/internal/config"
	"github.com/cspportal/portal/internal/mailcatcher"
	"github.com/cspportal/portal/internal/pgcluster"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// cmdDev is the newcomer's command: a working portal with demo data in one
// step. With DATABASE_URL unset it runs a private Postgres cluster under
// <data-dir>/postgres (kept between runs); it migrates the database,
// generates PORTAL_SECRET_KEY once into <data-dir>/secret.key, serves the
// Partner Center sandbox on its own loopback listener (--sandbox-addr,
// state kept in <data-dir>/sandbox.json) and points the setup wizard at it.
// Ctrl-C drains HTTP, then stops Postgres cleanly.
func cmdDev(ctx context.Context, e env) error {
	fset := flag.NewFlagSet("dev", flag.ContinueOnError)
	cfg, err := loadConfig(e, fset, e.args)
	if err != nil {
		return helpOK(err)
	}
	if len(cfg.Args) > 0 {
		return fmt.Errorf("%w: dev takes no arguments, got %q", errUsage, cfg.Args)
	}
	log := cfg.Logger(e.stderr)
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}

	if cfg.SecretKey == "" {
		key, created, err := devSecretKey(filepath.Join(cfg.DataDir, "secret.key"))
		if err != nil {
			return err
		}
		cfg.SecretKey = key
		if created {
			// Printed once, on the terminal only (not in the log): the key
			// decrypts the secrets the wizard stores.
			fmt.Fprintf(e.stdout, "\nGenerated PORTAL_SECRET_KEY and saved it in %s.\n"+
				"Keep it: it decrypts the Partner Center and OIDC secrets stored in the database.\n"+
				"  PORTAL_SECRET_KEY=%s\n\n", filepath.Join(cfg.DataDir, "secret.key"), key)
		}
	}

	if cfg.DatabaseURL == "" {
		pc, err := pgcluster.Start(ctx, pgcluster.Options{
			Dir: filepath.Join(cfg.DataDir, "postgres"), Database: "portal", Logger: log,
		})
		if err != nil {
			if errors.Is(err, pgcluster.ErrNoBinaries) {
				return fmt.Errorf("dev: %w", err)
			}
			return fmt.Errorf("dev: start the private Postgres cluster: %w", err)
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := pc.Stop(sctx); err != nil {
				log.Error("stop Postgres", "err", err)
			}
		}()
		cfg.DatabaseURL = pc.DatabaseURL()
	}
	log.Info("starting portal in dev mode", "version", versionString(), "config", cfg)

	st, err := openStore(ctx, cfg.DatabaseURL, true, log)
	if err != nil {
		return err
	}
	defer st.Close()

	catcher, err := startDevMail(ctx, st, log)
	if err != nil {
		return err
	}
	defer catcher.Close()
	sb, sbURL, stopSandbox, err := startDevSandbox(cfg, log, catcher.Handler())
	if err != nil {
		return err
	}
	defer stopSandbox()
	inbox := sbURL + mailInboxPath
	if err := devSignIn(ctx, st, cfg, sb.Credentials(), sbURL, log); err != nil {
		return err
	}

	ln, err := listen(&cfg)
	if err != nil {
		return err
	}
	defer ln.Close()
	creds := sb.Credentials()
	p, err := newPortal(cfg, st, log, func(d *handlers.Deps) {
		d.Dev = true
		d.MailInbox = inbox
		d.PCDefaults = handlers.PCDefaults{
			TenantID: creds.TenantID, ClientID: creds.ClientID, ClientSecret: creds.ClientSecret,
			APIURL: sbURL, TokenURL: sbURL + "/" + creds.TenantID + "/oauth2/token", Cloud: cfg.SandboxCloud,
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Portal:  %s\nSandbox: %s (Partner Center simulator; pricing API URL %s)\nMail:    %s (every mail the portal sends; SMTP %s)\nPress Ctrl-C to stop; data stays in %s.\n\n",
		cfg.BaseURL, sbURL, sbURL+sandbox.PricingPathPrefix, inbox, catcher.Addr(), cfg.DataDir)
	return p.run(ctx, ln, cfg.ShutdownTimeout, func(link string) {
		fmt.Fprintf(e.stdout, "\nOpen the one-time setup link to create the first admin:\n  %s\n\n", link)
	})
}

// devSecretKey returns the key stored at path, creating it on first use.
func devSecretKey(path string) (key string, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key = strings.TrimSpace(string(b))
		if _, err := secrets.ParseKey(key); err != nil {
			return "", false, fmt.Errorf("%s: %w (delete it to generate a new key; secrets saved with the old key are then lost)", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, fmt.Errorf("read secret key: %w", err)
	}
	key = secrets.GenerateKey()
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("save secret key: %w", err)
	}
	return key, true, nil
}

// startDevSandbox serves the Partner Center sandbox on its own loopback
// listener, so the portal reaches it over real HTTP exactly as it would
// reach Partner Center. Its state persists in <data-dir>/sandbox.json.
// The dev mail catcher's inbox is served on the sandbox's listener under
// mailInboxPath.
func startDevSandbox(cfg config.Config, log *slog.Logger, inbox http.Handler) (*sandbox.Sandbox, string, func(), error) {
	sb, err := sandbox.New(sandbox.Options{
		Seed:      1,
		RealTime:  true,
		StateFile: filepath.Join(cfg.DataDir, "sandbox.json"),
		Logger:    log.With("component", "sandbox"),
		// Like PC, a new customer is not readable at once (PC: ~90 s).
		ReadAfterCreateDelay: 20 * time.Second,
		Cloud:                cfg.SandboxCloud,
		// Strict like PC: agreements and license usage need a partner
		// admin's app+user sign-in, which the wizard's "Connect a partner
		// admin account" obtains on the sandbox's sign-in page.
	})
	if err != nil {
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", cfg.SandboxAddr)
	if err != nil {
		sb.Close()
		return nil, "", nil, fmt.Errorf("sandbox: listen on %s (set --sandbox-addr or PORTAL_SANDBOX_ADDR): %w", cfg.SandboxAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", sb.Handler())
	if inbox != nil {
		mux.Handle(mailInboxPath, http.StripPrefix(strings.TrimSuffix(mailInboxPath, "/"), inbox))
	}
	hs := httpServer(mux, log)
	go hs.Serve(ln)
	url := "http://" + ln.Addr().String()
	log.Info("Partner Center sandbox listening", "url", url)
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			hs.Close()
		}
		if err := sb.Close(); err != nil {
			log.Warn("sandbox: save state", "err", err)
		}
	}
	return sb, url, stop, nil
}

// mailInboxPath is where `portal dev` shows the mail catcher's inbox.
const mailInboxPath = "/_mail/"

// devMailFrom marks SMTP settings that dev itself wrote: they follow the
// catcher's port from run to run; settings an admin typed are left alone.
const devMailFrom = "portal@dev.localhost"

// startDevMail starts the mail catcher (SMTP on 127.0.0.1:1025, or a free
// port when that is taken) and points the portal's SMTP settings at it
// unless an admin set others.
func startDevMail(ctx context.Context, st *store.Store, log *slog.Logger) (*mailcatcher.Catcher, error) {
	c, err := mailcatcher.Start("127.0.0.1:1025")
	if err != nil {
		if c, err = mailcatcher.Start("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("dev: mail catcher: %w", err)
		}
	}
	set, err := st.Settings(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	if set.SmtpHost == "" || set.SmtpFrom == devMailFrom {
		if err := st.UpdateSMTPSettings(ctx, store.SMTPSettings{SmtpHost: c.Host(), SmtpPort: int32(c.Port()), SmtpSecurity: "none",
			SmtpFrom: devMailFrom, SmtpFromName: "CSP Portal (dev)"}); err != nil {
			c.Close()
			return nil, err
		}
	}
	log.Info("mail catcher listening", "smtp", c.Addr())
	return c, nil
}

// devSignIn makes the sandbox the portal's single sign-on provider (its
// Entra ID for the partner's and the customers' tenants) unless an admin
// chose another one: settings dev wrote earlier (the sandbox's client id
// on a loopback issuer) follow the sandbox's address from run to run, and
// an admin who turned sign-in off keeps it off.
func devSignIn(ctx context.Context, st *store.Store, cfg config.Config, creds sandbox.Credentials, sbURL string, log *slog.Logger) error {
	set, err := st.Settings(ctx)
	if err != nil {
		return err
	}
	ours := set.OidcClientID == creds.ClientID && strings.HasPrefix(set.OidcIssuer, "http://127.0.0.1:") &&
		strings.HasSuffix(set.OidcIssuer, "/organizations/v2.0")
	if set.OidcIssuer != "" && !ours {
		return nil
	}
	box, err := secretBox(cfg)
	if err != nil {
		return err
	}
	enabled := set.OidcEnabled || set.OidcIssuer == ""
	if err := st.UpdateOIDCSettings(ctx, store.OIDCSettings{OidcEnabled: enabled, OidcIssuer: sbURL + "/organizations/v2.0",
		OidcClientID: creds.ClientID, OidcClientSecretEnc: box.Seal(creds.ClientSecret), OidcAllowedTenants: set.OidcAllowedTenants}); err != nil {
		return err
	}
	log.Info("single sign-on through the sandbox's Entra ID", "issuer", sbURL+"/organizations/v2.0", "enabled", enabled)
	return nil
}
