package commerce

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store/db"
)

// CommandKind names a change the portal asks Partner Center to make.
type CommandKind string

// Command kinds (commands.kind).
const (
	CmdCreateCustomer    CommandKind = "create_customer"    // payload CreateCustomerPayload
	CmdAcceptAgreement   CommandKind = "accept_agreement"   // payload AcceptAgreementPayload
	CmdCreateOrder       CommandKind = "create_order"       // payload CreateOrderPayload
	CmdPatchOrder        CommandKind = "patch_order"        // payload PatchOrderPayload (add-on lines)
	CmdPatchSubscription CommandKind = "patch_subscription" // payload PatchSubscriptionPayload
	CmdCreateTransition  CommandKind = "create_transition"  // payload CreateTransitionPayload
	// CmdCreateServiceRequest files a service request with Microsoft
	// (payload CreateServiceRequestPayload; TargetID the support request).
	CmdCreateServiceRequest CommandKind = "create_service_request"
	// CmdUpdateServiceRequest adds a note to it or moves its status
	// (payload UpdateServiceRequestPayload; TargetID the support request).
	CmdUpdateServiceRequest CommandKind = "update_service_request"
	// CmdUpdateSupportProfile replaces the partner's support profile
	// (payload UpdateSupportProfilePayload; no customer).
	CmdUpdateSupportProfile CommandKind = "update_support_profile"
)

// Command statuses (commands.status).
const (
	CommandPending    = rules.StatusPending
	CommandDelivering = rules.StatusDelivering
	CommandSucceeded  = rules.StatusSucceeded
	CommandFailed     = rules.StatusFailed
)

// Command is a change for Partner Center, queued with enqueue.
type Command struct {
	Kind CommandKind
	// CustomerID is the PC customer; required except for CmdCreateCustomer.
	CustomerID uuid.UUID
	// TargetID is the subscription (CmdPatchSubscription) or order
	// (CmdPatchOrder) changed; for CmdCreateOrder the optional parent
	// subscription. Syncs never overwrite a subscription while a command
	// targeting it is pending.
	TargetID string
	// Payload is the *Payload struct matching Kind.
	Payload any
	// By is who asked.
	By Actor
	// RequestID is the MS-RequestId when the caller has a stable one (an
	// API write's Idempotency-Key); zero draws a fresh one.
	RequestID uuid.UUID
}

// CreateCustomerPayload creates a customer (tenant) in PC.
type CreateCustomerPayload struct {
	Customer pccclient.Customer `json:"customer"`
}

// AcceptAgreementPayload records the customer's acceptance of the
// Microsoft Customer Agreement.
type AcceptAgreementPayload struct {
	Agreement pccclient.Agreement `json:"agreement"`
}

// CreateOrderPayload places an order (line items may carry
// parentSubscriptionId for add-ons).
type CreateOrderPayload struct {
	Order pccclient.Order `json:"order"`
}

// PatchOrderPayload adds line items (add-ons) to an existing order.
type PatchOrderPayload struct {
	OrderID string          `json:"orderId"`
	Order   pccclient.Order `json:"order"`
}

// PatchSubscriptionPayload changes a subscription; nil fields stay as they
// are. Body is filled by the first delivery attempt with the exact PATCH
// body, which every retry then resends byte for byte.
type PatchSubscriptionPayload struct {
	Quantity         *int                          `json:"quantity,omitempty"`
	Status           *pccclient.SubscriptionStatus `json:"status,omitempty"`
	AutoRenewEnabled *bool                         `json:"autoRenewEnabled,omitempty"`
	FriendlyName     *string                       `json:"friendlyName,omitempty"`
	// ScheduledNextTerm sets the next term's instructions; ClearScheduled
	// removes them.
	ScheduledNextTerm *pccclient.ScheduledNextTermInstructions `json:"scheduledNextTermInstructions,omitempty"`
	ClearScheduled    bool                                     `json:"clearScheduled,omitempty"`
	// IfMatch is PC's etag of the subscription the staff member saw: the
	// first attempt refuses the change (2055) when PC's copy moved on, and
	// the PATCH carries If-Match, so a change made in between is never
	// undone.
	IfMatch string          `json:"ifMatch,omitempty"`
	Body    json.RawMessage `json:"body,omitempty"`
}

// CreateTransitionPayload upgrades a subscription (POST .../transitions).
type CreateTransitionPayload struct {
	Transition pccclient.Transition `json:"transition"`
}

// DeliverArgs is the River job delivering one command.
type DeliverArgs struct {
	CommandID int64 `json:"command_id"`
}

// Kind is River's job kind (named before the write side had a package of
// its own; kept so jobs queued by older versions still run).
func (DeliverArgs) Kind() string { return "mirror.deliver" }

