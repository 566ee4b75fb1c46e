package pccclient_test

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"golang.org/x/time/rate"
)

func drain[T any](seq iter.Seq2[T, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestArgumentsCheckedBeforeAnyNetworkCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := context.Background()
	good := "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"
	req := pccclient.NewRequestID()
	line := []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: "X", Quantity: 1}}
	cases := []struct {
		name  string
		field string
		call  func() error
	}{
		{"offers country", "country", func() error { return drain(e.c.ListOffers(ctx, "USA")) }},
		{"offer id", "offerID", func() error { _, err := e.c.GetOffer(ctx, "US", ""); return err }},
		{"offer id path", "offerID", func() error { _, err := e.c.GetOffer(ctx, "US", "a/b"); return err }},
		{"target view", "targetView", func() error { return drain(e.c.ListProducts(ctx, "US", "")) }},
		{"domain", "domain", func() error { _, err := e.c.CheckDomainAvailable(ctx, ""); return err }},
		{"customer guid", "customerID", func() error { _, err := e.c.GetCustomer(ctx, "not-a-guid"); return err }},
		{"create customer request id", "requestID", func() error { _, err := e.c.CreateCustomer(ctx, "", pccclient.Customer{}); return err }},
		{"create customer domain", "companyProfile.domain", func() error { _, err := e.c.CreateCustomer(ctx, req, pccclient.Customer{}); return err }},
		{"agreement template", "templateId", func() error {
			_, err := e.c.CreateAgreement(ctx, req, good, pccclient.Agreement{})
			return err
		}},
		{"order no lines", "lineItems", func() error { _, err := e.c.CreateOrder(ctx, req, good, pccclient.Order{}); return err }},
		{"order quantity", "lineItems[0].quantity", func() error {
			_, err := e.c.CreateOrder(ctx, req, good, pccclient.Order{LineItems: []pccclient.OrderLineItem{{OfferID: "X", Quantity: 0}}})
			return err
		}},
		{"order line numbers", "lineItems[1].lineItemNumber", func() error {
			_, err := e.c.CreateOrder(ctx, req, good, pccclient.Order{LineItems: append(line, pccclient.OrderLineItem{LineItemNumber: 5, OfferID: "Y", Quantity: 1})})
			return err
		}},
		{"order request id", "requestID", func() error { _, err := e.c.CreateOrder(ctx, "r1", good, pccclient.Order{LineItems: line}); return err }},
		{"cart catalog item", "lineItems[0].catalogItemId", func() error {
			_, err := e.c.CreateCart(ctx, req, good, pccclient.Cart{LineItems: []pccclient.CartLineItem{{CatalogItemID: "bad", Quantity: 1}}})
			return err
		}},
		{"checkout cart id", "cartID", func() error { _, err := e.c.CheckoutCart(ctx, req, good, ""); return err }},
		{"add-on parent", "parentSubscriptionID", func() error {
			_, err := e.c.AddOrderAddOn(ctx, req, good, "o1", "", "X", 1, "")
			return err
		}},
		{"subscription id", "subscriptionID", func() error { _, err := e.c.GetSubscription(ctx, good, ""); return err }},
		{"quantity", "quantity", func() error { _, err := e.c.SetSubscriptionQuantity(ctx, req, good, good, 0); return err }},
		{"patch quantity", "quantity", func() error {
			_, err := e.c.PatchSubscription(ctx, req, good, pccclient.Subscription{ID: good})
			return err
		}},
		{"friendly name", "friendlyName", func() error { _, err := e.c.SetSubscriptionFriendlyName(ctx, req, good, good, ""); return err }},
		{"subscriptions customer", "customerID", func() error { return drain(e.c.ListSubscriptions(ctx, "")) }},
		{"audit start", "start", func() error { return drain(e.c.ListAuditRecords(ctx, time.Time{}, time.Time{}, nil)) }},
		{"audit end", "end", func() error {
			return drain(e.c.ListAuditRecords(ctx, time.Now(), time.Now().Add(-48*time.Hour), nil))
		}},
		{"invoice id", "invoiceID", func() error { _, err := e.c.GetInvoice(ctx, ""); return err }},
		{"page size", "Size", func() error { return drain(e.c.ListCustomers(ctx, pccclient.ListCustomersOptions{Size: -1})) }},
	}
	for _, tc := range cases {
		err := tc.call()
		var ae *pccclient.ArgumentError
		if !errors.As(err, &ae) || ae.Field != tc.field {
			t.Errorf("%s: err = %v, want *ArgumentError on %s", tc.name, err, tc.field)
			continue
		}
		if !pccclient.IsValidation(err) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v is not a validation error naming the field", tc.name, err)
		}
	}
	if sent := e.rec.sent(""); len(sent) != 0 {
		t.Errorf("%d requests left the client (first %s %s), want none", len(sent), sent[0].Method, sent[0].Path)
	}
}

func TestRateLimitWaitsOnClientClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) {
		c.RateLimits = unlimited()
		c.RateLimits[pccclient.ClassCatalog] = pccclient.RateLimit{Rate: rate.Every(2 * time.Second), Burst: 1}
	})
	ctx := ctxT(t)
	for range 3 {
		if _, err := e.c.CheckDomainAvailable(ctx, "fabrikam.onmicrosoft.com"); err != nil {
			t.Fatal(err)
		}
	}
	if total, _ := e.clock.Waited(); total != 4*time.Second {
		t.Errorf("rate limiter waited %v on the client clock, want 4s (3 calls at 1 per 2s)", total)
	}
}
