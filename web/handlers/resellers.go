package handlers

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
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
	v := templates.ResellersView{Indirect: s.instance(r.Context()).PartnerMode == store.ModeIndirect, Total: res.Total,
		Pager: pager(r.URL, page, resellersPageSize, res.Total)}
	for _, row := range res.Rows {
		rv := resellerRow(store.Reseller{TenantID: row.TenantID, Name: row.Name, MpnID: row.MpnID, Location: row.Location, State: row.State,
			MpaSigned: row.MpaSigned, MpaDescription: row.MpaDescription, SyncedAt: row.SyncedAt})
		rv.Customers = int(row.Customers)
		v.Rows = append(v.Rows, rv)
	}
	return s.render(w, r, http.StatusOK, templates.ResellersPage(s.page(r, "Indirect resellers", "/resellers"), v))
}

// resellerRow is what the resellers pages say of a reseller.
func resellerRow(row store.Reseller) templates.ResellerRowView {
	rv := templates.ResellerRowView{Name: row.Name, TenantID: row.TenantID.String(), MpnID: row.MpnID,
		Location: row.Location, State: row.State, Synced: fmtTime(&row.SyncedAt)}
	switch {
	case row.MpaSigned == nil:
		rv.MPA = "not checked"
	case *row.MpaSigned:
		rv.MPA = "signed"
	default:
		rv.MPA, rv.MPADetail = "not signed", row.MpaDescription
	}
	return rv
}

// resellerParam is the reseller named by {tenant} (404 otherwise).
func (s *Server) resellerParam(r *http.Request) (store.Reseller, error) {
	id, err := uuid.Parse(chi.URLParam(r, "tenant"))
	if err != nil {
		return store.Reseller{}, store.ErrNotFound
	}
	return s.st.Reseller(r.Context(), id)
}

// resellerShow is a reseller's page: its facts and its users.
func (s *Server) resellerShow(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.resellerParam(r)
	if err != nil {
		return err
	}
	return s.renderReseller(w, r, rs, http.StatusOK, templates.NewForm(), "", "")
}

func (s *Server) renderReseller(w http.ResponseWriter, r *http.Request, rs store.Reseller, status int, f templates.Form, link, expires string) error {
	ctx := r.Context()
	users, err := s.st.UsersOfReseller(ctx, rs.TenantID)
	if err != nil {
		return err
	}
	invs, err := s.st.InvitationsOfReseller(ctx, rs.TenantID)
	if err != nil {
		return err
	}
	lines, err := s.st.ResellerLinesWithoutRecord(ctx, rs)
	if err != nil {
		return err
	}
	base := "/resellers/" + rs.TenantID.String()
	v := templates.ResellerView{ResellerRowView: resellerRow(rs), Users: userRows(r.Context(), users, base), Invitations: invitationRows(r.Context(), invs, base, s.now()),
		Form: f, InviteLink: link, InviteExpires: expires}
	for _, l := range lines {
		v.Unrecorded = append(v.Unrecorded, templates.UnrecordedLineView{Customer: l.CompanyName, CustomerHref: "/customers/" + l.CustomerID.String(),
			OrderID: l.OrderID, Date: rules.Date(l.CreationDate), Offer: cmp.Or(l.FriendlyName, l.OfferID), Record: cmp.Or(l.PartnerIDOnRecord, i18n.T(ctx, "h2.resellers.no_record")),
			Line: int(l.LineItemNumber), Quantity: int(l.Quantity)})
	}
	return s.render(w, r, status, templates.ResellerPage(s.page(r, rs.Name, "/resellers"), v))
}

// resellerInvite invites a user of the reseller: a one-time link shown
// once and mailed.
func (s *Server) resellerInvite(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rs, err := s.resellerParam(r)
	if err != nil {
		return err
	}
	email, f, err := s.inviteeEmail(r)
	if err != nil {
		return err
	}
	if !f.Valid() {
		return s.renderReseller(w, r, rs, http.StatusUnprocessableEntity, f, "", "")
	}
	inv, err := s.com.InviteResellerUser(ctx, actorOf(r), rs.TenantID, rs.Name, email, s.d.BaseURL+"/invitations/")
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "reseller user invited", "request_id", requestID(ctx), "reseller", rs.TenantID, "invitation_id", inv.ID)
	return s.renderReseller(w, r, rs, http.StatusOK, templates.NewForm(), s.d.BaseURL+"/invitations/"+inv.Token,
		inv.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
}

