package commerce

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// Support requests (issue 21). A customer user asks for seats or opens a
// ticket; staff answer, move it through the queue, and decide a seat
// request: approving it queues the ordinary subscription change
// (queueChangeTx) in the same transaction, so nothing reaches Partner
// Center before a person said yes. Each write is one transaction with its
// audit entry and the mails it sends (the requester hears of every status
// change and answer; staff of new requests and the customer's replies).
// base is the portal's public URL, for the links in those mails.

// SeatRequestInput is a customer's seat request as the form sends it.
type SeatRequestInput struct {
	SubscriptionID string
	Seats          string // the total wanted, as typed
	Token          uuid.UUID
}

// RequestSeats records customer's request to change a subscription's seat
// count to in.Seats, checked against the same rules as a staff change (a
// decrease only within PC's cancellation window, with the reason when
// not). It returns the request's id and whether the auto-approval policy
// approved it at once, or the problems by form field ("seats"). A
// repeated form token returns the first request.
func (s *Service) RequestSeats(ctx context.Context, by Actor, base string, customer uuid.UUID, in SeatRequestInput) (int64, bool, map[string]string, error) {
	if id, err := s.st.SupportRequestIDByToken(ctx, customer, in.Token); err == nil {
		return id, false, nil, nil
	}
	id, problems, err := s.storeSeatRequest(ctx, by, base, customer, in)
	if err != nil || problems != nil {
		return 0, false, problems, err
	}
	approved := s.autoApprove(ctx, base, id)
	if !approved {
		if err := s.mailStaffIfWaiting(ctx, base, id); err != nil {
			// The review job mails them later; the request is stored.
			s.log.WarnContext(ctx, "seat request: staff mail", "request", id, "err", err)
		}
	}
	return id, approved, nil, nil
}

// storeSeatRequest checks and stores a seat request (RequestSeats' first
// step; what follows it is also the review job's).
func (s *Service) storeSeatRequest(ctx context.Context, by Actor, base string, customer uuid.UUID, in SeatRequestInput) (int64, map[string]string, error) {
	sub, err := s.st.SubscriptionForChange(ctx, customer, in.SubscriptionID)
	if err != nil {
		return 0, nil, err
	}
	n, msg := rules.ParseSeatCount(in.Seats, int(sub.Quantity))
	if msg != "" {
		return 0, map[string]string{"seats": msg}, nil
	}
	life, err := s.st.SubscriptionLifecycle(ctx, customer, sub.ID)
	if err != nil {
		return 0, nil, err
	}
	if _, problems := PlanChange(sub, life, ChangeRequest{Action: "quantity", Quantity: strconv.Itoa(n)}, s.now()); len(problems) > 0 {
		return 0, map[string]string{"seats": cmp.Or(problems["quantity"], problems["_form"])}, nil
	}
	cur, want := sub.Quantity, int32(n)
	name := cmp.Or(sub.FriendlyName, sub.OfferName)
	p := db.InsertSupportRequestParams{CustomerID: customer, Kind: rules.SupportSeats, Token: in.Token, SubscriptionID: sub.ID,
		CurrentSeats: &cur, RequestedSeats: &want, Subject: name + ": " + rules.SeatRequestSummary(int(cur), n), Severity: "normal",
		RequestedBy: by.UserID, RequesterLabel: by.Label}
	id, err := s.insertSupport(ctx, by, base, p, "support.seats_requested")
	return id, nil, err
}

// SeatRequestForm is what the customer's seat request form shows: the
// subscription and how far its seats can go down now, in words.
type SeatRequestForm struct {
	Sub store.SubscriptionForChange
	// Decrease says whether and until when seats can be removed (PC's
	// cancellation window), the reason shown next to the field.
	Decrease rules.Decrease
}

// PlanSeatRequest reads subscription sub of customer for the seat request
// form (store.ErrNotFound when it is another customer's).
func (s *Service) PlanSeatRequest(ctx context.Context, customer uuid.UUID, sub string) (SeatRequestForm, error) {
	var f SeatRequestForm
	var err error
	if f.Sub, err = s.st.SubscriptionForChange(ctx, customer, sub); err != nil {
		return f, err
	}
	life, err := s.st.SubscriptionLifecycle(ctx, customer, sub)
	if err != nil {
		return f, err
	}
	f.Decrease = rules.SeatDecrease(i18n.From(ctx), SubscriptionRules(f.Sub, life), s.now())
	return f, nil
}

