package pccclient_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

const (
	e1Offer      = "19083582-AA98-529A-9099-C45F911B717B" // Office 365 E1 (has add-ons)
	archiveAddOn = "2828BE95-46BA-4F91-B2FD-0BEF192ECF60" // Exchange Online Archiving, prerequisite E1
)

func TestCatalogOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)

	offers := must(pccclient.Collect(e.c.ListOffers(ctx, "US")))(t)
	if len(offers) < 30 {
		t.Fatalf("ListOffers: %d offers, want >= 30", len(offers))
	}
	ids := map[string]bool{}
	for _, o := range offers {
		if o.ID == "" || o.Name == "" || ids[o.ID] {
			t.Fatalf("offer %+v: empty or duplicate id/name", o)
		}
		ids[o.ID] = true
	}
	if !ids[e1Offer] {
		t.Fatalf("offer %s missing from list", e1Offer)
	}
	o := must(e.c.GetOffer(ctx, "US", e1Offer))(t)
	if !strings.EqualFold(o.ID, e1Offer) || o.MinimumQuantity < 1 {
		t.Errorf("GetOffer = %+v", o)
	}
	addOns := must(pccclient.Collect(e.c.ListOfferAddOns(ctx, "US", e1Offer)))(t)
	if !slices.ContainsFunc(addOns, func(a pccclient.Offer) bool { return strings.EqualFold(a.ID, archiveAddOn) && a.IsAddOn }) {
		t.Errorf("add-ons of E1 lack %s: %d add-ons", archiveAddOn, len(addOns))
	}
	if _, err := e.c.GetOffer(ctx, "US", "00000000-0000-4000-8000-000000000000"); !pccclient.IsNotFound(err) {
		t.Errorf("GetOffer(unknown) err = %v, want not found", err)
	}

	products := must(pccclient.Collect(e.c.ListProducts(ctx, "US", "OnlineServices")))(t)
	if len(products) == 0 {
		t.Fatal("no OnlineServices products")
	}
	p := must(e.c.GetProduct(ctx, "US", products[0].ID))(t)
	if p.ID != products[0].ID || p.Title == "" {
		t.Errorf("GetProduct = %+v", p)
	}
	sku := first(t, e.c.ListSKUs(ctx, "US", p.ID))
	gs := must(e.c.GetSKU(ctx, "US", p.ID, sku.ID))(t)
	if gs.ID != sku.ID || gs.MaximumQuantity < gs.MinimumQuantity {
		t.Errorf("GetSKU = %+v", gs)
	}
	av := first(t, e.c.ListAvailabilities(ctx, "US", p.ID, sku.ID))
	ga := must(e.c.GetAvailability(ctx, "US", p.ID, sku.ID, av.ID))(t)
	if ga.CatalogItemID != p.ID+":"+sku.ID+":"+av.ID || len(ga.Terms) == 0 {
		t.Errorf("GetAvailability = %+v", ga)
	}
	if _, err := e.c.GetProduct(ctx, "US", "NOSUCHPRODUC"); !pccclient.IsNotFound(err) {
		t.Errorf("GetProduct(unknown) err = %v, want not found", err)
	}
	mca := must(e.c.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement))(t)
	if mca.TemplateID == "" {
		t.Errorf("MCA metadata without template id: %+v", mca)
	}
}

// newCustomer creates a customer through the client and returns it.
func newCustomer(t *testing.T, e *env, prefix string) *pccclient.Customer {
	t.Helper()
	ctx := ctxT(t)
	domain := fmt.Sprintf("%s%d.onmicrosoft.com", prefix, time.Now().UnixNano()%1e9)
	free := must(e.c.CheckDomainAvailable(ctx, domain))(t)
	if !free {
		t.Fatalf("domain %s reported taken before creation", domain)
	}
	cu := must(e.c.CreateCustomer(ctx, pccclient.NewRequestID(), pccclient.Customer{
		CompanyProfile: &pccclient.CompanyProfile{Domain: domain},
		BillingProfile: &pccclient.BillingProfile{
			Email: "it@" + prefix + ".example", Culture: "en-US", Language: "en", CompanyName: prefix + " Ltd",
			DefaultAddress: &pccclient.Address{Country: "US", City: "Redmond", State: "WA", AddressLine1: "1 Way",
				PostalCode: "98052", FirstName: "Ada", LastName: "Lovelace", PhoneNumber: "4255550100"},
		},
	}))(t)
	if cu.ID == "" || cu.UserCredentials == nil || cu.UserCredentials.Password == "" {
		t.Fatalf("CreateCustomer = %+v, want id and one-time credentials", cu)
	}
	if free := must(e.c.CheckDomainAvailable(ctx, domain))(t); free {
		t.Errorf("domain %s still free after creating the customer", domain)
	}
	return cu
}

