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

	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Service
}

// NextRetry backs off exponentially from 1s, capped at 5 minutes.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	d := time.Second << min(job.Attempt, 9)
	return time.Now().Add(min(d, 5*time.Minute))
}

// DeliveryTimeout bounds one delivery attempt (a PC exchange is bounded at
// 60s; one that runs out is retried with the same MS-RequestId). It also
// sets how soon a delivery whose process died is taken over: River's
// rescuer waits for it (and jobs.DefaultRescueAfter), and by then the
// attempt's context has ended, so two attempts never overlap.
const DeliveryTimeout = time.Minute

func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return DeliveryTimeout }

// DeliveryTiming is how the runner treats a delivery that stopped, for
// rules.StateOfDelivery.
func DeliveryTiming() rules.DeliveryTiming {
	return rules.DeliveryTiming{Timeout: DeliveryTimeout, RescueAfter: jobs.DefaultRescueAfter, RescueEvery: jobs.RescueEvery}
}

// StateOfDelivery is where command d's delivery stands at now (River's
// timestamps are the wall clock's), crash recovery included.
func StateOfDelivery(d store.CommandDelivery, now time.Time) rules.DeliveryState {
	return rules.StateOfDelivery(rules.DeliveryFacts{Status: d.Status, Attempts: int(d.Attempts), UpdatedAt: d.UpdatedAt,
		LastError: d.LastError, JobState: d.JobState, JobAttempt: d.JobAttempt, ScheduledAt: d.ScheduledAt,
		AttemptedAt: d.AttemptedAt, JobLastError: d.JobLastError}, now, DeliveryTiming())
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	s := w.s
	cmd, err := s.startAttempt(ctx, job.Args.CommandID, DeliveryTimeout)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return s.notTaken(ctx, job.Args.CommandID)
		}
		return fmt.Errorf("command %d: %w", job.Args.CommandID, err)
	}
	log := s.log.With("command", cmd.ID, "kind", cmd.Kind, "request_id", cmd.MsRequestID, "attempt", job.Attempt)
	pc, err := s.pc.Client(ctx)
	if err == nil {
		ctx = pccclient.WithCorrelationID(ctx, cmd.MsRequestID.String())
		_, err = s.deliver(ctx, pc, &cmd)
	}
	if err == nil {
		s.metrics.Delivery(cmd.Kind, CommandSucceeded)
		log.Info("command delivered")
		return nil
	}
	if errors.Is(err, errSuperseded) {
		log.Warn("a later attempt took the command over; this one's answer is dropped")
		return nil
	}
	if permanent(err) || job.Attempt >= job.MaxAttempts {
		log.Warn("command failed", "err", err)
		s.metrics.Delivery(cmd.Kind, CommandFailed)
		if ferr := s.finishCommand(context.WithoutCancel(ctx), &cmd, CommandFailed, err, nil, nil, ""); !errors.Is(ferr, errSuperseded) {
			return ferr
		}
		return nil
	}
	log.Info("command will be retried", "err", err)
	s.metrics.Delivery(cmd.Kind, "retry")
	s.recordRetry(context.WithoutCancel(ctx), &cmd, err)
	return err
}

// errSuperseded: another attempt started on the command after this one
// (River rescued this one's job as stuck), so only that one may finish it.
var errSuperseded = errors.New("another attempt took the command over")

// startAttempt takes command id for one attempt, leased for as long as
// the attempt may take; pgx.ErrNoRows when it is finished, gone, or
// another attempt holds it.
func (s *Service) startAttempt(ctx context.Context, id int64, lease time.Duration) (db.Command, error) {
	return s.st.Q.StartCommandAttempt(ctx, s.st.Pool, db.StartCommandAttemptParams{ID: id, LeaseSeconds: lease.Seconds()})
}

// notTaken is what a job does with a command it could not take: nothing
// once the command finished (or is gone); while another attempt's lease
// runs, wait for the lease's end, since that attempt's process may die.
func (s *Service) notTaken(ctx context.Context, id int64) error {
	c, err := s.st.Q.GetCommand(ctx, s.st.Pool, id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("command %d: %w", id, err)
	}
	if c.Status != CommandPending && c.Status != CommandDelivering {
		return nil
	}
	wait := time.Second
	if c.LeaseUntil != nil {
		wait += max(time.Until(*c.LeaseUntil), 0)
	}
	s.log.Info("command held by another attempt; waiting for its lease", "command", id, "wait", wait)
	return river.JobSnooze(wait)
}

// recordRetry notes a transient failure on the command, for its page, and
// ends the attempt's lease so the next one may start when River says.
func (s *Service) recordRetry(ctx context.Context, cmd *db.Command, err error) {
	if rerr := s.st.Q.RetryCommand(ctx, s.st.Pool, db.RetryCommandParams{ID: cmd.ID, LastError: err.Error(), PcErrorCode: errorCode(err),
		Attempt: cmd.Attempts}); rerr != nil {
		s.log.Warn("command retry not recorded", "command", cmd.ID, "err", rerr)
	}
}

