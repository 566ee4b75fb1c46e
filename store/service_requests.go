package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// Partner Center service requests (issue 21): a ticket's escalation to
// Microsoft as the staff's page shows it, and the topics to file under.

// SupportTopic is one of PC's support topics.
type SupportTopic = db.SupportTopicsRow

// ServiceRequestNote is one note of a PC service request.
type ServiceRequestNote struct {
	By   string     `json:"by"`
	At   *time.Time `json:"at"`
	Text string     `json:"text"`
}

// SupportEscalation is a ticket's escalation: the outbox command filing
// the service request and, once filed, PC's request as last synced.
type SupportEscalation struct {
	CommandID        int64
	CommandStatus    string // pending, delivering, succeeded, failed
	CommandError     string
	MSRequestID      string
	ServiceRequestID string // "" until PC answered
	Status           string // PC's: open, attention_needed, closed
	Severity         string
	Topic            string
	Notes            []ServiceRequestNote
	LastModified     *time.Time
	SyncedAt         *time.Time
}

// SupportEscalationOf returns request id's escalation, nil when the
// request was not escalated.
func (s *Store) SupportEscalationOf(ctx context.Context, id int64) (*SupportEscalation, error) {
	r, err := s.Q.SupportEscalation(ctx, s.Pool, id)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && r.EscalationCommandID == nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("escalation of support request %d: %w", id, mapErr(err))
	}
	e := &SupportEscalation{CommandID: *r.EscalationCommandID, CommandStatus: r.CommandStatus, CommandError: r.CommandError,
		ServiceRequestID: r.ServiceRequestID, Status: r.PcStatus, Severity: r.PcSeverity, Topic: r.PcTopic,
		LastModified: r.PcLastModified, SyncedAt: r.PcSyncedAt}
	if r.MsRequestID != nil {
		e.MSRequestID = r.MsRequestID.String()
	}
	if len(r.PcNotes) > 0 {
		if err := json.Unmarshal(r.PcNotes, &e.Notes); err != nil {
			return nil, fmt.Errorf("notes of service request %s: %w", r.ServiceRequestID, err)
		}
	}
	return e, nil
}

// SupportTopics lists PC's support topics (as last synced).
func (s *Store) SupportTopics(ctx context.Context) ([]SupportTopic, error) {
	rows, err := s.Q.SupportTopics(ctx, s.Pool)
	if err != nil {
		return nil, fmt.Errorf("support topics: %w", mapErr(err))
	}
	return rows, nil
}

// SupportProfile is the partner's support profile as customers see it.
type SupportProfile = db.SupportProfileRow

// SupportProfileChange is the latest change of the profile sent to PC.
type SupportProfileChange = db.SupportProfileChangeRow

// SupportProfileView is the admins' support profile page: the profile as
// last read from PC (nil before the first sync) and the latest change.
type SupportProfileView struct {
	Profile *SupportProfile
	Change  *SupportProfileChange
}

// SupportProfileOf reads the support profile (nil when never synced).
func (s *Store) SupportProfileOf(ctx context.Context) (*SupportProfile, error) {
	p, err := s.Q.SupportProfile(ctx, s.Pool)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("support profile: %w", mapErr(err))
	}
	return &p, nil
}

// SupportProfilePage reads the admins' support profile page.
func (s *Store) SupportProfilePage(ctx context.Context) (SupportProfileView, error) {
	var v SupportProfileView
	var err error
	if v.Profile, err = s.SupportProfileOf(ctx); err != nil {
		return v, err
	}
	ch, err := s.Q.SupportProfileChange(ctx, s.Pool)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return v, fmt.Errorf("support profile change: %w", mapErr(err))
	default:
		v.Change = &ch
	}
	return v, nil
}

// CustomerSupportList is a customer's requests page: a page of their
// requests and how to reach the partner's support.
type CustomerSupportList struct {
	Rows    []SupportRequestListRow
	Profile *SupportProfile
}

// CustomerSupportListPage reads customer's requests page (rows older than
// before; 0 the first page).
func (s *Store) CustomerSupportListPage(ctx context.Context, customer uuid.UUID, before int64) (CustomerSupportList, error) {
	var v CustomerSupportList
	var err error
	if v.Rows, err = s.SupportRequestsOfCustomer(ctx, customer, before); err != nil {
		return v, err
	}
	v.Profile, err = s.SupportProfileOf(ctx)
	return v, err
}
