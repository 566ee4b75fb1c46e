package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestSupportTicketEscalatedToPartnerCenter: staff escalate a customer's
// ticket; the filing's response is lost after PC filed it, the command is
// retried with the same MS-RequestId and a second submit changes nothing,
// so the sandbox holds exactly one service request, linked to the ticket.
// Microsoft's answer comes back by the service request sync.
func TestSupportTicketEscalatedToPartnerCenter(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	cust, _ := e.subID("Fabrikam Inc", "%Premium%")
	e.createCustomerUser("cara@fabrikam.example", uuid.MustParse(cust))
	cara, staff := e.client(), e.client()
	e.login(cara, "cara@fabrikam.example")
	e.login(staff, "staff@example.com")

	tok := e.supportToken(cara, "/my/requests/new?kind=ticket")
	p := e.post(cara, "/my/requests/tickets", url.Values{"token": {tok}, "subject": {"Teams calls drop"},
		"description": {"Calls drop after a minute for every user."}, "severity": {"high"}})
	m := supportHrefRe.FindStringSubmatch(p.location())
	if p.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("ticket: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	id := m[1]
	if p := e.get(staff, "/support/"+id); !hasTestID(p.body, "escalate-no-topics") {
		t.Fatalf("before the topics are read the page offers no form:\n%s", p.body)
	}
	if _, err := e.m.SyncServiceRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	p = e.get(staff, "/support/"+id)
	if !hasTestID(p.body, "form-escalate") || !strings.Contains(p.body, "Partner Center Issues") {
		t.Fatalf("no escalation form:\n%s", p.body)
	}
	if p := e.get(cara, "/my/requests/"+id); hasTestID(p.body, "support-escalate") || hasTestID(p.body, "support-escalation") {
		t.Fatal("the customer sees the escalation card")
	}

	// PC's rules are checked before anything is queued.
	p = e.post(staff, "/support/"+id+"/escalate", url.Values{"topic": {"1"}, "severity": {"urgent"}})
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-topic") || !hasTestID(p.body, "error-severity") {
		t.Fatalf("bad form: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.countCommands(); n != 0 {
		t.Fatalf("a refused form queued %d command(s)", n)
	}

	// PC files the request but its answers are lost on the way back.
	e.sb.DropNext(sandbox.OpCreateServiceRequest, 2)
	form := url.Values{"topic": {"32444667"}, "severity": {"moderate"}, "note": {"Started after the tenant moved region."}}
	if p := e.post(staff, "/support/"+id+"/escalate", form); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("escalate: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(staff, "/support/"+id+"/escalate", form); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("second escalate: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.countCommands(); n != 1 {
		t.Fatalf("%d commands, want 1", n)
	}
	var cmdID int64
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT escalation_command_id FROM support_requests WHERE id = $1`, id).Scan(&cmdID); err != nil {
		t.Fatal(err)
	}
	// The worker's retry, as after a lost answer: same MS-RequestId.
	if _, err := e.stack.Commerce.DeliverNow(t.Context(), cmdID); err != nil {
		t.Fatalf("retry: %v", err)
	}
	srs := e.sb.ServiceRequests()
	if len(srs) == 0 {
		var st, le string
		_ = e.st.Pool.QueryRow(t.Context(), `SELECT status, last_error FROM commands WHERE id = $1`, cmdID).Scan(&st, &le)
		t.Logf("command %d: %s %s", cmdID, st, le)
	}
	if len(srs) != 1 || e.sb.Calls(sandbox.OpCreateServiceRequest) < 2 {
		t.Fatalf("sandbox holds %d service requests after %d create calls, want 1 after a retry", len(srs), e.sb.Calls(sandbox.OpCreateServiceRequest))
	}
	sr := srs[0]
	if !strings.HasPrefix(sr.Title, "[Portal ticket #"+id+"] Teams calls drop") || sr.Severity != "moderate" || sr.SupportTopicID != "32444667" {
		t.Fatalf("service request = %+v", sr)
	}
	p = e.get(staff, "/support/"+id)
	if !strings.Contains(p.body, sr.ID) || !strings.Contains(p.body, `data-status="open"`) || hasTestID(p.body, "form-escalate") {
		t.Fatalf("the ticket does not show its service request %s:\n%s", sr.ID, p.body)
	}

	// Microsoft asks for more; the sync brings it to the ticket.
	if err := e.sb.UpdateServiceRequest(sr.ID, "attention_needed", "Please send a network trace."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.SyncServiceRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	p = e.get(staff, "/support/"+id)
	if !strings.Contains(p.body, `data-status="attention_needed"`) || !strings.Contains(p.body, "Please send a network trace.") {
		t.Fatalf("Microsoft's answer is not on the ticket:\n%s", p.body)
	}
	// Staff answer Microsoft and close the request from the ticket.
	if p := e.post(staff, "/support/"+id+"/escalation/notes", url.Values{}); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-pc_note") {
		t.Fatalf("empty note: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(staff, "/support/"+id+"/escalation/notes", url.Values{"pc_note": {"Trace attached to the customer's ticket."}, "pc_status": {"closed"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %d\n%s", p.StatusCode, p.body)
	}
	srs = e.sb.ServiceRequests()
	if len(srs) != 1 || srs[0].Status != "closed" || len(srs[0].Notes) != 2 || srs[0].Notes[1] != "Trace attached to the customer's ticket." {
		t.Fatalf("after staff's note the sandbox holds %+v", srs)
	}
	if p := e.get(staff, "/support/"+id); !strings.Contains(p.body, `data-status="closed"`) || !strings.Contains(p.body, "Trace attached") {
		t.Fatalf("the ticket does not show the note and closing:\n%s", p.body)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'support.escalated' AND target_id = $1`, id); n != 1 {
		t.Fatalf("%d escalation audit entries, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'pc.create_service_request.succeeded' AND target_id = $1`, id); n != 1 {
		t.Fatalf("%d delivery audit entries, want 1", n)
	}
	// The mirror files it under the ticket's customer.
	if n := e.count(`SELECT count(*) FROM pc_service_requests WHERE customer_id = $1`, cust); n != 1 {
		t.Fatalf("%d mirrored service requests of the customer, want 1", n)
	}
}

// TestSupportEscalationCustomerView: once staff escalate a customer's
// ticket, the customer's page of it says where it stands with Microsoft
// (PC's status, in words) and nothing else of the service request: not
// PC's notes (the partner's conversation with Microsoft), its id, topic
// or severity. Another customer sees nothing of it.
func TestSupportEscalationCustomerView(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	cust, _ := e.subID("Fabrikam Inc", "%Premium%")
	other, _ := e.subID("Contoso Ltd", "%")
	e.createCustomerUser("cara@fabrikam.example", uuid.MustParse(cust))
	e.createCustomerUser("otto@contoso.example", uuid.MustParse(other))
	cara, otto, staff := e.client(), e.client(), e.client()
	e.login(cara, "cara@fabrikam.example")
	e.login(otto, "otto@contoso.example")
	e.login(staff, "staff@example.com")

	tok := e.supportToken(cara, "/my/requests/new?kind=ticket")
	p := e.post(cara, "/my/requests/tickets", url.Values{"token": {tok}, "subject": {"Teams calls drop"},
		"description": {"Calls drop after a minute for every user."}, "severity": {"high"}})
	m := supportHrefRe.FindStringSubmatch(p.location())
	if p.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("ticket: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	id := m[1]
	if p := e.get(cara, "/my/requests/"+id); p.StatusCode != http.StatusOK || hasTestID(p.body, "support-microsoft") {
		t.Fatalf("before the escalation: %d\n%s", p.StatusCode, p.body)
	}
	if _, err := e.m.SyncServiceRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	const staffNote = "Customer is on the old contract, do not mention pricing."
	if p := e.post(staff, "/support/"+id+"/escalate", url.Values{"topic": {"32444667"}, "severity": {"moderate"}, "note": {staffNote}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("escalate: %d\n%s", p.StatusCode, p.body)
	}
	srs := e.sb.ServiceRequests()
	if len(srs) != 1 {
		t.Fatalf("%d service requests in the sandbox, want 1", len(srs))
	}
	const msNote = "Please send a network trace of the tenant."
	if err := e.sb.UpdateServiceRequest(srs[0].ID, "attention_needed", msNote); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.SyncServiceRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p := e.get(staff, "/support/"+id); !strings.Contains(p.body, msNote) {
		t.Fatalf("staff do not see Microsoft's note (the test would prove nothing):\n%s", p.body)
	}
	p = e.get(cara, "/my/requests/"+id)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "support-microsoft") || !strings.Contains(p.body, `data-status="attention_needed"`) ||
		!strings.Contains(p.body, "Microsoft asked your reseller for more information.") {
		t.Fatalf("the customer does not see the service request's status:\n%s", p.body)
	}
	for _, secret := range []string{msNote, staffNote, srs[0].ID, "Partner Center Issues", "moderate", "escalation-notes"} {
		if strings.Contains(p.body, secret) {
			t.Errorf("the customer's page shows %q", secret)
		}
	}
	if p := e.get(otto, "/my/requests/"+id); p.StatusCode != http.StatusNotFound || strings.Contains(p.body, "Microsoft") {
		t.Fatalf("another customer reads the ticket: %d", p.StatusCode)
	}

	// Microsoft closes it: the customer's page follows.
	if err := e.sb.UpdateServiceRequest(srs[0].ID, "closed", "Fixed by the region move."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.SyncServiceRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	if p := e.get(cara, "/my/requests/"+id); !strings.Contains(p.body, `data-status="closed"`) || strings.Contains(p.body, "Fixed by the region move.") {
		t.Fatalf("after Microsoft closed it:\n%s", p.body)
	}
}
