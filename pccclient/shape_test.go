package pccclient_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// unknownMembers walks a decoded value and lists the members that landed in
// some model's Extra map (members the client does not know), as paths.
func unknownMembers(v any) []string {
	var out []string
	var walk func(path string, rv reflect.Value)
	walk = func(path string, rv reflect.Value) {
		switch rv.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !rv.IsNil() {
				walk(path, rv.Elem())
			}
		case reflect.Slice:
			if rv.Type().Elem().Kind() == reflect.Uint8 {
				return
			}
			for i := range rv.Len() {
				walk(path+"[]", rv.Index(i))
			}
		case reflect.Map:
			for _, k := range rv.MapKeys() {
				walk(fmt.Sprintf("%s.%v", path, k), rv.MapIndex(k))
			}
		case reflect.Struct:
			t := rv.Type()
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				if f.Name == "Extra" {
					for _, k := range rv.Field(i).MapKeys() {
						out = append(out, path+"."+k.String())
					}
					continue
				}
				walk(path+"."+f.Name, rv.Field(i))
			}
		}
	}
	walk("", reflect.ValueOf(v))
	slices.Sort(out)
	return slices.Compact(out)
}

// TestSandboxResponsesUseKnownMembers decodes the sandbox's responses for
// the client's read operations and fails on members the client's models do
// not know: either the sandbox drifted from PC's names or the client lacks
// a field (both sides are checked against ../shared/pc-api).
func TestSandboxResponsesUseKnownMembers(t *testing.T) {
	t.Parallel()
	var probe pccclient.Subscription
	if err := json.Unmarshal([]byte(`{"id":"x","links":{"self":{"uri":"/s","zz":1}},"newThing":true}`), &probe); err != nil {
		t.Fatal(err)
	}
	if u := unknownMembers(probe); !slices.Equal(u, []string{".Links.self.zz", ".newThing"}) {
		t.Fatalf("unknownMembers self-check = %v", u)
	}
	e := newEnv(t, sandbox.Options{NoSeed: true, LegacyPurchases: true}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "shape")
	acceptMCA(t, e, cu.ID)
	o := must(e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Order{
		LineItems: []pccclient.OrderLineItem{{OfferID: e1Offer, Quantity: 3}}}))(t)
	e.sb.Advance(time.Minute)
	subID := o.LineItems[0].SubscriptionID
	p := must(e.c.GetProduct(ctx, "US", "CFQ7TTC0LH18"))(t)
	sku := first(t, e.c.ListSKUs(ctx, "US", p.ID))
	av := first(t, e.c.ListAvailabilities(ctx, "US", p.ID, sku.ID))

	topics := must(e.c.ListSupportTopics(ctx))(t)
	sr := must(e.c.CreateServiceRequest(ctx, pccclient.NewRequestID(), "en-US", pccclient.ServiceRequest{Title: "Shape", Description: "Shape check",
		Severity: pccclient.SeverityMinimal, SupportTopicID: topics[0].ID}))(t)
	if err := e.sb.UpdateServiceRequest(sr.ID, "attention_needed", "A note"); err != nil {
		t.Fatal(err)
	}

	got := map[string]any{
		"support topics":     topics,
		"service request":    must(e.c.GetServiceRequest(ctx, sr.ID))(t),
		"service requests":   must(pccclient.Collect(e.c.ListServiceRequests(ctx)))(t),
		"support profile":    must(e.c.GetSupportProfile(ctx))(t),
		"offers":             must(pccclient.Collect(e.c.ListOffers(ctx, "US")))(t),
		"offer addons":       must(pccclient.Collect(e.c.ListOfferAddOns(ctx, "US", e1Offer)))(t),
		"products":           must(pccclient.Collect(e.c.ListProducts(ctx, "US", "OnlineServices")))(t),
		"product":            p,
		"sku":                must(e.c.GetSKU(ctx, "US", p.ID, sku.ID))(t),
		"availability":       must(e.c.GetAvailability(ctx, "US", p.ID, sku.ID, av.ID))(t),
		"customer":           must(e.c.GetCustomer(ctx, cu.ID))(t),
		"customers":          must(pccclient.Collect(e.c.ListCustomers(ctx, pccclient.ListCustomersOptions{})))(t),
		"agreements":         must(pccclient.Collect(e.c.ListAgreements(ctx, cu.ID, "")))(t),
		"agreement metadata": must(pccclient.Collect(e.c.ListAgreementMetadata(ctx, "")))(t),
		"order":              must(e.c.GetOrder(ctx, cu.ID, o.ID))(t),
		"orders":             must(pccclient.Collect(e.c.ListOrders(ctx, cu.ID)))(t),
		"subscription":       must(e.c.GetSubscription(ctx, cu.ID, subID))(t),
		"subscriptions":      must(pccclient.Collect(e.c.ListSubscriptions(ctx, cu.ID)))(t),
		"provisioning":       must(e.c.GetSubscriptionProvisioningStatus(ctx, cu.ID, subID))(t),
		"entitlements":       must(pccclient.Collect(e.c.ListEntitlements(ctx, cu.ID)))(t),
		"subscribed skus":    must(pccclient.Collect(e.c.ListSubscribedSKUs(ctx, cu.ID)))(t),
		"audit": must(pccclient.Collect(e.c.ListAuditRecords(ctx, e.sb.Now().Add(-time.Hour), time.Time{},
			&pccclient.SearchFilter{Field: "CustomerId", Value: cu.ID, Operator: "equals"})))(t),
		"invoices":   must(pccclient.Collect(e.c.ListInvoices(ctx)))(t),
		"nce skus":   must(pccclient.Collect(e.c.ListSKUs(ctx, "US", "CFQ7TTC0LCHC")))(t),
		"promotions": must(pccclient.Collect(e.c.ListProductPromotions(ctx, "US", "")))(t),
		"promotion":  must(e.c.GetProductPromotion(ctx, "US", first(t, e.c.ListProductPromotions(ctx, "US", "")).ID))(t),
		"promotion eligibilities": must(e.c.CheckPromotionEligibilities(ctx, cu.ID, []pccclient.PromotionEligibilityItem{
			{CatalogItemID: nceBusinessPremium, Quantity: 500, TermDuration: "P1M", BillingCycle: pccclient.BillingCycleMonthly},
			{CatalogItemID: nceBusinessPremium, Quantity: 500, TermDuration: "P1Y", BillingCycle: pccclient.BillingCycleMonthly}}))(t),
		"country rules": must(e.c.GetCountryValidationRules(ctx, "US"))(t),
	}
	for name, v := range got {
		if u := unknownMembers(v); len(u) > 0 {
			t.Errorf("%s: members unknown to the client: %v", name, u)
		}
	}
}