func acceptMCA(t *testing.T, e *env, customerID string) {
	t.Helper()
	ctx := ctxT(t)
	meta := must(e.c.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement))(t)
	ag := must(e.c.CreateAgreement(ctx, pccclient.NewRequestID(), customerID, pccclient.Agreement{
		PrimaryContact: &pccclient.Contact{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", PhoneNumber: "4255550100"},
		TemplateID:     meta.TemplateID,
		DateAgreed:     e.sb.Now().UTC().Truncate(time.Second),
	}))(t)
	if ag.TemplateID != meta.TemplateID {
		t.Errorf("CreateAgreement = %+v", ag)
	}
}

func TestCustomerOrderSubscriptionLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true, LegacyPurchases: true}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "lifecycle")

	got := must(e.c.GetCustomer(ctx, cu.ID))(t)
	if got.ID != cu.ID || got.CompanyProfile == nil || got.UserCredentials != nil {
		t.Errorf("GetCustomer = %+v (credentials must not come back)", got)
	}
	all := must(pccclient.Collect(e.c.ListCustomers(ctx, pccclient.ListCustomersOptions{})))(t)
	if !slices.ContainsFunc(all, func(c pccclient.Customer) bool { return c.ID == cu.ID }) {
		t.Errorf("ListCustomers lacks %s", cu.ID)
	}

	order := pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly, LineItems: []pccclient.OrderLineItem{
		{LineItemNumber: 0, OfferID: e1Offer, Quantity: 5, FriendlyName: "E1 seats"},
	}}
	_, err := e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID, order)
	if !pccclient.IsForbidden(err) || !pccclient.HasCode(err, "13605") {
		t.Fatalf("order before MCA: err = %v, want 403 13605", err)
	}
	acceptMCA(t, e, cu.ID)
	if ags := must(pccclient.Collect(e.c.ListAgreements(ctx, cu.ID, "")))(t); len(ags) != 1 {
		t.Errorf("ListAgreements = %d, want 1", len(ags))
	}

	o := must(e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID, order))(t)
	if o.ID == "" || len(o.LineItems) != 1 || o.LineItems[0].SubscriptionID == "" {
		t.Fatalf("CreateOrder = %+v", o)
	}
	subID := o.LineItems[0].SubscriptionID
	e.sb.Advance(time.Minute) // async completion
	if g := must(e.c.GetOrder(ctx, cu.ID, o.ID))(t); !g.Status.Is(pccclient.OrderCompleted) {
		t.Errorf("order status after advance = %q, want completed", g.Status)
	}
	if orders := must(pccclient.Collect(e.c.ListOrders(ctx, cu.ID)))(t); len(orders) != 1 {
		t.Errorf("ListOrders = %d, want 1", len(orders))
	}
	byOrder := must(pccclient.Collect(e.c.ListSubscriptionsByOrder(ctx, cu.ID, o.ID)))(t)
	if len(byOrder) != 1 || !strings.EqualFold(byOrder[0].ID, subID) {
		t.Fatalf("ListSubscriptionsByOrder = %+v", byOrder)
	}
	sub := must(e.c.GetSubscription(ctx, cu.ID, subID))(t)
	if !sub.Status.Is(pccclient.SubscriptionActive) || sub.Quantity != 5 || sub.CreationDate.IsZero() {
		t.Errorf("GetSubscription = status %q qty %d created %v", sub.Status, sub.Quantity, sub.CreationDate)
	}
	ps := must(e.c.GetSubscriptionProvisioningStatus(ctx, cu.ID, subID))(t)
	if ps.Status == "" {
		t.Errorf("provisioning status empty: %+v", ps)
	}

	// Add-on through PATCH of the base's order.
	po := must(e.c.AddOrderAddOn(ctx, pccclient.NewRequestID(), cu.ID, o.ID, subID, archiveAddOn, 2, "archive"))(t)
	if len(po.LineItems) != 2 {
		t.Fatalf("PatchOrder line items = %d, want 2", len(po.LineItems))
	}
	e.sb.Advance(time.Minute)
	addOns := must(pccclient.Collect(e.c.ListSubscriptionAddOns(ctx, cu.ID, subID)))(t)
	if len(addOns) != 1 || !strings.EqualFold(addOns[0].OfferID, archiveAddOn) || !strings.EqualFold(addOns[0].ParentSubscriptionID, subID) {
		t.Fatalf("ListSubscriptionAddOns = %+v", addOns)
	}

	// PATCH helpers.
	s := must(e.c.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), cu.ID, subID, 7))(t)
	if s.Quantity != 7 {
		t.Errorf("quantity after PATCH = %d", s.Quantity)
	}
	s = must(e.c.SetSubscriptionFriendlyName(ctx, pccclient.NewRequestID(), cu.ID, subID, "Renamed"))(t)
	if s.FriendlyName != "Renamed" {
		t.Errorf("friendlyName after PATCH = %q", s.FriendlyName)
	}
	s = must(e.c.SetSubscriptionAutoRenew(ctx, pccclient.NewRequestID(), cu.ID, subID, false))(t)
	if s.AutoRenewEnabled {
		t.Error("autoRenewEnabled still true after PATCH false")
	}
	s = must(e.c.SuspendSubscription(ctx, pccclient.NewRequestID(), cu.ID, subID))(t)
	if !s.Status.Is(pccclient.SubscriptionSuspended) {
		t.Errorf("status after suspend = %q", s.Status)
	}
	if a := must(e.c.GetSubscription(ctx, cu.ID, addOns[0].ID))(t); !a.Status.Is(pccclient.SubscriptionSuspended) {
		t.Errorf("add-on status after suspending base = %q, want suspended", a.Status)
	}
	if _, err := e.c.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), cu.ID, subID, 9); !pccclient.IsValidation(err) {
		t.Errorf("quantity change of suspended sub: err = %v, want 400", err)
	}
	s = must(e.c.ReactivateSubscription(ctx, pccclient.NewRequestID(), cu.ID, subID))(t)
	if !s.Status.Is(pccclient.SubscriptionActive) {
		t.Errorf("status after reactivate = %q", s.Status)
	}

	subs := must(pccclient.Collect(e.c.ListSubscriptions(ctx, cu.ID)))(t)
	if len(subs) != 2 {
		t.Errorf("ListSubscriptions = %d, want base + add-on", len(subs))
	}
	ents := must(pccclient.Collect(e.c.ListEntitlements(ctx, cu.ID)))(t)
	if len(ents) == 0 {
		t.Error("no entitlements for an active subscription")
	}
	skus := must(pccclient.Collect(e.c.ListSubscribedSKUs(ctx, cu.ID)))(t)
	if len(skus) == 0 || skus[0].ActiveUnits == 0 {
		t.Errorf("ListSubscribedSKUs = %+v", skus)
	}

	recs := must(pccclient.Collect(e.c.ListAuditRecords(ctx, e.sb.Now().Add(-24*time.Hour), time.Time{},
		&pccclient.SearchFilter{Field: "CustomerId", Value: cu.ID, Operator: "equals"})))(t)
	ops := map[pccclient.OperationType]int{}
	for _, r := range recs {
		if !strings.EqualFold(r.CustomerID, cu.ID) {
			t.Errorf("audit filter leaked record of %s", r.CustomerID)
		}
		ops[r.OperationType]++
	}
	for _, want := range []pccclient.OperationType{pccclient.OpAddCustomer, pccclient.OpCreateOrder, pccclient.OpUpdateSubscription} {
		if ops[want] == 0 {
			t.Errorf("audit records lack %s: %v", want, ops)
		}
	}
}

