package sandbox

import (
	"net/http"
	"time"
)

// Partner Center's throttling model, as its "API throttling guidance"
// page describes it (learn.microsoft.com/partner-center/developer/
// api-throttling-guidance, read 2026-12; the 2021 table is in
// MicrosoftDocs/partner-center-sdk develop/api-throttling-guidance.md):
//
//   - Only the APIs the page lists are throttled ("currently, the
//     throttling limits are only enforced on the APIs listed below").
//   - Some APIs count per partner tenant, others per partner tenant and
//     customer tenant ("calls against other customers might succeed").
//   - A throttled call gets 429, Retry-After in seconds and the body
//     {"statusCode":429,"message":"Rate limit is exceeded. Try again in N seconds."}.
//
// The page names no limits and does not say which listed API has which
// scope. The sandbox reads the scope off the URL: an API whose URL names
// a customer ({baseURL}/v1/customers/{customer-id}/...) counts per
// partner and customer, the others (/v1/productUpgrades...) per partner;
// PCThrottling.Scopes overrides that per API. The limits are our defaults.

// Scope is what a throttled API counts its requests against.
type Scope string

// Throttling scopes.
const (
	// ScopeNone: Partner Center does not throttle the API.
	ScopeNone Scope = ""
	// ScopePartner: one count per API for the whole partner tenant.
	ScopePartner Scope = "partner"
	// ScopeCustomer: one count per API per partner and customer tenant.
	ScopeCustomer Scope = "customer"
)

// throttledOps are the sandbox operations on URLs the guidance lists,
// with the scope the URL implies. The table lists URLs, not methods, so
// every operation on a listed URL is in: GET and PATCH of
// /customers/{id}/subscriptions/{id} ("get a subscription by ID",
// "manage subscription"), GET and POST of /customers/{id}/orders. The
// listed URL .../orders/{order_id}/provisioningstatus is labelled "get
// subscription provisioning status"; the URL is what counts here, so the
// subscription's own provisioningstatus is not throttled. Listed APIs the
// sandbox does not serve: subscription upgrades, registrations and
// registrationstatus, conversions, azureEntitlements, transfers, and the
// per-partner /productUpgrades, /productUpgrades/eligibility and
// /productUpgrades/{id}/status.
var throttledOps = map[string]Scope{
	OpCreateOrder:                ScopeCustomer, // /customers/{id}/orders
	OpListOrders:                 ScopeCustomer,
	OpGetOrder:                   ScopeCustomer, // /customers/{id}/orders/{id}
	OpPatchOrder:                 ScopeCustomer,
	OpGetOrderProvisioningStatus: ScopeCustomer, // /customers/{id}/orders/{id}/provisioningstatus
	OpCreateCart:                 ScopeCustomer, // "create a cart"
	OpGetCart:                    ScopeCustomer, // /customers/{id}/carts/{id}
	OpUpdateCart:                 ScopeCustomer,
	OpCheckoutCart:               ScopeCustomer, // /customers/{id}/carts/{id}/checkout
	OpGetCustomer:                ScopeCustomer, // /customers/{id}
	OpListSubscriptions:          ScopeCustomer, // /customers/{id}/subscriptions
	OpGetSubscription:            ScopeCustomer, // /customers/{id}/subscriptions/{id}
	OpPatchSubscription:          ScopeCustomer,
	OpListSubscriptionAddons:     ScopeCustomer, // /customers/{id}/subscriptions/{id}/addons
}

// ThrottledOps returns the operations Partner Center throttles (the
// guidance's list, as far as the sandbox serves it) and the scope each
// counts against by default. Operations not in it are never throttled by
// the PC model.
func ThrottledOps() map[string]Scope {
	out := make(map[string]Scope, len(throttledOps))
	for op, s := range throttledOps {
		out[op] = s
	}
	return out
}