// TicketInput is a customer's ticket as the form sends it.
type TicketInput struct {
	Subject, Description, Severity string
	SubscriptionID                 string // optional: the subscription it is about
	Token                          uuid.UUID
}

// OpenTicket records customer's ticket; problems come back by form field.
func (s *Service) OpenTicket(ctx context.Context, by Actor, base string, customer uuid.UUID, in TicketInput) (int64, map[string]string, error) {
	if id, err := s.st.SupportRequestIDByToken(ctx, customer, in.Token); err == nil {
		return id, nil, nil
	}
	if problems := rules.CheckTicket(rules.TicketRequest{Subject: in.Subject, Description: in.Description, Severity: in.Severity}); problems != nil {
		return 0, problems, nil
	}
	if in.SubscriptionID != "" {
		if _, err := s.st.SubscriptionForChange(ctx, customer, in.SubscriptionID); errors.Is(err, store.ErrNotFound) {
			return 0, map[string]string{"subscription": "Choose one of your subscriptions, or none."}, nil
		} else if err != nil {
			return 0, nil, err
		}
	}
	p := db.InsertSupportRequestParams{CustomerID: customer, Kind: rules.SupportTicket, Token: in.Token, SubscriptionID: in.SubscriptionID,
		Subject: strings.TrimSpace(in.Subject), Description: strings.TrimSpace(in.Description), Severity: in.Severity,
		RequestedBy: by.UserID, RequesterLabel: by.Label}
	id, err := s.insertSupport(ctx, by, base, p, "support.ticket_opened")
	return id, nil, err
}

// insertSupport stores a new request with its audit entry and the staff's
// mail; a token used meanwhile by a concurrent submit returns that request.
func (s *Service) insertSupport(ctx context.Context, by Actor, base string, p db.InsertSupportRequestParams, action string) (int64, error) {
	var id int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = s.st.Q.InsertSupportRequest(ctx, tx, p)
		if errors.Is(err, pgx.ErrNoRows) {
			return errRepeated
		}
		if err != nil {
			return fmt.Errorf("insert support request: %w", store.MapErr(err))
		}
		if err := s.auditSupport(ctx, tx, by, action, id, p.CustomerID, p.Subject); err != nil {
			return err
		}
		if p.Kind == rules.SupportSeats {
			// The policy may approve it in a moment: staff hear of it only
			// if it still waits for them, from RequestSeats or, should this
			// process die first, from the review job.
			held, err := s.policyOn(ctx, tx, p.CustomerID)
			if err != nil {
				return err
			}
			if held {
				_, err := s.river.InsertTx(ctx, tx, SeatReviewArgs{RequestID: id, Base: base},
					&river.InsertOpts{ScheduledAt: s.now().Add(seatReviewDelay)})
				return err
			}
		}
		r, err := s.st.Q.SupportRequest(ctx, tx, db.SupportRequestParams{ID: id})
		if err != nil {
			return fmt.Errorf("support request %d: %w", id, err)
		}
		return s.mailStaffNew(ctx, tx, r, base)
	})
	if errors.Is(err, errRepeated) {
		return s.st.SupportRequestIDByToken(ctx, p.CustomerID, p.Token)
	}
	return id, err
}

// ReplySupport adds body to request id's conversation: from the customer
// user when customer is set (their own customer's request only, else
// store.ErrNotFound), from staff when nil. A customer's answer to a
// request waiting for them puts it back in progress.
func (s *Service) ReplySupport(ctx context.Context, by Actor, base string, customer *uuid.UUID, id int64, body string) (map[string]string, error) {
	var problems map[string]string
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		r, err := s.lockSupport(ctx, tx, customer, id)
		if err != nil {
			return err
		}
		if msg := rules.CheckSupportReply(body, rules.SupportDone(r.Status)); msg != "" {
			problems = map[string]string{"body": msg}
			return nil
		}
		staff := customer == nil
		rid, err := s.st.Q.InsertSupportReply(ctx, tx, db.InsertSupportReplyParams{RequestID: id, CustomerID: r.CustomerID,
			AuthorUserID: by.UserID, AuthorLabel: by.Label, FromStaff: staff, Body: strings.TrimSpace(body)})
		if err != nil {
			return fmt.Errorf("reply to support request %d: %w", id, err)
		}
		if !staff && r.Status == rules.SupportWaitingCustomer {
			if err := s.st.Q.SetSupportStatus(ctx, tx, db.SetSupportStatusParams{ID: id, Status: rules.SupportInProgress}); err != nil {
				return err
			}
		}
		if err := s.auditSupport(ctx, tx, by, "support.replied", id, r.CustomerID, ""); err != nil {
			return err
		}
		key := fmt.Sprintf("support:%d:reply:%d", id, rid)
		if staff {
			return s.mailRequester(ctx, tx, r, base, by.Label+" answered:\n\n"+strings.TrimSpace(body), key)
		}
		var only []string
		if r.AssignedEmail != "" {
			only = []string{r.AssignedEmail}
		}
		return s.mailStaff(ctx, tx, only, func(to []string) mail.Message {
			return mail.SupportCustomerReply(to, r.CustomerName, id, r.Subject, strings.TrimSpace(body), staffLink(base, id), key)
		})
	})
	return problems, err
}

