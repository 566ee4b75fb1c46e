package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestSupportProfileReachesPartnerCenterAndCustomers: an admin changes the
// support profile; it goes to Partner Center through the outbox and the
// mirror's copy is what a customer user sees on their requests page.
func TestSupportProfileReachesPartnerCenterAndCustomers(t *testing.T) {
	t.Parallel()
	e := startPCEnv(t, sandbox.Options{Seed: 5}, true)
	e.createUser("admin", "ada@reseller.example")
	a := e.seedTenant("Alpha", time.Now())
	e.createCustomerUser("ann@alpha.example", a.ID)
	ada, ann := e.client(), e.client()
	e.login(ada, "ada@reseller.example")
	e.login(ann, "ann@alpha.example")

	if p := e.get(ann, "/my/requests"); hasTestID(p.body, "support-contact") {
		t.Fatal("a contact card before any profile is known")
	}
	if p := e.get(ada, "/admin/settings/support-profile"); p.StatusCode != http.StatusOK || !hasTestID(p.body, "support-profile-unsynced") {
		t.Fatalf("profile page before a sync: %d\n%s", p.StatusCode, p.body)
	}
	if _, err := e.m.SyncServiceRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	p := e.get(ada, "/admin/settings/support-profile")
	if !hasTestID(p.body, "support-profile-synced") || !strings.Contains(p.body, "support@sandbox-partner.example") {
		t.Fatalf("profile page after a sync:\n%s", p.body)
	}

	// Refused locally, next to the fields; nothing queued.
	p = e.post(ada, "/admin/settings/support-profile", url.Values{"email": {"help"}, "telephone": {"call us"}, "website": {""}})
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-email") || !hasTestID(p.body, "error-telephone") {
		t.Fatalf("bad profile: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.countCommands(); n != 0 {
		t.Fatalf("a refused profile queued %d command(s)", n)
	}
	p = e.post(ada, "/admin/settings/support-profile", url.Values{"email": {"help@alpha-reseller.example"},
		"telephone": {"+1 425 555 0199"}, "website": {"help.alpha-reseller.example"}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.count(`SELECT count(*) FROM commands WHERE kind = 'update_support_profile' AND status = 'succeeded'`); n != 1 {
		t.Fatalf("%d delivered profile changes, want 1", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'pc.update_support_profile' AND actor = 'ada@reseller.example'`); n != 1 {
		t.Fatalf("%d audit entries of the change, want 1", n)
	}
	if e.sb.Calls(sandbox.OpUpdateSupportProfile) != 1 {
		t.Fatalf("%d PUTs to Partner Center, want 1", e.sb.Calls(sandbox.OpUpdateSupportProfile))
	}
	p = e.get(ann, "/my/requests")
	if !hasTestID(p.body, "support-contact") || !strings.Contains(p.body, "help@alpha-reseller.example") ||
		!strings.Contains(p.body, "+1 425 555 0199") || !strings.Contains(p.body, "https://help.alpha-reseller.example") {
		t.Fatalf("the customer does not see the new contact:\n%s", p.body)
	}
}
