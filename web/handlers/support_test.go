package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var supportHrefRe = regexp.MustCompile(`^/my/requests/(\d+)$`)

// supportToken opens a customer's request form and returns its token.
func (e *env) supportToken(c *http.Client, path string) string {
	e.t.Helper()
	p := e.get(c, path)
	if p.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d\n%s", path, p.StatusCode, p.body)
	}
	m := tokenRe.FindStringSubmatch(p.body)
	if m == nil {
		e.t.Fatalf("GET %s: no token\n%s", path, p.body)
	}
	return m[1]
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.st.Pool.QueryRow(e.t.Context(), q, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestSupportTicketIsScopedToItsCustomer(t *testing.T) {
	t.Parallel()
	now := time.Now()
	e := newEnv(t)
	e.completeSetup()
	a, b := e.seedTenant("Alpha", now), e.seedTenant("Bravo", now)
	e.createCustomerUser("ann@alpha.example", a.ID)
	e.createCustomerUser("bob@bravo.example", b.ID)
	e.createUser("staff", "sam@reseller.example")
	ann, bob, sam := e.client(), e.client(), e.client()
	e.login(ann, "ann@alpha.example")
	e.login(bob, "bob@bravo.example")
	e.login(sam, "sam@reseller.example")

	if p := e.get(ann, "/my/requests"); p.StatusCode != http.StatusOK || !hasTestID(p.body, "support-empty") {
		t.Fatalf("empty list: %d\n%s", p.StatusCode, p.body)
	}
	tok := e.supportToken(ann, "/my/requests/new?kind=ticket")
	// Invalid: the messages sit next to their fields, nothing is stored.
	p := e.post(ann, "/my/requests/tickets", url.Values{"token": {tok}, "subject": {"a"}, "description": {"help"}, "severity": {"urgent"}})
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-subject") || !hasTestID(p.body, "error-description") ||
		!hasTestID(p.body, "error-severity") {
		t.Fatalf("invalid ticket: %d\n%s", p.StatusCode, p.body)
	}
	// Another customer's subscription is not one to name.
	form := url.Values{"token": {tok}, "subject": {"Teams calls drop"}, "description": {"Every call drops after five minutes."},
		"severity": {"high"}, "subscription": {b.Subs["base"]}}
	if p := e.post(ann, "/my/requests/tickets", form); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-subscription") {
		t.Fatalf("B's subscription: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.count(`SELECT count(*) FROM support_requests`); n != 0 {
		t.Fatalf("invalid tickets stored %d rows", n)
	}
	form.Set("subscription", a.Subs["base"])
	p = e.post(ann, "/my/requests/tickets", form)
	m := supportHrefRe.FindStringSubmatch(p.location())
	if p.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("ticket: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	id := m[1]
	// A double submit is one request and lands on it.
	if p2 := e.post(ann, "/my/requests/tickets", form); p2.StatusCode != http.StatusSeeOther || p2.location() != p.location() {
		t.Fatalf("second submit: %d %q, want %q", p2.StatusCode, p2.location(), p.location())
	}
	if n := e.count(`SELECT count(*) FROM support_requests`); n != 1 {
		t.Fatalf("%d requests after a double submit, want 1", n)
	}

	// Customer B: not found, whatever the route; their list is empty.
	if p := e.get(bob, "/my/requests/"+id); p.StatusCode != http.StatusNotFound || strings.Contains(p.body, "Teams calls drop") {
		t.Fatalf("B reads A's request: %d", p.StatusCode)
	}
	if p := e.post(bob, "/my/requests/"+id+"/replies", url.Values{"body": {"hijack"}}); p.StatusCode != http.StatusNotFound {
		t.Fatalf("B replies to A's request: %d", p.StatusCode)
	}
	if p := e.get(bob, "/my/requests"); strings.Contains(p.body, "Teams calls drop") {
		t.Fatal("B's list shows A's request")
	}
	if n := e.count(`SELECT count(*) FROM support_replies`); n != 0 {
		t.Fatalf("B's reply was stored")
	}

	// Staff see it in the queue, answer, and ask the customer.
	if p := e.get(sam, "/support"); p.StatusCode != http.StatusOK || !strings.Contains(p.body, "Teams calls drop") || !strings.Contains(p.body, "Alpha") {
		t.Fatalf("queue: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(sam, "/support/"+id+"/replies", url.Values{"body": {"Which client version?"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff reply: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(sam, "/support/"+id+"/status", url.Values{"status": {"waiting_customer"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("status: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(sam, "/support/"+id+"/status", url.Values{"status": {"approved"}}); p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a ticket approved: %d", p.StatusCode)
	}
	p = e.get(ann, "/my/requests/"+id)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, "Which client version?") || !strings.Contains(p.body, `data-status="waiting_customer"`) {
		t.Fatalf("A's request page: %d\n%s", p.StatusCode, p.body)
	}
	// The customer's answer puts it back in progress.
	if p := e.post(ann, "/my/requests/"+id+"/replies", url.Values{"body": {"Version 24.1"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("customer reply: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.get(sam, "/support/"+id); !strings.Contains(p.body, "Version 24.1") || !strings.Contains(p.body, `data-status="in_progress"`) {
		t.Fatalf("staff page after the reply:\n%s", p.body)
	}
	if p := e.post(sam, "/support/"+id+"/status", url.Values{"status": {"closed"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", p.StatusCode)
	}
	if p := e.post(ann, "/my/requests/"+id+"/replies", url.Values{"body": {"One more thing"}}); p.StatusCode != http.StatusUnprocessableEntity ||
		!hasTestID(p.body, "error-body") {
		t.Fatalf("reply to a closed ticket: %d\n%s", p.StatusCode, p.body)
	}

	// Audited, and the mails queued: staff heard of the ticket and the
	// reply, the customer of the answer and each status change.
	for action, want := range map[string]int{"support.ticket_opened": 1, "support.replied": 2, "support.status_changed": 2} {
		if n := e.count(`SELECT count(*) FROM audit_log WHERE action = $1 AND target_id = $2 AND customer_id = $3`, action, id, a.ID); n != want {
			t.Errorf("%s: %d audit entries, want %d", action, n, want)
		}
	}
	if n := e.count(`SELECT count(*) FROM mail_outbox WHERE kind = 'support' AND 'sam@reseller.example' = ANY(recipients)`); n != 2 {
		t.Errorf("staff mails: %d, want 2 (new ticket, customer reply)", n)
	}
	if n := e.count(`SELECT count(*) FROM mail_outbox WHERE kind = 'support' AND recipients = ARRAY['ann@alpha.example']`); n != 3 {
		t.Errorf("customer mails: %d, want 3 (answer, waiting, closed)", n)
	}
}

func TestSupportSeatRequestRejected(t *testing.T) {
	t.Parallel()
	now := time.Now()
	e := newEnv(t)
	e.completeSetup()
	a, b := e.seedTenant("Alpha", now), e.seedTenant("Bravo", now)
	e.createCustomerUser("ann@alpha.example", a.ID)
	e.createUser("staff", "sam@reseller.example")
	ann, sam := e.client(), e.client()
	e.login(ann, "ann@alpha.example")
	e.login(sam, "sam@reseller.example")

	if p := e.get(ann, "/my/subscriptions/"+a.Subs["base"]); !hasTestID(p.body, "ask-seats") {
		t.Fatalf("the subscription page has no way to ask for seats\n%s", p.body)
	}
	// Another customer's subscription: not found.
	if p := e.get(ann, "/my/requests/new?subscription="+url.QueryEscape(b.Subs["base"])); p.StatusCode != http.StatusNotFound {
		t.Fatalf("form for B's subscription: %d", p.StatusCode)
	}
	if p := e.post(ann, "/my/requests/seats", url.Values{"token": {uuid.NewString()}, "subscription": {b.Subs["base"]}, "seats": {"20"}}); p.StatusCode != http.StatusNotFound {
		t.Fatalf("seats of B's subscription: %d", p.StatusCode)
	}
	tok := e.supportToken(ann, "/my/requests/new?subscription="+url.QueryEscape(a.Subs["base"]))
	for _, bad := range []string{"ten", "10", "0"} {
		p := e.post(ann, "/my/requests/seats", url.Values{"token": {tok}, "subscription": {a.Subs["base"]}, "seats": {bad}})
		if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-seats") {
			t.Fatalf("seats %q: %d\n%s", bad, p.StatusCode, p.body)
		}
	}
	p := e.post(ann, "/my/requests/seats", url.Values{"token": {tok}, "subscription": {a.Subs["base"]}, "seats": {"15"}})
	m := supportHrefRe.FindStringSubmatch(p.location())
	if p.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("seat request: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	id := m[1]
	if p := e.get(ann, "/my/requests/"+id); !strings.Contains(p.body, "10 → 15 seats (+5)") {
		t.Fatalf("request page:\n%s", p.body)
	}
	// Nothing was sent to Partner Center by asking.
	if n := e.count(`SELECT count(*) FROM commands`); n != 0 {
		t.Fatalf("asking queued %d command(s)", n)
	}
	if p := e.post(sam, "/support/"+id+"/reject", url.Values{"reason": {"no"}}); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-reason") {
		t.Fatalf("reject without a reason: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(sam, "/support/"+id+"/reject", url.Values{"reason": {"Your budget for this quarter is used up."}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d\n%s", p.StatusCode, p.body)
	}
	p = e.get(ann, "/my/requests/"+id)
	if !hasTestID(p.body, "support-rejected") || !strings.Contains(p.body, "Your budget for this quarter is used up.") || hasTestID(p.body, "form-reply") {
		t.Fatalf("rejected request as the customer sees it:\n%s", p.body)
	}
	// Decided once: approving it now is refused, and nothing is queued.
	if p := e.get(sam, "/support/"+id+"/approve"); !hasTestID(p.body, "approve-problem") || hasTestID(p.body, "form-confirm") {
		t.Fatalf("approve after reject:\n%s", p.body)
	}
	if p := e.post(sam, "/support/"+id+"/approve", url.Values{"token": {uuid.NewString()}, "version": {"x"}}); p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("approve after reject: %d", p.StatusCode)
	}
	if n := e.count(`SELECT count(*) FROM commands`); n != 0 {
		t.Fatalf("a rejected request queued %d command(s)", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('support.seats_requested', 'support.rejected') AND target_id = $1`, id); n != 2 {
		t.Fatalf("%d audit entries, want 2", n)
	}
}

func TestSupportSeatRequestApprovedReachesPartnerCenter(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	cust, sub := e.subID("Fabrikam Inc", "%Premium%")
	q0, _ := e.mirrored(sub)
	e.createCustomerUser("cara@fabrikam.example", uuid.MustParse(cust))
	cara, staff := e.client(), e.client()
	e.login(cara, "cara@fabrikam.example")
	e.login(staff, "staff@example.com")

	if p := e.get(cara, "/my/requests/new?subscription="+url.QueryEscape(sub)); !hasTestID(p.body, "decrease-possible") ||
		!strings.Contains(p.body, "Seats can be removed until") {
		t.Fatalf("the form does not say how far seats can go down:\n%s", p.body)
	}
	tok := e.supportToken(cara, "/my/requests/new?subscription="+url.QueryEscape(sub))
	want := q0 + 5
	p := e.post(cara, "/my/requests/seats", url.Values{"token": {tok}, "subscription": {sub}, "seats": {strconv.Itoa(want)}})
	m := supportHrefRe.FindStringSubmatch(p.location())
	if p.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("seat request: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	id := m[1]
	// The confirmation states the change and writes nothing.
	p = e.get(staff, "/support/"+id+"/approve")
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "form-confirm") || !strings.Contains(p.body, "Adds 5 seat(s)") {
		t.Fatalf("confirmation: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.countCommands(); n != 0 {
		t.Fatalf("the confirmation wrote %d command(s)", n)
	}
	form := url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(p.body, -1) {
		form.Set(h[1], h[2])
	}
	p = e.post(staff, "/support/"+id+"/approve", form)
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", p.StatusCode, p.body)
	}
	// A double submit is the same approval.
	if p := e.post(staff, "/support/"+id+"/approve", form); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("second approve: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.countCommands(); n != 1 {
		t.Fatalf("%d commands, want 1", n)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		p = e.get(cara, "/my/requests/"+id)
		if strings.Contains(p.body, `data-status="succeeded"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !hasTestID(p.body, "support-approved") || !strings.Contains(p.body, `data-status="succeeded"`) {
		t.Fatalf("the customer does not see the change done:\n%s", p.body)
	}
	if q, _ := e.mirrored(sub); q != want {
		t.Fatalf("mirror quantity %d, want %d", q, want)
	}
	// The change names who approved it and who asked.
	var actor, detail string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT actor, detail FROM audit_log WHERE action = 'pc.patch_subscription' AND target_id = $1`, sub).
		Scan(&actor, &detail); err != nil {
		t.Fatal(err)
	}
	if actor != "staff@example.com" || !strings.Contains(detail, "asked by cara@fabrikam.example (request #"+id+")") {
		t.Fatalf("audit: actor %q detail %q", actor, detail)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'support.approved' AND target_id = $1`, id); n != 1 {
		t.Fatalf("%d approval audit entries", n)
	}
	if n := e.count(`SELECT count(*) FROM mail_outbox WHERE recipients = ARRAY['cara@fabrikam.example'] AND subject LIKE 'Re: %'`); n != 1 {
		t.Fatalf("%d approval mails to the customer, want 1", n)
	}

	// Eight days later every window has closed: asking for fewer seats is
	// refused with PC's reason, and no request is stored.
	e.sb.Advance(8 * 24 * time.Hour)
	e.sync("full")
	p = e.get(cara, "/my/requests/new?subscription="+url.QueryEscape(sub))
	if !hasTestID(p.body, "decrease-impossible") {
		t.Fatalf("after 8 days the form still offers a decrease:\n%s", p.body)
	}
	n := e.count(`SELECT count(*) FROM support_requests`)
	tok = tokenRe.FindStringSubmatch(p.body)[1]
	p = e.post(cara, "/my/requests/seats", url.Values{"token": {tok}, "subscription": {sub}, "seats": {strconv.Itoa(q0)}})
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-seats") || !strings.Contains(p.body, "closed on") {
		t.Fatalf("decrease after the window: %d\n%s", p.StatusCode, p.body)
	}
	if got := e.count(`SELECT count(*) FROM support_requests`); got != n {
		t.Fatalf("a refused decrease stored a request")
	}
}

func TestSupportListsArePaged(t *testing.T) {
	t.Parallel()
	now := time.Now()
	e := newEnv(t)
	e.completeSetup()
	a, b := e.seedTenant("Alpha", now), e.seedTenant("Bravo", now)
	ann := e.createCustomerUser("ann@alpha.example", a.ID)
	bob := e.createCustomerUser("bob@bravo.example", b.ID)
	e.createUser("staff", "sam@reseller.example")
	for range 51 {
		e.seedSeatRequest(a, ann)
	}
	e.seedSeatRequest(b, bob)
	rowRe := regexp.MustCompile(`data-testid="support-row"`)
	nextRe := regexp.MustCompile(`href="([^"]+)" data-testid="support-next"`)
	walk := func(c *http.Client, first string) []int {
		t.Helper()
		var pages []int
		for href := first; href != ""; {
			p := e.get(c, strings.ReplaceAll(href, "&amp;", "&"))
			if p.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d\n%s", href, p.StatusCode, p.body)
			}
			pages = append(pages, len(rowRe.FindAllString(p.body, -1)))
			href = ""
			if m := nextRe.FindStringSubmatch(p.body); m != nil {
				href = m[1]
			}
			if len(pages) > 5 {
				t.Fatal("paging does not end")
			}
		}
		return pages
	}
	sam, annC := e.client(), e.client()
	e.login(sam, "sam@reseller.example")
	e.login(annC, "ann@alpha.example")
	if got := walk(sam, "/support"); len(got) != 2 || got[0] != 50 || got[1] != 2 {
		t.Errorf("staff queue pages %v, want [50 2]", got)
	}
	if got := walk(annC, "/my/requests"); len(got) != 2 || got[0] != 50 || got[1] != 1 {
		t.Errorf("customer pages %v, want [50 1] (B's request not among them)", got)
	}
	if p := e.get(sam, "/support?status=bogus"); p.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown status filter: %d", p.StatusCode)
	}
}
