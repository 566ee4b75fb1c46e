package pccclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

const (
	day         = 24 * time.Hour
	nceBasic    = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
	nceStandard = "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM"
)

// buyNCE checks out one new-commerce line and returns its subscription
// once the order has completed.
func buyNCE(t *testing.T, e *env, customerID, catalogItem string, qty int, term string) *pccclient.Subscription {
	t.Helper()
	ctx := ctxT(t)
	cart := must(e.c.CreateCart(ctx, pccclient.NewRequestID(), customerID, pccclient.Cart{LineItems: []pccclient.CartLineItem{{
		CatalogItemID: catalogItem, Quantity: qty, BillingCycle: pccclient.BillingCycleMonthly, TermDuration: term}}}))(t)
	res := must(e.c.CheckoutCart(ctx, pccclient.NewRequestID(), customerID, cart.ID))(t)
	if len(res.Orders) != 1 || len(res.Orders[0].LineItems) != 1 {
		t.Fatalf("checkout = %+v", res)
	}
	e.sb.Advance(time.Minute)
	return must(e.c.GetSubscription(ctx, customerID, res.Orders[0].LineItems[0].SubscriptionID))(t)
}

func lifecycleCustomer(t *testing.T, prefix string) (*env, string) {
	t.Helper()
	e := newEnv(t, sandbox.Options{NoSeed: true}, nil)
	cu := newCustomer(t, e, prefix)
	acceptMCA(t, e, cu.ID)
	return e, cu.ID
}

// TestOnlyTheNewestTrancheIsRefundable: buy 10, add 5 three days later,
// move the clock 5 days: only the 5 can be removed, until 7 days after
// they were added.
func TestOnlyTheNewestTrancheIsRefundable(t *testing.T) {
	t.Parallel()
	e, cid := lifecycleCustomer(t, "tranches")
	ctx := ctxT(t)
	sub := buyNCE(t, e, cid, nceBasic, 10, "P1Y")
	if rq := sub.RefundableQuantity; rq == nil || rq.TotalQuantity != 10 || len(rq.Details) != 1 {
		t.Fatalf("after purchase: %+v", rq)
	}
	e.sb.Advance(3 * day)
	added := e.sb.Now()
	must(e.c.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), cid, sub.ID, 15))(t)
	e.sb.Advance(5 * day)
	got := must(e.c.GetSubscription(ctx, cid, sub.ID))(t)
	rq := got.RefundableQuantity
	if rq == nil || rq.TotalQuantity != 5 || len(rq.Details) != 1 || rq.Details[0].Quantity != 5 ||
		!rq.Details[0].AllowedUntilDateTime.Equal(added.Add(7*day)) {
		t.Fatalf("8 days after purchase: %+v", rq)
	}
	if _, err := e.c.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), cid, sub.ID, 9); !pccclient.HasCode(err, "800090") {
		t.Fatalf("removing 6: err = %v, want 800090", err)
	}
	got = must(e.c.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), cid, sub.ID, 10))(t)
	if got.RefundableQuantity == nil || got.RefundableQuantity.TotalQuantity != 0 {
		t.Fatalf("after removing the 5: %+v", got.RefundableQuantity)
	}
}

func TestRenewalStartsANewTranche(t *testing.T) {
	t.Parallel()
	e, cid := lifecycleCustomer(t, "renewal")
	ctx := ctxT(t)
	sub := buyNCE(t, e, cid, nceBasic, 4, "P1M")
	termEnd := sub.CommitmentEndDate.Add(day)
	e.sb.Advance(termEnd.Sub(e.sb.Now()) + day)
	got := must(e.c.GetSubscription(ctx, cid, sub.ID))(t)
	if !got.CommitmentEndDate.After(sub.CommitmentEndDate) || got.RefundableQuantity == nil || got.RefundableQuantity.TotalQuantity != 4 ||
		!got.RefundableQuantity.Details[0].AllowedUntilDateTime.Equal(termEnd.Add(7*day)) || !got.CancellationAllowedUntilDate.Equal(termEnd.Add(7*day)) {
		t.Fatalf("renewed: end %v, refundable %+v", got.CommitmentEndDate, got.RefundableQuantity)
	}
	l := must(e.sb.Lifecycle(cid, sub.ID))(t)
	if len(l.Terms) != 2 || !l.Terms[1].Renewal {
		t.Fatalf("terms: %+v", l.Terms)
	}
}

