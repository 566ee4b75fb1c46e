package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/mailcatcher"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/store"
)

// withMail points the portal's SMTP settings at a real SMTP listener (the
// mail catcher) and runs the mail worker, as a portal process would.
func (e *env) withMail() *mailcatcher.Catcher {
	e.t.Helper()
	c, err := mailcatcher.Start("127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	if err := e.st.UpdateSMTPSettings(e.t.Context(), store.SMTPSettings{SmtpHost: c.Host(), SmtpPort: int32(c.Port()),
		SmtpSecurity: "none", SmtpFrom: "portal@reseller.example", SmtpFromName: "Portal"}); err != nil {
		e.t.Fatal(err)
	}
	m, err := mail.New(mail.Deps{Store: e.st, Box: e.box, Logger: sandboxtest.Quiet()})
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := jobs.New(e.st, jobs.Options{Logger: sandboxtest.Quiet(), NoPeriodic: true}, m)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.Stop(ctx)
	})
	return c
}

var resetLinkRe = regexp.MustCompile(`https?://[^\s"<]+/password/reset/[A-Za-z0-9_-]+`)

// A password reset: the page answers the same for an unknown address as
// for a known one; the known one gets a link that works once.
func TestPasswordResetWorksOnceAndRevealsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.createUser("staff", "sam@example.com")
	e.completeSetup()
	mails := e.withMail()
	c := e.client()
	if p := e.get(c, "/login"); !hasTestID(p.body, "login-forgot") {
		t.Fatalf("no 'Forgot your password?' link on the sign-in page\n%s", p.body)
	}
	known := e.post(c, "/password/forgot", url.Values{"email": {"sam@example.com"}})
	unknown := e.post(c, "/password/forgot", url.Values{"email": {"nobody@example.com"}})
	if known.StatusCode != http.StatusOK || unknown.StatusCode != http.StatusOK || !hasTestID(known.body, "password-forgot-sent") {
		t.Fatalf("forgot: %d / %d\n%s", known.StatusCode, unknown.StatusCode, known.body)
	}
	strip := func(s string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, "sam@example.com", ""), "nobody@example.com", "")
	}
	if strip(known.body) != strip(unknown.body) {
		t.Fatal("the answer differs for a known and an unknown address")
	}
	got := mails.Wait(20*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) > 0 })
	if len(got) != 1 || got[0].To[0] != "sam@example.com" {
		t.Fatalf("mails: %+v", got)
	}
	link := resetLinkRe.FindString(got[0].Text)
	if link == "" || !strings.Contains(got[0].HTML, link) {
		t.Fatalf("no reset link in the mail:\n%s", got[0].Text)
	}
	path := link[strings.Index(link, "/password/reset/"):]
	if p := e.get(c, path); p.StatusCode != http.StatusOK || !strings.Contains(p.body, "sam@example.com") {
		t.Fatalf("reset page: %d\n%s", p.StatusCode, p.body)
	}
	short := e.post(c, path, url.Values{"password": {"short"}, "password_confirm": {"short"}})
	if short.StatusCode != http.StatusUnprocessableEntity || !hasTestID(short.body, "error-password") {
		t.Fatalf("short password: %d", short.StatusCode)
	}
	const pw = "a brand new password"
	p := e.post(c, path, url.Values{"password": {pw}, "password_confirm": {pw}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", p.StatusCode, p.body)
	}
	// Used up: the link is gone, the new password works, the old does not.
	if again := e.post(e.client(), path, url.Values{"password": {pw}, "password_confirm": {pw}}); again.StatusCode != http.StatusNotFound {
		t.Fatalf("second use of the link: %d, want 404", again.StatusCode)
	}
	if r := e.post(e.client(), "/login", url.Values{"email": {"sam@example.com"}, "password": {pw}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with the new password: %d", r.StatusCode)
	}
	if r := e.post(e.client(), "/login", url.Values{"email": {"sam@example.com"}, "password": {testPassword}}); r.StatusCode == http.StatusSeeOther {
		t.Fatal("the old password still works")
	}
	var tokens int
	_ = e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM password_resets WHERE used_at IS NOT NULL`).Scan(&tokens)
	if tokens != 1 {
		t.Fatalf("%d used reset rows, want 1", tokens)
	}
	if n := strings.Count(e.logs.String(), path[len("/password/reset/"):]); n != 0 {
		t.Errorf("the reset token appears %d times in the log", n)
	}
}

// Invitations are mailed; the staff user still sees the link to copy.
func TestInvitationIsMailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("staff", "staff@example.com")
	e.completeSetup()
	mails := e.withMail()
	id := e.seedTenant("Alpha Ltd", time.Now()).ID.String()
	c := e.client()
	e.login(c, "staff@example.com")
	p := e.post(c, "/customers/"+id+"/users/invite", url.Values{"email": {"ann@alpha.example"}})
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "invite-link") {
		t.Fatalf("invite: %d\n%s", p.StatusCode, p.body)
	}
	got := mails.Wait(20*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) > 0 })
	if len(got) != 1 || got[0].To[0] != "ann@alpha.example" || !strings.Contains(got[0].Subject, "Alpha Ltd") ||
		!strings.Contains(got[0].Text, e.ts.URL+"/invitations/") {
		t.Fatalf("invitation mail: %+v", got)
	}
}

// The settings page saves the SMTP server and its Test sends a mail.
func TestSettingsMailSavesAndTests(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	mails, err := mailcatcher.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mails.Close() })
	c := e.client()
	e.login(c, "admin@example.com")
	bad := e.post(c, "/admin/settings/mail", url.Values{"smtp_host": {""}, "smtp_port": {"99999"}, "smtp_security": {"maybe"}, "smtp_from": {"x"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !hasTestID(bad.body, "error-smtp_host") || !hasTestID(bad.body, "error-smtp_port") ||
		!hasTestID(bad.body, "error-smtp_security") || !hasTestID(bad.body, "error-smtp_from") {
		t.Fatalf("invalid SMTP form: %d\n%s", bad.StatusCode, bad.body)
	}
	form := url.Values{"smtp_host": {mails.Host()}, "smtp_port": {strings.Split(mails.Addr(), ":")[1]}, "smtp_security": {"none"},
		"smtp_username": {""}, "smtp_password": {"smtp-secret-value"}, "smtp_from": {"portal@reseller.example"}, "smtp_from_name": {"Portal"}}
	p := e.post(c, "/admin/settings/mail/test", form)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "pc-test-ok") {
		t.Fatalf("test: %d\n%s", p.StatusCode, p.body)
	}
	got := mails.Wait(10*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) > 0 })
	if len(got) != 1 || got[0].To[0] != "admin@example.com" || got[0].Subject != "CSP Portal test mail" {
		t.Fatalf("test mail: %+v", got)
	}
	if strings.Contains(p.body, "smtp-secret-value") || strings.Contains(e.logs.String(), "smtp-secret-value") {
		t.Fatal("the SMTP password shows in the page or the log")
	}
	st, _ := e.st.Settings(t.Context())
	if st.SmtpHost != mails.Host() || len(st.SmtpPasswordEnc) == 0 || strings.Contains(string(st.SmtpPasswordEnc), "smtp-secret-value") {
		t.Fatalf("stored SMTP settings: host %q, password sealed %v", st.SmtpHost, len(st.SmtpPasswordEnc) > 0)
	}
}