// SetSupportStatus moves request id to status to (staff), as
// rules.CheckSupportStatus allows; the requester is told.
func (s *Service) SetSupportStatus(ctx context.Context, by Actor, base string, id int64, to string) (map[string]string, error) {
	var problems map[string]string
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		r, err := s.lockSupport(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		if msg := rules.CheckSupportStatus(r.Kind, r.Status, to); msg != "" {
			problems = map[string]string{"status": msg}
			return nil
		}
		if err := s.st.Q.SetSupportStatus(ctx, tx, db.SetSupportStatusParams{ID: id, Status: to}); err != nil {
			return fmt.Errorf("support request %d status: %w", id, err)
		}
		detail := rules.SupportStatusLabel(r.Status) + " → " + rules.SupportStatusLabel(to)
		if err := s.auditSupport(ctx, tx, by, "support.status_changed", id, r.CustomerID, detail); err != nil {
			return err
		}
		return s.mailRequester(ctx, tx, r, base, "Its status is now: "+rules.SupportStatusLabel(to)+".",
			fmt.Sprintf("support:%d:status:%s:%d", id, to, r.UpdatedAt.UnixMicro()))
	})
	return problems, err
}

// AssignSupport gives request id to staff user user (0: nobody).
func (s *Service) AssignSupport(ctx context.Context, by Actor, id, user int64) (map[string]string, error) {
	var problems map[string]string
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		r, err := s.lockSupport(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		var to *int64
		label := "nobody"
		if user != 0 {
			staff, err := s.st.Q.SupportStaff(ctx, tx)
			if err != nil {
				return err
			}
			for _, m := range staff {
				if m.ID == user {
					to, label = &m.ID, m.Email
				}
			}
			if to == nil {
				problems = map[string]string{"assignee": "Choose a staff member."}
				return nil
			}
		}
		if err := s.st.Q.AssignSupportRequest(ctx, tx, db.AssignSupportRequestParams{ID: id, AssignedTo: to}); err != nil {
			return fmt.Errorf("assign support request %d: %w", id, err)
		}
		return s.auditSupport(ctx, tx, by, "support.assigned", id, r.CustomerID, "to "+label)
	})
	return problems, err
}

// RejectSeatRequest refuses seat request id with reason, which the
// customer sees and is mailed.
func (s *Service) RejectSeatRequest(ctx context.Context, by Actor, base string, id int64, reason string) (map[string]string, error) {
	var problems map[string]string
	reason = strings.TrimSpace(reason)
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		r, err := s.lockSupport(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		if msg := rules.CheckSupportDecision(r.Kind, r.Status); msg != "" {
			problems = map[string]string{"_form": msg}
			return nil
		}
		if msg := rules.CheckSupportReason(reason); msg != "" {
			problems = map[string]string{"reason": msg}
			return nil
		}
		if err := s.st.Q.DecideSupportRequest(ctx, tx, db.DecideSupportRequestParams{ID: id, Status: rules.SupportRejected,
			DecidedBy: by.UserID, DecisionReason: reason}); err != nil {
			return fmt.Errorf("reject support request %d: %w", id, err)
		}
		if err := s.auditSupport(ctx, tx, by, "support.rejected", id, r.CustomerID, reason); err != nil {
			return err
		}
		return s.mailRequester(ctx, tx, r, base, "Your request was not approved: "+reason, fmt.Sprintf("support:%d:rejected", id))
	})
	return problems, err
}

// SeatApproval is what approving a seat request would do, for the
// confirmation page: the subscription as it is now and the change.
type SeatApproval struct {
	Request store.SupportRequest
	Sub     store.SubscriptionForChange
	Plan    Plan
	// Version is the subscription's version the confirmation carries.
	Version string
	// Problem says why it cannot be approved as asked ("" when it can).
	Problem string
}

