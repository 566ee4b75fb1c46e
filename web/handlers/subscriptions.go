package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
	"github.com/cspportal/portal/subrules"
	"github.com/cspportal/portal/web/templates"
)

// subscriptionInlineTimeout bounds the inline delivery of a change; after
// it the held River job delivers it and the page polls.
const subscriptionInlineTimeout = 15 * time.Second

// errChangeConflict means the subscription changed since the page showed it
// (or another change is still on its way).
var errChangeConflict = errors.New("subscription changed")

// errChangeRepeated means the form's token was used already.
var errChangeRepeated = errors.New("change token used already")

// subscriptionFromURL loads the subscription named by the URL, scoped to the
// customer in the URL: another customer's subscription id is not found.
func (s *Server) subscriptionFromURL(r *http.Request) (db.SubscriptionForChangeRow, error) {
	cust, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return db.SubscriptionForChangeRow{}, store.ErrNotFound
	}
	sub, err := s.st.Q.SubscriptionForChange(r.Context(), s.st.Pool, db.SubscriptionForChangeParams{ID: chi.URLParam(r, "sid"), CustomerID: cust})
	if err != nil {
		return sub, fmt.Errorf("subscription %s: %w", chi.URLParam(r, "sid"), store.MapErr(err))
	}
	return sub, nil
}

// rulesOf is what the business rules need from a mirrored subscription.
func rulesOf(sub db.SubscriptionForChangeRow) subrules.Subscription {
	start := sub.EffectiveStartDate
	if start == nil {
		start = sub.CreationDate
	}
	return subrules.Subscription{OfferID: sub.OfferID, ProductType: sub.ProductType, Status: sub.Status, Quantity: int(sub.Quantity),
		Min: int(sub.MinQuantity), Max: int(sub.MaxQuantity), BillingType: sub.BillingType, IsAddOn: sub.ParentSubscriptionID != "",
		WindowEnd: sub.CancellationAllowedUntil, Start: start}
}

func subscriptionVersion(sub db.SubscriptionForChangeRow) string {
	return subrules.Version(sub.Etag, sub.Status, int(sub.Quantity), sub.AutoRenewEnabled, sub.FriendlyName, sub.CancellationAllowedUntil)
}

func subscriptionHref(sub db.SubscriptionForChangeRow) string {
	return "/customers/" + sub.CustomerID.String() + "/subscriptions/" + sub.ID
}

// subscriptionShow is one subscription with the changes staff can make.
func (s *Server) subscriptionShow(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.subscriptionFromURL(r)
	if err != nil {
		return err
	}
	return s.renderSubscription(w, r, http.StatusOK, sub, templates.NewForm(), "")
}

// renderSubscription renders the subscription page with f's values and
// errors; conflict, when set, explains why a change was refused.
func (s *Server) renderSubscription(w http.ResponseWriter, r *http.Request, status int, sub db.SubscriptionForChangeRow, f templates.Form, conflict string) error {
	ctx := r.Context()
	v, err := s.subscriptionView(ctx, sub)
	if err != nil {
		return err
	}
	v.Conflict = conflict
	for _, k := range []string{"quantity", "friendly_name", "reason"} {
		if f.Get(k) != "" {
			v.Form.Values[k] = f.Get(k)
		}
	}
	v.Form.Errors = f.Errors
	return s.render(w, r, status, templates.SubscriptionPage(s.page(r, v.Name, "/customers"), v))
}

