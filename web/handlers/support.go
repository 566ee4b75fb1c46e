package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// Support requests (issue 21). Customer users ask for seats and open
// tickets under /my/requests, bound to their own customer (another
// customer's request is not found); staff work the queue under /support.
// Every write is one commerce use case.

const supportTime = "2006-01-02 15:04 UTC"

// supportID is the {rid} of the URL.
func supportID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "rid"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// myCustomer is the signed-in customer user's own customer.
func myCustomer(r *http.Request) (uuid.UUID, error) {
	u := auth.UserFrom(r.Context())
	if u == nil || u.Role != auth.RoleCustomer || u.CustomerID == nil {
		return uuid.Nil, errForbidden
	}
	return *u.CustomerID, nil
}

func beforeParam(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	return n
}

func supportRow(ctx context.Context, id int64, base, kind, subject, status, severity, requester string, created string) templates.SupportRow {
	return templates.SupportRow{ID: strconv.FormatInt(id, 10), Href: base + "/" + strconv.FormatInt(id, 10), Kind: kind, Subject: subject,
		Status: status, StatusLabel: supportStatusLabel(ctx, status), Severity: severity, Requester: requester, Created: created}
}

// supportPage is a customer's support page layout, "My requests" lit.
func (s *Server) supportPage(r *http.Request, sc customerScope, title string) templates.Page {
	p := s.customerPage(r, sc, title)
	p.Active = "/my/requests"
	return p
}

// supportList is the customer's own requests.
func (s *Server) supportList(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	pv, err := s.st.CustomerSupportListPage(r.Context(), sc.id, beforeParam(r))
	if err != nil {
		return err
	}
	rows := pv.Rows
	v := templates.CustomerSupportView{Scope: sc.view, Contact: contactOf(pv.Profile)}
	for i, x := range rows {
		if i == store.SupportPageSize {
			v.NextHref = "/my/requests?before=" + strconv.FormatInt(rows[i-1].ID, 10)
			break
		}
		v.Rows = append(v.Rows, supportRow(r.Context(), x.ID, "/my/requests", x.Kind, x.Subject, x.Status, x.Severity, x.RequesterLabel,
			x.CreatedAt.UTC().Format(supportTime)))
	}
	return s.render(w, r, http.StatusOK, templates.CustomerSupportPage(s.supportPage(r, sc, i18n.T(r.Context(), "h.support.your_requests")), v))
}

// supportNew is the customer's form: ?subscription=ID asks for seats of
// that subscription, otherwise a ticket.
func (s *Server) supportNew(w http.ResponseWriter, r *http.Request) error {
	f := templates.NewForm()
	f.Values["severity"] = "normal"
	if sub := r.URL.Query().Get("subscription"); sub != "" && r.URL.Query().Get("kind") != "ticket" {
		f.Values["subscription"] = sub
		return s.renderSupportNew(w, r, http.StatusOK, "seats", f, uuid.NewString())
	}
	f.Values["subscription"] = r.URL.Query().Get("subscription")
	return s.renderSupportNew(w, r, http.StatusOK, "ticket", f, uuid.NewString())
}

func (s *Server) renderSupportNew(w http.ResponseWriter, r *http.Request, status int, kind string, f templates.Form, token string) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	v := templates.SupportNewView{Scope: sc.view, Kind: kind, Form: f, Token: token}
	if kind == "seats" {
		sf, err := s.com.PlanSeatRequest(r.Context(), sc.id, f.Get("subscription"))
		if err != nil {
			return err
		}
		sub := sf.Sub
		v.DecreaseAllowed, v.DecreaseReason = sf.Decrease.Allowed, sf.Decrease.Reason
		v.SubscriptionID, v.SubscriptionName = sub.ID, cmp.Or(sub.FriendlyName, sub.OfferName)
		v.SubscriptionHref, v.CurrentSeats = "/my/subscriptions/"+url.PathEscape(sub.ID), strconv.Itoa(int(sub.Quantity))
		v.Unit = strings.ToLower(cmp.Or(sub.UnitType, "licenses"))
		if f.Get("seats") == "" {
			v.Form.Values["seats"] = v.CurrentSeats
		}
	} else {
		subs, _, err := s.st.CustomerEntitlements(r.Context(), sc.id)
		if err != nil {
			return err
		}
		for _, x := range subs {
			v.Subscriptions = append(v.Subscriptions, templates.Option{Value: x.ID, Label: cmp.Or(x.FriendlyName, x.OfferName)})
		}
		for _, sev := range rules.SupportSeverities {
			v.Severities = append(v.Severities, templates.Option{Value: sev, Label: sev})
		}
	}
	return s.render(w, r, status, templates.SupportNewPage(s.supportPage(r, sc, i18n.T(r.Context(), "h.support.new_request")), v))
}

