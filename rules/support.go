package rules

import (
	"fmt"
	"github.com/cspportal/portal/internal/i18n"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Support requests (issue 21): what a customer user may ask for, and how a
// request moves through the staff queue. A seat request is decided
// (approved into a subscription change, or rejected with a reason); a
// ticket is answered and closed.

// Support request kinds.
const (
	SupportSeats  = "seats"
	SupportTicket = "ticket"
)

// Support request statuses.
const (
	SupportOpen            = "open"
	SupportInProgress      = "in_progress"
	SupportWaitingCustomer = "waiting_customer"
	SupportApproved        = "approved"
	SupportRejected        = "rejected"
	SupportClosed          = "closed"
)

// SupportSeverities are a ticket's severities, lowest first.
var SupportSeverities = []string{"low", "normal", "high", "critical"}

// SupportStatusLabel says a status in words.
func SupportStatusLabel(status string) string {
	switch status {
	case SupportOpen:
		return "Open"
	case SupportInProgress:
		return "In progress"
	case SupportWaitingCustomer:
		return "Waiting for the customer"
	case SupportApproved:
		return "Approved"
	case SupportRejected:
		return "Rejected"
	case SupportClosed:
		return "Closed"
	}
	return status
}

// SupportDone reports whether a request is finished: nothing more happens
// to it (a closed ticket may still be reopened by staff).
func SupportDone(status string) bool {
	return status == SupportApproved || status == SupportRejected || status == SupportClosed
}

// supportMoves are the status changes staff make by hand; approving and
// rejecting a seat request are decisions (CheckSupportDecision).
var supportMoves = map[string]map[string][]string{
	SupportTicket: {
		SupportOpen:            {SupportInProgress, SupportWaitingCustomer, SupportClosed},
		SupportInProgress:      {SupportWaitingCustomer, SupportClosed},
		SupportWaitingCustomer: {SupportInProgress, SupportClosed},
		SupportClosed:          {SupportOpen},
	},
	SupportSeats: {
		SupportOpen:            {SupportInProgress, SupportWaitingCustomer},
		SupportInProgress:      {SupportWaitingCustomer},
		SupportWaitingCustomer: {SupportInProgress},
	},
}

// SupportNextStatuses lists the statuses staff can move a request of kind
// to from status, in display order.
func SupportNextStatuses(kind, status string) []string {
	return slices.Clone(supportMoves[kind][status])
}

// CheckSupportStatus says why staff cannot move a request of kind from
// one status to another ("" when they can).
func CheckSupportStatus(kind, from, to string) string {
	if from == to {
		return "The request is already " + strings.ToLower(SupportStatusLabel(to)) + "."
	}
	if slices.Contains(supportMoves[kind][from], to) {
		return ""
	}
	if kind == SupportSeats && (to == SupportApproved || to == SupportRejected) {
		return "Approve or reject a seat request with its own buttons."
	}
	if SupportDone(from) && len(supportMoves[kind][from]) == 0 {
		return "The request is " + strings.ToLower(SupportStatusLabel(from)) + ": its status can no longer change."
	}
	return fmt.Sprintf("A request cannot go from %s to %s.", strings.ToLower(SupportStatusLabel(from)), strings.ToLower(SupportStatusLabel(to)))
}

// CheckSupportDecision says why a request of kind in status cannot be
// approved or rejected ("" when it can).
func CheckSupportDecision(kind, status string) string {
	if kind != SupportSeats {
		return "Only seat requests are approved or rejected; close a ticket instead."
	}
	if SupportDone(status) {
		return "The request was " + strings.ToLower(SupportStatusLabel(status)) + " already."
	}
	return ""
}

// CheckSupportReason checks the reason given when rejecting a request.
func CheckSupportReason(reason string) string {
	n := utf8.RuneCountInString(strings.TrimSpace(reason))
	if n < 3 || n > 500 {
		return "Give the customer the reason (3 to 500 characters)."
	}
	return ""
}

// CheckSupportReply checks a reply's text; done refuses replies to a
// finished request.
func CheckSupportReply(body string, done bool) string {
	if done {
		return "The request is finished: open a new one to ask something else."
	}
	n := utf8.RuneCountInString(strings.TrimSpace(body))
	if n == 0 {
		return "Write a reply."
	}
	if n > 5000 {
		return "Keep the reply under 5,000 characters."
	}
	return ""
}

// TicketRequest is a ticket as the customer's form sends it.
type TicketRequest struct {
	Subject, Description, Severity string
}

// CheckTicket checks a new ticket; problems come back by form field.
func CheckTicket(t TicketRequest) map[string]string {
	errs := map[string]string{}
	if n := utf8.RuneCountInString(strings.TrimSpace(t.Subject)); n < 3 || n > 120 {
		errs["subject"] = "Give a subject (3 to 120 characters)."
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(t.Description)); n < 10 || n > 5000 {
		errs["description"] = "Describe what you need (10 to 5,000 characters)."
	}
	if !slices.Contains(SupportSeverities, t.Severity) {
		errs["severity"] = "Choose a severity."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ParseSeatCount reads a requested seat count as typed; current is the
// subscription's count, which a request must differ from.
func ParseSeatCount(typed string, current int) (int, string) {
	n, err := strconv.Atoi(strings.TrimSpace(typed))
	if err != nil || n < 1 {
		return 0, "Enter the number of seats you need in total (a whole number, at least 1)."
	}
	if n == current {
		return n, fmt.Sprintf("You have %s already: enter the total you need.", Seats(i18n.English, current))
	}
	return n, ""
}

// SeatRequestSummary says a seat request in a few words ("10 → 15 seats
// (+5)").
func SeatRequestSummary(current, requested int) string {
	d := requested - current
	sign := "+"
	if d < 0 {
		sign = "−"
		d = -d
	}
	return fmt.Sprintf("%d → %d seats (%s%d)", current, requested, sign, d)
}
