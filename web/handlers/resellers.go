package handlers

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// resellersPageSize is the resellers list's page size.
const resellersPageSize = 50

// resellerList is the indirect resellers page (staff): synced from Partner
// Center with their MPA status, by name, paged.
func (s *Server) resellerList(w http.ResponseWriter, r *http.Request) error {
	page := pageParam(r.URL.Query().Get("page"))
	res, err := s.st.ResellersPage(r.Context(), page, resellersPageSize)
	if err != nil {
		return err
	}
	v := templates.ResellersView{Indirect: res.Mode == store.ModeIndirect, Total: res.Total,
		Pager: pager(r.URL, page, resellersPageSize, res.Total)}
	for _, row := range res.Rows {
		rv := templates.ResellerRowView{Name: row.Name, TenantID: row.TenantID.String(), MpnID: row.MpnID,
			Location: row.Location, State: row.State, Customers: int(row.Customers), Synced: fmtTime(&row.SyncedAt)}
		switch {
		case row.MpaSigned == nil:
			rv.MPA = "not checked"
		case *row.MpaSigned:
			rv.MPA = "signed"
		default:
			rv.MPA, rv.MPADetail = "not signed", row.MpaDescription
		}
		v.Rows = append(v.Rows, rv)
	}
	return s.render(w, r, http.StatusOK, templates.ResellersPage(s.page(r, "Indirect resellers", "/resellers"), v))
}

// resellerOf is the signed-in reseller user's reseller (the route group
// admits only reseller users, who always have one).
func resellerOf(r *http.Request) (uuid.UUID, error) {
	u := auth.UserFrom(r.Context())
	if u == nil || u.ResellerID == nil {
		return uuid.Nil, errForbidden
	}
	return *u.ResellerID, nil
}

// resellerCustomerList is a reseller user's customer list: its reseller's
// customers only (the reseller is a parameter of the query).
func (s *Server) resellerCustomerList(w http.ResponseWriter, r *http.Request) error {
	reseller, err := resellerOf(r)
	if err != nil {
		return err
	}
	page := pageParam(r.URL.Query().Get("page"))
	res, err := s.st.ResellerCustomers(r.Context(), reseller, page, resellersPageSize)
	if err != nil {
		return err
	}
	v := templates.ResellerCustomersView{Total: res.Total, Pager: pager(r.URL, page, resellersPageSize, res.Total)}
	for _, c := range res.Rows {
		v.Rows = append(v.Rows, templates.ResellerCustomerRowView{Name: c.CompanyName, Domain: c.Domain, Country: c.AddressCountry,
			Href: "/reseller/customers/" + c.ID.String()})
	}
	return s.render(w, r, http.StatusOK, templates.ResellerCustomersPage(s.page(r, "Customers", "/reseller/customers"), v))
}

// resellerCustomerShow is one of the reseller's customers with its
// subscriptions; another reseller's customer is not found.
func (s *Server) resellerCustomerShow(w http.ResponseWriter, r *http.Request) error {
	reseller, err := resellerOf(r)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	d, err := s.st.ResellerCustomer(r.Context(), reseller, id)
	if err != nil {
		return err
	}
	v := templates.ResellerCustomerView{Name: d.Customer.CompanyName, Domain: d.Customer.Domain}
	for _, sub := range d.Subscriptions {
		v.Subscriptions = append(v.Subscriptions, templates.ResellerSubscriptionView{Name: cmpOr(sub.FriendlyName, sub.OfferName),
			Status: sub.Status, Quantity: int(sub.Quantity)})
	}
	return s.render(w, r, http.StatusOK, templates.ResellerCustomerPage(s.page(r, d.Customer.CompanyName, "/reseller/customers"), v))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
