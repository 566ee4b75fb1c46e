package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// CustomerHeader names a mirrored customer.
type CustomerHeader = db.CustomerHeaderRow

// Actor is who performs an action, as the audit trail names them.
type Actor struct {
	UserID *int64 // nil for the system
	Label  string // the user's email, or "system"
}

// CustomerHeader returns a customer's id, tenant and names, or ErrNotFound.
func (s *Store) CustomerHeader(ctx context.Context, id uuid.UUID) (CustomerHeader, error) {
	c, err := s.Q.CustomerHeader(ctx, s.Pool, id)
	if err != nil {
		return c, fmt.Errorf("customer %s: %w", id, mapErr(err))
	}
	return c, nil
}

// UsersOfCustomer returns the customer users bound to customerID.
func (s *Store) UsersOfCustomer(ctx context.Context, customerID uuid.UUID) ([]User, error) {
	us, err := s.Q.UsersOfCustomer(ctx, s.Pool, customerID)
	if err != nil {
		return nil, fmt.Errorf("users of customer %s: %w", customerID, mapErr(err))
	}
	return us, nil
}

// CustomerUser returns customer user id of customerID, or ErrNotFound when
// it does not exist or belongs to another customer.
func (s *Store) CustomerUser(ctx context.Context, customerID uuid.UUID, id int64) (User, error) {
	u, err := s.Q.CustomerUser(ctx, s.Pool, db.CustomerUserParams{ID: id, CustomerID: customerID})
	if err != nil {
		return u, fmt.Errorf("user %d of customer %s: %w", id, customerID, mapErr(err))
	}
	return u, nil
}

// TenantsOfCustomer returns the Entra tenants whose users may sign in to
// customerID's view (empty: tenant sign-in is off).
func (s *Store) TenantsOfCustomer(ctx context.Context, customerID uuid.UUID) ([]string, error) {
	ts, err := s.Q.TenantsOfCustomer(ctx, s.Pool, customerID)
	if err != nil {
		return nil, fmt.Errorf("tenants of customer %s: %w", customerID, mapErr(err))
	}
	return ts, nil
}

// RevokeCustomerUser disables customer user id of customerID (its sessions
// end on their next request) and records it in the audit trail. It returns
// ErrNotFound when there is no such enabled user of this customer.
func (s *Store) RevokeCustomerUser(ctx context.Context, customerID uuid.UUID, id int64, by Actor, now time.Time) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		n, err := s.Q.DisableCustomerUser(ctx, tx, db.DisableCustomerUserParams{Now: now, ID: id, CustomerID: customerID})
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		return s.auditTx(ctx, tx, by, "customer_user.revoked", "user", fmt.Sprint(id), customerID, "")
	})
	if err != nil {
		return fmt.Errorf("revoke user %d of customer %s: %w", id, customerID, err)
	}
	return nil
}

// SetTenantSignIn turns sign-in by Entra tenant on (binding tenantID to
// customerID, and restoring the users a previous "off" disabled) or off
// (removing the binding and disabling the users who came in through it),
// with an audit entry.
func (s *Store) SetTenantSignIn(ctx context.Context, customerID uuid.UUID, tenantID string, on bool, by Actor, now time.Time) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if on {
			if err := s.Q.BindCustomerTenant(ctx, tx, db.BindCustomerTenantParams{TenantID: tenantID, CustomerID: customerID}); err != nil {
				return err
			}
			n, err := s.Q.ReenableTenantUsers(ctx, tx, db.ReenableTenantUsersParams{Now: now, CustomerID: customerID})
			if err != nil {
				return err
			}
			return s.auditTx(ctx, tx, by, "customer_view.tenant_enabled", "customer", customerID.String(), customerID,
				fmt.Sprintf("tenant %s; %d tenant users restored", tenantID, n))
		}
		if _, err := s.Q.UnbindCustomerTenants(ctx, tx, customerID); err != nil {
			return err
		}
		n, err := s.Q.DisableTenantUsers(ctx, tx, db.DisableTenantUsersParams{Now: now, CustomerID: customerID})
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, by, "customer_view.tenant_disabled", "customer", customerID.String(), customerID,
			fmt.Sprintf("%d tenant users disabled", n))
	})
	if err != nil {
		return fmt.Errorf("tenant sign-in of customer %s: %w", customerID, err)
	}
	return nil
}

// ViewAsCustomer reads a customer's header for a staff user's view as the
// customer and writes the view's audit entry (page, the path viewed) in
// the same statement, once per session and customer: session is the
// session's token, of which the entry keeps only the SHA-256 (empty: an
// entry on every view). ErrNotFound when there is no such customer;
// nothing is recorded then.
func (s *Store) ViewAsCustomer(ctx context.Context, id uuid.UUID, by Actor, page, session string) (CustomerHeader, error) {
	p := db.ViewAsCustomerParams{ID: id, ActorUserID: by.UserID, Actor: by.Label, Detail: page}
	if session != "" {
		ref := tokenKey(session)
		p.SessionRef = &ref
	}
	r, err := s.Q.ViewAsCustomer(ctx, s.Pool, p)
	if err != nil {
		return CustomerHeader{}, fmt.Errorf("view as customer %s: %w", id, mapErr(err))
	}
	return CustomerHeader(r), nil
}

func (s *Store) auditTx(ctx context.Context, q db.DBTX, by Actor, action, targetType, targetID string, customerID uuid.UUID, detail string) error {
	return s.insertAudit(ctx, q, by, action, targetType, targetID, &customerID, detail)
}

// insertAudit writes a successful action's audit entry, scoped to
// customerID when not nil.
func (s *Store) insertAudit(ctx context.Context, q db.DBTX, by Actor, action, targetType, targetID string, customerID *uuid.UUID, detail string) error {
	p := db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: action, TargetType: targetType, TargetID: targetID,
		CustomerID: customerID, Outcome: "ok", Detail: detail}
	if _, err := s.Q.InsertAudit(ctx, q, p); err != nil {
		return fmt.Errorf("audit %s: %w", action, mapErr(err))
	}
	return nil
}
