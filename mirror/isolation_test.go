package mirror_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// A customer that removed its relationship with the partner fails every
// call with PC's 403 20002: the sync marks it in the mirror, reports it in
// the run and carries on with the others. A customer without delegated
// admin rights keeps everything but license usage, with the reason stored.
func TestSyncIsolatesRemovedRelationshipAndReportsIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, mirror.Options{})
	if err := e.sb.SeedBulk(8, 2); err != nil {
		t.Fatal(err)
	}
	e.run(mirror.KindFull)
	var removed, noDAP string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT (array_agg(id::text ORDER BY id))[1], (array_agg(id::text ORDER BY id))[2]
		FROM customers c WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = c.id)`).Scan(&removed, &noDAP); err != nil {
		t.Fatal(err)
	}
	subsBefore := count(t, e.st, `SELECT count(*) FROM subscriptions WHERE customer_id = $1 AND gone_at IS NULL`, removed)
	if err := e.sb.RemoveRelationship(removed); err != nil {
		t.Fatal(err)
	}
	if err := e.sb.SetDelegatedAdmin(noDAP, false); err != nil {
		t.Fatal(err)
	}
	// A change elsewhere must still arrive.
	var other string
	e.st.Pool.QueryRow(t.Context(), `SELECT id::text FROM customers WHERE id::text NOT IN ($1, $2) ORDER BY id LIMIT 1`, removed, noDAP).Scan(&other)
	subs, err := pccclient.Collect(e.pc.ListSubscriptions(t.Context(), other))
	if err != nil || len(subs) == 0 {
		t.Fatalf("subscriptions of %s: %v", other, err)
	}
	e.sb.SetSubscriptionStatus(other, subs[0].ID, "expired")

	id := e.run(mirror.KindFull)

	var status, errs string
	var counts map[string]int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT status, errors::text, counts FROM sync_runs WHERE id = $1`, id).Scan(&status, &errs, &counts); err != nil {
		t.Fatal(err)
	}
	if status != mirror.StatusSucceeded {
		t.Fatalf("run status %s, errors %s", status, errs)
	}
	if !strings.Contains(errs, removed) || !strings.Contains(errs, "relationship removed by the customer") {
		t.Errorf("run report does not name the removed customer: %s", errs)
	}
	if n := count(t, e.st, `SELECT count(*) FROM settings WHERE pc_app_user_ok_at IS NOT NULL AND pc_app_user_error = ''`); n != 1 {
		t.Errorf("app+user success not recorded by the sync")
	}
	if counts["relationship_removed"] != 1 {
		t.Errorf("counts: %v", counts)
	}
	if n := count(t, e.st, `SELECT count(*) FROM customers WHERE relationship_removed_at IS NOT NULL`); n != 1 {
		t.Errorf("%d customers marked removed, want 1", n)
	}
	if n := count(t, e.st, `SELECT count(*) FROM customers WHERE id = $1 AND relationship_removed_at IS NOT NULL AND gone_at IS NULL
		AND relationship_removed_error LIKE '%20002%'`, removed); n != 1 {
		t.Errorf("removed customer not marked (or marked gone)")
	}
	// Its mirrored data stays as it was (PC no longer answers for it).
	if n := count(t, e.st, `SELECT count(*) FROM subscriptions WHERE customer_id = $1 AND gone_at IS NULL`, removed); n != subsBefore {
		t.Errorf("removed customer's subscriptions: %d, want %d kept", n, subsBefore)
	}
	// The others were synced, including the unknown-to-the-portal status.
	if n := count(t, e.st, `SELECT count(*) FROM subscriptions WHERE id = $1 AND status = 'expired'`, subs[0].ID); n != 1 {
		t.Errorf("status change of another customer not synced")
	}
	var why string
	e.st.Pool.QueryRow(t.Context(), `SELECT license_usage_error FROM customers WHERE id = $1`, noDAP).Scan(&why)
	if !strings.Contains(why, "No delegated admin rights") {
		t.Errorf("license usage reason for %s: %q", noDAP, why)
	}
	all := count(t, e.st, `SELECT count(*) FROM customers WHERE gone_at IS NULL`)
	if n := count(t, e.st, `SELECT count(*) FROM customers WHERE license_usage_error = '' AND license_usage_checked_at IS NOT NULL AND relationship_removed_at IS NULL`); n != all-2 {
		t.Errorf("%d customers with readable license usage, want %d", n, all-2)
	}
}

