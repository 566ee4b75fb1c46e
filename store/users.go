package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// User is a portal account (local or OIDC).
type User = db.User

// Roles a user can have.
const (
	RoleAdmin    = "admin"
	RoleStaff    = "staff"
	RoleCustomer = "customer"
	// RoleReseller is an indirect reseller's staff: bound to one reseller
	// (ResellerID), sees only that reseller's customers.
	RoleReseller = "reseller"
)

// NewUser is the input of CreateUser. PasswordHash is empty for OIDC-only
// accounts; CustomerID is set exactly when Role is RoleCustomer.
type NewUser struct {
	Email        string
	DisplayName  string
	Role         string
	PasswordHash string
	CustomerID   *uuid.UUID
	CustomerVia  string // "tenant" or "invitation" for customer users
	OIDCIssuer   string // set with OIDCSubject for accounts created at an OIDC sign-in
	OIDCSubject  string
	ResellerID   *uuid.UUID // set exactly when Role is RoleReseller
}

// CreateUser inserts a user. A duplicate email returns ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u NewUser) (User, error) {
	user, err := s.Q.CreateUser(ctx, s.Pool, u.params())
	if err != nil {
		return User{}, fmt.Errorf("create user %s: %w", strings.TrimSpace(u.Email), mapErr(err))
	}
	return user, nil
}

// CreateUserTx is CreateUser inside tx.
func (s *Store) CreateUserTx(ctx context.Context, tx pgx.Tx, u NewUser) (User, error) {
	user, err := s.Q.CreateUser(ctx, tx, u.params())
	if err != nil {
		return User{}, fmt.Errorf("create user %s: %w", strings.TrimSpace(u.Email), mapErr(err))
	}
	return user, nil
}

// ErrAdminExists means the first-run wizard's admin was created already.
var ErrAdminExists = errors.New("an admin already exists")

// CreateFirstAdmin creates the instance's first admin and moves the setup
// wizard to step, in one transaction under an advisory lock: one admin
// wins even if two browsers submit at once (the other gets ErrAdminExists).
func (s *Store) CreateFirstAdmin(ctx context.Context, u NewUser, step int) (User, error) {
	var user User
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(7264002)"); err != nil {
			return err
		}
		n, err := s.Q.CountAdmins(ctx, tx)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrAdminExists
		}
		if user, err = s.Q.CreateUser(ctx, tx, u.params()); err != nil {
			return err
		}
		return s.Q.SetSetupStep(ctx, tx, int32(step))
	})
	if err != nil {
		return User{}, fmt.Errorf("create first admin: %w", err)
	}
	return user, nil
}

func (u NewUser) params() db.CreateUserParams {
	p := db.CreateUserParams{
		Email:       strings.TrimSpace(u.Email),
		DisplayName: strings.TrimSpace(u.DisplayName),
		Role:        u.Role,
		CustomerID:  u.CustomerID,
		ResellerID:  u.ResellerID,
	}
	if u.PasswordHash != "" {
		p.PasswordHash = &u.PasswordHash
	}
	if u.CustomerVia != "" {
		p.CustomerVia = &u.CustomerVia
	}
	if u.OIDCIssuer != "" && u.OIDCSubject != "" {
		p.OidcIssuer, p.OidcSubject = &u.OIDCIssuer, &u.OIDCSubject
	}
	return p
}

// UserByID returns the user with id, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := s.Q.GetUser(ctx, s.Pool, id)
	if err != nil {
		return User{}, fmt.Errorf("get user %d: %w", id, mapErr(err))
	}
	return u, nil
}

// UserByEmail returns the user with email (case-insensitive), or ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := s.Q.GetUserByEmail(ctx, s.Pool, strings.TrimSpace(email))
	if err != nil {
		return User{}, fmt.Errorf("get user by email: %w", mapErr(err))
	}
	return u, nil
}

// UserByOIDC returns the user linked to (issuer, subject), or ErrNotFound.
func (s *Store) UserByOIDC(ctx context.Context, issuer, subject string) (User, error) {
	u, err := s.Q.GetUserByOIDC(ctx, s.Pool, db.GetUserByOIDCParams{OidcIssuer: &issuer, OidcSubject: &subject})
	if err != nil {
		return User{}, fmt.Errorf("get user by oidc subject: %w", mapErr(err))
	}
	return u, nil
}

// LinkUserOIDC records the (issuer, subject) a user signs in with.
func (s *Store) LinkUserOIDC(ctx context.Context, id int64, issuer, subject string) error {
	err := s.Q.LinkUserOIDC(ctx, s.Pool, db.LinkUserOIDCParams{ID: id, OidcIssuer: &issuer, OidcSubject: &subject})
	if err != nil {
		return fmt.Errorf("link user %d to oidc: %w", id, mapErr(err))
	}
	return nil
}

// CountAdmins returns the number of enabled admins.
func (s *Store) CountAdmins(ctx context.Context) (int64, error) {
	n, err := s.Q.CountAdmins(ctx, s.Pool)
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", mapErr(err))
	}
	return n, nil
}

// ListUsers returns every user, by role then email.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	us, err := s.Q.ListUsers(ctx, s.Pool)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", mapErr(err))
	}
	return us, nil
}

// SetUserPassword replaces a user's password hash.
func (s *Store) SetUserPassword(ctx context.Context, id int64, hash string) error {
	if err := s.Q.SetUserPassword(ctx, s.Pool, db.SetUserPasswordParams{ID: id, PasswordHash: &hash}); err != nil {
		return fmt.Errorf("set password of user %d: %w", id, mapErr(err))
	}
	return nil
}

// SetUserDisabled disables or re-enables a user.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	if err := s.Q.SetUserDisabled(ctx, s.Pool, db.SetUserDisabledParams{ID: id, Disabled: disabled}); err != nil {
		return fmt.Errorf("set user %d disabled=%t: %w", id, disabled, mapErr(err))
	}
	return nil
}

// TouchUserLogin records a successful sign-in.
func (s *Store) TouchUserLogin(ctx context.Context, id int64) error {
	if err := s.Q.TouchUserLogin(ctx, s.Pool, id); err != nil {
		return fmt.Errorf("touch login of user %d: %w", id, mapErr(err))
	}
	return nil
}

// CustomerForTenant returns the customer an Entra tenant is bound to, or
// ErrNotFound.
func (s *Store) CustomerForTenant(ctx context.Context, tenantID string) (uuid.UUID, error) {
	id, err := s.Q.CustomerForTenant(ctx, s.Pool, tenantID)
	if err != nil {
		return uuid.UUID{}, fmt.Errorf("customer for tenant %s: %w", tenantID, mapErr(err))
	}
	return id, nil
}

// BindCustomerTenant binds an Entra tenant to a customer.
func (s *Store) BindCustomerTenant(ctx context.Context, tenantID string, customerID uuid.UUID) error {
	err := s.Q.BindCustomerTenant(ctx, s.Pool, db.BindCustomerTenantParams{TenantID: tenantID, CustomerID: customerID})
	if err != nil {
		return fmt.Errorf("bind tenant %s: %w", tenantID, mapErr(err))
	}
	return nil
}

// SetUserLanguage stores the language a user chose ("" follows the
// browser).
func (s *Store) SetUserLanguage(ctx context.Context, id int64, lang string) error {
	if err := s.Q.SetUserLanguage(ctx, s.Pool, db.SetUserLanguageParams{ID: id, Language: lang}); err != nil {
		return fmt.Errorf("set user language: %w", mapErr(err))
	}
	return nil
}
