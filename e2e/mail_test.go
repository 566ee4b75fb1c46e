package e2e

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/mailcatcher"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// startMail points the portal's SMTP settings at a mail catcher (a real
// SMTP server) and runs the mail worker until the test ends.
func startMail(t *testing.T, st *store.Store, box *secrets.Box) *mailcatcher.Catcher {
	t.Helper()
	c, err := mailcatcher.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := st.UpdateSMTPSettings(t.Context(), store.SMTPSettings{SmtpHost: c.Host(), SmtpPort: int32(c.Port()), SmtpSecurity: "none",
		SmtpFrom: "portal@reseller.example", SmtpFromName: "Portal"}); err != nil {
		t.Fatal(err)
	}
	m, err := mail.New(mail.Deps{Store: st, Box: box, Logger: sandboxtest.Quiet()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := jobs.New(st, jobs.Options{Logger: sandboxtest.Quiet(), NoPeriodic: true}, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return c
}

var resetLink = regexp.MustCompile(`https?://\S+/password/reset/[A-Za-z0-9_-]+`)

// TestPasswordResetJourney: a staff user who forgot the password asks for
// a link from the sign-in page; the page says the same for an address
// with no account; the mail's link sets a new password once and signs in.
func TestPasswordResetJourney(t *testing.T) {
	b := newBrowser(t)
	st := testdb.NewStore(t)
	box := sandboxtest.Box(t)
	mails := startMail(t, st, box)
	var h http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	srv, err := handlers.New(handlers.Deps{Store: st, SecretBox: box, BaseURL: ts.URL, Version: "e2e",
		Logger: slog.New(slog.NewTextHandler(&testWriter{t: t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Routes()
	hash, err := auth.HashPassword(t.Context(), "the forgotten password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(t.Context(), store.NewUser{Email: "sam@reseller.example", Role: store.RoleStaff, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := st.CompleteSetup(t.Context()); err != nil {
		t.Fatal(err)
	}
	ask := func(email string) string {
		b.run("ask for a link for "+email,
			chromedp.Navigate(ts.URL+"/login"),
			chromedp.WaitVisible(testID("login-forgot")),
			chromedp.Click(testID("login-forgot")),
			chromedp.WaitVisible(testID("password-forgot")),
			chromedp.SendKeys(field("email"), email),
			chromedp.Click(testID("password-forgot-submit")),
			chromedp.WaitVisible(testID("password-forgot-sent")),
		)
		return b.text(`[data-testid="password-forgot-sent"]`)
	}
	unknown := ask("nobody@reseller.example")
	known := ask("sam@reseller.example")
	if unknown != known {
		t.Fatalf("the answers differ:\n%s\n%s", unknown, known)
	}
	mails.Wait(30*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) > 0 })
	time.Sleep(300 * time.Millisecond) // a mail to the unknown address would have arrived by now
	if got := mails.Messages(); len(got) != 1 || got[0].To[0] != "sam@reseller.example" {
		t.Fatalf("mails: %+v (want one, to the known address only)", got)
	}
	msg := mails.Messages()[0]
	link := resetLink.FindString(msg.Text)
	if link == "" {
		t.Fatalf("no link in the mail:\n%s", msg.Text)
	}
	b.run("open the link", chromedp.Navigate(link), chromedp.WaitVisible(testID("password-reset")))
	b.checkA11y("password reset")
	if dir := screenshotsDir(); dir != "" {
		b.fullScreenshot(dir + "/password-reset.png")
	}
	b.run("set a new password through the link",
		chromedp.Navigate(link),
		chromedp.WaitVisible(testID("password-reset")),
		chromedp.SendKeys(field("password"), "a brand new password"),
		chromedp.SendKeys(field("password_confirm"), "a brand new password"),
		chromedp.Click(testID("password-reset-submit")),
		chromedp.WaitVisible(testID("dashboard")),
		chromedp.Click(testID("logout")),
		chromedp.WaitVisible(testID("login-form")),
	)
	b.run("the link works once",
		chromedp.Navigate(link),
		chromedp.WaitVisible(testID("error-404")),
	)
	b.run("sign in with the new password",
		chromedp.Navigate(ts.URL+"/login"),
		chromedp.WaitVisible(testID("login-form")),
		chromedp.SendKeys(field("email"), "sam@reseller.example"),
		chromedp.SendKeys(field("password"), "a brand new password"),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("dashboard")),
	)
	if !strings.Contains(b.text(`[data-testid="current-user"]`), "sam") {
		t.Fatal("not signed in as sam")
	}
}
