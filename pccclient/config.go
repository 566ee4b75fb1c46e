package pccclient

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Version is the portal version named in the User-Agent.
var Version = "dev"

// Defaults.
const (
	DefaultBaseURL     = "https://api.partnercenter.microsoft.com"
	DefaultTokenURL    = "https://login.microsoftonline.com/{tenant}/oauth2/token"
	DefaultResource    = "https://api.partnercenter.microsoft.com"
	DefaultMaxAttempts = 4 // the .NET SDK retries 3 times after the first attempt
	DefaultLocale      = "en-US"
	// DefaultPricingBaseURL is Partner Center's pricing host (price sheets;
	// learn.microsoft.com "Get a price sheet"), not the REST v1 host.
	DefaultPricingBaseURL = "https://api.partner.microsoft.com"
	// DefaultPricingResource is the token audience the pricing host accepts
	// (a token for DefaultResource is refused there: learn.microsoft.com
	// Q&A "API to get foreign exchange rates from partner center").
	DefaultPricingResource = "https://api.partner.microsoft.com"
	// DefaultPriceSheetTimeout bounds one price sheet download (tens of MB).
	DefaultPriceSheetTimeout = 30 * time.Minute
	// DefaultGraphBaseURL is Microsoft Graph, where Partner Center's
	// billing reconciliation API v2 lives (learn.microsoft.com "Billed
	// invoice reconciliation API v2": "isn't hosted on the Partner Center
	// API host").
	DefaultGraphBaseURL = "https://graph.microsoft.com"
	// DefaultGraphResource is Microsoft Graph's token audience (scope
	// https://graph.microsoft.com/.default on the v2 token endpoint).
	DefaultGraphResource = "https://graph.microsoft.com"
)

// Clock is the time source of the client: token expiry, rate limiting,
// Retry-After and back-off waits all use it, so tests can drive them.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has elapsed on this clock.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock is the wall clock.
var RealClock Clock = realClock{}

// OpClass groups operations for Config.RateLimits and Budgets.Unlisted
// (PC's own throttling is per API, see ThrottleScope).
type OpClass string

// Operation classes.
const (
	// ClassCatalog: offers, products, SKUs, availabilities, agreements metadata, domains.
	ClassCatalog OpClass = "catalog"
	// ClassRead: customer-scoped reads (customers, subscriptions, orders,
	// entitlements, subscribed SKUs, invoices). PC throttles several of
	// these per partner and customer (ThrottleScope).
	ClassRead OpClass = "read"
	// ClassWrite: creates and PATCHes (customers, agreements, carts,
	// checkout, orders, subscriptions). PC lists carts, orders and
	// subscription changes as throttled.
	ClassWrite OpClass = "write"
	// ClassAudit: audit record queries (PC recommends one query per day window).
	ClassAudit OpClass = "audit"
)

// RateLimit is a token bucket: Rate events per second with Burst.
// rate.Inf disables the limit.
type RateLimit struct {
	Rate  rate.Limit
	Burst int
}

// DefaultRateLimits are the one-bucket-per-class limits the client used
// before it followed PC's throttling model (catalog 20/s burst 40, reads
// 20/s burst 40, writes 5/s burst 10, audit 2/s burst 5, each for the
// whole partner). The client no longer applies them by itself (see
// Budgets); they remain a reference pace for Config.RateLimits, e.g. a
// benchmark that replays the former client.
func DefaultRateLimits() map[OpClass]RateLimit {
	return map[OpClass]RateLimit{
		ClassCatalog: {Rate: 20, Burst: 40},
		ClassRead:    {Rate: 20, Burst: 40},
		ClassWrite:   {Rate: 5, Burst: 10},
		ClassAudit:   {Rate: 2, Burst: 5},
	}
}

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	PartnerTenantID string // partner tenant id (GUID) or domain
	ClientID        string // Entra application id
	ClientSecret    string
	// UserTokens holds the partner admin's refresh token for the operations
	// Partner Center only allows with an app+user credential (see
	// RequiredCredential). Optional: without it those operations are tried
	// app-only and PC's refusal comes back as a *ConsentError. Every other
	// operation always uses the app-only (client credentials) token.
	UserTokens RefreshTokenStore

	BaseURL  string // default DefaultBaseURL
	TokenURL string // default DefaultTokenURL with {tenant} = PartnerTenantID
	Resource string // token audience, default DefaultResource
	// Cloud is the Partner Center instance (the settings' choice); "" means
	// the one BaseURL names (CloudOf). It decides where billing data comes
	// from, so the sandbox can play 21Vianet on a local URL.
	Cloud Cloud

	// PricingBaseURL is the pricing host (price sheets), default
	// DefaultPricingBaseURL; for the sandbox its URL + sandbox.PricingPathPrefix
	// (or the URL of a listener serving sandbox.PricingHandler). It may
	// carry a path; /v1.0/sales/... is appended.
	PricingBaseURL string
	// PricingResource is the pricing host's token audience, default
	// DefaultPricingResource. Its calls follow the same credential rules
	// (RequiredCredential): app+user from UserTokens, redeemed for this
	// audience (the Entra app needs Partner Center's pricing API permission).
	PricingResource string
	// PriceSheetTimeout bounds one price sheet download, replacing
	// HTTPClient.Timeout for it; default DefaultPriceSheetTimeout. It
	// bounds one billing blob download too.
	PriceSheetTimeout time.Duration
	// GraphBaseURL is Microsoft Graph (partner billing exports), default
	// DefaultGraphBaseURL; for the sandbox its URL + sandbox.GraphPathPrefix.
	// /v1.0/reports/... is appended.
	GraphBaseURL string
	// GraphResource is Graph's token audience, default
	// DefaultGraphResource. The billing exports need the Entra app's
	// PartnerBilling.Read.All permission; Graph accepts it as an
	// application permission, so they are called app-only.
	GraphResource string

	HTTPClient  *http.Client  // default: a client with a 60s timeout
	Clock       Clock         // default RealClock
	Logger      *slog.Logger  // default slog.Default()
	UserAgent   string        // default "cspportal/" + Version
	Locale      string        // X-Locale, default en-US
	MaxAttempts int           // per call, including the first; default 4
	BaseBackoff time.Duration // first back-off for 5xx/network errors; default 500ms
	MaxBackoff  time.Duration // cap; default 30s
	// MaxRetryAfter caps how long a single 429 wait may be; default 2m.
	MaxRetryAfter time.Duration
	// Budgets are the client's own limits, in the scopes of PC's
	// throttling model (per listed API and customer, per listed API
	// partner-wide, per class for unlisted APIs); zero fields take
	// DefaultBudgets. A 429 pauses its scope for Retry-After and halves
	// its rate until successes bring it back.
	Budgets Budgets
	// RateLimits pins each class it names to one partner-wide bucket
	// (the former client's behaviour, without the model's scopes or
	// adaptation); rate.Inf lifts the client's limits for the class.
	// Tests and benchmarks use it; production leaves it nil.
	RateLimits map[OpClass]RateLimit
	// PageSize overrides the page size of paged lists (offers, offer
	// add-ons, invoices, audit records, and customers unless
	// ListCustomersOptions.Size is set). Default: 200 for offset-paged lists,
	// 500 for seek-paged ones.
	PageSize int
}

