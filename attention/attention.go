// Package attention finds what staff must act on (renewals with unassigned
// seats or at a new price, subscriptions ending, suspended ones nearing
// disablement or deletion, reduce windows closing, orders and changes
// Partner Center refused or that wait for a partner admin's sign-in, the
// partner admin's sign-in running out, removed relationships, failed syncs
// and drift) and mails it ahead of its deadline. Events that
// need no action (a monthly roll-over that renews as it is) are never
// items.
//
// A River job evaluates every few minutes: over everything once an hour,
// otherwise only the customers whose mirrored rows changed since the last
// run (store.EvaluateAttention is set-based SQL). Another sends the due
// alerts: one digest per recipient per day, and at once for a reduce
// window closing within a day; each item reaches a recipient once per lead
// time (alert_deliveries).
package attention

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/store"
)

// Rules of the evaluation.
const (
	// Horizon is how far ahead renewals, endings and suspensions are
	// flagged (the longest default lead time).
	Horizon = 30 * 24 * time.Hour
	// tokenLife is how long PC keeps a partner admin's refresh token that
	// is not used (Entra: 90 days, sliding); tokenWarn flags it this early.
	tokenLife = 90 * 24 * time.Hour
	tokenWarn = 14 * 24 * time.Hour
	// failedWithin bounds how old a refused command still needs attention.
	failedWithin = 14 * 24 * time.Hour
	// fullEvery is how often the evaluation runs over everything (deadlines
	// come closer without any row changing).
	fullEvery = time.Hour
)

// Deps is what the service needs.
type Deps struct {
	Store   *store.Store
	Mail    *mail.Service
	BaseURL string // links in mails
	Logger  *slog.Logger
	Now     func() time.Time // the portal's clock (the sandbox's in tests)
	// EvaluateEvery and NotifyEvery are the periods of the jobs [5m, 1h].
	EvaluateEvery, NotifyEvery time.Duration
}

// Service evaluates and notifies.
type Service struct {
	st   *store.Store
	mail *mail.Service
	base string
	log  *slog.Logger
	now  func() time.Time
	eval time.Duration
	note time.Duration
}

// New validates d.
func New(d Deps) (*Service, error) {
	if d.Store == nil || d.Mail == nil {
		return nil, errors.New("attention: Store and Mail are required")
	}
	s := &Service{st: d.Store, mail: d.Mail, base: strings.TrimRight(d.BaseURL, "/"), log: cmp.Or(d.Logger, slog.Default()), now: d.Now,
		eval: cmp.Or(d.EvaluateEvery, 5*time.Minute), note: cmp.Or(d.NotifyEvery, time.Hour)}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

func (s *Service) params(customers []uuid.UUID) store.AttentionParams {
	return store.AttentionParams{Now: s.now().UTC().Truncate(time.Microsecond), Horizon: Horizon, Customers: customers,
		TokenLife: tokenLife, TokenWarn: tokenWarn, FailedWithin: failedWithin}
}

// Evaluate runs the evaluation over everything.
func (s *Service) Evaluate(ctx context.Context) (int, error) {
	return s.st.EvaluateAttention(ctx, s.params(nil))
}

// EvaluateChanged runs the evaluation over everything when the last full
// one is older than an hour, else over the customers whose mirrored rows
// changed since the last run only.
func (s *Service) EvaluateChanged(ctx context.Context) (int, error) {
	last, full, err := s.st.AttentionEvaluated(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	if last == nil || full == nil || now.Sub(*full) >= fullEvery || now.Before(*full) {
		return s.Evaluate(ctx)
	}
	changed, err := s.st.CustomersChangedSince(ctx, *last)
	if err != nil {
		return 0, err
	}
	if len(changed) == 0 {
		return 0, nil
	}
	return s.st.EvaluateAttention(ctx, s.params(changed))
}

// Due is the time up to which open items are due enough to list: now
// plus Horizon (store.Store.Dashboard reads them).
func (s *Service) Due() time.Time { return s.now().Add(Horizon) }

// Dismiss dismisses an open item (audited); false when there is none.
func (s *Service) Dismiss(ctx context.Context, id int64, by store.Actor) (bool, error) {
	return s.st.DismissAttention(ctx, id, by)
}

// Notify mails the due alerts: those of immediate kinds one by one, the
// others in one digest per recipient per day. An alert is recorded as
// mailed in the transaction that queues its mail.
func (s *Service) Notify(ctx context.Context) (int, error) {
	due, err := s.st.DueAlerts(ctx, s.now())
	if err != nil {
		return 0, err
	}
	digests := map[string][]store.DueAlert{}
	sent := 0
	for _, a := range due {
		if !a.Immediate {
			digests[a.Recipient] = append(digests[a.Recipient], a)
			continue
		}
		m := mail.Alert(a.Recipient, s.view(a))
		m.Key = fmt.Sprintf("alert:%d:%d:%s", a.ItemID, a.Lead, a.Recipient)
		if ok, err := s.queue(ctx, m, []store.DueAlert{a}); err != nil {
			return sent, err
		} else if ok {
			sent++
		}
	}
	day := s.now().UTC().Format("2006-01-02")
	for to, alerts := range digests {
		views := make([]mail.AlertView, len(alerts))
		for i, a := range alerts {
			views[i] = s.view(a)
		}
		m := mail.Digest(to, day, views, s.base+"/")
		m.Key = "digest:" + day + ":" + to
		if ok, err := s.queue(ctx, m, alerts); err != nil {
			return sent, err
		} else if ok {
			sent++
		}
	}
	return sent, nil
}

// queue queues m and records its alerts as mailed, together; nothing is
// recorded when a mail with m's key went out before (today's digest).
func (s *Service) queue(ctx context.Context, m mail.Message, alerts []store.DueAlert) (bool, error) {
	var queued bool
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if queued, err = s.mail.Queue(ctx, tx, m); err != nil || !queued {
			return err
		}
		return s.st.RecordAlertDeliveries(ctx, tx, alerts)
	})
	return queued, err
}

func (s *Service) view(a store.DueAlert) mail.AlertView {
	v := mail.AlertView{Title: Title(a.Kind), Reason: a.Reason, Customer: a.CustomerName, Link: s.base + a.Href}
	if a.Deadline != nil {
		v.Due = a.Deadline.UTC().Format("Mon 2 Jan 2006")
	}
	return v
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Kinds are the events, in the order the alert settings list them.
var Kinds = []string{"window_closing", "renewal_unassigned", "renewal_price", "ending", "suspended", "command_failed", "consent_waiting",
	"token_expiring", "relationship_removed", "sync_failed", "drift"}

// Title names a kind of event in words.
func Title(kind string) string {
	switch kind {
	case "renewal_unassigned":
		return "Renewal with unassigned seats"
	case "renewal_price":
		return "Renewal at a new price"
	case "ending":
		return "Subscription ending (auto-renew off)"
	case "suspended":
		return "Suspended subscription nearing its end"
	case "window_closing":
		return "Seat reduction window closing"
	case "command_failed":
		return "Refused by Partner Center"
	case "consent_waiting":
		return "Waiting for a partner admin's sign-in"
	case "token_expiring":
		return "Partner admin's sign-in ending"
	case "relationship_removed":
		return "Relationship removed by the customer"
	case "sync_failed":
		return "Sync failed"
	case "drift":
		return "Changes made outside the portal"
	}
	return kind
}
