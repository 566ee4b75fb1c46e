package store

import (
	"context"
	"fmt"
	"math"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store/db"
)

// Support requests (issue 21): the reads of the customers' and the staff's
// pages. The writes are commerce's use cases (commerce/support.go).

// SupportRequest is one request with the names its pages show.
type SupportRequest = db.SupportRequestRow

// SupportRequestListRow is one line of a customer's own request list.
type SupportRequestListRow = db.SupportRequestsOfCustomerRow

// SupportQueueRow is one line of the staff queue.
type SupportQueueRow = db.SupportQueueRow

// SupportReply is one message of a request's conversation.
type SupportReply = db.SupportReply

// SupportStaffMember is a staff user or admin who can take a request.
type SupportStaffMember = db.SupportStaffRow

// SupportPageSize is how many requests a list page shows.
const SupportPageSize = 50

// SupportRequestView is a request's page: the request, its conversation
// and, for an approved seat request, the subscription change it queued
// (its delivery status).
type SupportRequestView struct {
	Request SupportRequest
	Replies []SupportReply
	Change  *SubscriptionChangeByToken
	// Staff lists who can take the request (staff pages only).
	Staff []SupportStaffMember
	// Escalation is the ticket's service request with Microsoft, nil when
	// not escalated; Topics are PC's support topics to escalate under
	// (staff pages only).
	Escalation *SupportEscalation
	Topics     []SupportTopic
	// CustomerEscalation is what the customer sees of the escalation
	// (customer pages only; nil when not escalated).
	CustomerEscalation *CustomerEscalation
}

// SupportRequestPage reads request id's page: customer set scopes it to
// that customer (ErrNotFound for another's), nil is a staff page.
func (s *Store) SupportRequestPage(ctx context.Context, customer *uuid.UUID, id int64) (SupportRequestView, error) {
	var v SupportRequestView
	var err error
	if customer != nil {
		v.Request, err = s.SupportRequestOfCustomer(ctx, *customer, id)
	} else {
		v.Request, err = s.SupportRequestForStaff(ctx, id)
	}
	if err != nil {
		return v, err
	}
	if v.Replies, err = s.SupportReplies(ctx, v.Request.CustomerID, id); err != nil {
		return v, err
	}
	if v.Request.ChangeToken != nil {
		ch, err := s.SubscriptionChangeByToken(ctx, v.Request.CustomerID, *v.Request.ChangeToken)
		if err != nil {
			return v, err
		}
		v.Change = &ch
	}
	if customer != nil && v.Request.Kind == "ticket" {
		if v.CustomerEscalation, err = s.CustomerEscalationOf(ctx, *customer, id); err != nil {
			return v, err
		}
	}
	if customer == nil {
		if v.Staff, err = s.SupportStaff(ctx); err != nil {
			return v, err
		}
		if v.Escalation, err = s.SupportEscalationOf(ctx, id); err != nil {
			return v, err
		}
		if v.Escalation == nil && v.Request.Kind == "ticket" {
			if v.Topics, err = s.SupportTopics(ctx); err != nil {
				return v, err
			}
		}
	}
	return v, nil
}

// SupportRequestOfCustomer returns request id of customer, or ErrNotFound
// when it belongs to another customer: a customer user's only way in.
func (s *Store) SupportRequestOfCustomer(ctx context.Context, customer uuid.UUID, id int64) (SupportRequest, error) {
	r, err := s.Q.SupportRequest(ctx, s.Pool, db.SupportRequestParams{ID: id, CustomerID: &customer})
	if err != nil {
		return r, fmt.Errorf("support request %d of %s: %w", id, customer, mapErr(err))
	}
	return r, nil
}

// SupportRequestForStaff returns request id of any customer (staff pages).
func (s *Store) SupportRequestForStaff(ctx context.Context, id int64) (SupportRequest, error) {
	r, err := s.Q.SupportRequest(ctx, s.Pool, db.SupportRequestParams{ID: id})
	if err != nil {
		return r, fmt.Errorf("support request %d: %w", id, mapErr(err))
	}
	return r, nil
}

// SupportRequestIDByToken finds the request a form's token created, so a
// repeated submit lands on it.
func (s *Store) SupportRequestIDByToken(ctx context.Context, customer uuid.UUID, token uuid.UUID) (int64, error) {
	id, err := s.Q.SupportRequestByToken(ctx, s.Pool, db.SupportRequestByTokenParams{Token: token, CustomerID: customer})
	if err != nil {
		return 0, fmt.Errorf("support request by token: %w", mapErr(err))
	}
	return id, nil
}

// SupportRequestsOfCustomer is a page of customer's requests, newest
// first, older than before (0: the first page).
func (s *Store) SupportRequestsOfCustomer(ctx context.Context, customer uuid.UUID, before int64) ([]SupportRequestListRow, error) {
	rows, err := s.Q.SupportRequestsOfCustomer(ctx, s.Pool, db.SupportRequestsOfCustomerParams{CustomerID: customer,
		BeforeID: beforeID(before), Max: SupportPageSize + 1})
	if err != nil {
		return nil, fmt.Errorf("support requests of %s: %w", customer, mapErr(err))
	}
	return rows, nil
}

// SupportQueueFilter narrows the staff queue.
type SupportQueueFilter struct {
	Status     string // "" any, "active" not done, or one status
	AssignedTo int64  // 0 anyone
	Before     int64  // keyset: ids below this (0: first page)
}

// SupportQueue is a page of the staff queue (one more row than a page, so
// the caller knows whether there is a next one).
func (s *Store) SupportQueue(ctx context.Context, f SupportQueueFilter) ([]SupportQueueRow, error) {
	rows, err := s.Q.SupportQueue(ctx, s.Pool, db.SupportQueueParams{BeforeID: beforeID(f.Before), Status: f.Status,
		AssignedTo: f.AssignedTo, Max: SupportPageSize + 1})
	if err != nil {
		return nil, fmt.Errorf("support queue: %w", mapErr(err))
	}
	return rows, nil
}

// SupportReplies is the conversation of request id of customer.
func (s *Store) SupportReplies(ctx context.Context, customer uuid.UUID, id int64) ([]SupportReply, error) {
	rows, err := s.Q.SupportReplies(ctx, s.Pool, db.SupportRepliesParams{RequestID: id, CustomerID: customer})
	if err != nil {
		return nil, fmt.Errorf("replies of support request %d: %w", id, mapErr(err))
	}
	return rows, nil
}

// SupportStaff lists who can take a request.
func (s *Store) SupportStaff(ctx context.Context) ([]SupportStaffMember, error) {
	rows, err := s.Q.SupportStaff(ctx, s.Pool)
	if err != nil {
		return nil, fmt.Errorf("support staff: %w", mapErr(err))
	}
	return rows, nil
}

func beforeID(before int64) int64 {
	if before <= 0 {
		return math.MaxInt64
	}
	return before
}