// PlanSeatApproval checks seat request id against the subscription now.
func (s *Service) PlanSeatApproval(ctx context.Context, id int64) (SeatApproval, error) {
	var a SeatApproval
	var err error
	if a.Request, err = s.st.SupportRequestForStaff(ctx, id); err != nil {
		return a, err
	}
	if a.Problem = rules.CheckSupportDecision(a.Request.Kind, a.Request.Status); a.Problem != "" {
		return a, nil
	}
	if a.Sub, err = s.st.SubscriptionForChange(ctx, a.Request.CustomerID, a.Request.SubscriptionID); err != nil {
		return a, err
	}
	life, err := s.st.SubscriptionLifecycle(ctx, a.Sub.CustomerID, a.Sub.ID)
	if err != nil {
		return a, err
	}
	a.Version = SubscriptionVersion(a.Sub)
	plan, problems := PlanChange(a.Sub, life, ChangeRequest{Action: "quantity", Quantity: strconv.Itoa(int(*a.Request.RequestedSeats))}, s.now())
	if len(problems) > 0 {
		a.Problem = cmp.Or(problems["quantity"], problems["_form"])
		return a, nil
	}
	plan.Reason = fmt.Sprintf("asked by %s (request #%d)", a.Request.RequesterLabel, id)
	a.Plan = plan
	return a, nil
}

// ApproveSeatRequest approves seat request id: in one transaction the
// subscription change (as ChangeSubscription, with the version the
// confirmation showed and its form token), the request marked approved
// and linked to the change, the audit entry naming who asked and who
// approved, and the customer's mail; then the change is delivered at once
// when it can. ErrChangeConflict when the subscription moved since the
// confirmation; problems when the request cannot be approved (any more).
func (s *Service) ApproveSeatRequest(ctx context.Context, by Actor, base string, id int64, version string, token uuid.UUID) (map[string]string, error) {
	a, err := s.PlanSeatApproval(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Problem != "" {
		return map[string]string{"_form": a.Problem}, nil
	}
	problems, _, err := s.approveSeats(ctx, by, base, a, version, token, false)
	return problems, err
}

// PolicyActor is who approves a seat request the auto-approval policy let
// through, in the audit trail and on the change.
var PolicyActor = Actor{Label: "auto-approved by policy"}

// autoApprove approves seat request id at once when the customer's
// auto-approval policy allows it, through the same steps as a staff
// approval. Otherwise, and on any failure, the request simply waits for
// staff: a policy problem never loses the customer's request.
func (s *Service) autoApprove(ctx context.Context, base string, id int64) bool {
	a, err := s.PlanSeatApproval(ctx, id)
	if err != nil || a.Problem != "" {
		if err != nil {
			s.log.WarnContext(ctx, "seat request auto-approval: plan", "request", id, "err", err)
		}
		return false
	}
	a.Plan.Reason += ", auto-approved by policy"
	_, approved, err := s.approveSeats(ctx, PolicyActor, base, a, a.Version, uuid.New(), true)
	if err != nil && !errors.Is(err, ErrChangeConflict) {
		s.log.WarnContext(ctx, "seat request auto-approval", "request", id, "err", err)
	}
	return approved
}

// approveSeats is the approval's transaction (see ApproveSeatRequest).
// With auto, the customer's policy decides inside the transaction, under
// a per-customer lock so concurrent requests cannot both use the month's
// last seats; a request it does not allow is left untouched.
func (s *Service) approveSeats(ctx context.Context, by Actor, base string, a SeatApproval, version string, token uuid.UUID, auto bool) (map[string]string, bool, error) {
	id := a.Request.ID
	var cmdID int64
	var problems map[string]string
	approved := false
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		r, err := s.lockSupport(ctx, tx, nil, id)
		if err != nil {
			return err
		}
		if msg := rules.CheckSupportDecision(r.Kind, r.Status); msg != "" {
			problems = map[string]string{"_form": msg}
			return nil
		}
		summary := rules.SeatRequestSummary(int(*r.CurrentSeats), int(*r.RequestedSeats))
		action, detail, what := "support.approved", summary+", asked by "+r.RequesterLabel, "Your request was approved: "
		if auto {
			pol, why, err := s.checkPolicyTx(ctx, tx, r)
			if err != nil || why != "" {
				return err
			}
			action, detail = "support.auto_approved", detail+"; auto-approved by policy ("+rules.SeatPolicySummary(pol)+")"
			what = "Your request was approved automatically: "
		}
		if cmdID, err = s.queueChangeTx(ctx, tx, by, a.Sub, version, token, a.Plan); err != nil {
			return err
		}
		if err := s.st.Q.DecideSupportRequest(ctx, tx, db.DecideSupportRequestParams{ID: id, Status: rules.SupportApproved,
			DecidedBy: by.UserID, ChangeToken: &token}); err != nil {
			return fmt.Errorf("approve support request %d: %w", id, err)
		}
		if auto {
			at := s.now()
			if err := s.st.Q.MarkSupportAutoApproved(ctx, tx, db.MarkSupportAutoApprovedParams{ID: id, At: &at}); err != nil {
				return fmt.Errorf("auto-approve support request %d: %w", id, err)
			}
		}
		if err := s.auditSupport(ctx, tx, by, action, id, r.CustomerID, detail); err != nil {
			return err
		}
		approved = true
		return s.mailRequester(ctx, tx, r, base, what+summary+". The change is on its way to Microsoft.",
			fmt.Sprintf("support:%d:approved", id))
	})
	switch {
	case errors.Is(err, errRepeated):
		return nil, false, nil
	case err != nil || problems != nil || !approved:
		return problems, false, err
	}
	s.deliverInline(ctx, cmdID)
	return nil, true, nil
}

