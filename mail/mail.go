// Package mail sends the portal's email. A use case queues a Message in
// its own transaction (Queue): the outbox row (body sealed, a stable
// Message-ID, an optional dedupe key for "one mail per event") and the
// River job that sends it. The job sends through the SMTP server of the
// settings page (go-mail), retrying while the server is down; nothing is
// sent inline in a request, and a sent mail's body is erased.
package mail

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// ErrNotConfigured means no SMTP server is set on the settings page yet:
// mail waits in the outbox until one is.
var ErrNotConfigured = errors.New("no SMTP server is configured")

// Message is one mail to send.
type Message struct {
	To      []string
	Subject string
	Text    string // plain text, always
	HTML    string // the same as HTML, optional
	// Kind names what it is (invitation, password_reset, welcome, alert,
	// test), for the outbox and metrics.
	Kind string
	// Key, when set, makes the mail one per event: a second Queue with the
	// same key queues nothing.
	Key string
}

// SMTP is where and how mail is sent.
type SMTP struct {
	Host     string
	Port     int
	Security string // none, starttls, tls
	Username string
	Password string
	From     string
	FromName string
}

// Configured reports whether mail can be sent.
func (c SMTP) Configured() bool { return c.Host != "" && c.Port > 0 && c.From != "" }

// Deps is what the mailer needs.
type Deps struct {
	Store  *store.Store
	Box    *secrets.Box // opens the stored SMTP password
	Logger *slog.Logger
	// Hostname is the domain of Message-IDs [portal.invalid].
	Hostname string
}

// Service queues and sends mail.
type Service struct {
	st    *store.Store
	box   *secrets.Box
	log   *slog.Logger
	host  string
	river *river.Client[pgx.Tx]
}

// New validates d.
func New(d Deps) (*Service, error) {
	if d.Store == nil {
		return nil, errors.New("mail: a Store is required")
	}
	s := &Service{st: d.Store, box: d.Box, log: cmp.Or(d.Logger, slog.Default()), host: cmp.Or(d.Hostname, "portal.invalid")}
	rc, err := river.NewClient(riverpgxv5.New(d.Store.Pool), &river.Config{Logger: s.log.With("component", "river")})
	if err != nil {
		return nil, fmt.Errorf("mail: river inserter: %w", err)
	}
	s.river = rc
	return s, nil
}

// body is what the outbox keeps sealed.
type body struct {
	Text string `json:"text"`
	HTML string `json:"html,omitempty"`
}

// Queue queues m inside tx (the transaction of the change that sends it).
// It reports false when a mail with m.Key was queued before.
func (s *Service) Queue(ctx context.Context, tx pgx.Tx, m Message) (bool, error) {
	if len(m.To) == 0 || m.Subject == "" || m.Text == "" {
		return false, fmt.Errorf("mail %s: recipients, subject and text are required", m.Kind)
	}
	if s.box == nil {
		return false, errors.New("mail: no secret key to seal the body")
	}
	raw, err := json.Marshal(body{Text: m.Text, HTML: m.HTML})
	if err != nil {
		return false, err
	}
	var key *string
	if m.Key != "" {
		key = &m.Key
	}
	id, err := s.st.Q.InsertMail(ctx, tx, db.InsertMailParams{Kind: cmp.Or(m.Kind, "mail"), DedupeKey: key, Recipients: m.To,
		Subject: m.Subject, BodyEnc: s.box.Seal(string(raw)), MessageID: s.messageID()})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("queue mail %s: %w", m.Kind, err)
	}
	if _, err := s.river.InsertTx(ctx, tx, SendArgs{MailID: id}, nil); err != nil {
		return false, fmt.Errorf("queue mail %s: job: %w", m.Kind, err)
	}
	return true, nil
}

// messageID is a fresh Message-ID; the outbox keeps it so every retry of
// the same mail carries the same one (mail clients drop duplicates).
func (s *Service) messageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "<" + hex.EncodeToString(b) + "@" + s.host + ">"
}

// Settings reads the SMTP server from the settings row.
func (s *Service) Settings(ctx context.Context) (SMTP, error) {
	st, err := s.st.Settings(ctx)
	if err != nil {
		return SMTP{}, err
	}
	c := SMTP{Host: st.SmtpHost, Port: int(st.SmtpPort), Security: st.SmtpSecurity, Username: st.SmtpUsername,
		From: st.SmtpFrom, FromName: st.SmtpFromName}
	if len(st.SmtpPasswordEnc) > 0 {
		if s.box == nil {
			return c, errors.New("mail: no secret key to open the SMTP password")
		}
		if c.Password, err = s.box.Open(st.SmtpPasswordEnc); err != nil {
			return c, fmt.Errorf("mail: open the SMTP password: %w", err)
		}
	}
	return c, nil
}

// Send sends m now through c (the settings page's Test button; real mail
// goes through Queue). messageID "" makes one.
func (s *Service) Send(ctx context.Context, c SMTP, m Message, messageID string) error {
	if !c.Configured() {
		return ErrNotConfigured
	}
	msg := gomail.NewMsg()
	if err := msg.FromFormat(c.FromName, c.From); err != nil {
		return &PermanentError{Err: fmt.Errorf("from address %q: %w", c.From, err)}
	}
	if err := msg.To(m.To...); err != nil {
		return &PermanentError{Err: fmt.Errorf("recipients: %w", err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.Trim(cmp.Or(messageID, s.messageID()), "<>"))
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	opts := []gomail.Option{gomail.WithPort(c.Port), gomail.WithTimeout(30 * time.Second)}
	switch c.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(c.Username), gomail.WithPassword(c.Password))
	}
	client, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("SMTP settings: %w", err)}
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if permanentSMTP(err) {
			return &PermanentError{Err: err}
		}
		return err
	}
	return nil
}

// PermanentError is a refusal no retry can fix (an invalid address, a
// recipient the server rejects for good).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }

func (e *PermanentError) Unwrap() error { return e.Err }

// permanentSMTP reports a 5xx answer to the sender, a recipient or the
// message: the server refuses it for good (4xx answers, a server down and
// network errors are retried).
func permanentSMTP(err error) bool {
	var se *gomail.SendError
	if !errors.As(err, &se) || se.IsTemp() {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		return true
	}
	return false
}
