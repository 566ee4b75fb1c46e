package mirror

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/cspportal/portal/pccclient"
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
)

// Command statuses (commands.status).
const (
	CommandPending    = "pending"
	CommandDelivering = "delivering"
	CommandSucceeded  = "succeeded"
	CommandFailed     = "failed"
)

// Command is a change for Partner Center, queued with Enqueue.
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
	// RequestedBy is the user who asked (nil for the system) and
	// RequestedByLabel how the audit log names them (email, "system").
	RequestedBy      *int64
	RequestedByLabel string
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
	Body             json.RawMessage               `json:"body,omitempty"`
}

// DeliverArgs is the River job delivering one command.
type DeliverArgs struct {
	CommandID int64 `json:"command_id"`
}

// Kind is River's job kind.
func (DeliverArgs) Kind() string { return "mirror.deliver" }

// DefaultDeliveryAttempts bounds retries of a command when Enqueue is used
// without a Mirror.
const DefaultDeliveryAttempts = 12

var (
	inserterOnce sync.Once
	inserter     *river.Client[pgx.Tx]
	inserterErr  error
)

// txInserter is a River client that only inserts jobs inside the caller's
// transactions (web handlers need no running Mirror to queue work).
func txInserter() (*river.Client[pgx.Tx], error) {
	inserterOnce.Do(func() {
		ws := river.NewWorkers()
		river.AddWorker(ws, &deliverWorker{})
		river.AddWorker(ws, &syncWorker{})
		river.AddWorker(ws, &advancePlacementWorker{})
		river.AddWorker(ws, &settleOrderWorker{})
		inserter, inserterErr = river.NewClient(riverpgxv5.New(nil), &river.Config{Workers: ws})
	})
	return inserter, inserterErr
}

// QueueSync queues a sync of kind (full, incremental, reconcile, catalog)
// inside tx for the portal's workers, e.g. from the "Sync now" button or
// the wizard's initial import. When one of that kind is already queued or
// running, none is added and its job id is returned.
func QueueSync(ctx context.Context, tx pgx.Tx, kind, trigger string, requestedBy *int64) (int64, error) {
	if !validKind(kind) {
		return 0, fmt.Errorf("queue sync: unknown kind %q", kind)
	}
	rc, err := txInserter()
	if err != nil {
		return 0, fmt.Errorf("queue sync: %w", err)
	}
	res, err := rc.InsertTx(ctx, tx, SyncArgs{SyncKind: kind, Trigger: trigger, RequestedBy: requestedBy}, nil)
	if err != nil {
		return 0, fmt.Errorf("queue %s sync: %w", kind, err)
	}
	return res.Job.ID, nil
}

// Enqueue queues cmd for delivery to Partner Center inside the caller's
// transaction tx: it writes the portal audit-log entry, the outbox row with
// a fresh MS-RequestId, and the River job that delivers it, so either all
// three exist or none. It returns the command id (commands.id) for the page
// to poll (store.Command).
func Enqueue(ctx context.Context, tx pgx.Tx, cmd Command) (int64, error) {
	rc, err := txInserter()
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return enqueue(ctx, tx, rc, cmd, DefaultDeliveryAttempts)
}

// Enqueue is the package Enqueue with this mirror's attempt limit.
func (m *Mirror) Enqueue(ctx context.Context, tx pgx.Tx, cmd Command) (int64, error) {
	return enqueue(ctx, tx, m.river, cmd, m.opt.DeliveryMaxAttempts)
}

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
		} else if p.Quantity == nil && p.Status == nil && p.AutoRenewEnabled == nil && p.FriendlyName == nil {
			errs = append(errs, errors.New("payload changes nothing"))
		} else if p.Quantity != nil && *p.Quantity < 1 {
			errs = append(errs, errors.New("quantity must be at least 1"))
		}
		if c.TargetID == "" {
			errs = append(errs, errors.New("TargetID (the subscription id) is required"))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown kind %q", c.Kind))
	}
	if c.Kind != CmdCreateCustomer && c.CustomerID == uuid.Nil {
		errs = append(errs, errors.New("CustomerID is required"))
	}
	return errors.Join(errs...)
}

func enqueue(ctx context.Context, tx pgx.Tx, rc *river.Client[pgx.Tx], cmd Command, maxAttempts int) (int64, error) {
	if err := cmd.validate(); err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", cmd.Kind, err)
	}
	payload, err := json.Marshal(cmd.Payload)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: encode payload: %w", cmd.Kind, err)
	}
	reqID := uuid.New()
	var cust *uuid.UUID
	if cmd.CustomerID != uuid.Nil {
		c := cmd.CustomerID
		cust = &c
	}
	q := db.New()
	auditID, err := q.InsertAudit(ctx, tx, db.InsertAuditParams{
		ActorUserID: cmd.RequestedBy, Actor: orDefault(cmd.RequestedByLabel, "system"), Action: "pc." + string(cmd.Kind),
		TargetType: targetType(cmd.Kind), TargetID: cmd.TargetID, CustomerID: cust, After: payload,
		PcRequestID: &reqID, Outcome: CommandPending,
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: audit: %w", cmd.Kind, err)
	}
	row, err := q.InsertCommand(ctx, tx, db.InsertCommandParams{
		Kind: string(cmd.Kind), CustomerID: cust, TargetID: cmd.TargetID, Payload: payload, MsRequestID: reqID,
		RequestedBy: cmd.RequestedBy, RequestedByLabel: cmd.RequestedByLabel, AuditLogID: &auditID,
	})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", cmd.Kind, err)
	}
	res, err := rc.InsertTx(ctx, tx, DeliverArgs{CommandID: row.ID}, &river.InsertOpts{MaxAttempts: maxAttempts})
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: job: %w", cmd.Kind, err)
	}
	if err := q.SetCommandJob(ctx, tx, db.SetCommandJobParams{ID: row.ID, RiverJobID: &res.Job.ID}); err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", cmd.Kind, err)
	}
	return row.ID, nil
}

func targetType(k CommandKind) string {
	switch k {
	case CmdCreateCustomer, CmdAcceptAgreement:
		return "customer"
	case CmdCreateOrder, CmdPatchOrder:
		return "order"
	}
	return "subscription"
}
