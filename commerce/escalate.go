package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// Escalation (issue 21): staff hand a customer's ticket on to Microsoft.
// One transaction queues the outbox command that files a Partner Center
// service request (its MS-RequestId fixed then, so every retry files the
// same request once), links it to the ticket, and audits who did it; the
// command is then delivered at once when it can. Delivery writes PC's
// request into the mirror and points the ticket at it; the status and
// notes Microsoft adds later come back through the mirror's service
// request sync. A second submit (double click, another staff member) finds
// the ticket escalated under its row lock and queues nothing.

// AgentLocale is the locale service requests are filed in.
const AgentLocale = "en-US"

// CreateServiceRequestPayload files a service request with Microsoft.
type CreateServiceRequestPayload struct {
	AgentLocale      string                   `json:"agentLocale"`
	ServiceRequest   pccclient.ServiceRequest `json:"serviceRequest"`
	SupportRequestID int64                    `json:"supportRequestId"`
}

// EscalateInput is the staff's escalation form.
type EscalateInput struct {
	TopicID  string
	Severity string // critical, moderate or minimal
	Note     string // optional: what Microsoft should know beyond the ticket
}

// EscalateTicket files ticket id with Microsoft as a service request
// (see above). Problems come back by form field ("topic", "severity",
// "note", "_form"); an escalated ticket is left as it is (no problem, no
// second request).
func (s *Service) EscalateTicket(ctx context.Context, by Actor, id int64, in EscalateInput) (map[string]string, error) {
	in.TopicID, in.Note = strings.TrimSpace(in.TopicID), strings.TrimSpace(in.Note)
	topic, terr := s.st.Q.SupportTopicName(ctx, s.st.Pool, in.TopicID)
	if terr != nil && !errors.Is(terr, pgx.ErrNoRows) {
		return nil, fmt.Errorf("support topic %s: %w", in.TopicID, terr)
	}
	if p := rules.CheckEscalationForm(in.TopicID, terr == nil, in.Severity, in.Note); p != nil {
		return p, nil
	}
	var cmdID int64
	var problems map[string]string
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		r, err := s.lockSupport(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		if r.EscalationCommandID != nil {
			return errRepeated
		}
		if msg := rules.CheckEscalation(r.Kind, r.Status, false); msg != "" {
			problems = map[string]string{"_form": msg}
			return nil
		}
		ref := "[Portal ticket #" + strconv.FormatInt(id, 10) + "]"
		desc := fmt.Sprintf("%s\n\nCustomer: %s (tenant %s). Reported by %s with severity %s.",
			r.Description, r.CustomerName, r.CustomerID, r.RequesterLabel, r.Severity)
		if r.SubscriptionID != "" {
			desc += "\nSubscription: " + r.SubscriptionName + " (" + r.SubscriptionID + ")."
		}
		if in.Note != "" {
			desc += "\n\nFrom the partner: " + in.Note
		}
		p := CreateServiceRequestPayload{AgentLocale: AgentLocale, SupportRequestID: id, ServiceRequest: pccclient.ServiceRequest{
			Title: rules.EscalationTitle(ref, r.Subject), Description: desc,
			Severity: pccclient.ServiceRequestSeverity(in.Severity), SupportTopicID: pccclient.FlexibleID(in.TopicID),
		}}
		if cmdID, err = s.enqueue(ctx, tx, Command{Kind: CmdCreateServiceRequest, CustomerID: r.CustomerID,
			TargetID: strconv.FormatInt(id, 10), Payload: p, By: by}, s.opt.InlineHold); err != nil {
			return err
		}
		if err := s.st.Q.SetSupportEscalation(ctx, tx, db.SetSupportEscalationParams{ID: id, CommandID: &cmdID}); err != nil {
			return fmt.Errorf("escalate support request %d: %w", id, store.MapErr(err))
		}
		return s.auditSupport(ctx, tx, by, "support.escalated", id, r.CustomerID,
			fmt.Sprintf("to Microsoft: %s, severity %s", topic, in.Severity))
	})
	switch {
	case errors.Is(err, errRepeated):
		return nil, nil
	case err != nil || problems != nil:
		return problems, err
	}
	s.deliverInline(ctx, cmdID)
	return nil, nil
}

