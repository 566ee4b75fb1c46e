// Package pcconn is the portal's one connection to Partner Center: it
// turns the settings row into a client configuration, keeps one client per
// configuration (so access tokens are reused), keeps the partner admin's
// rolling refresh token sealed under the settings row's lock, and counts
// every call by operation and status.
package pcconn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// ErrNotConfigured means the Partner Center connection is not set up yet
// (the wizard's PC step has not been completed).
var ErrNotConfigured = errors.New("partner center connection not configured")

// Deps configures a Conn.
type Deps struct {
	// Config returns the client configuration; it is called on every
	// Client call, so a connection changed in the settings is picked up
	// without a restart. FromSettings is the binary's; tests give a fixed one.
	Config func(ctx context.Context) (pccclient.Config, error)
	Logger *slog.Logger
	// Transport carries the calls [a clone of http.DefaultTransport keeping
	// 64 idle connections per host, since syncs run many in parallel].
	Transport http.RoundTripper
	// Timeout bounds one HTTP exchange [60s].
	Timeout time.Duration
	// Tweak adjusts the configuration after Config (tests and benchmarks lift
	// rate limits with it).
	Tweak func(*pccclient.Config)
	// OnCall is told of every exchange (metrics): the operation's name (see
	// Operation) and the status ("error" for a network failure).
	OnCall func(op, status string)
}

// Conn hands out the Partner Center client for the current configuration.
type Conn struct {
	d      Deps
	mu     sync.Mutex
	key    string
	client *pccclient.Client
}

// New validates d and returns a Conn.
func New(d Deps) (*Conn, error) {
	if d.Config == nil {
		return nil, errors.New("pcconn: Deps.Config is required")
	}
	d.Logger = cmp.Or(d.Logger, slog.Default())
	d.Timeout = cmp.Or(d.Timeout, 60*time.Second)
	if d.Transport == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		d.Transport = tr
	}
	return &Conn{d: d}, nil
}

// Config returns the current configuration (ErrNotConfigured when there is
// none yet).
func (c *Conn) Config(ctx context.Context) (pccclient.Config, error) { return c.d.Config(ctx) }

// Client returns the client for the current configuration, built once per
// configuration: a new secret, URL or partner admin consent builds a new
// one (dropping cached tokens).
func (c *Conn) Client(ctx context.Context) (*pccclient.Client, error) {
	cfg, err := c.d.Config(ctx)
	if err != nil {
		return nil, err
	}
	key := strings.Join([]string{cfg.PartnerTenantID, cfg.ClientID, cfg.ClientSecret, cfg.BaseURL, cfg.TokenURL, userTokensKey(cfg),
		string(cfg.Cloud), cfg.Resource, cfg.Locale}, "\x00")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil && c.key == key {
		return c.client, nil
	}
	base, timeout := c.d.Transport, c.d.Timeout
	if cfg.HTTPClient != nil {
		base = cmp.Or[http.RoundTripper](cfg.HTTPClient.Transport, base)
		timeout = cmp.Or(cfg.HTTPClient.Timeout, timeout)
	}
	cfg.HTTPClient = &http.Client{Timeout: timeout, Transport: &countingTransport{base: base, onCall: c.d.OnCall}}
	if cfg.Logger == nil {
		cfg.Logger = c.d.Logger
	}
	if c.d.Tweak != nil {
		c.d.Tweak(&cfg)
	}
	cl, err := pccclient.New(cfg)
	if err != nil {
		return nil, err
	}
	c.client, c.key = cl, key
	return cl, nil
}

// FromSettings returns a Deps.Config func that reads the connection from
// the settings row, decrypting the secret with box. With a partner admin's
// consent stored, the configuration's UserTokens rotate that refresh token
// under the settings row's lock.
func FromSettings(st *store.Store, box *secrets.Box) func(context.Context) (pccclient.Config, error) {
	return func(ctx context.Context) (pccclient.Config, error) {
		s, err := st.Settings(ctx)
		if err != nil {
			return pccclient.Config{}, err
		}
		if s.PcTenantID == "" || s.PcClientID == "" || len(s.PcClientSecretEnc) == 0 {
			return pccclient.Config{}, ErrNotConfigured
		}
		if box == nil {
			return pccclient.Config{}, fmt.Errorf("%w: no secret key to decrypt the client secret", ErrNotConfigured)
		}
		secret, err := box.Open(s.PcClientSecretEnc)
		if err != nil {
			return pccclient.Config{}, fmt.Errorf("decrypt partner center secret: %w", err)
		}
		cfg := pccclient.Config{
			PartnerTenantID: s.PcTenantID,
			ClientID:        s.PcClientID,
			ClientSecret:    secret,
			BaseURL:         s.PcApiUrl,
			TokenURL:        TokenURL(s.PcTokenUrl),
			GraphBaseURL:    GraphURL(s.PcApiUrl),
			PricingBaseURL:  PricingURL(s.PcApiUrl),
		}
		applyCloud(&cfg, s.PcCloud)
		if l, ok := i18n.Parse(s.DefaultLanguage); ok {
			cfg.Locale = l.PCLocale()
		}
		if len(s.PcRefreshTokenEnc) > 0 {
			var at time.Time
			if s.PcConnectedAt != nil {
				at = *s.PcConnectedAt
			}
			cfg.UserTokens = NewRefreshTokens(st, box, at)
		}
		return cfg, nil
	}
}

// applyCloud sets cfg's cloud from the settings' pc_cloud: 21Vianet has
// no Graph billing (billing reads v1), and its token audience is its API
// host when the connection points there (a sandbox URL keeps the default,
// which the sandbox accepts).
func applyCloud(cfg *pccclient.Config, stored string) {
	c, _ := rules.ParseCloud(stored)
	if c != rules.CloudChina {
		return
	}
	cfg.Cloud = pccclient.Cloud21Vianet
	p := rules.ProfileOf(c)
	if strings.EqualFold(strings.TrimRight(cfg.BaseURL, "/"), p.APIBaseURL) {
		cfg.Resource = p.Resource
	}
}

// Profile is the capability set of the configured cloud (global when the
// settings cannot be read: pages then show everything and Partner Center
// has the last word).
func Profile(ctx context.Context, st *store.Store) rules.CloudProfile {
	s, err := st.Settings(ctx)
	if err != nil {
		return rules.ProfileOf(rules.CloudGlobal)
	}
	c, _ := rules.ParseCloud(s.PcCloud)
	return rules.ProfileOf(c)
}

// userTokensKey identifies cfg's app+user consent, for the client cache: a
// new consent or a disconnect must drop the cached app+user access token.
func userTokensKey(cfg pccclient.Config) string {
	switch t := cfg.UserTokens.(type) {
	case nil:
		return ""
	case *RefreshTokens:
		return "pg:" + t.ConnectedAt.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprintf("%T:%p", t, t)
	}
}

// TokenURL completes a token URL stored as a bare authority (for example
// "https://login.microsoftonline.com") into the v1 token endpoint template;
// full URLs are kept.
func TokenURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || strings.Trim(u.Path, "/") != "" {
		return raw
	}
	return strings.TrimRight(raw, "/") + "/{tenant}/oauth2/token"
}

// interactiveAttempts bounds the attempts of a call a person waits on.
const interactiveAttempts = 2

// Interactive marks ctx as a request a person waits on: each Partner
// Center call gives up after two attempts instead of backing off further
// (the outbox's worker retries a write later).
func Interactive(ctx context.Context) context.Context {
	return pccclient.WithMaxAttempts(ctx, interactiveAttempts)
}
