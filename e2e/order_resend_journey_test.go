package e2e

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
)

// TestOrderResendJourney: an order whose delivery job is gone without an
// answer from PC (River discarded it after its process died on the last
// attempt) shows as stopped with "Send again"; staff click it, the page
// says it is sent again, and the workers deliver it to completion.
func TestOrderResendJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	p.signIn(b)
	ctx := t.Context()
	var cust uuid.UUID
	var offer, name string
	if err := p.Store.Pool.QueryRow(ctx, `SELECT c.id, o.id, o.name FROM customers c, offers o
		WHERE c.company_name = 'Contoso Ltd' AND o.country = 'US' AND o.name = 'Office 365 E3'`).Scan(&cust, &offer, &name); err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(commerce.CreateOrderPayload{Order: pccclient.Order{ReferenceCustomerID: cust.String(),
		BillingCycle: pccclient.BillingCycleMonthly, LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: offer, Quantity: 2}}}})
	lines, _ := json.Marshal([]rules.PlacementLine{{ItemID: offer, Name: name, Quantity: 2, Cycle: "monthly", Phase: 1, BaseLine: -1}})
	// The command as its last attempt left it: delivering, attempts spent,
	// no job any more.
	var cmdID int64
	if err := p.Store.Pool.QueryRow(ctx, `INSERT INTO commands (kind, customer_id, payload, ms_request_id, status, attempts, requested_by_label)
		VALUES ('create_order', $1, $2, $3, 'delivering', 12, 'staff@example.com') RETURNING id`, cust, payload, uuid.New()).Scan(&cmdID); err != nil {
		t.Fatal(err)
	}
	token := uuid.New()
	if _, err := p.Store.Pool.Exec(ctx, `INSERT INTO order_placements (token, customer_id, lines, base_command_id) VALUES ($1, $2, $3, $4)`,
		token, cust, lines, cmdID); err != nil {
		t.Fatal(err)
	}

	p.tickWhileWatching(t)
	b.run("open the stopped order",
		chromedp.Navigate(p.URL+"/customers/"+cust.String()+"/orders/"+token.String()),
		chromedp.WaitVisible(`[data-testid="order-base-delivery"][data-delivery="stopped"]`),
		chromedp.WaitVisible(testID("order-base-resend")),
	)
	b.checkA11y("order-stopped")
	b.run("send it again and watch it complete",
		clickPolled(testID("order-base-resend")), // the progress polls every second
		chromedp.WaitVisible(`[data-testid="order-progress"][data-done="true"]`),
	)
	if got := b.text(`[data-testid="order-base-state"]`); got != "completed" {
		t.Errorf("base phase %q, want completed", got)
	}
	if probs := realProblems(b.Problems()); len(probs) > 0 {
		t.Errorf("browser problems: %v", probs)
	}
	var resends int
	if err := p.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'pc.create_order.resend' AND actor = $1`,
		p.Email).Scan(&resends); err != nil || resends != 1 {
		t.Fatalf("%d resend entries by %s in the audit log (%v), want 1", resends, p.Email, err)
	}
}
