package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// What needs attention: the evaluation is set-based SQL over the mirror,
// one SELECT per kind of event, merged into attention_items (an event that
// holds is kept or reopened, one that no longer holds is resolved).

// AttentionParams are the rules the evaluation applies.
type AttentionParams struct {
	Now     time.Time
	Horizon time.Duration // how far ahead renewals and endings are looked for
	// Customers limits the evaluation to these customers' events (nil:
	// everything, including the events of no customer).
	Customers []uuid.UUID
	// TokenLife is how long a partner admin's refresh token lives unused;
	// TokenWarn how long before its end it is flagged.
	TokenLife, TokenWarn time.Duration
	// FailedWithin bounds how old a failed command still needs attention.
	FailedWithin time.Duration
}

// attentionCandidates is every event that needs attention now, as (kind,
// subject, customer_id, deadline, reason, href). $1 now, $2 the horizon's
// end, $3 customers (NULL: all), $4 the token's warning start, $5 the
// token's life, $6 the oldest failure that counts.
const attentionCandidates = `
SELECT 'renewal_unassigned' AS kind, s.id AS subject, s.customer_id, s.commitment_end_date AS deadline,
    format('%s renews on %s with %s seats; %s of the customer''s %s seats of this product are not assigned to anyone.', coalesce(nullif(s.friendly_name, ''), s.offer_name),
        to_char(s.commitment_end_date AT TIME ZONE 'UTC', 'YYYY-MM-DD'), s.quantity, u.active_units - u.consumed_units, u.active_units) AS reason,
    '/customers/' || s.customer_id || '/subscriptions/' || s.id AS href
FROM subscriptions s
JOIN LATERAL (SELECT k.consumed_units, k.active_units FROM subscribed_skus k WHERE k.customer_id = s.customer_id AND k.gone_at IS NULL
    AND lower(k.sku_name) = lower(s.offer_name) ORDER BY k.sku_id LIMIT 1) u ON true
WHERE s.gone_at IS NULL AND s.status = 'active' AND s.auto_renew_enabled AND s.billing_type <> 'usage'
  AND s.commitment_end_date > $1 AND s.commitment_end_date <= $2 AND u.active_units > u.consumed_units
  AND ($3::uuid[] IS NULL OR s.customer_id = ANY($3))
UNION ALL
SELECT 'ending', s.id, s.customer_id, s.commitment_end_date,
    format('%s ends on %s: auto-renew is off, so it does not renew.', coalesce(nullif(s.friendly_name, ''), s.offer_name), to_char(s.commitment_end_date AT TIME ZONE 'UTC', 'YYYY-MM-DD')),
    '/customers/' || s.customer_id || '/subscriptions/' || s.id
FROM subscriptions s
WHERE s.gone_at IS NULL AND s.status = 'active' AND NOT s.auto_renew_enabled AND s.billing_type <> 'usage'
  AND s.commitment_end_date > $1 AND s.commitment_end_date <= $2
  AND ($3::uuid[] IS NULL OR s.customer_id = ANY($3))
UNION ALL
SELECT 'suspended', s.id, s.customer_id, n.at,
    CASE WHEN n.what = 'disabled'
        THEN format('%s is suspended: disabled on %s unless it is reactivated, and deleted with its data on %s.', coalesce(nullif(s.friendly_name, ''), s.offer_name),
            to_char(n.at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), coalesce(to_char(l.deletes_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'a later date'))
        ELSE format('%s is %s since its suspension: Partner Center deletes it and its data on %s.', coalesce(nullif(s.friendly_name, ''), s.offer_name),
            s.status, to_char(n.at AT TIME ZONE 'UTC', 'YYYY-MM-DD')) END,
    '/customers/' || s.customer_id || '/subscriptions/' || s.id
FROM subscriptions s
LEFT JOIN subscription_lifecycle l ON l.subscription_id = s.id
CROSS JOIN LATERAL (SELECT CASE WHEN l.disabled_at > $1 THEN l.disabled_at WHEN l.deletes_at > $1 THEN l.deletes_at
        WHEN l.subscription_id IS NULL THEN s.commitment_end_date END AS at,
    CASE WHEN l.disabled_at > $1 OR l.subscription_id IS NULL THEN 'disabled' ELSE 'deleted' END AS what) n
WHERE s.gone_at IS NULL AND (s.status = 'suspended' OR (s.status IN ('disabled', 'expired') AND l.path = 'suspended'))
  AND n.at > $1 AND n.at <= $2 AND ($3::uuid[] IS NULL OR s.customer_id = ANY($3))
UNION ALL
SELECT 'window_closing', s.id, s.customer_id, t.allowed_until,
    format('%s: %s seat(s) added recently can be removed until %s UTC; after that they stay until the term ends.', coalesce(nullif(s.friendly_name, ''), s.offer_name),
        t.seats, to_char(t.allowed_until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')),
    '/customers/' || s.customer_id || '/subscriptions/' || s.id
FROM (SELECT subscription_id, allowed_until, sum(quantity) AS seats FROM subscription_tranches
      WHERE allowed_until > $1 AND allowed_until <= $1 + interval '24 hours' GROUP BY 1, 2) t
JOIN subscriptions s ON s.id = t.subscription_id
WHERE s.gone_at IS NULL AND s.status = 'active' AND ($3::uuid[] IS NULL OR s.customer_id = ANY($3))
UNION ALL
SELECT 'renewal_price', s.id, s.customer_id, coalesce(l.renews_at, l.term_end),
    format('%s renews on %s at %s per licence instead of %s.', coalesce(nullif(s.friendly_name, ''), s.offer_name),
        to_char(coalesce(l.renews_at, l.term_end) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), money_text(l.next_unit_price, l.currency),
        money_text(l.current_unit_price, l.currency)),
    '/customers/' || s.customer_id || '/subscriptions/' || s.id
FROM subscription_lifecycle l
JOIN subscriptions s ON s.id = l.subscription_id
WHERE l.price_changes AND l.auto_renew AND s.gone_at IS NULL AND s.status = 'active'
  AND coalesce(l.renews_at, l.term_end) > $1 AND coalesce(l.renews_at, l.term_end) <= $2
  AND ($3::uuid[] IS NULL OR s.customer_id = ANY($3))
UNION ALL
SELECT CASE WHEN c.pc_error_code = 'consent_required' THEN 'consent_waiting' ELSE 'command_failed' END, c.id::text, c.customer_id, NULL,
    CASE WHEN c.pc_error_code = 'consent_required'
        THEN 'Waits for a partner admin''s sign-in: ' || CASE c.kind WHEN 'accept_agreement' THEN 'the customer agreement' WHEN 'create_order' THEN 'an order' ELSE replace(c.kind, '_', ' ') END || ' was not sent.'
        ELSE 'Partner Center refused ' || CASE c.kind WHEN 'create_customer' THEN 'to create a customer' WHEN 'accept_agreement' THEN 'the customer agreement'
            WHEN 'create_order' THEN 'an order' WHEN 'patch_order' THEN 'the add-ons of an order' ELSE 'a subscription change' END
            || ': ' || left(c.last_error, 200) END,
    CASE WHEN p.token IS NOT NULL THEN '/customers/' || c.customer_id || '/orders/' || p.token
         WHEN c.kind = 'patch_subscription' THEN '/customers/' || c.customer_id || '/subscriptions/' || c.target_id
         WHEN c.customer_id IS NOT NULL THEN '/customers/' || c.customer_id
         ELSE '/customers' END
FROM commands c
LEFT JOIN LATERAL (SELECT o.token FROM order_placements o WHERE o.base_command_id = c.id OR o.addon_command_id = c.id LIMIT 1) p ON true
WHERE c.status = 'failed' AND c.updated_at > $6
  AND NOT EXISTS (SELECT 1 FROM order_placements o WHERE (o.base_command_id = c.id OR o.addon_command_id = c.id) AND o.cancelled_at IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM commands n WHERE n.kind = c.kind AND n.customer_id IS NOT DISTINCT FROM c.customer_id AND n.id > c.id
      AND n.target_id = c.target_id AND n.status <> 'failed')
  AND ($3::uuid[] IS NULL OR c.customer_id = ANY($3))
UNION ALL
SELECT 'relationship_removed', cu.id::text, cu.id, NULL,
    'Removed the reseller relationship in Partner Center: nothing can be ordered or changed for this customer.',
    '/customers/' || cu.id
FROM customers cu
WHERE cu.gone_at IS NULL AND cu.relationship_removed_at IS NOT NULL AND ($3::uuid[] IS NULL OR cu.id = ANY($3))
UNION ALL
SELECT 'token_expiring', 'settings', NULL, coalesce(st.pc_refresh_rotated_at, st.pc_connected_at) + $5,
    format('The partner admin''s sign-in ends on %s unless the portal uses it before: reconnect to renew it.',
        to_char((coalesce(st.pc_refresh_rotated_at, st.pc_connected_at) + $5) AT TIME ZONE 'UTC', 'YYYY-MM-DD')),
    '/admin/settings/partner-center/health'
FROM settings st
WHERE $3::uuid[] IS NULL AND st.pc_refresh_token_enc IS NOT NULL AND coalesce(st.pc_refresh_rotated_at, st.pc_connected_at) + $5 <= $4
UNION ALL
SELECT 'sync_failed', r.id::text, NULL, NULL,
    format('The last %s sync failed: %s', r.kind, left(r.last_error, 200)), '/sync'
FROM (SELECT DISTINCT ON (kind) * FROM sync_runs WHERE status <> 'running' ORDER BY kind, id DESC) r
WHERE $3::uuid[] IS NULL AND r.status = 'failed'
UNION ALL
SELECT 'drift', r.id::text, NULL, NULL,
    format('The last reconcile found %s change(s) made outside the portal.', (SELECT count(*) FROM sync_drift d WHERE d.run_id = r.id)), '/sync'
FROM (SELECT * FROM sync_runs WHERE kind = 'reconcile' AND status <> 'running' ORDER BY id DESC LIMIT 1) r
WHERE $3::uuid[] IS NULL AND EXISTS (SELECT 1 FROM sync_drift d WHERE d.run_id = r.id)`

