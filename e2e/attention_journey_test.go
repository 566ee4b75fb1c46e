package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/internal/mailcatcher"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/store"
)

var subLink = regexp.MustCompile(`https?://\S+/customers/[0-9a-f-]+/subscriptions/[0-9a-f-]+`)

// TestRenewalAttentionJourney: on the sandbox's clock, an annual renewal
// with unassigned seats comes within 30 days; it is listed on the
// dashboard with its reason and link, and mailed in the day's digest. A
// monthly roll-over whose seats are all assigned is neither.
func TestRenewalAttentionJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	ctx := t.Context()
	mails, err := mailcatcher.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mails.Close() })
	if err := p.Store.UpdateSMTPSettings(ctx, store.SMTPSettings{SmtpHost: mails.Host(), SmtpPort: int32(mails.Port()), SmtpSecurity: "none",
		SmtpFrom: "portal@reseller.example"}); err != nil {
		t.Fatal(err)
	}
	var fabrikam string
	if err := p.Store.Pool.QueryRow(ctx, `SELECT id::text FROM customers WHERE company_name = 'Fabrikam Inc'`).Scan(&fabrikam); err != nil {
		t.Fatal(err)
	}
	// Fabrikam's admins assign every Exchange Online licence (monthly term);
	// Business Premium (annual, renewing 2027-03-03) keeps a quarter free.
	if err := p.Sandbox.AssignLicenses(fabrikam, "EXCHANGESTANDARD", 12); err != nil {
		t.Fatal(err)
	}
	// Eleven months pass with the portal syncing as it does when it runs
	// (a partner admin's sign-in left unused for 90 days expires).
	for target := time.Date(2027, 2, 11, 9, 0, 0, 0, time.UTC); p.Sandbox.Now().Before(target); {
		p.Sandbox.Advance(min(45*24*time.Hour, target.Sub(p.Sandbox.Now())))
		p.Stack.Sync(mirror.KindFull)
	}
	if _, err := p.Stack.Attention.EvaluateChanged(ctx); err != nil {
		t.Fatal(err)
	}
	var exchangeEnds time.Time
	if err := p.Store.Pool.QueryRow(ctx, `SELECT commitment_end_date FROM subscriptions WHERE customer_id = $1 AND offer_name = 'Exchange Online (Plan 1)'`,
		fabrikam).Scan(&exchangeEnds); err != nil || exchangeEnds.Sub(p.Sandbox.Now()) > 31*24*time.Hour || !exchangeEnds.After(p.Sandbox.Now()) {
		t.Fatalf("the monthly subscription does not roll over within the month: %s (%v)", exchangeEnds, err)
	}

	p.signIn(b)
	b.run("the dashboard lists the renewal",
		chromedp.WaitVisible(testID("attention-item")),
	)
	list := b.text(`[data-testid="attention"]`)
	if !strings.Contains(list, "Microsoft 365 Business Premium renews on 2027-03-03 with 40 seats; 10 of the customer's 40 seats") {
		t.Fatalf("Needs attention lacks the renewal with unassigned seats:\n%s", list)
	}
	if strings.Contains(list, "Exchange Online (Plan 1) renews") {
		t.Fatalf("the monthly roll-over with every seat assigned is listed:\n%s", list)
	}
	b.checkA11y("dashboard with attention")
	href := p.subHref(t, "Fabrikam Inc", "%Business Premium%")
	b.run("act on it",
		chromedp.Click(chromedp.CSS(`[data-testid="attention-act"][href="`+href+`"]`)),
		waitURL(href),
		chromedp.WaitVisible(testID("sub-seats")),
	)

	if _, err := p.Stack.Attention.Notify(ctx); err != nil {
		t.Fatal(err)
	}
	isDigest := func(m mailcatcher.Message) bool {
		return m.To[0] == p.Email && strings.HasPrefix(m.Subject, "What needs attention on 2027-02-11")
	}
	var digests []mailcatcher.Message
	for _, m := range mails.Wait(30*time.Second, func(ms []mailcatcher.Message) bool { return slices.ContainsFunc(ms, isDigest) }) {
		if isDigest(m) {
			digests = append(digests, m)
		}
	}
	if len(digests) != 1 {
		var subjects []string
		for _, m := range mails.Messages() {
			subjects = append(subjects, m.To[0]+": "+m.Subject)
		}
		t.Fatalf("%d digests to %s; mails: %q", len(digests), p.Email, subjects)
	}
	d := digests[0]
	if !strings.Contains(d.Text, "Microsoft 365 Business Premium renews on 2027-03-03") || strings.Contains(d.Text, "Exchange Online (Plan 1) renews") {
		t.Fatalf("digest:\n%s", d.Text)
	}
	// A second run the same day mails nothing more.
	if n, err := p.Stack.Attention.Notify(ctx); err != nil || n != 0 {
		t.Fatalf("second notify: %d mails (%v)", n, err)
	}
	var link string
	for _, l := range subLink.FindAllString(d.Text, -1) {
		if strings.HasPrefix(l, p.URL) && strings.Contains(l, fabrikam) {
			link = l
		}
	}
	if link == "" {
		t.Fatalf("the digest has no link into the portal:\n%s", d.Text)
	}
	b.run("follow the mail's link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(testID("sub-seats")),
	)
}
