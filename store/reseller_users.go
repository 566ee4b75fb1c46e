package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// An indirect reseller's users, managed by the provider's staff on the
// reseller's page: invitations (the customer users' one-time links, bound
// to the reseller) and revocation.

// CreateResellerInvitation stores an invitation of a user of reseller
// (only the token's hash) and audits it; then, when not nil, runs in the
// same transaction (to queue its mail).
func (s *Store) CreateResellerInvitation(ctx context.Context, email string, reseller uuid.UUID, tokenHash []byte, expires time.Time, by Actor,
	then func(tx pgx.Tx, inv Invitation) error) (Invitation, error) {
	var inv Invitation
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		p := db.CreateResellerInvitationParams{Email: strings.TrimSpace(email), ResellerID: reseller, TokenHash: tokenHash, ExpiresAt: expires,
			CreatedBy: by.UserID}
		if inv, err = s.Q.CreateResellerInvitation(ctx, tx, p); err != nil {
			return mapErr(err)
		}
		if err := s.resellerAuditTx(ctx, tx, by, "reseller_user.invited", "invitation", fmt.Sprint(inv.ID), reseller); err != nil {
			return err
		}
		if then != nil {
			return then(tx, inv)
		}
		return nil
	})
	if err != nil {
		return inv, fmt.Errorf("invite %s to reseller %s: %w", hashLabel(email), reseller, err)
	}
	return inv, nil
}

// InvitationsOfReseller returns reseller's invitations, newest first.
func (s *Store) InvitationsOfReseller(ctx context.Context, reseller uuid.UUID) ([]Invitation, error) {
	invs, err := s.Q.InvitationsOfReseller(ctx, s.Pool, reseller)
	if err != nil {
		return nil, fmt.Errorf("invitations of reseller %s: %w", reseller, mapErr(err))
	}
	return invs, nil
}

// RevokeResellerInvitation cancels a pending invitation of reseller, or
// returns ErrNotFound when it has none with that id.
func (s *Store) RevokeResellerInvitation(ctx context.Context, reseller uuid.UUID, id int64, by Actor, now time.Time) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		n, err := s.Q.RevokeResellerInvitation(ctx, tx, db.RevokeResellerInvitationParams{Now: now, ID: id, ResellerID: reseller})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.resellerAuditTx(ctx, tx, by, "reseller_user.invitation_revoked", "invitation", fmt.Sprint(id), reseller)
	})
	if err != nil {
		return fmt.Errorf("revoke invitation %d of reseller %s: %w", id, reseller, err)
	}
	return nil
}

// UsersOfReseller returns reseller's users by email.
func (s *Store) UsersOfReseller(ctx context.Context, reseller uuid.UUID) ([]User, error) {
	us, err := s.Q.UsersOfReseller(ctx, s.Pool, reseller)
	if err != nil {
		return nil, fmt.Errorf("users of reseller %s: %w", reseller, mapErr(err))
	}
	return us, nil
}

// ResellerUser returns user id of reseller, or ErrNotFound when it does
// not exist or belongs to another reseller.
func (s *Store) ResellerUser(ctx context.Context, reseller uuid.UUID, id int64) (User, error) {
	u, err := s.Q.ResellerUser(ctx, s.Pool, db.ResellerUserParams{ID: id, ResellerID: reseller})
	if err != nil {
		return u, fmt.Errorf("user %d of reseller %s: %w", id, reseller, mapErr(err))
	}
	return u, nil
}

// RevokeResellerUser disables a user of reseller (signed out at the next
// request), or returns ErrNotFound when reseller has no such active user.
func (s *Store) RevokeResellerUser(ctx context.Context, reseller uuid.UUID, id int64, by Actor, now time.Time) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		n, err := s.Q.DisableResellerUser(ctx, tx, db.DisableResellerUserParams{Now: now, ID: id, ResellerID: reseller})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.resellerAuditTx(ctx, tx, by, "reseller_user.revoked", "user", fmt.Sprint(id), reseller)
	})
	if err != nil {
		return fmt.Errorf("revoke user %d of reseller %s: %w", id, reseller, err)
	}
	return nil
}

// resellerAuditTx audits a change to a reseller's users; the reseller is
// named in the detail (the audit log's scope column is for customers).
func (s *Store) resellerAuditTx(ctx context.Context, q db.DBTX, by Actor, action, targetType, targetID string, reseller uuid.UUID) error {
	return s.insertAudit(ctx, q, by, action, targetType, targetID, nil, "reseller "+reseller.String())
}
