package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/internal/mailcatcher"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/store"
)

type env struct {
	t       *testing.T
	st      *store.Store
	mail    *mail.Service
	catcher *mailcatcher.Catcher
}

// newEnv is a mailer on a fresh database pointed at a mail catcher, with
// its worker running (fast retries).
func newEnv(t *testing.T) *env {
	t.Helper()
	st := testdb.NewStore(t)
	box := sandboxtest.Box(t)
	c, err := mailcatcher.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := st.UpdateSMTPSettings(t.Context(), store.SMTPSettings{SmtpHost: c.Host(), SmtpPort: int32(c.Port()), SmtpSecurity: "none",
		SmtpFrom: "portal@test.example", SmtpFromName: "Portal"}); err != nil {
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
	return &env{t: t, st: st, mail: m, catcher: c}
}

func (e *env) queue(m mail.Message) bool {
	e.t.Helper()
	var queued bool
	err := e.st.InTx(context.Background(), func(tx pgx.Tx) error {
		var err error
		queued, err = e.mail.Queue(context.Background(), tx, m)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return queued
}

func (e *env) row(sql string, args ...any) (status string, attempts int, body bool) {
	e.t.Helper()
	if err := e.st.Pool.QueryRow(context.Background(), `SELECT status, attempts, body_enc IS NOT NULL FROM mail_outbox `+sql, args...).
		Scan(&status, &attempts, &body); err != nil {
		e.t.Fatal(err)
	}
	return
}

func TestQueuedMailIsSentOnceWithTextAndHTML(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := mail.Invitation(i18n.English, "ann@alpha.example", "Alpha Ltd", "https://portal.example/invitations/tok123", time.Now().Add(time.Hour))
	m.Key = "invite:1"
	if !e.queue(m) {
		t.Fatal("not queued")
	}
	if e.queue(m) {
		t.Fatal("a second mail with the same key was queued")
	}
	got := e.catcher.Wait(20*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) > 0 })
	if len(got) != 1 {
		t.Fatalf("%d mails arrived, want 1", len(got))
	}
	if got[0].Subject != "Invitation to Alpha Ltd's subscriptions" || !strings.Contains(got[0].Text, "https://portal.example/invitations/tok123") ||
		!strings.Contains(got[0].HTML, `href="https://portal.example/invitations/tok123"`) || got[0].To[0] != "ann@alpha.example" {
		t.Fatalf("mail: %+v", got[0])
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _, body := e.row(`WHERE kind = 'invitation'`)
		if status == "sent" {
			if body {
				t.Fatal("the sent mail's body (a one-time link) is still stored")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %s after delivery", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SMTP down: the mail waits in the outbox, is retried, and arrives once
// when the server is back.
func TestMailWaitsForTheServerAndArrivesOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.catcher.SetDown(true)
	e.queue(mail.Test(i18n.English, "ops@reseller.example"))
	deadline := time.Now().Add(20 * time.Second)
	for {
		if status, attempts, _ := e.row(`WHERE kind = 'test'`); attempts >= 1 && status == "pending" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the mail was never tried while the server was down")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(e.catcher.Messages()); n != 0 {
		t.Fatalf("%d mails arrived while the server was down", n)
	}
	// Back up: River's next retry (about 10 s after the first attempt) sends it.
	e.catcher.SetDown(false)
	got := e.catcher.Wait(45*time.Second, func(ms []mailcatcher.Message) bool { return len(ms) > 0 })
	if len(got) != 1 {
		t.Fatalf("%d mails arrived after the server came back, want 1", len(got))
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(e.catcher.Messages()); n != 1 {
		t.Fatalf("%d mails in the end, want exactly 1", n)
	}
}

// A server that is not configured keeps mail queued; an address the
// server refuses for good fails without retries.
func TestMailWithoutServerWaitsAndBadAddressFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := mail.Test(i18n.English, "not an address")
	e.queue(m)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if status, attempts, body := e.row(`WHERE kind = 'test'`); status == "failed" {
			if attempts != 1 || body {
				t.Fatalf("failed after %d attempts, body kept %v; want one attempt, body erased", attempts, body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a mail to an invalid address was not marked failed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := e.st.UpdateSMTPSettings(t.Context(), store.SMTPSettings{SmtpPort: 587, SmtpSecurity: "starttls"}); err != nil {
		t.Fatal(err)
	}
	e.queue(mail.Welcome(i18n.English, "new@reseller.example", "staff", "https://portal.example/login"))
	deadline = time.Now().Add(20 * time.Second)
	for {
		status, attempts, body := e.row(`WHERE kind = 'welcome'`)
		if attempts >= 1 && status != "sending" {
			if status != "pending" || !body {
				t.Fatalf("without a server: status %s, body kept %v; want pending with its body", status, body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never tried (status %s, %d attempts)", status, attempts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMailInChinese: a mail in Simplified Chinese has its subject, body and
// html lang in Chinese, and no English sentence of the English mail.
func TestMailInChinese(t *testing.T) {
	m := mail.PasswordReset(i18n.SimplifiedChinese, "li@example.cn", "https://portal.example/password/reset/x", time.Hour)
	if m.Subject != "重置您的 CSP 门户密码" || !strings.Contains(m.Text, "1 小时") || !strings.Contains(m.HTML, `lang="zh-Hans"`) {
		t.Fatalf("zh mail: %q\n%s\n%s", m.Subject, m.Text, m.HTML)
	}
	if strings.Contains(m.Text, "Reset your password") {
		t.Error("the Chinese mail has English text")
	}
	en := mail.PasswordReset(i18n.English, "ann@example.com", "https://portal.example/password/reset/x", 2*time.Hour)
	if !strings.Contains(en.Text, "2 hours") || !strings.Contains(en.HTML, `lang="en"`) {
		t.Fatalf("en mail:\n%s", en.Text)
	}
}
