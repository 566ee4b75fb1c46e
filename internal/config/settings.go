package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cspportal/portal/internal/secrets"
)

// setting describes one configuration value: where it comes from, which
// subcommands use it, and how it is parsed. The same table drives flag
// registration, validation, printing and the README's configuration table.
type setting struct {
	flag     string   // flag name without dashes; "" = environment only
	env      string   // environment variable; "" = flag only
	def      string   // default, as text
	usage    string   // one line for --help and the docs
	cmds     []string // subcommands that read it
	required []string // subcommands that refuse to start without it
	hint     string   // appended to the "required" message
	isBool   bool
	secret   bool
	apply    func(c *Config, v string) error
}

var (
	webCmds = []string{"serve", "dev"}
	dbCmds  = []string{"serve", "dev", "migrate", "user", "sync"}
	allCmds = []string{"serve", "dev", "migrate", "user", "sync"}
)

var settings = []setting{
	{
		flag: "addr", env: "PORTAL_ADDR", def: "127.0.0.1:8080", cmds: webCmds,
		usage: "HTTP listen address (host:port)",
		apply: func(c *Config, v string) error {
			if err := checkAddr(v); err != nil {
				return err
			}
			c.Addr = v
			return nil
		},
	},
	{
		flag: "base-url", env: "PORTAL_BASE_URL", cmds: webCmds,
		usage: "public URL of the portal, used in links and the OIDC redirect (default http://<addr>)",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil // filled in from Addr by finishBaseURL
			}
			if err := checkHTTPURL(v); err != nil {
				return err
			}
			c.BaseURL = strings.TrimRight(v, "/")
			return nil
		},
	},
	{
		flag: "database-url", env: "DATABASE_URL", cmds: dbCmds,
		required: []string{"serve", "migrate", "user", "sync"}, secret: true,
		hint:  " (e.g. postgres://portal:secret@127.0.0.1:5432/portal; `portal dev` starts its own database when unset)",
		usage: "Postgres connection URL (prefer the variable: flags show in the process list); in dev, empty means a private cluster under the data dir",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			if _, err := pgconn.ParseConfig(v); err != nil {
				return errors.New("not a valid Postgres connection string (postgres://user:password@host:port/database)")
			}
			c.DatabaseURL = v
			return nil
		},
	},
	{
		env: "PORTAL_SECRET_KEY", cmds: []string{"serve", "dev", "sync"}, required: []string{"serve", "sync"}, secret: true,
		hint:  " (generate one with: openssl rand -base64 32; keep it: it decrypts the stored Partner Center and OIDC secrets)",
		usage: "base64 of 32 random bytes; encrypts stored secrets. `portal dev` generates one in the data dir",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			if _, err := secrets.ParseKey(v); err != nil {
				return errors.New("must be base64 of 32 bytes (generate one with: openssl rand -base64 32)")
			}
			c.SecretKey = v
			return nil
		},
	},
	{
		flag: "migrate", env: "PORTAL_MIGRATE", def: "false", cmds: []string{"serve"}, isBool: true,
		usage: "apply pending database migrations before serving",
		apply: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("must be true or false, got %q", v)
			}
			c.Migrate = b
			return nil
		},
	},
	{
		flag: "log-level", env: "PORTAL_LOG_LEVEL", def: "info", cmds: allCmds,
		usage: "minimum log level: debug, info, warn or error",
		apply: func(c *Config, v string) error {
			if !slices.Contains([]string{"debug", "info", "warn", "error"}, strings.ToLower(v)) {
				return fmt.Errorf("must be debug, info, warn or error, got %q", v)
			}
			return c.LogLevel.UnmarshalText([]byte(v))
		},
	},
	{
		flag: "log-format", env: "PORTAL_LOG_FORMAT", def: "text", cmds: allCmds,
		usage: "log format: text or json",
		apply: func(c *Config, v string) error {
			v = strings.ToLower(v)
			if v != "text" && v != "json" {
				return fmt.Errorf("must be text or json, got %q", v)
			}
			c.LogFormat = v
			return nil
		},
	},
	{
		flag: "data-dir", env: "PORTAL_DATA_DIR", def: ".data", cmds: []string{"dev"},
		usage: "dev mode state: private Postgres cluster (postgres/) and generated secret key (secret.key)",
		apply: func(c *Config, v string) error {
			c.DataDir = v
			return nil
		},
	},
	{
		flag: "sandbox-addr", env: "PORTAL_SANDBOX_ADDR", def: "127.0.0.1:8090", cmds: []string{"dev"},
		usage: "listen address of the Partner Center sandbox embedded by `portal dev`",
		apply: func(c *Config, v string) error {
			if err := checkAddr(v); err != nil {
				return err
			}
			c.SandboxAddr = v
			return nil
		},
	},
	{
		flag: "sandbox-cloud", env: "PORTAL_SANDBOX_CLOUD", def: "global", cmds: []string{"dev"},
		usage: "the Partner Center the embedded sandbox plays: global, or china (operated by 21Vianet); the wizard pre-selects it",
		apply: func(c *Config, v string) error {
			switch v {
			case "global", "china":
				c.SandboxCloud = v
				return nil
			}
			return errors.New("must be global or china")
		},
	},
	{
		flag: "sync-interval", env: "PORTAL_SYNC_INTERVAL", def: "15m", cmds: webCmds,
		usage: "how often the mirror syncs with Partner Center (reserved for the sync jobs)",
		apply: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Minute {
				return fmt.Errorf("must be a duration of at least 1m (e.g. 15m), got %q", v)
			}
			c.SyncInterval = d
			return nil
		},
	},
	{
		flag: "shutdown-timeout", env: "PORTAL_SHUTDOWN_TIMEOUT", def: "15s", cmds: webCmds,
		usage: "how long a graceful shutdown waits for requests in flight",
		apply: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("must be a positive duration (e.g. 15s), got %q", v)
			}
			c.ShutdownTimeout = d
			return nil
		},
	},
	{
		flag: "metrics-addr", env: "PORTAL_METRICS_ADDR", def: "127.0.0.1:9090", cmds: webCmds,
		usage: "listen address of /metrics (Prometheus), apart from the portal's; \"off\" serves none",
		apply: func(c *Config, v string) error {
			if v != "off" {
				if err := checkAddr(v); err != nil {
					return fmt.Errorf("must be host:port or off, got %q", v)
				}
			}
			c.MetricsAddr = v
			return nil
		},
	},
	{
		flag: "trusted-proxies", env: "PORTAL_TRUSTED_PROXIES", cmds: webCmds,
		usage: "comma-separated CIDRs of reverse proxies whose X-Forwarded-For/Forwarded is believed",
		apply: func(c *Config, v string) error {
			c.TrustedProxies = nil
			var bad []string
			for part := range strings.SplitSeq(v, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				p, err := netip.ParsePrefix(part)
				if err != nil {
					a, aerr := netip.ParseAddr(part)
					if aerr != nil {
						bad = append(bad, part)
						continue
					}
					p = netip.PrefixFrom(a, a.BitLen())
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
			if len(bad) > 0 {
				return fmt.Errorf("must be CIDRs or addresses separated by commas, not %s", strings.Join(bad, ", "))
			}
			return nil
		},
	},
	{
		env: "PORTAL_PC_TENANT_ID", cmds: []string{"serve"},
		usage: "Partner Center partner tenant id, pre-filled in the setup wizard",
		apply: func(c *Config, v string) error { c.PC.TenantID = v; return nil },
	},
	{
		env: "PORTAL_PC_CLIENT_ID", cmds: []string{"serve"},
		usage: "Partner Center app (client) id, pre-filled in the setup wizard",
		apply: func(c *Config, v string) error { c.PC.ClientID = v; return nil },
	},
	{
		env: "PORTAL_PC_CLIENT_SECRET", cmds: []string{"serve"}, secret: true,
		usage: "Partner Center app secret, pre-filled in the setup wizard",
		apply: func(c *Config, v string) error { c.PC.ClientSecret = v; return nil },
	},
	{
		env: "PORTAL_PC_API_URL", def: DefaultPCAPIURL, cmds: []string{"serve"},
		usage: "Partner Center API base URL",
		apply: func(c *Config, v string) error {
			if err := checkHTTPURL(v); err != nil {
				return err
			}
			c.PC.APIURL = strings.TrimRight(v, "/")
			return nil
		},
	},
	{
		env: "PORTAL_PC_TOKEN_URL", def: DefaultPCTokenURL, cmds: []string{"serve"},
		usage: "Entra ID token endpoint for Partner Center ({tenant} is replaced by the tenant id)",
		apply: func(c *Config, v string) error {
			if err := checkHTTPURL(v); err != nil {
				return err
			}
			c.PC.TokenURL = strings.TrimRight(v, "/")
			return nil
		},
	},
	{
		env: "PORTAL_PC_CLOUD", def: "global", cmds: []string{"serve"},
		usage: "the Partner Center pre-selected in the setup wizard: global, or china (operated by 21Vianet)",
		apply: func(c *Config, v string) error {
			switch v {
			case "global", "china":
				c.PC.Cloud = v
				return nil
			}
			return errors.New("must be global or china")
		},
	},
	{
		env: "PORTAL_OIDC_ISSUER", cmds: webCmds,
		usage: "OIDC issuer for single sign-on (e.g. https://login.microsoftonline.com/organizations/v2.0); overrides the settings page",
		apply: func(c *Config, v string) error {
			if v == "" {
				return nil
			}
			if err := checkHTTPURL(v); err != nil {
				return err
			}
			c.OIDC.Issuer = strings.TrimRight(v, "/")
			return nil
		},
	},
	{
		env: "PORTAL_OIDC_CLIENT_ID", cmds: webCmds,
		usage: "OIDC client (application) id",
		apply: func(c *Config, v string) error { c.OIDC.ClientID = v; return nil },
	},
	{
		env: "PORTAL_OIDC_CLIENT_SECRET", cmds: webCmds, secret: true,
		usage: "OIDC client secret",
		apply: func(c *Config, v string) error { c.OIDC.ClientSecret = v; return nil },
	},
	{
		env: "PORTAL_OIDC_ALLOWED_TENANTS", cmds: webCmds,
		usage: "comma-separated Entra tenant ids allowed to sign in (empty = any tenant with accounts here)",
		apply: func(c *Config, v string) error {
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					c.OIDC.AllowedTenants = append(c.OIDC.AllowedTenants, t)
				}
			}
			return nil
		},
	},
}