func (s *Server) subscriptionView(ctx context.Context, sub db.SubscriptionForChangeRow) (templates.SubscriptionPageView, error) {
	now := s.now()
	rs := rulesOf(sub)
	dec := subrules.DecreaseWindow(rs, now)
	v := templates.SubscriptionPageView{ID: sub.ID, Href: subscriptionHref(sub), Name: cmpOr(sub.FriendlyName, sub.OfferName),
		FriendlyName: sub.FriendlyName, Offer: sub.OfferName, OfferID: sub.OfferID, Customer: cmpOr(sub.CompanyName, sub.Domain),
		CustomerHref: "/customers/" + sub.CustomerID.String(), Status: sub.Status, Quantity: int(sub.Quantity),
		Unit: strings.ToLower(cmpOr(sub.UnitType, "licenses")), Min: int(sub.MinQuantity), Max: int(sub.MaxQuantity),
		Term: cmpOr(termLabel(sub.TermDuration), "—"), Cycle: cmpOr(sub.BillingCycle, "—"), AutoRenew: sub.AutoRenewEnabled,
		NCE: rs.NCE(), Renews: renewalDate(sub.CommitmentEndDate), Version: subscriptionVersion(sub), Token: uuid.NewString(),
		DecreaseAllowed: dec.Allowed, DecreaseReason: dec.Reason, SuspensionReasons: strings.Join(sub.SuspensionReasons, ", "),
		CanSuspend: subrules.CheckSuspend(rs) == "", CanReactivate: subrules.CheckReactivate(rs, sub.ParentStatus) == "",
		ReactivateProblem: subrules.CheckReactivate(rs, sub.ParentStatus), CanChangeSeats: rs.Status == "active" && rs.BillingType != "usage",
		CanAutoRenew: subrules.CheckAutoRenew(rs, !sub.AutoRenewEnabled) == "", SyncedAgo: ago(time.Since(sub.SyncedAt)), // synced_at is wall-clock time
		Form: templates.NewForm()}
	if !dec.Until.IsZero() {
		v.DecreaseUntil = dec.Until.Format("2006-01-02 15:04 UTC")
	}
	if sub.ParentSubscriptionID != "" {
		v.ParentName, v.ParentHref, v.ParentStatus = cmpOr(sub.ParentName, sub.ParentSubscriptionID), "/customers/"+sub.CustomerID.String()+"/subscriptions/"+sub.ParentSubscriptionID, sub.ParentStatus
	}
	v.Form.Values["quantity"] = strconv.Itoa(int(sub.Quantity))
	v.Form.Values["friendly_name"] = sub.FriendlyName
	addOns, err := s.st.Q.SubscriptionAddOns(ctx, s.st.Pool, db.SubscriptionAddOnsParams{CustomerID: sub.CustomerID, ParentID: sub.ID})
	if err != nil {
		return v, fmt.Errorf("add-ons of %s: %w", sub.ID, err)
	}
	for _, a := range addOns {
		v.AddOns = append(v.AddOns, templates.SubscriptionAddOn{Name: cmpOr(a.FriendlyName, a.OfferName), Status: a.Status, Quantity: int(a.Quantity),
			Href: "/customers/" + sub.CustomerID.String() + "/subscriptions/" + a.ID})
	}
	changes, err := s.st.Q.SubscriptionChanges(ctx, s.st.Pool, db.SubscriptionChangesParams{CustomerID: sub.CustomerID, SubscriptionID: sub.ID})
	if err != nil {
		return v, fmt.Errorf("changes of %s: %w", sub.ID, err)
	}
	for _, c := range changes {
		cv := templates.SubscriptionChangeRow{At: c.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), By: c.RequestedByLabel,
			What: changeSummary(c.Action, c.Before, c.After), Status: c.CommandStatus, Error: c.LastError, RequestID: c.MsRequestID.String(),
			Href: v.Href + "/changes/" + c.Token.String()}
		if cv.Status == mirror.CommandPending || cv.Status == mirror.CommandDelivering {
			v.PendingHref = cv.Href
		}
		v.Changes = append(v.Changes, cv)
	}
	audit, err := s.st.Q.SubscriptionAudit(ctx, s.st.Pool, db.SubscriptionAuditParams{CustomerID: &sub.CustomerID, SubscriptionID: sub.ID})
	if err != nil {
		return v, fmt.Errorf("audit of %s: %w", sub.ID, err)
	}
	for _, a := range audit {
		row := templates.AuditView{At: a.At.UTC().Format("2006-01-02 15:04 UTC"), Source: "portal", Actor: a.Actor, Action: a.Action,
			Outcome: a.Outcome, Detail: a.Detail}
		v.Audit = append(v.Audit, row)
	}
	return v, nil
}

// subscriptionChange validates a change, asks for confirmation, then
// queues it through the outbox and delivers it at once when it can.
func (s *Server) subscriptionChange(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	sub, err := s.subscriptionFromURL(r)
	if err != nil {
		return err
	}
	f := templates.NewForm()
	for _, k := range []string{"action", "quantity", "reason", "autorenew", "friendly_name", "version", "token", "confirm"} {
		f.Values[k] = r.PostForm.Get(k)
	}
	token, err := uuid.Parse(f.Get("token"))
	if err != nil {
		f.Errors["_form"] = "The form expired. Check the values and try again."
		return s.renderSubscription(w, r, http.StatusUnprocessableEntity, sub, f, "")
	}
	if ch, err := s.st.Q.SubscriptionChangeByToken(ctx, s.st.Pool, db.SubscriptionChangeByTokenParams{Token: token, CustomerID: sub.CustomerID}); err == nil {
		if ch.SubscriptionID != sub.ID {
			return &httpError{status: http.StatusUnprocessableEntity, msg: "This form belongs to another subscription."}
		}
		redirect(w, r, subscriptionHref(sub)+"/changes/"+token.String())
		return nil
	} else if !errors.Is(store.MapErr(err), store.ErrNotFound) {
		return fmt.Errorf("change %s: %w", token, err)
	}
	if f.Get("version") != subscriptionVersion(sub) {
		return s.renderSubscription(w, r, http.StatusConflict, sub, templates.NewForm(), conflictMessage)
	}
	plan, ok := s.planChange(sub, f)
	if !ok {
		return s.renderSubscription(w, r, http.StatusUnprocessableEntity, sub, f, "")
	}
	if f.Get("confirm") != "1" {
		return s.renderChangeConfirm(w, r, sub, f, plan)
	}
	cmdID, err := s.queueSubscriptionChange(ctx, sub, token, plan)
	switch {
	case errors.Is(err, errChangeRepeated):
		redirect(w, r, subscriptionHref(sub)+"/changes/"+token.String())
		return nil
	case errors.Is(err, errChangeConflict):
		fresh, ferr := s.subscriptionFromURL(r)
		if ferr != nil {
			return ferr
		}
		return s.renderSubscription(w, r, http.StatusConflict, fresh, templates.NewForm(), conflictMessage)
	case err != nil:
		return err
	}
	s.deliverInline(ctx, cmdID)
	redirect(w, r, subscriptionHref(sub)+"/changes/"+token.String())
	return nil
}

