package mirror_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// A customer that removed its relationship with the partner fails every
// call with PC's 403 20002: the sync marks it in the mirror, reports it in
// the run and carries on with the others. A customer without delegated
// admin rights keeps everything but license usage, with the reason stored.
func TestSyncIsolatesRemovedRelationshipAndReportsIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	if err := e.SB.SeedBulk(8, 2); err != nil {
		t.Fatal(err)
	}
	e.Run(mirror.KindFull)
	var removed, noDAP string
	if err := e.Store.Pool.QueryRow(t.Context(), `SELECT (array_agg(id::text ORDER BY id))[1], (array_agg(id::text ORDER BY id))[2]
		FROM customers c WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = c.id)`).Scan(&removed, &noDAP); err != nil {
		t.Fatal(err)
	}
	subsBefore := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM subscriptions WHERE customer_id = $1 AND gone_at IS NULL`, removed)
	if err := e.SB.RemoveRelationship(removed); err != nil {
		t.Fatal(err)
	}
	if err := e.SB.SetDelegatedAdmin(noDAP, false); err != nil {
		t.Fatal(err)
	}
	// A change elsewhere must still arrive.
	var other string
	e.Store.Pool.QueryRow(t.Context(), `SELECT id::text FROM customers WHERE id::text NOT IN ($1, $2) ORDER BY id LIMIT 1`, removed, noDAP).Scan(&other)
	subs, err := pccclient.Collect(e.Client.ListSubscriptions(t.Context(), other))
	if err != nil || len(subs) == 0 {
		t.Fatalf("subscriptions of %s: %v", other, err)
	}
	e.SB.SetSubscriptionStatus(other, subs[0].ID, "expired")

	id := e.Run(mirror.KindFull)

	var status, errs string
	var counts map[string]int
	if err := e.Store.Pool.QueryRow(t.Context(), `SELECT status, errors::text, counts FROM sync_runs WHERE id = $1`, id).Scan(&status, &errs, &counts); err != nil {
		t.Fatal(err)
	}
	if status != mirror.StatusSucceeded {
		t.Fatalf("run status %s, errors %s", status, errs)
	}
	if !strings.Contains(errs, removed) || !strings.Contains(errs, "relationship removed by the customer") {
		t.Errorf("run report does not name the removed customer: %s", errs)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM settings WHERE pc_app_user_ok_at IS NOT NULL AND pc_app_user_error = ''`); n != 1 {
		t.Errorf("app+user success not recorded by the sync")
	}
	if counts["relationship_removed"] != 1 {
		t.Errorf("counts: %v", counts)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE relationship_removed_at IS NOT NULL`); n != 1 {
		t.Errorf("%d customers marked removed, want 1", n)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE id = $1 AND relationship_removed_at IS NOT NULL AND gone_at IS NULL
		AND relationship_removed_error LIKE '%20002%'`, removed); n != 1 {
		t.Errorf("removed customer not marked (or marked gone)")
	}
	// Its mirrored data stays as it was (PC no longer answers for it).
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM subscriptions WHERE customer_id = $1 AND gone_at IS NULL`, removed); n != subsBefore {
		t.Errorf("removed customer's subscriptions: %d, want %d kept", n, subsBefore)
	}
	// The others were synced, including the unknown-to-the-portal status.
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM subscriptions WHERE id = $1 AND status = 'expired'`, subs[0].ID); n != 1 {
		t.Errorf("status change of another customer not synced")
	}
	var why string
	e.Store.Pool.QueryRow(t.Context(), `SELECT license_usage_error FROM customers WHERE id = $1`, noDAP).Scan(&why)
	if !strings.Contains(why, "No delegated admin rights") {
		t.Errorf("license usage reason for %s: %q", noDAP, why)
	}
	all := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE gone_at IS NULL`)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE license_usage_error = '' AND license_usage_checked_at IS NOT NULL AND relationship_removed_at IS NULL`); n != all-2 {
		t.Errorf("%d customers with readable license usage, want %d", n, all-2)
	}
}

