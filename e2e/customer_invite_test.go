package e2e

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/mailcatcher"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// TestCustomerInvitationJourney: staff open a customer's users page from
// the customer page, invite someone, the invitation arrives by mail, and
// the invitee sets a password through its one-time link and lands on the
// customer's subscriptions; the link then no longer works.
// Staff then open "view as customer".
func TestCustomerInvitationJourney(t *testing.T) {
	b := newBrowser(t)
	st := testdb.NewStore(t)
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	box := sandboxtest.Box(t)
	mails := startMail(t, st, box)
	srv, err := handlers.New(handlers.Deps{Store: st, SecretBox: box, BaseURL: ts.URL, Version: "e2e",
		Logger: slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Routes()
	ctx := t.Context()
	const staffPassword = "staff password 12345"
	hash, err := auth.HashPassword(t.Context(), staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.NewUser{Email: "sam@reseller.example", Role: store.RoleStaff, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := st.CompleteSetup(ctx); err != nil {
		t.Fatal(err)
	}
	idA := uuid.New()
	subsA, _ := seedCustomer(t, st, idA, "Alpha", 3)
	seedCustomer(t, st, uuid.New(), "Bravo", 2)

	b.run("staff sign in and open the customer's users",
		chromedp.Navigate(ts.URL+"/login"),
		chromedp.WaitVisible(testID("login-form")),
		chromedp.SendKeys(field("email"), "sam@reseller.example"),
		chromedp.SendKeys(field("password"), staffPassword),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("nav")),
		chromedp.Navigate(ts.URL+"/customers/"+idA.String()),
		chromedp.WaitVisible(testID("customer-users-link")),
		chromedp.Click(testID("customer-users-link")),
		chromedp.WaitVisible(testID("customer-users-title")),
		chromedp.SendKeys(field("email"), "ivy@alpha.example"),
		chromedp.Click(testID("invite-submit")),
		chromedp.WaitVisible(testID("invite-link")),
	)
	link := b.text(`[data-testid="invite-link"]`)
	if !strings.HasPrefix(link, ts.URL+"/invitations/") {
		t.Fatalf("invite link %q", link)
	}
	// The invitee gets the same link by mail.
	got := mails.Wait(30*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) > 0 })
	if len(got) != 1 || got[0].To[0] != "ivy@alpha.example" || !strings.Contains(got[0].Text, link) {
		t.Fatalf("invitation mail: %+v", got)
	}
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(dir + "/customer-users.png")
	}
	b.run("view as customer",
		chromedp.Click(testID("view-as")),
		chromedp.WaitVisible(testID("view-as-banner")),
		chromedp.WaitVisible(testID("entitlements-table")),
	)
	if n := len(evalJS[[]string](t, b, `Array.from(document.querySelectorAll('[data-testid="entitlement-row"]')).map(r => r.dataset.subscription)`)); n != len(subsA) {
		t.Errorf("view as: %d rows, want %d", n, len(subsA))
	}
	b.run("sign out", chromedp.Click(testID("logout")), chromedp.WaitVisible(testID("login-form")))

	b.run("the invitee sets a password",
		chromedp.Navigate(link),
		chromedp.WaitVisible(testID("invitation-accept")),
		chromedp.SendKeys(field("name"), "Ivy"),
		chromedp.SendKeys(field("password"), "ivy's long password"),
		chromedp.SendKeys(field("password_confirm"), "ivy's long password"),
		chromedp.Click(testID("invitation-submit")),
		chromedp.WaitVisible(testID("entitlements-table")),
	)
	ids := evalJS[[]string](t, b, `Array.from(document.querySelectorAll('[data-testid="entitlement-row"]')).map(r => r.dataset.subscription)`)
	if len(ids) != len(subsA) || strings.Contains(b.text("main"), "Bravo") {
		t.Errorf("invitee sees %v", ids)
	}
	b.run("the link is used up",
		chromedp.Navigate(link),
		chromedp.WaitVisible(testID("error-404")),
	)
	for _, pr := range b.Problems() {
		if strings.Contains(pr, "404") {
			continue
		}
		t.Errorf("browser problem: %s", pr)
	}
}