// EvaluateAttention merges the events that need attention now into
// attention_items and resolves those that no longer hold (in p's scope);
// it reports how many hold.
func (s *Store) EvaluateAttention(ctx context.Context, p AttentionParams) (int, error) {
	var n int
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		// One statement: the candidates are read once; events that hold and
		// changed (or come back) are written, unchanged ones are left
		// alone, and open events in scope that are no longer candidates
		// are resolved (Postgres runs data-modifying CTEs to completion).
		args := []any{p.Now, p.Now.Add(p.Horizon), p.Customers, p.Now.Add(p.TokenWarn), p.TokenLife, p.Now.Add(-p.FailedWithin)}
		if err := tx.QueryRow(ctx, `WITH cand AS MATERIALIZED (`+attentionCandidates+`), up AS (
			INSERT INTO attention_items AS a (kind, subject, customer_id, deadline, reason, href)
			SELECT kind, subject, customer_id, deadline, reason, href FROM cand
			ON CONFLICT ON CONSTRAINT attention_items_event DO UPDATE SET reason = excluded.reason, href = excluded.href,
				customer_id = excluded.customer_id, resolved_at = NULL
			WHERE a.resolved_at IS NOT NULL OR (a.reason, a.href, a.customer_id) IS DISTINCT FROM (excluded.reason, excluded.href, excluded.customer_id)
			RETURNING 1), gone AS (
			UPDATE attention_items a SET resolved_at = $1
			WHERE a.resolved_at IS NULL AND ($3::uuid[] IS NULL OR a.customer_id = ANY($3))
			  AND NOT EXISTS (SELECT 1 FROM cand c WHERE c.kind = a.kind AND c.subject = a.subject AND c.deadline IS NOT DISTINCT FROM a.deadline)
			RETURNING 1)
			SELECT count(*) FROM cand`, args...).Scan(&n); err != nil {
			return fmt.Errorf("evaluate attention: %w", err)
		}
		_, err := tx.Exec(ctx, `UPDATE attention_state SET evaluated_at = $1, full_at = CASE WHEN $2 THEN $1 ELSE full_at END WHERE id = 1`,
			p.Now, p.Customers == nil)
		return err
	})
	return n, mapErr(err)
}

