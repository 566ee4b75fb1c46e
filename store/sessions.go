package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// SessionRow is a live session as stored: its encoded data, its idle
// deadline (the row's expiry), and, for a signed-in user's session, that
// user as the users table has it now.
type SessionRow struct {
	Data   []byte
	Expiry time.Time
	// UserID is the signed-in user recorded with the session (0: none).
	UserID int64
	// User is UserID's current row; nil when UserID is 0.
	User *User
	// Instance is the settings every page reads, loaded with a signed-in
	// user's session; nil for an anonymous one.
	Instance *Instance
	// CustomerName is a customer user's customer as their pages name it
	// (company name, else domain), when CustomerFound: the user has a
	// customer and the mirror holds it.
	CustomerName  string
	CustomerFound bool
}

// Instance is what every page of a signed-in user reads from the settings:
// the partner mode (the Resellers entry of the menu), the cloud (what the
// pages offer) and the default language.
type Instance struct {
	PartnerMode     string
	Cloud           string
	DefaultLanguage string
}

// FindSession returns the live (unexpired) session with token, or
// ErrNotFound. A signed-in user's session and its user come back in one
// round trip; an anonymous one costs a second query.
func (s *Store) FindSession(ctx context.Context, token string) (SessionRow, error) {
	r, err := s.Q.FindUserSession(ctx, s.Pool, token)
	if err == nil {
		return SessionRow{Data: r.Data, Expiry: r.Expiry, UserID: r.User.ID, User: &r.User,
			Instance:     &Instance{PartnerMode: r.PartnerMode, Cloud: r.PcCloud, DefaultLanguage: r.DefaultLanguage},
			CustomerName: r.CustomerName, CustomerFound: r.CustomerFound}, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return SessionRow{}, fmt.Errorf("find session: %w", err)
	}
	a, err := s.Q.FindSession(ctx, s.Pool, token)
	if err != nil {
		return SessionRow{}, fmt.Errorf("find session: %w", mapErr(err))
	}
	if a.UserID != nil {
		// The user row went away between the two queries (deleting a user
		// deletes its sessions): the session is gone too.
		return SessionRow{}, fmt.Errorf("find session: %w", ErrNotFound)
	}
	return SessionRow{Data: a.Data, Expiry: a.Expiry}, nil
}

// CommitSession inserts or replaces the session with token. userID is the
// signed-in user (0: anonymous).
func (s *Store) CommitSession(ctx context.Context, token string, data []byte, expiry time.Time, userID int64) error {
	p := db.CommitSessionParams{Token: token, Data: data, Expiry: expiry}
	if userID != 0 {
		p.UserID = &userID
	}
	if err := s.Q.CommitSession(ctx, s.Pool, p); err != nil {
		return fmt.Errorf("commit session: %w", mapErr(err))
	}
	return nil
}

// DeleteSession deletes the session with token (no error if none).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if err := s.Q.DeleteSession(ctx, s.Pool, token); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// PruneSessions deletes the expired sessions.
func (s *Store) PruneSessions(ctx context.Context) error {
	if _, err := s.Pool.Exec(ctx, "DELETE FROM sessions WHERE expiry < now()"); err != nil {
		return fmt.Errorf("prune sessions: %w", mapErr(err))
	}
	return nil
}