// supportSeatsCreate records a seat request (commerce.RequestSeats).
func (s *Server) supportSeatsCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	cust, err := myCustomer(r)
	if err != nil {
		return err
	}
	f := templates.NewForm()
	f.Values["subscription"], f.Values["seats"] = r.PostForm.Get("subscription"), r.PostForm.Get("seats")
	token, err := uuid.Parse(r.PostForm.Get("token"))
	if err != nil {
		f.Errors["_form"] = "The form expired. Check the values and try again."
		return s.renderSupportNew(w, r, http.StatusUnprocessableEntity, "seats", f, uuid.NewString())
	}
	id, auto, problems, err := s.com.RequestSeats(r.Context(), actorOf(r), s.d.BaseURL, cust,
		commerce.SeatRequestInput{SubscriptionID: f.Get("subscription"), Seats: f.Get("seats"), Token: token})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f.Errors = problems
		return s.renderSupportNew(w, r, http.StatusUnprocessableEntity, "seats", f, token.String())
	}
	msg := "Your request was sent to your reseller."
	if auto {
		msg = "Your request was approved under your reseller's policy and is on its way to Microsoft."
	}
	s.flash(r.Context(), "success", msg)
	redirect(w, r, "/my/requests/"+strconv.FormatInt(id, 10))
	return nil
}

// supportTicketCreate records a ticket (commerce.OpenTicket).
func (s *Server) supportTicketCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	cust, err := myCustomer(r)
	if err != nil {
		return err
	}
	f := templates.NewForm()
	for _, k := range []string{"subject", "description", "severity", "subscription"} {
		f.Values[k] = r.PostForm.Get(k)
	}
	token, err := uuid.Parse(r.PostForm.Get("token"))
	if err != nil {
		f.Errors["_form"] = "The form expired. Check the values and try again."
		return s.renderSupportNew(w, r, http.StatusUnprocessableEntity, "ticket", f, uuid.NewString())
	}
	id, problems, err := s.com.OpenTicket(r.Context(), actorOf(r), s.d.BaseURL, cust, commerce.TicketInput{Subject: f.Get("subject"),
		Description: f.Get("description"), Severity: f.Get("severity"), SubscriptionID: f.Get("subscription"), Token: token})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f.Errors = problems
		return s.renderSupportNew(w, r, http.StatusUnprocessableEntity, "ticket", f, token.String())
	}
	s.flash(r.Context(), "success", "Your request was sent to your reseller.")
	redirect(w, r, "/my/requests/"+strconv.FormatInt(id, 10))
	return nil
}

// supportShow is a request's page: for a customer user one of their own
// customer's (another's is not found: the read is scoped in SQL), for
// staff any.
func (s *Server) supportShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderSupportRequest(w, r, http.StatusOK, templates.NewForm(), templates.NewForm(), templates.NewForm())
}

