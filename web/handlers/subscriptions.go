package handlers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// subscriptionFromURL loads the subscription named by the URL, scoped to the
// customer in the URL: another customer's subscription id is not found. A
// reseller's user finds only its reseller's customers' subscriptions (the
// reseller is a parameter of the query).
func (s *Server) subscriptionFromURL(r *http.Request) (store.SubscriptionForChange, error) {
	cust, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.SubscriptionForChange{}, store.ErrNotFound
	}
	if reseller := viewerReseller(r.Context()); reseller != nil {
		sub, err := s.st.ResellerSubscriptionForChange(r.Context(), *reseller, chi.URLParam(r, "sid"))
		if err == nil && sub.CustomerID != cust {
			return store.SubscriptionForChange{}, store.ErrNotFound
		}
		return sub, err
	}
	return s.st.SubscriptionForChange(r.Context(), cust, chi.URLParam(r, "sid"))
}

// viewerReseller is the signed-in reseller user's reseller (nil for
// anyone else).
func viewerReseller(ctx context.Context) *uuid.UUID {
	if u := auth.UserFrom(ctx); u != nil && u.Role == store.RoleReseller {
		return u.ResellerID
	}
	return nil
}

// customerHref is where the viewer's pages of a customer are: staff's
// under /customers, a reseller user's under /reseller/customers.
func customerHref(ctx context.Context, customer uuid.UUID) string {
	if viewerReseller(ctx) != nil {
		return "/reseller/customers/" + customer.String()
	}
	return "/customers/" + customer.String()
}

// customersNav is the menu entry of the viewer's customer pages.
func customersNav(ctx context.Context) string {
	if viewerReseller(ctx) != nil {
		return "/reseller/customers"
	}
	return "/customers"
}

