package commerce

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// The auto-approval policy of customers' seat requests (issue 21): admins
// set it for every customer and per customer (off by default); a seat
// request that fits is approved at once by approveSeats, the staff's own
// approval, as PolicyActor.

// SaveSeatPolicy stores the policy for customer (nil: every customer)
// from the admins' form, audited; problems come back by form field.
func (s *Service) SaveSeatPolicy(ctx context.Context, by Actor, customer *uuid.UUID, in rules.SeatPolicyInput) (map[string]string, error) {
	p, problems := rules.CheckSeatPolicy(in)
	if problems != nil {
		return problems, nil
	}
	limit := func(n int) *int32 {
		if n == 0 {
			return nil
		}
		v := int32(n)
		return &v
	}
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		if customer != nil {
			if _, err := s.st.Q.CustomerHeader(ctx, tx, *customer); errors.Is(store.MapErr(err), store.ErrNotFound) {
				problems = map[string]string{"customer": "Choose one of your customers, or all customers."}
				return nil
			} else if err != nil {
				return fmt.Errorf("customer %s: %w", customer, err)
			}
		}
		if err := s.st.Q.UpsertSeatPolicy(ctx, tx, db.UpsertSeatPolicyParams{CustomerID: customer, Enabled: p.Enabled,
			MaxPerRequest: limit(p.MaxPerRequest), MaxPerMonth: limit(p.MaxPerMonth), UpdatedBy: by.UserID, UpdatedLabel: by.Label,
			UpdatedAt: s.now()}); err != nil {
			return fmt.Errorf("save seat policy: %w", err)
		}
		return s.auditSeatPolicy(ctx, tx, by, "seat_policy.saved", customer, rules.SeatPolicySummary(p))
	})
	return problems, err
}

// RemoveSeatPolicy removes customer's own policy, audited, so the policy
// for every customer applies to them again (store.ErrNotFound: none).
func (s *Service) RemoveSeatPolicy(ctx context.Context, by Actor, customer uuid.UUID) error {
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		n, err := s.st.Q.DeleteSeatPolicy(ctx, tx, &customer)
		if err != nil {
			return fmt.Errorf("remove seat policy of %s: %w", customer, err)
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return s.auditSeatPolicy(ctx, tx, by, "seat_policy.removed", &customer, "the policy for every customer applies")
	})
}

func (s *Service) auditSeatPolicy(ctx context.Context, tx pgx.Tx, by Actor, action string, customer *uuid.UUID, detail string) error {
	target := "all"
	if customer != nil {
		target = customer.String()
	}
	return s.st.AuditTx(ctx, tx, store.AuditEntry{ActorUserID: by.UserID, Actor: by.Label, Action: action,
		TargetType: "seat_policy", TargetID: target, CustomerID: customer, Detail: detail})
}

// checkPolicyTx says why the policy does not approve seat request r now
// ("" when it does), with the policy that applies; it holds the
// customer's policy lock until the transaction ends.
func (s *Service) checkPolicyTx(ctx context.Context, tx pgx.Tx, r store.SupportRequest) (rules.SeatPolicy, string, error) {
	var p rules.SeatPolicy
	if err := s.st.Q.LockSeatPolicyOfCustomer(ctx, tx, r.CustomerID); err != nil {
		return p, "", fmt.Errorf("lock seat policy of %s: %w", r.CustomerID, err)
	}
	row, err := s.st.Q.SeatPolicyOf(ctx, tx, &r.CustomerID)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, rules.CheckAutoApproval(p, 0, 0, 0), nil
	}
	if err != nil {
		return p, "", fmt.Errorf("seat policy of %s: %w", r.CustomerID, err)
	}
	p.Enabled = row.Enabled
	if row.MaxPerRequest != nil {
		p.MaxPerRequest = int(*row.MaxPerRequest)
	}
	if row.MaxPerMonth != nil {
		p.MaxPerMonth = int(*row.MaxPerMonth)
	}
	now := s.now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	used, err := s.st.Q.AutoApprovedSeatsSince(ctx, tx, db.AutoApprovedSeatsSinceParams{CustomerID: r.CustomerID, Since: &month})
	if err != nil {
		return p, "", fmt.Errorf("seats auto-approved for %s: %w", r.CustomerID, err)
	}
	return p, rules.CheckAutoApproval(p, int(*r.CurrentSeats), int(*r.RequestedSeats), int(used)), nil
}

// policyOn reports whether an enabled auto-approval policy applies to
// customer, so a new seat request may be approved without staff.
func (s *Service) policyOn(ctx context.Context, tx pgx.Tx, customer uuid.UUID) (bool, error) {
	row, err := s.st.Q.SeatPolicyOf(ctx, tx, &customer)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("seat policy of %s: %w", customer, err)
	}
	return row.Enabled, nil
}

// seatReviewDelay is how long after a seat request its review job runs:
// by then RequestSeats has decided it, unless the process died.
const seatReviewDelay = 30 * time.Second

// SeatReviewArgs is the River job, queued with a seat request the policy
// may approve, that finishes what RequestSeats began: the policy's
// decision and, when the request still waits, the staff's mail.
type SeatReviewArgs struct {
	RequestID int64  `json:"request_id" river:"unique"`
	Base      string `json:"base"`
}

// Kind is River's job kind.
func (SeatReviewArgs) Kind() string { return "commerce.seat_review" }

// InsertOpts makes the job unique per request.
func (SeatReviewArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type seatReviewWorker struct {
	river.WorkerDefaults[SeatReviewArgs]
	s *Service
}

func (w *seatReviewWorker) Work(ctx context.Context, job *river.Job[SeatReviewArgs]) error {
	a := job.Args
	if w.s.autoApprove(ctx, a.Base, a.RequestID) {
		return nil
	}
	return w.s.mailStaffIfWaiting(ctx, a.Base, a.RequestID)
}