// Without a partner admin connected, sync still mirrors everything the
// app-only credential can read; agreements and license usage are skipped
// with the reason recorded once in the run and per customer.
func TestSyncWithoutPartnerAdminSkipsAppUserParts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, mirror.Options{})
	if err := e.sb.SeedBulk(5, 1); err != nil {
		t.Fatal(err)
	}
	e.cfg.UserTokens = nil
	m := e.newMirror(mirror.Options{})
	id, err := m.Run(t.Context(), mirror.KindFull, mirror.RunOptions{Trigger: "test"})
	if err != nil {
		t.Fatalf("full sync without a partner admin: %v", err)
	}
	var status, errs string
	var errCount int
	e.st.Pool.QueryRow(t.Context(), `SELECT status, errors::text, error_count FROM sync_runs WHERE id = $1`, id).Scan(&status, &errs, &errCount)
	if status != mirror.StatusSucceeded {
		t.Fatalf("status %s: %s", status, errs)
	}
	if errCount != 2 || !strings.Contains(errs, "needs a partner admin's sign-in") {
		t.Errorf("want one report each for agreements and license usage, got %d: %s", errCount, errs)
	}
	if n := count(t, e.st, `SELECT count(*) FROM subscriptions WHERE gone_at IS NULL`); n < 5 {
		t.Errorf("subscriptions mirrored: %d", n)
	}
	// The connection health panel learns both credentials' state.
	if n := count(t, e.st, `SELECT count(*) FROM settings WHERE pc_app_only_ok_at IS NOT NULL AND pc_app_user_error LIKE 'Needs a partner admin%'`); n != 1 {
		t.Errorf("credential health not recorded by the sync")
	}
	all := count(t, e.st, `SELECT count(*) FROM customers WHERE gone_at IS NULL`)
	if n := count(t, e.st, `SELECT count(*) FROM customers WHERE license_usage_error LIKE 'Needs a partner admin%'`); n != all || n < 5 {
		t.Errorf("customers with the license usage reason: %d, want all %d", n, all)
	}
}

// PC shows a new customer only after a while: a sync that reads it in that
// window (404) must not mark the customer the portal just created as gone.
func TestSyncKeepsJustCreatedCustomerThroughReadAfterCreateDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{ReadAfterCreateDelay: 90 * time.Second}, mirror.Options{})
	e.run(mirror.KindFull)
	id := e.enqueue(mirror.Command{Kind: mirror.CmdCreateCustomer, RequestedByLabel: "staff@example.com", Payload: mirror.CreateCustomerPayload{
		Customer: pccclient.Customer{
			CompanyProfile: &pccclient.CompanyProfile{Domain: "fresh" + uuid.NewString()[:6] + ".onmicrosoft.com"},
			BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: "f@example.com", CompanyName: "Fresh Ltd",
				DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 Main St", City: "Redmond",
					State: "WA", PostalCode: "98052", Country: "US"}},
		}}})
	cmd, err := mirror.DeliverNow(t.Context(), e.st, nil, e.pc, id)
	if err != nil || cmd.CustomerID == nil {
		t.Fatalf("create customer: %v", err)
	}
	cust := cmd.CustomerID.String()
	if _, err := e.pc.GetCustomer(t.Context(), cust); !pccclient.IsNotFound(err) {
		t.Fatalf("the sandbox shows the new customer at once (%v): the delay is not exercised", err)
	}
	e.run(mirror.KindIncremental)
	e.run(mirror.KindFull)
	if n := count(t, e.st, `SELECT count(*) FROM customers WHERE id = $1 AND gone_at IS NULL`, cust); n != 1 {
		t.Fatal("a sync inside PC's read-after-create delay marked the new customer gone")
	}
	e.sb.Advance(2 * time.Minute)
	e.run(mirror.KindFull)
	if n := count(t, e.st, `SELECT count(*) FROM customers WHERE id = $1 AND gone_at IS NULL AND company_name = 'Fresh Ltd'`, cust); n != 1 {
		t.Fatal("the new customer is not mirrored after the delay")
	}
}

