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
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

func TestSubscriptionSeatsIncreaseThenDecreaseWindowCloses(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Fabrikam Inc", "%Premium%")
	href := "/customers/" + cust + "/subscriptions/" + sub

	p := e.get(c, href)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "decrease-possible") || !strings.Contains(p.body, "Seats can be removed until") {
		t.Fatalf("NCE purchase 3 days ago: want a decrease possible with its end\n%s", p.body)
	}
	// Step 1: the confirmation states the effect and writes nothing.
	f := e.subForm(c, href, "quantity", "quantity", "45")
	p = e.post(c, href, f)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "change-confirm") || !strings.Contains(p.body, "Adds 5 seat(s) (from 40 to 45)") {
		t.Fatalf("confirmation: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.countCommands(); n != 0 {
		t.Fatalf("the confirmation step wrote %d command(s)", n)
	}
	// Step 2: confirmed, delivered, applied to PC and the mirror.
	f.Set("confirm", "1")
	r := e.changeResult(c, e.post(c, href, f))
	if !hasTestID(r.body, "change-done") {
		t.Fatalf("change page: want done\n%s", r.body)
	}
	if q, _ := e.mirrored(sub); q != 45 {
		t.Fatalf("mirror quantity %d, want 45", q)
	}
	var reqID uuid.UUID
	var before, after, actor string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT pc_request_id, before::text, after::text, actor FROM audit_log
		WHERE action = 'pc.patch_subscription' AND target_id = $1`, sub).Scan(&reqID, &before, &after, &actor); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, `"quantity": 40`) || !strings.Contains(after, `"quantity": 45`) || actor != "staff@example.com" || reqID == uuid.Nil {
		t.Fatalf("audit: before %s after %s actor %s request %s", before, after, actor, reqID)
	}
	page := e.get(c, href)
	if !hasTestID(page.body, "sub-change") || !strings.Contains(page.body, reqID.String()) {
		t.Fatalf("the subscription page lists no change with its request id\n%s", page.body)
	}

	// Eight days later the window has closed: the page says so and a
	// decrease is refused before anything is queued.
	e.sb.Advance(8 * 24 * time.Hour)
	e.sync("full")
	p = e.get(c, href)
	if !hasTestID(p.body, "decrease-impossible") || !strings.Contains(p.body, "cancellation window after purchase or renewal closed on") {
		t.Fatalf("after 8 days: want the window closed\n%s", p.body)
	}
	n := e.countCommands()
	f = e.subForm(c, href, "quantity", "quantity", "40", "confirm", "1")
	p = e.post(c, href, f)
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-quantity") || !strings.Contains(p.body, "closed on") {
		t.Fatalf("decrease after the window: %d\n%s", p.StatusCode, p.body)
	}
	if got := e.countCommands(); got != n {
		t.Fatalf("a refused decrease queued %d command(s)", got-n)
	}
	// An increase is still fine.
	f = e.subForm(c, href, "quantity", "quantity", "46", "confirm", "1")
	if r := e.changeResult(c, e.post(c, href, f)); !hasTestID(r.body, "change-done") {
		t.Fatalf("increase after the window: want done\n%s", r.body)
	}
}

func TestSubscriptionSuspendBaseWithAddOnAndReactivate(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, base := e.subID("Contoso Ltd", "Office 365 E3")
	_, addOn := e.subID("Contoso Ltd", "%Archiving%")
	href := "/customers/" + cust + "/subscriptions/" + base

	f := e.subForm(c, href, "suspend")
	if p := e.post(c, href, f); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-reason") {
		t.Fatalf("suspend without a reason: %d\n%s", p.StatusCode, p.body)
	}
	f.Set("reason", "Customer has not paid for two months")
	p := e.post(c, href, f)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "confirm-addon") || !strings.Contains(p.body, "suspended with it") {
		t.Fatalf("suspend confirmation must list the add-on: %d\n%s", p.StatusCode, p.body)
	}
	f.Set("confirm", "1")
	if r := e.changeResult(c, e.post(c, href, f)); !hasTestID(r.body, "change-done") {
		t.Fatalf("suspend: want done\n%s", r.body)
	}
	if _, st := e.mirrored(base); st != "suspended" {
		t.Fatalf("base status %s, want suspended", st)
	}
	if _, st := e.mirrored(addOn); st != "suspended" {
		t.Fatalf("add-on status %s, want suspended with its base", st)
	}
	var detail string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT detail FROM audit_log WHERE action = 'pc.patch_subscription' AND target_id = $1`, base).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, "not paid") {
		t.Fatalf("audit detail %q lacks the reason", detail)
	}
	// Who suspended and why stand apart from PC's code, which alone reads
	// as if the customer had cancelled.
	bp := e.get(c, href)
	if !hasTestID(bp.body, "sub-suspended-by") || !strings.Contains(bp.body, "Customer has not paid for two months") ||
		!strings.Contains(bp.body, "staff@example.com") || !strings.Contains(bp.body, "suspended by the partner") {
		t.Fatalf("suspended base: want who, their reason and PC's reason in words\n%s", bp.body)
	}
	// The add-on cannot be reactivated before its base.
	ap := e.get(c, "/customers/"+cust+"/subscriptions/"+addOn)
	if !strings.Contains(ap.body, "suspended with its base subscription") || hasTestID(ap.body, "sub-suspended-by") {
		t.Fatalf("add-on suspended with its base: want PC's reason in words only\n%s", ap.body)
	}
	if !hasTestID(ap.body, "reactivate-problem") || !strings.Contains(ap.body, "reactivate the base first") {
		t.Fatalf("add-on page under a suspended base\n%s", ap.body)
	}

	f = e.subForm(c, href, "reactivate")
	if p := e.post(c, href, f); !hasTestID(p.body, "confirm-addon") {
		t.Fatalf("reactivate confirmation must list the add-on\n%s", p.body)
	}
	f.Set("confirm", "1")
	if r := e.changeResult(c, e.post(c, href, f)); !hasTestID(r.body, "change-done") {
		t.Fatalf("reactivate: want done\n%s", r.body)
	}
	if _, st := e.mirrored(addOn); st != "active" {
		t.Fatalf("add-on status %s after reactivating the base, want active", st)
	}
}