// renderSupportRequest renders a request's page for whoever is signed in:
// a customer user gets their own customer's request only.
func (s *Server) renderSupportRequest(w http.ResponseWriter, r *http.Request, status int, reply, statusForm, reject templates.Form, escalate ...templates.Form) error {
	id, err := supportID(r)
	if err != nil {
		return err
	}
	var cust *uuid.UUID
	var sc customerScope
	staff := true
	if u := auth.UserFrom(r.Context()); u != nil && u.Role == auth.RoleCustomer {
		if sc, err = s.scopeOf(r); err != nil {
			return err
		}
		cust, staff = &sc.id, false
	}
	pv, err := s.st.SupportRequestPage(r.Context(), cust, id)
	if err != nil {
		return err
	}
	q := pv.Request
	v := templates.SupportRequestView{Scope: sc.view, Staff: staff, ID: strconv.FormatInt(q.ID, 10), Kind: q.Kind, Subject: q.Subject,
		Description: q.Description, Severity: q.Severity, Status: q.Status, StatusLabel: supportStatusLabel(r.Context(), q.Status),
		Customer: q.CustomerName, CustomerHref: "/customers/" + q.CustomerID.String(), Subscription: cmp.Or(q.SubscriptionName, q.SubscriptionID),
		Requester: q.RequesterLabel, Created: q.CreatedAt.UTC().Format(supportTime), Assigned: q.AssignedEmail,
		Decision: q.DecisionReason, DecidedBy: q.DecidedByEmail, CanReply: !rules.SupportDone(q.Status), ReplyForm: reply,
		StatusForm: statusForm, RejectForm: reject, AutoApproved: q.AutoApprovedAt != nil}
	v.Href = "/my/requests/" + v.ID
	if staff {
		v.Href = "/support/" + v.ID
	}
	if q.SubscriptionID != "" {
		v.SubscriptionHref = "/my/subscriptions/" + url.PathEscape(q.SubscriptionID)
		if staff {
			v.SubscriptionHref = v.CustomerHref + "/subscriptions/" + url.PathEscape(q.SubscriptionID)
		}
	}
	if q.CurrentSeats != nil && q.RequestedSeats != nil {
		v.Seats = rules.SeatRequestSummary(int(*q.CurrentSeats), int(*q.RequestedSeats))
	}
	for _, x := range pv.Replies {
		v.Replies = append(v.Replies, templates.SupportReplyRow{At: x.CreatedAt.UTC().Format(supportTime), Author: x.AuthorLabel, Body: x.Body, Staff: x.FromStaff})
	}
	if ch := pv.Change; ch != nil {
		v.ChangeStatus = ch.CommandStatus
		if ch.CommandStatus == commerce.CommandFailed || ch.CommandStatus == "consent_required" {
			v.ChangeError = i18n.Text(r.Context(), "Partner Center did not accept the change yet; your reseller is looking at it.")
			if staff {
				v.ChangeError = ch.LastError
			}
		}
		if staff {
			v.ChangeHref = v.SubscriptionHref + "/changes/" + ch.Token.String()
		}
	}
	if e := pv.CustomerEscalation; e != nil {
		v.CustomerEscalation = &templates.CustomerEscalationView{Status: e.Status, StatusLabel: rules.CustomerEscalationStatus(e.CommandStatus, e.Status)}
		if e.LastModified != nil {
			v.CustomerEscalation.Updated = e.LastModified.UTC().Format(supportTime)
		}
	}
	if staff {
		v.CanDecide = rules.CheckSupportDecision(q.Kind, q.Status) == ""
		for _, st := range rules.SupportNextStatuses(q.Kind, q.Status) {
			v.NextStatuses = append(v.NextStatuses, templates.Option{Value: st, Label: supportStatusLabel(r.Context(), st)})
		}
		for _, m := range pv.Staff {
			v.Assignees = append(v.Assignees, templates.Option{Value: strconv.FormatInt(m.ID, 10), Label: m.Email})
		}
		if q.AssignedTo != nil {
			v.AssigneeID = strconv.FormatInt(*q.AssignedTo, 10)
		}
		escalationView(r.Context(), &v, pv, escalate)
		return s.render(w, r, status, templates.SupportRequestPage(s.page(r, "#"+v.ID+" "+q.Subject, "/support"), v))
	}
	return s.render(w, r, status, templates.CustomerSupportRequestPage(s.supportPage(r, sc, "#"+v.ID+" "+q.Subject), v))
}

