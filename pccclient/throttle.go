package pccclient

import (
	"net/http"
	"strings"

	"golang.org/x/time/rate"
)

// Partner Center's throttling model (learn.microsoft.com/partner-center/
// developer/api-throttling-guidance; its 2021 text is in MicrosoftDocs/
// partner-center-sdk develop/api-throttling-guidance.md): throttling is
// enforced only on the APIs the page lists; some count per partner
// tenant, others per partner tenant and customer tenant ("calls against
// other customers might succeed"); a throttled call gets 429 with
// Retry-After. PC publishes no limits and does not say which listed API
// has which scope, so the client reads the scope off the URL, like the
// sandbox: a listed API whose URL names a customer counts per customer,
// the others per partner (Budgets.Scopes overrides). The client keeps its
// own budget in the same scopes, a little under the sandbox's default
// limits, so a full import reads many customers at once instead of
// queueing behind one partner-wide rate.

// Scope is what a throttled API counts its requests against.
type Scope string

// Throttling scopes (the same strings as the sandbox's).
const (
	// ScopeNone: Partner Center does not throttle the API.
	ScopeNone Scope = ""
	// ScopePartner: one budget per API for the whole partner tenant.
	ScopePartner Scope = "partner"
	// ScopeCustomer: one budget per API per customer tenant.
	ScopeCustomer Scope = "customer"
)

// throttledOps are the client's operations on URLs the guidance lists,
// with the scope their URL implies (see the sandbox's table for the
// reading of the list). The page lists URLs, not methods, so a GET and a
// PATCH of the same URL are both in.
var throttledOps = map[string]Scope{
	"create-order":                  ScopeCustomer, // /customers/{id}/orders
	"list-orders":                   ScopeCustomer,
	"get-order":                     ScopeCustomer, // /customers/{id}/orders/{id}
	"patch-order":                   ScopeCustomer,
	"get-order-provisioning-status": ScopeCustomer, // /customers/{id}/orders/{id}/provisioningstatus
	"create-cart":                   ScopeCustomer, // "create a cart"
	"get-cart":                      ScopeCustomer, // /customers/{id}/carts/{id}
	"update-cart":                   ScopeCustomer,
	"checkout-cart":                 ScopeCustomer, // /customers/{id}/carts/{id}/checkout
	"get-customer":                  ScopeCustomer, // /customers/{id}
	"list-subscriptions":            ScopeCustomer, // /customers/{id}/subscriptions
	"get-subscription":              ScopeCustomer, // /customers/{id}/subscriptions/{id}
	"patch-subscription":            ScopeCustomer,
	"list-subscription-addons":      ScopeCustomer, // /customers/{id}/subscriptions/{id}/addons
}

// ThrottleScope returns the scope Partner Center throttles operation op
// in (the operation ids of this package and the sandbox), or ScopeNone
// when PC does not list it as throttled.
func ThrottleScope(op string) Scope { return throttledOps[op] }

// Budgets are the client's own request budgets, in the scopes of PC's
// throttling model. Zero fields take DefaultBudgets' values.
type Budgets struct {
	// CustomerRead and CustomerWrite budget one listed API for one
	// customer (GET is a read, other methods write).
	CustomerRead, CustomerWrite RateLimit
	// PartnerRead and PartnerWrite budget one listed per-partner API.
	PartnerRead, PartnerWrite RateLimit
	// Unlisted budgets, per class and partner-wide, the APIs PC does not
	// throttle; a class without an entry has no client limit. Nil means
	// DefaultBudgets().Unlisted.
	Unlisted map[OpClass]RateLimit
	// Scopes moves listed operations to another scope (PC does not say
	// which API has which); unlisted operations stay unlisted.
	Scopes map[string]Scope
	// MaxCustomerBuckets bounds the per-customer budgets kept; idle ones
	// go first, then the least recently used. Default 4096.
	MaxCustomerBuckets int
}

