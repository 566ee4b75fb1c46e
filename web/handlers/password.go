package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/cspportal/portal/accounts"
	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/web/templates"
)

// errResetInvalid is the answer for any unusable reset link: unknown,
// used, expired or disabled look the same.
var errResetInvalid = &httpError{status: http.StatusNotFound,
	msg: "This password reset link is not valid: it was already used or it expired. Ask for a new one on the sign-in page."}

func (s *Server) authPage(r *http.Request, title string) templates.Page {
	p := s.page(r, title, "")
	p.Width, p.NoNav = "narrow", true
	return p
}

// passwordForgotShow asks for the address to send a reset link to (a
// signed-in user is sent on, as the sign-in page does).
func (s *Server) passwordForgotShow(w http.ResponseWriter, r *http.Request) error {
	if auth.UserFrom(r.Context()) != nil {
		redirect(w, r, "/")
		return nil
	}
	return s.render(w, r, http.StatusOK, templates.PasswordForgotPage(s.authPage(r, "Forgot your password?"), templates.NewForm(), false))
}

// passwordForgot queues the reset mail (accounts.RequestPasswordReset) and
// answers the same whether or not the address has an account.
func (s *Server) passwordForgot(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := templates.NewForm()
	email := strings.TrimSpace(r.PostForm.Get("email"))
	f.Values["email"] = email
	if !validEmail(email) {
		f.Errors["email"] = "Enter an email address such as name@example.com."
		return s.render(w, r, http.StatusUnprocessableEntity, templates.PasswordForgotPage(s.authPage(r, "Forgot your password?"), f, false))
	}
	if err := s.acc.RequestPasswordReset(r.Context(), email); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.PasswordForgotPage(s.authPage(r, "Forgot your password?"), f, true))
}

// passwordResetShow is the form behind a reset link.
func (s *Server) passwordResetShow(w http.ResponseWriter, r *http.Request) error {
	reset, err := s.acc.ValidReset(r.Context(), chi.URLParam(r, "token"))
	if errors.Is(err, accounts.ErrResetInvalid) {
		return errResetInvalid
	}
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.PasswordResetPage(s.authPage(r, i18n.T(r.Context(), "h2.pw.set_title")), templates.NewForm(), reset.Email, r.URL.Path))
}

// passwordReset sets the new password, uses the link up and signs the user
// in.
func (s *Server) passwordReset(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	token := chi.URLParam(r, "token")
	reset, err := s.acc.ValidReset(ctx, token)
	if errors.Is(err, accounts.ErrResetInvalid) {
		return errResetInvalid
	}
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f := templates.NewForm()
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("password_confirm")
	if len([]rune(pw)) < auth.MinPasswordLength {
		f.Errors["password"] = i18n.T(ctx, "h2.pw.min_length", strconv.Itoa(auth.MinPasswordLength))
	} else if pw != confirm {
		f.Errors["password_confirm"] = "The two passwords do not match."
	}
	if !f.Valid() {
		return s.render(w, r, http.StatusUnprocessableEntity, templates.PasswordResetPage(s.authPage(r, i18n.T(r.Context(), "h2.pw.set_title")), f, reset.Email, r.URL.Path))
	}
	hash, err := auth.HashPassword(r.Context(), pw)
	if err != nil {
		return err
	}
	u, err := s.acc.ResetPassword(ctx, token, hash)
	if errors.Is(err, accounts.ErrResetInvalid) {
		return errResetInvalid
	}
	if err != nil {
		return err
	}
	if err := s.signIn(ctx, u); err != nil {
		return err
	}
	s.flash(ctx, "success", "Your password is set.")
	redirect(w, r, "/")
	return nil
}
