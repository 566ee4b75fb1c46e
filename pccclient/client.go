package pccclient

import (
	"context"
	"fmt"
	"iter"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Client is a Partner Center REST client. It is safe for concurrent use.
type Client struct {
	cfg    Config
	tokens *tokenSource // app-only
	user   *tokenSource // app+user
	// priceApp and priceUser are the same credentials for the pricing
	// host's audience.
	priceApp, priceUser *tokenSource
	// graphApp and graphUser are the same credentials for Microsoft Graph.
	graphApp, graphUser *tokenSource
	budgets             *budgets
}

// New validates cfg (all problems joined into one error) and returns a client.
func New(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("pccclient: invalid config: %w", err)
	}
	cfg.setDefaults()
	c := &Client{cfg: cfg, budgets: newBudgets(cfg.Budgets, cfg.RateLimits)}
	c.tokens = &tokenSource{cfg: &c.cfg, kind: AppOnly, resource: c.cfg.Resource}
	c.user = &tokenSource{cfg: &c.cfg, kind: AppUser, resource: c.cfg.Resource}
	c.priceApp = &tokenSource{cfg: &c.cfg, kind: AppOnly, resource: c.cfg.PricingResource}
	c.priceUser = &tokenSource{cfg: &c.cfg, kind: AppUser, resource: c.cfg.PricingResource}
	c.graphApp = &tokenSource{cfg: &c.cfg, kind: AppOnly, resource: c.cfg.GraphResource}
	c.graphUser = &tokenSource{cfg: &c.cfg, kind: AppUser, resource: c.cfg.GraphResource}
	return c, nil
}

// BaseURL returns the API root the client talks to (without /v1).
func (c *Client) BaseURL() string { return c.cfg.BaseURL }

// PricingBaseURL returns the pricing host's root (without /v1.0).
func (c *Client) PricingBaseURL() string { return c.cfg.PricingBaseURL }

// GraphBaseURL returns Microsoft Graph's root (without /v1.0).
func (c *Client) GraphBaseURL() string { return c.cfg.GraphBaseURL }

// NewRequestID returns a fresh MS-RequestId for a write. Persist it with the
// intended change and pass the same value on every retry of that change.
func NewRequestID() string { return uuid.NewString() }

type correlationKey struct{}

// WithCorrelationID makes calls made with ctx send id as MS-CorrelationId
// (otherwise each call gets a fresh one).
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

type attemptsKey struct{}

// WithMaxAttempts lowers the attempts of each call made with ctx to n (a
// person waits on the answer; a background job retries further). A value
// above Config.MaxAttempts does not raise it.
func WithMaxAttempts(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptsKey{}, n)
}

type localeKey struct{}

// WithLocale makes each call made with ctx ask Partner Center for strings
// in locale (X-Locale, e.g. "zh-CN"), overriding Config.Locale: a page a
// person waits on asks in that person's language.
func WithLocale(ctx context.Context, locale string) context.Context {
	return context.WithValue(ctx, localeKey{}, locale)
}

// locale is the X-Locale of a call made with ctx.
func (c *Client) locale(ctx context.Context) string {
	if l, ok := ctx.Value(localeKey{}).(string); ok && l != "" {
		return l
	}
	return c.cfg.Locale
}

// Cloud is the cloud this client talks to: Config.Cloud, else the one its
// BaseURL names (CloudOf).
func (c *Client) Cloud() Cloud {
	if c.cfg.Cloud != "" {
		return c.cfg.Cloud
	}
	return CloudOf(c.cfg.BaseURL)
}

// maxAttempts is the attempts one call made with ctx may take.
func (c *Client) maxAttempts(ctx context.Context) int {
	if n, ok := ctx.Value(attemptsKey{}).(int); ok && n > 0 && n < c.cfg.MaxAttempts {
		return n
	}
	return c.cfg.MaxAttempts
}

// Collect drains an iterator into a slice, stopping at the first error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// args collects argument problems for one operation.
type args struct {
	op  string
	err *ArgumentError
}

func check(op string) *args { return &args{op: op} }

func (a *args) fail(field, problem string) {
	if a.err == nil {
		a.err = &ArgumentError{Operation: a.op, Field: field, Problem: problem}
	}
}

func (a *args) required(field, v string) *args {
	if strings.TrimSpace(v) == "" {
		a.fail(field, "is empty")
	} else if strings.ContainsAny(v, "/?#") {
		a.fail(field, fmt.Sprintf("%q contains a path or query character", v))
	}
	return a
}

func (a *args) guid(field, v string) *args {
	if strings.TrimSpace(v) == "" {
		a.fail(field, "is empty")
	} else if !guidRE.MatchString(v) {
		a.fail(field, fmt.Sprintf("%q is not a GUID", v))
	}
	return a
}

func (a *args) positive(field string, n int) *args {
	if n < 1 {
		a.fail(field, fmt.Sprintf("must be at least 1, got %d", n))
	}
	return a
}

func (a *args) country(v string) *args {
	if len(v) != 2 {
		a.fail("country", fmt.Sprintf("%q is not an ISO 3166 two-letter code", v))
	}
	return a
}

func (a *args) check(ok bool, field, problem string) *args {
	if !ok {
		a.fail(field, problem)
	}
	return a
}

func (a *args) done() error {
	if a.err == nil {
		return nil
	}
	return a.err
}

func itoa(n int) string { return strconv.Itoa(n) }

// pageSize returns Config.PageSize or def.
func (c *Client) pageSize(def int) string {
	if c.cfg.PageSize > 0 {
		return itoa(c.cfg.PageSize)
	}
	return itoa(def)
}
