package rules_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cspportal/portal/rules"
)

func TestCheckSupportStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, from, to string
		want           string // part of the message; "" allowed
	}{
		{"ticket", "open", "in_progress", ""},
		{"ticket", "open", "closed", ""},
		{"ticket", "waiting_customer", "in_progress", ""},
		{"ticket", "closed", "open", ""},
		{"ticket", "closed", "in_progress", "cannot go from closed to in progress"},
		{"ticket", "open", "open", "already open"},
		{"ticket", "open", "approved", "cannot go from open to approved"},
		{"seats", "open", "in_progress", ""},
		{"seats", "in_progress", "waiting_customer", ""},
		{"seats", "open", "approved", "own buttons"},
		{"seats", "open", "closed", "cannot go from open to closed"},
		{"seats", "approved", "open", "can no longer change"},
		{"seats", "rejected", "in_progress", "can no longer change"},
		{"other", "open", "closed", "cannot go"},
	}
	for _, tt := range tests {
		got := rules.CheckSupportStatus(tt.kind, tt.from, tt.to)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s %s -> %s: %q, want %q", tt.kind, tt.from, tt.to, got, tt.want)
		}
		if allowed := got == ""; allowed != contains(rules.SupportNextStatuses(tt.kind, tt.from), tt.to) {
			t.Errorf("%s %s -> %s: CheckSupportStatus and SupportNextStatuses disagree", tt.kind, tt.from, tt.to)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestCheckSupportDecision(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind, status string
		ok           bool
	}{
		{"seats", "open", true},
		{"seats", "in_progress", true},
		{"seats", "waiting_customer", true},
		{"seats", "approved", false},
		{"seats", "rejected", false},
		{"ticket", "open", false},
	}
	for _, tt := range tests {
		if got := rules.CheckSupportDecision(tt.kind, tt.status); (got == "") != tt.ok {
			t.Errorf("%s %s: %q, want ok=%v", tt.kind, tt.status, got, tt.ok)
		}
	}
}

func TestCheckSupportReplyAndReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"reply ok", rules.CheckSupportReply("Thanks!", false), ""},
		{"reply blank", rules.CheckSupportReply("  \n ", false), "Write a reply."},
		{"reply too long", rules.CheckSupportReply(strings.Repeat("é", 5001), false), "Keep the reply under 5,000 characters."},
		{"reply at the limit", rules.CheckSupportReply(strings.Repeat("é", 5000), false), ""},
		{"reply to a finished request", rules.CheckSupportReply("hello", true), "The request is finished: open a new one to ask something else."},
		{"reason ok", rules.CheckSupportReason("Budget freeze"), ""},
		{"reason short", rules.CheckSupportReason(" no "), "Give the customer the reason (3 to 500 characters)."},
		{"reason long", rules.CheckSupportReason(strings.Repeat("x", 501)), "Give the customer the reason (3 to 500 characters)."},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestCheckTicket(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  rules.TicketRequest
		want map[string]string
	}{
		{"ok", rules.TicketRequest{Subject: "Teams calls drop", Description: "Since Monday every call drops after 5 minutes.", Severity: "high"}, nil},
		{"all wrong", rules.TicketRequest{Subject: " a ", Description: "help", Severity: "urgent"}, map[string]string{
			"subject": "Give a subject (3 to 120 characters).", "description": "Describe what you need (10 to 5,000 characters).",
			"severity": "Choose a severity."}},
		{"long subject", rules.TicketRequest{Subject: strings.Repeat("s", 121), Description: "A long enough description.", Severity: "low"},
			map[string]string{"subject": "Give a subject (3 to 120 characters)."}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, rules.CheckTicket(tt.req)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestParseSeatCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typed   string
		current int
		n       int
		bad     bool
	}{
		{"15", 10, 15, false},
		{" 5 ", 10, 5, false},
		{"10", 10, 10, true},
		{"0", 10, 0, true},
		{"-3", 10, 0, true},
		{"ten", 10, 0, true},
		{"", 10, 0, true},
	}
	for _, tt := range tests {
		n, msg := rules.ParseSeatCount(tt.typed, tt.current)
		if n != tt.n || (msg != "") != tt.bad {
			t.Errorf("ParseSeatCount(%q, %d) = %d, %q; want %d, bad=%v", tt.typed, tt.current, n, msg, tt.n, tt.bad)
		}
	}
}

func TestSeatRequestSummary(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cur, req int
		want     string
	}{{10, 15, "10 → 15 seats (+5)"}, {10, 7, "10 → 7 seats (−3)"}} {
		if got := rules.SeatRequestSummary(tt.cur, tt.req); got != tt.want {
			t.Errorf("SeatRequestSummary(%d, %d) = %q, want %q", tt.cur, tt.req, got, tt.want)
		}
	}
}
