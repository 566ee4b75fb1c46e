package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// errInvitationInvalid is the answer for any unusable link: unknown, used,
// revoked or expired look the same.
var errInvitationInvalid = &httpError{status: http.StatusNotFound,
	msg: "This invitation link is not valid: it was already used, revoked, or it expired. Ask your reseller for a new one."}

// invitationCreate creates an invitation and shows its one-time link once.
func (s *Server) invitationCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.customerOf(r)
	if err != nil {
		return err
	}
	email, f, err := s.inviteeEmail(r)
	if err != nil {
		return err
	}
	if !f.Valid() {
		return s.renderCustomerUsers(w, r, c, http.StatusUnprocessableEntity, f, "", "")
	}
	inv, err := s.com.Invite(ctx, actorOf(r), c.ID, cmp.Or(c.CompanyName, c.Domain), email, s.d.BaseURL+"/invitations/")
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "customer user invited", "request_id", requestID(ctx), "customer_id", c.ID, "invitation_id", inv.ID)
	return s.renderCustomerUsers(w, r, c, http.StatusOK, templates.NewForm(), s.d.BaseURL+"/invitations/"+inv.Token,
		inv.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
}

// inviteeEmail reads an invitation form's email: the form carries an
// error by the field when it is not an address or already has an account.
func (s *Server) inviteeEmail(r *http.Request) (string, templates.Form, error) {
	f := templates.NewForm()
	if err := r.ParseForm(); err != nil {
		return "", f, &httpError{status: http.StatusBadRequest, msg: "The form could not be read."}
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	f.Values["email"] = email
	if !validEmail(email) {
		f.Errors["email"] = "Enter an email address such as name@example.com."
		return email, f, nil
	}
	if _, err := s.st.UserByEmail(r.Context(), email); err == nil {
		f.Errors["email"] = "An account with this email already exists."
	} else if !isNotFound(err) {
		return email, f, err
	}
	return email, f, nil
}

// invitationRevoke cancels a pending invitation.
func (s *Server) invitationRevoke(w http.ResponseWriter, r *http.Request) error {
	c, err := s.customerOf(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "inv"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.com.RevokeInvitation(r.Context(), actorOf(r), c.ID, id); err != nil {
		return err
	}
	s.flash(r.Context(), "success", "Invitation revoked.")
	redirect(w, r, "/customers/"+c.ID.String()+"/users")
	return nil
}

// validInvitation returns the usable invitation of the {token} in the URL.
func (s *Server) validInvitation(r *http.Request) (store.Invitation, error) {
	inv, err := s.st.InvitationByTokenHash(r.Context(), commerce.InvitationTokenHash(chi.URLParam(r, "token")))
	if isNotFound(err) {
		return inv, errInvitationInvalid
	}
	if err != nil {
		return inv, err
	}
	if inv.AcceptedAt != nil || inv.RevokedAt != nil || !s.now().Before(inv.ExpiresAt) {
		return inv, errInvitationInvalid
	}
	return inv, nil
}

func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request, status int, inv store.Invitation, f templates.Form) error {
	name := i18n.T(r.Context(), "h.cv.your_org")
	switch {
	case inv.ResellerID != nil:
		if rs, err := s.st.Reseller(r.Context(), *inv.ResellerID); err == nil {
			name = rs.Name
		}
	case inv.CustomerID != nil:
		if c, err := s.st.CustomerHeader(r.Context(), *inv.CustomerID); err == nil {
			name = cmp.Or(c.CompanyName, c.Domain)
		}
	}
	p := s.page(r, "Accept the invitation", "")
	p.Width, p.NoNav = "narrow", true
	return s.render(w, r, status, templates.InvitationPage(p, f, inv.Email, name, r.URL.Path, inv.ResellerID != nil))
}

// invitationShow is the invitee's form to set a password.
func (s *Server) invitationShow(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.validInvitation(r)
	if err != nil {
		return err
	}
	return s.invitationPage(w, r, http.StatusOK, inv, templates.NewForm())
}

// invitationAccept creates the customer user, uses up the invitation and
// signs the new user in.
func (s *Server) invitationAccept(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	inv, err := s.validInvitation(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return &httpError{status: http.StatusBadRequest, msg: "The form could not be read."}
	}
	f := templates.NewForm()
	name := strings.TrimSpace(r.PostForm.Get("name"))
	f.Values["name"] = name
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("password_confirm")
	if len([]rune(pw)) < auth.MinPasswordLength {
		f.Errors["password"] = i18n.T(ctx, "h2.pw.min_length", strconv.Itoa(auth.MinPasswordLength))
	} else if pw != confirm {
		f.Errors["password_confirm"] = "The two passwords do not match."
	}
	if !f.Valid() {
		return s.invitationPage(w, r, http.StatusUnprocessableEntity, inv, f)
	}
	hash, err := auth.HashPassword(r.Context(), pw)
	if err != nil {
		return err
	}
	u, err := s.com.AcceptInvitation(ctx, inv, name, hash)
	switch {
	case errors.Is(err, store.ErrInvitationUsed):
		return errInvitationInvalid
	case errors.Is(err, store.ErrConflict):
		f.Errors["_form"] = "An account with this email already exists. Sign in instead."
		return s.invitationPage(w, r, http.StatusConflict, inv, f)
	case err != nil:
		return err
	}
	if err := s.signIn(ctx, u); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "invitation accepted", "request_id", requestID(ctx), "user_id", u.ID, "role", u.Role)
	if u.Role == store.RoleReseller {
		redirect(w, r, "/reseller/customers")
		return nil
	}
	redirect(w, r, "/my/subscriptions")
	return nil
}
