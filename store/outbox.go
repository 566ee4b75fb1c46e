package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store/db"
)

// Command is a change queued for Partner Center (the outbox); see
// mirror.Enqueue for writing one.
type Command = db.Command

// Command returns one outbox command, for pages polling its status.
func (s *Store) Command(ctx context.Context, id int64) (Command, error) {
	c, err := s.Q.GetCommand(ctx, s.Pool, id)
	if err != nil {
		return c, fmt.Errorf("command %d: %w", id, mapErr(err))
	}
	return c, nil
}

// CustomerCommands returns a customer's latest commands, newest first.
func (s *Store) CustomerCommands(ctx context.Context, customerID uuid.UUID, max int) ([]Command, error) {
	c, err := s.Q.ListCustomerCommands(ctx, s.Pool, db.ListCustomerCommandsParams{CustomerID: &customerID, Max: int32(max)})
	if err != nil {
		return nil, fmt.Errorf("commands of customer %s: %w", customerID, err)
	}
	return c, nil
}

// RecentCommands returns the latest commands, newest first.
func (s *Store) RecentCommands(ctx context.Context, max int) ([]Command, error) {
	c, err := s.Q.ListCommands(ctx, s.Pool, int32(max))
	if err != nil {
		return nil, fmt.Errorf("recent commands: %w", err)
	}
	return c, nil
}

// OpenCommands returns the commands still pending or being delivered for a
// target (a subscription or order id), so a page can show "change pending".
func (s *Store) OpenCommands(ctx context.Context, targetID string) ([]Command, error) {
	c, err := s.Q.OpenCommandsForTarget(ctx, s.Pool, targetID)
	if err != nil {
		return nil, fmt.Errorf("open commands of %s: %w", targetID, err)
	}
	return c, nil
}
