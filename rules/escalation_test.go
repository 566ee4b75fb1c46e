package rules

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckEscalation(t *testing.T) {
	for _, tc := range []struct {
		kind, status string
		escalated    bool
		want         string // substring; "" = allowed
	}{
		{SupportTicket, SupportOpen, false, ""},
		{SupportTicket, SupportWaitingCustomer, false, ""},
		{SupportTicket, SupportOpen, true, "already"},
		{SupportSeats, SupportOpen, false, "Only tickets"},
		{SupportTicket, SupportClosed, false, "reopen"},
	} {
		got := CheckEscalation(tc.kind, tc.status, tc.escalated)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("CheckEscalation(%s, %s, %v) = %q, want %q", tc.kind, tc.status, tc.escalated, got, tc.want)
		}
	}
}

func TestCheckEscalationForm(t *testing.T) {
	for _, tc := range []struct {
		topic    string
		known    bool
		severity string
		note     string
		want     []string
	}{
		{"32444667", true, "moderate", "", nil},
		{"", false, "moderate", "", []string{"topic"}},
		{"1", false, "critical", "", []string{"topic"}},
		{"32444667", true, "high", "", []string{"severity"}},
		{"32444667", true, "minimal", strings.Repeat("x", 2001), []string{"note"}},
	} {
		got := CheckEscalationForm(tc.topic, tc.known, tc.severity, tc.note)
		if len(got) != len(tc.want) {
			t.Errorf("CheckEscalationForm(%q, %v, %q) = %v, want fields %v", tc.topic, tc.known, tc.severity, got, tc.want)
		}
		for _, f := range tc.want {
			if got[f] == "" {
				t.Errorf("CheckEscalationForm(%q, %v, %q): no problem for %s", tc.topic, tc.known, tc.severity, f)
			}
		}
	}
}

func TestEscalationSeverityAndTitle(t *testing.T) {
	for in, want := range map[string]string{"low": "minimal", "normal": "moderate", "high": "moderate", "critical": "critical"} {
		if got := EscalationSeverity(in); got != want {
			t.Errorf("EscalationSeverity(%s) = %s, want %s", in, got, want)
		}
	}
	if got := EscalationTitle("[#7]", "  Mail down "); got != "[#7] Mail down" {
		t.Errorf("title = %q", got)
	}
	if got := EscalationTitle("[#7]", strings.Repeat("é", 300)); utf8.RuneCountInString(got) != 200 {
		t.Errorf("long title has %d characters, want 200", utf8.RuneCountInString(got))
	}
	if ServiceRequestStatusLabel("attention_needed") == "attention_needed" {
		t.Error("attention_needed has no words")
	}
}

func TestCheckSupportProfile(t *testing.T) {
	for _, tc := range []struct {
		email, tel, web string
		want            []string
	}{
		{"support@contoso.example", "+1 (425) 555-0100", "support.contoso.example", nil},
		{"", "", "help.contoso.example", nil},
		{"", "", "", []string{"_form"}},
		{"support", "", "", []string{"email"}},
		{"a@b.example", "call us", "", []string{"telephone"}},
		{"a@b.example", "12", "", []string{"telephone"}},
		{"", "", "not a site", []string{"website"}},
	} {
		got := CheckSupportProfile(tc.email, tc.tel, tc.web)
		if len(got) != len(tc.want) {
			t.Errorf("CheckSupportProfile(%q, %q, %q) = %v, want fields %v", tc.email, tc.tel, tc.web, got, tc.want)
		}
		for _, f := range tc.want {
			if got[f] == "" {
				t.Errorf("CheckSupportProfile(%q, %q, %q): no problem for %s", tc.email, tc.tel, tc.web, f)
			}
		}
	}
}

func TestCheckServiceRequestNote(t *testing.T) {
	for _, tc := range []struct {
		note, status string
		want         string
	}{
		{"Trace attached", "", ""},
		{"", "closed", ""},
		{"", "open", ""},
		{"", "", "pc_note"},
		{"x", "attention_needed", "pc_status"},
		{strings.Repeat("x", 2001), "", "pc_note"},
	} {
		got := CheckServiceRequestNote(tc.note, tc.status)
		if (tc.want == "") != (got == nil) || (tc.want != "" && got[tc.want] == "") {
			t.Errorf("CheckServiceRequestNote(%.10q, %q) = %v, want %q", tc.note, tc.status, got, tc.want)
		}
	}
}
