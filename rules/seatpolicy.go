package rules

import (
	"fmt"
	"github.com/cspportal/portal/internal/i18n"
	"strconv"
	"strings"
)

// Auto-approval of customers' seat requests (issue 21): an admin's policy,
// off by default, lets a request through at once when it only adds seats,
// within a limit per request and a limit per calendar month. Anything else
// (a decrease, a request over a limit, no policy) waits for staff.

// SeatPolicy is the auto-approval policy that applies to a customer. A
// zero limit is no limit; a policy enabled with no limit at all is refused
// when saved (CheckSeatPolicy), so "unlimited" is never an accident.
type SeatPolicy struct {
	Enabled       bool
	MaxPerRequest int // seats one request may add
	MaxPerMonth   int // seats the policy may add for the customer in a month
}

// MaxPolicySeats bounds the limits an admin can type.
const MaxPolicySeats = 10000

// CheckAutoApproval says why a seat request from current to requested
// seats waits for staff under policy p ("" when p approves it);
// approvedThisMonth is how many seats p added for the customer this month.
func CheckAutoApproval(p SeatPolicy, current, requested, approvedThisMonth int) string {
	add := requested - current
	switch {
	case !p.Enabled:
		return "No auto-approval policy applies."
	case add <= 0:
		return "Only seat increases are approved automatically."
	case p.MaxPerRequest > 0 && add > p.MaxPerRequest:
		return fmt.Sprintf("It adds %s; the policy approves at most %d per request.", Seats(i18n.English, add), p.MaxPerRequest)
	case p.MaxPerMonth > 0 && approvedThisMonth+add > p.MaxPerMonth:
		return fmt.Sprintf("It adds %s; the policy approves at most %d a month and %d were approved this month.",
			Seats(i18n.English, add), p.MaxPerMonth, approvedThisMonth)
	}
	return ""
}

// SeatPolicyInput is the admins' policy form as typed.
type SeatPolicyInput struct {
	Enabled                  bool
	MaxPerRequest, MaxPerMon string
}

// CheckSeatPolicy reads the admins' policy form; problems come back by
// field ("max_per_request", "max_per_month").
func CheckSeatPolicy(in SeatPolicyInput) (SeatPolicy, map[string]string) {
	p := SeatPolicy{Enabled: in.Enabled}
	errs := map[string]string{}
	limit := func(field, typed string) int {
		typed = strings.TrimSpace(typed)
		if typed == "" {
			return 0
		}
		n, err := strconv.Atoi(typed)
		if err != nil || n < 1 || n > MaxPolicySeats {
			errs[field] = fmt.Sprintf("Enter a whole number from 1 to %d, or leave it empty for no limit.", MaxPolicySeats)
			return 0
		}
		return n
	}
	p.MaxPerRequest = limit("max_per_request", in.MaxPerRequest)
	p.MaxPerMonth = limit("max_per_month", in.MaxPerMon)
	if len(errs) == 0 && p.Enabled && p.MaxPerRequest == 0 && p.MaxPerMonth == 0 {
		errs["max_per_request"] = "Set a limit per request or per month: auto-approval without any limit is not allowed."
	}
	if len(errs) > 0 {
		return p, errs
	}
	return p, nil
}

// SeatPolicySummary says a policy in a few words, for the audit trail and
// the admins' page.
func SeatPolicySummary(p SeatPolicy) string {
	if !p.Enabled {
		return "off"
	}
	var parts []string
	if p.MaxPerRequest > 0 {
		parts = append(parts, fmt.Sprintf("up to %d per request", p.MaxPerRequest))
	}
	if p.MaxPerMonth > 0 {
		parts = append(parts, fmt.Sprintf("up to %d a month", p.MaxPerMonth))
	}
	return "on: seat increases " + strings.Join(parts, ", ")
}

// CustomerEscalationStatus says, for the customer, where their ticket's
// escalation to Microsoft stands: from the filing command's delivery and
// PC's status only (the customer never sees PC's notes, topic or errors).
func CustomerEscalationStatus(commandStatus, pcStatus string) string {
	switch pcStatus {
	case "open":
		return "Microsoft is working on it."
	case "attention_needed":
		return "Microsoft asked your reseller for more information."
	case "closed":
		return "Microsoft closed it."
	}
	if commandStatus == "succeeded" {
		return "Filed with Microsoft."
	}
	return "Your reseller is filing it with Microsoft."
}