// AttentionEvaluated is when the evaluation last ran and last ran over
// everything (nil: never).
func (s *Store) AttentionEvaluated(ctx context.Context) (last, full *time.Time, err error) {
	err = s.Pool.QueryRow(ctx, `SELECT evaluated_at, full_at FROM attention_state WHERE id = 1`).Scan(&last, &full)
	return last, full, mapErr(err)
}

// CustomersChangedSince lists the customers whose mirrored rows changed
// since at (syncs, deliveries, settling orders).
func (s *Store) CustomersChangedSince(ctx context.Context, at time.Time) ([]uuid.UUID, error) {
	rows, err := s.Pool.Query(ctx, `SELECT customer_id FROM subscriptions WHERE synced_at > $1
		UNION SELECT id FROM customers WHERE synced_at > $1
		UNION SELECT customer_id FROM subscribed_skus WHERE synced_at > $1
		UNION SELECT customer_id FROM commands WHERE updated_at > $1 AND customer_id IS NOT NULL`, at)
	if err != nil {
		return nil, fmt.Errorf("changed customers: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// AttentionItem is one open event on the dashboard.
type AttentionItem struct {
	ID           int64
	Kind         string
	CustomerID   *uuid.UUID
	CustomerName string
	Deadline     *time.Time
	Reason, Href string
	OpenedAt     time.Time
}

// AttentionCounted is how far the dashboard counts open items: past it
// the dashboard says "more than", and the count stays a bounded read of
// the open index however many items pile up.
const AttentionCounted = 1000

// openAttentionSQL is the first $2 open items (not resolved, not
// dismissed) due by $1 or without a deadline, soonest first in the open
// index's order, joined to their customers, each with the total counted
// in that index up to $3 (all 7,137 open items of the bench cost 1.5 ms
// of Postgres per dashboard).
const openAttentionSQL = `SELECT a.id, a.kind, a.customer_id, coalesce(c.company_name, c.domain, ''), a.deadline, a.reason, a.href, a.opened_at,
		(SELECT count(*) FROM (SELECT 1 FROM attention_items o
			WHERE o.resolved_at IS NULL AND o.dismissed_at IS NULL AND (o.deadline IS NULL OR o.deadline <= $1)
			ORDER BY o.deadline NULLS FIRST, o.id LIMIT $3) n)
	FROM (SELECT * FROM attention_items a
		WHERE a.resolved_at IS NULL AND a.dismissed_at IS NULL AND (a.deadline IS NULL OR a.deadline <= $1)
		ORDER BY a.deadline NULLS FIRST, a.id LIMIT $2) a
	LEFT JOIN customers c ON c.id = a.customer_id
	ORDER BY a.deadline NULLS FIRST, a.id`

// collectAttention reads openAttentionSQL's rows and the total.
func collectAttention(rows pgx.Rows) ([]AttentionItem, int, error) {
	var total int
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AttentionItem, error) {
		var a AttentionItem
		err := r.Scan(&a.ID, &a.Kind, &a.CustomerID, &a.CustomerName, &a.Deadline, &a.Reason, &a.Href, &a.OpenedAt, &total)
		return a, err
	})
	return items, total, err
}

// DismissAttention dismisses an open event, with its audit entry; false
// when there is no such open event.
func (s *Store) DismissAttention(ctx context.Context, id int64, by Actor) (bool, error) {
	var ok bool
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var kind, reason string
		var cust *uuid.UUID
		err := tx.QueryRow(ctx, `UPDATE attention_items SET dismissed_at = now(), dismissed_by = $2
			WHERE id = $1 AND dismissed_at IS NULL AND resolved_at IS NULL RETURNING kind, reason, customer_id`, id, by.UserID).Scan(&kind, &reason, &cust)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		return s.AuditTx(ctx, tx, AuditEntry{ActorUserID: by.UserID, Actor: by.Label, Action: "attention.dismissed",
			TargetType: "attention", TargetID: fmt.Sprint(id), Detail: reason, After: map[string]any{"kind": kind}, CustomerID: cust})
	})
	return ok, mapErr(err)
}