func subscriptionHref(ctx context.Context, sub store.SubscriptionForChange) string {
	return customerHref(ctx, sub.CustomerID) + "/subscriptions/" + sub.ID
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
func (s *Server) renderSubscription(w http.ResponseWriter, r *http.Request, status int, sub store.SubscriptionForChange, f templates.Form, conflict string) error {
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
	p := s.page(r, v.Name, customersNav(ctx))
	if viewerReseller(ctx) != nil {
		return s.render(w, r, status, templates.ResellerSubscriptionPage(p, v))
	}
	return s.render(w, r, status, templates.SubscriptionPage(p, v))
}

func (s *Server) subscriptionView(ctx context.Context, sub store.SubscriptionForChange) (templates.SubscriptionPageView, error) {
	now := s.now()
	life, err := s.st.SubscriptionLifecycle(ctx, sub.CustomerID, sub.ID)
	if err != nil {
		return templates.SubscriptionPageView{}, err
	}
	rs := commerce.SubscriptionRules(sub, life)
	dec := rules.SeatDecrease(i18n.From(ctx), rs, now)
	v := templates.SubscriptionPageView{ID: sub.ID, Href: subscriptionHref(ctx, sub), Name: cmp.Or(sub.FriendlyName, sub.OfferName),
		FriendlyName: sub.FriendlyName, Offer: sub.OfferName, OfferID: sub.OfferID, Customer: cmp.Or(sub.CompanyName, sub.Domain),
		CustomerHref: customerHref(ctx, sub.CustomerID), Status: sub.Status, Quantity: int(sub.Quantity),
		Unit: strings.ToLower(cmp.Or(sub.UnitType, "licenses")), Min: int(sub.MinQuantity), Max: int(sub.MaxQuantity),
		Term: cmp.Or(rules.TermLabel(i18n.From(ctx), sub.TermDuration), "—"), Cycle: cmp.Or(sub.BillingCycle, "—"), AutoRenew: sub.AutoRenewEnabled,
		NCE: rs.NCE(), Renews: renewalDate(sub.CommitmentEndDate), Version: commerce.SubscriptionVersion(sub), Token: uuid.NewString(),
		DecreaseAllowed: dec.Allowed, DecreaseReason: dec.Reason,
		CanSuspend: rules.CheckSuspend(rs) == "", CanReactivate: rules.CheckReactivate(rs, sub.ParentStatus) == "",
		ReactivateProblem: rules.CheckReactivate(rs, sub.ParentStatus), CanChangeSeats: rs.Status == "active" && rs.BillingType != "usage",
		CanAutoRenew: rules.CheckAutoRenew(rs, !sub.AutoRenewEnabled) == "", SyncedAgo: ago(ctx, time.Since(sub.SyncedAt)), // synced_at is wall-clock time
		Form: templates.NewForm()}
	if !dec.Until.IsZero() {
		v.DecreaseUntil = dec.Until.Format("2006-01-02 15:04 UTC")
	}
	if sub.ParentSubscriptionID != "" {
		v.ParentName, v.ParentHref, v.ParentStatus = cmp.Or(sub.ParentName, sub.ParentSubscriptionID), customerHref(ctx, sub.CustomerID)+"/subscriptions/"+sub.ParentSubscriptionID, sub.ParentStatus
	}
	v.Lifecycle = lifecycleView(ctx, sub, life, now, v.Version, v.Token)
	v.Form.Values["quantity"] = strconv.Itoa(int(sub.Quantity))
	v.Form.Values["friendly_name"] = sub.FriendlyName
	addOns, err := s.st.SubscriptionAddOns(ctx, sub.CustomerID, sub.ID)
	if err != nil {
		return v, err
	}
	for _, a := range addOns {
		v.AddOns = append(v.AddOns, templates.SubscriptionAddOn{Name: cmp.Or(a.FriendlyName, a.OfferName), Status: a.Status, Quantity: int(a.Quantity),
			Href: customerHref(ctx, sub.CustomerID) + "/subscriptions/" + a.ID})
	}
	changes, err := s.st.SubscriptionChanges(ctx, sub.CustomerID, sub.ID)
	if err != nil {
		return v, err
	}
	for _, c := range changes {
		cv := templates.SubscriptionChangeRow{At: c.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), By: c.RequestedByLabel,
			What: commerce.ChangeSummary(i18n.From(ctx), c.Action, c.Before, c.After), Status: c.CommandStatus, Error: c.LastError, RequestID: c.MsRequestID.String(),
			Href: v.Href + "/changes/" + c.Token.String()}
		if cv.Status == commerce.CommandPending || cv.Status == commerce.CommandDelivering {
			v.PendingHref = cv.Href
		}
		v.Changes = append(v.Changes, cv)
	}
	if sub.Status == "suspended" {
		v.Suspension = suspensionView(sub, changes)
	}
	if viewerReseller(ctx) != nil {
		// A reseller's users see the seats, nothing of the provider's: no
		// prices, renewal plans or audit trail (not even read).
		v.Lifecycle = templates.LifecycleView{Tranches: v.Lifecycle.Tranches}
		return v, nil
	}
	audit, err := s.st.SubscriptionAudit(ctx, sub.CustomerID, sub.ID)
	if err != nil {
		return v, err
	}
	for _, a := range audit {
		row := templates.AuditView{At: a.At.UTC().Format("2006-01-02 15:04 UTC"), Source: sourceLabel(ctx, "portal"), Actor: a.Actor, Action: a.Action,
			Outcome: a.Outcome, Detail: a.Detail}
		v.Audit = append(v.Audit, row)
	}
	return v, nil
}

