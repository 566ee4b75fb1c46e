package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// Command is a change queued for Partner Center (the outbox); package
// commerce writes and delivers them.
type Command = db.Command

// Command returns one outbox command, for pages polling its status.
func (s *Store) Command(ctx context.Context, id int64) (Command, error) {
	c, err := s.Q.GetCommand(ctx, s.Pool, id)
	if err != nil {
		return c, fmt.Errorf("command %d: %w", id, mapErr(err))
	}
	return c, nil
}

// SetCommandPayload keeps the exact request a command's first attempt
// built, so every retry sends the same bytes.
func (s *Store) SetCommandPayload(ctx context.Context, id int64, payload json.RawMessage) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE commands SET payload = $2, updated_at = now() WHERE id = $1`, id, payload); err != nil {
		return fmt.Errorf("save command %d payload: %w", id, mapErr(err))
	}
	return nil
}

// CommandDelivery is a command with what River knows of its job, for pages
// saying where its delivery stands (rules.StateOfDelivery).
type CommandDelivery struct {
	Command
	JobState     string // River's job state; "" when the job is gone
	JobAttempt   int
	ScheduledAt  time.Time
	AttemptedAt  time.Time // zero before River's first attempt
	JobLastError string
}

// CommandDelivery reads command id and its River job (River's table is
// only read here, never written).
func (s *Store) CommandDelivery(ctx context.Context, id int64) (CommandDelivery, error) {
	c, err := s.Command(ctx, id)
	if err != nil || c.RiverJobID == nil {
		return CommandDelivery{Command: c}, err
	}
	d := CommandDelivery{Command: c}
	var attempted *time.Time
	err = s.Pool.QueryRow(ctx, `SELECT state::text, attempt, scheduled_at, attempted_at,
		coalesce(errors[array_length(errors, 1)]->>'error', '') FROM river_job WHERE id = $1`, *c.RiverJobID).
		Scan(&d.JobState, &d.JobAttempt, &d.ScheduledAt, &attempted, &d.JobLastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("command %d job: %w", id, mapErr(err))
	}
	if attempted != nil {
		d.AttemptedAt = *attempted
	}
	return d, nil
}