func TestScheduledChangeThenMidTermChangeWipesIt(t *testing.T) {
	t.Parallel()
	e, cid := lifecycleCustomer(t, "sched")
	ctx := ctxT(t)
	sub := buyNCE(t, e, cid, nceBasic, 5, "P1Y")
	targets := must(e.c.GetTransitionEligibilities(ctx, cid, sub.ID, pccclient.EligibilityScheduled))(t)
	var own *pccclient.TransitionEligibility
	for i := range targets {
		if targets[i].CatalogItemID == nceBasic {
			own = &targets[i]
		}
	}
	if own == nil || !own.Eligible(pccclient.TransitionOnly) {
		t.Fatalf("scheduled targets lack the subscription's own SKU: %+v", targets)
	}
	next := pccclient.ScheduledNextTermInstructions{Quantity: 8, Product: &pccclient.NextTermProduct{ProductID: "CFQ7TTC0LH18",
		SkuID: "0001", AvailabilityID: "CFQ7TTC0K971", BillingCycle: pccclient.BillingCycleAnnual, TermDuration: "P1Y"}}
	before := len(e.rec.sent(""))
	got := must(e.c.ScheduleNextTermChange(ctx, pccclient.NewRequestID(), cid, sub.ID, next))(t)
	if n := got.ScheduledNextTermInstructions; n == nil || n.Quantity != 8 || !n.Product.BillingCycle.Is(pccclient.BillingCycleAnnual) {
		t.Fatalf("scheduled: %+v", n)
	}
	var patches []sentRequest
	for _, r := range e.rec.sent("")[before:] {
		if r.Method == "PATCH" {
			patches = append(patches, r)
		}
	}
	if len(patches) != 1 || patches[0].Header.Get("If-Match") == "" {
		t.Fatalf("PATCH requests %d, If-Match %q", len(patches), patches[0].Header.Get("If-Match"))
	}
	// The same instructions again: read, nothing sent.
	before = len(e.rec.sent(""))
	must(e.c.ScheduleNextTermChange(ctx, pccclient.NewRequestID(), cid, sub.ID, next))(t)
	for _, r := range e.rec.sent("")[before:] {
		if r.Method == "PATCH" {
			t.Fatal("an unchanged schedule was sent again")
		}
	}
	// A copy read before the change is refused with PC's stale-etag error.
	stale := *sub
	stale.FriendlyName = "Renamed"
	if _, err := e.c.PatchSubscriptionIfMatch(ctx, pccclient.NewRequestID(), cid, stale); !pccclient.IsStaleEtag(err) {
		t.Fatalf("stale etag: err = %v", err)
	}
	// A mid-term seat change deletes the scheduled change.
	got = must(e.c.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), cid, sub.ID, 6))(t)
	if got.ScheduledNextTermInstructions != nil {
		t.Fatalf("scheduled change survived a mid-term change: %+v", got.ScheduledNextTermInstructions)
	}
	must(e.c.ScheduleNextTermChange(ctx, pccclient.NewRequestID(), cid, sub.ID, next))(t)
	got = must(e.c.ClearScheduledNextTermChange(ctx, pccclient.NewRequestID(), cid, sub.ID))(t)
	if got.ScheduledNextTermInstructions != nil {
		t.Fatalf("cleared: %+v", got.ScheduledNextTermInstructions)
	}
	// Without auto-renew PC refuses to schedule.
	must(e.c.SetSubscriptionAutoRenew(ctx, pccclient.NewRequestID(), cid, sub.ID, false))(t)
	if _, err := e.c.ScheduleNextTermChange(ctx, pccclient.NewRequestID(), cid, sub.ID, next); !pccclient.IsValidation(err) {
		t.Fatalf("schedule without auto-renew: err = %v", err)
	}
}

