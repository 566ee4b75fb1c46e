package db

// Written by hand, not by sqlc: sqlc's batch queries send a batch of one
// query each, so a page reading several queries in one snapshot paid a
// round trip per query. These queue the generated queries' SQL on a
// caller's pgx.Batch and scan each result, by position as the generated
// code does, when the batch's results are read.

import (
	"fmt"
	"reflect"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

func queueMany[T any](b *pgx.Batch, out *[]T, sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		v, err := CollectByPos[T](rows)
		*out = v
		return err
	})
}

// queueOne reads exactly one row; none is pgx.ErrNoRows, as QueryRow gives.
func queueOne[T any](b *pgx.Batch, out *T, sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[T])
		*out = v
		return err
	})
}

// CollectByPos reads every row into a T, column i into T's field i, as
// pgx.RowToStructByPos does, and closes rows. It takes the fields'
// addresses once per result, not once per row: for a customer's 500
// subscriptions pgx's per-row reflection was 7 % of the page's CPU. Each
// row is scanned into the one T and copied out, which is safe because
// pgx gives every row a pointer field of its own (a new value, or nil).
// T is a flat struct of the generated row types: no slices or maps,
// which pgx could fill in place.
func CollectByPos[T any](rows pgx.Rows) ([]T, error) {
	defer rows.Close()
	var v T
	rv := reflect.ValueOf(&v).Elem()
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("collect %T: not a struct", v)
	}
	targets := make([]any, rv.NumField())
	for i := range targets {
		if k := rv.Field(i).Kind(); k == reflect.Slice || k == reflect.Map {
			return nil, fmt.Errorf("collect %T: field %s is a %s, which a scan could share between rows", v, rv.Type().Field(i).Name, k)
		}
		targets[i] = rv.Field(i).Addr().Interface()
	}
	var out []T
	var zero T
	for rows.Next() {
		if n := len(rows.RawValues()); out == nil && n != len(targets) {
			return nil, fmt.Errorf("collect %T: %d columns for %d fields", v, n, len(targets))
		}
		v = zero
		if err := rows.Scan(targets...); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// QueueGetMirrorCustomer queues GetMirrorCustomer on b; out is set when b's
// results are read.
func (q *Queries) QueueGetMirrorCustomer(b *pgx.Batch, id uuid.UUID, out *Customer) {
	queueOne(b, out, getMirrorCustomer, id)
}

// QueueGetResellerCustomer queues GetResellerCustomer on b.
func (q *Queries) QueueGetResellerCustomer(b *pgx.Batch, arg GetResellerCustomerParams, out *Customer) {
	queueOne(b, out, getResellerCustomer, arg.ID, arg.ResellerID)
}

// QueueListCustomerAgreements queues ListCustomerAgreements on b.
func (q *Queries) QueueListCustomerAgreements(b *pgx.Batch, customerID uuid.UUID, out *[]ListCustomerAgreementsRow) {
	queueMany(b, out, listCustomerAgreements, customerID)
}

// QueueListCustomerOrders queues ListCustomerOrders on b.
func (q *Queries) QueueListCustomerOrders(b *pgx.Batch, customerID uuid.UUID, out *[]ListCustomerOrdersRow) {
	queueMany(b, out, listCustomerOrders, customerID)
}

// QueueListCustomerUsage queues ListCustomerUsage on b.
func (q *Queries) QueueListCustomerUsage(b *pgx.Batch, customerID uuid.UUID, out *[]ListCustomerUsageRow) {
	queueMany(b, out, listCustomerUsage, customerID)
}

// QueueCustomerPricedSubscriptions queues CustomerPricedSubscriptions on b.
func (q *Queries) QueueCustomerPricedSubscriptions(b *pgx.Batch, arg CustomerPricedSubscriptionsParams, out *[]CustomerPricedSubscriptionsRow) {
	queueMany(b, out, customerPricedSubscriptions, arg.CustomerID, arg.UnlessVersion)
}

// QueueCustomerEntitlements queues CustomerEntitlements on b. Its rows
// hold a slice (the suspension reasons), so pgx scans each row anew.
func (q *Queries) QueueCustomerEntitlements(b *pgx.Batch, arg CustomerEntitlementsParams, out *[]CustomerEntitlementsRow) {
	b.Queue(customerEntitlements, arg.CustomerID, arg.UnlessVersion).Query(func(rows pgx.Rows) error {
		v, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CustomerEntitlementsRow])
		*out = v
		return err
	})
}

// QueueCustomerDataVersion queues CustomerDataVersion on b.
func (q *Queries) QueueCustomerDataVersion(b *pgx.Batch, customerID uuid.UUID, out *int64) {
	b.Queue(customerDataVersion, customerID).QueryRow(func(r pgx.Row) error { return r.Scan(out) })
}

// QueueListCustomerAudit queues ListCustomerAudit on b.
func (q *Queries) QueueListCustomerAudit(b *pgx.Batch, customerID *uuid.UUID, out *[]ListCustomerAuditRow) {
	queueMany(b, out, listCustomerAudit, customerID)
}

// QueueCountResellers queues CountResellers on b.
func (q *Queries) QueueCountResellers(b *pgx.Batch, out *int64) {
	b.Queue(countResellers).QueryRow(func(r pgx.Row) error { return r.Scan(out) })
}

// QueueListResellersPage queues ListResellersPage on b.
func (q *Queries) QueueListResellersPage(b *pgx.Batch, arg ListResellersPageParams, out *[]ListResellersPageRow) {
	queueMany(b, out, listResellersPage, arg.Off, arg.Lim)
}

// QueueGetSettings queues GetSettings on b.
func (q *Queries) QueueGetSettings(b *pgx.Batch, out *Setting) {
	queueOne(b, out, getSettings)
}

// QueueUserCounts queues UserCounts on b.
func (q *Queries) QueueUserCounts(b *pgx.Batch, out *UserCountsRow) {
	queueOne(b, out, userCounts)
}

// QueueCustomerOrders queues CustomerOrders on b.
func (q *Queries) QueueCustomerOrders(b *pgx.Batch, customerID uuid.UUID, out *[]CustomerOrdersRow) {
	queueMany(b, out, customerOrders, customerID)
}

// QueueLiveCalendarFeed queues LiveCalendarFeed on b; out holds the feed,
// or nothing when the user has none (not an error, unlike the :one query).
func (q *Queries) QueueLiveCalendarFeed(b *pgx.Batch, userID int64, out *[]LiveCalendarFeedRow) {
	queueMany(b, out, liveCalendarFeed, userID)
}