// An order placed right after onboarding meets PC's read-after-create
// delay: its 404 is "not readable yet", retried, never a failure.
func TestOrderForJustCreatedCustomerWaitsOutReadAfterCreateDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{ReadAfterCreateDelay: 90 * time.Second}, mirror.Options{})
	ctx := t.Context()
	id := e.enqueue(mirror.Command{Kind: mirror.CmdCreateCustomer, RequestedByLabel: "staff@example.com", Payload: mirror.CreateCustomerPayload{
		Customer: pccclient.Customer{
			CompanyProfile: &pccclient.CompanyProfile{Domain: "neworder" + uuid.NewString()[:6] + ".onmicrosoft.com"},
			BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: "f@example.com", CompanyName: "New Order Ltd",
				DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B", AddressLine1: "1 Main St", City: "Redmond",
					State: "WA", PostalCode: "98052", Country: "US"}},
		}}})
	cmd, err := mirror.DeliverNow(ctx, e.st, nil, e.pc, id)
	if err != nil || cmd.CustomerID == nil {
		t.Fatalf("create customer: %v", err)
	}
	cust := *cmd.CustomerID
	orderID := e.enqueue(mirror.Command{Kind: mirror.CmdCreateOrder, CustomerID: cust, RequestedByLabel: "staff@example.com",
		Payload: mirror.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.licenseOffer(), Quantity: 2}}}}})
	got, err := mirror.DeliverNow(ctx, e.st, nil, e.pc, orderID)
	if !mirror.IsNotYetReadable(err) {
		t.Fatalf("order inside the delay: %v, want not-yet-readable", err)
	}
	if got.Status == mirror.CommandFailed {
		t.Fatalf("order failed for good inside the delay: %s", got.LastError)
	}
	// After the delay the agreement is recorded and the same command goes through.
	e.sb.Advance(2 * time.Minute)
	md, err := e.pc.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
	if err != nil {
		t.Fatal(err)
	}
	agr := e.enqueue(mirror.Command{Kind: mirror.CmdAcceptAgreement, CustomerID: cust, RequestedByLabel: "staff@example.com",
		Payload: mirror.AcceptAgreementPayload{Agreement: pccclient.Agreement{TemplateID: md.TemplateID,
			Type: pccclient.AgreementMicrosoftCustomerAgreement, DateAgreed: e.sb.Now(),
			PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@example.com", PhoneNumber: "1234567890"}}}})
	if c, err := mirror.DeliverNow(ctx, e.st, nil, e.pc, agr); err != nil || c.Status != mirror.CommandSucceeded {
		t.Fatalf("agreement after the delay: %v (%s)", err, c.Status)
	}
	if got, err = mirror.DeliverNow(ctx, e.st, nil, e.pc, orderID); err != nil || got.Status != mirror.CommandSucceeded {
		t.Fatalf("order after the delay: %v (%s: %s)", err, got.Status, got.LastError)
	}
	orders, err := pccclient.Collect(e.pc.ListOrders(ctx, cust.String()))
	if err != nil || len(orders) != 1 {
		t.Fatalf("PC has %d orders (%v), want 1", len(orders), err)
	}
}
