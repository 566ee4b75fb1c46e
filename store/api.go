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

// API token scopes (api_tokens.scope).
const (
	ScopeRead      = "read"
	ScopeReadWrite = "read_write"
)

// APIToken is a reseller user's API token as its page lists it.
type APIToken = db.ListAPITokensRow

// APIPrincipal is who an API request acts as: the token and its reseller
// user, whose reseller scopes every query.
type APIPrincipal = db.APITokenByHashRow

// CreateAPIToken stores a new token of a reseller user by the SHA-256 of
// its secret, with the audit entry, in one transaction.
func (s *Store) CreateAPIToken(ctx context.Context, by Actor, name, scope string, tokenHash []byte) (int64, error) {
	if by.UserID == nil {
		return 0, errors.New("create API token: tokens belong to a user")
	}
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		row, err := s.Q.InsertAPIToken(ctx, tx, db.InsertAPITokenParams{UserID: *by.UserID, Name: name, Scope: scope, TokenHash: tokenHash})
		if err != nil {
			return mapErr(err)
		}
		id = row.ID
		return s.auditUserTx(ctx, tx, by, "api_token.created", fmt.Sprint(id), fmt.Sprintf("%s (%s)", name, scope))
	})
	if err != nil {
		return 0, fmt.Errorf("create API token: %w", err)
	}
	return id, nil
}

// APITokens returns user's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, user int64) ([]APIToken, error) {
	rows, err := s.Q.ListAPITokens(ctx, s.Pool, user)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", mapErr(err))
	}
	return rows, nil
}

// RevokeAPIToken revokes one of by's own tokens, audited; ErrNotFound for
// another user's token or one revoked already.
func (s *Store) RevokeAPIToken(ctx context.Context, by Actor, id int64) error {
	if by.UserID == nil {
		return ErrNotFound
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		row, err := s.Q.RevokeAPIToken(ctx, tx, db.RevokeAPITokenParams{ID: id, UserID: *by.UserID})
		if err != nil {
			return mapErr(err)
		}
		return s.auditUserTx(ctx, tx, by, "api_token.revoked", fmt.Sprint(id), row.Name)
	})
	if err != nil {
		return fmt.Errorf("revoke API token %d: %w", id, err)
	}
	return nil
}

// auditUserTx writes an audit entry about the actor's own account (no
// customer).
func (s *Store) auditUserTx(ctx context.Context, q db.DBTX, by Actor, action, targetID, detail string) error {
	_, err := s.Q.InsertAudit(ctx, q, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: action,
		TargetType: "api_token", TargetID: targetID, Outcome: "ok", Detail: detail})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, mapErr(err))
	}
	return nil
}

// APIPrincipalByTokenHash returns the live token with tokenHash and its
// user, or ErrNotFound (unknown, revoked, user disabled). It records the
// use at most once a minute, so reads do not write on every request.
func (s *Store) APIPrincipalByTokenHash(ctx context.Context, tokenHash []byte, now time.Time) (APIPrincipal, error) {
	p, err := s.Q.APITokenByHash(ctx, s.Pool, tokenHash)
	if err != nil {
		return p, fmt.Errorf("API token: %w", mapErr(err))
	}
	if p.LastUsedAt == nil || now.Sub(*p.LastUsedAt) > time.Minute {
		if err := s.Q.TouchAPIToken(ctx, s.Pool, db.TouchAPITokenParams{ID: p.ID, At: &now}); err != nil {
			return p, fmt.Errorf("API token used: %w", mapErr(err))
		}
	}
	return p, nil
}

// IdempotentAnswer is the stored answer of an Idempotency-Key.
type IdempotentAnswer = db.GetIdempotencyKeyRow

// ClaimIdempotencyKey claims key for a write of token: claimed is true
// when this request goes ahead; otherwise prior is the key's record (a
// NULL StatusCode means the first request is still running).
func (s *Store) ClaimIdempotencyKey(ctx context.Context, token int64, key, method, path string, requestHash []byte, stale time.Duration) (claimed bool, prior IdempotentAnswer, err error) {
	n, err := s.Q.ClaimIdempotencyKey(ctx, s.Pool, db.ClaimIdempotencyKeyParams{TokenID: token, Key: key, Method: method, Path: path,
		RequestHash: requestHash, StaleSecs: stale.Seconds()})
	if err != nil {
		return false, prior, fmt.Errorf("claim idempotency key: %w", mapErr(err))
	}
	if n == 1 {
		return true, prior, nil
	}
	prior, err = s.Q.GetIdempotencyKey(ctx, s.Pool, db.GetIdempotencyKeyParams{TokenID: token, Key: key})
	if errors.Is(err, pgx.ErrNoRows) {
		// Released between the two statements: claim again.
		return s.ClaimIdempotencyKey(ctx, token, key, method, path, requestHash, stale)
	}
	if err != nil {
		return false, prior, fmt.Errorf("idempotency key: %w", mapErr(err))
	}
	return false, prior, nil
}

// CompleteIdempotencyKey stores the answer of a claimed key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, token int64, key string, status int, body []byte) error {
	st := int32(status)
	if err := s.Q.CompleteIdempotencyKey(ctx, s.Pool, db.CompleteIdempotencyKeyParams{TokenID: token, Key: key, StatusCode: &st, Response: body}); err != nil {
		return fmt.Errorf("complete idempotency key: %w", mapErr(err))
	}
	return nil
}

// ReleaseIdempotencyKey frees a claimed key whose request failed without
// an answer worth keeping (a server error), so a retry runs again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, token int64, key string) error {
	if err := s.Q.ReleaseIdempotencyKey(ctx, s.Pool, db.ReleaseIdempotencyKeyParams{TokenID: token, Key: key}); err != nil {
		return fmt.Errorf("release idempotency key: %w", mapErr(err))
	}
	return nil
}

// ResellerSubscriptionForChange returns subscription id when it belongs to
// one of reseller's customers, else ErrNotFound.
func (s *Store) ResellerSubscriptionForChange(ctx context.Context, reseller uuid.UUID, id string) (SubscriptionForChange, error) {
	cust, err := s.Q.ResellerSubscriptionCustomer(ctx, s.Pool, db.ResellerSubscriptionCustomerParams{ID: id, ResellerID: reseller.String()})
	if err != nil {
		return SubscriptionForChange{}, fmt.Errorf("reseller subscription %s: %w", id, mapErr(err))
	}
	return s.SubscriptionForChange(ctx, cust, id)
}

// ResellerCartCustomer returns one of reseller's customers as an order
// needs it, else ErrNotFound.
func (s *Store) ResellerCartCustomer(ctx context.Context, reseller, id uuid.UUID) (CartCustomer, error) {
	c, err := s.Q.ResellerCartCustomer(ctx, s.Pool, db.ResellerCartCustomerParams{ID: id, ResellerID: reseller.String()})
	if err != nil {
		return CartCustomer{}, fmt.Errorf("reseller customer %s: %w", id, mapErr(err))
	}
	return CartCustomer(c), nil
}