// supportReply adds a reply: a customer user's to their own request (the
// use case checks the customer in SQL), or staff's.
func (s *Server) supportReply(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := supportID(r)
	if err != nil {
		return err
	}
	var cust *uuid.UUID
	href := "/support/"
	if u := auth.UserFrom(r.Context()); u != nil && u.Role == auth.RoleCustomer {
		c, err := myCustomer(r)
		if err != nil {
			return err
		}
		cust, href = &c, "/my/requests/"
	}
	body := r.PostForm.Get("body")
	problems, err := s.com.ReplySupport(r.Context(), actorOf(r), s.d.BaseURL, cust, id, body)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f := templates.NewForm()
		f.Values["body"], f.Errors = body, problems
		return s.renderSupportRequest(w, r, http.StatusUnprocessableEntity, f, templates.NewForm(), templates.NewForm())
	}
	redirect(w, r, href+strconv.FormatInt(id, 10))
	return nil
}

// supportQueue is the staff queue: every customer's requests, by status.
func (s *Server) supportQueue(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.SupportQueueFilter{Status: q.Get("status"), Before: beforeParam(r)}
	if _, ok := r.URL.Query()["status"]; !ok {
		f.Status = "active"
	}
	valid := []string{"", "active", rules.SupportOpen, rules.SupportInProgress, rules.SupportWaitingCustomer, rules.SupportApproved,
		rules.SupportRejected, rules.SupportClosed}
	v := templates.SupportQueueView{Status: f.Status, Mine: q.Get("mine") == "1"}
	for _, st := range valid[1:] {
		label := supportStatusLabel(r.Context(), st)
		if st == "active" {
			label = i18n.T(r.Context(), "h.support.not_done")
		}
		v.Statuses = append(v.Statuses, templates.Option{Value: st, Label: label})
	}
	ok := false
	for _, st := range valid {
		ok = ok || st == f.Status
	}
	if !ok {
		return &httpError{status: http.StatusBadRequest, msg: "Unknown status."}
	}
	if v.Mine {
		if u := auth.UserFrom(r.Context()); u != nil {
			f.AssignedTo = u.ID
		}
	}
	rows, err := s.st.SupportQueue(r.Context(), f)
	if err != nil {
		return err
	}
	for i, x := range rows {
		if i == store.SupportPageSize {
			next := url.Values{"status": {f.Status}, "before": {strconv.FormatInt(rows[i-1].ID, 10)}}
			if v.Mine {
				next.Set("mine", "1")
			}
			v.NextHref = "/support?" + next.Encode()
			break
		}
		row := supportRow(r.Context(), x.ID, "/support", x.Kind, x.Subject, x.Status, x.Severity, x.RequesterLabel, x.CreatedAt.UTC().Format(supportTime))
		row.Customer, row.CustomerHref, row.Assigned = x.CustomerName, "/customers/"+x.CustomerID.String(), cmp.Or(x.AssignedEmail, "—")
		v.Rows = append(v.Rows, row)
	}
	p := s.page(r, "Support requests", "/support")
	p.Unavailable = s.missing(r.Context(), rules.CapServiceRequests)
	return s.render(w, r, http.StatusOK, templates.SupportQueuePage(p, v))
}

// supportStatus moves a request to another status (commerce.SetSupportStatus).
func (s *Server) supportStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := supportID(r)
	if err != nil {
		return err
	}
	problems, err := s.com.SetSupportStatus(r.Context(), actorOf(r), s.d.BaseURL, id, r.PostForm.Get("status"))
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f := templates.NewForm()
		f.Errors = problems
		return s.renderSupportRequest(w, r, http.StatusUnprocessableEntity, templates.NewForm(), f, templates.NewForm())
	}
	redirect(w, r, "/support/"+strconv.FormatInt(id, 10))
	return nil
}

// supportAssign gives a request to a staff member (commerce.AssignSupport).
func (s *Server) supportAssign(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := supportID(r)
	if err != nil {
		return err
	}
	var user int64
	if a := r.PostForm.Get("assignee"); a != "" {
		if user, err = strconv.ParseInt(a, 10, 64); err != nil {
			return &httpError{status: http.StatusUnprocessableEntity, msg: "Choose a staff member."}
		}
	}
	problems, err := s.com.AssignSupport(r.Context(), actorOf(r), id, user)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return &httpError{status: http.StatusUnprocessableEntity, msg: problems["assignee"]}
	}
	redirect(w, r, "/support/"+strconv.FormatInt(id, 10))
	return nil
}