// Without a partner admin connected, sync still mirrors everything the
// app-only credential can read; agreements and license usage are skipped
// with the reason recorded once in the run and per customer.
func TestSyncWithoutPartnerAdminSkipsAppUserParts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	if err := e.SB.SeedBulk(5, 1); err != nil {
		t.Fatal(err)
	}
	e.Config.UserTokens = nil
	m := e.NewStack(sandboxtest.StackOptions{}).Mirror
	id, err := m.Run(t.Context(), mirror.KindFull, mirror.RunOptions{Trigger: "test"})
	if err != nil {
		t.Fatalf("full sync without a partner admin: %v", err)
	}
	var status, errs string
	var errCount int
	e.Store.Pool.QueryRow(t.Context(), `SELECT status, errors::text, error_count FROM sync_runs WHERE id = $1`, id).Scan(&status, &errs, &errCount)
	if status != mirror.StatusSucceeded {
		t.Fatalf("status %s: %s", status, errs)
	}
	if errCount != 2 || !strings.Contains(errs, "needs a partner admin's sign-in") {
		t.Errorf("want one report each for agreements and license usage, got %d: %s", errCount, errs)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM subscriptions WHERE gone_at IS NULL`); n < 5 {
		t.Errorf("subscriptions mirrored: %d", n)
	}
	// The connection health panel learns both credentials' state.
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM settings WHERE pc_app_only_ok_at IS NOT NULL AND pc_app_user_error LIKE 'Needs a partner admin%'`); n != 1 {
		t.Errorf("credential health not recorded by the sync")
	}
	all := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE gone_at IS NULL`)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE license_usage_error LIKE 'Needs a partner admin%'`); n != all || n < 5 {
		t.Errorf("customers with the license usage reason: %d, want all %d", n, all)
	}
}

// PC shows a new customer only after a while: a sync that reads it in that
// window (404) must not mark the customer the portal just created as gone.
func TestSyncKeepsJustCreatedCustomerThroughReadAfterCreateDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{ReadAfterCreateDelay: 90 * time.Second}, sandboxtest.StackOptions{})
	e.Run(mirror.KindFull)
	// The portal onboards it (the agreement waits out the delay).
	ob, err := e.Stack.Commerce.CreateCustomer(t.Context(), store.Actor{Label: "staff@example.com"}, uuid.New(), commerce.NewCustomer{
		CompanyName: "Fresh Ltd", DomainPrefix: "fresh" + strings.ReplaceAll(uuid.NewString()[:6], "-", ""), FirstName: "A", LastName: "B",
		Email: "f@example.com", AddressLine1: "1 Main St", City: "Redmond", State: "WA", PostCode: "98052", Country: "US",
		Culture: "en-US", Language: "en", Agreement: commerce.AgreementContact{FirstName: "A", LastName: "B", Email: "a@example.com",
			Phone: "1234567890", DateAgreed: e.SB.Now()}})
	if err != nil {
		t.Fatalf("create customer: %v", err)
	}
	create, err := e.Store.Command(t.Context(), ob.CreateCommandID)
	if err != nil || create.CustomerID == nil {
		t.Fatalf("create customer command: %v (%s)", err, create.Status)
	}
	cust := create.CustomerID.String()
	if _, err := e.Client.GetCustomer(t.Context(), cust); !pccclient.IsNotFound(err) {
		t.Fatalf("the sandbox shows the new customer at once (%v): the delay is not exercised", err)
	}
	e.Run(mirror.KindIncremental)
	e.Run(mirror.KindFull)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE id = $1 AND gone_at IS NULL`, cust); n != 1 {
		t.Fatal("a sync inside PC's read-after-create delay marked the new customer gone")
	}
	e.SB.Advance(2 * time.Minute)
	e.Run(mirror.KindFull)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE id = $1 AND gone_at IS NULL AND company_name = 'Fresh Ltd'`, cust); n != 1 {
		t.Fatal("the new customer is not mirrored after the delay")
	}
}
