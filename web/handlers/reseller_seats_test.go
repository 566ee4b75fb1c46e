package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestResellerChangesSeats: reseller A's user changes the seat count of
// its customer's subscription from its pages (confirmation, delivery to
// Partner Center, the change recorded as the user's); the page shows no
// price, renewal or audit trail; B's user finds neither the subscription
// nor its changes, and A's user may not suspend through the same form.
func TestResellerChangesSeats(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	custA, sub := e.subID("Contoso Ltd", "Office 365 E3")
	custB, _ := e.subID("Fabrikam Inc", "%")
	e.apiResellers(uuid.MustParse(custA), uuid.MustParse(custB))
	ann, bob := e.client(), e.client()
	e.login(ann, "ann@firstup.example")
	e.login(bob, "bob@relecloud.example")
	href := "/reseller/customers/" + custA + "/subscriptions/" + sub
	before, _ := e.mirrored(sub)

	if p := e.get(ann, "/reseller/customers/"+custA); !strings.Contains(p.body, `href="`+href+`"`) {
		t.Fatalf("the customer page does not link to the subscription: %d", p.StatusCode)
	}
	p := e.get(ann, href)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "form-quantity") || !hasTestID(p.body, "decrease-window") {
		t.Fatalf("subscription page: %d\n%s", p.StatusCode, p.body)
	}
	for _, staffOnly := range []string{"form-suspend", "form-autorenew", "form-name", "sub-audit", "sub-lifecycle", `href="/customers/`} {
		if strings.Contains(p.body, staffOnly) {
			t.Errorf("the reseller's page shows %q", staffOnly)
		}
	}
	// Another reseller's user, a wrong customer in the path: not found.
	for _, path := range []string{href, "/reseller/customers/" + custB + "/subscriptions/" + sub} {
		c := bob
		if strings.Contains(path, custB) {
			c = ann
		}
		if p := e.get(c, path); p.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.StatusCode)
		}
	}
	f := e.subForm(ann, href, "quantity", "quantity", itoa(int64(before+2)))
	if p := e.post(bob, href, f); p.StatusCode != http.StatusNotFound {
		t.Errorf("B posts A's change: %d", p.StatusCode)
	}
	suspend := e.subForm(ann, href, "suspend", "reason", "unpaid")
	if p := e.post(ann, href, suspend); p.StatusCode != http.StatusForbidden {
		t.Errorf("A suspends: %d, want 403", p.StatusCode)
	}
	if n := e.countCommands(); n != 0 {
		t.Fatalf("refusals queued %d command(s)", n)
	}

	p = e.post(ann, href, f)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "change-confirm") || !strings.Contains(p.body, `action="`+href+`"`) {
		t.Fatalf("confirmation: %d\n%s", p.StatusCode, p.body)
	}
	f.Set("confirm", "1")
	confirmed := e.post(ann, href, f)
	changeHref := confirmed.location()
	if !strings.HasPrefix(changeHref, href+"/changes/") {
		t.Fatalf("the change's page is %q, want under %s", changeHref, href)
	}
	r := e.changeResult(ann, confirmed)
	if !hasTestID(r.body, "change-done") || !strings.Contains(r.body, `href="`+href+`"`) {
		t.Fatalf("change page: want done, linking back to the reseller's page\n%s", r.body)
	}
	if q, _ := e.mirrored(sub); q != before+2 {
		t.Errorf("mirror quantity %d, want %d", q, before+2)
	}
	if n := e.count(`SELECT count(*) FROM subscription_changes sc JOIN commands c ON c.id = sc.command_id
		WHERE sc.subscription_id = $1 AND c.requested_by_label = 'ann@firstup.example'`, sub); n != 1 {
		t.Errorf("%d changes recorded as ann's", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE actor = 'ann@firstup.example' AND target_id = $1`, sub); n == 0 {
		t.Error("no audit entry by ann")
	}
	if p := e.get(bob, changeHref); p.StatusCode != http.StatusNotFound {
		t.Errorf("B reads A's change: %d", p.StatusCode)
	}
}
