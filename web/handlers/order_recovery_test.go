package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
)

// dieAtOrder kills its process at the POST of an order to PC: before the
// request leaves (after false) or after PC applied it and before the
// answer is read (after true).
type dieAtOrder struct {
	base  http.RoundTripper
	after bool
	kill  func()
	once  sync.Once
}

func (t *dieAtOrder) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/orders") {
		return t.base.RoundTrip(r)
	}
	if !t.after {
		t.once.Do(t.kill)
		return nil, errors.New("process died before the call left")
	}
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body.Close()
	}
	t.once.Do(t.kill)
	return nil, errors.New("process died before reading the answer")
}

var deliveryRe = regexp.MustCompile(`data-testid="order-base-delivery" data-delivery="([a-z]+)"`)

// deliveryOf is the base phase's delivery state on an order page ("" when
// the phase is not pending).
func deliveryOf(body string) string {
	m := deliveryRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// The portal process placing an order dies mid-placement: with the outbox
// row written and the PC call about to leave, or after PC applied the
// order and before its answer was recorded. The order page (served by
// another process) says the attempt is under way, then that it was
// interrupted and is sent again at once; a new process's workers deliver
// it with the same MS-RequestId, and PC holds exactly one new order.
func TestOrderPlacementSurvivesProcessDeath(t *testing.T) {
	t.Parallel()
	for _, after := range []bool{false, true} {
		name := "before the PC call"
		if after {
			name = "after PC applied it"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newSubEnv(t)
			ctx := context.Background()
			c := e.client()
			e.login(c, "staff@example.com")
			cust, _ := e.subID("Contoso Ltd", "Office 365 E3")
			base, _ := e.offerIDs("Office 365 E3", "%Archiving%")
			pc, err := e.stack.PC.Client(ctx)
			if err != nil {
				t.Fatal(err)
			}
			before, err := pccclient.Collect(pc.ListOrders(ctx, cust))
			if err != nil {
				t.Fatal(err)
			}
			if p := e.post(c, "/customers/"+cust+"/cart/lines", url.Values{"item_id": {base}, "quantity": {"3"}}); p.StatusCode != http.StatusSeeOther {
				t.Fatalf("add line: %d\n%s", p.StatusCode, p.body)
			}

			// Process A submits the cart and dies at the PC call.
			proc := &testdb.Mortal{}
			pcfg := e.st.Pool.Config().Copy()
			pcfg.ConnConfig.DialFunc = proc.Dial
			poolA, err := pgxpool.NewWithConfig(ctx, pcfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(poolA.Close)
			tr := &dieAtOrder{base: http.DefaultTransport, after: after, kill: proc.Kill}
			a := sandboxtest.NewStack(t, store.New(poolA), sandboxtest.StackOptions{Box: e.box,
				Commerce: commerce.Options{InlineHold: 3 * time.Second},
				Tweak: func(c *pccclient.Config) {
					sandboxtest.Unlimited(c)
					c.HTTPClient = &http.Client{Timeout: 5 * time.Second, Transport: tr}
				}})
			var staffID int64
			if err := e.st.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = 'staff@example.com'`).Scan(&staffID); err != nil {
				t.Fatal(err)
			}
			token := uuid.New()
			// A's own failure to record anything is what a crash looks like.
			_ = a.Commerce.PlaceOrder(ctx, store.Actor{UserID: &staffID, Label: "staff@example.com"}, uuid.MustParse(cust), token)
			if !proc.Dead() {
				t.Fatal("process A never reached the PC call")
			}
			href := "/customers/" + cust + "/orders/" + token.String()

			// The page, from a live process: the attempt is under way (A may
			// still be working, for all anyone can tell)...
			p := e.get(c, href)
			if got := deliveryOf(p.body); p.StatusCode != http.StatusOK || got != "sending" {
				t.Fatalf("order page right after the death: %d, delivery %q, want sending\n%s", p.StatusCode, got, p.body)
			}
			if !strings.Contains(p.body, "it is sent again by") || !strings.Contains(p.body, `hx-trigger="every 1s"`) {
				t.Fatalf("the page does not say when an interrupted attempt is sent again, or does not refresh itself\n%s", p.body)
			}
			// ... then, once A's held job is due and no process took it, that
			// it was interrupted and is sent again.
			time.Sleep(3 * time.Second)
			p = e.get(c, href)
			if got := deliveryOf(p.body); got != "interrupted" {
				t.Fatalf("order page after the hold: delivery %q, want interrupted\n%s", got, p.body)
			}
			if !hasTestID(p.body, "order-base-state") || !strings.Contains(p.body, "interrupted, will be sent again") ||
				!strings.Contains(p.body, "any moment now") {
				t.Fatalf("the page does not say the order was interrupted\n%s", p.body)
			}

			// Process B starts on the same database and delivers it.
			e.workers(commerce.Options{SettleBackoff: 50 * time.Millisecond})
			e.pollOrder(c, href, func(body string) bool { return strings.Contains(body, `data-done="true"`) })
			p = e.get(c, href)
			if !strings.Contains(p.body, ">completed<") {
				t.Fatalf("the order did not complete\n%s", p.body)
			}
			now, err := pccclient.Collect(pc.ListOrders(ctx, cust))
			if err != nil {
				t.Fatal(err)
			}
			if len(now) != len(before)+1 {
				t.Fatalf("PC has %d new orders after the death and restart, want exactly 1", len(now)-len(before))
			}
			var attempts, outcomes int
			if err := e.st.Pool.QueryRow(ctx, `SELECT c.attempts, (SELECT count(*) FROM audit_log a WHERE a.pc_request_id = c.ms_request_id
				AND a.action = 'pc.create_order.succeeded') FROM order_placements p JOIN commands c ON c.id = p.base_command_id
				WHERE p.token = $1`, token).Scan(&attempts, &outcomes); err != nil {
				t.Fatal(err)
			}
			if attempts != 2 || outcomes != 1 {
				t.Fatalf("attempts %d (want 2: A's and B's), outcome entries %d (want 1)", attempts, outcomes)
			}
		})
	}
}

var resendFormRe = regexp.MustCompile(`<form method="post" action="([^"]+/resend)" class="actions"><input type="hidden" name="back" value="([^"]*)">`)

// A placement whose delivery job River discarded (the process died on its
// last attempt) shows as stopped with a "Send again" button; staff send it
// again with the same MS-RequestId and PC holds the order once. The
// resend is scoped to the URL's customer.
func TestOrderPageResendsAStoppedDelivery(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	ctx := context.Background()
	c := e.client()
	e.login(c, "staff@example.com")
	cust, _ := e.subID("Contoso Ltd", "Office 365 E3")
	base, _ := e.offerIDs("Office 365 E3", "%Archiving%")
	pc, err := e.stack.PC.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before, err := pccclient.Collect(pc.ListOrders(ctx, cust))
	if err != nil {
		t.Fatal(err)
	}
	if p := e.post(c, "/customers/"+cust+"/cart/lines", url.Values{"item_id": {base}, "quantity": {"2"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("add line: %d\n%s", p.StatusCode, p.body)
	}
	// A process submits the cart and dies before the PC call left.
	proc := &testdb.Mortal{}
	pcfg := e.st.Pool.Config().Copy()
	pcfg.ConnConfig.DialFunc = proc.Dial
	poolA, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(poolA.Close)
	tr := &dieAtOrder{base: http.DefaultTransport, kill: proc.Kill}
	a := sandboxtest.NewStack(t, store.New(poolA), sandboxtest.StackOptions{Box: e.box,
		Tweak: func(c *pccclient.Config) {
			sandboxtest.Unlimited(c)
			c.HTTPClient = &http.Client{Timeout: 5 * time.Second, Transport: tr}
		}})
	var staffID int64
	if err := e.st.Pool.QueryRow(ctx, `SELECT id FROM users WHERE email = 'staff@example.com'`).Scan(&staffID); err != nil {
		t.Fatal(err)
	}
	token := uuid.New()
	_ = a.Commerce.PlaceOrder(ctx, store.Actor{UserID: &staffID, Label: "staff@example.com"}, uuid.MustParse(cust), token)
	if !proc.Dead() {
		t.Fatal("the process never reached the PC call")
	}
	// Its job's attempts ran out without an answer: River discarded it.
	var cmdID int64
	if err := e.st.Pool.QueryRow(ctx, `UPDATE river_job SET state = 'discarded', attempt = max_attempts, finalized_at = now()
		WHERE id = (SELECT c.river_job_id FROM order_placements p JOIN commands c ON c.id = p.base_command_id WHERE p.token = $1)
		RETURNING (SELECT base_command_id FROM order_placements WHERE token = $1)`, token).Scan(&cmdID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(ctx, `UPDATE commands SET lease_until = NULL WHERE id = $1`, cmdID); err != nil {
		t.Fatal(err)
	}
	href := "/customers/" + cust + "/orders/" + token.String()
	p := e.get(c, href)
	m := resendFormRe.FindStringSubmatch(p.body)
	if got := deliveryOf(p.body); got != "stopped" || m == nil || !hasTestID(p.body, "order-base-resend") {
		t.Fatalf("order page: delivery %q, want stopped with a send-again form\n%s", got, p.body)
	}
	action, back := m[1], m[2]
	if want := "/customers/" + cust + "/commands/" + strconv.FormatInt(cmdID, 10) + "/resend"; action != want || back != href {
		t.Fatalf("send-again form posts to %q back to %q, want %q and %q", action, back, want, href)
	}

	// Another customer's URL finds nothing, and an outside "back" is not followed.
	if p := e.post(c, "/customers/"+uuid.NewString()+"/commands/"+strconv.FormatInt(cmdID, 10)+"/resend", url.Values{"back": {back}}); p.StatusCode != http.StatusNotFound {
		t.Fatalf("resend through another customer: %d, want 404", p.StatusCode)
	}
	if p := e.post(c, action, url.Values{"back": {"//evil.example/x"}}); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/customers/"+cust {
		t.Fatalf("resend with an outside back: %d to %q, want 303 to the customer", p.StatusCode, p.Header.Get("Location"))
	}
	// The first resend queued it; a second is a no-op that returns to the page.
	if p := e.post(c, action, url.Values{"back": {back}}); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != href {
		t.Fatalf("resend: %d to %q, want 303 to the order", p.StatusCode, p.Header.Get("Location"))
	}
	if n := e.auditCount(uuid.MustParse(cust), "pc.create_order.resend"); n != 1 {
		t.Fatalf("%d resend entries in the audit log, want 1", n)
	}

	e.workers(commerce.Options{SettleBackoff: 50 * time.Millisecond})
	e.pollOrder(c, href, func(body string) bool { return strings.Contains(body, `data-done="true"`) })
	now, err := pccclient.Collect(pc.ListOrders(ctx, cust))
	if err != nil {
		t.Fatal(err)
	}
	if len(now) != len(before)+1 {
		t.Fatalf("PC has %d new orders after the resend, want exactly 1", len(now)-len(before))
	}
}