// AlertRule says which events are mailed, how many days ahead of their
// deadline, and to whom.
type AlertRule struct {
	Kind      string
	Enabled   bool
	LeadDays  []int32
	ToStaff   bool
	ToEmails  []string
	Immediate bool // mailed at once, not in the daily digest
}

// AlertRules lists the rules by kind.
func (s *Store) AlertRules(ctx context.Context) ([]AlertRule, error) {
	rows, err := s.Pool.Query(ctx, `SELECT kind, enabled, lead_days, to_staff, to_emails, immediate FROM alert_rules ORDER BY kind`)
	if err != nil {
		return nil, fmt.Errorf("alert rules: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AlertRule, error) {
		var a AlertRule
		err := r.Scan(&a.Kind, &a.Enabled, &a.LeadDays, &a.ToStaff, &a.ToEmails, &a.Immediate)
		return a, err
	})
}

// SaveAlertRules stores the rules, with one audit entry.
func (s *Store) SaveAlertRules(ctx context.Context, rules []AlertRule, by Actor) error {
	return mapErr(s.InTx(ctx, func(tx pgx.Tx) error {
		for _, r := range rules {
			if _, err := tx.Exec(ctx, `UPDATE alert_rules SET enabled = $2, lead_days = $3, to_staff = $4, to_emails = $5, updated_at = now()
				WHERE kind = $1`, r.Kind, r.Enabled, r.LeadDays, r.ToStaff, r.ToEmails); err != nil {
				return err
			}
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorUserID: by.UserID, Actor: by.Label, Action: "settings.alerts_updated",
			TargetType: "settings", TargetID: "alerts", After: rules})
	}))
}

