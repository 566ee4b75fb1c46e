package handlers

import (
	"context"
	"net/http"
	"strconv"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// Escalating a ticket to Microsoft (issue 21): staff file a Partner Center
// service request from a customer's ticket (commerce.EscalateTicket) and
// follow its status and Microsoft's notes on the ticket's page.

// escalationView fills the ticket page's escalation card: the service
// request once filed, else the form (with PC's topics and severities).
func escalationView(ctx context.Context, v *templates.SupportRequestView, pv store.SupportRequestView, forms []templates.Form) {
	if e := pv.Escalation; e != nil {
		ev := &templates.SupportEscalationView{CommandStatus: e.CommandStatus, CommandError: e.CommandError,
			ServiceRequestID: e.ServiceRequestID, Status: e.Status, StatusLabel: rules.ServiceRequestStatusLabel(e.Status),
			Topic: e.Topic, Severity: e.Severity}
		if e.SyncedAt != nil {
			ev.Synced = e.SyncedAt.UTC().Format(supportTime)
		}
		for _, n := range e.Notes {
			at := ""
			if n.At != nil {
				at = n.At.UTC().Format(supportTime)
			}
			ev.Notes = append(ev.Notes, templates.SupportReplyRow{Author: n.By, At: at, Body: n.Text})
		}
		v.Escalation = ev
		v.PCNoteForm = templates.NewForm()
		if len(forms) > 1 {
			v.PCNoteForm = forms[1]
		}
		if e.Status == "closed" {
			v.PCStatuses = []templates.Option{{Value: "open", Label: i18n.T(ctx, "h.support.reopen")}}
		} else {
			v.PCStatuses = []templates.Option{{Value: "closed", Label: i18n.T(ctx, "h.support.close_it")}}
		}
		return
	}
	q := pv.Request
	v.CanEscalate = rules.CheckEscalation(q.Kind, q.Status, false) == ""
	for _, t := range pv.Topics {
		v.Topics = append(v.Topics, templates.Option{Value: t.ID, Label: t.Name})
	}
	for _, sev := range rules.ServiceRequestSeverities {
		v.Severities = append(v.Severities, templates.Option{Value: sev, Label: sev})
	}
	v.EscalateForm = templates.NewForm()
	if len(forms) > 0 {
		v.EscalateForm = forms[0]
	}
	if v.EscalateForm.Values["severity"] == "" {
		v.EscalateForm.Values["severity"] = rules.EscalationSeverity(q.Severity)
	}
}

// supportEscalate files ticket {rid} with Microsoft; a repeated submit
// lands on the same ticket page with the one service request.
func (s *Server) supportEscalate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := supportID(r)
	if err != nil {
		return err
	}
	in := commerce.EscalateInput{TopicID: r.PostForm.Get("topic"), Severity: r.PostForm.Get("severity"), Note: r.PostForm.Get("note")}
	problems, err := s.com.EscalateTicket(r.Context(), actorOf(r), id, in)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f := templates.NewForm()
		f.Values["topic"], f.Values["severity"], f.Values["note"] = in.TopicID, in.Severity, in.Note
		f.Errors = problems
		return s.renderSupportRequest(w, r, http.StatusUnprocessableEntity, templates.NewForm(), templates.NewForm(), templates.NewForm(), f)
	}
	redirect(w, r, "/support/"+strconv.FormatInt(id, 10))
	return nil
}

// supportPCNote sends a note and/or a status to the service request ticket
// {rid} was escalated to (commerce.NoteServiceRequest).
func (s *Server) supportPCNote(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := supportID(r)
	if err != nil {
		return err
	}
	note, status := r.PostForm.Get("pc_note"), r.PostForm.Get("pc_status")
	problems, err := s.com.NoteServiceRequest(r.Context(), actorOf(r), id, note, status)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f := templates.NewForm()
		f.Values["pc_note"], f.Values["pc_status"], f.Errors = note, status, problems
		return s.renderSupportRequest(w, r, http.StatusUnprocessableEntity, templates.NewForm(), templates.NewForm(), templates.NewForm(),
			templates.NewForm(), f)
	}
	redirect(w, r, "/support/"+strconv.FormatInt(id, 10))
	return nil
}
