package pcconn_test

import (
	"testing"

	"github.com/cspportal/portal/pcconn"
)

func TestOperationNamesRequestsLikeTheSandbox(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ method, path, want string }{
		{"POST", "/6e1b3f5a-0000-4000-8000-00000000cafe/oauth2/token", "token"},
		{"GET", "/v1/customers", "list-customers"},
		{"POST", "/v1/customers", "create-customer"},
		{"GET", "/v1/customers/c1", "get-customer"},
		{"GET", "/v1/customers/c1/subscriptions", "list-subscriptions"},
		{"GET", "/v1/customers/c1/subscriptions/s1", "get-subscription"},
		{"PATCH", "/v1/customers/c1/subscriptions/s1", "patch-subscription"},
		{"GET", "/v1/customers/c1/subscriptions/s1/addons", "list-subscription-addons"},
		{"GET", "/v1/customers/c1/orders", "list-orders"},
		{"POST", "/v1/customers/c1/orders", "create-order"},
		{"GET", "/v1/customers/c1/orders/o1", "get-order"},
		{"PATCH", "/v1/customers/c1/orders/o1", "patch-order"},
		{"GET", "/v1/customers/c1/agreements", "list-agreements"},
		{"POST", "/v1/customers/c1/agreements", "create-agreement"},
		{"GET", "/v1/customers/c1/subscribedskus", "list-subscribed-skus"},
		{"POST", "/v1/customers/c1/carts/k1/checkout", "checkout-cart"},
		{"GET", "/v1/auditrecords", "list-audit-records"},
		{"GET", "/v1/offers", "list-offers"},
		{"GET", "/v1/offers/o1/addons", "list-offer-addons"},
		{"GET", "/v1/products/p1/skus/s1/availabilities", "list-availabilities"},
		{"GET", "/v1/invoices", "list-invoices"},
	} {
		if got := pcconn.Operation(c.method, c.path); got != c.want {
			t.Errorf("Operation(%s %s) = %q, want %q", c.method, c.path, got, c.want)
		}
	}
}

func TestTokenURLCompletesABareAuthority(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://login.microsoftonline.com":                       "https://login.microsoftonline.com/{tenant}/oauth2/token",
		"https://login.microsoftonline.com/":                      "https://login.microsoftonline.com/{tenant}/oauth2/token",
		"https://login.microsoftonline.com/{tenant}/oauth2/token": "https://login.microsoftonline.com/{tenant}/oauth2/token",
		"http://127.0.0.1:9/t/oauth2/v2.0/token":                  "http://127.0.0.1:9/t/oauth2/v2.0/token",
		"":                                                        "",
	} {
		if got := pcconn.TokenURL(in); got != want {
			t.Errorf("TokenURL(%q) = %q, want %q", in, got, want)
		}
	}
}
