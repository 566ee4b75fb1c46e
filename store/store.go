// Package store is the portal's only door to Postgres: the connection pool,
// migrations, the transaction helper and every query. Queries are written in
// queries/*.sql and compiled by sqlc into store/db; the methods here wrap
// them and return plain structs and the sentinel errors below.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/store/db"
)

// Sentinel errors returned by the store; callers test them with errors.Is.
var (
	// ErrNotFound means the row asked for does not exist (or is not visible
	// in the caller's scope).
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique constraint or an optimistic concurrency
	// check refused the write.
	ErrConflict = errors.New("conflict")
)

// Store holds the pool and the sqlc queries.
type Store struct {
	Pool *pgxpool.Pool
	Q    *db.Queries
	// Big customers' subscriptions as of their data version (kept_rows.go).
	priced       *rowKeeper[PricedSubscription]
	entitlements *rowKeeper[CustomerEntitlement]
}

// Open connects to the database at url and checks it answers.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	Configure(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database %s: %w", cfg.ConnConfig.Host, err)
	}
	return New(pool), nil
}

// New wraps an existing pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{Pool: pool, Q: db.New(), priced: newRowKeeper(nestPriced), entitlements: newRowKeeper(nestEntitlements)}
}

// Close closes the pool.
func (s *Store) Close() { s.Pool.Close() }

// InTx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise (and on panic). Errors are mapped to the sentinels.
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.Pool, fn)
	return mapErr(err)
}

// mapErr turns pgx errors into the store's sentinels, keeping the original
// error in the chain.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505", "40001": // unique_violation, serialization_failure
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
	}
	return err
}

// MapErr is mapErr for callers that run sqlc queries themselves inside InTx.
func MapErr(err error) error { return mapErr(err) }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.Pool.Ping(ctx) }

// MigrationState reports the schema's migrations against the binary's.
func (s *Store) MigrationState(ctx context.Context) (MigrationState, error) {
	return Migrations(ctx, s.Pool)
}

// MirrorTables are the tables a full import rewrites in bulk.
var MirrorTables = []string{"customers", "subscriptions", "subscription_lifecycle", "subscription_tranches", "subscription_terms",
	"orders", "order_line_items", "agreements", "subscribed_skus", "pc_audit_records"}

// CatalogTables are the tables a catalog sync rewrites in bulk.
var CatalogTables = []string{"offers", "offer_relations", "products", "skus", "availabilities", "sku_availability", "prices"}

// Analyze refreshes the planner's statistics of tables (after bulk
// writes, without waiting for autovacuum).
func (s *Store) Analyze(ctx context.Context, tables ...string) error {
	if len(tables) == 0 {
		return nil
	}
	ids := make([]string, len(tables))
	for i, t := range tables {
		ids[i] = pgx.Identifier{t}.Sanitize()
	}
	if _, err := s.Pool.Exec(ctx, "ANALYZE "+strings.Join(ids, ", ")); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// IsUnavailable reports whether err means the database could not be
// reached (refused or lost connection, server shutting down or starting,
// too many connections): pages then say so with 503 rather than a generic
// 500, and the request can simply be retried.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection_exception
			pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03", // shutdowns, cannot_connect_now
			pgErr.Code == "53300": // too_many_connections
			return true
		}
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF)
}
