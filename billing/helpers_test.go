package billing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

const (
	nceBasic    = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
	nceStandard = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM"
)

// fixture is a sandbox, a database and the billing service on both.
type fixture struct {
	t   *testing.T
	env *sandboxtest.Env
	s   *billing.Service
	ctx context.Context
}

func newFixture(t *testing.T, o billing.Options) *fixture {
	t.Helper()
	if o.PollMin == 0 {
		o.PollMin, o.PollMax = time.Second, time.Minute
	}
	env := sandboxtest.NewEnv(t, sandbox.Options{NoSeed: true}, sandboxtest.StackOptions{Billing: o})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &fixture{t: t, env: env, s: env.Stack.Billing, ctx: ctx}
}

// buy checks out one new-commerce line and waits for it to provision.
func (f *fixture) buy(customer, item string, qty int, term, cycle string) string {
	f.t.Helper()
	c := f.env.Client
	cart, err := c.CreateCart(f.ctx, pccclient.NewRequestID(), customer, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: item, Quantity: qty, BillingCycle: pccclient.BillingCycle(cycle), TermDuration: term}}})
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := c.CheckoutCart(f.ctx, pccclient.NewRequestID(), customer, cart.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	f.env.SB.Advance(time.Minute)
	return res.Orders[0].LineItems[0].SubscriptionID
}

// change patches a subscription in PC (outside the portal).
func (f *fixture) change(customer, sub string, mod func(*pccclient.Subscription)) {
	f.t.Helper()
	s, err := f.env.Client.GetSubscription(f.ctx, customer, sub)
	if err != nil {
		f.t.Fatal(err)
	}
	mod(s)
	if _, err := f.env.Client.PatchSubscription(f.ctx, pccclient.NewRequestID(), customer, *s); err != nil {
		f.t.Fatal(err)
	}
}

// toInvoiceDay moves the sandbox to 01:00 on the 8th of next month, when
// this month's invoice is out.
func (f *fixture) toInvoiceDay() {
	now := f.env.SB.Now()
	f.env.SB.Advance(time.Date(now.Year(), now.Month()+1, 8, 1, 0, 0, 0, time.UTC).Sub(now))
}

// invoice is the sandbox's only invoice.
func (f *fixture) invoice() sandbox.BillingInvoice {
	f.t.Helper()
	invs := f.env.SB.BillingInvoices()
	if len(invs) != 1 {
		f.t.Fatalf("sandbox invoices %+v", invs)
	}
	return invs[0]
}

// sync lists the invoices and returns the imports it queued.
func (f *fixture) sync() []store.BillingImport {
	f.t.Helper()
	if err := f.s.Sync(f.ctx, billing.SyncArgs{Invoices: true}); err != nil {
		f.t.Fatal(err)
	}
	return f.imports("")
}

func (f *fixture) imports(invoice string) []store.BillingImport {
	f.t.Helper()
	rows, err := f.env.Store.Pool.Query(f.ctx, `SELECT id FROM billing_imports WHERE $1 = '' OR invoice_id = $1 ORDER BY id`, invoice)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	var out []store.BillingImport
	for _, id := range ids {
		out = append(out, f.imp(id))
	}
	return out
}

func (f *fixture) imp(id int64) store.BillingImport {
	f.t.Helper()
	i, err := f.env.Store.BillingImport(f.ctx, f.env.Store.Pool, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return i
}

// run runs an import to its end as River would: waits move the sandbox
// clock; errors are returned (a crash), waits are counted.
func (f *fixture) run(id int64) (polls int, err error) {
	f.t.Helper()
	for range 100 {
		wait, err := f.s.RunImport(f.ctx, id)
		if err != nil || wait == 0 {
			return polls, err
		}
		polls++
		f.env.SB.Advance(wait)
	}
	f.t.Fatal("import does not end")
	return polls, nil
}

// runAll runs every open import to its end.
func (f *fixture) runAll() {
	f.t.Helper()
	for _, i := range f.imports("") {
		if _, err := f.run(i.ID); err != nil {
			f.t.Fatalf("import %d: %v", i.ID, err)
		}
	}
}

// invoiceRow is the portal's record of an invoice.
func (f *fixture) invoiceRow(id string) store.BillingInvoice {
	f.t.Helper()
	inv, err := f.env.Store.BillingInvoiceTx(f.ctx, f.env.Store.Pool, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return inv
}

func (f *fixture) count(sql string, args ...any) int { return f.env.Count(sql, args...) }

var errCrash = errors.New("crash")
