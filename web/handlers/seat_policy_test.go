package handlers_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// sandboxSeats reads a subscription's quantity from the sandbox itself
// (Partner Center's copy, not the mirror).
func (e *pcEnv) sandboxSeats(cust, sub string) int {
	e.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/v1/customers/"+cust+"/subscriptions/"+sub, nil)
	req.Header.Set("Authorization", "Bearer "+e.sb.IssueToken())
	rec := httptest.NewRecorder()
	e.sb.Handler().ServeHTTP(rec, req)
	var s struct {
		Quantity int `json:"quantity"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &s) != nil {
		e.t.Fatalf("sandbox subscription %s: %d %s", sub, rec.Code, rec.Body)
	}
	return s.Quantity
}

// askSeats posts a customer's seat request for seats in total and returns
// the request's id.
func (e *pcEnv) askSeats(c *http.Client, sub string, seats int) string {
	e.t.Helper()
	tok := e.supportToken(c, "/my/requests/new?subscription="+url.QueryEscape(sub))
	p := e.post(c, "/my/requests/seats", url.Values{"token": {tok}, "subscription": {sub}, "seats": {strconv.Itoa(seats)}})
	m := supportHrefRe.FindStringSubmatch(p.location())
	if p.StatusCode != http.StatusSeeOther || m == nil {
		e.t.Fatalf("seat request: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	return m[1]
}

func (e *pcEnv) requestStatus(id string) string {
	e.t.Helper()
	var st string
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT status FROM support_requests WHERE id = $1`, id).Scan(&st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

// TestSeatPolicyAutoApproval: an admin sets the policy (validated, admins
// only, audited); a customer's increase within it is approved at once and
// reaches the sandbox, recorded as auto-approved by policy; one over the
// month's allowance, a decrease, and any request while the customer's own
// policy is off wait for staff.
func TestSeatPolicyAutoApproval(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	cust, sub := e.subID("Fabrikam Inc", "%Premium%")
	q0, _ := e.mirrored(sub)
	e.createCustomerUser("cara@fabrikam.example", uuid.MustParse(cust))
	e.createUser("admin", "ada@example.com")
	cara, staff, ada := e.client(), e.client(), e.client()
	e.login(cara, "cara@fabrikam.example")
	e.login(staff, "staff@example.com")
	e.login(ada, "ada@example.com")

	// Off by default: a request waits for staff.
	if p := e.get(ada, "/admin/settings/seat-approval"); p.StatusCode != http.StatusOK || !strings.Contains(p.body, "Now: off.") {
		t.Fatalf("policy page: %d\n%s", p.StatusCode, p.body)
	}
	first := e.askSeats(cara, sub, q0+1)
	if st := e.requestStatus(first); st != "open" {
		t.Fatalf("without a policy the request is %s", st)
	}
	if p := e.post(staff, "/support/"+first+"/reject", url.Values{"reason": {"Ask again later."}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", p.StatusCode)
	}

	// Staff cannot set it; an admin's form is checked field by field.
	if p := e.post(staff, "/admin/settings/seat-approval", url.Values{"scope": {"all"}, "enabled": {"on"}, "max_per_request": {"5"}}); p.StatusCode != http.StatusForbidden {
		t.Fatalf("staff set the policy: %d", p.StatusCode)
	}
	for _, bad := range []url.Values{
		{"scope": {"all"}, "enabled": {"on"}},
		{"scope": {"all"}, "enabled": {"on"}, "max_per_request": {"0"}},
		{"scope": {"all"}, "enabled": {"on"}, "max_per_request": {"many"}},
	} {
		if p := e.post(ada, "/admin/settings/seat-approval", bad); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-max_per_request") {
			t.Fatalf("%v: %d\n%s", bad, p.StatusCode, p.body)
		}
	}
	if p := e.post(ada, "/admin/settings/seat-approval", url.Values{"scope": {"customer"}, "c_enabled": {"on"}, "c_max_per_request": {"5"},
		"c_customer": {uuid.NewString()}}); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-c_customer") {
		t.Fatalf("unknown customer: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.count(`SELECT count(*) FROM seat_approval_policies`); n != 0 {
		t.Fatalf("refused forms stored %d policies", n)
	}
	if p := e.post(ada, "/admin/settings/seat-approval", url.Values{"scope": {"all"}, "enabled": {"on"}, "max_per_request": {"5"},
		"max_per_month": {"7"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.get(ada, "/admin/settings/seat-approval"); !strings.Contains(p.body, "up to 5 per request, up to 7 a month") {
		t.Fatalf("the page does not show the policy:\n%s", p.body)
	}

	// Within the policy: approved at once, the change reaches PC.
	id := e.askSeats(cara, sub, q0+3)
	deadline := time.Now().Add(15 * time.Second)
	var p page
	for {
		p = e.get(cara, "/my/requests/"+id)
		if strings.Contains(p.body, `data-status="succeeded"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !hasTestID(p.body, "support-auto-approved") || !strings.Contains(p.body, `data-status="succeeded"`) {
		t.Fatalf("the customer does not see the request approved and done:\n%s", p.body)
	}
	if p := e.get(staff, "/support/"+id); !strings.Contains(p.body, "Approved automatically by the seat request policy.") || hasTestID(p.body, "support-approve") {
		t.Fatalf("the staff page does not say the policy approved it:\n%s", p.body)
	}
	if got := e.sandboxSeats(cust, sub); got != q0+3 {
		t.Fatalf("sandbox quantity %d, want %d", got, q0+3)
	}
	var actor, detail string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT actor, detail FROM audit_log WHERE action = 'pc.patch_subscription' AND target_id = $1`, sub).
		Scan(&actor, &detail); err != nil {
		t.Fatal(err)
	}
	if actor != "auto-approved by policy" || !strings.Contains(detail, "asked by cara@fabrikam.example (request #"+id+"), auto-approved by policy") {
		t.Fatalf("change audit: actor %q detail %q", actor, detail)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'support.auto_approved' AND target_id = $1 AND detail LIKE '%up to 5 per request%'`, id); n != 1 {
		t.Fatalf("%d auto-approval audit entries, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'seat_policy.saved' AND actor = 'ada@example.com'`); n != 1 {
		t.Fatalf("%d policy audit entries, want 1", n)
	}
	// Staff are not asked to review what the policy approved, and the
	// review job queued with it finds nothing to do.
	staffNew := func(id string) int {
		return e.count(`SELECT count(*) FROM mail_outbox WHERE dedupe_key = $1`, "support:"+id+":new")
	}
	if n := staffNew(first); n != 1 {
		t.Fatalf("request without a policy: %d staff mails, want 1", n)
	}
	if n := staffNew(id); n != 0 {
		t.Fatalf("auto-approved request: %d 'new request' mails to staff, want none", n)
	}
	if n := e.count(`SELECT count(*) FROM river_job WHERE kind = 'commerce.seat_review' AND args->>'request_id' = $1`, id); n != 1 {
		t.Fatalf("%d review jobs for the auto-approved request, want 1", n)
	}

	// Over the month's allowance (3 + 5 > 7), and a decrease: both wait.
	over := e.askSeats(cara, sub, q0+8)
	down := e.askSeats(cara, sub, q0+2)
	for _, r := range []string{over, down} {
		if st := e.requestStatus(r); st != "open" {
			t.Fatalf("request %s is %s, want open", r, st)
		}
	}
	if n := e.countCommands(); n != 1 {
		t.Fatalf("%d commands, want only the approved one", n)
	}
	if p := e.get(cara, "/my/requests/"+over); hasTestID(p.body, "support-auto-approved") || !strings.Contains(p.body, `data-status="open"`) {
		t.Fatalf("the request over the policy:\n%s", p.body)
	}
	for _, r := range []string{over, down} {
		if n := staffNew(r); n != 1 {
			t.Fatalf("request %s waits for staff: %d staff mails, want 1", r, n)
		}
	}
	for _, r := range []string{over, down} {
		if p := e.post(staff, "/support/"+r+"/reject", url.Values{"reason": {"Not now."}}); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("reject: %d", p.StatusCode)
		}
	}

	// The customer's own policy (off) wins over the one for everybody;
	// removing it brings the latter back.
	if p := e.post(ada, "/admin/settings/seat-approval", url.Values{"scope": {"customer"}, "c_customer": {cust}, "c_max_per_request": {"5"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("customer policy: %d\n%s", p.StatusCode, p.body)
	}
	if r := e.askSeats(cara, sub, q0+4); e.requestStatus(r) != "open" {
		t.Fatal("the customer's own policy is off, yet the request was approved")
	} else if p := e.post(staff, "/support/"+r+"/reject", url.Values{"reason": {"Not now."}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", p.StatusCode)
	}
	if p := e.post(ada, "/admin/settings/seat-approval", url.Values{"scope": {"remove"}, "c_customer": {cust}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove: %d\n%s", p.StatusCode, p.body)
	}
	if r := e.askSeats(cara, sub, q0+4); e.requestStatus(r) != "approved" {
		t.Fatalf("within the month's allowance again (3 + 1 <= 7), request %s is %s", r, e.requestStatus(r))
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('seat_policy.saved', 'seat_policy.removed') AND target_id = $1`, cust); n != 2 {
		t.Fatalf("%d audit entries of the customer's policy, want 2", n)
	}
}

// TestSeatPolicyMonthlyLimitUnderConcurrency: two requests of one customer
// for different subscriptions arrive at once, each within the per-request
// limit but together over the month's: the policy approves exactly one.
func TestSeatPolicyMonthlyLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	cust, _ := e.subID("Fabrikam Inc", "%Premium%")
	rows, err := e.st.Pool.Query(t.Context(), `SELECT id, quantity FROM subscriptions WHERE customer_id = $1 AND status = 'active'
		AND parent_subscription_id = '' AND billing_type = 'license' ORDER BY id LIMIT 2`, cust)
	if err != nil {
		t.Fatal(err)
	}
	var subs []string
	var qs []int
	for rows.Next() {
		var id string
		var q int
		if err := rows.Scan(&id, &q); err != nil {
			t.Fatal(err)
		}
		subs, qs = append(subs, id), append(qs, q)
	}
	if len(subs) != 2 {
		t.Fatalf("Fabrikam has %d licence subscriptions, want 2", len(subs))
	}
	e.createCustomerUser("cara@fabrikam.example", uuid.MustParse(cust))
	e.createUser("admin", "ada@example.com")
	cara, ada := e.client(), e.client()
	e.login(cara, "cara@fabrikam.example")
	e.login(ada, "ada@example.com")
	if p := e.post(ada, "/admin/settings/seat-approval", url.Values{"scope": {"all"}, "enabled": {"on"}, "max_per_request": {"3"},
		"max_per_month": {"4"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.StatusCode, p.body)
	}
	toks := []string{e.supportToken(cara, "/my/requests/new?subscription="+url.QueryEscape(subs[0])),
		e.supportToken(cara, "/my/requests/new?subscription="+url.QueryEscape(subs[1]))}
	done := make(chan page, 2)
	for i := range subs {
		go func() {
			done <- e.post(cara, "/my/requests/seats", url.Values{"token": {toks[i]}, "subscription": {subs[i]}, "seats": {strconv.Itoa(qs[i] + 3)}})
		}()
	}
	for range subs {
		if p := <-done; p.StatusCode != http.StatusSeeOther {
			t.Fatalf("seat request: %d\n%s", p.StatusCode, p.body)
		}
	}
	if n := e.count(`SELECT count(*) FROM support_requests WHERE status = 'approved' AND auto_approved_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d requests auto-approved, want 1 (3 + 3 > 4 a month)", n)
	}
	if n := e.count(`SELECT count(*) FROM support_requests WHERE status = 'open'`); n != 1 {
		t.Fatalf("%d requests wait for staff, want 1", n)
	}
}
