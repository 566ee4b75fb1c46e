package mirror

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store/db"
)

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	m *Mirror
}

// NextRetry backs off exponentially from 1s, capped at 5 minutes.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	d := time.Second << min(job.Attempt, 9)
	return time.Now().Add(min(d, 5*time.Minute))
}

func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 5 * time.Minute }

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	m := w.m
	q := m.st.Q
	cmd, err := q.StartCommandAttempt(ctx, m.st.Pool, job.Args.CommandID)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // finished already (or gone): nothing to do
		}
		return fmt.Errorf("command %d: %w", job.Args.CommandID, err)
	}
	log := m.log.With("command", cmd.ID, "kind", cmd.Kind, "request_id", cmd.MsRequestID, "attempt", job.Attempt)
	pc, err := m.clients.get(ctx)
	if err == nil {
		ctx = pccclient.WithCorrelationID(ctx, cmd.MsRequestID.String())
		err = m.deliver(ctx, pc, &cmd)
	}
	if err == nil {
		m.metrics.delivery(cmd.Kind, CommandSucceeded)
		log.Info("command delivered")
		return nil
	}
	last := job.Attempt >= job.MaxAttempts
	code := errorCode(err)
	if permanent(err) || last {
		log.Warn("command failed", "err", err)
		m.metrics.delivery(cmd.Kind, CommandFailed)
		if ferr := m.finishCommand(context.WithoutCancel(ctx), &cmd, CommandFailed, err.Error(), code, nil, nil, ""); ferr != nil {
			return ferr
		}
		return nil
	}
	log.Info("command will be retried", "err", err)
	m.metrics.delivery(cmd.Kind, "retry")
	if rerr := q.RetryCommand(context.WithoutCancel(ctx), m.st.Pool, db.RetryCommandParams{ID: cmd.ID, LastError: err.Error(), PcErrorCode: code}); rerr != nil {
		log.Warn("command retry not recorded", "err", rerr)
	}
	return err
}

// permanent tells PC's refusals (which a retry cannot fix) from transient
// failures (throttling, 5xx, network, timeouts).
func permanent(err error) bool {
	if p, ok := classify(err); ok {
		return p
	}
	var ae *pccclient.ArgumentError
	if errors.As(err, &ae) {
		return true
	}
	if errors.Is(err, ErrNotConfigured) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pccclient.Error
	if errors.As(err, &pe) {
		if pe.Code == "800060" { // "Your order is in progress": try again later
			return false
		}
		s := pe.HTTPStatus
		return s >= 400 && s < 500 && s != http.StatusTooManyRequests && s != http.StatusRequestTimeout && s != http.StatusUnauthorized
	}
	return false
}