func (c *Config) validate() error {
	var errs []error
	if strings.TrimSpace(c.PartnerTenantID) == "" {
		errs = append(errs, errors.New("PartnerTenantID is required"))
	} else if strings.ContainsAny(c.PartnerTenantID, "/?# ") {
		errs = append(errs, fmt.Errorf("PartnerTenantID %q is not a tenant id or domain", c.PartnerTenantID))
	}
	if strings.TrimSpace(c.ClientID) == "" {
		errs = append(errs, errors.New("ClientID is required"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("ClientSecret is required"))
	}
	for name, u := range map[string]string{"BaseURL": c.BaseURL, "TokenURL": c.TokenURL, "PricingBaseURL": c.PricingBaseURL,
		"GraphBaseURL": c.GraphBaseURL} {
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q is not an absolute http(s) URL", name, u))
		}
	}
	if c.PageSize < 0 {
		errs = append(errs, fmt.Errorf("PageSize %d is negative", c.PageSize))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("MaxAttempts %d is negative", c.MaxAttempts))
	}
	if c.BaseBackoff < 0 || c.MaxBackoff < 0 || c.MaxRetryAfter < 0 || c.PriceSheetTimeout < 0 {
		errs = append(errs, errors.New("BaseBackoff, MaxBackoff, MaxRetryAfter and PriceSheetTimeout must not be negative"))
	}
	for class, rl := range c.RateLimits {
		if rl.Rate <= 0 || (rl.Burst < 1 && rl.Rate != rate.Inf) {
			errs = append(errs, fmt.Errorf("RateLimits[%s] needs Rate > 0 and Burst >= 1", class))
		}
	}
	b := c.Budgets
	for name, rl := range map[string]RateLimit{"CustomerRead": b.CustomerRead, "CustomerWrite": b.CustomerWrite,
		"PartnerRead": b.PartnerRead, "PartnerWrite": b.PartnerWrite} {
		if rl.Rate < 0 || (rl.Rate > 0 && rl.Burst < 1 && rl.Rate != rate.Inf) {
			errs = append(errs, fmt.Errorf("Config.Budgets.%s needs Rate > 0 and Burst >= 1 (or zero for the default)", name))
		}
	}
	for class, rl := range b.Unlisted {
		if rl.Rate <= 0 || (rl.Burst < 1 && rl.Rate != rate.Inf) {
			errs = append(errs, fmt.Errorf("Config.Budgets.Unlisted[%s] needs Rate > 0 and Burst >= 1", class))
		}
	}
	for op, sc := range b.Scopes {
		if ThrottleScope(op) == ScopeNone || (sc != ScopePartner && sc != ScopeCustomer) {
			errs = append(errs, fmt.Errorf("Config.Budgets.Scopes[%s] = %q: only a throttled operation moves, to %q or %q", op, sc, ScopePartner, ScopeCustomer))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) setDefaults() {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.TokenURL == "" {
		c.TokenURL = DefaultTokenURL
	}
	c.TokenURL = strings.ReplaceAll(c.TokenURL, "{tenant}", url.PathEscape(c.PartnerTenantID))
	if c.Resource == "" {
		c.Resource = DefaultResource
	}
	if c.PricingBaseURL == "" {
		c.PricingBaseURL = DefaultPricingBaseURL
	}
	c.PricingBaseURL = strings.TrimRight(c.PricingBaseURL, "/")
	if c.PricingResource == "" {
		c.PricingResource = DefaultPricingResource
	}
	if c.GraphBaseURL == "" {
		c.GraphBaseURL = DefaultGraphBaseURL
	}
	c.GraphBaseURL = strings.TrimRight(c.GraphBaseURL, "/")
	if c.GraphResource == "" {
		c.GraphResource = DefaultGraphResource
	}
	if c.PriceSheetTimeout == 0 {
		c.PriceSheetTimeout = DefaultPriceSheetTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if c.Clock == nil {
		c.Clock = RealClock
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.UserAgent == "" {
		c.UserAgent = "cspportal/" + Version
	}
	if c.Locale == "" {
		c.Locale = DefaultLocale
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.BaseBackoff == 0 {
		c.BaseBackoff = 500 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = 2 * time.Minute
	}
}
