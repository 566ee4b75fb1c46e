package mirror

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
)

// ErrNotConfigured means the Partner Center connection is not set up yet
// (the wizard's PC step has not been completed).
var ErrNotConfigured = errors.New("partner center connection not configured")

// SettingsPCConfig returns a PCConfig func that reads the Partner Center
// connection from the settings row, decrypting the secret with box.
func SettingsPCConfig(st *store.Store, box *secrets.Box) func(context.Context) (pccclient.Config, error) {
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
		}
		// The app+user credential (a partner admin's consent), when one is
		// connected: its refresh token rolls inside a settings-row lock.
		if len(s.PcRefreshTokenEnc) > 0 {
			var at time.Time
			if s.PcConnectedAt != nil {
				at = *s.PcConnectedAt
			}
			cfg.UserTokens = st.RefreshTokens(box, at)
		}
		return cfg, nil
	}
}

// UserTokensKey identifies cfg's app+user consent, for client caches: a new
// consent or a disconnect must drop the cached app+user access token.
func UserTokensKey(cfg pccclient.Config) string {
	switch t := cfg.UserTokens.(type) {
	case nil:
		return ""
	case *store.RefreshTokens:
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

// clientCache builds a pccclient.Client from the current configuration and
// reuses it while the configuration does not change.
type clientCache struct {
	mu      sync.Mutex
	key     string
	client  *pccclient.Client
	build   func(context.Context) (pccclient.Config, error)
	tweak   func(*pccclient.Config)
	metrics *Metrics
	timeout time.Duration
}

func (c *clientCache) get(ctx context.Context) (*pccclient.Client, error) {
	cfg, err := c.build(ctx)
	if err != nil {
		return nil, err
	}
	key := strings.Join([]string{cfg.PartnerTenantID, cfg.ClientID, cfg.ClientSecret, cfg.BaseURL, cfg.TokenURL, UserTokensKey(cfg)}, "\x00")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil && c.key == key {
		return c.client, nil
	}
	var base http.RoundTripper
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		base = cfg.HTTPClient.Transport
	} else {
		// Syncs run many requests in parallel: keep that many connections
		// open instead of the default two per host.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		base = tr
	}
	timeout := c.timeout
	if cfg.HTTPClient != nil && cfg.HTTPClient.Timeout > 0 {
		timeout = cfg.HTTPClient.Timeout
	}
	cfg.HTTPClient = &http.Client{Timeout: timeout, Transport: &countingTransport{base: base, metrics: c.metrics}}
	if c.tweak != nil {
		c.tweak(&cfg)
	}
	cl, err := pccclient.New(cfg)
	if err != nil {
		return nil, err
	}
	c.client, c.key = cl, key
	return cl, nil
}

// callStats counts the Partner Center calls made for one run; the counting
// transport finds it in the request's context.
type callStats struct {
	calls     atomic.Int64
	throttles atomic.Int64
	failures  atomic.Int64
}

type statsKey struct{}

func withStats(ctx context.Context, s *callStats) context.Context {
	return context.WithValue(ctx, statsKey{}, s)
}

// countingTransport counts every HTTP exchange with Partner Center by
// operation and status, for the run's bookkeeping and for metrics.
type countingTransport struct {
	base    http.RoundTripper
	metrics *Metrics
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
	}
	op := Operation(r.Method, r.URL.Path)
	if s, ok := r.Context().Value(statsKey{}).(*callStats); ok {
		s.calls.Add(1)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			s.throttles.Add(1)
		}
		if err != nil || resp.StatusCode >= 500 {
			s.failures.Add(1)
		}
	}
	t.metrics.pcCall(op, status)
	return resp, err
}

// Operation names a Partner Center request by the sandbox's operation ids
// (list-customers, get-subscription, ...), from its method and path.
func Operation(method, path string) string {
	p := strings.Trim(path, "/")
	if i := strings.Index(p, "v1/"); i >= 0 {
		p = p[i+3:]
	} else if strings.Contains(p, "oauth2") {
		return "token"
	}
	seg := strings.Split(strings.ToLower(p), "/")
	n := len(seg)
	get := method == http.MethodGet
	switch {
	case n == 0:
		return "other"
	case seg[0] == "auditrecords":
		return "list-audit-records"
	case seg[0] == "offers":
		switch {
		case n == 1:
			return "list-offers"
		case n == 3 && seg[2] == "addons":
			return "list-offer-addons"
		}
		return "get-offer"
	case seg[0] == "products":
		switch n {
		case 1:
			return "list-products"
		case 2:
			return "get-product"
		case 3:
			return "list-skus"
		case 4:
			return "get-sku"
		case 5:
			return "list-availabilities"
		}
		return "get-availability"
	case seg[0] == "customers":
		if n == 1 {
			if get {
				return "list-customers"
			}
			return "create-customer"
		}
		if n == 2 {
			return "get-customer"
		}
		switch seg[2] {
		case "subscriptions":
			switch {
			case n == 3:
				return "list-subscriptions"
			case n == 4 && get:
				return "get-subscription"
			case n == 4:
				return "patch-subscription"
			case seg[4] == "addons":
				return "list-subscription-addons"
			case seg[4] == "provisioningstatus":
				return "get-provisioning-status"
			}
			return "subscription-other"
		case "orders":
			switch {
			case n == 3 && get:
				return "list-orders"
			case n == 3:
				return "create-order"
			case get:
				return "get-order"
			}
			return "patch-order"
		case "agreements":
			if get {
				return "list-agreements"
			}
			return "create-agreement"
		case "subscribedskus":
			return "list-subscribed-skus"
		case "entitlements":
			return "list-entitlements"
		case "carts":
			if n >= 5 && seg[4] == "checkout" {
				return "checkout-cart"
			}
			if get {
				return "get-cart"
			}
			return "create-cart"
		}
	case seg[0] == "agreements":
		return "get-agreement-metadata"
	case seg[0] == "domains":
		return "check-domain"
	case seg[0] == "invoices":
		if n == 1 {
			return "list-invoices"
		}
		return "get-invoice"
	}
	return "other"
}
