package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// The reconciliation's reads and its findings: what the checks of package
// billing compare (an invoice's charges, the mirrored subscriptions and
// PC's audit records of them) and where they write what they find.

// BillingFinding is one reconciliation finding.
type BillingFinding struct {
	Check          string // unmatched | seats | status | price | note
	PCCustomerID   string
	CustomerID     *uuid.UUID
	CustomerName   string
	SubscriptionID string
	ChargeType     string
	ChargeStart    *time.Time
	Amount         decimal.Decimal
	Reason         string
}

// AddBillingFindings writes an invoice's findings (COPY: an invoice of
// subscriptions the mirror does not know has thousands) and counts them
// on the invoice and its customers, for the pages.
func (s *Store) AddBillingFindings(ctx context.Context, tx pgx.Tx, invoiceID string, fs []BillingFinding) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"billing_findings"}, []string{"invoice_id", "check_name", "pc_customer_id", "customer_id",
		"customer_name", "subscription_id", "charge_type", "charge_start", "amount", "reason"},
		pgx.CopyFromSlice(len(fs), func(i int) ([]any, error) {
			f := fs[i]
			return []any{invoiceID, f.Check, f.PCCustomerID, f.CustomerID, f.CustomerName, f.SubscriptionID, f.ChargeType,
				f.ChargeStart, f.Amount, f.Reason}, nil
		}))
	if err != nil {
		return fmt.Errorf("findings of %s: %w", invoiceID, mapErr(err))
	}
	for _, q := range []string{
		`UPDATE billing_invoice_customers c SET findings = f.n FROM (SELECT pc_customer_id, count(*) AS n FROM billing_findings
		    WHERE invoice_id = $1 AND check_name <> 'note' GROUP BY pc_customer_id) f
		WHERE c.invoice_id = $1 AND c.pc_customer_id = f.pc_customer_id`,
		`UPDATE billing_invoices SET findings = (SELECT count(*) FROM billing_findings WHERE invoice_id = $1 AND check_name <> 'note'),
		    imported_at = now() WHERE id = $1`,
	} {
		if _, err := tx.Exec(ctx, q, invoiceID); err != nil {
			return fmt.Errorf("count findings of %s: %w", invoiceID, mapErr(err))
		}
	}
	return nil
}

// UnmatchedBillingSubscriptions are the invoice's subscriptions the mirror
// does not have, with what was charged for them.
func (s *Store) UnmatchedBillingSubscriptions(ctx context.Context, q BillingDB, invoiceID string) ([]BillingFinding, error) {
	rows, err := q.Query(ctx, `SELECT g.pc_customer_id, min(g.customer_id::text)::uuid, max(c.customer_name), g.subscription_id,
	    sum(g.cost), min(g.first_charge)
	FROM billing_invoice_groups g
	LEFT JOIN subscriptions s ON lower(s.id) = lower(g.subscription_id)
	LEFT JOIN billing_invoice_customers c ON c.invoice_id = g.invoice_id AND c.pc_customer_id = g.pc_customer_id
	WHERE g.invoice_id = $1 AND s.id IS NULL
	GROUP BY g.pc_customer_id, g.subscription_id ORDER BY g.pc_customer_id, g.subscription_id`, invoiceID)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (BillingFinding, error) {
		f := BillingFinding{Check: "unmatched"}
		var first *time.Time
		err := r.Scan(&f.PCCustomerID, &f.CustomerID, &f.CustomerName, &f.SubscriptionID, &f.Amount, &first)
		f.ChargeStart = first
		return f, err
	})
}

// BillingCharge is the lines of a mirrored subscription with one charge
// type, start, quantity and unit price (the reconciliation's unit).
type BillingCharge struct {
	PCCustomerID     string
	CustomerID       *uuid.UUID
	CustomerName     string
	SubscriptionID   string
	Kind             string
	ChargeType       string
	ChargeStart      *time.Time
	ChargeEnd        *time.Time
	Quantity         decimal.Decimal
	UnitPrice        decimal.Decimal
	ProductID        string
	SkuID            string
	AvailabilityID   string
	BillingFrequency string
	TermAndCycle     string
	Currency         string
	Lines            int64
	Cost             decimal.Decimal
}

