package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/store"
)

// TestResellerInvitationJourney: provider staff open a reseller from the
// resellers list, invite one of its people, and the invitee sets a
// password through the one-time link and lands on that reseller's
// customers only; staff then revoke the user, whose session ends.
func TestResellerInvitationJourney(t *testing.T) {
	b := newBrowser(t)
	p := startPortal(t)
	ctx := t.Context()
	const reseller = "484e548c-f5f3-4528-93a9-c16c6373cb59"
	const staffPassword, password = "staff password 12345", "cleo's long password"
	if _, err := p.Store.Pool.Exec(ctx, `INSERT INTO resellers (tenant_id, name, mpn_id, mpa_signed) VALUES ($1, 'First Up', '4847383', true)`, reseller); err != nil {
		t.Fatal(err)
	}
	mine := uuid.New()
	seedCustomer(t, p.Store, mine, "Alpha", 2)
	seedCustomer(t, p.Store, uuid.New(), "Bravo", 2)
	if _, err := p.Store.Pool.Exec(ctx, `UPDATE customers SET associated_partner_id = $1 WHERE id = $2`, reseller, mine); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(ctx, staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Store.CreateUser(ctx, store.NewUser{Email: "sam@provider.example", Role: store.RoleStaff, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := p.Store.CompleteSetup(ctx); err != nil {
		t.Fatal(err)
	}

	b.run("staff invite a user of First Up",
		chromedp.Navigate(p.URL+"/login"),
		chromedp.WaitVisible(testID("login-form")),
		chromedp.SendKeys(field("email"), "sam@provider.example"),
		chromedp.SendKeys(field("password"), staffPassword),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("nav")),
		chromedp.Navigate(p.URL+"/resellers"),
		chromedp.WaitVisible(testID("reseller-link")),
		chromedp.Click(testID("reseller-link")),
		chromedp.WaitVisible(testID("reseller-title")),
		chromedp.SendKeys(field("email"), "cleo@firstup.example"),
		chromedp.Click(testID("invite-submit")),
		chromedp.WaitVisible(testID("invite-link")),
	)
	b.checkA11y("reseller page with an invitation")
	link := strings.TrimSpace(b.text(`[data-testid="invite-link"]`))
	if !strings.HasPrefix(link, p.URL+"/invitations/") {
		t.Fatalf("invite link %q", link)
	}
	b.run("sign out", chromedp.Click(testID("logout")), chromedp.WaitVisible(testID("login-form")))

	b.run("the invitee sets a password",
		chromedp.Navigate(link),
		chromedp.WaitVisible(testID("invitation-accept")),
		chromedp.SendKeys(field("name"), "Cleo"),
		chromedp.SendKeys(field("password"), password),
		chromedp.SendKeys(field("password_confirm"), password),
		chromedp.Click(testID("invitation-submit")),
		chromedp.WaitVisible(testID("reseller-customers-results")),
	)
	if main := b.text("main"); !strings.Contains(main, "Alpha") || strings.Contains(main, "Bravo") {
		t.Errorf("the reseller user's customers:\n%s", main)
	}
	b.run("sign out again", chromedp.Click(testID("logout")), chromedp.WaitVisible(testID("login-form")))

	b.run("staff revoke the user",
		chromedp.SendKeys(field("email"), "sam@provider.example"),
		chromedp.SendKeys(field("password"), staffPassword),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("nav")),
		chromedp.Navigate(p.URL+"/resellers/"+reseller),
		chromedp.WaitVisible(testID("customer-user-revoke")),
		chromedp.Click(testID("customer-user-revoke")),
		chromedp.WaitVisible(testID("revoke-confirm")),
		chromedp.Click(testID("revoke-submit")),
		chromedp.WaitVisible(testID("reseller-title")),
	)
	if got := b.text(`[data-testid="customer-user-status"]`); !strings.HasPrefix(got, "revoked") {
		t.Errorf("user status after revoking: %q", got)
	}
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Errorf("console problems: %v", ps)
	}
}
