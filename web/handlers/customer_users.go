package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// Staff management of a customer's users: list, invite, revoke, and the
// switch that lets anyone of the customer's Entra tenant sign in.

// customerOf parses {id} and returns the mirrored customer (404 otherwise).
func (s *Server) customerOf(r *http.Request) (store.CustomerHeader, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.CustomerHeader{}, store.ErrNotFound
	}
	return s.st.CustomerHeader(r.Context(), id)
}

// actorOf is the signed-in user as an audit actor.
func actorOf(r *http.Request) store.Actor {
	u := auth.UserFrom(r.Context())
	if u == nil {
		return store.Actor{Label: "anonymous"}
	}
	return store.Actor{UserID: &u.ID, Label: u.Email}
}

func tenantOf(c store.CustomerHeader) string {
	return strings.ToLower(cmp.Or(c.TenantID, c.ID.String()))
}

// customerUserList is the staff page of a customer's users.
func (s *Server) customerUserList(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerOf(r)
	if err != nil {
		return err
	}
	return s.renderCustomerUsers(w, r, c, http.StatusOK, templates.NewForm(), "", "")
}

func (s *Server) renderCustomerUsers(w http.ResponseWriter, r *http.Request, c store.CustomerHeader, status int, f templates.Form, link, expires string) error {
	ctx := r.Context()
	users, err := s.st.UsersOfCustomer(ctx, c.ID)
	if err != nil {
		return err
	}
	invs, err := s.st.InvitationsOfCustomer(ctx, c.ID)
	if err != nil {
		return err
	}
	tenants, err := s.st.TenantsOfCustomer(ctx, c.ID)
	if err != nil {
		return err
	}
	base := "/customers/" + c.ID.String()
	v := templates.CustomerUsersView{CustomerID: c.ID.String(), CustomerName: cmp.Or(c.CompanyName, c.Domain), TenantID: tenantOf(c),
		TenantSignIn: len(tenants) > 0, Form: f, InviteLink: link, InviteExpires: expires}
	v.Users, v.Invitations = userRows(ctx, users, base), invitationRows(ctx, invs, base, s.now())
	return s.render(w, r, status, templates.CustomerUsersPage(s.page(r, i18n.T(ctx, "h.users.of", v.CustomerName), "/customers"), v))
}

// userRows are the rows of a customer's or reseller's users; base is the
// page their revoke links start from.
func userRows(ctx context.Context, users []store.User, base string) []templates.CustomerUserRow {
	rows := make([]templates.CustomerUserRow, 0, len(users))
	for _, u := range users {
		row := templates.CustomerUserRow{ID: strconv.FormatInt(u.ID, 10), Email: u.Email, Name: u.DisplayName, Via: i18n.T(ctx, "h.users.via_invitation"),
			Status: i18n.T(ctx, "status.active"), LastLogin: rules.Date(u.LastLoginAt), Active: u.DisabledAt == nil,
			RevokeHref: base + "/users/" + strconv.FormatInt(u.ID, 10) + "/revoke"}
		if u.CustomerVia != nil && *u.CustomerVia == "tenant" {
			row.Via = i18n.T(ctx, "h.users.via_tenant")
		}
		if u.DisabledAt != nil {
			row.Status = i18n.T(ctx, "h.users.revoked_on", rules.Date(u.DisabledAt))
		}
		rows = append(rows, row)
	}
	return rows
}

// invitationRows are the rows of invitations with their state at now.
func invitationRows(ctx context.Context, invs []store.Invitation, base string, now time.Time) []templates.InvitationRow {
	rows := make([]templates.InvitationRow, 0, len(invs))
	for _, i := range invs {
		row := templates.InvitationRow{Email: i.Email, Expires: i.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"),
			RevokeHref: base + "/invitations/" + strconv.FormatInt(i.ID, 10) + "/revoke"}
		switch {
		case i.AcceptedAt != nil:
			row.State = i18n.T(ctx, "h.users.accepted_on", rules.Date(i.AcceptedAt))
		case i.RevokedAt != nil:
			row.State = i18n.T(ctx, "h.users.revoked")
		case !now.Before(i.ExpiresAt):
			row.State = i18n.T(ctx, "status.expired")
		default:
			row.State, row.Pending = i18n.T(ctx, "status.pending"), true
		}
		rows = append(rows, row)
	}
	return rows
}

// customerUserRevokeConfirm asks before revoking a customer user.
func (s *Server) customerUserRevokeConfirm(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerOf(r)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(chi.URLParam(r, "uid"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	u, err := s.st.CustomerUser(r.Context(), c.ID, uid)
	if err != nil {
		return err
	}
	row := templates.CustomerUserRow{ID: strconv.FormatInt(u.ID, 10), Email: u.Email,
		RevokeHref: "/customers/" + c.ID.String() + "/users/" + strconv.FormatInt(u.ID, 10) + "/revoke"}
	return s.render(w, r, http.StatusOK, templates.CustomerUserRevokePage(s.page(r, i18n.T(r.Context(), "h.users.revoke_title", u.Email), "/customers"),
		"/customers/"+c.ID.String()+"/users", i18n.T(r.Context(), "h.users.view_of", cmp.Or(c.CompanyName, c.Domain)), row))
}

// customerUserRevoke disables a customer user (their sessions end on the
// next request, see loadUser).
func (s *Server) customerUserRevoke(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerOf(r)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(chi.URLParam(r, "uid"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.com.RevokeCustomerUser(r.Context(), actorOf(r), c.ID, uid); err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "customer user revoked", "request_id", requestID(r.Context()), "customer_id", c.ID, "user_id", uid)
	s.flash(r.Context(), "success", "Access revoked.")
	redirect(w, r, "/customers/"+c.ID.String()+"/users")
	return nil
}

// customerTenantSignIn turns sign-in by the customer's Entra tenant on or off.
func (s *Server) customerTenantSignIn(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerOf(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return &httpError{status: http.StatusBadRequest, msg: "The form could not be read."}
	}
	on := r.PostForm.Get("on") == "1"
	if err := s.com.SetTenantSignIn(r.Context(), actorOf(r), c.ID, tenantOf(c), on); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return &httpError{status: http.StatusConflict, msg: "This tenant is already bound to another customer."}
		}
		return err
	}
	msg := "Sign-in with Microsoft is off for this customer."
	if on {
		msg = "Users of the customer's tenant can now sign in with Microsoft."
	}
	s.flash(r.Context(), "success", msg)
	redirect(w, r, "/customers/"+c.ID.String()+"/users")
	return nil
}
