// Package config reads the portal's configuration from command-line flags
// and environment variables (PORTAL_* and DATABASE_URL). Flags win over the
// environment, the environment over defaults. Every problem is reported at
// once, naming the variable or flag at fault, so a misconfigured deployment
// is fixed in one round trip. Secrets are masked whenever a Config is printed
// or logged.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// Config is the effective configuration of one subcommand.
type Config struct {
	// Addr is the HTTP listen address (PORTAL_ADDR, --addr).
	Addr string
	// BaseURL is the public URL of the portal, without a trailing slash
	// (PORTAL_BASE_URL, --base-url); defaults to http://<Addr>.
	BaseURL string
	// DatabaseURL is the Postgres connection string (DATABASE_URL,
	// --database-url). Empty in dev mode means "start a private cluster".
	DatabaseURL string
	// SecretKey is the base64 AES-256 key for stored secrets
	// (PORTAL_SECRET_KEY; environment only, so it never shows in ps).
	SecretKey string
	// Migrate applies pending migrations at start (PORTAL_MIGRATE, --migrate).
	Migrate bool
	// LogLevel is the minimum level logged (PORTAL_LOG_LEVEL, --log-level).
	LogLevel slog.Level
	// LogFormat is "text" or "json" (PORTAL_LOG_FORMAT, --log-format).
	LogFormat string
	// DataDir holds dev-mode state: the private Postgres cluster and the
	// generated secret key (PORTAL_DATA_DIR, --data-dir).
	DataDir string
	// SandboxAddr is where `portal dev` serves the embedded Partner Center
	// sandbox (PORTAL_SANDBOX_ADDR, --sandbox-addr).
	SandboxAddr string
	// SandboxCloud is the Partner Center the embedded sandbox plays
	// ("global" or "china").
	SandboxCloud string
	// SyncInterval is how often the mirror syncs with Partner Center
	// (PORTAL_SYNC_INTERVAL, --sync-interval). Reserved for the sync jobs.
	SyncInterval time.Duration
	// ShutdownTimeout bounds the graceful shutdown (PORTAL_SHUTDOWN_TIMEOUT,
	// --shutdown-timeout).
	ShutdownTimeout time.Duration
	// MetricsAddr is where /metrics listens, apart from the portal
	// (PORTAL_METRICS_ADDR, --metrics-addr; loopback by default, "off" for
	// none).
	MetricsAddr string
	// TrustedProxies are the reverse proxies whose forwarding headers name
	// the client (PORTAL_TRUSTED_PROXIES); empty believes none.
	TrustedProxies []netip.Prefix
	// PC holds optional Partner Center values that pre-fill the setup
	// wizard (PORTAL_PC_*; environment only).
	PC PC
	// OIDC configures single sign-on from the environment (PORTAL_OIDC_*);
	// when Issuer is set it takes precedence over the settings page.
	OIDC OIDC

	// Args are the positional arguments left after the flags.
	Args []string

	cmd string // the subcommand it was loaded for; limits what Print shows
}

// PC is the Partner Center connection given by the environment. The wizard
// shows these as defaults; what the admin saves there is what is used.
type PC struct {
	TenantID     string
	ClientID     string
	ClientSecret string
	APIURL       string
	TokenURL     string
	Cloud        string // "global" or "china", pre-selected in the wizard
}

// OIDC is the single sign-on provider given by the environment.
type OIDC struct {
	Issuer         string
	ClientID       string
	ClientSecret   string
	AllowedTenants []string
}

// Public-cloud Partner Center endpoints, used when nothing else is given.
const (
	DefaultPCAPIURL   = "https://api.partnercenter.microsoft.com"
	DefaultPCTokenURL = "https://login.microsoftonline.com/{tenant}/oauth2/token"
)

// ErrUsage marks a malformed command line (unknown flag, bad syntax); the
// flag package has already printed the flag usage.
var ErrUsage = errors.New("usage")

// Load reads the configuration for the subcommand named fs.Name() ("serve",
// "dev", "migrate", "user", ...). It registers that subcommand's
// configuration flags on fs (the caller may have added flags of its own
// before), parses args, overlays the environment read through getenv, and
// validates the result. All problems are joined into one error.
//
// A -h/--help request returns an error matching flag.ErrHelp; a bad command
// line returns one matching ErrUsage.
func Load(getenv func(string) string, args []string, fs *flag.FlagSet) (Config, error) {
	cmd := fs.Name()
	var c Config
	vals := make(map[string]*flagValue)
	for i := range settings {
		s := &settings[i]
		if !s.appliesTo(cmd) || s.flag == "" {
			continue
		}
		v := &flagValue{isBool: s.isBool}
		vals[s.flag] = v
		fs.Var(v, s.flag, s.usageLine())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	c.Args = fs.Args()
	c.cmd = cmd

	var errs []error
	for i := range settings {
		s := &settings[i]
		if !s.appliesTo(cmd) {
			continue
		}
		raw, source := "", ""
		if v := vals[s.flag]; v != nil && v.set {
			raw, source = v.value, "--"+s.flag
		} else if s.env != "" && getenv(s.env) != "" {
			raw, source = getenv(s.env), s.env
		}
		if raw == "" {
			if s.requiredFor(cmd) {
				errs = append(errs, fmt.Errorf("%s: required for %q%s", s.name(), cmd, s.hint))
				continue
			}
			raw, source = s.def, s.name()
		}
		if err := s.apply(&c, strings.TrimSpace(raw)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", source, err))
		}
	}
	for _, f := range finishers {
		if err := f(&c, cmd); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errors.Join(errs...)
}

// flagValue records a flag's raw text and whether it was given, so an
// explicitly empty flag still overrides the environment.
type flagValue struct {
	value  string
	set    bool
	isBool bool
}

func (v *flagValue) String() string { return v.value }

func (v *flagValue) Set(s string) error {
	v.value, v.set = s, true
	return nil
}

func (v *flagValue) IsBoolFlag() bool { return v.isBool }
