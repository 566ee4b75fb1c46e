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

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// ErrChangeConflict means the subscription changed since the page showed
// it (another user, a sync, or a change still on its way to PC): nothing
// was queued.
var ErrChangeConflict = errors.New("subscription changed")

// SubscriptionVersion is the optimistic-concurrency version a change form
// carries: a change is refused when the subscription moved since.
func SubscriptionVersion(sub store.SubscriptionForChange) string {
	return rules.Version(sub.Etag, sub.Status, int(sub.Quantity), sub.AutoRenewEnabled, sub.FriendlyName, sub.CancellationAllowedUntil)
}

// ChangeRequest is a subscription change as the form asks for it.
type ChangeRequest struct {
	Action       string // quantity, suspend, reactivate, autorenew, name
	Quantity     string // as typed
	Reason       string // suspend
	AutoRenew    string // "on" or "off"
	FriendlyName string
	// Confirming is the confirmation page's submit; a decrease leaving
	// users without a licence then needs AcceptLicenceLoss.
	Confirming, AcceptLicenceLoss bool
	// Lang is the language of the plan's title and effect (English when
	// unset: the API and audit).
	Lang i18n.Lang
}

// ChangeValues are the before and after of a change as stored.
type ChangeValues struct {
	Quantity     *int    `json:"quantity,omitempty"`
	Status       string  `json:"status,omitempty"`
	AutoRenew    *bool   `json:"autoRenewEnabled,omitempty"`
	FriendlyName *string `json:"friendlyName,omitempty"`
	// NextTerm says the next term (scheduled changes); Upgrade the product
	// (transitions).
	NextTerm *string `json:"nextTerm,omitempty"`
	Upgrade  *string `json:"upgrade,omitempty"`
}

// Plan is a checked change: what the confirmation says and what is sent.
type Plan struct {
	Action        string
	Title, Effect string
	Reason        string
	// Warning is what else the change does that staff must know before
	// confirming (it deletes the scheduled next-term change).
	Warning string
	// LicenceLoss is set when a decrease leaves users without a licence.
	LicenceLoss   rules.LicenceLoss
	Before, After ChangeValues
	patch         PatchSubscriptionPayload
	transition    *pccclient.Transition
	requestID     uuid.UUID
}

// WithRequestID returns p sent with MS-RequestId id (an API write's
// Idempotency-Key), so a retried request is one change in PC too.
func (p Plan) WithRequestID(id uuid.UUID) Plan {
	p.requestID = id
	return p
}

// PlanChange checks req against the commerce rules at now. Problems come
// back by form field (quantity, reason, friendly_name, or _form).
func PlanChange(sub store.SubscriptionForChange, life store.SubscriptionLifecycle, req ChangeRequest, now time.Time) (Plan, map[string]string) {
	p, errs := planChange(sub, life, req, now)
	if len(errs) == 0 {
		p.Warning = scheduledWarning(req.Lang, &p, sub, life)
	}
	return p, errs
}

