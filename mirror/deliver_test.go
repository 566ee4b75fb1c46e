package mirror_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store/db"
)

func (e *tenv) start(mo mirror.Options) *mirror.Mirror {
	e.t.Helper()
	mo.NoPeriodic = true
	m := e.newMirror(mo)
	if err := m.Start(context.Background()); err != nil {
		e.t.Fatalf("start: %v", err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		m.Stop(ctx)
	})
	return m
}

func (e *tenv) enqueue(cmd mirror.Command) int64 {
	e.t.Helper()
	var id int64
	err := e.st.InTx(context.Background(), func(tx pgx.Tx) error {
		var err error
		id, err = mirror.Enqueue(context.Background(), tx, cmd)
		return err
	})
	if err != nil {
		e.t.Fatalf("enqueue %s: %v", cmd.Kind, err)
	}
	return id
}

func (e *tenv) waitCommand(id int64, status string) db.Command {
	e.t.Helper()
	deadline := time.Now().Add(25 * time.Second)
	for {
		c, err := e.st.Q.GetCommand(context.Background(), e.st.Pool, id)
		if err != nil {
			e.t.Fatalf("command %d: %v", id, err)
		}
		if c.Status == status {
			return c
		}
		if c.Status == mirror.CommandFailed || c.Status == mirror.CommandSucceeded || time.Now().After(deadline) {
			e.t.Fatalf("command %d is %s (attempts %d, error %q), want %s", id, c.Status, c.Attempts, c.LastError, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *tenv) newCustomer(withMCA bool) string {
	e.t.Helper()
	ctx := context.Background()
	n := uuid.NewString()[:8]
	c, err := e.pc.CreateCustomer(ctx, pccclient.NewRequestID(), pccclient.Customer{
		CompanyProfile: &pccclient.CompanyProfile{Domain: "dlv" + n + ".onmicrosoft.com"},
		BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: "x@example.com", CompanyName: "Delivery " + n,
			DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 Main St", City: "Redmond", State: "WA",
				PostalCode: "98052", Country: "US"}},
	})
	if err != nil {
		e.t.Fatalf("create customer: %v", err)
	}
	if withMCA {
		md, err := e.pc.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.pc.CreateAgreement(ctx, pccclient.NewRequestID(), c.ID, pccclient.Agreement{TemplateID: md.TemplateID,
			Type: pccclient.AgreementMicrosoftCustomerAgreement, DateAgreed: e.sb.Now(),
			PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@example.com", PhoneNumber: "1234567890"}}); err != nil {
			e.t.Fatal(err)
		}
	}
	return c.ID
}

func (e *tenv) licenseOffer() string {
	e.t.Helper()
	return newActor(e.t, e, 1).offers[0].ID
}

func TestDeliveryApplyThenDropChangesPCOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 21}, mirror.Options{})
	e.run(mirror.KindFull)
	e.start(mirror.Options{})
	ctx := context.Background()
	user := "staff@example.com"

	// Onboard a customer through the outbox.
	id := e.enqueue(mirror.Command{Kind: mirror.CmdCreateCustomer, RequestedByLabel: user, Payload: mirror.CreateCustomerPayload{
		Customer: pccclient.Customer{
			CompanyProfile: &pccclient.CompanyProfile{Domain: "outbox" + uuid.NewString()[:6] + ".onmicrosoft.com"},
			BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: "o@example.com", CompanyName: "Outbox Ltd",
				DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 Main St", City: "Redmond",
					State: "WA", PostalCode: "98052", Country: "US"}},
		}}})
	cmd := e.waitCommand(id, mirror.CommandSucceeded)
	if cmd.CustomerID == nil {
		t.Fatal("create_customer succeeded without recording the customer id")
	}
	cust := *cmd.CustomerID
	if n := count(t, e.st, `SELECT count(*) FROM customers WHERE id = $1 AND company_name = 'Outbox Ltd' AND billing_email = 'o@example.com'`, cust); n != 1 {
		t.Fatalf("mirror has %d rows for the new customer", n)
	}
	md, err := e.pc.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
	if err != nil {
		t.Fatal(err)
	}
	id = e.enqueue(mirror.Command{Kind: mirror.CmdAcceptAgreement, CustomerID: cust, RequestedByLabel: user,
		Payload: mirror.AcceptAgreementPayload{Agreement: pccclient.Agreement{TemplateID: md.TemplateID,
			Type: pccclient.AgreementMicrosoftCustomerAgreement, DateAgreed: e.sb.Now(),
			PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@example.com", PhoneNumber: "1234567890"}}}})
	e.waitCommand(id, mirror.CommandSucceeded)
	if n := count(t, e.st, `SELECT count(*) FROM agreements WHERE customer_id = $1`, cust); n != 1 {
		t.Fatalf("mirror has %d agreements for the customer", n)
	}

	// PC applies the order, then the response is lost.
	e.sb.DropNext(sandbox.OpCreateOrder, 1)
	id = e.enqueue(mirror.Command{Kind: mirror.CmdCreateOrder, CustomerID: cust, RequestedByLabel: user,
		Payload: mirror.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.licenseOffer(), Quantity: 3, FriendlyName: "drop"}}}}})
	cmd = e.waitCommand(id, mirror.CommandSucceeded)
	orders, err := pccclient.Collect(e.pc.ListOrders(ctx, cust.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].ID != cmd.TargetID {
		t.Fatalf("PC has %d orders for the customer (command target %q), want exactly the one", len(orders), cmd.TargetID)
	}
	subs, err := pccclient.Collect(e.pc.ListSubscriptions(ctx, cust.String()))
	if err != nil || len(subs) != 1 {
		t.Fatalf("PC has %d subscriptions (%v), want 1", len(subs), err)
	}
	if n := count(t, e.st, `SELECT count(*) FROM orders WHERE id = $1 AND customer_id = $2`, cmd.TargetID, cust); n != 1 {
		t.Fatalf("mirror does not show the order")
	}

	// A seat change whose response is lost (once the order completed).
	e.sb.Advance(time.Minute)
	e.sb.DropNext(sandbox.OpPatchSubscription, 1)
	qty := 7
	id = e.enqueue(mirror.Command{Kind: mirror.CmdPatchSubscription, CustomerID: cust, TargetID: subs[0].ID,
		RequestedByLabel: user, Payload: mirror.PatchSubscriptionPayload{Quantity: &qty}})
	e.waitCommand(id, mirror.CommandSucceeded)
	got, err := e.pc.GetSubscription(ctx, cust.String(), subs[0].ID)
	if err != nil || got.Quantity != 7 {
		t.Fatalf("PC quantity %d (%v), want 7", got.Quantity, err)
	}
	if n := count(t, e.st, `SELECT count(*) FROM subscriptions WHERE id = $1 AND quantity = 7`, subs[0].ID); n != 1 {
		t.Fatalf("mirror does not show the new quantity")
	}
	updates := 0
	for a, err := range e.pc.ListAuditRecords(ctx, e.sb.Now().Add(-24*time.Hour), time.Time{}, nil) {
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
	if n := count(t, e.st, `SELECT count(*) FROM audit_log WHERE action LIKE 'pc.%' AND actor = $1`, user); n != 8 {
		t.Errorf("audit log has %d outbox entries, want 8 (4 queued + 4 outcomes)", n)
	}
}

func TestDeliveryAfterWorkerDiedMidJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 22}, mirror.Options{})
	cust := e.newCustomer(true)
	e.run(mirror.KindFull)
	ctx := context.Background()
	id := e.enqueue(mirror.Command{Kind: mirror.CmdCreateOrder, CustomerID: uuid.MustParse(cust),
		Payload: mirror.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.licenseOffer(), Quantity: 2}}}}})
	cmd, err := e.st.Q.GetCommand(ctx, e.st.Pool, id)
	if err != nil {
		t.Fatal(err)
	}
	// A worker took the job, sent the order (PC applied it) and died.
	var p mirror.CreateOrderPayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pc.CreateOrder(ctx, cmd.MsRequestID.String(), cust, p.Order); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if _, err := e.st.Pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '1 hour', attempted_by = ARRAY['dead-worker'] WHERE id = $1`, *cmd.RiverJobID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(ctx, `UPDATE commands SET status = 'delivering', attempts = 1 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	e.start(mirror.Options{RescueStuckJobsAfter: time.Second})
	done := e.waitCommand(id, mirror.CommandSucceeded)
	if done.Attempts != 2 {
		t.Errorf("attempts %d, want 2", done.Attempts)
	}
	orders, err := pccclient.Collect(e.pc.ListOrders(ctx, cust))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].ID != done.TargetID {
		t.Fatalf("PC has %d orders, want exactly the one delivered (%s)", len(orders), done.TargetID)
	}
	if n := count(t, e.st, `SELECT count(*) FROM orders WHERE customer_id = $1`, uuid.MustParse(cust)); n != 1 {
		t.Fatalf("mirror shows %d orders, want 1", n)
	}
}

