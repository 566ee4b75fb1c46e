package config

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
)

// masked replaces a secret's value wherever a Config is shown.
const masked = "********"

// entries lists the effective values in display order, secrets masked.
func (c Config) entries() [][2]string {
	secret := func(v string) string {
		if v == "" {
			return "(unset)"
		}
		return masked
	}
	e := [][2]string{
		{"addr", c.Addr},
		{"base_url", c.BaseURL},
		{"database_url", MaskDatabaseURL(c.DatabaseURL)},
		{"secret_key", secret(c.SecretKey)},
		{"migrate", strconv.FormatBool(c.Migrate)},
		{"log_level", c.LogLevel.String()},
		{"log_format", c.LogFormat},
		{"data_dir", c.DataDir},
		{"sandbox_addr", c.SandboxAddr},
		{"sync_interval", c.SyncInterval.String()},
		{"shutdown_timeout", c.ShutdownTimeout.String()},
		{"pc_tenant_id", c.PC.TenantID},
		{"pc_client_id", c.PC.ClientID},
		{"pc_client_secret", secret(c.PC.ClientSecret)},
		{"pc_api_url", c.PC.APIURL},
		{"pc_token_url", c.PC.TokenURL},
	}
	if c.DatabaseURL == "" {
		e[2][1] = "(unset)"
	}
	// Values a subcommand does not use stay empty; leave them out.
	out := e[:0]
	for _, kv := range e {
		if kv[1] != "" && kv[1] != "0s" {
			out = append(out, kv)
		}
	}
	return out
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
