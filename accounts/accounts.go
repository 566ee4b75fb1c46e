// Package accounts is the write side of the portal's own accounts: staff
// users created by an admin (with a welcome mail) and password resets for
// local accounts (a one-time, hashed, one-hour link by mail, no account
// enumeration). Each write is one transaction with its audit entry and the
// mail it sends (package mail's outbox).
package accounts

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// ResetTTL is how long a password reset link works.
const ResetTTL = time.Hour

// resetsPerHour bounds the reset mails one account gets in an hour.
const resetsPerHour = 3

// Deps is what the account writes need.
type Deps struct {
	Store   *store.Store
	Mail    *mail.Service
	BaseURL string // links in mails
	Logger  *slog.Logger
	Now     func() time.Time
}

// Service runs the account writes.
type Service struct {
	st   *store.Store
	mail *mail.Service
	base string
	log  *slog.Logger
	now  func() time.Time
}

// New validates d.
func New(d Deps) (*Service, error) {
	if d.Store == nil || d.Mail == nil || d.BaseURL == "" {
		return nil, errors.New("accounts: Store, Mail and BaseURL are required")
	}
	s := &Service{st: d.Store, mail: d.Mail, base: strings.TrimRight(d.BaseURL, "/"), log: cmp.Or(d.Logger, slog.Default()), now: d.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// CreateUser creates a staff user or admin and welcomes them by mail, in
// one transaction with its audit entry (store.ErrConflict for an email in
// use).
func (s *Service) CreateUser(ctx context.Context, by store.Actor, u store.NewUser) (store.User, error) {
	var created store.User
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if created, err = s.st.CreateUserTx(ctx, tx, u); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, by, "user.created", created.ID, map[string]any{"email": created.Email, "role": created.Role}); err != nil {
			return err
		}
		_, err = s.mail.Queue(ctx, tx, mail.Welcome(i18n.From(ctx), created.Email, created.Role, s.base+"/login"))
		return err
	})
	return created, err
}

// RequestPasswordReset mails a one-time link to set a new password to the
// local account with email, if there is one; an account that signs in with
// its organisation gets a mail saying so; an unknown or disabled address
// gets nothing. The caller answers the same whatever happened, so the
// answer does not tell whether an account exists.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	u, err := s.st.UserByEmail(ctx, strings.TrimSpace(email))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if u.DisabledAt != nil {
		return nil
	}
	now := s.now()
	n, err := s.st.Q.RecentPasswordResets(ctx, s.st.Pool, db.RecentPasswordResetsParams{UserID: u.ID, Since: now.Add(-time.Hour)})
	if err != nil {
		return fmt.Errorf("recent resets: %w", err)
	}
	if n >= resetsPerHour {
		s.log.InfoContext(ctx, "password reset not sent: too many in an hour", "user_id", u.ID)
		return nil
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		if err := s.st.Q.CreatePasswordReset(ctx, tx, db.CreatePasswordResetParams{UserID: u.ID, TokenHash: TokenHash(token),
			ExpiresAt: now.Add(ResetTTL)}); err != nil {
			return fmt.Errorf("password reset: %w", err)
		}
		l, ok := i18n.Parse(u.Language)
		if !ok {
			l = i18n.From(ctx) // the language the reset was asked in
		}
		m := mail.PasswordReset(l, u.Email, s.base+"/password/reset/"+token, ResetTTL)
		if u.PasswordHash == nil {
			m = mail.PasswordResetElsewhere(l, u.Email, s.base+"/login")
		}
		if _, err := s.mail.Queue(ctx, tx, m); err != nil {
			return err
		}
		return s.audit(ctx, tx, store.Actor{UserID: &u.ID, Label: u.Email}, "user.password_reset_requested", u.ID, nil)
	})
}

// TokenHash is what the store keeps of a reset token.
func TokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ErrResetInvalid: the link is unknown, used, expired, or its account
// disabled or without a password (all look the same).
var ErrResetInvalid = errors.New("password reset link not valid")

// PasswordReset is a usable reset link's account.
type PasswordReset struct {
	ID    int64
	Email string
}

// ValidReset returns the account of a usable reset token.
func (s *Service) ValidReset(ctx context.Context, token string) (PasswordReset, error) {
	r, err := s.st.Q.PasswordResetByToken(ctx, s.st.Pool, TokenHash(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return PasswordReset{}, ErrResetInvalid
	}
	if err != nil {
		return PasswordReset{}, fmt.Errorf("password reset: %w", err)
	}
	if r.UsedAt != nil || !s.now().Before(r.ExpiresAt) || r.DisabledAt != nil {
		return PasswordReset{}, ErrResetInvalid
	}
	return PasswordReset{ID: r.ID, Email: r.Email}, nil
}

// ResetPassword sets the password of a usable reset token's account to
// hash and uses the token up, in one transaction (ErrResetInvalid when it
// is not usable, also when another request used it first).
func (s *Service) ResetPassword(ctx context.Context, token, hash string) (store.User, error) {
	r, err := s.ValidReset(ctx, token)
	if err != nil {
		return store.User{}, err
	}
	var u store.User
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		n, err := s.st.Q.UsePasswordReset(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if n != 1 {
			return ErrResetInvalid
		}
		row, err := s.st.Q.PasswordResetByToken(ctx, tx, TokenHash(token))
		if err != nil {
			return err
		}
		if err := s.st.Q.SetUserPassword(ctx, tx, db.SetUserPasswordParams{ID: row.UserID, PasswordHash: &hash}); err != nil {
			return err
		}
		if u, err = s.st.Q.GetUser(ctx, tx, row.UserID); err != nil {
			return err
		}
		return s.audit(ctx, tx, store.Actor{UserID: &u.ID, Label: u.Email}, "user.password_reset", u.ID, nil)
	})
	return u, err
}

func (s *Service) audit(ctx context.Context, tx pgx.Tx, by store.Actor, action string, user int64, after any) error {
	return s.st.AuditTx(ctx, tx, store.AuditEntry{ActorUserID: by.UserID, Actor: cmp.Or(by.Label, "system"), Action: action,
		TargetType: "user", TargetID: strconv.FormatInt(user, 10), After: after})
}

// ClearSignInDelay forgets an account's failed sign-ins, lifting any delay
// the throttle put on it (an admin helping a colleague locked out by
// someone else's guesses); audited as user.sign_in_delay_cleared with the
// number of failures forgotten.
func (s *Service) ClearSignInDelay(ctx context.Context, by store.Actor, userID int64) (store.User, error) {
	var u store.User
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if u, err = s.st.Q.GetUser(ctx, tx, userID); err != nil {
			return err
		}
		n, err := s.st.Q.ClearLoginFailures(ctx, tx, u.Email)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, by, "user.sign_in_delay_cleared", u.ID, map[string]any{"email": u.Email, "failures": n})
	})
	if err != nil {
		return store.User{}, fmt.Errorf("clear sign-in delay of user %d: %w", userID, store.MapErr(err))
	}
	return u, nil
}
