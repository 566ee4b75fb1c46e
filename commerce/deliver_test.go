package commerce_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

func TestDeliveryApplyThenDropChangesPCOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 21})
	e.Run(mirror.KindFull)
	e.Start(jobs.Options{})
	ctx := context.Background()
	user := "staff@example.com"

	// Onboard a customer through the outbox.
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateCustomer, By: staff(user), Payload: commerce.CreateCustomerPayload{
		Customer: pccclient.Customer{
			CompanyProfile: &pccclient.CompanyProfile{Domain: "outbox" + uuid.NewString()[:6] + ".onmicrosoft.com"},
			BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: "o@example.com", CompanyName: "Outbox Ltd",
				DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 Main St", City: "Redmond",
					State: "WA", PostalCode: "98052", Country: "US"}},
		}}})
	cmd := waitCommand(e, id, commerce.CommandSucceeded)
	if cmd.CustomerID == nil {
		t.Fatal("create_customer succeeded without recording the customer id")
	}
	cust := *cmd.CustomerID
	if n := e.Count(`SELECT count(*) FROM customers WHERE id = $1 AND company_name = 'Outbox Ltd' AND billing_email = 'o@example.com'`, cust); n != 1 {
		t.Fatalf("mirror has %d rows for the new customer", n)
	}
	md, err := e.Client.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
	if err != nil {
		t.Fatal(err)
	}
	id = enqueue(e, commerce.Command{Kind: commerce.CmdAcceptAgreement, CustomerID: cust, By: staff(user),
		Payload: commerce.AcceptAgreementPayload{Agreement: pccclient.Agreement{TemplateID: md.TemplateID,
			Type: pccclient.AgreementMicrosoftCustomerAgreement, DateAgreed: e.SB.Now(),
			PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@example.com", PhoneNumber: "1234567890"}}}})
	waitCommand(e, id, commerce.CommandSucceeded)
	if n := e.Count(`SELECT count(*) FROM agreements WHERE customer_id = $1`, cust); n != 1 {
		t.Fatalf("mirror has %d agreements for the customer", n)
	}

	// PC applies the order, then the response is lost.
	e.SB.DropNext(sandbox.OpCreateOrder, 1)
	id = enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: cust, By: staff(user),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 3, FriendlyName: "drop"}}}}})
	cmd = waitCommand(e, id, commerce.CommandSucceeded)
	orders, err := pccclient.Collect(e.Client.ListOrders(ctx, cust.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].ID != cmd.TargetID {
		t.Fatalf("PC has %d orders for the customer (command target %q), want exactly the one", len(orders), cmd.TargetID)
	}
	subs, err := pccclient.Collect(e.Client.ListSubscriptions(ctx, cust.String()))
	if err != nil || len(subs) != 1 {
		t.Fatalf("PC has %d subscriptions (%v), want 1", len(subs), err)
	}
	if n := e.Count(`SELECT count(*) FROM orders WHERE id = $1 AND customer_id = $2`, cmd.TargetID, cust); n != 1 {
		t.Fatalf("mirror does not show the order")
	}

	// A seat change whose response is lost (once the order completed).
	e.SB.Advance(time.Minute)
	e.SB.DropNext(sandbox.OpPatchSubscription, 1)
	qty := 7
	id = enqueue(e, commerce.Command{Kind: commerce.CmdPatchSubscription, CustomerID: cust, TargetID: subs[0].ID,
		By: staff(user), Payload: commerce.PatchSubscriptionPayload{Quantity: &qty}})
	waitCommand(e, id, commerce.CommandSucceeded)
	got, err := e.Client.GetSubscription(ctx, cust.String(), subs[0].ID)
	if err != nil || got.Quantity != 7 {
		t.Fatalf("PC quantity %d (%v), want 7", got.Quantity, err)
	}
	if n := e.Count(`SELECT count(*) FROM subscriptions WHERE id = $1 AND quantity = 7`, subs[0].ID); n != 1 {
		t.Fatalf("mirror does not show the new quantity")
	}
	updates := 0
	for a, err := range e.Client.ListAuditRecords(ctx, e.SB.Now().Add(-24*time.Hour), time.Time{}, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if a.CustomerID == cust.String() && a.OperationType == pccclient.OpUpdateSubscription {
			updates++
		}
	}
	if updates != 1 {
		t.Fatalf("PC recorded %d subscription updates, want exactly 1", updates)
	}
	if n := e.Count(`SELECT count(*) FROM audit_log WHERE action LIKE 'pc.%' AND actor = $1`, user); n != 8 {
		t.Errorf("audit log has %d outbox entries, want 8 (4 queued + 4 outcomes)", n)
	}
}

func TestDeliveryAfterWorkerDiedMidJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 22})
	cust := e.NewCustomer(true)
	e.Run(mirror.KindFull)
	ctx := context.Background()
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: uuid.MustParse(cust),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 2}}}}})
	cmd, err := e.Store.Command(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// A worker took the job, sent the order (PC applied it) and died.
	var p commerce.CreateOrderPayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Client.CreateOrder(ctx, cmd.MsRequestID.String(), cust, p.Order); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '1 hour', attempted_by = ARRAY['dead-worker'] WHERE id = $1`, *cmd.RiverJobID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE commands SET status = 'delivering', attempts = 1 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	e.Start(jobs.Options{RescueStuckJobsAfter: time.Second})
	done := waitCommand(e, id, commerce.CommandSucceeded)
	if done.Attempts != 2 {
		t.Errorf("attempts %d, want 2", done.Attempts)
	}
	orders, err := pccclient.Collect(e.Client.ListOrders(ctx, cust))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].ID != done.TargetID {
		t.Fatalf("PC has %d orders, want exactly the one delivered (%s)", len(orders), done.TargetID)
	}
	if n := e.Count(`SELECT count(*) FROM orders WHERE customer_id = $1`, uuid.MustParse(cust)); n != 1 {
		t.Fatalf("mirror shows %d orders, want 1", n)
	}
}

func TestDeliveryRefusedByPCFailsWithPCsError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 23})
	cust := e.NewCustomer(false) // no Microsoft Customer Agreement: PC refuses orders
	e.Start(jobs.Options{})
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: uuid.MustParse(cust), By: staff("staff@example.com"),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 1}}}}})
	c := waitCommand(e, id, commerce.CommandFailed)
	if c.PcErrorCode == "" || c.LastError == "" || c.Attempts != 1 {
		t.Fatalf("failed command: code %q, error %q, attempts %d; want PC's code, its message, one attempt", c.PcErrorCode, c.LastError, c.Attempts)
	}
	if n := e.Count(`SELECT count(*) FROM audit_log WHERE action = 'pc.create_order.failed' AND outcome = 'failed' AND detail <> ''`); n != 1 {
		t.Fatalf("audit log has %d failure entries, want 1", n)
	}
}

func TestEnqueueRejectsBadCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 24})
	zero := 0
	for _, c := range []commerce.Command{
		{Kind: "launch_rockets"},
		{Kind: commerce.CmdCreateOrder, Payload: commerce.CreateOrderPayload{}},
		{Kind: commerce.CmdPatchSubscription, CustomerID: uuid.New(), TargetID: "x", Payload: commerce.PatchSubscriptionPayload{}},
		{Kind: commerce.CmdPatchSubscription, CustomerID: uuid.New(), Payload: commerce.PatchSubscriptionPayload{Quantity: &zero}},
	} {
		_, err := e.Commerce.Enqueue(context.Background(), c)
		if err == nil {
			t.Errorf("Enqueue(%s %+v) succeeded, want an error", c.Kind, c.Payload)
		}
	}
	if n := e.Count(`SELECT count(*) FROM commands`) + e.Count(`SELECT count(*) FROM audit_log`); n != 0 {
		t.Errorf("rejected commands left %d rows", n)
	}
}

func TestDeliveryAddOnThroughPatchOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 25})
	ctx := context.Background()
	offers, err := pccclient.Collect(e.Client.ListOffers(ctx, "US"))
	if err != nil {
		t.Fatal(err)
	}
	var base, addon string
	for _, o := range offers {
		if !o.HasAddOns || o.IsTrial || !o.IsAvailableForPurchase {
			continue
		}
		adds, err := pccclient.Collect(e.Client.ListOfferAddOns(ctx, "US", o.ID))
		if err != nil {
			t.Fatal(err)
		}
		if len(adds) > 0 {
			base, addon = o.ID, adds[0].ID
			break
		}
	}
	if base == "" {
		t.Fatal("the sandbox catalog has no offer with add-ons")
	}
	cust := e.NewCustomer(true)
	e.Run(mirror.KindFull)
	e.Start(jobs.Options{})
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: uuid.MustParse(cust),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: base, Quantity: 5}}}}})
	order := waitCommand(e, id, commerce.CommandSucceeded)
	e.SB.Advance(time.Minute)
	subs, err := pccclient.Collect(e.Client.ListSubscriptions(ctx, cust))
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions %d (%v), want 1", len(subs), err)
	}
	id = enqueue(e, commerce.Command{Kind: commerce.CmdPatchOrder, CustomerID: uuid.MustParse(cust), TargetID: order.TargetID,
		Payload: commerce.PatchOrderPayload{OrderID: order.TargetID, Order: pccclient.Order{
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 1, OfferID: addon, Quantity: 2, ParentSubscriptionID: subs[0].ID}}}}})
	waitCommand(e, id, commerce.CommandSucceeded)
	if n := e.Count(`SELECT count(*) FROM subscriptions WHERE customer_id = $1 AND parent_subscription_id = $2 AND gone_at IS NULL`,
		uuid.MustParse(cust), subs[0].ID); n != 1 {
		t.Fatalf("mirror shows %d add-ons of the base subscription, want 1", n)
	}
	after, err := pccclient.Collect(e.Client.ListSubscriptions(ctx, cust))
	if err != nil || len(after) != 2 {
		t.Fatalf("PC has %d subscriptions (%v), want base + add-on", len(after), err)
	}
}

// An order's delivery writes that order's subscriptions only: the
// customer's other subscriptions are neither rewritten nor marked gone.
func TestDeliveryOrderWritesOnlyItsSubscriptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 27})
	cust := e.NewCustomer(true)
	e.Run(mirror.KindFull)
	// The settle job re-reads each order by design (settle_test.go): held
	// off here, so only the deliveries write.
	e.NewStack(sandboxtest.StackOptions{Commerce: commerce.Options{SettleBackoff: time.Hour}}).Start()
	order := func(qty int) store.Command {
		id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: uuid.MustParse(cust),
			Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
				LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: qty}}}}})
		return waitCommand(e, id, commerce.CommandSucceeded)
	}
	first := order(2)
	var firstSub string
	var firstSynced time.Time
	if err := e.Store.Pool.QueryRow(context.Background(), `SELECT id, synced_at FROM subscriptions WHERE order_id = $1`, first.TargetID).Scan(&firstSub, &firstSynced); err != nil {
		t.Fatalf("first order's subscription not mirrored: %v", err)
	}
	// A row only the mirror has (PC would not list it): a full re-read of
	// the customer would mark it gone.
	if _, err := e.Store.Pool.Exec(context.Background(), `INSERT INTO subscriptions (id, customer_id, offer_id, offer_name, status, quantity, synced_at)
		VALUES ('mirror-only', $1, 'x', 'x', 'active', 1, now())`, uuid.MustParse(cust)); err != nil {
		t.Fatal(err)
	}
	second := order(3)
	if n := e.Count(`SELECT count(*) FROM subscriptions WHERE order_id = $1 AND quantity = 3 AND gone_at IS NULL`, second.TargetID); n != 1 {
		t.Fatalf("second order's subscription mirrored %d times, want 1", n)
	}
	var synced time.Time
	if err := e.Store.Pool.QueryRow(context.Background(), `SELECT synced_at FROM subscriptions WHERE id = $1`, firstSub).Scan(&synced); err != nil {
		t.Fatal(err)
	}
	if !synced.Equal(firstSynced) {
		t.Errorf("the first order's subscription was rewritten (synced_at %v -> %v)", firstSynced, synced)
	}
	if n := e.Count(`SELECT count(*) FROM subscriptions WHERE id = 'mirror-only' AND gone_at IS NULL`); n != 1 {
		t.Error("the customer's other subscription was marked gone by an order's delivery")
	}
}