// finishers derive values that depend on several settings.
var finishers = []func(c *Config, cmd string) error{
	func(c *Config, cmd string) error {
		if c.BaseURL == "" && c.Addr != "" {
			c.BaseURL = DefaultBaseURL(c.Addr)
		}
		return nil
	},
	func(c *Config, cmd string) error {
		if c.OIDC.Issuer != "" && c.OIDC.ClientID == "" {
			return errors.New("PORTAL_OIDC_CLIENT_ID: required when PORTAL_OIDC_ISSUER is set")
		}
		if c.OIDC.Issuer == "" && (c.OIDC.ClientID != "" || c.OIDC.ClientSecret != "") {
			return errors.New("PORTAL_OIDC_ISSUER: required when PORTAL_OIDC_CLIENT_ID or PORTAL_OIDC_CLIENT_SECRET is set")
		}
		return nil
	},
}

// DefaultBaseURL is the base URL used when none is configured: http:// and
// the listen address, with localhost for a wildcard host (0.0.0.0, ::)
// since links to a wildcard address do not work everywhere.
func DefaultBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func (s *setting) appliesTo(cmd string) bool { return slices.Contains(s.cmds, cmd) }

func (s *setting) requiredFor(cmd string) bool { return slices.Contains(s.required, cmd) }

