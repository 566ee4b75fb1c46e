package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// Onboarding is one submitted onboarding wizard (see migrations/00021).
type Onboarding = db.Onboarding

const onboardingCols = `token, create_command_id, agreement_command_id, customer_id, company_name, domain, agreement, requested_by, created_at`

// NewOnboarding is what InsertOnboarding writes.
type NewOnboarding struct {
	Token           uuid.UUID
	CreateCommandID int64
	CompanyName     string
	Domain          string
	Agreement       json.RawMessage
	RequestedBy     *int64
}

// InsertOnboarding records a submitted wizard inside tx. It reports false
// when the token was used already (a double submit), in which case the
// caller rolls back so its command is not queued twice.
func (s *Store) InsertOnboarding(ctx context.Context, tx pgx.Tx, o NewOnboarding) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO onboardings (token, create_command_id, company_name, domain, agreement, requested_by)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token) DO NOTHING`,
		o.Token, o.CreateCommandID, o.CompanyName, o.Domain, o.Agreement, o.RequestedBy)
	if err != nil {
		return false, fmt.Errorf("insert onboarding: %w", mapErr(err))
	}
	return tag.RowsAffected() == 1, nil
}

// OnboardingByToken returns a submitted wizard by its idempotency token.
func (s *Store) OnboardingByToken(ctx context.Context, token uuid.UUID) (Onboarding, error) {
	return s.oneOnboarding(ctx, `SELECT `+onboardingCols+` FROM onboardings WHERE token = $1`, token)
}

// OnboardingByCustomer returns the latest wizard that created customer id.
func (s *Store) OnboardingByCustomer(ctx context.Context, id uuid.UUID) (Onboarding, error) {
	return s.oneOnboarding(ctx, `SELECT `+onboardingCols+` FROM onboardings WHERE customer_id = $1
		OR create_command_id IN (SELECT c.id FROM commands c WHERE c.customer_id = $1 AND c.kind = 'create_customer' AND c.status = 'succeeded')
		ORDER BY created_at DESC LIMIT 1`, id)
}

func (s *Store) oneOnboarding(ctx context.Context, q string, arg any) (Onboarding, error) {
	rows, err := s.Pool.Query(ctx, q, arg)
	if err != nil {
		return Onboarding{}, fmt.Errorf("onboarding: %w", err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Onboarding])
	if err != nil {
		return o, fmt.Errorf("onboarding: %w", mapErr(err))
	}
	return o, nil
}

// SwapOnboardingAgreement records, inside tx, the customer the wizard
// created and the command accepting its agreement, if the wizard's current
// agreement command is still old (nil for none). It reports false when
// another request got there first; the caller then rolls back.
func (s *Store) SwapOnboardingAgreement(ctx context.Context, tx pgx.Tx, token, customerID uuid.UUID, old *int64, commandID int64) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE onboardings SET customer_id = $2, agreement_command_id = $4
		WHERE token = $1 AND agreement_command_id IS NOT DISTINCT FROM $3`, token, customerID, old, commandID)
	if err != nil {
		return false, fmt.Errorf("onboarding agreement command: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