// answer is what a delivery learnt beyond what it stores.
type answer struct {
	signIn *TenantSignIn
}

// deliver sends the command with its stored MS-RequestId and applies PC's
// answer to the mirror in the transaction that marks it succeeded.
func (s *Service) deliver(ctx context.Context, pc *pccclient.Client, cmd *db.Command) (answer, error) {
	reqID := cmd.MsRequestID.String()
	var cust uuid.UUID
	if cmd.CustomerID != nil {
		cust = *cmd.CustomerID
	}
	badPayload := func(err error) error {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
	}
	switch CommandKind(cmd.Kind) {
	case CmdCreateCustomer:
		var p CreateCustomerPayload
		if err := json.Unmarshal(cmd.Payload, &p); err != nil {
			return answer{}, badPayload(err)
		}
		var c *pccclient.Customer
		var err error
		if p.Customer.AssociatedPartnerID != "" {
			c, err = pc.CreateCustomerForReseller(ctx, reqID, p.Customer.AssociatedPartnerID, p.Customer)
		} else {
			c, err = pc.CreateCustomer(ctx, reqID, p.Customer)
		}
		if err != nil {
			return answer{}, err
		}
		id, err := uuid.Parse(c.ID)
		if err != nil {
			return answer{}, fmt.Errorf("created customer id %q: %w", c.ID, err)
		}
		// The new tenant's one-time admin password goes to the caller only:
		// the stored result and the mirror never hold it.
		var a answer
		if uc := c.UserCredentials; uc != nil {
			if uc.Password != "" {
				a.signIn = &TenantSignIn{UserName: uc.UserName, Password: uc.Password}
			}
			stripped := *uc
			stripped.Password = ""
			c.UserCredentials = &stripped
		}
		return a, s.finishCommand(ctx, cmd, CommandSucceeded, nil, c, &id, id.String(), func(tx pgx.Tx, at time.Time) error {
			return s.mir.ApplyCustomer(ctx, tx, c, id, at)
		})
	case CmdAcceptAgreement:
		var p AcceptAgreementPayload
		if err := json.Unmarshal(cmd.Payload, &p); err != nil {
			return answer{}, badPayload(err)
		}
		if p.Agreement.TemplateID == "" {
			// Queued without the template (its metadata needs the app+user
			// credential too): read it now.
			md, err := pc.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
			if err != nil {
				return answer{}, err
			}
			p.Agreement.TemplateID = md.TemplateID
		}
		a, err := pc.CreateAgreement(ctx, reqID, cust.String(), p.Agreement)
		if err != nil {
			return answer{}, s.newCustomerError(ctx, cust, err)
		}
		return answer{}, s.finishCommand(ctx, cmd, CommandSucceeded, nil, a, nil, "", func(tx pgx.Tx, at time.Time) error {
			return s.mir.ApplyAgreement(ctx, tx, a, cust, at)
		})
	case CmdCreateOrder, CmdPatchOrder:
		var o *pccclient.Order
		var err error
		if CommandKind(cmd.Kind) == CmdCreateOrder {
			var p CreateOrderPayload
			if err := json.Unmarshal(cmd.Payload, &p); err != nil {
				return answer{}, badPayload(err)
			}
			o, err = pc.CreateOrder(ctx, reqID, cust.String(), p.Order)
		} else {
			var p PatchOrderPayload
			if err := json.Unmarshal(cmd.Payload, &p); err != nil {
				return answer{}, badPayload(err)
			}
			o, err = pc.PatchOrder(ctx, reqID, cust.String(), p.OrderID, p.Order)
		}
		if err != nil {
			return answer{}, s.newCustomerError(ctx, cust, err)
		}
		// The order's subscriptions appear (pending) with it: read those
		// (only those: the cost stays flat however many the customer has).
		// Best effort: the settle job or the next sync brings them.
		subs, serr := pccclient.Collect(pc.ListSubscriptionsByOrder(ctx, cust.String(), o.ID))
		if serr != nil {
			s.log.Info("order's subscriptions not read; the settle job or the next sync brings them", "command", cmd.ID, "order", o.ID, "err", serr)
			subs = nil // a partial list is not written
		}
		return answer{}, s.finishCommand(ctx, cmd, CommandSucceeded, nil, o, nil, o.ID, func(tx pgx.Tx, at time.Time) error {
			// Add-ons stay linked to their base through PC's
			// parentSubscriptionId or the order line naming it.
			if err := s.mir.ApplyOrder(ctx, tx, o, subs, mirror.OrderParents(o), cust, at); err != nil {
				return err
			}
			// Follow the pending subscriptions until PC activates them.
			return s.queueSettleOrder(ctx, tx, cust, o.ID, subs, serr)
		})
	case CmdPatchSubscription:
		return answer{}, s.deliverPatch(ctx, pc, cmd, cust)
	case CmdCreateTransition:
		return answer{}, s.deliverTransition(ctx, pc, cmd, cust)
	case CmdCreateServiceRequest:
		return answer{}, s.deliverServiceRequest(ctx, pc, cmd, cust)
	case CmdUpdateServiceRequest:
		return answer{}, s.deliverServiceRequestUpdate(ctx, pc, cmd)
	case CmdUpdateSupportProfile:
		return answer{}, s.deliverSupportProfile(ctx, pc, cmd)
	}
	return answer{}, &pccclient.ArgumentError{Operation: cmd.Kind, Field: "kind", Problem: "unknown command kind"}
}

