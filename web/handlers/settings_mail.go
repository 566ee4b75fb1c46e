package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// mailFormFrom fills the SMTP form from the stored settings.
func (s *Server) mailFormFrom(r *http.Request, st store.Settings) templates.MailForm {
	f := templates.NewForm()
	f.Values["smtp_host"], f.Values["smtp_port"] = st.SmtpHost, strconv.Itoa(int(st.SmtpPort))
	f.Values["smtp_security"], f.Values["smtp_username"] = st.SmtpSecurity, st.SmtpUsername
	f.Values["smtp_from"], f.Values["smtp_from_name"] = st.SmtpFrom, st.SmtpFromName
	mf := templates.MailForm{Form: f, PasswordStored: len(st.SmtpPasswordEnc) > 0, Inbox: s.d.MailInbox}
	if u := auth.UserFrom(r.Context()); u != nil {
		mf.TestTo = u.Email
	}
	return mf
}

// parseMail reads and validates the SMTP form; an empty password keeps
// the stored one.
func parseMail(r *http.Request) (templates.Form, store.SMTPSettings, string) {
	f := templates.NewForm()
	for _, k := range []string{"smtp_host", "smtp_port", "smtp_security", "smtp_username", "smtp_from", "smtp_from_name"} {
		f.Values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	p := store.SMTPSettings{SmtpHost: f.Get("smtp_host"), SmtpSecurity: f.Get("smtp_security"), SmtpUsername: f.Get("smtp_username"),
		SmtpFrom: f.Get("smtp_from"), SmtpFromName: f.Get("smtp_from_name")}
	if p.SmtpHost == "" || strings.ContainsAny(p.SmtpHost, " /:") {
		f.Errors["smtp_host"] = "Enter the server's host name, e.g. smtp.office365.com."
	}
	port, err := strconv.Atoi(f.Get("smtp_port"))
	if err != nil || port < 1 || port > 65535 {
		f.Errors["smtp_port"] = "Enter a port from 1 to 65535."
	}
	p.SmtpPort = int32(port)
	switch p.SmtpSecurity {
	case "starttls", "tls", "none":
	default:
		f.Errors["smtp_security"] = "Choose how the connection is encrypted."
	}
	if !validEmail(p.SmtpFrom) {
		f.Errors["smtp_from"] = "Enter the address mails come from, e.g. portal@reseller.example."
	}
	return f, p, r.PostForm.Get("smtp_password")
}

// settingsMail saves the SMTP server.
func (s *Server) settingsMail(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.saveMail(w, r, false); !ok || err != nil {
		return err
	}
	s.flash(r.Context(), "success", "Email settings saved.")
	redirect(w, r, "/admin/settings#mail")
	return nil
}

// settingsMailTest saves the SMTP server and sends a test mail to the
// admin at once (a person waits for the answer; real mail goes through the
// outbox).
func (s *Server) settingsMailTest(w http.ResponseWriter, r *http.Request) error {
	_, err := s.saveMail(w, r, true)
	return err
}

func (s *Server) saveMail(w http.ResponseWriter, r *http.Request, test bool) (bool, error) {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return false, err
	}
	st, err := s.st.Settings(ctx)
	if err != nil {
		return false, err
	}
	f, p, password := parseMail(r)
	mf := s.mailFormFrom(r, st)
	mf.Form = f
	if !f.Valid() {
		return false, s.renderSettings(w, r, http.StatusUnprocessableEntity, st, settingsForms{mail: &mf})
	}
	if password != "" {
		p.SmtpPasswordEnc = s.d.SecretBox.Seal(password)
	}
	if err := s.st.UpdateSMTPSettings(ctx, p); err != nil {
		return false, err
	}
	s.audit(ctx, auth.UserFrom(ctx), "settings.smtp_updated", "settings", "smtp",
		map[string]any{"host": p.SmtpHost, "port": p.SmtpPort, "security": p.SmtpSecurity, "username": p.SmtpUsername,
			"from": p.SmtpFrom, "password_changed": password != ""})
	if !test {
		return true, nil
	}
	if st, err = s.st.Settings(ctx); err != nil {
		return false, err
	}
	mf = s.mailFormFrom(r, st)
	mf.Test = s.testMail(ctx, mf.TestTo)
	return true, s.renderSettings(w, r, http.StatusOK, st, settingsForms{mail: &mf})
}

// testMail sends the test mail now and says how it went.
func (s *Server) testMail(ctx context.Context, to string) *templates.TestResult {
	c, err := s.mail.Settings(ctx)
	if err == nil {
		err = s.mail.Send(ctx, c, mail.Test(i18n.From(ctx), to), "")
	}
	if err != nil {
		s.log.InfoContext(ctx, "test mail failed", "request_id", requestID(ctx), "err", err)
		return &templates.TestResult{Message: i18n.T(ctx, "h2.mail.test_failed", err.Error())}
	}
	return &templates.TestResult{OK: true, Message: i18n.T(ctx, "h2.mail.test_sent", to)}
}
