package db

// Written by hand, not by sqlc: sqlc's batch queries send a batch of one
// query each, so a page reading several queries in one snapshot paid a
// round trip per query. These queue the generated queries' SQL on a
// caller's pgx.Batch and scan each result, by position as the generated
// code does, when the batch's results are read.

import (
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

func queueMany[T any](b *pgx.Batch, out *[]T, sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		v, err := pgx.CollectRows(rows, pgx.RowToStructByPos[T])
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
func (q *Queries) QueueCustomerPricedSubscriptions(b *pgx.Batch, customerID uuid.UUID, out *[]CustomerPricedSubscriptionsRow) {
	queueMany(b, out, customerPricedSubscriptions, customerID)
}

// QueueListCustomerAudit queues ListCustomerAudit on b.
func (q *Queries) QueueListCustomerAudit(b *pgx.Batch, customerID *uuid.UUID, out *[]ListCustomerAuditRow) {
	queueMany(b, out, listCustomerAudit, customerID)
}