// supportReject refuses a seat request with a reason (commerce.RejectSeatRequest).
func (s *Server) supportReject(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := supportID(r)
	if err != nil {
		return err
	}
	reason := r.PostForm.Get("reason")
	problems, err := s.com.RejectSeatRequest(r.Context(), actorOf(r), s.d.BaseURL, id, reason)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f := templates.NewForm()
		f.Values["reason"], f.Errors = reason, problems
		return s.renderSupportRequest(w, r, http.StatusUnprocessableEntity, templates.NewForm(), templates.NewForm(), f)
	}
	redirect(w, r, "/support/"+strconv.FormatInt(id, 10))
	return nil
}

// supportApproveConfirm says what approving a seat request does before it
// is sent (commerce.PlanSeatApproval).
func (s *Server) supportApproveConfirm(w http.ResponseWriter, r *http.Request) error {
	id, err := supportID(r)
	if err != nil {
		return err
	}
	a, err := s.com.PlanSeatApproval(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderApprove(w, r, http.StatusOK, a, "")
}

// renderApprove renders the approval's confirmation; notice explains why
// the staff member sees it again (a conflict, an expired form).
func (s *Server) renderApprove(w http.ResponseWriter, r *http.Request, status int, a commerce.SeatApproval, notice string) error {
	back := "/support/" + strconv.FormatInt(a.Request.ID, 10)
	v := templates.SupportApproveView{Href: back + "/approve", BackHref: back, Subject: a.Request.Subject, Customer: a.Request.CustomerName,
		Title: a.Plan.Title, Effect: a.Plan.Effect, Warning: a.Plan.Warning, Reason: a.Plan.Reason, Version: a.Version,
		Token: uuid.NewString(), Problem: a.Problem, Notice: notice}
	return s.render(w, r, status, templates.SupportApprovePage(s.page(r, i18n.T(r.Context(), "h.support.approve_title", strconv.FormatInt(a.Request.ID, 10)), "/support"), v))
}

// supportApprove approves a seat request: the subscription change is
// queued with the request in one transaction (commerce.ApproveSeatRequest).
func (s *Server) supportApprove(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := supportID(r)
	if err != nil {
		return err
	}
	token, err := uuid.Parse(r.PostForm.Get("token"))
	if err != nil {
		a, perr := s.com.PlanSeatApproval(r.Context(), id)
		if perr != nil {
			return perr
		}
		return s.renderApprove(w, r, http.StatusUnprocessableEntity, a, "The form expired. Check the change and approve it again.")
	}
	problems, err := s.com.ApproveSeatRequest(r.Context(), actorOf(r), s.d.BaseURL, id, r.PostForm.Get("version"), token)
	if errors.Is(err, commerce.ErrChangeConflict) {
		a, perr := s.com.PlanSeatApproval(r.Context(), id)
		if perr != nil {
			return perr
		}
		return s.renderApprove(w, r, http.StatusConflict, a, "The subscription changed since you opened this page (another user, a sync, or a change still on its way). Nothing was sent. Check the change below and approve it again.")
	}
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		// A repeated submit of an approval that went through lands on the
		// request, like the first one.
		if pv, perr := s.st.SupportRequestForStaff(r.Context(), id); perr == nil && pv.ChangeToken != nil && *pv.ChangeToken == token {
			redirect(w, r, "/support/"+strconv.FormatInt(id, 10))
			return nil
		}
		a, perr := s.com.PlanSeatApproval(r.Context(), id)
		if perr != nil {
			return perr
		}
		if a.Problem == "" {
			a.Problem = problems["_form"]
		}
		return s.renderApprove(w, r, http.StatusUnprocessableEntity, a, "")
	}
	s.flash(r.Context(), "success", "Approved: the seat change is on its way to Partner Center.")
	redirect(w, r, "/support/"+strconv.FormatInt(id, 10))
	return nil
}