func TestCartCheckout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "cart")
	acceptMCA(t, e, cu.ID)
	p := must(e.c.GetProduct(ctx, "US", "CFQ7TTC0LH18"))(t)
	sku := first(t, e.c.ListSKUs(ctx, "US", p.ID))
	av := first(t, e.c.ListAvailabilities(ctx, "US", p.ID, sku.ID))
	var term pccclient.AvailabilityTerm
	for _, tm := range av.Terms {
		if tm.Duration == "P1M" {
			term = tm
		}
	}
	if term.Duration == "" {
		t.Fatalf("availability %s has no P1M term: %+v", av.ID, av.Terms)
	}
	cart := must(e.c.CreateCart(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: av.CatalogItemID, Quantity: 3, BillingCycle: pccclient.BillingCycleMonthly, TermDuration: "P1M",
	}}}))(t)
	if cart.ID == "" || len(cart.LineItems) != 1 {
		t.Fatalf("CreateCart = %+v", cart)
	}
	if g := must(e.c.GetCart(ctx, cu.ID, cart.ID))(t); g.ID != cart.ID {
		t.Errorf("GetCart id = %q", g.ID)
	}
	res := must(e.c.CheckoutCart(ctx, pccclient.NewRequestID(), cu.ID, cart.ID))(t)
	if len(res.Orders) != 1 || len(res.OrderErrors) != 0 {
		t.Fatalf("checkout = %+v", res)
	}
	_, err := e.c.CheckoutCart(ctx, pccclient.NewRequestID(), cu.ID, cart.ID)
	if !pccclient.HasCode(err, "800065") {
		t.Errorf("second checkout: err = %v, want 800065", err)
	}
}