func TestSubscriptionAutoRenewAndName(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Tailspin Toys SAS", "%")
	href := "/customers/" + cust + "/subscriptions/" + sub
	p := e.get(c, href)
	if !hasTestID(p.body, "decrease-impossible") {
		t.Fatalf("NCE bought 30 days ago: want no decrease\n%s", p.body)
	}
	on := strings.Contains(p.body, `name="autorenew" value="on"`)
	want := "off"
	if on {
		want = "on"
	}
	f := e.subForm(c, href, "autorenew", "autorenew", want, "confirm", "1")
	if r := e.changeResult(c, e.post(c, href, f)); !hasTestID(r.body, "change-done") || !strings.Contains(r.body, "auto-renew "+want) {
		t.Fatalf("auto-renew %s: want done\n%s", want, r.body)
	}
	f = e.subForm(c, href, "name", "friendly_name", "Paris office", "confirm", "1")
	if r := e.changeResult(c, e.post(c, href, f)); !hasTestID(r.body, "change-done") {
		t.Fatalf("rename: want done\n%s", r.body)
	}
	if p := e.get(c, href); !strings.Contains(p.body, `data-testid="sub-name">Paris office<`) {
		t.Fatalf("the page does not show the new name\n%s", p.body)
	}
}

func TestSubscriptionBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Contoso Ltd", "Office 365 E3")
	other, otherSub := e.subID("Wingtip Toys Ltd", "Office 365 E1")
	href := "/customers/" + cust + "/subscriptions/" + sub

	cases := []struct {
		name   string
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"zero seats", href, e.subForm(c, href, "quantity", "quantity", "0", "confirm", "1"), 422, "at least 1"},
		{"above max", href, e.subForm(c, href, "quantity", "quantity", "20000000", "confirm", "1"), 422, "at most"},
		{"not a number", href, e.subForm(c, href, "quantity", "quantity", "ten", "confirm", "1"), 422, "whole number"},
		{"same quantity", href, e.subForm(c, href, "quantity", "quantity", "25", "confirm", "1"), 422, "already 25"},
		{"unknown action", href, e.subForm(c, href, "cancel", "confirm", "1"), 422, "Choose a change"},
		{"reactivate an active one", href, e.subForm(c, href, "reactivate", "confirm", "1"), 422, "Only a suspended"},
		{"empty name", href, e.subForm(c, href, "name", "friendly_name", " ", "confirm", "1"), 422, "Enter a name"},
		{"bad token", href, e.subForm(c, href, "quantity", "quantity", "26", "token", "x", "confirm", "1"), 422, "form expired"},
		{"stale version", href, e.subForm(c, href, "quantity", "quantity", "26", "version", "0000", "confirm", "1"), 409, "changed since you opened"},
		// Tampered URL: another customer's subscription under this customer.
		{"other customer's subscription", "/customers/" + cust + "/subscriptions/" + otherSub,
			e.subForm(c, "/customers/"+other+"/subscriptions/"+otherSub, "quantity", "quantity", "51", "confirm", "1"), 404, "nothing at this address"},
		{"unknown subscription", "/customers/" + cust + "/subscriptions/nope", e.subForm(c, href, "quantity", "quantity", "26", "confirm", "1"), 404, ""},
		{"bad customer id", "/customers/x/subscriptions/" + sub, e.subForm(c, href, "quantity", "quantity", "26", "confirm", "1"), 404, ""},
	}
	for _, tc := range cases {
		p := e.post(c, tc.path, tc.form)
		if p.StatusCode != tc.status || !strings.Contains(p.body, tc.want) {
			t.Errorf("%s: status %d, want %d with %q\n%.3000s", tc.name, p.StatusCode, tc.status, tc.want, p.body)
		}
	}
	if p := e.get(c, "/customers/"+cust+"/subscriptions/"+otherSub); p.StatusCode != http.StatusNotFound {
		t.Errorf("GET another customer's subscription: %d, want 404", p.StatusCode)
	}
	if n := e.countCommands(); n != 0 {
		t.Fatalf("bad input queued %d command(s)", n)
	}
	var changes int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM subscription_changes`).Scan(&changes); err != nil || changes != 0 {
		t.Fatalf("bad input recorded %d change(s) (err %v)", changes, err)
	}
	if e.sb.Calls(sandbox.OpPatchSubscription) != 0 {
		t.Fatal("bad input reached Partner Center")
	}
}

func TestSubscriptionDoubleSubmitIsOneChange(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Contoso Ltd", "Power BI%")
	href := "/customers/" + cust + "/subscriptions/" + sub
	q, _ := e.mirrored(sub)
	f := e.subForm(c, href, "quantity", "quantity", "9", "confirm", "1")
	var wg sync.WaitGroup
	pages := make([]page, 4)
	for i := range pages {
		wg.Go(func() { pages[i] = e.post(c, href, f) })
	}
	wg.Wait()
	for i, p := range pages {
		if p.StatusCode != http.StatusSeeOther || p.location() != pages[0].location() {
			t.Fatalf("submit %d: %d to %q, want 303 to %q\n%s", i, p.StatusCode, p.location(), pages[0].location(), p.body)
		}
	}
	if r := e.changeResult(c, pages[0]); !hasTestID(r.body, "change-done") {
		t.Fatalf("want done\n%s", r.body)
	}
	if n := e.countCommands(); n != 1 {
		t.Fatalf("%d commands for one double-clicked change", n)
	}
	if got := e.sb.Calls(sandbox.OpPatchSubscription); got != 1 {
		t.Fatalf("%d PATCH calls, want 1", got)
	}
	if got, _ := e.mirrored(sub); got != 9 || q == 9 {
		t.Fatalf("quantity %d (was %d), want 9", got, q)
	}
}

func TestSubscriptionTwoStaffAtOnceOneWins(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	a, b := e.client(), e.client()
	e.login(a, "staff@example.com")
	e.login(b, "staff2@example.com")
	cust, sub := e.subID("Contoso Ltd", "Office 365 E3")
	href := "/customers/" + cust + "/subscriptions/" + sub
	fa := e.subForm(a, href, "quantity", "quantity", "30", "confirm", "1")
	fb := e.subForm(b, href, "quantity", "quantity", "20", "confirm", "1")
	var pa, pb page
	var wg sync.WaitGroup
	wg.Go(func() { pa = e.post(a, href, fa) })
	wg.Go(func() { pb = e.post(b, href, fb) })
	wg.Wait()
	win, lose, want := pa, pb, 30
	if pa.StatusCode != http.StatusSeeOther {
		win, lose, want = pb, pa, 20
	}
	if win.StatusCode != http.StatusSeeOther || lose.StatusCode != http.StatusConflict || !hasTestID(lose.body, "sub-conflict") {
		t.Fatalf("want one 303 and one 409 conflict: got %d and %d\n%s", pa.StatusCode, pb.StatusCode, lose.body)
	}
	if n := e.countCommands(); n != 1 {
		t.Fatalf("%d commands, want 1", n)
	}
	if r := e.changeResult(a, win); !hasTestID(r.body, "change-done") {
		t.Fatalf("winner: want done\n%s", r.body)
	}
	if q, _ := e.mirrored(sub); q != want {
		t.Fatalf("quantity %d, want the winner's %d", q, want)
	}
}

func TestSubscriptionPCRefusalShowsMessageAndRetry(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Contoso Ltd", "Office 365 E3")
	href := "/customers/" + cust + "/subscriptions/" + sub
	e.sb.FailNext(sandbox.OpPatchSubscription, 1, http.StatusBadRequest)
	f := e.subForm(c, href, "quantity", "quantity", "27", "confirm", "1")
	r := e.changeResult(c, e.post(c, href, f))
	if !hasTestID(r.body, "change-refused") || !hasTestID(r.body, "change-retry") {
		t.Fatalf("want PC's refusal with a retry\n%s", r.body)
	}
	if q, _ := e.mirrored(sub); q != 25 {
		t.Fatalf("quantity %d after a refusal, want 25", q)
	}
	// Retry: the form on the refusal page sends it again.
	retry := url.Values{}
	for _, m := range hiddenRe.FindAllStringSubmatch(r.body[strings.Index(r.body, `data-testid="form-retry"`):], -1) {
		retry.Set(m[1], m[2])
	}
	if r := e.changeResult(c, e.post(c, href, retry)); !hasTestID(r.body, "change-done") {
		t.Fatalf("retry: want done\n%s", r.body)
	}
	if q, _ := e.mirrored(sub); q != 27 {
		t.Fatalf("quantity %d after the retry, want 27", q)
	}
}

func TestSubscriptionDroppedResponseAppliesOnce(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Contoso Ltd", "Office 365 E3")
	href := "/customers/" + cust + "/subscriptions/" + sub
	e.sb.DropNext(sandbox.OpPatchSubscription, 1)
	f := e.subForm(c, href, "quantity", "quantity", "30", "confirm", "1")
	p := e.post(c, href, f)
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d\n%s", p.StatusCode, p.body)
	}
	// The client retries the dropped request with the same MS-RequestId
	// (PC replays its answer); if that did not finish it, the worker's
	// retry (run here directly) resends it again.
	if r := e.get(c, p.location()); hasTestID(r.body, "change-pending") {
		var id int64
		if err := e.st.Pool.QueryRow(t.Context(), `SELECT id FROM commands`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if d, err := e.stack.Commerce.DeliverNow(ctxTimeout(t, 10*time.Second), id); err != nil || d.Command.Status != commerce.CommandSucceeded {
			t.Fatalf("retry: %v (%s)", err, d.Command.Status)
		}
	}
	if n := e.sb.Calls(sandbox.OpPatchSubscription); n < 2 {
		t.Fatalf("%d PATCH calls: the dropped answer was not retried", n)
	}
	if r := e.get(c, p.location()); !hasTestID(r.body, "change-done") {
		t.Fatalf("after the retry: want done\n%s", r.body)
	}
	if q, _ := e.mirrored(sub); q != 30 {
		t.Fatalf("quantity %d, want 30 (applied once)", q)
	}
}

func TestSubscriptionChangedBySyncIsAConflict(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Contoso Ltd", "Office 365 E3")
	href := "/customers/" + cust + "/subscriptions/" + sub
	f := e.subForm(c, href, "quantity", "quantity", "26", "confirm", "1")

	// Someone changes the subscription in Partner Center's own UI; a sync
	// brings it into the mirror while the page is open.
	pc, err := e.pcClientForTest()
	if err != nil {
		t.Fatal(err)
	}
	s, err := pc.GetSubscription(t.Context(), cust, sub)
	if err != nil {
		t.Fatal(err)
	}
	s.Quantity = 31
	if _, err := pc.PatchSubscription(t.Context(), uuid.NewString(), cust, *s); err != nil {
		t.Fatal(err)
	}
	e.sync("full")

	p := e.post(c, href, f)
	if p.StatusCode != http.StatusConflict || !hasTestID(p.body, "sub-conflict") || !strings.Contains(p.body, `data-testid="sub-quantity">31<`) {
		t.Fatalf("want 409 showing the current 31 seats: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.countCommands(); n != 0 {
		t.Fatalf("a stale form queued %d command(s)", n)
	}
	// The refreshed page carries the new version: the change goes through.
	f = e.subForm(c, href, "quantity", "quantity", "26", "confirm", "1")
	if r := e.changeResult(c, e.post(c, href, f)); !hasTestID(r.body, "change-done") {
		t.Fatalf("after reloading: want done\n%s", r.body)
	}
}

func TestSubscriptionChangeWithoutPCGoesToTheWorker(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Contoso Ltd", "Office 365 E3")
	href := "/customers/" + cust + "/subscriptions/" + sub
	if err := e.st.UpdatePCSettings(t.Context(), store.PCSettings{}); err != nil {
		t.Fatal(err)
	}
	f := e.subForm(c, href, "quantity", "quantity", "26", "confirm", "1")
	p := e.post(c, href, f)
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d\n%s", p.StatusCode, p.body)
	}
	if r := e.get(c, p.location()); !hasTestID(r.body, "change-pending") || !strings.Contains(r.body, "hx-get=") {
		t.Fatalf("want a polling pending page\n%s", r.body)
	} else if !strings.Contains(r.body, `data-testid="change-delivery" data-delivery="queued"`) {
		t.Fatalf("the page does not say the change is queued for a worker\n%s", r.body)
	}
	var state string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT j.state FROM river_job j JOIN commands c ON c.river_job_id = j.id`).Scan(&state); err != nil {
		t.Fatal(err)
	}
	if state != "available" {
		t.Fatalf("delivery job is %s, want available for the worker at once", state)
	}
}

