package config

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const goodKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func load(t *testing.T, cmd string, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(envOf(env), args, fs)
}

func TestLoadDefaultsAndOverrides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cmd  string
		env  map[string]string
		args []string
		want func(c *Config)
	}{
		{
			name: "serve defaults",
			cmd:  "serve",
			env:  map[string]string{"DATABASE_URL": "postgres://u@db/portal", "PORTAL_SECRET_KEY": goodKey},
			want: func(c *Config) {},
		},
		{
			name: "env sets values",
			cmd:  "serve",
			env: map[string]string{
				"DATABASE_URL": "postgres://u@db/portal", "PORTAL_SECRET_KEY": goodKey,
				"PORTAL_ADDR": "0.0.0.0:9000", "PORTAL_MIGRATE": "true", "PORTAL_LOG_LEVEL": "debug",
				"PORTAL_LOG_FORMAT": "json", "PORTAL_BASE_URL": "https://portal.example.com/",
				"PORTAL_PC_CLIENT_ID": "app", "PORTAL_SYNC_INTERVAL": "1h",
				"PORTAL_TRUSTED_PROXIES": "10.0.0.0/8, 172.18.0.7,fd00::/8", "PORTAL_METRICS_ADDR": "0.0.0.0:9100",
			},
			want: func(c *Config) {
				c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.18.0.7/32"), netip.MustParsePrefix("fd00::/8")}
				c.MetricsAddr = "0.0.0.0:9100"
				c.Addr = "0.0.0.0:9000"
				c.BaseURL = "https://portal.example.com"
				c.Migrate = true
				c.LogLevel = slog.LevelDebug
				c.LogFormat = "json"
				c.PC.ClientID = "app"
				c.SyncInterval = time.Hour
			},
		},
		{
			name: "flags win over env",
			cmd:  "serve",
			env: map[string]string{
				"DATABASE_URL": "postgres://u@db/portal", "PORTAL_SECRET_KEY": goodKey,
				"PORTAL_ADDR": "0.0.0.0:9000", "PORTAL_LOG_LEVEL": "debug",
			},
			args: []string{"--addr", "127.0.0.1:7000", "--migrate", "--log-level=error",
				"--database-url", "postgres://other@db2/p", "extra"},
			want: func(c *Config) {
				c.Addr = "127.0.0.1:7000"
				c.BaseURL = "http://127.0.0.1:7000"
				c.Migrate = true
				c.LogLevel = slog.LevelError
				c.DatabaseURL = "postgres://other@db2/p"
				c.Args = []string{"extra"}
			},
		},
		{
			name: "dev needs nothing",
			cmd:  "dev",
			env:  map[string]string{},
			want: func(c *Config) {
				c.DatabaseURL = ""
				c.SecretKey = ""
				c.DataDir = ".data"
				c.SandboxAddr, c.SandboxCloud = "127.0.0.1:8090", "global"
				c.PC = PC{}
			},
		},
		{
			name: "migrate reads only its settings",
			cmd:  "migrate",
			env:  map[string]string{"DATABASE_URL": "postgres://u@db/portal", "PORTAL_ADDR": "not an address"},
			args: []string{"status"},
			want: func(c *Config) {
				*c = Config{DatabaseURL: "postgres://u@db/portal", LogFormat: "text", Args: []string{"status"}}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := load(t, tt.cmd, tt.env, tt.args...)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := Config{
				Addr: "127.0.0.1:8080", BaseURL: "http://127.0.0.1:8080",
				DatabaseURL: "postgres://u@db/portal", SecretKey: goodKey,
				LogLevel: slog.LevelInfo, LogFormat: "text",
				SyncInterval: 15 * time.Minute, ShutdownTimeout: 15 * time.Second,
				MetricsAddr: "127.0.0.1:9090",
				PC:          PC{APIURL: DefaultPCAPIURL, TokenURL: DefaultPCTokenURL, Cloud: "global"},
				Args:        []string{},
			}
			tt.want(&want)
			want.cmd = tt.cmd
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmp.AllowUnexported(Config{}), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	_, err := load(t, "serve", map[string]string{
		"PORTAL_SECRET_KEY":      "c2hvcnQ=",
		"PORTAL_ADDR":            "8080",
		"PORTAL_LOG_FORMAT":      "xml",
		"PORTAL_MIGRATE":         "perhaps",
		"PORTAL_BASE_URL":        "portal.example.com",
		"PORTAL_SYNC_INTERVAL":   "5s",
		"PORTAL_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local",
	}, "--log-level", "loud")
	if err == nil {
		t.Fatal("Load accepted a broken configuration")
	}
	for _, want := range []string{
		"DATABASE_URL: required for \"serve\"",
		"PORTAL_SECRET_KEY: must be base64 of 32 bytes",
		"PORTAL_ADDR: must be host:port",
		"PORTAL_LOG_FORMAT: must be text or json",
		"PORTAL_MIGRATE: must be true or false",
		"PORTAL_BASE_URL: must be an absolute http(s) URL",
		"PORTAL_SYNC_INTERVAL: must be a duration of at least 1m",
		"PORTAL_TRUSTED_PROXIES: must be CIDRs or addresses separated by commas, not proxy.local",
		"--log-level: must be debug, info, warn or error",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "c2hvcnQ=") {
		t.Errorf("error reveals the secret key:\n%v", err)
	}
}

func TestLoadRequiredPerCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cmd     string
		missing []string
	}{
		{"serve", []string{"DATABASE_URL", "PORTAL_SECRET_KEY"}},
		{"migrate", []string{"DATABASE_URL"}},
		{"user", []string{"DATABASE_URL"}},
		{"dev", nil},
	}
	for _, tt := range tests {
		_, err := load(t, tt.cmd, nil)
		if len(tt.missing) == 0 {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tt.cmd, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error with nothing set", tt.cmd)
			continue
		}
		for _, m := range tt.missing {
			if !strings.Contains(err.Error(), m+": required") {
				t.Errorf("%s: error lacks %s: %v", tt.cmd, m, err)
			}
		}
	}
}

