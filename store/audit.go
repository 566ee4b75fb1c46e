package store

import (
	"context"
	"encoding/json"
	"fmt"

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
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
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
	if _, err := s.Q.InsertAudit(ctx, s.Pool, p); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, mapErr(err))
	}
	return nil
}