const conflictMessage = "This subscription changed since you opened the page (another user, a sync, or a change still on its way to Partner Center). Nothing was sent. The current values are shown below: check them and make your change again."

// queueSubscriptionChange writes the command, its audit entry and the
// change row in one transaction, under the subscription's row lock.
func (s *Server) queueSubscriptionChange(ctx context.Context, sub db.SubscriptionForChangeRow, token uuid.UUID, plan plannedChange) (int64, error) {
	u := auth.UserFrom(ctx)
	before, _ := json.Marshal(plan.before)
	after, _ := json.Marshal(plan.after)
	var cmdID int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		q := s.st.Q
		locked, err := q.LockSubscriptionForChange(ctx, tx, db.LockSubscriptionForChangeParams{ID: sub.ID, CustomerID: sub.CustomerID})
		if err != nil {
			return fmt.Errorf("lock subscription %s: %w", sub.ID, store.MapErr(err))
		}
		if _, err := q.SubscriptionChangeByToken(ctx, tx, db.SubscriptionChangeByTokenParams{Token: token, CustomerID: sub.CustomerID}); err == nil {
			return errChangeRepeated
		}
		if subrules.Version(locked.Etag, locked.Status, int(locked.Quantity), locked.AutoRenewEnabled, locked.FriendlyName,
			locked.CancellationAllowedUntil) != subscriptionVersion(sub) {
			return errChangeConflict
		}
		open, err := q.OpenSubscriptionCommands(ctx, tx, db.OpenSubscriptionCommandsParams{CustomerID: &sub.CustomerID, SubscriptionID: sub.ID})
		if err != nil {
			return fmt.Errorf("open commands of %s: %w", sub.ID, err)
		}
		if open > 0 {
			return errChangeConflict
		}
		id, err := mirror.EnqueueHeld(ctx, tx, mirror.Command{Kind: mirror.CmdPatchSubscription, CustomerID: sub.CustomerID, TargetID: sub.ID,
			Payload: plan.patch, RequestedBy: &u.ID, RequestedByLabel: u.Email}, inlineHold)
		if err != nil {
			return err
		}
		detail := changeSummary(plan.action, before, after)
		if plan.reason != "" {
			detail += ": " + plan.reason
		}
		if err := q.SetAuditBefore(ctx, tx, db.SetAuditBeforeParams{Before: before, Detail: detail, CommandID: id}); err != nil {
			return fmt.Errorf("audit before: %w", err)
		}
		n, err := q.InsertSubscriptionChange(ctx, tx, db.InsertSubscriptionChangeParams{Token: token, CommandID: id, CustomerID: sub.CustomerID,
			SubscriptionID: sub.ID, Action: plan.action, Before: before, After: after, Reason: plan.reason, RequestedBy: &u.ID})
		if err != nil {
			return fmt.Errorf("record change: %w", err)
		}
		if n == 0 {
			return errChangeRepeated
		}
		cmdID = id
		return nil
	})
	return cmdID, err
}

