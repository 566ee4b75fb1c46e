package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store/db"
)

// AuditEntry is one line of the portal's audit trail.
type AuditEntry struct {
	ActorUserID *int64
	Actor       string // email or "system"
	Action      string // e.g. "setup.admin_created", "settings.pc_updated"
	TargetType  string
	TargetID    string
	Detail      string
	After       any // marshalled to JSON when non-nil; never put secrets here
}

// Audit appends an entry to the audit log.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error { return s.AuditTx(ctx, s.Pool, e) }

// AuditTx appends an entry to the audit log inside q (a transaction of the
// change it records).
func (s *Store) AuditTx(ctx context.Context, q db.DBTX, e AuditEntry) error {
	p := db.InsertAuditParams{
		ActorUserID: e.ActorUserID,
		Actor:       e.Actor,
		Action:      e.Action,
		TargetType:  e.TargetType,
		TargetID:    e.TargetID,
		Outcome:     "ok",
		Detail:      e.Detail,
	}
	if e.After != nil {
		b, err := json.Marshal(e.After)
		if err != nil {
			return fmt.Errorf("audit %s: %w", e.Action, err)
		}
		p.After = b
	}
	if _, err := s.Q.InsertAudit(ctx, q, p); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, mapErr(err))
	}
	return nil
}

// AuditFilter narrows the audit page; nil fields mean "any".
type AuditFilter struct {
	Actor, Action *string
	CustomerID    *uuid.UUID
	FromAt, ToAt  *time.Time // ToAt excluded
}

// AuditRow is one audit line with its customer's name.
type AuditRow = db.AuditSearchRow

// AuditSearch returns at most max lines matching f, newest first, after
// skipping skip of them.
func (s *Store) AuditSearch(ctx context.Context, f AuditFilter, skip, max int) ([]AuditRow, error) {
	rows, err := s.Q.AuditSearch(ctx, s.Pool, db.AuditSearchParams{Actor: f.Actor, Action: f.Action, CustomerID: f.CustomerID,
		FromAt: f.FromAt, ToAt: f.ToAt, Skip: int32(skip), Max: int32(max)})
	if err != nil {
		return nil, fmt.Errorf("audit search: %w", mapErr(err))
	}
	return rows, nil
}

// AuditCount counts the lines matching f.
func (s *Store) AuditCount(ctx context.Context, f AuditFilter) (int, error) {
	n, err := s.Q.AuditCount(ctx, s.Pool, db.AuditCountParams{Actor: f.Actor, Action: f.Action, CustomerID: f.CustomerID,
		FromAt: f.FromAt, ToAt: f.ToAt})
	if err != nil {
		return 0, fmt.Errorf("audit count: %w", mapErr(err))
	}
	return int(n), nil
}

// AuditActions lists the actions the audit trail holds, for the filter.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	a, err := s.Q.AuditActions(ctx, s.Pool)
	if err != nil {
		return nil, fmt.Errorf("audit actions: %w", mapErr(err))
	}
	return a, nil
}
