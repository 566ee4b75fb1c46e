package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/store/db"
)

// SendArgs is the River job that sends one queued mail.
type SendArgs struct {
	MailID int64 `json:"mail_id"`
}

// Kind is River's job kind.
func (SendArgs) Kind() string { return "mail.send" }

// InsertOpts retries for about two days: a mail server down for
// maintenance, or no server configured yet, delays mail without losing it.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 40} }

// AddWorkers registers the send worker (a jobs.Part).
func (s *Service) AddWorkers(ws *river.Workers) { river.AddWorker(ws, &sendWorker{s: s}) }

// PeriodicJobs: none; every mail has its own job.
func (s *Service) PeriodicJobs() []*river.PeriodicJob { return nil }

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	s *Service
}

// NextRetry backs off from 5 s, doubling, to at most 30 minutes.
func (w *sendWorker) NextRetry(job *river.Job[SendArgs]) time.Time {
	d := 5 * time.Second << min(job.Attempt, 10)
	return time.Now().Add(min(d, 30*time.Minute))
}

func (w *sendWorker) Timeout(*river.Job[SendArgs]) time.Duration { return 2 * time.Minute }

func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	s := w.s
	m, err := s.st.Q.StartMailAttempt(ctx, s.st.Pool, job.Args.MailID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // sent already, or failed for good
	}
	if err != nil {
		return fmt.Errorf("mail %d: %w", job.Args.MailID, err)
	}
	log := s.log.With("mail", m.ID, "kind", m.Kind, "attempt", m.Attempts)
	err = s.deliver(ctx, m)
	bg := context.WithoutCancel(ctx)
	var perm *PermanentError
	switch {
	case err == nil:
		if err := s.st.Q.MailSent(bg, s.st.Pool, m.ID); err != nil {
			return fmt.Errorf("mail %d sent, not recorded: %w", m.ID, err)
		}
		log.Info("mail sent")
		return nil
	case errors.As(err, &perm) || job.Attempt >= job.MaxAttempts:
		log.Warn("mail not sent", "err", err)
		if ferr := s.st.Q.MailFailed(bg, s.st.Pool, db.MailFailedParams{ID: m.ID, LastError: err.Error()}); ferr != nil {
			return ferr
		}
		return nil
	default:
		log.Info("mail will be retried", "err", err)
		if rerr := s.st.Q.MailRetry(bg, s.st.Pool, db.MailRetryParams{ID: m.ID, LastError: err.Error()}); rerr != nil {
			log.Warn("mail retry not recorded", "err", rerr)
		}
		return err
	}
}

// deliver opens the sealed body and sends it with the mail's Message-ID.
func (s *Service) deliver(ctx context.Context, m db.MailOutbox) error {
	c, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if !c.Configured() {
		return ErrNotConfigured
	}
	if s.box == nil || len(m.BodyEnc) == 0 {
		return &PermanentError{Err: errors.New("the mail's body cannot be opened")}
	}
	plain, err := s.box.Open(m.BodyEnc)
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("open body: %w", err)}
	}
	var b body
	if err := json.Unmarshal([]byte(plain), &b); err != nil {
		return &PermanentError{Err: fmt.Errorf("body: %w", err)}
	}
	return s.Send(ctx, c, Message{To: m.Recipients, Subject: m.Subject, Text: b.Text, HTML: b.HTML, Kind: m.Kind}, m.MessageID)
}
