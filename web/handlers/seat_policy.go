package handlers

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// Auto-approval of seat requests (issue 21): admins set the policy for
// every customer and per customer (commerce.SaveSeatPolicy,
// commerce.RemoveSeatPolicy); commerce.RequestSeats applies it.

func seatPolicyOf(r store.SeatPolicyRow) rules.SeatPolicy {
	p := rules.SeatPolicy{Enabled: r.Enabled}
	if r.MaxPerRequest != nil {
		p.MaxPerRequest = int(*r.MaxPerRequest)
	}
	if r.MaxPerMonth != nil {
		p.MaxPerMonth = int(*r.MaxPerMonth)
	}
	return p
}

func seatPolicyValues(f templates.Form, prefix string, p rules.SeatPolicy) {
	if p.Enabled {
		f.Values[prefix+"enabled"] = "on"
	}
	if p.MaxPerRequest > 0 {
		f.Values[prefix+"max_per_request"] = strconv.Itoa(p.MaxPerRequest)
	}
	if p.MaxPerMonth > 0 {
		f.Values[prefix+"max_per_month"] = strconv.Itoa(p.MaxPerMonth)
	}
}

// seatPolicyShow is the admins' auto-approval page.
func (s *Server) seatPolicyShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderSeatPolicy(w, r, http.StatusOK, nil, nil)
}

// renderSeatPolicy renders the page; all or customer, when set, is the
// form sent back with its problems.
func (s *Server) renderSeatPolicy(w http.ResponseWriter, r *http.Request, status int, all, customer *templates.Form) error {
	pv, err := s.st.SeatPolicyPage(r.Context())
	if err != nil {
		return err
	}
	v := templates.SeatPolicyView{All: templates.NewForm(), Customer: templates.NewForm(), AllSummary: rules.SeatPolicySummary(rules.SeatPolicy{})}
	for _, p := range pv.Policies {
		if p.CustomerID == nil {
			seatPolicyValues(v.All, "", seatPolicyOf(p))
			v.AllSummary = rules.SeatPolicySummary(seatPolicyOf(p))
			continue
		}
		v.Rows = append(v.Rows, templates.SeatPolicyRowView{CustomerID: p.CustomerID.String(), Customer: p.CustomerName,
			Summary: rules.SeatPolicySummary(seatPolicyOf(p)), Updated: i18n.T(r.Context(), "h2.seat.updated_by", p.UpdatedAt.UTC().Format(supportTime), p.UpdatedLabel)})
	}
	for _, c := range pv.Customers {
		v.Customers = append(v.Customers, templates.Option{Value: c.ID.String(), Label: c.Name})
	}
	if all != nil {
		v.All = *all
	}
	if customer != nil {
		v.Customer = *customer
	}
	return s.render(w, r, status, templates.SeatPolicyPage(s.page(r, "Seat request auto-approval", "/admin/settings"), v))
}

// seatPolicySave saves the policy for every customer (scope=all) or one
// customer (scope=customer), or removes a customer's own (scope=remove).
func (s *Server) seatPolicySave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	pf := r.PostForm
	scope := pf.Get("scope")
	prefix := ""
	var customer *uuid.UUID
	if scope == "customer" || scope == "remove" {
		prefix = "c_"
		if id, err := uuid.Parse(pf.Get("c_customer")); err == nil {
			customer = &id
		}
	}
	switch {
	case scope == "remove":
		if customer == nil {
			return store.ErrNotFound
		}
		if err := s.com.RemoveSeatPolicy(r.Context(), actorOf(r), *customer); err != nil {
			return err
		}
		s.flash(r.Context(), "success", "The customer's own policy was removed.")
		redirect(w, r, "/admin/settings/seat-approval")
		return nil
	case scope != "all" && scope != "customer":
		return &httpError{status: http.StatusBadRequest, msg: "Unknown form."}
	}
	f := templates.NewForm()
	for _, k := range []string{"enabled", "max_per_request", "max_per_month", "customer"} {
		f.Values[prefix+k] = pf.Get(prefix + k)
	}
	var problems map[string]string
	if scope == "customer" && customer == nil {
		problems = map[string]string{"customer": "Choose a customer."}
	} else {
		var err error
		problems, err = s.com.SaveSeatPolicy(r.Context(), actorOf(r), customer, rules.SeatPolicyInput{Enabled: f.Get(prefix+"enabled") == "on",
			MaxPerRequest: f.Get(prefix + "max_per_request"), MaxPerMon: f.Get(prefix + "max_per_month")})
		if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		for k, msg := range problems {
			f.Errors[prefix+k] = msg
		}
		if scope == "all" {
			return s.renderSeatPolicy(w, r, http.StatusUnprocessableEntity, &f, nil)
		}
		return s.renderSeatPolicy(w, r, http.StatusUnprocessableEntity, nil, &f)
	}
	s.flash(r.Context(), "success", "Auto-approval policy saved.")
	redirect(w, r, "/admin/settings/seat-approval")
	return nil
}