func TestInvoicesWithV2TokenEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) {
		c.TokenURL = strings.Replace(c.TokenURL, "/oauth2/token", "/oauth2/v2.0/token", 1)
	})
	ctx := ctxT(t)
	invs := must(pccclient.Collect(e.c.ListInvoices(ctx)))(t)
	if len(invs) == 0 {
		t.Fatal("seeded sandbox has no invoices")
	}
	inv := must(e.c.GetInvoice(ctx, invs[0].ID))(t)
	if inv.ID != invs[0].ID || inv.TotalCharges == "" {
		t.Errorf("GetInvoice = %+v", inv)
	}
	if _, err := pccclient.Decimal(inv.TotalCharges); err != nil {
		t.Errorf("totalCharges %q: %v", inv.TotalCharges, err)
	}
	if _, err := e.c.GetInvoice(ctx, "D000NOSUCH"); !pccclient.IsNotFound(err) {
		t.Errorf("GetInvoice(unknown) err = %v, want not found", err)
	}
	if n := e.sb.Calls(sandbox.OpToken); n != 1 {
		t.Errorf("token calls = %d, want 1 (v2 endpoint)", n)
	}
}

func TestOfferOffsetPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) { c.PageSize = 7 })
	ctx := ctxT(t)
	paged := must(pccclient.Collect(e.c.ListOffers(ctx, "US")))(t)
	pages := e.rec.sent("/v1/offers")
	if len(pages) <= 3 {
		t.Fatalf("fetched %d pages of 7, want more than 3", len(pages))
	}
	for i, p := range pages {
		if want := fmt.Sprintf("offset=%d", 7*i); !strings.Contains(p.Query, want) {
			t.Errorf("page %d query %q lacks %s", i, p.Query, want)
		}
	}
	whole := newEnv(t, sandbox.Options{}, nil)
	all := must(pccclient.Collect(whole.c.ListOffers(ctx, "US")))(t)
	ids := func(os []pccclient.Offer) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.ID)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(ids(paged), ids(all)) {
		t.Errorf("paged listing (%d offers) differs from one page (%d offers)", len(paged), len(all))
	}
}

func TestAuditRecordsSeekPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, func(c *pccclient.Config) { c.PageSize = 2 })
	ctx := ctxT(t)
	want := map[string]bool{}
	for i := range 7 {
		want[newCustomer(t, e, fmt.Sprintf("audit%d", i)).ID] = true
	}
	got := map[string]bool{}
	for r, err := range e.c.ListAuditRecords(ctx, e.sb.Now().Add(-24*time.Hour), e.sb.Now(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if r.OperationType == pccclient.OpAddCustomer {
			got[r.CustomerID] = true
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("no add_customer audit record for %s", id)
		}
	}
	pages := e.rec.sent("/v1/auditrecords")
	if len(pages) < 4 {
		t.Fatalf("fetched %d audit pages of 2, want at least 4", len(pages))
	}
	for _, p := range pages[1:] {
		if p.Header.Get("MS-ContinuationToken") == "" {
			t.Errorf("audit page request without MS-ContinuationToken: %s", p.Query)
		}
	}
}

func TestCreateOrderWithAddOnLineItem(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true, LegacyPurchases: true}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "addonorder")
	acceptMCA(t, e, cu.ID)
	base := must(e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Order{
		LineItems: []pccclient.OrderLineItem{{OfferID: e1Offer, Quantity: 2}}}))(t)
	e.sb.Advance(time.Minute)
	parent := base.LineItems[0].SubscriptionID
	_, err := e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Order{
		LineItems: []pccclient.OrderLineItem{{OfferID: archiveAddOn, Quantity: 1}}})
	if !pccclient.IsValidation(err) || !pccclient.HasCode(err, "800029") {
		t.Errorf("add-on without parent: err = %v, want 400 800029", err)
	}
	o := must(e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Order{
		LineItems: []pccclient.OrderLineItem{{OfferID: archiveAddOn, Quantity: 1, ParentSubscriptionID: parent}}}))(t)
	e.sb.Advance(time.Minute)
	addOns := must(pccclient.Collect(e.c.ListSubscriptionAddOns(ctx, cu.ID, parent)))(t)
	if len(addOns) != 1 || addOns[0].OrderID != o.ID {
		t.Errorf("add-ons of %s = %+v, want the one from order %s", parent, addOns, o.ID)
	}
}