func TestSuspendedPastTermEndIsDisabledThenDeleted(t *testing.T) {
	t.Parallel()
	e, cid := lifecycleCustomer(t, "suspend")
	ctx := ctxT(t)
	sub := buyNCE(t, e, cid, nceBasic, 3, "P1M")
	other := buyNCE(t, e, cid, nceBasic, 2, "P1M")
	got := must(e.c.SuspendSubscription(ctx, pccclient.NewRequestID(), cid, sub.ID))(t)
	if !got.Status.Is(pccclient.SubscriptionSuspended) || got.AutoRenewEnabled {
		t.Fatalf("suspended: %s auto-renew %v", got.Status, got.AutoRenewEnabled)
	}
	l := must(e.sb.Lifecycle(cid, sub.ID))(t)
	termEnd := sub.CommitmentEndDate.Add(day)
	if l.BilledUntil == nil || !l.BilledUntil.Equal(termEnd) || l.DeletedAt == nil || !l.DeletedAt.Equal(termEnd.Add(120*day)) {
		t.Fatalf("calendar: %+v", l)
	}
	// Reactivating the other one before its term end keeps auto-renew off.
	must(e.c.SuspendSubscription(ctx, pccclient.NewRequestID(), cid, other.ID))(t)
	back := must(e.c.ReactivateSubscription(ctx, pccclient.NewRequestID(), cid, other.ID))(t)
	if !back.Status.Is(pccclient.SubscriptionActive) || back.AutoRenewEnabled {
		t.Fatalf("reactivated: %s auto-renew %v", back.Status, back.AutoRenewEnabled)
	}
	e.sb.Advance(termEnd.Sub(e.sb.Now()) + time.Hour)
	if s := must(e.c.GetSubscription(ctx, cid, sub.ID))(t); !s.Status.Is(pccclient.SubscriptionDisabled) {
		t.Fatalf("after the term end: %s", s.Status)
	}
	if _, err := e.c.ReactivateSubscription(ctx, pccclient.NewRequestID(), cid, sub.ID); !pccclient.HasCode(err, "800040") {
		t.Fatalf("reactivating a disabled subscription: err = %v", err)
	}
	e.sb.Advance(l.DeletedAt.Sub(e.sb.Now()) + time.Minute)
	if s := must(e.c.GetSubscription(ctx, cid, sub.ID))(t); !s.Status.Is(pccclient.SubscriptionDeleted) {
		t.Fatalf("on the deletion date: %s", s.Status)
	}
}

func TestTransitionThroughTheClient(t *testing.T) {
	t.Parallel()
	e, cid := lifecycleCustomer(t, "transition")
	ctx := ctxT(t)
	sub := buyNCE(t, e, cid, nceBasic, 5, "P1Y")
	targets := must(e.c.GetTransitionEligibilities(ctx, cid, sub.ID, ""))(t)
	ok := false
	for _, tg := range targets {
		ok = ok || (tg.CatalogItemID == nceStandard && tg.Eligible(pccclient.TransitionWithLicenseTransfer))
	}
	if !ok {
		t.Fatalf("Business Standard is not an eligible upgrade: %+v", targets)
	}
	_, err := e.c.CreateTransition(ctx, pccclient.NewRequestID(), cid, sub.ID, pccclient.Transition{ToCatalogItemID: nceBasic})
	if te := pccclient.TransitionErrors(err); !pccclient.IsValidation(err) || len(te) != 1 || te[0].Code != pccclient.TransitionErrTargetOfferNotFound {
		t.Fatalf("transition to itself: err = %v, transition errors %+v", err, te)
	}
	tr := must(e.c.CreateTransition(ctx, pccclient.NewRequestID(), cid, sub.ID, pccclient.Transition{
		ToCatalogItemID: nceStandard, TransitionType: pccclient.TransitionWithLicenseTransfer}))(t)
	if tr.OperationID == "" || tr.Status() != pccclient.TransitionStarted || tr.FromSubscriptionID != sub.ID {
		t.Fatalf("CreateTransition = %+v", tr)
	}
	e.sb.Advance(time.Minute)
	list := must(e.c.ListTransitions(ctx, cid, sub.ID, tr.OperationID))(t)
	if len(list) != 1 || list[0].Status() != pccclient.TransitionCompleted {
		t.Fatalf("ListTransitions = %+v", list)
	}
	if s := must(e.c.GetSubscription(ctx, cid, sub.ID))(t); s.OfferID != nceStandard {
		t.Fatalf("after the transition: %s", s.OfferID)
	}
}