// deliver sends the command with its stored MS-RequestId and applies PC's
// answer to the mirror in the transaction that marks it succeeded.
func (m *Mirror) deliver(ctx context.Context, pc *pccclient.Client, cmd *db.Command) error {
	reqID := cmd.MsRequestID.String()
	var cust uuid.UUID
	if cmd.CustomerID != nil {
		cust = *cmd.CustomerID
	}
	switch CommandKind(cmd.Kind) {
	case CmdCreateCustomer:
		var p CreateCustomerPayload
		if err := json.Unmarshal(cmd.Payload, &p); err != nil {
			return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
		}
		c, err := pc.CreateCustomer(ctx, reqID, p.Customer)
		if err != nil {
			return err
		}
		id, err := uuid.Parse(c.ID)
		if err != nil {
			return fmt.Errorf("created customer id %q: %w", c.ID, err)
		}
		// The new tenant's one-time admin password is not kept.
		if c.UserCredentials != nil {
			c.UserCredentials.Password = ""
		}
		return m.finishCommand(ctx, cmd, CommandSucceeded, "", "", c, &id, id.String(), func(tx pgx.Tx, at time.Time) error {
			return m.writeFetched(ctx, tx, &fetched{target: target{id: id}, got: needCustomer, customer: c}, at)
		})
	case CmdAcceptAgreement:
		var p AcceptAgreementPayload
		if err := json.Unmarshal(cmd.Payload, &p); err != nil {
			return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
		}
		if p.Agreement.TemplateID == "" {
			// Queued without the template (its metadata needs the app+user
			// credential too): read it now.
			md, err := pc.GetAgreementMetadata(ctx, pccclient.AgreementMicrosoftCustomerAgreement)
			if err != nil {
				return err
			}
			p.Agreement.TemplateID = md.TemplateID
		}
		a, err := pc.CreateAgreement(ctx, reqID, cust.String(), p.Agreement)
		if err != nil {
			return m.newCustomerError(ctx, cust, err)
		}
		return m.finishCommand(ctx, cmd, CommandSucceeded, "", "", a, nil, "", func(tx pgx.Tx, at time.Time) error {
			var berr error
			m.st.Q.UpsertAgreement(ctx, tx, []db.UpsertAgreementParams{agreementRow(a, cust, at)}).Exec(func(_ int, e error) { berr = cmpErr(berr, e) })
			return berr
		})
	case CmdCreateOrder, CmdPatchOrder:
		var o *pccclient.Order
		var err error
		if CommandKind(cmd.Kind) == CmdCreateOrder {
			var p CreateOrderPayload
			if err := json.Unmarshal(cmd.Payload, &p); err != nil {
				return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
			}
			o, err = pc.CreateOrder(ctx, reqID, cust.String(), p.Order)
		} else {
			var p PatchOrderPayload
			if err := json.Unmarshal(cmd.Payload, &p); err != nil {
				return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
			}
			o, err = pc.PatchOrder(ctx, reqID, cust.String(), p.OrderID, p.Order)
		}
		if err != nil {
			return m.newCustomerError(ctx, cust, err)
		}
		// The order's subscriptions appear (pending) with it: read those
		// (only those: the cost stays flat however many the customer has).
		// Best effort: the next sync brings them if this read fails.
		subs, serr := pccclient.Collect(pc.ListSubscriptionsByOrder(ctx, cust.String(), o.ID))
		if serr != nil {
			m.log.Info("order's subscriptions not read; the settle job or the next sync brings them", "command", cmd.ID, "order", o.ID, "err", serr)
			subs = nil // a partial list is not written
		}
		return m.finishCommand(ctx, cmd, CommandSucceeded, "", "", o, nil, o.ID, func(tx pgx.Tx, at time.Time) error {
			// Add-ons stay linked to their base through PC's
			// parentSubscriptionId or the order line naming it.
			if err := m.writeOrder(ctx, tx, o, subs, lineParents(o), cust, at); err != nil {
				return err
			}
			// Follow the pending subscriptions until PC activates them.
			return m.queueSettleOrder(ctx, tx, cust, o.ID, subs, serr)
		})
	case CmdPatchSubscription:
		return m.deliverPatch(ctx, pc, cmd, cust)
	}
	return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "kind", Problem: "unknown command kind"}
}