// Default limits of the PC model, in requests per minute per API and
// scope key. PC publishes none. The per-partner ones are the budgets the
// portal's client kept before it followed the model (reads 20/s, writes
// 5/s partner-wide); per customer a listed read may run 5/s and a write
// 1/s, writes lower because the guidance says writes throttle sooner.
const (
	DefaultPCCustomerReadsPerMinute  = 300
	DefaultPCCustomerWritesPerMinute = 60
	DefaultPCPartnerReadsPerMinute   = 1200
	DefaultPCPartnerWritesPerMinute  = 300
)

// PCThrottling turns on Partner Center's throttling model: every listed
// API (ThrottledOps) is limited per minute of sandbox time in its scope,
// and answered 429 with Retry-After (the seconds until its window frees
// up) and PC's throttling body beyond that. Zero limits take the defaults.
type PCThrottling struct {
	CustomerReadsPerMinute  int `json:"customerReadsPerMinute,omitempty"`
	CustomerWritesPerMinute int `json:"customerWritesPerMinute,omitempty"`
	PartnerReadsPerMinute   int `json:"partnerReadsPerMinute,omitempty"`
	PartnerWritesPerMinute  int `json:"partnerWritesPerMinute,omitempty"`
	// Scopes moves listed APIs to another scope (PC does not say which
	// API has which); operations that are not listed stay unthrottled.
	Scopes map[string]Scope `json:"scopes,omitempty"`
}

// limit returns the per-minute limit and the scope of op under the model;
// 0 means op is not throttled.
func (p *PCThrottling) limit(op, method string) (int, Scope) {
	scope, ok := throttledOps[op]
	if !ok {
		return 0, ScopeNone
	}
	if s, ok := p.Scopes[op]; ok && (s == ScopePartner || s == ScopeCustomer) {
		scope = s
	}
	write := method != http.MethodGet && method != http.MethodHead
	switch {
	case scope == ScopeCustomer && write:
		return cmpInt(p.CustomerWritesPerMinute, DefaultPCCustomerWritesPerMinute), scope
	case scope == ScopeCustomer:
		return cmpInt(p.CustomerReadsPerMinute, DefaultPCCustomerReadsPerMinute), scope
	case write:
		return cmpInt(p.PartnerWritesPerMinute, DefaultPCPartnerWritesPerMinute), scope
	default:
		return cmpInt(p.PartnerReadsPerMinute, DefaultPCPartnerReadsPerMinute), scope
	}
}

// minSweep is the number of per-minute windows (one per API and
// customer: an import touches every customer) kept before expired ones
// are swept.
const minSweep = 4096

// count adds one request to the window of wkey and returns how long until
// that window frees up if the request is over limit (0: allowed). The
// caller holds f.mu.
func (f *faultState) count(wkey string, limit int, now time.Time) time.Duration {
	win := f.windows[wkey]
	if win == nil || now.Sub(win.start) >= time.Minute {
		if win == nil && len(f.windows) >= max(f.sweepAt, minSweep) {
			for k, w := range f.windows {
				if now.Sub(w.start) >= time.Minute {
					delete(f.windows, k)
				}
			}
			// The next sweep waits until the map doubles, so a minute with
			// more live windows than minSweep costs O(1) per request.
			f.sweepAt = 2 * len(f.windows)
		}
		win = &window{start: now}
		f.windows[wkey] = win
	}
	win.n++
	if win.n > limit {
		return win.start.Add(time.Minute).Sub(now)
	}
	return 0
}

// modelThrottle applies the PC model to a request of op (caller holds f.mu).
func (f *faultState) modelThrottle(p *PCThrottling, r *http.Request, op string, now time.Time) time.Duration {
	limit, scope := p.limit(op, r.Method)
	if limit <= 0 {
		return 0
	}
	wkey := "pc/" + op
	if scope == ScopeCustomer {
		wkey += "/" + key(r.PathValue("cid"))
	}
	return f.count(wkey, limit, now)
}