// resellerInvitationRevoke cancels a pending invitation of the reseller.
func (s *Server) resellerInvitationRevoke(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.resellerParam(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "inv"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.com.RevokeResellerInvitation(r.Context(), actorOf(r), rs.TenantID, id); err != nil {
		return err
	}
	s.flash(r.Context(), "success", "Invitation revoked.")
	redirect(w, r, "/resellers/"+rs.TenantID.String())
	return nil
}

// resellerUserOf is the reseller and its user named by {uid}.
func (s *Server) resellerUserOf(r *http.Request) (store.Reseller, store.User, error) {
	rs, err := s.resellerParam(r)
	if err != nil {
		return rs, store.User{}, err
	}
	uid, err := strconv.ParseInt(chi.URLParam(r, "uid"), 10, 64)
	if err != nil {
		return rs, store.User{}, store.ErrNotFound
	}
	u, err := s.st.ResellerUser(r.Context(), rs.TenantID, uid)
	return rs, u, err
}

// resellerUserRevokeConfirm asks before revoking a reseller user.
func (s *Server) resellerUserRevokeConfirm(w http.ResponseWriter, r *http.Request) error {
	rs, u, err := s.resellerUserOf(r)
	if err != nil {
		return err
	}
	base := "/resellers/" + rs.TenantID.String()
	row := templates.CustomerUserRow{ID: strconv.FormatInt(u.ID, 10), Email: u.Email, RevokeHref: base + "/users/" + strconv.FormatInt(u.ID, 10) + "/revoke"}
	return s.render(w, r, http.StatusOK, templates.CustomerUserRevokePage(s.page(r, i18n.T(r.Context(), "h.users.revoke_title", u.Email), "/resellers"), base, rs.Name, row))
}

// resellerUserRevoke disables a reseller user (their sessions end on the
// next request).
func (s *Server) resellerUserRevoke(w http.ResponseWriter, r *http.Request) error {
	rs, u, err := s.resellerUserOf(r)
	if err != nil {
		return err
	}
	if err := s.com.RevokeResellerUser(r.Context(), actorOf(r), rs.TenantID, u.ID); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "reseller user revoked", "request_id", requestID(r.Context()), "reseller", rs.TenantID, "user_id", u.ID)
	s.flash(r.Context(), "success", "Access revoked.")
	redirect(w, r, "/resellers/"+rs.TenantID.String())
	return nil
}

// resellerOf is the signed-in reseller user's reseller (the route group
// admits only reseller users, who always have one).
func resellerOf(r *http.Request) (uuid.UUID, error) {
	if id := viewerReseller(r.Context()); id != nil {
		return *id, nil
	}
	return uuid.Nil, errForbidden
}

// resellerCustomerList is a reseller user's customer list: its reseller's
// customers only (the reseller is a parameter of the query), searched by
// name or domain with ?q=.
func (s *Server) resellerCustomerList(w http.ResponseWriter, r *http.Request) error {
	reseller, err := resellerOf(r)
	if err != nil {
		return err
	}
	page, q := pageParam(r.URL.Query().Get("page")), strings.TrimSpace(r.URL.Query().Get("q"))
	res, err := s.st.ResellerCustomers(r.Context(), reseller, q, page, resellersPageSize)
	if err != nil {
		return err
	}
	v := templates.ResellerCustomersView{Query: q, Total: res.Total, Pager: pager(r.URL, page, resellersPageSize, res.Total)}
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
			Status: sub.Status, Quantity: int(sub.Quantity), Href: "/reseller/customers/" + id.String() + "/subscriptions/" + sub.ID})
	}
	// The reseller's own cost and margin: the provider's price is its cost,
	// Microsoft's never shows.
	rr, err := s.pri.Pricer().RunRateAt(r.Context(), prices.Reseller, id, d.Version, d.Priced)
	if err != nil {
		return err
	}
	v.RunRate, v.RunRateTotals = runRateView(r.Context(), rr, "")
	return s.render(w, r, http.StatusOK, templates.ResellerCustomerPage(s.page(r, d.Customer.CompanyName, "/reseller/customers"), v))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
