package sandbox

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Admin endpoints under /_sandbox control the sandbox over HTTP (no auth:
// the sandbox is a test double and must never face the internet).
//
//	GET    /_sandbox/state                 summary (clock, counts, faults, calls)
//	POST   /_sandbox/clock/advance         {"seconds":N} or {"duration":"36h"}
//	POST   /_sandbox/faults                {"latencyMs":0,"errorRate":0,"timeoutRate":0,"dropRate":0,"throttle":{"create-order":{"perMinute":10}},
//	                                        "pcModel":{"customerReadsPerMinute":300,"scopes":{"get-customer":"partner"}}} (PCThrottling; {} = defaults)
//	DELETE /_sandbox/faults                clear faults and injections
//	POST   /_sandbox/inject                {"kind":"throttle|fail|drop","op":"create-order","n":1,"status":503,"retryAfterSeconds":2}
//	POST   /_sandbox/seed                  {"customers":N,"subscriptionsPerCustomer":M}
//	POST   /_sandbox/tokens/revoke         invalidate every access token
//	POST   /_sandbox/token                 issue an access token without credentials
//	GET    /_sandbox/prices?country=US     the price list (what an order bills now per unit and billing period)
//	GET    /_sandbox/pricechanges          the published new-commerce price changes
//	POST   /_sandbox/pricechanges          {"effective":"2026-06","percent":"3","skus":["CFQ7TTC0LFLZ:0002"]} (no skus: all)
//	POST   /_sandbox/pricesheet            {"bulkRows":100000}: synthetic rows at the end of license-based sheets
//	GET    /_sandbox/options               {"readAfterCreateDelaySeconds":0,"allowAppOnlyEverywhere":false,"legacyPurchases":false}
//	POST   /_sandbox/options               same body: change them at run time
//	GET    /_sandbox/users                 the partner users of the sign-in page (upn, password, mfa)
//	POST   /_sandbox/users/{upn}/revoke    revoke the user's refresh tokens (next redeem: invalid_grant AADSTS50173)
//	POST   /_sandbox/user-token            {"user":"admin@sandbox.test"}: access and refresh token as after a consent
//	POST   /_sandbox/customers/{cid}/relationship/remove   the customer removes the partner (403 20002 from then on)
//	POST   /_sandbox/customers/{cid}/licenses               {"skuPartNumber":"SPE_E3","assigned":10}: licences the customer assigned (subscribedskus consumedUnits)
//	POST   /_sandbox/customers/{cid}/delegated-admin       {"enabled":false}: no DAP/GDAP (subscribedskus 403 2032)
//	POST   /_sandbox/customers/{cid}/subscriptions/{sid}/status  {"status":"disabled"} (any string)
//	GET    /_sandbox/customers/{cid}/subscriptions/{sid}/lifecycle  the calendar PC has no fields for (Lifecycle):
//	       tranches, renewal time, billed-until, disabled and deletion dates, term prices

type adminFaults struct {
	LatencyMs   int                 `json:"latencyMs"`
	ErrorRate   float64             `json:"errorRate"`
	TimeoutRate float64             `json:"timeoutRate"`
	DropRate    float64             `json:"dropRate"`
	Throttle    map[string]Throttle `json:"throttle"`
	PCModel     *PCThrottling       `json:"pcModel,omitempty"`
}

func (s *Sandbox) adminRoutes() {
	h := func(pattern string, f func(r *http.Request) (int, any)) {
		s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			status, v := f(r)
			if e, ok := v.(*pcError); ok {
				status = e.Status
			}
			writeJSON(w, status, v)
		})
	}
	decode := func(r *http.Request, v any) *pcError {
		if err := json.NewDecoder(r.Body).Decode(v); err != nil {
			return errBadInput("admin body: %v", err)
		}
		return nil
	}
	h("GET /_sandbox/state", func(r *http.Request) (int, any) { return 200, s.Summary() })
	h("POST /_sandbox/clock/advance", func(r *http.Request) (int, any) {
		var in struct {
			Seconds  float64 `json:"seconds"`
			Duration string  `json:"duration"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		d := time.Duration(in.Seconds * float64(time.Second))
		if in.Duration != "" {
			pd, err := time.ParseDuration(in.Duration)
			if err != nil {
				return 0, errBadInput("duration: %v", err)
			}
			d = pd
		}
		if d <= 0 {
			return 0, errBadInput("advance by a positive duration")
		}
		s.Advance(d)
		return 200, map[string]any{"now": s.Now()}
	})
	h("POST /_sandbox/faults", func(r *http.Request) (int, any) {
		var in adminFaults
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		if p := in.PCModel; p != nil {
			for op, sc := range p.Scopes {
				if _, ok := throttledOps[op]; !ok || (sc != ScopePartner && sc != ScopeCustomer) {
					return 0, errBadInput("pcModel.scopes: %q is not a throttled API or %q not partner or customer", op, sc)
				}
			}
		}
		s.SetFaults(Faults{Latency: time.Duration(in.LatencyMs) * time.Millisecond, ErrorRate: in.ErrorRate,
			TimeoutRate: in.TimeoutRate, DropRate: in.DropRate, Throttle: in.Throttle, PCModel: in.PCModel})
		return 200, in
	})
	h("DELETE /_sandbox/faults", func(r *http.Request) (int, any) {
		s.ResetFaults()
		return 200, map[string]bool{"reset": true}
	})
	h("POST /_sandbox/inject", func(r *http.Request) (int, any) {
		var in struct {
			Kind              string  `json:"kind"`
			Op                string  `json:"op"`
			N                 int     `json:"n"`
			Status            int     `json:"status"`
			RetryAfterSeconds float64 `json:"retryAfterSeconds"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		if in.N <= 0 {
			in.N = 1
		}
		switch strings.ToLower(in.Kind) {
		case "throttle":
			s.ThrottleNext(in.Op, in.N, time.Duration(in.RetryAfterSeconds*float64(time.Second)))
		case "fail":
			s.FailNext(in.Op, in.N, cmpInt(in.Status, http.StatusServiceUnavailable))
		case "drop":
			s.DropNext(in.Op, in.N)
		default:
			return 0, errBadInput("kind must be throttle, fail or drop")
		}
		return 200, in
	})
	h("POST /_sandbox/seed", func(r *http.Request) (int, any) {
		var in struct {
			Customers                int `json:"customers"`
			SubscriptionsPerCustomer int `json:"subscriptionsPerCustomer"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		if err := s.SeedBulk(in.Customers, in.SubscriptionsPerCustomer); err != nil {
			return 0, errBadInput("%v", err)
		}
		return 200, s.Summary()
	})
	h("POST /_sandbox/tokens/revoke", func(r *http.Request) (int, any) {
		s.RevokeTokens()
		return 200, map[string]bool{"revoked": true}
	})
	h("POST /_sandbox/token", func(r *http.Request) (int, any) {
		return 200, map[string]string{"access_token": s.IssueToken(), "token_type": "Bearer"}
	})
	options := func() map[string]any {
		return map[string]any{"readAfterCreateDelaySeconds": time.Duration(s.readDelay.Load()).Seconds(), "allowAppOnlyEverywhere": s.appOnlyOK.Load(),
			"legacyPurchases": s.legacyOK.Load()}
	}
	h("GET /_sandbox/options", func(r *http.Request) (int, any) { return 200, options() })
	h("POST /_sandbox/options", func(r *http.Request) (int, any) {
		var in struct {
			ReadAfterCreateDelaySeconds *float64 `json:"readAfterCreateDelaySeconds"`
			AllowAppOnlyEverywhere      *bool    `json:"allowAppOnlyEverywhere"`
			LegacyPurchases             *bool    `json:"legacyPurchases"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		if in.ReadAfterCreateDelaySeconds != nil {
			s.SetReadAfterCreateDelay(time.Duration(*in.ReadAfterCreateDelaySeconds * float64(time.Second)))
		}
		if in.AllowAppOnlyEverywhere != nil {
			s.SetAllowAppOnlyEverywhere(*in.AllowAppOnlyEverywhere)
		}
		if in.LegacyPurchases != nil {
			s.SetLegacyPurchases(*in.LegacyPurchases)
		}
		return 200, options()
	})
	h("GET /_sandbox/users", func(r *http.Request) (int, any) { return 200, s.Users() })
	h("POST /_sandbox/users/{upn}/revoke", func(r *http.Request) (int, any) {
		if s.user(r.PathValue("upn")) == nil {
			return 0, newErr(404, "1000", "no user %s", r.PathValue("upn"))
		}
		return 200, map[string]int{"revoked": s.RevokeUserTokens(r.PathValue("upn"))}
	})
	h("POST /_sandbox/user-token", func(r *http.Request) (int, any) {
		var in struct {
			User string `json:"user"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		at, err := s.IssueUserToken(in.User)
		if err != nil {
			return 0, newErr(404, "1000", "%v", err)
		}
		rt, _ := s.IssueRefreshToken(in.User)
		return 200, map[string]string{"access_token": at, "refresh_token": rt, "token_type": "Bearer"}
	})
	custErr := func(err error) (int, any) {
		if err != nil {
			return 0, newErr(404, "60003", "%v", err)
		}
		return 200, map[string]bool{"ok": true}
	}
	h("POST /_sandbox/customers/{cid}/relationship/remove", func(r *http.Request) (int, any) {
		return custErr(s.RemoveRelationship(r.PathValue("cid")))
	})
	h("POST /_sandbox/customers/{cid}/delegated-admin", func(r *http.Request) (int, any) {
		var in struct {
			Enabled bool `json:"enabled"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		return custErr(s.SetDelegatedAdmin(r.PathValue("cid"), in.Enabled))
	})
	h("POST /_sandbox/customers/{cid}/licenses", func(r *http.Request) (int, any) {
		var in struct {
			SkuPartNumber string `json:"skuPartNumber"`
			Assigned      int    `json:"assigned"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		if in.SkuPartNumber == "" || in.Assigned < 0 {
			return 0, errBadInput("skuPartNumber and assigned (0 or more) are required")
		}
		return custErr(s.AssignLicenses(r.PathValue("cid"), in.SkuPartNumber, in.Assigned))
	})
	h("POST /_sandbox/customers/{cid}/subscriptions/{sid}/status", func(r *http.Request) (int, any) {
		var in struct {
			Status string `json:"status"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		if strings.TrimSpace(in.Status) == "" {
			return 0, errBadInput("status is required")
		}
		return custErr(s.SetSubscriptionStatus(r.PathValue("cid"), r.PathValue("sid"), in.Status))
	})
	h("GET /_sandbox/customers/{cid}/subscriptions/{sid}/lifecycle", func(r *http.Request) (int, any) {
		l, err := s.Lifecycle(r.PathValue("cid"), r.PathValue("sid"))
		if err != nil {
			return 0, newErr(404, "20003", "%v", err)
		}
		return 200, l
	})
	h("GET /_sandbox/prices", func(r *http.Request) (int, any) {
		cc := strings.ToUpper(cmp.Or(r.URL.Query().Get("country"), "US"))
		cur, ok := countries[cc]
		if !ok {
			return 0, newErr(400, "800070", "country %s is not supported", cc)
		}
		return 200, s.PriceList(cc, cur.code)
	})
	s.pricingAdminRoutes(h, decode)
}

func cmpInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// Summary describes the sandbox state (for /_sandbox/state and logs).
type Summary struct {
	Now           time.Time      `json:"now"`
	RealTime      bool           `json:"realTime"`
	Customers     int            `json:"customers"`
	Subscriptions int            `json:"subscriptions"`
	Orders        int            `json:"orders"`
	PendingOrders int            `json:"pendingOrders"`
	Carts         int            `json:"carts"`
	AuditRecords  int            `json:"auditRecords"`
	Offers        int            `json:"offers"`
	Products      int            `json:"products"`
	Faults        adminFaults    `json:"faults"`
	Calls         map[string]int `json:"calls"`
	// Throttled is how many requests were answered 429.
	Throttled int64 `json:"throttled"`
}

// Summary returns counts of the sandbox's state.
func (s *Sandbox) Summary() Summary {
	s.mu.RLock()
	sum := Summary{Now: s.Now(), RealTime: s.clock.IsReal(), Customers: len(s.st.Customers), Subscriptions: len(s.st.Subs),
		Orders: len(s.st.Orders), PendingOrders: len(s.st.Pending), Carts: len(s.st.Carts), AuditRecords: len(s.st.Audit),
		Offers: len(s.cat.seed.Offers), Products: len(s.cat.seed.Products), Calls: map[string]int{}}
	s.mu.RUnlock()
	f := s.GetFaults()
	sum.Faults = adminFaults{LatencyMs: int(f.Latency / time.Millisecond), ErrorRate: f.ErrorRate, TimeoutRate: f.TimeoutRate, DropRate: f.DropRate, Throttle: f.Throttle,
		PCModel: cmp.Or(f.PCModel, s.faults.model)}
	sum.Throttled = s.Throttled()
	for op, c := range s.calls {
		if n := c.Load(); n > 0 {
			sum.Calls[op] = int(n)
		}
	}
	return sum
}

// Price is one entry of the sandbox price list.
type Price struct {
	CatalogItemID string `json:"catalogItemId"`
	Name          string `json:"name"`
	TermDuration  string `json:"termDuration,omitempty"`
	BillingCycle  string `json:"billingCycle"`
	Currency      string `json:"currency"`
	// UnitPrice is what an order placed now bills per unit and billing
	// period (for new commerce: the price sheet's UnitPrice).
	UnitPrice json.Number `json:"unitPrice"`
}

// PriceList returns the unit prices of a country's currency now.
func (s *Sandbox) PriceList(country, cur string) []Price {
	s.mu.RLock()
	book := s.priceBookLocked()
	s.mu.RUnlock()
	now := s.clock.Now()
	var out []Price
	for _, o := range s.cat.seed.Offers {
		for _, bc := range o.SupportedBillingCycles {
			p := s.orderUnitPrice(book, s.cat.item(o.ID), cur, "", bc, now)
			out = append(out, Price{CatalogItemID: o.ID, Name: o.Name, BillingCycle: bc, Currency: cur, UnitPrice: json.Number(p.String())})
		}
	}
	for _, p := range s.cat.seed.Products {
		for _, sk := range p.Skus {
			for _, av := range sk.Availabilities {
				id := p.ID + ":" + sk.ID + ":" + av.ID
				for _, t := range av.Terms {
					u := s.orderUnitPrice(book, s.cat.item(id), cur, t.Duration, t.BillingCycle, now)
					out = append(out, Price{CatalogItemID: id, Name: sk.Title, TermDuration: t.Duration,
						BillingCycle: strings.ToLower(t.BillingCycle), Currency: cur, UnitPrice: json.Number(u.String())})
				}
			}
		}
	}
	return out
}
