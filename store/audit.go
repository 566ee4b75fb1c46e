package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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
	CustomerID  *uuid.UUID
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
		CustomerID:  e.CustomerID,
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

// AuditFilter narrows the audit page; zero fields mean "any".
type AuditFilter struct {
	Actor      string     // part of the actor's email
	Action     string     // an action, or its prefix
	CustomerID *uuid.UUID // one customer
	Customer   string     // part of a customer's name or domain
	FromAt     *time.Time
	ToAt       *time.Time // excluded
}

// AuditRow is one action of the audit trail: a command to Partner Center
// shows as the line that queued it, with the outcome PC gave (pending
// until it did).
type AuditRow struct {
	ID           int64
	At           time.Time
	Actor        string
	Action       string
	TargetType   string
	TargetID     string
	CustomerID   *uuid.UUID
	CustomerName string
	Before       json.RawMessage
	After        json.RawMessage
	PcRequestID  *uuid.UUID
	Outcome      string
	Detail       string
}

// AuditCursor is a position in the audit trail (newest first).
type AuditCursor struct {
	At time.Time
	ID int64
}

// AuditPage is one page of the audit trail, newest first, with the
// positions to page from (nil where there is nothing more that way).
type AuditPage struct {
	Rows         []AuditRow
	Newer, Older *AuditCursor
}

// Paging directions of AuditSearch.
const (
	AuditFirst = 0  // the newest entries
	AuditOlder = -1 // entries older than the cursor
	AuditNewer = 1  // entries newer than the cursor
)

// AuditSearch returns at most max actions matching f, newest first, from
// cursor in direction dir. It pages by (at, id), never by offset, and
// counts nothing, so its cost does not grow with the trail.
func (s *Store) AuditSearch(ctx context.Context, f AuditFilter, dir int, cur AuditCursor, max int) (AuditPage, error) {
	// Outcome lines are shown on the line that queued their command.
	where := []string{`NOT (a.pc_request_id IS NOT NULL AND (a.action LIKE '%.succeeded' OR a.action LIKE '%.failed'))`}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Actor != "" {
		where = append(where, "strpos(lower(a.actor), lower("+arg(f.Actor)+")) > 0")
	}
	if f.Action != "" {
		where = append(where, "starts_with(a.action, "+arg(f.Action)+")")
	}
	if f.CustomerID != nil {
		where = append(where, "a.customer_id = "+arg(*f.CustomerID))
	}
	if f.Customer != "" {
		q := arg("%" + escapeLike(f.Customer) + "%")
		where = append(where, "a.customer_id IN (SELECT id FROM customers WHERE company_name ILIKE "+q+" OR domain ILIKE "+q+")")
	}
	if f.FromAt != nil {
		where = append(where, "a.at >= "+arg(*f.FromAt))
	}
	if f.ToAt != nil {
		where = append(where, "a.at < "+arg(*f.ToAt))
	}
	order := "DESC"
	switch dir {
	case AuditOlder:
		where = append(where, "(a.at, a.id) < ("+arg(cur.At)+", "+arg(cur.ID)+")")
	case AuditNewer:
		where = append(where, "(a.at, a.id) > ("+arg(cur.At)+", "+arg(cur.ID)+")")
		order = "ASC"
	}
	q := `SELECT a.id, a.at, a.actor, a.action, a.target_type, a.target_id, a.customer_id, coalesce(c.company_name, ''),
		a.before, a.after, a.pc_request_id, coalesce(o.outcome, a.outcome), coalesce(nullif(o.detail, ''), a.detail)
	FROM audit_log a
	LEFT JOIN customers c ON c.id = a.customer_id
	LEFT JOIN LATERAL (SELECT o.outcome, o.detail FROM audit_log o
		WHERE a.pc_request_id IS NOT NULL AND o.pc_request_id = a.pc_request_id AND o.id > a.id
		ORDER BY o.id DESC LIMIT 1) o ON true
	WHERE ` + strings.Join(where, " AND ") + `
	ORDER BY a.at ` + order + `, a.id ` + order + ` LIMIT ` + arg(max+1)
	rows, err := s.Pool.Query(ctx, q, args...)
	if err != nil {
		return AuditPage{}, fmt.Errorf("audit search: %w", mapErr(err))
	}
	// Scanned in place into a page-sized slice: growing it by appending
	// copied the 200-byte rows five times over, a seventh of what the
	// audit page allocated. An export (max 100,000) grows as it reads.
	out := make([]AuditRow, 0, min(max+1, 256))
	for rows.Next() {
		out = append(out, AuditRow{})
		a := &out[len(out)-1]
		if err := rows.Scan(&a.ID, &a.At, &a.Actor, &a.Action, &a.TargetType, &a.TargetID, &a.CustomerID, &a.CustomerName,
			&a.Before, &a.After, &a.PcRequestID, &a.Outcome, &a.Detail); err != nil {
			rows.Close()
			return AuditPage{}, fmt.Errorf("audit search: %w", mapErr(err))
		}
	}
	if err := rows.Err(); err != nil {
		return AuditPage{}, fmt.Errorf("audit search: %w", mapErr(err))
	}
	more := len(out) > max
	if more {
		out = out[:max]
	}
	if dir == AuditNewer {
		slices.Reverse(out)
	}
	p := AuditPage{Rows: out}
	if len(out) == 0 {
		return p, nil
	}
	first, last := &AuditCursor{At: out[0].At, ID: out[0].ID}, &AuditCursor{At: out[len(out)-1].At, ID: out[len(out)-1].ID}
	switch dir {
	case AuditFirst:
		if more {
			p.Older = last
		}
	case AuditOlder:
		p.Newer = first
		if more {
			p.Older = last
		}
	case AuditNewer:
		p.Older = last
		if more {
			p.Newer = first
		}
	}
	return p, nil
}

// escapeLike makes s match itself in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
