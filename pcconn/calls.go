package pcconn

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// CallStats counts the Partner Center calls made under one context (a sync
// run): the counting transport finds it in the request's context.
type CallStats struct {
	calls     atomic.Int64
	throttles atomic.Int64
	failures  atomic.Int64
}

// Calls is the number of HTTP exchanges with Partner Center.
func (s *CallStats) Calls() int64 { return s.calls.Load() }

// Throttles is the number of 429 answers among them.
func (s *CallStats) Throttles() int64 { return s.throttles.Load() }

// Failures is the number of network errors and 5xx answers among them.
func (s *CallStats) Failures() int64 { return s.failures.Load() }

type statsKey struct{}

// WithCallStats returns ctx whose Partner Center calls are counted in s.
func WithCallStats(ctx context.Context, s *CallStats) context.Context {
	return context.WithValue(ctx, statsKey{}, s)
}

// countingTransport counts every HTTP exchange with Partner Center by
// operation and status, for the run's bookkeeping and for metrics.
type countingTransport struct {
	base   http.RoundTripper
	onCall func(op, status string)
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
	}
	op := Operation(r.Method, r.URL.Path)
	if s, ok := r.Context().Value(statsKey{}).(*CallStats); ok {
		s.calls.Add(1)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			s.throttles.Add(1)
		}
		if err != nil || resp.StatusCode >= 500 {
			s.failures.Add(1)
		}
	}
	if t.onCall != nil {
		t.onCall(op, status)
	}
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