// DefaultBudgets returns the budgets used when Config.Budgets leaves a
// field zero. PC publishes no limits; these stay under the sandbox's
// default PC model (300 reads and 60 writes a minute per listed API and
// customer, 1200 and 300 per partner) whatever the phase of its minute
// windows: burst + rate*60s is 250 of 300, 52 of 60, 1000 of 1200 and 250
// of 300. APIs PC does not throttle get no limit, except writes, which
// keep the former client's 5/s (burst 10) partner-wide because PC says
// writes throttle sooner and nothing waits on them in bulk.
func DefaultBudgets() Budgets {
	return Budgets{
		CustomerRead:       RateLimit{Rate: 4, Burst: 10},
		CustomerWrite:      RateLimit{Rate: 0.8, Burst: 4},
		PartnerRead:        RateLimit{Rate: 16, Burst: 40},
		PartnerWrite:       RateLimit{Rate: 4, Burst: 10},
		Unlisted:           map[OpClass]RateLimit{ClassWrite: {Rate: 5, Burst: 10}},
		MaxCustomerBuckets: 4096,
	}
}

// withDefaults fills b's zero fields from DefaultBudgets.
func (b Budgets) withDefaults() Budgets {
	d := DefaultBudgets()
	or := func(v, def RateLimit) RateLimit {
		if v.Rate == 0 {
			return def
		}
		return v
	}
	b.CustomerRead, b.CustomerWrite = or(b.CustomerRead, d.CustomerRead), or(b.CustomerWrite, d.CustomerWrite)
	b.PartnerRead, b.PartnerWrite = or(b.PartnerRead, d.PartnerRead), or(b.PartnerWrite, d.PartnerWrite)
	if b.Unlisted == nil {
		b.Unlisted = d.Unlisted
	}
	if b.MaxCustomerBuckets <= 0 {
		b.MaxCustomerBuckets = d.MaxCustomerBuckets
	}
	return b
}

// budgetKind says which budget a call draws on.
type budgetKind int

const (
	budgetNone      budgetKind = iota // no client limit
	budgetPinned                      // Config.RateLimits: one bucket for the class
	budgetCustomer                    // a listed API for one customer
	budgetPartner                     // a listed API partner-wide
	budgetUnlisted                    // an unlisted API's class, partner-wide
	budgetPauseOnly                   // an unlisted API without a limit: only Retry-After pauses it
)

// budgetKey names the bucket a call draws on: its kind, the map key and
// the limit a new bucket gets. It is a pure function of the call so the
// choice can be table-tested.
func (b *Budgets) budgetKey(pinned map[OpClass]RateLimit, cl *call) (budgetKind, string, RateLimit) {
	if rl, ok := pinned[cl.class]; ok {
		if rl.Rate == rate.Inf {
			return budgetNone, "", rl
		}
		return budgetPinned, "class:" + string(cl.class), rl
	}
	scope := throttledOps[cl.op]
	if s, ok := b.Scopes[cl.op]; ok && scope != ScopeNone && (s == ScopePartner || s == ScopeCustomer) {
		scope = s
	}
	write := cl.method != http.MethodGet && cl.method != http.MethodHead
	if scope == ScopeCustomer {
		if cid := customerOf(cl.path); cid != "" {
			if write {
				return budgetCustomer, cl.op + "/" + cid, b.CustomerWrite
			}
			return budgetCustomer, cl.op + "/" + cid, b.CustomerRead
		}
		scope = ScopePartner // no customer in the URL: count it partner-wide
	}
	if scope == ScopePartner {
		if write {
			return budgetPartner, cl.op, b.PartnerWrite
		}
		return budgetPartner, cl.op, b.PartnerRead
	}
	if rl, ok := b.Unlisted[cl.class]; ok && rl.Rate != rate.Inf {
		return budgetUnlisted, "class:" + string(cl.class), rl
	}
	// PC says every API will be throttled in the end: an unlisted API
	// that answers 429 pauses its own calls for Retry-After.
	return budgetPauseOnly, "op:" + cl.op, RateLimit{Rate: rate.Inf}
}

// customerOf returns the customer id a PC path names (/customers/{id}/...,
// with or without /v1 and a query), lowercased as tenant ids compare
// case-insensitively; "" when it names none.
func customerOf(path string) string {
	p, _, _ := strings.Cut(path, "?")
	p = strings.TrimPrefix(p, "/v1")
	rest, ok := strings.CutPrefix(p, "/customers/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return strings.ToLower(id)
}
