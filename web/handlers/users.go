package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// userList lists the portal's accounts with the form to add one.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, templates.NewForm())
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, f templates.Form) error {
	users, err := s.st.ListUsers(r.Context())
	if err != nil {
		return err
	}
	failures, err := s.st.ThrottledAccounts(r.Context(), s.now().Add(-s.throttle.Window))
	if err != nil {
		return err
	}
	ctx := r.Context()
	me := auth.UserFrom(ctx)
	rows := make([]templates.UserRow, 0, len(users))
	for _, u := range users {
		row := templates.UserRow{ID: u.ID, Email: u.Email, Name: u.DisplayName, Role: u.Role, SignIn: i18n.T(ctx, "h2.users.signin_password"),
			Status: "active", LastLogin: i18n.T(ctx, "h.sync.never"), Disabled: u.DisabledAt != nil, Self: me != nil && me.ID == u.ID}
		switch {
		case u.OidcSubject != nil && u.PasswordHash != nil:
			row.SignIn = i18n.T(ctx, "h2.users.signin_both")
		case u.OidcSubject != nil:
			row.SignIn = i18n.T(ctx, "h2.users.signin_oidc")
		case u.PasswordHash == nil:
			row.SignIn = i18n.T(ctx, "h2.users.signin_unlinked")
		}
		if row.Disabled {
			row.Status = "disabled"
		}
		if fc, ok := failures[strings.ToLower(u.Email)]; ok {
			row.SignInFailures = fc.Failures
			if wait := s.throttle.Wait(store.SignInState{Account: fc}, s.now()); wait > 0 {
				row.Status = i18n.T(ctx, "h2.users.status_delayed", i18n.Status(i18n.From(ctx), row.Status))
			}
		}
		if u.LastLoginAt != nil {
			row.LastLogin = u.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		rows = append(rows, row)
	}
	return s.render(w, r, status, templates.UsersPage(s.page(r, "Users", "/admin/users"), rows, f))
}

// userCreate adds a staff member or an admin with an initial password.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	f := templates.NewForm()
	email := strings.TrimSpace(r.PostForm.Get("email"))
	name := strings.TrimSpace(r.PostForm.Get("display_name"))
	role := r.PostForm.Get("role")
	pw := r.PostForm.Get("password")
	f.Values["email"], f.Values["display_name"], f.Values["role"] = email, name, role
	if !validEmail(email) {
		f.Errors["email"] = "Enter a valid email address."
	}
	if name == "" {
		f.Errors["display_name"] = "Enter the person's name."
	}
	if role != auth.RoleStaff && role != auth.RoleAdmin {
		f.Errors["role"] = "Choose staff or admin."
	}
	if len([]rune(pw)) < auth.MinPasswordLength {
		f.Errors["password"] = i18n.T(ctx, "h2.pw.min_length", strconv.Itoa(auth.MinPasswordLength))
	}
	if !f.Valid() {
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, f)
	}
	hash, err := auth.HashPassword(r.Context(), pw)
	if err != nil {
		return err
	}
	u, err := s.acc.CreateUser(ctx, actorOf(r), store.NewUser{Email: email, DisplayName: name, Role: role, PasswordHash: hash})
	if errors.Is(err, store.ErrConflict) {
		f.Errors["email"] = "There is already an account with this email."
		return s.renderUsers(w, r, http.StatusConflict, f)
	}
	if err != nil {
		return err
	}
	s.flash(ctx, "success", i18n.T(ctx, "h2.users.created", u.Email, i18n.T(ctx, "role."+u.Role)))
	redirect(w, r, "/admin/users")
	return nil
}

// userDisable and userEnable switch an account off or on; a disabled user
// is signed out on their next request.
func (s *Server) userDisable(w http.ResponseWriter, r *http.Request) error {
	return s.userSetDisabled(w, r, true)
}
func (s *Server) userEnable(w http.ResponseWriter, r *http.Request) error {
	return s.userSetDisabled(w, r, false)
}

func (s *Server) userSetDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	u, err := s.st.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if me := auth.UserFrom(ctx); me.ID == u.ID {
		return &httpError{status: http.StatusConflict, msg: "You cannot disable your own account."}
	}
	if err := s.st.SetUserDisabled(ctx, u.ID, disabled); err != nil {
		return err
	}
	action, msg := "user.enabled", "h2.users.enabled"
	if disabled {
		action, msg = "user.disabled", "h2.users.disabled"
	}
	s.audit(ctx, auth.UserFrom(ctx), action, "user", strconv.FormatInt(u.ID, 10), map[string]any{"email": u.Email})
	s.flash(ctx, "success", i18n.T(ctx, msg, u.Email))
	redirect(w, r, "/admin/users")
	return nil
}

// userClearSignInDelay forgets an account's failed sign-ins, so its owner
// can sign in at once whoever was guessing.
func (s *Server) userClearSignInDelay(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	u, err := s.acc.ClearSignInDelay(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	s.flash(r.Context(), "success", i18n.T(r.Context(), "h2.users.delay_cleared", u.Email))
	redirect(w, r, "/admin/users")
	return nil
}
