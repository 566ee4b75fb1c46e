package commerce_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

const releCloud = "b01b1487-b36e-4e6d-9b5e-0b58974c4b28" // MPN 4847433, MPA signed

// TestResellerCustomerAndPartnerOnRecord, indirect provider mode end to
// end against the sandbox: a customer created for a reseller carries
// associatedPartnerId; its orders carry the reseller's partnerIdOnRecord
// (stamped by the use case, checked in the sandbox); an order is refused
// before it is queued when the reseller is unknown or lacks the MPA.
func TestResellerCustomerAndPartnerOnRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	ctx := t.Context()
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE settings SET partner_mode = 'indirect'`); err != nil {
		t.Fatal(err)
	}
	e.Run(mirror.KindFull) // the resellers and their MPA status

	newCustomer := func(reseller string) (commerce.Onboarded, error) {
		return e.Stack.Commerce.CreateCustomer(ctx, store.Actor{Label: "staff@example.com"}, uuid.New(), commerce.NewCustomer{
			CompanyName: "Reseller Cust", DomainPrefix: "rc" + strings.ReplaceAll(uuid.NewString()[:8], "-", ""), FirstName: "A", LastName: "B",
			Email: "f@example.com", AddressLine1: "1 Main St", City: "Redmond", State: "WA", PostCode: "98052", Country: "US",
			Culture: "en-US", Language: "en", ResellerTenantID: reseller, Agreement: commerce.AgreementContact{FirstName: "A", LastName: "B",
				Email: "a@example.com", Phone: "1234567890", DateAgreed: e.SB.Now()}})
	}
	if _, err := newCustomer("00000000-0000-0000-0000-000000000001"); !errors.Is(err, commerce.ErrUnknownReseller) {
		t.Fatalf("unknown reseller: err = %v, want ErrUnknownReseller", err)
	}
	ob, err := newCustomer(releCloud)
	if err != nil {
		t.Fatalf("create customer for ReleCloud: %v", err)
	}
	create := waitCommand(e, ob.CreateCommandID, commerce.CommandSucceeded)
	cust := *create.CustomerID
	pcCust, err := e.Client.GetCustomer(ctx, cust.String())
	if err != nil || pcCust.AssociatedPartnerID != releCloud {
		t.Fatalf("PC's customer: %+v, %v; want associatedPartnerId %s", pcCust, err, releCloud)
	}
	e.SB.Advance(5 * time.Minute)
	e.Run(mirror.KindFull)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE id = $1 AND associated_partner_id = $2`, cust, releCloud); n != 1 {
		t.Fatal("the mirror does not record the customer's reseller")
	}

	// An order without partnerIdOnRecord: the use case stamps ReleCloud's.
	offers, err := pccclient.Collect(e.Client.ListOffers(ctx, "US"))
	if err != nil {
		t.Fatal(err)
	}
	offer := ""
	for _, o := range offers {
		if o.Name == "Microsoft Intune" {
			offer = o.ID
		}
	}
	order := commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: cust, By: staff("staff@example.com"),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{ReferenceCustomerID: cust.String(), BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: offer, Quantity: 3}}}}}
	id := enqueue(e, order)
	if d, err := e.Commerce.DeliverNow(ctx, id); err != nil || d.Command.Status != commerce.CommandSucceeded {
		t.Fatalf("deliver the order: %v (%s, %s)", err, d.Command.Status, d.Command.LastError)
	}
	orders, err := pccclient.Collect(e.Client.ListOrders(ctx, cust.String()))
	if err != nil || len(orders) != 1 || orders[0].LineItems[0].PartnerIDOnRecord != "4847433" {
		t.Fatalf("PC's orders: %+v, %v; want one with partnerIdOnRecord 4847433", orders, err)
	}

	// Another reseller named on a line, a reseller without the MPA, a
	// reseller PC no longer lists: refused before anything is queued.
	wrong := order
	wrong.Payload = commerce.CreateOrderPayload{Order: pccclient.Order{LineItems: []pccclient.OrderLineItem{{OfferID: offer, Quantity: 1, PartnerIDOnRecord: "4847383"}}}}
	if _, err := e.Commerce.Enqueue(ctx, wrong); !errors.Is(err, rules.ErrWrongPartnerOnRecord) {
		t.Errorf("another reseller: err = %v", err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE resellers SET mpa_signed = false WHERE tenant_id = $1`, releCloud); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Commerce.Enqueue(ctx, order); !errors.Is(err, rules.ErrResellerMPA) {
		t.Errorf("reseller without MPA: err = %v", err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE resellers SET mpa_signed = true, gone_at = now() WHERE tenant_id = $1`, releCloud); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Commerce.Enqueue(ctx, order); !errors.Is(err, rules.ErrResellerUnknown) {
		t.Errorf("reseller gone: err = %v", err)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM commands WHERE kind = 'create_order' AND customer_id = $1`, cust); n != 1 {
		t.Errorf("%d create_order commands, want 1 (refusals queue nothing)", n)
	}
}
