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
	n, err := s.Q.InsertOnboarding(ctx, tx, db.InsertOnboardingParams{Token: o.Token, CreateCommandID: o.CreateCommandID,
		CompanyName: o.CompanyName, Domain: o.Domain, Agreement: o.Agreement, RequestedBy: o.RequestedBy})
	if err != nil {
		return false, fmt.Errorf("insert onboarding: %w", mapErr(err))
	}
	return n == 1, nil
}

// OnboardingByToken returns a submitted wizard by its idempotency token.
func (s *Store) OnboardingByToken(ctx context.Context, token uuid.UUID) (Onboarding, error) {
	o, err := s.Q.GetOnboarding(ctx, s.Pool, token)
	if err != nil {
		return o, fmt.Errorf("onboarding %s: %w", token, mapErr(err))
	}
	return o, nil
}

// OnboardingByCustomer returns the latest wizard that created customer id
// (found through its create command even before the wizard recorded it).
func (s *Store) OnboardingByCustomer(ctx context.Context, id uuid.UUID) (Onboarding, error) {
	o, err := s.Q.GetOnboardingByCustomer(ctx, s.Pool, id)
	if err != nil {
		return o, fmt.Errorf("onboarding of customer %s: %w", id, mapErr(err))
	}
	return o, nil
}

// SwapOnboardingAgreement records, inside tx, the customer the wizard
// created and the command accepting its agreement, if the wizard's current
// agreement command is still old (nil for none). It reports false when
// another request got there first; the caller then rolls back.
func (s *Store) SwapOnboardingAgreement(ctx context.Context, tx pgx.Tx, token, customerID uuid.UUID, old *int64, commandID int64) (bool, error) {
	n, err := s.Q.SwapOnboardingAgreement(ctx, tx, db.SwapOnboardingAgreementParams{Token: token, CustomerID: &customerID,
		CommandID: &commandID, OldCommandID: old})
	if err != nil {
		return false, fmt.Errorf("onboarding agreement command: %w", err)
	}
	return n == 1, nil
}