// renderChangeConfirm is the confirmation step: what will happen, with the
// form's values carried in hidden fields.
func (s *Server) renderChangeConfirm(w http.ResponseWriter, r *http.Request, sub db.SubscriptionForChangeRow, f templates.Form, plan plannedChange) error {
	v := templates.SubscriptionConfirmView{Href: subscriptionHref(sub), Name: cmpOr(sub.FriendlyName, sub.OfferName), Title: plan.title,
		Effect: plan.effect, Action: plan.action, Reason: plan.reason, Hidden: map[string]string{}}
	for _, k := range []string{"action", "quantity", "reason", "autorenew", "friendly_name", "version", "token"} {
		if f.Get(k) != "" {
			v.Hidden[k] = f.Get(k)
		}
	}
	if plan.action == "suspend" {
		addOns, err := s.st.Q.SubscriptionAddOns(r.Context(), s.st.Pool, db.SubscriptionAddOnsParams{CustomerID: sub.CustomerID, ParentID: sub.ID})
		if err != nil {
			return fmt.Errorf("add-ons of %s: %w", sub.ID, err)
		}
		for _, a := range addOns {
			if a.Status == "active" {
				v.AddOns = append(v.AddOns, templates.SubscriptionAddOn{Name: cmpOr(a.FriendlyName, a.OfferName), Status: a.Status, Quantity: int(a.Quantity)})
			}
		}
	}
	if plan.action == "reactivate" {
		addOns, err := s.st.Q.SubscriptionAddOns(r.Context(), s.st.Pool, db.SubscriptionAddOnsParams{CustomerID: sub.CustomerID, ParentID: sub.ID})
		if err != nil {
			return fmt.Errorf("add-ons of %s: %w", sub.ID, err)
		}
		for _, a := range addOns {
			if a.Status == "suspended" {
				v.AddOns = append(v.AddOns, templates.SubscriptionAddOn{Name: cmpOr(a.FriendlyName, a.OfferName), Status: a.Status, Quantity: int(a.Quantity)})
			}
		}
	}
	return s.render(w, r, http.StatusOK, templates.SubscriptionConfirmPage(s.page(r, plan.title, "/customers"), v))
}

// subscriptionChangeShow is a change's progress: pending (the page polls),
// done, or PC's refusal with a retry.
func (s *Server) subscriptionChangeShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sub, err := s.subscriptionFromURL(r)
	if err != nil {
		return err
	}
	token, err := uuid.Parse(chi.URLParam(r, "token"))
	if err != nil {
		return store.ErrNotFound
	}
	ch, err := s.st.Q.SubscriptionChangeByToken(ctx, s.st.Pool, db.SubscriptionChangeByTokenParams{Token: token, CustomerID: sub.CustomerID})
	if err != nil {
		return fmt.Errorf("change %s: %w", token, store.MapErr(err))
	}
	if ch.SubscriptionID != sub.ID {
		return store.ErrNotFound
	}
	v := templates.SubscriptionChangeView{Href: subscriptionHref(sub), StatusHref: subscriptionHref(sub) + "/changes/" + token.String(),
		Name: cmpOr(sub.FriendlyName, sub.OfferName), What: changeSummary(ch.Action, ch.Before, ch.After), Reason: ch.Reason,
		Status: ch.CommandStatus, RequestID: ch.MsRequestID.String(), By: ch.RequestedByLabel, Attempts: int(ch.Attempts),
		Quantity: int(sub.Quantity), SubStatus: sub.Status, AutoRenew: sub.AutoRenewEnabled, FriendlyName: sub.FriendlyName}
	if ch.CommandStatus == mirror.CommandFailed {
		v.Error = pcRefusal(ch.LastError, ch.PcErrorCode)
		// Retry: the same change with a fresh token against the current values.
		var after changeValues
		_ = json.Unmarshal(ch.After, &after)
		v.Retry = map[string]string{"action": ch.Action, "version": subscriptionVersion(sub), "token": uuid.NewString(), "confirm": "1", "reason": ch.Reason}
		if after.Quantity != nil {
			v.Retry["quantity"] = strconv.Itoa(*after.Quantity)
		}
		if after.AutoRenew != nil {
			v.Retry["autorenew"] = onOff(*after.AutoRenew)
		}
		if after.FriendlyName != nil {
			v.Retry["friendly_name"] = *after.FriendlyName
		}
	} else if ch.LastError != "" {
		v.Error = "Last attempt: " + pcRefusal(ch.LastError, ch.PcErrorCode) + " — retrying."
	}
	if isHTMX(r) {
		return s.render(w, r, http.StatusOK, templates.SubscriptionChangeStatus(v))
	}
	return s.render(w, r, http.StatusOK, templates.SubscriptionChangePage(s.page(r, v.What, "/customers"), v))
}

// pcRefusal turns a stored delivery error into PC's message for the page.
func pcRefusal(lastError, code string) string {
	msg := lastError
	// pccclient errors read "partner center <op>: HTTP <status> code <code>:
	// <description>"; show the description.
	if i := strings.Index(msg, ": HTTP "); i >= 0 {
		if j := strings.Index(msg[i+2:], ": "); j >= 0 {
			msg = msg[i+2+j+2:]
		}
	}
	if code != "" {
		return msg + " (Partner Center error " + code + ")"
	}
	return msg
}