func (c Command) validate() error {
	var errs []error
	switch c.Kind {
	case CmdCreateCustomer:
		if _, ok := c.Payload.(CreateCustomerPayload); !ok {
			errs = append(errs, errors.New("payload must be a CreateCustomerPayload"))
		}
	case CmdAcceptAgreement:
		if _, ok := c.Payload.(AcceptAgreementPayload); !ok {
			errs = append(errs, errors.New("payload must be an AcceptAgreementPayload"))
		}
	case CmdCreateOrder:
		if _, ok := c.Payload.(CreateOrderPayload); !ok {
			errs = append(errs, errors.New("payload must be a CreateOrderPayload"))
		}
	case CmdPatchOrder:
		p, ok := c.Payload.(PatchOrderPayload)
		if !ok || p.OrderID == "" {
			errs = append(errs, errors.New("payload must be a PatchOrderPayload with an OrderID"))
		}
	case CmdPatchSubscription:
		p, ok := c.Payload.(PatchSubscriptionPayload)
		if !ok {
			errs = append(errs, errors.New("payload must be a PatchSubscriptionPayload"))
		} else if p.Quantity == nil && p.Status == nil && p.AutoRenewEnabled == nil && p.FriendlyName == nil && p.ScheduledNextTerm == nil && !p.ClearScheduled {
			errs = append(errs, errors.New("payload changes nothing"))
		} else if p.Quantity != nil && *p.Quantity < 1 {
			errs = append(errs, errors.New("quantity must be at least 1"))
		}
		if c.TargetID == "" {
			errs = append(errs, errors.New("TargetID (the subscription id) is required"))
		}
	case CmdCreateTransition:
		p, ok := c.Payload.(CreateTransitionPayload)
		if !ok || p.Transition.ToCatalogItemID == "" {
			errs = append(errs, errors.New("payload must be a CreateTransitionPayload with a target"))
		}
		if c.TargetID == "" {
			errs = append(errs, errors.New("TargetID (the subscription id) is required"))
		}
	case CmdCreateServiceRequest:
		p, ok := c.Payload.(CreateServiceRequestPayload)
		if !ok || p.AgentLocale == "" || p.SupportRequestID == 0 {
			errs = append(errs, errors.New("payload must be a CreateServiceRequestPayload with a locale and the support request"))
		}
	case CmdUpdateServiceRequest:
		p, ok := c.Payload.(UpdateServiceRequestPayload)
		if !ok || p.ServiceRequestID == "" || (p.Note == "" && p.Status == "") {
			errs = append(errs, errors.New("payload must be an UpdateServiceRequestPayload with a request and a note or status"))
		}
	case CmdUpdateSupportProfile:
		if _, ok := c.Payload.(UpdateSupportProfilePayload); !ok {
			errs = append(errs, errors.New("payload must be an UpdateSupportProfilePayload"))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown kind %q", c.Kind))
	}
	if c.Kind != CmdCreateCustomer && c.Kind != CmdUpdateSupportProfile && c.CustomerID == uuid.Nil {
		errs = append(errs, errors.New("CustomerID is required"))
	}
	return errors.Join(errs...)
}

// enqueue queues cmd for delivery inside the caller's transaction tx: it
// writes the audit-log entry, the outbox row with a fresh MS-RequestId, and
// the River job that delivers it, so either all three exist or none. With
// hold > 0 the job waits that long, leaving the caller time to deliver the
// command itself (DeliverNow). It returns the command id (commands.id).
func (s *Service) enqueue(ctx context.Context, tx pgx.Tx, cmd Command, hold time.Duration) (int64, error) {
	if err := cmd.validate(); err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", cmd.Kind, err)
	}
	if err := s.stampPartnerOnRecord(ctx, tx, &cmd); err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", cmd.Kind, err)
	}
	payload, err := json.Marshal(cmd.Payload)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: encode payload: %w", cmd.Kind, err)
	}
	reqID := cmd.RequestID
	if reqID == uuid.Nil {
		reqID = uuid.New()
	}
	var cust *uuid.UUID
	if cmd.CustomerID != uuid.Nil {
		c := cmd.CustomerID
		cust = &c
	}
	label := cmp.Or(cmd.By.Label, "system")
	q := s.st.Q
	auditID, err := q.InsertAudit(ctx, tx, db.InsertAuditParams{
		ActorUserID: cmd.By.UserID, Actor: label, Action: "pc." + string(cmd.Kind),
		TargetType: targetType(cmd.Kind), TargetID: cmd.TargetID, CustomerID: cust, After: payload,
		PcRequestID: &reqID, Outcome: CommandPending,
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: audit: %w", cmd.Kind, err)
	}
	row, err := q.InsertCommand(ctx, tx, db.InsertCommandParams{
		Kind: string(cmd.Kind), CustomerID: cust, TargetID: cmd.TargetID, Payload: payload, MsRequestID: reqID,
		RequestedBy: cmd.By.UserID, RequestedByLabel: cmd.By.Label, AuditLogID: &auditID,
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", cmd.Kind, err)
	}
	opts := &river.InsertOpts{MaxAttempts: s.opt.DeliveryMaxAttempts}
	if hold > 0 {
		opts.ScheduledAt = time.Now().Add(hold)
	}
	res, err := s.river.InsertTx(ctx, tx, DeliverArgs{CommandID: row.ID}, opts)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: job: %w", cmd.Kind, err)
	}
	if err := q.SetCommandJob(ctx, tx, db.SetCommandJobParams{ID: row.ID, RiverJobID: &res.Job.ID}); err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", cmd.Kind, err)
	}
	return row.ID, nil
}

// release lets the worker have a held command's job at once (the inline
// attempt failed or could not be made).
func (s *Service) release(ctx context.Context, jobID *int64) {
	if jobID == nil {
		return
	}
	if _, err := s.river.JobRetry(context.WithoutCancel(ctx), *jobID); err != nil {
		s.log.WarnContext(ctx, "held job not released", "job", *jobID, "err", err)
	}
}

func targetType(k CommandKind) string {
	switch k {
	case CmdCreateCustomer, CmdAcceptAgreement:
		return "customer"
	case CmdCreateOrder, CmdPatchOrder:
		return "order"
	case CmdCreateServiceRequest, CmdUpdateServiceRequest:
		return "support_request"
	case CmdUpdateSupportProfile:
		return "partner"
	}
	return "subscription"
}
