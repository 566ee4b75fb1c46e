package config

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// masked replaces a secret's value wherever a Config is shown.
const masked = "********"

// entries lists the effective values in display order, secrets masked,
// leaving out settings the subcommand does not read.
func (c Config) entries() [][2]string {
	secret := func(v string) string {
		if v == "" {
			return "(unset)"
		}
		return masked
	}
	db := "(unset)"
	if c.DatabaseURL != "" {
		db = MaskDatabaseURL(c.DatabaseURL)
	}
	all := []struct{ env, key, val string }{
		{"PORTAL_ADDR", "addr", c.Addr},
		{"PORTAL_BASE_URL", "base_url", c.BaseURL},
		{"DATABASE_URL", "database_url", db},
		{"PORTAL_SECRET_KEY", "secret_key", secret(c.SecretKey)},
		{"PORTAL_MIGRATE", "migrate", strconv.FormatBool(c.Migrate)},
		{"PORTAL_LOG_LEVEL", "log_level", c.LogLevel.String()},
		{"PORTAL_LOG_FORMAT", "log_format", c.LogFormat},
		{"PORTAL_DATA_DIR", "data_dir", c.DataDir},
		{"PORTAL_SANDBOX_ADDR", "sandbox_addr", c.SandboxAddr},
		{"PORTAL_SYNC_INTERVAL", "sync_interval", c.SyncInterval.String()},
		{"PORTAL_SHUTDOWN_TIMEOUT", "shutdown_timeout", c.ShutdownTimeout.String()},
		{"PORTAL_METRICS_ADDR", "metrics_addr", c.MetricsAddr},
		{"PORTAL_TRUSTED_PROXIES", "trusted_proxies", prefixes(c.TrustedProxies)},
		{"PORTAL_PC_TENANT_ID", "pc_tenant_id", c.PC.TenantID},
		{"PORTAL_PC_CLIENT_ID", "pc_client_id", c.PC.ClientID},
		{"PORTAL_PC_CLIENT_SECRET", "pc_client_secret", secret(c.PC.ClientSecret)},
		{"PORTAL_PC_API_URL", "pc_api_url", c.PC.APIURL},
		{"PORTAL_PC_TOKEN_URL", "pc_token_url", c.PC.TokenURL},
		{"PORTAL_OIDC_ISSUER", "oidc_issuer", c.OIDC.Issuer},
		{"PORTAL_OIDC_CLIENT_ID", "oidc_client_id", c.OIDC.ClientID},
		{"PORTAL_OIDC_CLIENT_SECRET", "oidc_client_secret", secret(c.OIDC.ClientSecret)},
		{"PORTAL_OIDC_ALLOWED_TENANTS", "oidc_allowed_tenants", strings.Join(c.OIDC.AllowedTenants, ",")},
	}
	var out [][2]string
	for _, e := range all {
		if c.cmd != "" && !settingFor(e.env).appliesTo(c.cmd) {
			continue
		}
		out = append(out, [2]string{e.key, e.val})
	}
	return out
}

// settingFor returns the setting read from env (every entry has one).
func settingFor(env string) *setting {
	for i := range settings {
		if settings[i].env == env {
			return &settings[i]
		}
	}
	return &setting{}
}

// Print writes the effective configuration, one "key = value" per line,
// with every secret masked.
func (c Config) Print(w io.Writer) error {
	for _, kv := range c.entries() {
		if _, err := fmt.Fprintf(w, "%-17s = %s\n", kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// LogValue implements slog.LogValuer so logging a Config never leaks a
// secret.
func (c Config) LogValue() slog.Value {
	var attrs []slog.Attr
	for _, kv := range c.entries() {
		attrs = append(attrs, slog.String(kv[0], kv[1]))
	}
	return slog.GroupValue(attrs...)
}

var dsnPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// MaskDatabaseURL hides the password in a Postgres URL or key=value
// connection string.
func MaskDatabaseURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	return dsnPassword.ReplaceAllString(s, "${1}xxxxx")
}

// Logger returns a slog logger writing to w in the configured format and
// level.
func (c Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func prefixes(ps []netip.Prefix) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return strings.Join(out, ",")
}
