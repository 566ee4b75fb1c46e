package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// Invitation is a staff invitation of a customer user.
type Invitation = db.Invitation

// ErrInvitationUsed means the invitation was accepted, revoked or expired.
var ErrInvitationUsed = errors.New("invitation no longer valid")

// CreateInvitation stores an invitation (only the token's hash) and audits
// it; then, when not nil, runs in the same transaction (to queue its mail).
func (s *Store) CreateInvitation(ctx context.Context, email string, customerID uuid.UUID, tokenHash []byte, expires time.Time, by Actor,
	then func(tx pgx.Tx, inv Invitation) error) (Invitation, error) {
	var inv Invitation
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		p := db.CreateInvitationParams{Email: strings.TrimSpace(email), CustomerID: &customerID, TokenHash: tokenHash, ExpiresAt: expires,
			CreatedBy: by.UserID}
		if inv, err = s.Q.CreateInvitation(ctx, tx, p); err != nil {
			return err
		}
		if err := s.auditTx(ctx, tx, by, "customer_user.invited", "invitation", fmt.Sprint(inv.ID), customerID, inv.Email); err != nil {
			return err
		}
		if then != nil {
			return then(tx, inv)
		}
		return nil
	})
	if err != nil {
		return inv, fmt.Errorf("invite %s to customer %s: %w", hashLabel(email), customerID, err)
	}
	return inv, nil
}

// InvitationByTokenHash returns the invitation with tokenHash, or ErrNotFound.
func (s *Store) InvitationByTokenHash(ctx context.Context, tokenHash []byte) (Invitation, error) {
	inv, err := s.Q.InvitationByTokenHash(ctx, s.Pool, tokenHash)
	if err != nil {
		return inv, fmt.Errorf("invitation by token: %w", mapErr(err))
	}
	return inv, nil
}

// InvitationsOfCustomer returns customerID's invitations, newest first.
func (s *Store) InvitationsOfCustomer(ctx context.Context, customerID uuid.UUID) ([]Invitation, error) {
	invs, err := s.Q.InvitationsOfCustomer(ctx, s.Pool, customerID)
	if err != nil {
		return nil, fmt.Errorf("invitations of customer %s: %w", customerID, mapErr(err))
	}
	return invs, nil
}

// AcceptInvitation creates the invited user (a customer user, or a
// reseller user for a reseller's invitation) with passwordHash and marks
// the invitation used, in one transaction. It returns ErrInvitationUsed
// when the invitation was accepted, revoked or expired meanwhile, and
// ErrConflict when the email already has an account.
func (s *Store) AcceptInvitation(ctx context.Context, inv Invitation, displayName, passwordHash string, now time.Time) (User, error) {
	var u User
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		p := db.CreateUserParams{Email: inv.Email, DisplayName: strings.TrimSpace(displayName), Role: RoleCustomer, PasswordHash: &passwordHash}
		if inv.ResellerID != nil {
			p.Role, p.ResellerID = RoleReseller, inv.ResellerID
		} else {
			via := "invitation"
			p.CustomerID, p.CustomerVia = inv.CustomerID, &via
		}
		var err error
		if u, err = s.Q.CreateUser(ctx, tx, p); err != nil {
			return mapErr(err)
		}
		n, err := s.Q.MarkInvitationAccepted(ctx, tx, db.MarkInvitationAcceptedParams{Now: now, UserID: u.ID, ID: inv.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrInvitationUsed
		}
		by := Actor{UserID: &u.ID, Label: u.Email}
		if inv.ResellerID != nil {
			return s.resellerAuditTx(ctx, tx, by, "reseller_user.invitation_accepted", "user", fmt.Sprint(u.ID), *inv.ResellerID)
		}
		return s.auditTx(ctx, tx, by, "customer_user.invitation_accepted", "user", fmt.Sprint(u.ID), *inv.CustomerID, "")
	})
	if err != nil {
		return u, fmt.Errorf("accept invitation %d: %w", inv.ID, err)
	}
	return u, nil
}

// RevokeInvitation cancels a pending invitation of customerID, or returns
// ErrNotFound when there is none with that id.
func (s *Store) RevokeInvitation(ctx context.Context, customerID uuid.UUID, id int64, by Actor, now time.Time) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		n, err := s.Q.RevokeInvitation(ctx, tx, db.RevokeInvitationParams{Now: now, ID: id, CustomerID: customerID})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.auditTx(ctx, tx, by, "customer_user.invitation_revoked", "invitation", fmt.Sprint(id), customerID, "")
	})
	if err != nil {
		return fmt.Errorf("revoke invitation %d: %w", id, err)
	}
	return nil
}

// hashLabel keeps emails out of error messages (they end up in logs).
func hashLabel(email string) string {
	if i := strings.IndexByte(email, '@'); i >= 0 {
		return "*" + email[i:]
	}
	return "*"
}
