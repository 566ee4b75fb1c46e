package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// Auto-approval of seat requests (issue 21): the admins' policy page and
// what a customer may see of their ticket's escalation to Microsoft. The
// policy's writes are commerce's (commerce/seatpolicy.go).

// SeatPolicyRow is one policy: for every customer (CustomerID nil) or one.
type SeatPolicyRow = db.SeatPoliciesRow

// SeatPolicyCustomer is a customer an admin can give their own policy.
type SeatPolicyCustomer = db.SeatPolicyCustomersRow

// SeatPolicyView is the admins' policy page.
type SeatPolicyView struct {
	Policies  []SeatPolicyRow
	Customers []SeatPolicyCustomer
}

// SeatPolicyPage reads the admins' policy page.
func (s *Store) SeatPolicyPage(ctx context.Context) (SeatPolicyView, error) {
	var v SeatPolicyView
	var err error
	if v.Policies, err = s.Q.SeatPolicies(ctx, s.Pool); err != nil {
		return v, fmt.Errorf("seat policies: %w", mapErr(err))
	}
	if v.Customers, err = s.Q.SeatPolicyCustomers(ctx, s.Pool); err != nil {
		return v, fmt.Errorf("seat policy customers: %w", mapErr(err))
	}
	return v, nil
}

// CustomerEscalation is what a customer sees of their ticket's service
// request with Microsoft: whether it was filed and PC's status. PC's
// notes, topic, severity, request id and delivery errors are never read
// for a customer.
type CustomerEscalation struct {
	CommandStatus string // the filing's delivery: pending, delivering, succeeded, failed
	Status        string // PC's: none, open, attention_needed, closed ("" before the sync)
	LastModified  *time.Time
}

// CustomerEscalationOf returns customer's ticket id's escalation, nil when
// it was not escalated (or is another customer's).
func (s *Store) CustomerEscalationOf(ctx context.Context, customer uuid.UUID, id int64) (*CustomerEscalation, error) {
	r, err := s.Q.CustomerEscalation(ctx, s.Pool, db.CustomerEscalationParams{ID: id, CustomerID: customer})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("escalation of support request %d of %s: %w", id, customer, mapErr(err))
	}
	return &CustomerEscalation{CommandStatus: r.CommandStatus, Status: r.PcStatus, LastModified: r.PcLastModified}, nil
}