// deliverServiceRequest files the request with the command's MS-RequestId
// and, in the transaction marking it done, mirrors PC's answer and links
// the ticket to it.
func (s *Service) deliverServiceRequest(ctx context.Context, pc *pccclient.Client, cmd *db.Command, cust uuid.UUID) error {
	var p CreateServiceRequestPayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
	}
	sr, err := pc.CreateServiceRequest(ctx, cmd.MsRequestID.String(), p.AgentLocale, p.ServiceRequest)
	if err != nil {
		return err
	}
	return s.finishCommand(ctx, cmd, CommandSucceeded, nil, sr, nil, "", func(tx pgx.Tx, at time.Time) error {
		if err := s.mir.ApplyServiceRequest(ctx, tx, sr, &cust, at); err != nil {
			return err
		}
		if _, err := s.st.Q.LinkEscalatedServiceRequest(ctx, tx, db.LinkEscalatedServiceRequestParams{
			ServiceRequestID: &sr.ID, CommandID: &cmd.ID}); err != nil {
			return fmt.Errorf("link service request %s: %w", sr.ID, err)
		}
		return nil
	})
}

// UpdateServiceRequestPayload adds a note to an escalated ticket's
// service request and/or moves its status.
type UpdateServiceRequestPayload struct {
	ServiceRequestID string                         `json:"serviceRequestId"`
	Note             string                         `json:"note,omitempty"`
	Status           pccclient.ServiceRequestStatus `json:"status,omitempty"`
	SupportRequestID int64                          `json:"supportRequestId"`
}

// NoteServiceRequest sends staff's note (and/or a status: "closed", or
// "open" to reopen) to the service request ticket id was escalated to.
// Problems come back by field ("pc_note", "pc_status", "_form").
func (s *Service) NoteServiceRequest(ctx context.Context, by Actor, id int64, note, status string) (map[string]string, error) {
	note = strings.TrimSpace(note)
	if p := rules.CheckServiceRequestNote(note, status); p != nil {
		return p, nil
	}
	var cmdID int64
	var problems map[string]string
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		r, err := s.lockSupport(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		if r.PcServiceRequestID == nil || *r.PcServiceRequestID == "" {
			problems = map[string]string{"_form": "The ticket has no service request with Microsoft yet."}
			return nil
		}
		p := UpdateServiceRequestPayload{ServiceRequestID: *r.PcServiceRequestID, Note: note,
			Status: pccclient.ServiceRequestStatus(status), SupportRequestID: id}
		if cmdID, err = s.enqueue(ctx, tx, Command{Kind: CmdUpdateServiceRequest, CustomerID: r.CustomerID,
			TargetID: strconv.FormatInt(id, 10), Payload: p, By: by}, s.opt.InlineHold); err != nil {
			return err
		}
		detail := "note to Microsoft"
		if status != "" {
			detail += ", status " + status
		}
		return s.auditSupport(ctx, tx, by, "support.pc_updated", id, r.CustomerID, detail)
	})
	if err != nil || problems != nil {
		return problems, err
	}
	s.deliverInline(ctx, cmdID)
	return nil, nil
}

func (s *Service) deliverServiceRequestUpdate(ctx context.Context, pc *pccclient.Client, cmd *db.Command) error {
	var p UpdateServiceRequestPayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
	}
	sr, err := pc.UpdateServiceRequest(ctx, cmd.MsRequestID.String(), p.ServiceRequestID, p.Note, p.Status)
	if err != nil {
		return err
	}
	return s.finishCommand(ctx, cmd, CommandSucceeded, nil, sr, nil, "", func(tx pgx.Tx, at time.Time) error {
		return s.mir.ApplyServiceRequest(ctx, tx, sr, nil, at)
	})
}
