package store

import (
	"context"
	"encoding/json"
	"fmt"

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