// MatchedBillingCharges calls fn for the invoice's charges of mirrored
// subscriptions (streamed: an invoice may hold a million lines).
func (s *Store) MatchedBillingCharges(ctx context.Context, q BillingDB, invoiceID string, fn func(BillingCharge) error) error {
	rows, err := q.Query(ctx, `SELECT l.pc_customer_id, min(l.customer_id::text)::uuid, max(l.customer_name), l.subscription_id,
	    l.kind, l.charge_type, coalesce(l.charge_start, l.usage_date), max(l.charge_end), l.quantity, l.unit_price, l.product_id,
	    l.sku_id, l.availability_id, l.billing_frequency, max(l.term_and_billing_cycle), max(l.currency), count(*), sum(l.cost)
	FROM billing_lines l
	JOIN billing_imports i ON i.id = l.import_id AND i.state = 'done' AND i.invoice_id = $1
	JOIN subscriptions s ON lower(s.id) = lower(l.subscription_id)
	GROUP BY l.pc_customer_id, l.subscription_id, l.kind, l.charge_type, coalesce(l.charge_start, l.usage_date), l.quantity,
	    l.unit_price, l.product_id, l.sku_id, l.availability_id, l.billing_frequency
	ORDER BY l.pc_customer_id, l.subscription_id, 7, l.charge_type`, invoiceID)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c BillingCharge
		if err := rows.Scan(&c.PCCustomerID, &c.CustomerID, &c.CustomerName, &c.SubscriptionID, &c.Kind, &c.ChargeType,
			&c.ChargeStart, &c.ChargeEnd, &c.Quantity, &c.UnitPrice, &c.ProductID, &c.SkuID, &c.AvailabilityID,
			&c.BillingFrequency, &c.TermAndCycle, &c.Currency, &c.Lines, &c.Cost); err != nil {
			return mapErr(err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}

// MirrorSubscription is a mirrored subscription's current seats and status.
type MirrorSubscription struct {
	ID         string
	CustomerID uuid.UUID
	Status     string
	Quantity   int
}

// MirrorSubscriptions reads the mirrored subscriptions with these ids,
// keyed by the lower-cased id (PC's billing data and its subscription
// resources do not always agree on the case of a GUID).
func (s *Store) MirrorSubscriptions(ctx context.Context, q BillingDB, ids []string) (map[string]MirrorSubscription, error) {
	lower := make([]string, len(ids))
	for i, id := range ids {
		lower[i] = strings.ToLower(id)
	}
	rows, err := q.Query(ctx, `SELECT id, customer_id, status, quantity FROM subscriptions WHERE lower(id) = ANY($1)`, lower)
	if err != nil {
		return nil, mapErr(err)
	}
	subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MirrorSubscription, error) {
		var m MirrorSubscription
		var q int32
		err := r.Scan(&m.ID, &m.CustomerID, &m.Status, &q)
		m.Quantity = int(q)
		return m, err
	})
	if err != nil {
		return nil, mapErr(err)
	}
	out := make(map[string]MirrorSubscription, len(subs))
	for _, m := range subs {
		out[strings.ToLower(m.ID)] = m
	}
	return out, nil
}

// SubscriptionAuditChange is a subscription change PC's audit log recorded
// (its old and new value, as the JSON PC stores them).
type SubscriptionAuditChange struct {
	At       time.Time
	OldValue string
	NewValue string
}

// SubscriptionAuditChanges returns the subscription changes of these
// customers recorded at or after since, oldest first.
func (s *Store) SubscriptionAuditChanges(ctx context.Context, q BillingDB, customers []uuid.UUID, since time.Time) ([]SubscriptionAuditChange, error) {
	rows, err := q.Query(ctx, `SELECT operation_date, coalesce(raw->>'resourceOldValue', ''), coalesce(raw->>'resourceNewValue', '')
	FROM pc_audit_records WHERE customer_id = ANY($1) AND resource_type = 'subscription' AND operation_date >= $2
	ORDER BY operation_date, id`, customers, since)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SubscriptionAuditChange, error) {
		var c SubscriptionAuditChange
		err := r.Scan(&c.At, &c.OldValue, &c.NewValue)
		return c, err
	})
}
