package commerce

import (
	"context"

	"github.com/google/uuid"

	"github.com/jackc/pgx/v5"
)

// Enqueue queues cmd outside a use case, for the tests of delivery itself.
func (s *Service) Enqueue(ctx context.Context, cmd Command) (int64, error) {
	var id int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = s.enqueue(ctx, tx, cmd, 0)
		return err
	})
	return id, err
}

// RequestSeatsThenDie is RequestSeats in a process that dies right after
// storing the request, before the policy decided it.
func (s *Service) RequestSeatsThenDie(ctx context.Context, by Actor, base string, customer uuid.UUID, in SeatRequestInput) (int64, map[string]string, error) {
	return s.storeSeatRequest(ctx, by, base, customer, in)
}