// AllAlerts is the kind of an opt-out from every event.
const AllAlerts = "*"

// CustomersNamed finds up to max customers by name or domain: the exact
// matches (any case) when there are any, else those containing q. A
// reseller (non-nil) finds only its own customers.
func (s *Store) CustomersNamed(ctx context.Context, reseller *uuid.UUID, q string, max int) ([]uuid.UUID, error) {
	rows, err := s.Pool.Query(ctx, `WITH mine AS (SELECT id, company_name, domain FROM customers WHERE gone_at IS NULL
			AND ($4::uuid IS NULL OR associated_partner_id = $4::uuid::text)),
		exact AS (SELECT id FROM mine WHERE lower(company_name) = lower($1) OR lower(domain) = lower($1) LIMIT $2)
		SELECT id FROM exact
		UNION ALL
		(SELECT id FROM mine WHERE NOT EXISTS (SELECT 1 FROM exact)
			AND (company_name ILIKE '%' || $3 || '%' OR domain ILIKE '%' || $3 || '%') ORDER BY company_name LIMIT $2)`, q, max, likeEscape(q), reseller)
	if err != nil {
		return nil, fmt.Errorf("customers named: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// AlertOptOut is a customer whose events of a kind are not mailed.
type AlertOptOut struct {
	CustomerID   uuid.UUID
	CustomerName string
	Kind         string
}

// AlertOptOuts lists the opt-outs by customer name.
func (s *Store) AlertOptOuts(ctx context.Context) ([]AlertOptOut, error) {
	rows, err := s.Pool.Query(ctx, `SELECT o.customer_id, coalesce(c.company_name, c.domain, o.customer_id::text), o.kind
		FROM alert_optouts o LEFT JOIN customers c ON c.id = o.customer_id ORDER BY 2, 3`)
	if err != nil {
		return nil, fmt.Errorf("alert opt-outs: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (AlertOptOut, error) {
		var a AlertOptOut
		err := r.Scan(&a.CustomerID, &a.CustomerName, &a.Kind)
		return a, err
	})
}

// SetAlertOptOut adds (on) or removes an opt-out, with its audit entry.
func (s *Store) SetAlertOptOut(ctx context.Context, customer uuid.UUID, kind string, on bool, by Actor) error {
	return mapErr(s.InTx(ctx, func(tx pgx.Tx) error {
		q, action := `INSERT INTO alert_optouts (customer_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING`, "alerts.opted_out"
		if !on {
			q, action = `DELETE FROM alert_optouts WHERE customer_id = $1 AND kind = $2`, "alerts.opted_in"
		}
		if _, err := tx.Exec(ctx, q, customer, kind); err != nil {
			return err
		}
		return s.AuditTx(ctx, tx, AuditEntry{ActorUserID: by.UserID, Actor: by.Label, Action: action, TargetType: "customer",
			TargetID: customer.String(), Detail: kind, CustomerID: &customer})
	}))
}

// DueAlert is an event to mail a recipient: its smallest lead time that
// has come, and all that have (recorded as delivered together).
type DueAlert struct {
	ItemID       int64
	Kind         string
	Reason, Href string
	Deadline     *time.Time
	CustomerName string
	Recipient    string
	Lead         int32   // the lead time this mail is for
	Leads        []int32 // every lead time that has come
	Immediate    bool
}

// DueAlerts lists, per item and recipient, the alerts whose lead time has
// come at now and that were not mailed yet.
func (s *Store) DueAlerts(ctx context.Context, now time.Time) ([]DueAlert, error) {
	rows, err := s.Pool.Query(ctx, `SELECT a.id, a.kind, a.reason, a.href, a.deadline, coalesce(c.company_name, c.domain, ''), r.recipient,
			min(l.lead), array_agg(l.lead ORDER BY l.lead), ru.immediate
		FROM attention_items a
		JOIN alert_rules ru ON ru.kind = a.kind AND ru.enabled
		CROSS JOIN LATERAL unnest(ru.lead_days) AS l(lead)
		CROSS JOIN LATERAL (SELECT lower(u.email) FROM users u WHERE ru.to_staff AND u.role IN ('admin', 'staff') AND u.disabled_at IS NULL
			UNION SELECT lower(e) FROM unnest(ru.to_emails) e) r(recipient)
		LEFT JOIN customers c ON c.id = a.customer_id
		WHERE a.resolved_at IS NULL AND a.dismissed_at IS NULL
		  AND (a.deadline IS NULL OR (a.deadline > $1 AND a.deadline - make_interval(days => l.lead) <= $1))
		  AND NOT EXISTS (SELECT 1 FROM alert_optouts o WHERE o.customer_id = a.customer_id AND o.kind IN (a.kind, '*'))
		  AND NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.item_id = a.id AND d.lead_days = l.lead AND d.recipient = r.recipient)
		GROUP BY a.id, c.company_name, c.domain, r.recipient, ru.immediate
		ORDER BY r.recipient, a.deadline NULLS FIRST, a.id`, now)
	if err != nil {
		return nil, fmt.Errorf("due alerts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DueAlert, error) {
		var a DueAlert
		err := r.Scan(&a.ItemID, &a.Kind, &a.Reason, &a.Href, &a.Deadline, &a.CustomerName, &a.Recipient, &a.Lead, &a.Leads, &a.Immediate)
		return a, err
	})
}

// RecordAlertDeliveries records, inside tx, that alerts were mailed.
func (s *Store) RecordAlertDeliveries(ctx context.Context, tx pgx.Tx, alerts []DueAlert) error {
	for _, a := range alerts {
		if _, err := tx.Exec(ctx, `INSERT INTO alert_deliveries (item_id, lead_days, recipient)
			SELECT $1, unnest($2::int[]), $3 ON CONFLICT DO NOTHING`, a.ItemID, a.Leads, a.Recipient); err != nil {
			return fmt.Errorf("record alert: %w", err)
		}
	}
	return nil
}