// name is how messages refer to the setting: its variable, else its flag.
func (s *setting) name() string {
	if s.env != "" {
		return s.env
	}
	return "--" + s.flag
}

func (s *setting) usageLine() string {
	if s.env != "" {
		return s.usage + " [$" + s.env + "]"
	}
	return s.usage
}

func checkAddr(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil || strings.ContainsAny(host, "/ ") {
		return fmt.Errorf("must be host:port (e.g. 127.0.0.1:8080), got %q", v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port must be a number from 0 to 65535, got %q", port)
	}
	return nil
}

func checkHTTPURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("must be an absolute http(s) URL, got %q", v)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("must not have a query or fragment, got %q", v)
	}
	return nil
}

// Setting describes one configuration value for documentation.
type Setting struct {
	Flag     string // "--addr", or "" when environment only
	Env      string // "PORTAL_ADDR", or "" when flag only
	Default  string
	Usage    string
	Commands []string
	Secret   bool
}

// Settings lists every configuration value, in the order of the docs.
func Settings() []Setting {
	out := make([]Setting, 0, len(settings))
	for _, s := range settings {
		d := Setting{Env: s.env, Default: s.def, Usage: s.usage, Commands: s.cmds, Secret: s.secret}
		if s.flag != "" {
			d.Flag = "--" + s.flag
		}
		out = append(out, d)
	}
	return out
}