// subscriptionChange validates a change, asks for confirmation, then
// queues it (commerce.ChangeSubscription), delivered at once when it can.
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
	for _, k := range changeFields {
		f.Values[k] = r.PostForm.Get(k)
	}
	f.Values["confirm"] = r.PostForm.Get("confirm")
	if viewerReseller(ctx) != nil && f.Get("action") != "quantity" {
		return errForbidden // a reseller's users change seat counts only
	}
	token, err := uuid.Parse(f.Get("token"))
	if err != nil {
		f.Errors["_form"] = "The form expired. Check the values and try again."
		return s.renderSubscription(w, r, http.StatusUnprocessableEntity, sub, f, "")
	}
	changeHref := subscriptionHref(ctx, sub) + "/changes/" + token.String()
	if ch, err := s.st.SubscriptionChangeByToken(ctx, sub.CustomerID, token); err == nil {
		if ch.SubscriptionID != sub.ID {
			return &httpError{status: http.StatusUnprocessableEntity, msg: "This form belongs to another subscription."}
		}
		redirect(w, r, changeHref)
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if f.Get("version") != commerce.SubscriptionVersion(sub) {
		return s.renderSubscription(w, r, http.StatusConflict, sub, templates.NewForm(), conflictMessage)
	}
	life, err := s.st.SubscriptionLifecycle(ctx, sub.CustomerID, sub.ID)
	if err != nil {
		return err
	}
	var plan commerce.Plan
	var problems map[string]string
	if isLifecycleAction(f.Get("action")) {
		plan, problems = s.planLifecycle(ctx, sub, life, f)
	} else {
		plan, problems = commerce.PlanChange(sub, life, commerce.ChangeRequest{Lang: i18n.From(r.Context()), Action: f.Get("action"), Quantity: f.Get("quantity"),
			Reason: f.Get("reason"), AutoRenew: f.Get("autorenew"), FriendlyName: f.Get("friendly_name"),
			Confirming: f.Get("confirm") == "1", AcceptLicenceLoss: r.PostForm.Get("accept_licence_loss") == "1"}, s.now())
	}
	if len(problems) > 0 {
		f.Errors = problems
		if problems["accept_licence_loss"] != "" {
			return s.renderChangeConfirm(w, r, http.StatusUnprocessableEntity, sub, f, plan)
		}
		switch f.Get("action") {
		case "next_term":
			return s.renderNextTerm(w, r, http.StatusUnprocessableEntity, sub, life, f, f.Get("token"))
		case "transition":
			return s.renderUpgrade(w, r, http.StatusUnprocessableEntity, sub, life, f, f.Get("token"))
		}
		return s.renderSubscription(w, r, http.StatusUnprocessableEntity, sub, f, "")
	}
	if f.Get("confirm") != "1" {
		return s.renderChangeConfirm(w, r, http.StatusOK, sub, f, plan)
	}
	err = s.com.ChangeSubscription(ctx, actorOf(r), sub, f.Get("version"), token, plan)
	if errors.Is(err, commerce.ErrChangeConflict) {
		fresh, ferr := s.subscriptionFromURL(r)
		if ferr != nil {
			return ferr
		}
		return s.renderSubscription(w, r, http.StatusConflict, fresh, templates.NewForm(), conflictMessage)
	}
	if err != nil {
		return err
	}
	redirect(w, r, changeHref)
	return nil
}

// changeFields are the fields of the subscription change forms (the
// confirmation carries them on).
var changeFields = []string{"action", "quantity", "reason", "autorenew", "friendly_name", "item_id", "term", "type", "version", "token"}

const conflictMessage = "This subscription changed since you opened the page (another user, a sync, or a change still on its way to Partner Center). Nothing was sent. The current values are shown below: check them and make your change again."

