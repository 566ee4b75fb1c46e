package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/store"
)

// TestSupportRejectionAndEscalationJourney: a customer user asks for seats
// and opens a ticket; staff reject the seat request with a reason and
// escalate the ticket to Microsoft; the customer sees the reason, the
// sandbox holds the service request, and Microsoft's answer reaches the
// ticket's page through the service request sync; the customer's ticket
// shows the request's status with Microsoft but none of its notes.
func TestSupportRejectionAndEscalationJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	href := p.subHref(t, "Fabrikam Inc", "%Premium%")
	cust, sub, _ := strings.Cut(strings.TrimPrefix(href, "/customers/"), "/subscriptions/")

	const email, password = "cara@fabrikam.example", "customer password for e2e"
	hash, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.MustParse(cust)
	if _, err := p.Store.CreateUser(t.Context(), store.NewUser{Email: email, DisplayName: "Cara", Role: store.RoleCustomer, PasswordHash: hash,
		CustomerID: &id, CustomerVia: "invitation"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Stack.Mirror.SyncServiceRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	signIn := func(who, pass string, landing string) { b.signIn(p.URL, who, pass, landing) }
	signOut := b.signOut

	signIn(email, password, "entitlements-title")
	var seatsHref, ticketHref string
	b.run("ask for 50 seats",
		chromedp.Navigate(p.URL+"/my/subscriptions/"+url.PathEscape(sub)),
		chromedp.WaitVisible(testID("ask-seats")),
		chromedp.Click(testID("ask-seats")),
		chromedp.WaitVisible(testID("form-seats")),
		chromedp.SetValue(field("seats"), "50"),
		chromedp.Click(testID("support-submit")),
		chromedp.WaitVisible(testID("support-seats")),
	)
	seatsHref = b.location()
	b.run("open a ticket",
		chromedp.Navigate(p.URL+"/my/requests"),
		chromedp.WaitVisible(testID("support-contact")),
		chromedp.Click(testID("support-new-ticket")),
		chromedp.WaitVisible(testID("form-ticket")),
		chromedp.SendKeys(field("subject"), "Teams calls drop"),
		chromedp.SendKeys(field("description"), "Calls drop after a minute for every user."),
		chromedp.Click(`[data-testid="form-ticket"] [data-testid="support-submit"]`),
		chromedp.WaitVisible(testID("support-conversation")),
	)
	ticketHref = b.location()
	signOut()

	seatsID := seatsHref[strings.LastIndex(seatsHref, "/")+1:]
	ticketID := ticketHref[strings.LastIndex(ticketHref, "/")+1:]
	p.signIn(b)
	b.run("reject the seat request with a reason",
		chromedp.Navigate(p.URL+"/support/"+seatsID),
		chromedp.WaitVisible(testID("form-reject")),
		chromedp.SendKeys(field("reason"), "Your budget for this quarter is used up."),
		chromedp.Click(testID("support-reject")),
		chromedp.WaitVisible(testID("support-rejected")),
	)
	b.run("escalate the ticket to Microsoft",
		chromedp.Navigate(p.URL+"/support/"+ticketID),
		chromedp.WaitVisible(testID("form-escalate")),
		chromedp.SetValue(field("topic"), "32444667"),
		chromedp.SendKeys(field("note"), "Started after the tenant moved region."),
		chromedp.Click(testID("support-escalate-submit")),
		chromedp.WaitVisible(testID("escalation-status")),
	)
	b.checkA11y("escalated ticket")
	srs := p.Sandbox.ServiceRequests()
	if len(srs) != 1 || !strings.Contains(srs[0].Title, "Teams calls drop") {
		t.Fatalf("sandbox service requests: %+v", srs)
	}
	if got := b.text(`[data-testid="escalation-id"]`); got != srs[0].ID {
		t.Fatalf("the ticket shows service request %q, the sandbox filed %q", got, srs[0].ID)
	}
	if err := p.Sandbox.UpdateServiceRequest(srs[0].ID, "attention_needed", "Please send a network trace."); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Stack.Mirror.SyncServiceRequests(t.Context()); err != nil {
		t.Fatal(err)
	}
	b.run("Microsoft's answer on the ticket",
		chromedp.Navigate(p.URL+"/support/"+ticketID),
		chromedp.WaitVisible(testID("escalation-note")),
	)
	if got := b.text(`[data-testid="escalation-status"]`); got != "Microsoft needs an answer" {
		t.Fatalf("escalation status %q", got)
	}
	if got := b.text(`[data-testid="escalation-note"]`); !strings.Contains(got, "Please send a network trace.") {
		t.Fatalf("note %q", got)
	}
	signOut()

	signIn(email, password, "entitlements-title")
	b.run("the customer sees the reason",
		chromedp.Navigate(p.URL+"/my/requests/"+seatsID),
		chromedp.WaitVisible(testID("support-rejected")),
	)
	if got := b.text(`[data-testid="support-rejected"]`); !strings.Contains(got, "Your budget for this quarter is used up.") {
		t.Fatalf("the customer sees %q", got)
	}
	b.checkA11y("rejected request")
	b.run("the customer's escalated ticket",
		chromedp.Navigate(p.URL+"/my/requests/"+ticketID),
		chromedp.WaitVisible(testID("support-microsoft")),
	)
	if got := b.text(`[data-testid="support-microsoft-status"]`); got != "Microsoft asked your reseller for more information." {
		t.Fatalf("the customer sees the escalation as %q", got)
	}
	if body := b.text("main"); strings.Contains(body, "Please send a network trace.") || strings.Contains(body, srs[0].ID) ||
		strings.Contains(body, "Started after the tenant moved region.") {
		t.Fatalf("the customer's page shows the service request's notes or id:\n%s", body)
	}
	b.checkA11y("customer's escalated ticket")
}