func TestLoadCommandLineErrors(t *testing.T) {
	t.Parallel()
	_, err := load(t, "serve", nil, "--no-such-flag")
	if !errors.Is(err, ErrUsage) {
		t.Errorf("unknown flag: got %v, want ErrUsage", err)
	}
	_, err = load(t, "serve", nil, "-h")
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: got %v, want flag.ErrHelp", err)
	}
	// The secret key is never a flag: it would show in the process list.
	_, err = load(t, "serve", nil, "--secret-key", goodKey)
	if !errors.Is(err, ErrUsage) {
		t.Errorf("--secret-key: got %v, want ErrUsage", err)
	}
}

func TestCallerFlagsCoexist(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	email := fs.String("email", "", "")
	c, err := Load(envOf(map[string]string{"DATABASE_URL": "postgres://u@db/p"}), []string{"--email", "a@b.c", "create-admin"}, fs)
	if err != nil {
		t.Fatal(err)
	}
	if *email != "a@b.c" || len(c.Args) != 1 || c.Args[0] != "create-admin" {
		t.Errorf("email %q args %q", *email, c.Args)
	}
}

func TestPrintAndLogMaskSecrets(t *testing.T) {
	t.Parallel()
	c, err := load(t, "serve", map[string]string{
		"DATABASE_URL":            "postgres://portal:hunter2-db@db:5432/portal?sslmode=disable",
		"PORTAL_SECRET_KEY":       goodKey,
		"PORTAL_PC_CLIENT_SECRET": "pc-s3cret-value",
		"PORTAL_PC_TENANT_ID":     "tenant-123",
	})
	if err != nil {
		t.Fatal(err)
	}
	var printed, logged bytes.Buffer
	if err := c.Print(&printed); err != nil {
		t.Fatal(err)
	}
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c)
	for name, out := range map[string]string{"Print": printed.String(), "log": logged.String()} {
		for _, secret := range []string{"hunter2-db", goodKey, "pc-s3cret-value"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s reveals %q:\n%s", name, secret, out)
			}
		}
		for _, shown := range []string{"tenant-123", "portal:xxxxx@db:5432/portal", "127.0.0.1:8080"} {
			if !strings.Contains(out, shown) {
				t.Errorf("%s lacks %q:\n%s", name, shown, out)
			}
		}
	}
}

func TestDefaultBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"0.0.0.0:8080", "http://localhost:8080"},
		{":9000", "http://localhost:9000"},
		{"[::]:8080", "http://localhost:8080"},
		{"[::1]:8080", "http://[::1]:8080"},
		{"portal.internal:80", "http://portal.internal:80"},
	}
	for _, tt := range tests {
		if got := DefaultBaseURL(tt.addr); got != tt.want {
			t.Errorf("DefaultBaseURL(%q) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

func TestMaskDatabaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"postgres://u:pw@h/db", "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgres://u@h/db?password=pw", "postgres://u@h/db?password=xxxxx"},
		{"host=h user=u password=pw dbname=d", "host=h user=u password=xxxxx dbname=d"},
		{"host=h password='p w' dbname=d", "host=h password=xxxxx dbname=d"},
	}
	for _, tt := range tests {
		if got := MaskDatabaseURL(tt.in); got != tt.want {
			t.Errorf("MaskDatabaseURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSettingsDocumented(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, s := range Settings() {
		key := s.Env + s.Flag
		if key == "" || s.Usage == "" || len(s.Commands) == 0 {
			t.Errorf("setting %+v lacks a name, usage or command", s)
		}
		if seen[key] {
			t.Errorf("setting %s listed twice", key)
		}
		seen[key] = true
	}
}

// TestREADMEDocumentsEverySetting keeps the README's configuration table in
// step with the settings the binary reads.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skipf("README not found: %v", err)
	}
	readme := string(b)
	for _, s := range Settings() {
		for _, name := range []string{s.Env, s.Flag} {
			if name != "" && !strings.Contains(readme, "| `"+name+"` |") {
				t.Errorf("README's configuration table lacks %s", name)
			}
		}
	}
}

func TestOIDCFromEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"PORTAL_OIDC_ISSUER":          "https://login.microsoftonline.com/organizations/v2.0/",
		"PORTAL_OIDC_CLIENT_ID":       "client-1",
		"PORTAL_OIDC_CLIENT_SECRET":   "oidc-secret-value",
		"PORTAL_OIDC_ALLOWED_TENANTS": " t1, ,t2 ",
	}
	cfg, err := Load(func(k string) string { return env[k] }, nil, flag.NewFlagSet("dev", flag.ContinueOnError))
	if err != nil {
		t.Fatal(err)
	}
	want := OIDC{Issuer: "https://login.microsoftonline.com/organizations/v2.0", ClientID: "client-1",
		ClientSecret: "oidc-secret-value", AllowedTenants: []string{"t1", "t2"}}
	if diff := cmp.Diff(want, cfg.OIDC); diff != "" {
		t.Fatalf("OIDC (-want +got):\n%s", diff)
	}
	var out strings.Builder
	cfg.Print(&out)
	if strings.Contains(out.String(), "oidc-secret-value") || !strings.Contains(out.String(), "client-1") {
		t.Fatalf("printed config leaks the OIDC secret or lacks the client id:\n%s", out.String())
	}

	delete(env, "PORTAL_OIDC_CLIENT_ID")
	_, err = Load(func(k string) string { return env[k] }, nil, flag.NewFlagSet("dev", flag.ContinueOnError))
	if err == nil || !strings.Contains(err.Error(), "PORTAL_OIDC_CLIENT_ID") {
		t.Fatalf("issuer without client id: %v", err)
	}
}
