package rules

import (
	"strings"
	"unicode/utf8"
)

// Escalation (issue 21): staff hand a customer's ticket on to Microsoft as
// a Partner Center service request. PC knows three severities (critical,
// moderate, minimal); its statuses are none, open, closed and
// attention_needed (Microsoft waits for the partner).

// ServiceRequestSeverities are PC's severities for a new request, highest first.
var ServiceRequestSeverities = []string{"critical", "moderate", "minimal"}

// EscalationSeverity is the PC severity proposed for a ticket of severity.
func EscalationSeverity(ticket string) string {
	switch ticket {
	case "critical":
		return "critical"
	case "low":
		return "minimal"
	}
	return "moderate"
}

// CheckEscalation says why a request cannot be escalated ("" when it
// can): tickets only, not finished, and once.
func CheckEscalation(kind, status string, escalated bool) string {
	switch {
	case escalated:
		return "This ticket was escalated to Microsoft already."
	case kind != SupportTicket:
		return "Only tickets are escalated to Microsoft; decide a seat request here."
	case SupportDone(status):
		return "The ticket is " + strings.ToLower(SupportStatusLabel(status)) + ": reopen it to escalate it."
	}
	return ""
}

// CheckEscalationForm checks the escalation form: a topic from PC's list
// (known), one of PC's severities, and a note for Microsoft of at most
// 2,000 characters. Problems come back by field.
func CheckEscalationForm(topic string, known bool, severity, note string) map[string]string {
	p := map[string]string{}
	if topic == "" || !known {
		p["topic"] = "Choose the topic Microsoft files the request under."
	}
	ok := false
	for _, s := range ServiceRequestSeverities {
		ok = ok || s == severity
	}
	if !ok {
		p["severity"] = "Choose critical, moderate or minimal."
	}
	if utf8.RuneCountInString(note) > 2000 {
		p["note"] = "Keep the note for Microsoft under 2,000 characters."
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// ServiceRequestStatusLabel says a PC service request's status in words.
func ServiceRequestStatusLabel(status string) string {
	switch status {
	case "open":
		return "Open at Microsoft"
	case "attention_needed":
		return "Microsoft needs an answer"
	case "closed":
		return "Closed"
	case "none", "":
		return "Not yet filed"
	}
	return status
}

// EscalationTitle is the service request's title for portal ticket id:
// the ticket's subject with its reference, at most 200 characters (the
// sandbox's limit; PC documents none).
func EscalationTitle(ref, subject string) string {
	t := ref + " " + strings.TrimSpace(subject)
	if utf8.RuneCountInString(t) > 200 {
		r := []rune(t)
		t = string(r[:199]) + "…"
	}
	return t
}

// CheckSupportProfile checks the partner's support profile as admins
// type it: at least one way in, an email address, a phone number of
// digits and + - ( ) . spaces, a website without spaces (PC refuses the
// same). Problems come back by field.
func CheckSupportProfile(email, telephone, website string) map[string]string {
	p := map[string]string{}
	email, telephone, website = strings.TrimSpace(email), strings.TrimSpace(telephone), strings.TrimSpace(website)
	if email == "" && telephone == "" && website == "" {
		p["_form"] = "Give customers at least one way to reach you: an email, a phone number or a website."
	}
	if email != "" && (!strings.Contains(email, "@") || strings.ContainsAny(email, " <>\"") || strings.HasPrefix(email, "@") || strings.HasSuffix(email, "@")) {
		p["email"] = "Enter an email address such as support@example.com."
	}
	digits := 0
	for _, r := range telephone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			digits = -1000
		}
	}
	if telephone != "" && (digits < 5 || digits > 20) {
		p["telephone"] = "Enter a phone number: digits, with + - ( ) . or spaces."
	}
	if website != "" && (strings.ContainsAny(website, " <>\"") || !strings.Contains(website, ".")) {
		p["website"] = "Enter a web address such as support.example.com."
	}
	if utf8.RuneCountInString(email+telephone+website) > 600 {
		p["_form"] = "Keep each value under 200 characters."
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// CheckServiceRequestNote checks staff's update of an escalated ticket's
// service request: a note (at most 2,000 characters) and/or a status
// (closed, or open to reopen; "" keeps it).
func CheckServiceRequestNote(note, status string) map[string]string {
	p := map[string]string{}
	switch status {
	case "", "open", "closed":
	default:
		p["pc_status"] = "Keep the status, close the request or reopen it."
	}
	n := utf8.RuneCountInString(strings.TrimSpace(note))
	if n == 0 && status == "" {
		p["pc_note"] = "Write a note for Microsoft or change the status."
	}
	if n > 2000 {
		p["pc_note"] = "Keep the note under 2,000 characters."
	}
	if len(p) == 0 {
		return nil
	}
	return p
}