func TestDeliveryRefusedByPCFailsWithPCsError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 23}, mirror.Options{})
	cust := e.newCustomer(false) // no Microsoft Customer Agreement: PC refuses orders
	e.start(mirror.Options{})
	id := e.enqueue(mirror.Command{Kind: mirror.CmdCreateOrder, CustomerID: uuid.MustParse(cust), RequestedByLabel: "staff@example.com",
		Payload: mirror.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.licenseOffer(), Quantity: 1}}}}})
	c := e.waitCommand(id, mirror.CommandFailed)
	if c.PcErrorCode == "" || c.LastError == "" || c.Attempts != 1 {
		t.Fatalf("failed command: code %q, error %q, attempts %d; want PC's code, its message, one attempt", c.PcErrorCode, c.LastError, c.Attempts)
	}
	if n := count(t, e.st, `SELECT count(*) FROM audit_log WHERE action = 'pc.create_order.failed' AND outcome = 'failed' AND detail <> ''`); n != 1 {
		t.Fatalf("audit log has %d failure entries, want 1", n)
	}
}

func TestEnqueueRejectsBadCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 24}, mirror.Options{})
	zero := 0
	for _, c := range []mirror.Command{
		{Kind: "launch_rockets"},
		{Kind: mirror.CmdCreateOrder, Payload: mirror.CreateOrderPayload{}},
		{Kind: mirror.CmdPatchSubscription, CustomerID: uuid.New(), TargetID: "x", Payload: mirror.PatchSubscriptionPayload{}},
		{Kind: mirror.CmdPatchSubscription, CustomerID: uuid.New(), Payload: mirror.PatchSubscriptionPayload{Quantity: &zero}},
	} {
		err := e.st.InTx(context.Background(), func(tx pgx.Tx) error {
			_, err := mirror.Enqueue(context.Background(), tx, c)
			return err
		})
		if err == nil {
			t.Errorf("Enqueue(%s %+v) succeeded, want an error", c.Kind, c.Payload)
		}
	}
	if n := count(t, e.st, `SELECT count(*) FROM commands`) + count(t, e.st, `SELECT count(*) FROM audit_log`); n != 0 {
		t.Errorf("rejected commands left %d rows", n)
	}
}

func TestDeliveryAddOnThroughPatchOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 25}, mirror.Options{})
	ctx := context.Background()
	offers, err := pccclient.Collect(e.pc.ListOffers(ctx, "US"))
	if err != nil {
		t.Fatal(err)
	}
	var base, addon string
	for _, o := range offers {
		if !o.HasAddOns || o.IsTrial || !o.IsAvailableForPurchase {
			continue
		}
		adds, err := pccclient.Collect(e.pc.ListOfferAddOns(ctx, "US", o.ID))
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
	cust := e.newCustomer(true)
	e.run(mirror.KindFull)
	e.start(mirror.Options{})
	id := e.enqueue(mirror.Command{Kind: mirror.CmdCreateOrder, CustomerID: uuid.MustParse(cust),
		Payload: mirror.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: base, Quantity: 5}}}}})
	order := e.waitCommand(id, mirror.CommandSucceeded)
	e.sb.Advance(time.Minute)
	subs, err := pccclient.Collect(e.pc.ListSubscriptions(ctx, cust))
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions %d (%v), want 1", len(subs), err)
	}
	id = e.enqueue(mirror.Command{Kind: mirror.CmdPatchOrder, CustomerID: uuid.MustParse(cust), TargetID: order.TargetID,
		Payload: mirror.PatchOrderPayload{OrderID: order.TargetID, Order: pccclient.Order{
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 1, OfferID: addon, Quantity: 2, ParentSubscriptionID: subs[0].ID}}}}})
	e.waitCommand(id, mirror.CommandSucceeded)
	if n := count(t, e.st, `SELECT count(*) FROM subscriptions WHERE customer_id = $1 AND parent_subscription_id = $2 AND gone_at IS NULL`,
		uuid.MustParse(cust), subs[0].ID); n != 1 {
		t.Fatalf("mirror shows %d add-ons of the base subscription, want 1", n)
	}
	after, err := pccclient.Collect(e.pc.ListSubscriptions(ctx, cust))
	if err != nil || len(after) != 2 {
		t.Fatalf("PC has %d subscriptions (%v), want base + add-on", len(after), err)
	}
}