// renderChangeConfirm is the confirmation step: what will happen, with the
// form's values carried in hidden fields.
func (s *Server) renderChangeConfirm(w http.ResponseWriter, r *http.Request, status int, sub store.SubscriptionForChange, f templates.Form, plan commerce.Plan) error {
	v := templates.SubscriptionConfirmView{Href: subscriptionHref(r.Context(), sub), Name: cmp.Or(sub.FriendlyName, sub.OfferName), Title: plan.Title,
		Effect: plan.Effect, Action: plan.Action, Reason: plan.Reason, Warning: plan.Warning, Hidden: map[string]string{},
		LicenceLoss: plan.LicenceLoss.Sentence(), Form: f}
	for _, k := range changeFields {
		if f.Get(k) != "" {
			v.Hidden[k] = f.Get(k)
		}
	}
	// Suspending a base suspends its active add-ons; reactivating it
	// reactivates the suspended ones: list those the change takes along.
	affected := map[string]string{"suspend": "active", "reactivate": "suspended"}[plan.Action]
	if affected != "" {
		addOns, err := s.st.SubscriptionAddOns(r.Context(), sub.CustomerID, sub.ID)
		if err != nil {
			return err
		}
		for _, a := range addOns {
			if a.Status == affected {
				v.AddOns = append(v.AddOns, templates.SubscriptionAddOn{Name: cmp.Or(a.FriendlyName, a.OfferName), Status: a.Status, Quantity: int(a.Quantity)})
			}
		}
	}
	return s.render(w, r, status, templates.SubscriptionConfirmPage(s.page(r, plan.Title, customersNav(r.Context())), v))
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
	ch, err := s.st.SubscriptionChangeByToken(ctx, sub.CustomerID, token)
	if err != nil {
		return err
	}
	if ch.SubscriptionID != sub.ID {
		return store.ErrNotFound
	}
	v := templates.SubscriptionChangeView{Href: subscriptionHref(ctx, sub), StatusHref: subscriptionHref(ctx, sub) + "/changes/" + token.String(),
		Name: cmp.Or(sub.FriendlyName, sub.OfferName), What: commerce.ChangeSummary(i18n.From(r.Context()), ch.Action, ch.Before, ch.After), Reason: ch.Reason,
		Status: ch.CommandStatus, RequestID: ch.MsRequestID.String(), By: ch.RequestedByLabel, Attempts: int(ch.Attempts),
		Quantity: int(sub.Quantity), SubStatus: sub.Status, AutoRenew: sub.AutoRenewEnabled, FriendlyName: sub.FriendlyName}
	if ch.CommandStatus == commerce.CommandFailed {
		v.Error = pcRefusal(ctx, ch.LastError, ch.PcErrorCode)
		// Retry: the same change with a fresh token against the current values.
		var after commerce.ChangeValues
		_ = json.Unmarshal(ch.After, &after)
		v.Retry = map[string]string{"action": ch.Action, "version": commerce.SubscriptionVersion(sub), "token": uuid.NewString(), "confirm": "1", "reason": ch.Reason}
		if after.Quantity != nil {
			v.Retry["quantity"] = strconv.Itoa(*after.Quantity)
		}
		if after.AutoRenew != nil {
			v.Retry["autorenew"] = commerce.OnOff(*after.AutoRenew)
		}
		if after.FriendlyName != nil {
			v.Retry["friendly_name"] = *after.FriendlyName
		}
	} else if ch.LastError != "" {
		v.Error = i18n.T(ctx, "h.sub.last_attempt", pcRefusal(ctx, ch.LastError, ch.PcErrorCode))
	}
	if ch.CommandStatus == commerce.CommandPending || ch.CommandStatus == commerce.CommandDelivering {
		d, err := s.st.CommandDelivery(ctx, ch.CommandID)
		if err != nil {
			return err
		}
		v.Delivery = deliveryView(d, r.URL.Path)
		if viewerReseller(ctx) != nil {
			v.Delivery.ResendHref = "" // sending again is the provider's staff's
		}
		v.Delivery.LastError = "" // v.Error says it, in PC's words
	}
	if isHTMX(r) {
		return s.render(w, r, http.StatusOK, templates.SubscriptionChangeStatus(v))
	}
	return s.render(w, r, http.StatusOK, templates.SubscriptionChangePage(s.page(r, v.What, customersNav(r.Context())), v))
}

// pcRefusal turns a stored delivery error into PC's message for the page.
func pcRefusal(ctx context.Context, lastError, code string) string {
	msg := lastError
	// pccclient errors read "partner center <op>: HTTP <status> code <code>:
	// <description>"; show the description.
	if i := strings.Index(msg, ": HTTP "); i >= 0 {
		if j := strings.Index(msg[i+2:], ": "); j >= 0 {
			msg = msg[i+2+j+2:]
		}
	}
	if code != "" {
		return i18n.T(ctx, "h.sub.pc_error", msg, code)
	}
	return msg
}

// suspensionView separates who suspended the subscription and why (the
// portal's own change, newest first in changes, when it was the last
// status change to succeed) from PC's reason codes in words.
func suspensionView(sub store.SubscriptionForChange, changes []store.SubscriptionChange) templates.SuspensionView {
	v := templates.SuspensionView{Origin: rules.SuspensionOrigin(sub.SuspensionReasons), Codes: strings.Join(sub.SuspensionReasons, ", ")}
	for _, c := range changes {
		if c.CommandStatus != commerce.CommandSucceeded || (c.Action != "suspend" && c.Action != "reactivate") {
			continue
		}
		if c.Action == "suspend" {
			v.By, v.Reason, v.At = c.RequestedByLabel, c.Reason, c.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		break
	}
	return v
}
