package commerce_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// An order placed right after onboarding meets PC's read-after-create
// delay: its 404 is "not readable yet", retried, never a failure.
func TestOrderForJustCreatedCustomerWaitsOutReadAfterCreateDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{ReadAfterCreateDelay: 90 * time.Second})
	ctx := t.Context()
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateCustomer, By: staff("staff@example.com"), Payload: commerce.CreateCustomerPayload{
		Customer: pccclient.Customer{
			CompanyProfile: &pccclient.CompanyProfile{Domain: "neworder" + uuid.NewString()[:6] + ".onmicrosoft.com"},
			BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: "f@example.com", CompanyName: "New Order Ltd",
				DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 Main St", City: "Redmond",
					State: "WA", PostalCode: "98052", Country: "US"}},
		}}})
	cmd, err := deliverNow(e, id)
	if err != nil || cmd.CustomerID == nil {
		t.Fatalf("create customer: %v", err)
	}
	cust := *cmd.CustomerID
	orderID := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: cust, By: staff("staff@example.com"),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 2}}}}})
	got, err := deliverNow(e, orderID)
	if !commerce.IsNotYetReadable(err) {
		t.Fatalf("order inside the delay: %v, want not-yet-readable", err)
	}
	if got.Status == commerce.CommandFailed {
		t.Fatalf("order failed for good inside the delay: %s", got.LastError)
	}
	// After the delay the agreement is recorded and the same command goes through.
	e.SB.Advance(2 * time.Minute)
	md, err := e.Client.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
	if err != nil {
		t.Fatal(err)
	}
	agr := enqueue(e, commerce.Command{Kind: commerce.CmdAcceptAgreement, CustomerID: cust, By: staff("staff@example.com"),
		Payload: commerce.AcceptAgreementPayload{Agreement: pccclient.Agreement{TemplateID: md.TemplateID,
			Type: pccclient.AgreementMicrosoftCustomerAgreement, DateAgreed: e.SB.Now(),
			PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@example.com", PhoneNumber: "1234567890"}}}})
	if c, err := deliverNow(e, agr); err != nil || c.Status != commerce.CommandSucceeded {
		t.Fatalf("agreement after the delay: %v (%s)", err, c.Status)
	}
	if got, err = deliverNow(e, orderID); err != nil || got.Status != commerce.CommandSucceeded {
		t.Fatalf("order after the delay: %v (%s: %s)", err, got.Status, got.LastError)
	}
	orders, err := pccclient.Collect(e.Client.ListOrders(ctx, cust.String()))
	if err != nil || len(orders) != 1 {
		t.Fatalf("PC has %d orders (%v), want 1", len(orders), err)
	}
}

// deliverNow delivers command id inline, as a page does.
func deliverNow(e *tenv, id int64) (store.Command, error) {
	d, err := e.Commerce.DeliverNow(context.Background(), id)
	return d.Command, err
}
