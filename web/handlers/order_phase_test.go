package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// placeBaseWithAddOn fills the cart with an Office 365 E3 base and an
// add-on of it, submits the review and returns the customer and the order
// page's URL (which it does not open).
func (e *pcEnv) placeBaseWithAddOn(c *http.Client) (cust, href string) {
	e.t.Helper()
	cust, _ = e.subID("Contoso Ltd", "Office 365 E3")
	base, addOn := e.offerIDs("Office 365 E3", "%Archiving%")
	cart := "/customers/" + cust + "/cart"
	if p := e.post(c, cart+"/lines", url.Values{"item_id": {base}, "quantity": {"5"}}); p.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("add base: %d\n%s", p.StatusCode, p.body)
	}
	lineRef := cartLineIDRe(e.get(c, cart+"?"+url.Values{"item": {addOn}}.Encode()).body)
	if p := e.post(c, cart+"/lines", url.Values{"item_id": {addOn}, "quantity": {"2"}, "parent": {lineRef}}); p.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("add add-on: %d\n%s", p.StatusCode, p.body)
	}
	tk := tokenRe.FindStringSubmatch(e.get(c, cart+"/review").body)
	if tk == nil {
		e.t.Fatal("no token on the review page")
	}
	p := e.post(c, "/customers/"+cust+"/orders", url.Values{"token": {tk[1]}})
	if p.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("submit: %d\n%s", p.StatusCode, p.body)
	}
	return cust, p.location()
}

// waitAddOnPhase moves the sandbox clock (PC completes orders after 5s of
// its clock) until the placement's add-on command succeeded, and returns
// the base and add-on subscription ids PC created.
func (e *pcEnv) waitAddOnPhase(cust string) (baseSub, addOnSub, addOnOrder string) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := e.st.Pool.QueryRow(e.t.Context(), `SELECT c1.result->'lineItems'->0->>'subscriptionId',
				c2.result->'lineItems'->0->>'subscriptionId', c2.target_id
			FROM order_placements p JOIN commands c1 ON c1.id = p.base_command_id JOIN commands c2 ON c2.id = p.addon_command_id
			WHERE p.customer_id = $1 AND c2.status = 'succeeded'`, uuid.MustParse(cust)).Scan(&baseSub, &addOnSub, &addOnOrder)
		if err == nil {
			return baseSub, addOnSub, addOnOrder
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the add-on phase never succeeded (%v)", err)
		}
		e.sb.Advance(3 * time.Second)
		time.Sleep(50 * time.Millisecond)
	}
}

// assertOnePhaseTwo checks PC received exactly two orders (base, add-on),
// the portal holds two order commands, and the mirror shows the add-on
// under its new base.
func (e *pcEnv) assertOnePhaseTwo(cust string) {
	e.t.Helper()
	baseSub, addOnSub, addOnOrder := e.waitAddOnPhase(cust)
	if got := e.sb.Calls(sandbox.OpCreateOrder); got != 2 {
		e.t.Errorf("%d create-order calls reached PC, want 2 (base, then add-on)", got)
	}
	var cmds, withAddOns int
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT (SELECT count(*) FROM commands WHERE kind = 'create_order'),
		(SELECT count(*) FROM order_placements WHERE addon_command_id IS NOT NULL)`).Scan(&cmds, &withAddOns); err != nil {
		e.t.Fatal(err)
	}
	if cmds != 2 || withAddOns != 1 {
		e.t.Errorf("%d order commands and %d placements with an add-on phase, want 2 and 1", cmds, withAddOns)
	}
	var parent, order string
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT parent_subscription_id, order_id FROM subscriptions
		WHERE id = $1 AND gone_at IS NULL`, addOnSub).Scan(&parent, &order); err != nil {
		e.t.Fatalf("the add-on subscription %s is not mirrored: %v", addOnSub, err)
	}
	if parent != baseSub || order != addOnOrder {
		e.t.Errorf("mirrored add-on: parent %q order %q, want parent %q (the new base) order %q", parent, order, baseSub, addOnOrder)
	}
}

// The add-on phase needs no open order page: the delivery of the base
// order queues it and the workers place it once the base is active.
func TestOrderAddOnPhaseWithoutThePage(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	e.workers(commerce.Options{})
	c := e.client()
	e.login(c, "staff@example.com")
	cust, _ := e.placeBaseWithAddOn(c) // the order page is never opened
	e.assertOnePhaseTwo(cust)
	// The customer's other subscriptions were not touched by the order's
	// mirror update.
	if n := e.countRows("subscriptions WHERE gone_at IS NOT NULL"); n != 0 {
		t.Errorf("%d subscriptions marked gone by placing an order", n)
	}
}

// A process that dies between the phases (its advance job lost) is healed
// by the sweep of the restarted workers, with no order page open; two
// replicas sweeping still place one add-on order.
func TestOrderAddOnPhaseAfterRestart(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, _ := e.placeBaseWithAddOn(c) // no workers: phase 1 delivered inline only
	var queued int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'mirror.advance_placement'`).Scan(&queued); err != nil || queued != 1 {
		t.Fatalf("delivering the base order queued %d add-on phase jobs (%v), want 1", queued, err)
	}
	// The process dies: its queued job is gone with it.
	if _, err := e.st.Pool.Exec(t.Context(), `DELETE FROM river_job WHERE kind = 'mirror.advance_placement'`); err != nil {
		t.Fatal(err)
	}
	e.sb.Advance(time.Minute) // the base is active by now
	// Two replicas start; both sweep (as their periodic job does at start).
	for range 2 {
		m := e.workers(commerce.Options{})
		if _, err := m.Jobs.Client().Insert(t.Context(), commerce.PlacementSweepArgs{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	e.assertOnePhaseTwo(cust)
}

// Everyone advancing one placement at once (jobs, order pages) queues one
// add-on order.
func TestOrderAddOnPhaseRace(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, href := e.placeBaseWithAddOn(c)
	e.sb.Advance(time.Minute)
	// The mirror learns the base is active (here from an incremental sync:
	// no workers run yet to settle the order).
	e.sync(mirror.KindIncremental)
	var active int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM subscriptions s JOIN order_placements p ON p.customer_id = s.customer_id
		JOIN commands c ON c.id = p.base_command_id WHERE s.order_id = c.target_id AND s.status = 'active'`).Scan(&active); err != nil || active != 1 {
		t.Fatalf("%d active base subscriptions in the mirror (%v), want 1", active, err)
	}
	token := uuid.MustParse(href[strings.LastIndex(href, "/")+1:])
	var wg sync.WaitGroup
	ids := make([]bool, 8)
	for i := range ids {
		wg.Go(func() {
			queued, err := e.stack.Commerce.AdvancePlacement(t.Context(), uuid.MustParse(cust), token)
			if err != nil {
				t.Errorf("advance: %v", err)
			}
			ids[i] = queued
		})
	}
	for range 3 {
		wg.Go(func() {
			if p := e.get(c, href); p.StatusCode != http.StatusOK {
				t.Errorf("order page: %d", p.StatusCode)
			}
		})
	}
	wg.Wait()
	var queued int
	for _, q := range ids {
		if q {
			queued++
		}
	}
	if queued > 1 {
		t.Fatalf("%d concurrent calls each queued an add-on order", queued)
	}
	if n := e.countRows("order_placements WHERE addon_command_id IS NOT NULL"); n != 1 {
		t.Fatalf("no add-on order queued by the race (%d placements with one)", n)
	}
	e.workers(commerce.Options{})
	e.assertOnePhaseTwo(cust)
}
