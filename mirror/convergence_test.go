package mirror_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// actor makes random changes in PC "outside the portal", through the PC API.
type actor struct {
	t        testing.TB
	e        *tenv
	rng      *rand.Rand
	offers   []pccclient.Offer
	template string
	ok, fail int
}

func newActor(t testing.TB, e *tenv, seed int64) *actor {
	t.Helper()
	ctx := context.Background()
	a := &actor{t: t, e: e, rng: rand.New(rand.NewPCG(uint64(seed), 99)), offers: sandboxtest.LicenseOffers(t, e.Client)}
	md, err := e.Client.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
	if err != nil {
		t.Fatalf("agreement metadata: %v", err)
	}
	a.template = md.TemplateID
	return a
}

func (a *actor) note(what string, err error) {
	if err != nil {
		a.fail++
		a.t.Logf("PC refused %s: %v", what, err)
		return
	}
	a.ok++
}

func (a *actor) customers() []pccclient.Customer {
	cs, err := pccclient.Collect(a.e.Client.ListCustomers(context.Background(), pccclient.ListCustomersOptions{}))
	if err != nil {
		a.t.Fatalf("customers: %v", err)
	}
	return cs
}

// step makes one random change.
func (a *actor) step() {
	ctx := context.Background()
	pc := a.e.Client
	cs := a.customers()
	switch k := a.rng.IntN(10); {
	case k == 0 || len(cs) == 0:
		n := a.rng.Uint32()
		c, err := pc.CreateCustomer(ctx, pccclient.NewRequestID(), pccclient.Customer{
			CompanyProfile: &pccclient.CompanyProfile{Domain: fmt.Sprintf("conv%08x.onmicrosoft.com", n)},
			BillingProfile: &pccclient.BillingProfile{Culture: "en-US", Language: "en", Email: fmt.Sprintf("it%d@example.com", n),
				CompanyName: fmt.Sprintf("Convergence %d", n), DefaultAddress: &pccclient.Address{FirstName: "A", LastName: "B",
					AddressLine1: "1 Main St", City: "Redmond", State: "WA", PostalCode: "98052", Country: "US"}},
		})
		a.note("create customer", err)
		if err == nil {
			_, err = pc.CreateAgreement(ctx, pccclient.NewRequestID(), c.ID, pccclient.Agreement{
				TemplateID: a.template, Type: pccclient.AgreementMicrosoftCustomerAgreement, DateAgreed: a.e.SB.Now(),
				PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@example.com", PhoneNumber: "1234567890"},
			})
			a.note("accept agreement", err)
		}
	case k <= 3:
		c := cs[a.rng.IntN(len(cs))]
		o := a.offers[a.rng.IntN(len(a.offers))]
		cycle := pccclient.BillingCycleMonthly
		if len(o.SupportedBillingCycles) > 0 {
			cycle = o.SupportedBillingCycles[0]
		}
		_, err := pc.CreateOrder(ctx, pccclient.NewRequestID(), c.ID, pccclient.Order{BillingCycle: cycle,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: o.ID, Quantity: 1 + a.rng.IntN(5), FriendlyName: "conv"}}})
		a.note("create order", err)
	default:
		c := cs[a.rng.IntN(len(cs))]
		subs, err := pccclient.Collect(pc.ListSubscriptions(ctx, c.ID))
		if err != nil || len(subs) == 0 {
			return
		}
		s := subs[a.rng.IntN(len(subs))]
		req := pccclient.NewRequestID()
		switch a.rng.IntN(4) {
		case 0:
			_, err = pc.SetSubscriptionQuantity(ctx, req, c.ID, s.ID, s.Quantity+1+a.rng.IntN(3))
			a.note("add seats", err)
		case 1:
			_, err = pc.SetSubscriptionFriendlyName(ctx, req, c.ID, s.ID, fmt.Sprintf("renamed %d", a.rng.IntN(1000)))
			a.note("rename", err)
		case 2:
			_, err = pc.SetSubscriptionAutoRenew(ctx, req, c.ID, s.ID, !s.AutoRenewEnabled)
			a.note("auto-renew", err)
		case 3:
			if s.Status.Is(pccclient.SubscriptionSuspended) {
				_, err = pc.ReactivateSubscription(ctx, req, c.ID, s.ID)
				a.note("reactivate", err)
			} else {
				_, err = pc.SuspendSubscription(ctx, req, c.ID, s.ID)
				a.note("suspend", err)
			}
		}
	}
	if a.rng.IntN(4) == 0 {
		a.e.SB.Advance(time.Duration(1+a.rng.IntN(30)) * time.Second) // pending orders complete
	}
}

func TestConvergenceAfterRandomChanges(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, sandbox.Options{Seed: seed}, sandboxtest.StackOptions{})
			a := newActor(t, e, seed)
			e.Run(mirror.KindFull)
			for i := range 30 {
				a.step()
				if i%7 == 6 {
					e.Run(mirror.KindIncremental)
				}
			}
			e.SB.Advance(time.Minute)
			callsBefore := e.SB.Calls(sandbox.OpListCustomers)
			e.Run(mirror.KindIncremental)
			if a.ok < 10 {
				t.Fatalf("only %d changes succeeded (%d refused): the test did not exercise the sync", a.ok, a.fail)
			}
			if n := e.SB.Calls(sandbox.OpListCustomers); n != callsBefore {
				t.Errorf("incremental sync listed all customers (%d calls): it should read only what changed", n-callsBefore)
			}
			sandboxtest.AssertConverged(t, e.Client, e.Store)
		})
	}
}
