package mirror

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store/db"
)

// Partner Center service requests (issue 21): the partner's requests with
// Microsoft support and the support topics, read into
// pc_service_requests and pc_support_topics. A ticket escalated from the
// portal links to its request; the status and notes Microsoft adds come
// back through this sync (every ServiceRequestInterval, and right after
// an escalation is delivered, through ApplyServiceRequest).

// ServiceRequestInterval is how often the service requests are read.
const ServiceRequestInterval = 10 * time.Minute

// ServiceRequestSyncArgs is the River job reading the service requests.
type ServiceRequestSyncArgs struct{}

// Kind is River's job kind.
func (ServiceRequestSyncArgs) Kind() string { return "mirror.service_requests" }

// InsertOpts makes the job unique while it waits or runs.
func (ServiceRequestSyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable,
		rivertype.JobStateScheduled}}}
}

type serviceRequestWorker struct {
	river.WorkerDefaults[ServiceRequestSyncArgs]
	m *Mirror
}

func (w *serviceRequestWorker) Timeout(*river.Job[ServiceRequestSyncArgs]) time.Duration {
	return 10 * time.Minute
}

func (w *serviceRequestWorker) Work(ctx context.Context, _ *river.Job[ServiceRequestSyncArgs]) error {
	rep, err := w.m.SyncServiceRequests(ctx)
	var ce *pccclient.ConsentError
	switch {
	case errors.Is(err, pcconn.ErrNotConfigured):
		return nil
	case errors.As(err, &ce):
		// App+User only: without a connected partner admin there is
		// nothing to read; the health panel already says why.
		w.m.log.Info("service requests not synced: no partner admin consent", "err", err)
		return nil
	case err != nil:
		return err
	}
	w.m.log.Info("service requests synced", "requests", rep.Requests, "topics", rep.Topics)
	return nil
}

func (m *Mirror) serviceRequestPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(ServiceRequestInterval),
		func() (river.JobArgs, *river.InsertOpts) { return ServiceRequestSyncArgs{}, nil },
		&river.PeriodicJobOpts{ID: "mirror.service_requests", RunOnStart: true})
}

// ServiceRequestReport is what one service request sync read.
type ServiceRequestReport struct {
	Topics, Requests int
}

// SyncServiceRequests reads the support topics, the partner's service
// requests and its support profile and upserts them (by PC's id; running it twice changes
// nothing). Topics PC stopped listing are removed.
func (m *Mirror) SyncServiceRequests(ctx context.Context) (ServiceRequestReport, error) {
	var rep ServiceRequestReport
	pc, err := m.pc.Client(ctx)
	if err != nil {
		return rep, err
	}
	topics, err := pc.ListSupportTopics(ctx)
	if err != nil {
		return rep, fmt.Errorf("support topics: %w", err)
	}
	srs, err := pccclient.Collect(pc.ListServiceRequests(ctx))
	if err != nil {
		return rep, fmt.Errorf("service requests: %w", err)
	}
	prof, err := pc.GetSupportProfile(ctx)
	if err != nil {
		return rep, fmt.Errorf("support profile: %w", err)
	}
	at := SyncTime()
	err = m.st.InTx(ctx, func(tx pgx.Tx) error {
		if err := m.ApplySupportProfile(ctx, tx, prof, at); err != nil {
			return err
		}
		for _, t := range topics {
			if err := m.st.Q.UpsertSupportTopic(ctx, tx, db.UpsertSupportTopicParams{ID: string(t.ID), Name: t.Name,
				Description: t.Description, SyncedAt: at}); err != nil {
				return fmt.Errorf("support topic %s: %w", t.ID, err)
			}
		}
		if len(topics) > 0 {
			if err := m.st.Q.DeleteStaleSupportTopics(ctx, tx, at); err != nil {
				return err
			}
		}
		for i := range srs {
			if err := m.ApplyServiceRequest(ctx, tx, &srs[i], nil, at); err != nil {
				return err
			}
		}
		return nil
	})
	rep.Topics, rep.Requests = len(topics), len(srs)
	return rep, err
}

// ApplyServiceRequest upserts one service request inside tx; customer is
// the customer it was filed for, when known (nil keeps what is stored).
func (m *Mirror) ApplyServiceRequest(ctx context.Context, tx pgx.Tx, sr *pccclient.ServiceRequest, customer *uuid.UUID, at time.Time) error {
	notes := make([]serviceRequestNote, 0, len(sr.Notes))
	for _, n := range sr.Notes {
		notes = append(notes, serviceRequestNote{By: n.CreatedByName, At: tptr(n.CreatedDate), Text: n.Text})
	}
	nb, err := json.Marshal(notes)
	if err != nil {
		return err
	}
	err = m.st.Q.UpsertServiceRequest(ctx, tx, db.UpsertServiceRequestParams{
		ID: sr.ID, CustomerID: customer, Title: sr.Title, Description: sr.Description,
		Severity: string(sr.Severity.Name()), Status: string(sr.Status.Name()),
		SupportTopicID: string(sr.SupportTopicID), SupportTopicName: sr.SupportTopicName,
		CreatedDate: tptr(sr.CreatedDate), LastModifiedDate: tptr(sr.LastModifiedDate), LastClosedDate: tptr(sr.LastClosedDate),
		Notes: nb, Raw: RawJSON(sr), SyncedAt: at,
	})
	if err != nil {
		return fmt.Errorf("service request %s: %w", sr.ID, err)
	}
	return nil
}

// serviceRequestNote is one note as pc_service_requests.notes keeps it.
type serviceRequestNote struct {
	By   string     `json:"by"`
	At   *time.Time `json:"at,omitempty"`
	Text string     `json:"text"`
}

// ApplySupportProfile writes the partner's support profile inside tx.
func (m *Mirror) ApplySupportProfile(ctx context.Context, tx pgx.Tx, p *pccclient.SupportProfile, at time.Time) error {
	if err := m.st.Q.UpsertSupportProfile(ctx, tx, db.UpsertSupportProfileParams{Email: p.Email, Telephone: p.Telephone,
		Website: p.Website, Etag: p.Attributes.Etag, SyncedAt: at}); err != nil {
		return fmt.Errorf("support profile: %w", err)
	}
	return nil
}