func (m *Mirror) deliverPatch(ctx context.Context, pc *pccclient.Client, cmd *db.Command, cust uuid.UUID) error {
	var p PatchSubscriptionPayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
	}
	if len(p.Body) == 0 {
		// First attempt: build the PATCH body from PC's current resource and
		// keep it, so every retry sends exactly the same request.
		s, err := pc.GetSubscription(ctx, cust.String(), cmd.TargetID)
		if err != nil {
			return err
		}
		if p.Quantity != nil {
			s.Quantity = *p.Quantity
		}
		if p.Status != nil {
			s.Status = *p.Status
		}
		if p.AutoRenewEnabled != nil {
			s.AutoRenewEnabled = *p.AutoRenewEnabled
		}
		if p.FriendlyName != nil {
			s.FriendlyName = *p.FriendlyName
		}
		body, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("encode patch: %w", err)
		}
		p.Body = body
		payload, _ := json.Marshal(p)
		if _, err := m.st.Pool.Exec(ctx, `UPDATE commands SET payload = $2, updated_at = now() WHERE id = $1`, cmd.ID, payload); err != nil {
			return fmt.Errorf("save patch body: %w", err)
		}
	}
	var sub pccclient.Subscription
	if err := json.Unmarshal(p.Body, &sub); err != nil {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload.body", Problem: err.Error()}
	}
	out, err := pc.PatchSubscription(ctx, cmd.MsRequestID.String(), cust.String(), sub)
	if err != nil {
		return err
	}
	// Suspending a base suspends its add-ons and seats move license usage:
	// read this subscription's add-ons and the customer's usage again (best
	// effort; not all the customer's subscriptions, whose number would set
	// the cost of every change).
	addOns, aerr := pccclient.Collect(pc.ListSubscriptionAddOns(ctx, cust.String(), cmd.TargetID))
	usage := fetchCustomer(ctx, pc, target{id: cust, need: needSkus})
	return m.finishCommand(ctx, cmd, CommandSucceeded, "", "", out, nil, "", func(tx pgx.Tx, at time.Time) error {
		rows := []db.UpsertSubscriptionParams{subscriptionRow(out, cust, at, false)}
		if aerr == nil {
			for i := range addOns {
				r := subscriptionRow(&addOns[i], cust, at, true)
				r.ParentSubscriptionID = cmp.Or(r.ParentSubscriptionID, out.ID)
				rows = append(rows, r)
			}
		}
		var berr error
		m.st.Q.UpsertSubscription(ctx, tx, rows).Exec(func(_ int, e error) { berr = cmpErr(berr, e) })
		if berr == nil && usage.err == nil && !usage.gone {
			berr = m.writeFetched(ctx, tx, usage, at)
		}
		return berr
	})
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// finishCommand marks the command done, applies PC's answer (apply, may be
// nil) and appends the outcome to the audit log, in one transaction.
func (m *Mirror) finishCommand(ctx context.Context, cmd *db.Command, status, errText, code string, result any, customer *uuid.UUID, targetID string, apply ...func(tx pgx.Tx, at time.Time) error) error {
	at := syncNow()
	var res json.RawMessage
	if result != nil {
		res = rawJSON(result)
	}
	return m.inTx(ctx, func(tx pgx.Tx) error {
		// Finish first: the mirror's upserts skip rows with pending commands.
		if err := m.st.Q.FinishCommand(ctx, tx, db.FinishCommandParams{ID: cmd.ID, Status: status, LastError: errText,
			PcErrorCode: code, Result: res, CustomerID: customer, TargetID: targetID}); err != nil {
			return fmt.Errorf("finish command %d: %w", cmd.ID, err)
		}
		for _, f := range apply {
			if f == nil {
				continue
			}
			if err := f(tx, at); err != nil {
				return fmt.Errorf("apply command %d to the mirror: %w", cmd.ID, err)
			}
		}
		if status == CommandSucceeded && CommandKind(cmd.Kind) == CmdCreateOrder {
			// The base order of a two-phase order: its add-on phase can start.
			if err := m.queuePlacementAdvance(ctx, tx, cmd); err != nil {
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
		_, err := m.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{
			ActorUserID: cmd.RequestedBy, Actor: orDefault(cmd.RequestedByLabel, "system"),
			Action: "pc." + cmd.Kind + "." + status, TargetType: targetType(CommandKind(cmd.Kind)),
			TargetID: orDefault(targetID, cmd.TargetID), CustomerID: cust, After: res,
			PcRequestID: &cmd.MsRequestID, Outcome: outcome, Detail: detail,
		})
		if err != nil {
			return fmt.Errorf("audit command %d: %w", cmd.ID, err)
		}
		return nil
	})
}