// A decrease below the licences assigned to users warns with the numbers and
// is sent only once staff tick the box saying they accept it.
func TestSubscriptionDecreaseBelowAssignedLicencesNeedsConsent(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Fabrikam Inc", "%Premium%")
	href := "/customers/" + cust + "/subscriptions/" + sub
	var part string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT k.sku_part_number FROM subscribed_skus k JOIN subscriptions s
		ON s.customer_id = k.customer_id AND lower(s.offer_name) = lower(k.sku_name) WHERE s.id = $1`, sub).Scan(&part); err != nil {
		t.Fatalf("the mirror has no licence usage for the subscription's product: %v", err)
	}
	if err := e.sb.AssignLicenses(cust, part, 30); err != nil {
		t.Fatal(err)
	}
	e.sync("full")

	// Removing 10 of 40 leaves 30 for the 30 users: no warning.
	p := e.post(c, href, e.subForm(c, href, "quantity", "quantity", "30"))
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "change-confirm") || hasTestID(p.body, "confirm-licence-loss") {
		t.Fatalf("40 -> 30 with 30 assigned: want a plain confirmation: %d\n%s", p.StatusCode, p.body)
	}
	// Removing 35 leaves 5: 25 users lose their licence.
	f := e.subForm(c, href, "quantity", "quantity", "5")
	p = e.post(c, href, f)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "confirm-licence-loss") ||
		!strings.Contains(p.body, "30 licence(s) of this product are assigned to users, but only 5 would remain: 25 user(s)") {
		t.Fatalf("40 -> 5 with 30 assigned: want the licence warning: %d\n%s", p.StatusCode, p.body)
	}
	// Confirming without the box is refused next to it and writes nothing.
	f.Set("confirm", "1")
	p = e.post(c, href, f)
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-accept_licence_loss") || !hasTestID(p.body, "confirm-licence-loss") {
		t.Fatalf("confirm without consent: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.countCommands(); n != 0 {
		t.Fatalf("a decrease without consent queued %d command(s)", n)
	}
	// With the box ticked it goes through to PC and the mirror.
	f.Set("accept_licence_loss", "1")
	if r := e.changeResult(c, e.post(c, href, f)); !hasTestID(r.body, "change-done") {
		t.Fatalf("confirmed decrease: want done\n%s", r.body)
	}
	if q, _ := e.mirrored(sub); q != 5 {
		t.Fatalf("mirror quantity %d, want 5", q)
	}
}