// An order's delivery writes that order's subscriptions only: the
// customer's other subscriptions are neither rewritten nor marked gone.
func TestDeliveryOrderWritesOnlyItsSubscriptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 27}, mirror.Options{})
	cust := e.newCustomer(true)
	e.run(mirror.KindFull)
	// The settle job re-reads each order by design (settle_test.go): held
	// off here, so only the deliveries write.
	e.start(mirror.Options{SettleBackoff: time.Hour})
	order := func(qty int) db.Command {
		id := e.enqueue(mirror.Command{Kind: mirror.CmdCreateOrder, CustomerID: uuid.MustParse(cust),
			Payload: mirror.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
				LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.licenseOffer(), Quantity: qty}}}}})
		return e.waitCommand(id, mirror.CommandSucceeded)
	}
	first := order(2)
	var firstSub string
	var firstSynced time.Time
	if err := e.st.Pool.QueryRow(context.Background(), `SELECT id, synced_at FROM subscriptions WHERE order_id = $1`, first.TargetID).Scan(&firstSub, &firstSynced); err != nil {
		t.Fatalf("first order's subscription not mirrored: %v", err)
	}
	// A row only the mirror has (PC would not list it): a full re-read of
	// the customer would mark it gone.
	if _, err := e.st.Pool.Exec(context.Background(), `INSERT INTO subscriptions (id, customer_id, offer_id, offer_name, status, quantity, synced_at)
		VALUES ('mirror-only', $1, 'x', 'x', 'active', 1, now())`, uuid.MustParse(cust)); err != nil {
		t.Fatal(err)
	}
	second := order(3)
	if n := count(t, e.st, `SELECT count(*) FROM subscriptions WHERE order_id = $1 AND quantity = 3 AND gone_at IS NULL`, second.TargetID); n != 1 {
		t.Fatalf("second order's subscription mirrored %d times, want 1", n)
	}
	var synced time.Time
	if err := e.st.Pool.QueryRow(context.Background(), `SELECT synced_at FROM subscriptions WHERE id = $1`, firstSub).Scan(&synced); err != nil {
		t.Fatal(err)
	}
	if !synced.Equal(firstSynced) {
		t.Errorf("the first order's subscription was rewritten (synced_at %v -> %v)", firstSynced, synced)
	}
	if n := count(t, e.st, `SELECT count(*) FROM subscriptions WHERE id = 'mirror-only' AND gone_at IS NULL`); n != 1 {
		t.Error("the customer's other subscription was marked gone by an order's delivery")
	}
}
