package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestResellerUserInvitations: provider staff invite a reseller's user on
// the reseller's page; the invitee sets a password and sees that
// reseller's customers only; staff revoke invitations and users, and the
// pages refuse other resellers' rows and non-staff users.
func TestResellerUserInvitations(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	custA, _ := e.subID("Contoso Ltd", "Office 365 E3")
	custB, _ := e.subID("Fabrikam Inc", "%")
	e.apiResellers(uuid.MustParse(custA), uuid.MustParse(custB))
	staff := e.client()
	e.login(staff, "staff2@example.com")
	page := "/resellers/" + apiResellerA

	if p := e.get(staff, "/resellers"); !strings.Contains(p.body, `href="`+page+`"`) {
		t.Fatalf("the resellers list does not link to %s: %d", page, p.StatusCode)
	}
	p := e.get(staff, page)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "reseller-title") || !strings.Contains(p.body, apiResellerAMpn) ||
		!strings.Contains(p.body, "ann@firstup.example") || strings.Contains(p.body, "bob@relecloud.example") {
		t.Fatalf("reseller page: %d\n%s", p.StatusCode, p.body)
	}
	// The report of A's customers' order lines without A as partner of
	// record: the sandbox's orders carry none; one line fixed drops out.
	missing := func() int {
		t.Helper()
		return e.count(`SELECT count(*) FROM order_line_items li JOIN orders o ON o.id = li.order_id
			WHERE o.customer_id = $1 AND li.partner_id_on_record <> $2 AND li.gone_at IS NULL AND o.gone_at IS NULL`, custA, apiResellerAMpn)
	}
	want := missing()
	if got := strings.Count(p.body, `data-testid="unrecorded-line"`); want == 0 || got != min(want, 100) {
		t.Fatalf("the report lists %d lines, want %d (and some)", got, want)
	}
	if strings.Contains(p.body, custB) {
		t.Error("the report of A lists a customer of B")
	}
	if _, err := e.st.Pool.Exec(t.Context(), `UPDATE order_line_items SET partner_id_on_record = $1
		WHERE (order_id, line_item_number) = (SELECT li.order_id, li.line_item_number FROM order_line_items li JOIN orders o ON o.id = li.order_id
			WHERE o.customer_id = $2 LIMIT 1)`, apiResellerAMpn, custA); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(e.get(staff, page).body, `data-testid="unrecorded-line"`); got != want-1 {
		t.Errorf("after one line names A: %d lines listed, want %d", got, want-1)
	}
	if p := e.get(staff, "/resellers/"+uuid.NewString()); p.StatusCode != http.StatusNotFound {
		t.Errorf("unknown reseller: %d", p.StatusCode)
	}
	// Bad input: the message next to the field, nothing stored.
	for _, email := range []string{"not-an-email", "bob@relecloud.example"} {
		if p := e.post(staff, page+"/users/invite", url.Values{"email": {email}}); p.StatusCode != http.StatusUnprocessableEntity ||
			!hasTestID(p.body, "error-email") {
			t.Errorf("invite %q: %d", email, p.StatusCode)
		}
	}
	if n := e.count(`SELECT count(*) FROM invitations`); n != 0 {
		t.Fatalf("%d invitations stored after refusals", n)
	}

	p = e.post(staff, page+"/users/invite", url.Values{"email": {"cleo@firstup.example"}})
	m := inviteLinkRe.FindStringSubmatch(p.body)
	if p.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("invite: %d\n%s", p.StatusCode, p.body)
	}
	link := strings.TrimPrefix(m[1], e.ts.URL)
	invitee := e.client()
	if p := e.get(invitee, link); p.StatusCode != http.StatusOK || !strings.Contains(p.body, "manage the customers of First Up") {
		t.Fatalf("invitation page: %d\n%s", p.StatusCode, p.body)
	}
	p = e.post(invitee, link, url.Values{"name": {"Cleo"}, "password": {testPassword}, "password_confirm": {testPassword}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/reseller/customers" {
		t.Fatalf("accept: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	var nameA, nameB string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT (SELECT company_name FROM customers WHERE id = $1), (SELECT company_name FROM customers WHERE id = $2)`,
		custA, custB).Scan(&nameA, &nameB); err != nil {
		t.Fatal(err)
	}
	if p := e.get(invitee, "/reseller/customers"); p.StatusCode != http.StatusOK || !strings.Contains(p.body, nameA) || strings.Contains(p.body, nameB) {
		t.Fatalf("the new reseller user's customers: %d, has %s: %v, has %s: %v", p.StatusCode, nameA, strings.Contains(p.body, nameA),
			nameB, strings.Contains(p.body, nameB))
	}
	if p := e.get(invitee, page); p.StatusCode != http.StatusForbidden {
		t.Errorf("a reseller user on the provider's reseller page: %d", p.StatusCode)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('reseller_user.invited', 'reseller_user.invitation_accepted')
		AND detail = 'reseller ' || $1`, apiResellerA); n != 2 {
		t.Errorf("%d audit entries of the invitation and its acceptance", n)
	}

	// A second invitation, revoked: its link stops working.
	p = e.post(staff, page+"/users/invite", url.Values{"email": {"dan@firstup.example"}})
	m = inviteLinkRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("second invite: %d", p.StatusCode)
	}
	var invID, cleoID, bobID int64
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT (SELECT id FROM invitations WHERE email = 'dan@firstup.example'),
		(SELECT id FROM users WHERE email = 'cleo@firstup.example'), (SELECT id FROM users WHERE email = 'bob@relecloud.example')`).
		Scan(&invID, &cleoID, &bobID); err != nil {
		t.Fatal(err)
	}
	if p := e.post(staff, "/resellers/"+apiResellerB+"/invitations/"+itoa(invID)+"/revoke", nil); p.StatusCode != http.StatusNotFound {
		t.Errorf("revoking A's invitation through B: %d", p.StatusCode)
	}
	if p := e.post(staff, page+"/invitations/"+itoa(invID)+"/revoke", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke invitation: %d", p.StatusCode)
	}
	if p := e.get(e.client(), strings.TrimPrefix(m[1], e.ts.URL)); p.StatusCode != http.StatusNotFound {
		t.Errorf("revoked link: %d", p.StatusCode)
	}

	// Revoking a user: a confirmation first, then the session ends.
	if p := e.get(staff, page+"/users/"+itoa(bobID)+"/revoke"); p.StatusCode != http.StatusNotFound {
		t.Errorf("B's user through A's page: %d", p.StatusCode)
	}
	if p := e.get(staff, page+"/users/"+itoa(cleoID)+"/revoke"); p.StatusCode != http.StatusOK || !hasTestID(p.body, "revoke-confirm") {
		t.Fatalf("revoke confirmation: %d", p.StatusCode)
	}
	if p := e.post(staff, page+"/users/"+itoa(cleoID)+"/revoke", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke user: %d", p.StatusCode)
	}
	if p := e.get(invitee, "/reseller/customers"); p.StatusCode == http.StatusOK {
		t.Error("a revoked reseller user still reads its customers")
	}
	if p := e.get(staff, page); !strings.Contains(p.body, "revoked") {
		t.Error("the reseller page does not show the revoked user and invitation")
	}
}

// TestResellerCustomerSearch: a reseller user searches its own customers
// by name or domain; another reseller's customer never matches, and a
// search without a match says so with the way back to the whole list.
func TestResellerCustomerSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	alpha, bravo := e.seedTenant("Alpha Trading", time.Now()), e.seedTenant("Bravo Foods", time.Now())
	e.apiResellers(alpha.ID, bravo.ID)
	ann, bob := e.client(), e.client()
	e.login(ann, "ann@firstup.example")
	e.login(bob, "bob@relecloud.example")
	rows := func(c *http.Client, q string) (int, string) {
		t.Helper()
		p := e.get(c, "/reseller/customers?q="+url.QueryEscape(q))
		if p.StatusCode != http.StatusOK || !hasTestID(p.body, "reseller-customers-search") {
			t.Fatalf("search %q: %d", q, p.StatusCode)
		}
		return strings.Count(p.body, `data-testid="reseller-customer-row"`), p.body
	}
	if n, body := rows(ann, "alpha"); n != 1 || !strings.Contains(body, "Alpha Trading") || !strings.Contains(body, `value="alpha"`) {
		t.Errorf("ann's search for alpha: %d rows", n)
	}
	if n, body := rows(ann, "bravo"); n != 0 || !hasTestID(body, "reseller-customers-none") || strings.Contains(body, "Bravo Foods") {
		t.Errorf("ann's search for B's customer: %d rows", n)
	}
	if n, _ := rows(bob, "TRADING"); n != 0 {
		t.Errorf("bob finds A's customer: %d rows", n)
	}
	if n, _ := rows(bob, "foods"); n != 1 {
		t.Errorf("bob's search for his own customer: %d rows", n)
	}
}