func (s *Service) deliverPatch(ctx context.Context, pc *pccclient.Client, cmd *db.Command, cust uuid.UUID) error {
	var p PatchSubscriptionPayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
	}
	if len(p.Body) == 0 {
		// First attempt: build the PATCH body from PC's current resource and
		// keep it, so every retry sends exactly the same request.
		sub, err := pc.GetSubscription(ctx, cust.String(), cmd.TargetID)
		if err != nil {
			return err
		}
		if err := s.checkEtag(ctx, p, sub, cust); err != nil {
			return err
		}
		p.apply(sub)
		body, err := json.Marshal(sub)
		if err != nil {
			return fmt.Errorf("encode patch: %w", err)
		}
		p.Body = body
		payload, _ := json.Marshal(p)
		if err := s.st.SetCommandPayload(ctx, cmd.ID, payload); err != nil {
			return err
		}
	}
	var sub pccclient.Subscription
	if err := json.Unmarshal(p.Body, &sub); err != nil {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload.body", Problem: err.Error()}
	}
	out, err := pc.PatchSubscriptionIfMatch(ctx, cmd.MsRequestID.String(), cust.String(), sub)
	if err != nil {
		return err
	}
	// Suspending a base suspends its add-ons and seats move license usage:
	// read this subscription's add-ons and the customer's usage again (best
	// effort; not all the customer's subscriptions, whose number would set
	// the cost of every change).
	addOns, aerr := pccclient.Collect(pc.ListSubscriptionAddOns(ctx, cust.String(), cmd.TargetID))
	if aerr != nil {
		addOns = nil
	}
	usage := mirror.ReadLicenseUsage(ctx, pc, cust)
	return s.finishCommand(ctx, cmd, CommandSucceeded, nil, out, nil, "", func(tx pgx.Tx, at time.Time) error {
		return s.mir.ApplySubscriptionChange(ctx, tx, out, addOns, usage, cust, p.scheduledRemoval(), at)
	})
}

// finishCommand marks the command done (failed when derr is not nil, with
// its text and PC's code), applies PC's answer (result, written as the
// command's result; apply may be nil) and appends the outcome to the audit
// log, in one transaction. Only the attempt that started last may: for
// any other it changes nothing and returns errSuperseded.
func (s *Service) finishCommand(ctx context.Context, cmd *db.Command, status string, derr error, result any, customer *uuid.UUID, targetID string, apply ...func(tx pgx.Tx, at time.Time) error) error {
	at := mirror.SyncTime()
	var res json.RawMessage
	if result != nil {
		res = mirror.RawJSON(result)
	}
	errText, code := "", ""
	if derr != nil {
		errText, code = derr.Error(), errorCode(derr)
	}
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		// Finish first: the mirror's upserts skip rows with pending commands.
		n, err := s.st.Q.FinishCommand(ctx, tx, db.FinishCommandParams{ID: cmd.ID, Status: status, LastError: errText,
			PcErrorCode: code, Result: res, CustomerID: customer, TargetID: targetID, Attempt: cmd.Attempts})
		if err != nil {
			return fmt.Errorf("finish command %d: %w", cmd.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("finish command %d (attempt %d): %w", cmd.ID, cmd.Attempts, errSuperseded)
		}
		for _, f := range apply {
			if err := f(tx, at); err != nil {
				return fmt.Errorf("apply command %d to the mirror: %w", cmd.ID, err)
			}
		}
		if status == CommandSucceeded && CommandKind(cmd.Kind) == CmdCreateOrder {
			// The base order of a two-phase order: its add-on phase can start.
			if err := s.queuePlacementAdvance(ctx, tx, cmd); err != nil {
				return fmt.Errorf("command %d: %w", cmd.ID, err)
			}
		}
		cust := cmd.CustomerID
		if customer != nil {
			cust = customer
		}
		outcome, detail := "ok", ""
		if status == CommandFailed {
			outcome, detail = "failed", errText
		}
		_, err = s.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{
			ActorUserID: cmd.RequestedBy, Actor: cmp.Or(cmd.RequestedByLabel, "system"),
			Action: "pc." + cmd.Kind + "." + status, TargetType: targetType(CommandKind(cmd.Kind)),
			TargetID: cmp.Or(targetID, cmd.TargetID), CustomerID: cust, After: res,
			PcRequestID: &cmd.MsRequestID, Outcome: outcome, Detail: detail,
		})
		if err != nil {
			return fmt.Errorf("audit command %d: %w", cmd.ID, err)
		}
		return nil
	})
}