func planChange(sub store.SubscriptionForChange, life store.SubscriptionLifecycle, req ChangeRequest, now time.Time) (Plan, map[string]string) {
	rs := SubscriptionRules(sub, life)
	p := Plan{Action: req.Action}
	bad := func(field, msg string) (Plan, map[string]string) { return p, map[string]string{field: msg} }
	switch p.Action {
	case "quantity":
		q, err := strconv.Atoi(strings.TrimSpace(req.Quantity))
		if err != nil {
			return bad("quantity", "Enter a whole number of seats.")
		}
		if msg := rules.CheckQuantity(req.Lang, rs, q, now); msg != "" {
			return bad("quantity", msg)
		}
		old := int(sub.Quantity)
		p.patch.Quantity, p.Before.Quantity, p.After.Quantity = &q, &old, &q
		p.Title, p.Effect = i18n.In(req.Lang, "commerce.title_quantity"), rules.QuantityEffect(req.Lang, rs, q)
		p.LicenceLoss = rules.CheckLicenceLoss(int(sub.LicencesAssigned), int(sub.LicencesPurchased), old-q)
		if p.LicenceLoss.Lost > 0 && req.Confirming && !req.AcceptLicenceLoss {
			return bad("accept_licence_loss", fmt.Sprintf("Tick the box to confirm that %d user(s) lose their licence, or go back and remove fewer seats.", p.LicenceLoss.Lost))
		}
	case "suspend":
		if msg := rules.CheckSuspend(rs); msg != "" {
			return bad("_form", msg)
		}
		p.Reason = strings.TrimSpace(req.Reason)
		if len(p.Reason) < 3 || len(p.Reason) > 500 {
			return bad("reason", "Give the reason for suspending (3 to 500 characters).")
		}
		st := pccclient.SubscriptionSuspended
		p.patch.Status, p.Before.Status, p.After.Status = &st, sub.Status, "suspended"
		p.Title, p.Effect = i18n.In(req.Lang, "commerce.title_suspend"), rules.SuspendEffect(rs, LifecycleOf(life), ScheduledOf(life) != nil)
	case "reactivate":
		if msg := rules.CheckReactivate(rs, sub.ParentStatus); msg != "" {
			return bad("_form", msg)
		}
		st := pccclient.SubscriptionActive
		p.patch.Status, p.Before.Status, p.After.Status = &st, sub.Status, "active"
		p.Title, p.Effect = i18n.In(req.Lang, "commerce.title_reactivate"), i18n.In(req.Lang, "commerce.effect_reactivate")
		if rs.NCE() {
			p.Effect = i18n.In(req.Lang, "commerce.effect_reactivate_nce")
		}
	case "autorenew":
		on := req.AutoRenew == "on"
		if on == sub.AutoRenewEnabled {
			return bad("_form", "Auto-renew is already "+OnOff(on)+".")
		}
		if msg := rules.CheckAutoRenew(rs, on); msg != "" {
			return bad("_form", msg)
		}
		old := sub.AutoRenewEnabled
		p.patch.AutoRenewEnabled, p.Before.AutoRenew, p.After.AutoRenew = &on, &old, &on
		if on {
			p.Title = i18n.In(req.Lang, "commerce.title_autorenew_on")
			p.Effect = i18n.In(req.Lang, "commerce.effect_autorenew_on", rules.Date(sub.CommitmentEndDate))
		} else {
			p.Title = i18n.In(req.Lang, "commerce.title_autorenew_off")
			p.Effect = i18n.In(req.Lang, "commerce.effect_autorenew_off", rules.Date(sub.CommitmentEndDate))
		}
	case "name":
		name := strings.TrimSpace(req.FriendlyName)
		if msg := rules.CheckFriendlyName(rs, name); msg != "" {
			return bad("friendly_name", msg)
		}
		if name == sub.FriendlyName {
			return bad("friendly_name", "The name is unchanged.")
		}
		old := sub.FriendlyName
		p.patch.FriendlyName, p.Before.FriendlyName, p.After.FriendlyName = &name, &old, &name
		p.Title, p.Effect = i18n.In(req.Lang, "commerce.title_rename"), i18n.In(req.Lang, "commerce.effect_rename", name)
	default:
		return bad("_form", "Choose a change to make.")
	}
	return p, nil
}

// OnOff says a switch's state.
func OnOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// ChangeSummary says a stored change in a few words in l ("Seats 45 →
// 40"); the audit trail keeps it in English.
func ChangeSummary(l i18n.Lang, action string, before, after json.RawMessage) string {
	var b, a ChangeValues
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	switch action {
	case "quantity":
		if b.Quantity != nil && a.Quantity != nil {
			return i18n.In(l, "commerce.summary_seats", strconv.Itoa(*b.Quantity), strconv.Itoa(*a.Quantity))
		}
	case "suspend":
		return i18n.In(l, "commerce.summary_suspend")
	case "reactivate":
		return i18n.In(l, "commerce.summary_reactivate")
	case "autorenew":
		if a.AutoRenew != nil {
			if *a.AutoRenew {
				return i18n.In(l, "commerce.summary_autorenew_on")
			}
			return i18n.In(l, "commerce.summary_autorenew_off")
		}
	case "name":
		if a.FriendlyName != nil {
			return i18n.In(l, "commerce.summary_rename", *a.FriendlyName)
		}
	case "next_term":
		if a.NextTerm != nil {
			return i18n.In(l, "commerce.summary_next_term", *a.NextTerm)
		}
	case "next_term_clear":
		return i18n.In(l, "commerce.summary_next_term_clear")
	case "transition":
		if a.Upgrade != nil {
			return i18n.In(l, "commerce.summary_upgrade", *a.Upgrade)
		}
	}
	return action
}