// lockSupport locks request id for a write and reads it with its names;
// customer, when set, must own it (else store.ErrNotFound).
func (s *Service) lockSupport(ctx context.Context, tx pgx.Tx, customer *uuid.UUID, id int64) (store.SupportRequest, error) {
	if _, err := s.st.Q.LockSupportRequest(ctx, tx, id); err != nil {
		return store.SupportRequest{}, fmt.Errorf("lock support request %d: %w", id, store.MapErr(err))
	}
	r, err := s.st.Q.SupportRequest(ctx, tx, db.SupportRequestParams{ID: id, CustomerID: customer})
	if err != nil {
		return r, fmt.Errorf("support request %d: %w", id, store.MapErr(err))
	}
	return r, nil
}

func (s *Service) auditSupport(ctx context.Context, tx pgx.Tx, by Actor, action string, id int64, customer uuid.UUID, detail string) error {
	return s.st.AuditTx(ctx, tx, store.AuditEntry{ActorUserID: by.UserID, Actor: cmp.Or(by.Label, "system"), Action: action,
		TargetType: "support_request", TargetID: strconv.FormatInt(id, 10), CustomerID: &customer, Detail: detail})
}

// mailStaffNew queues the staff's mail about new request r (once: the
// mail's key is the request's).
func (s *Service) mailStaffNew(ctx context.Context, tx pgx.Tx, r store.SupportRequest, base string) error {
	return s.mailStaff(ctx, tx, nil, func(to []string) mail.Message {
		return mail.SupportNew(to, r.CustomerName, r.Subject, staffLink(base, r.ID), fmt.Sprintf("support:%d:new", r.ID))
	})
}

// mailStaffIfWaiting mails staff about request id when it still waits for
// them (the policy did not approve it).
func (s *Service) mailStaffIfWaiting(ctx context.Context, base string, id int64) error {
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		r, err := s.lockSupport(ctx, tx, nil, id)
		if err != nil || r.Status != rules.SupportOpen {
			return err
		}
		return s.mailStaffNew(ctx, tx, r, base)
	})
}

// mailStaff queues build's mail to only, or when empty to every active
// staff user and admin.
func (s *Service) mailStaff(ctx context.Context, tx pgx.Tx, only []string, build func(to []string) mail.Message) error {
	if s.mail == nil {
		return nil
	}
	to := only
	if len(to) == 0 {
		staff, err := s.st.Q.SupportStaff(ctx, tx)
		if err != nil {
			return fmt.Errorf("support staff: %w", err)
		}
		for _, m := range staff {
			to = append(to, m.Email)
		}
	}
	if len(to) == 0 {
		return nil
	}
	_, err := s.mail.Queue(ctx, tx, build(to))
	return err
}

// mailRequester queues the customer user's mail about r (none when they
// left or were disabled).
func (s *Service) mailRequester(ctx context.Context, tx pgx.Tx, r store.SupportRequest, base, what, key string) error {
	if s.mail == nil || r.RequesterEmail == "" {
		return nil
	}
	_, err := s.mail.Queue(ctx, tx, mail.SupportUpdate(r.RequesterEmail, r.ID, r.Subject, what, customerLink(base, r.ID), key))
	return err
}

func staffLink(base string, id int64) string { return base + "/support/" + strconv.FormatInt(id, 10) }
func customerLink(base string, id int64) string {
	return base + "/my/requests/" + strconv.FormatInt(id, 10)
}