func TestLifecycleArgumentsCheckedBeforeAnyNetworkCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, nil)
	ctx := context.Background()
	good := "0c39d6d5-c70d-4c55-bc02-f620844f3fd1"
	req := pccclient.NewRequestID()
	next := pccclient.ScheduledNextTermInstructions{Quantity: 1, Product: &pccclient.NextTermProduct{ProductID: "P", SkuID: "S",
		AvailabilityID: "A", BillingCycle: pccclient.BillingCycleMonthly, TermDuration: "P1M"}}
	for _, tc := range []struct {
		name, field string
		call        func() error
	}{
		{"eligibility type", "eligibilityType", func() error {
			_, err := e.c.GetTransitionEligibilities(ctx, good, good, "later")
			return err
		}},
		{"eligibilities subscription", "subscriptionID", func() error {
			_, err := e.c.GetTransitionEligibilities(ctx, good, "x", "")
			return err
		}},
		{"transition target", "toCatalogItemId", func() error {
			_, err := e.c.CreateTransition(ctx, req, good, good, pccclient.Transition{})
			return err
		}},
		{"transition request id", "requestID", func() error {
			_, err := e.c.CreateTransition(ctx, "", good, good, pccclient.Transition{ToCatalogItemID: "X"})
			return err
		}},
		{"transition source", "fromSubscriptionId", func() error {
			_, err := e.c.CreateTransition(ctx, req, good, good, pccclient.Transition{ToCatalogItemID: "X", FromSubscriptionID: req})
			return err
		}},
		{"transition type", "transitionType", func() error {
			_, err := e.c.CreateTransition(ctx, req, good, good, pccclient.Transition{ToCatalogItemID: "X", TransitionType: "swap"})
			return err
		}},
		{"transitions customer", "customerID", func() error { _, err := e.c.ListTransitions(ctx, "", good, ""); return err }},
		{"schedule product", "scheduledNextTermInstructions.product", func() error {
			_, err := e.c.ScheduleNextTermChange(ctx, req, good, good, pccclient.ScheduledNextTermInstructions{Quantity: 1})
			return err
		}},
		{"schedule quantity", "scheduledNextTermInstructions.quantity", func() error {
			n := next
			n.Quantity = 0
			_, err := e.c.ScheduleNextTermChange(ctx, req, good, good, n)
			return err
		}},
		{"clear request id", "requestID", func() error { _, err := e.c.ClearScheduledNextTermChange(ctx, "x", good, good); return err }},
		{"if-match quantity", "quantity", func() error {
			_, err := e.c.PatchSubscriptionIfMatch(ctx, req, good, pccclient.Subscription{ID: good})
			return err
		}},
	} {
		err := tc.call()
		var ae *pccclient.ArgumentError
		if !errors.As(err, &ae) || ae.Field != tc.field {
			t.Errorf("%s: err = %v, want *ArgumentError on %s", tc.name, err, tc.field)
		}
	}
	if sent := e.rec.sent(""); len(sent) != 0 {
		t.Errorf("%d requests left the client, want none", len(sent))
	}
}

// TestLifecycleResponsesUseKnownMembers: the client's models know every
// member of the sandbox's lifecycle answers (see
// TestSandboxResponsesUseKnownMembers).
func TestLifecycleResponsesUseKnownMembers(t *testing.T) {
	t.Parallel()
	e, cid := lifecycleCustomer(t, "lcshape")
	ctx := ctxT(t)
	sub := buyNCE(t, e, cid, nceBasic, 5, "P1Y")
	buyNCE(t, e, cid, nceBasic, 1, "P1Y") // a licence-transfer conflict: errors in the eligibilities
	to := buyNCE(t, e, cid, nceStandard, 1, "P1Y")
	next := pccclient.ScheduledNextTermInstructions{Quantity: 7, Product: &pccclient.NextTermProduct{ProductID: "CFQ7TTC0LH18",
		SkuID: "0001", AvailabilityID: "CFQ7TTC0K971", BillingCycle: pccclient.BillingCycleMonthly, TermDuration: "P1Y"}}
	scheduled := must(e.c.ScheduleNextTermChange(ctx, pccclient.NewRequestID(), cid, sub.ID, next))(t)
	tr := must(e.c.CreateTransition(ctx, pccclient.NewRequestID(), cid, sub.ID, pccclient.Transition{
		ToCatalogItemID: nceStandard, ToSubscriptionID: to.ID, Quantity: 2}))(t)
	e.sb.Advance(time.Minute)
	got := map[string]any{
		"subscription":            scheduled,
		"immediate eligibilities": must(e.c.GetTransitionEligibilities(ctx, cid, sub.ID, pccclient.EligibilityImmediate))(t),
		"scheduled eligibilities": must(e.c.GetTransitionEligibilities(ctx, cid, sub.ID, pccclient.EligibilityScheduled))(t),
		"transition":              tr,
		"transitions":             must(e.c.ListTransitions(ctx, cid, sub.ID, ""))(t),
	}
	for name, v := range got {
		if u := unknownMembers(v); len(u) > 0 {
			t.Errorf("%s: members unknown to the client: %v", name, u)
		}
	}
}