// ChangeSubscription queues a planned change (PlanChange) of sub through
// the outbox under the subscription's row lock, and delivers it at once
// when it can. version is the one the form showed: ErrChangeConflict when
// the subscription moved since or another change is still on its way. The
// form's token makes a double submit one change (a used token returns
// nil). The change's page is .../subscriptions/{id}/changes/{token}.
func (s *Service) ChangeSubscription(ctx context.Context, by Actor, sub store.SubscriptionForChange, version string, token uuid.UUID, plan Plan) error {
	var cmdID int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		cmdID, err = s.queueChangeTx(ctx, tx, by, sub, version, token, plan)
		return err
	})
	switch {
	case errors.Is(err, errRepeated):
		return nil
	case err != nil:
		return err
	}
	s.deliverInline(ctx, cmdID)
	return nil
}

// queueChangeTx is ChangeSubscription's transaction body, shared with the
// use cases that change a subscription as part of something else (an
// approved support request): errRepeated when token was used.
func (s *Service) queueChangeTx(ctx context.Context, tx pgx.Tx, by Actor, sub store.SubscriptionForChange, version string, token uuid.UUID, plan Plan) (int64, error) {
	before, _ := json.Marshal(plan.Before)
	after, _ := json.Marshal(plan.After)
	q := s.st.Q
	locked, err := q.LockSubscriptionForChange(ctx, tx, db.LockSubscriptionForChangeParams{ID: sub.ID, CustomerID: sub.CustomerID})
	if err != nil {
		return 0, fmt.Errorf("lock subscription %s: %w", sub.ID, store.MapErr(err))
	}
	if _, err := q.SubscriptionChangeByToken(ctx, tx, db.SubscriptionChangeByTokenParams{Token: token, CustomerID: sub.CustomerID}); err == nil {
		return 0, errRepeated
	}
	if rules.Version(locked.Etag, locked.Status, int(locked.Quantity), locked.AutoRenewEnabled, locked.FriendlyName,
		locked.CancellationAllowedUntil) != version {
		return 0, ErrChangeConflict
	}
	open, err := q.OpenSubscriptionCommands(ctx, tx, db.OpenSubscriptionCommandsParams{CustomerID: &sub.CustomerID, SubscriptionID: sub.ID})
	if err != nil {
		return 0, fmt.Errorf("open commands of %s: %w", sub.ID, err)
	}
	if open > 0 {
		return 0, ErrChangeConflict
	}
	cmd := Command{Kind: CmdPatchSubscription, CustomerID: sub.CustomerID, TargetID: sub.ID, By: by, RequestID: plan.requestID}
	if plan.transition != nil {
		cmd.Kind, cmd.Payload = CmdCreateTransition, CreateTransitionPayload{Transition: *plan.transition}
	} else {
		patch := plan.patch
		patch.IfMatch = locked.Etag
		cmd.Payload = patch
	}
	id, err := s.enqueue(ctx, tx, cmd, s.opt.InlineHold)
	if err != nil {
		return 0, err
	}
	detail := ChangeSummary(i18n.English, plan.Action, before, after)
	if plan.Reason != "" {
		detail += ": " + plan.Reason
	}
	if err := q.SetAuditBefore(ctx, tx, db.SetAuditBeforeParams{Before: before, Detail: detail, CommandID: id}); err != nil {
		return 0, fmt.Errorf("audit before: %w", err)
	}
	n, err := q.InsertSubscriptionChange(ctx, tx, db.InsertSubscriptionChangeParams{Token: token, CommandID: id, CustomerID: sub.CustomerID,
		SubscriptionID: sub.ID, Action: plan.Action, Before: before, After: after, Reason: plan.Reason, RequestedBy: by.UserID})
	if err != nil {
		return 0, fmt.Errorf("record change: %w", err)
	}
	if n == 0 {
		return 0, errRepeated
	}
	return id, nil
}
