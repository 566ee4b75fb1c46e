package handlers

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// badCredentials is deliberately the same for unknown accounts, wrong
// passwords and disabled accounts.
const badCredentials = "Email or password is incorrect."

// loginShow renders the sign-in form.
func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) error {
	next := auth.SafeNext(r.URL.Query().Get("next"))
	if auth.UserFrom(r.Context()) != nil {
		redirect(w, r, next)
		return nil
	}
	p := s.page(r, i18n.T(r.Context(), "login.title"), "")
	p.Width = "narrow"
	if r.URL.Query().Get("signed_out") == "1" && p.Flash.Message == "" {
		p.Flash = templates.Flash{Kind: "success", Message: i18n.Text(r.Context(), "You have been signed out.")}
	}
	return s.render(w, r, http.StatusOK, templates.LoginPage(p, templates.NewForm(), next, s.oidcLabel(r.Context())))
}

// loginSubmit checks a password sign-in, throttled per account and per IP.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return &httpError{status: http.StatusBadRequest, msg: "The form could not be read."}
	}
	f := templates.NewForm()
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	next := auth.SafeNext(r.PostForm.Get("next"))
	f.Values["email"] = email
	fail := func(status int, msg string) error {
		f.Errors["_form"] = msg
		p := s.page(r, i18n.T(r.Context(), "login.title"), "")
		p.Width = "narrow"
		return s.render(w, r, status, templates.LoginPage(p, f, next, s.oidcLabel(ctx)))
	}
	if email == "" || password == "" {
		if email == "" {
			f.Errors["email"] = "Enter your email address."
		}
		if password == "" {
			f.Errors["password"] = "Enter your password."
		}
		p := s.page(r, i18n.T(r.Context(), "login.title"), "")
		p.Width = "narrow"
		return s.render(w, r, http.StatusUnprocessableEntity, templates.LoginPage(p, f, next, s.oidcLabel(ctx)))
	}
	ip := s.clientIP(r)
	attempt, wait, err := s.throttle.Admit(ctx, email, ip)
	if err != nil {
		return err
	}
	if wait > 0 {
		s.log.WarnContext(ctx, "sign-in throttled", "request_id", requestID(ctx), "ip", ip, "email_hash", hashEmail(email))
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		return fail(http.StatusTooManyRequests, auth.ThrottleMessage(wait))
	}
	u, err := s.st.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	ok := false
	if err == nil && u.PasswordHash != nil {
		ok, err = auth.CheckPassword(ctx, password, *u.PasswordHash)
	} else {
		err = auth.CheckNoUser(ctx, password)
	}
	if errors.Is(err, auth.ErrBusy) {
		// The attempt stays recorded: a flood of sign-ins counts against
		// its keys even when it never reached a hash.
		s.log.WarnContext(ctx, "sign-in refused: hashing slots full", "request_id", requestID(ctx), "ip", ip)
		w.Header().Set("Retry-After", "2")
		return fail(http.StatusServiceUnavailable, "The portal is busy signing people in. Try again in a few seconds.")
	}
	if err != nil {
		return err
	}
	if !ok || u.DisabledAt != nil {
		if err := s.throttle.Failed(ctx, attempt); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "sign-in failed", "request_id", requestID(ctx), "ip", ip, "email_hash", hashEmail(email))
		return fail(http.StatusUnauthorized, badCredentials)
	}
	if err := s.throttle.Succeeded(ctx, attempt); err != nil {
		return err
	}
	if err := s.signIn(ctx, u); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "signed in", "request_id", requestID(ctx), "user_id", u.ID, "method", "password")
	redirect(w, r, next)
	return nil
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	// Pages are kept by the browser until revalidated (see revalidate);
	// signing out wipes them, so the next person at this browser cannot
	// open them from its cache.
	w.Header().Set("Clear-Site-Data", `"cache"`)
	redirect(w, r, "/login?signed_out=1")
	return nil
}

// oidcStart redirects to the OIDC provider.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) error {
	o, err := s.oidcProvider(r.Context())
	if err != nil {
		return err
	}
	if o == nil {
		return store.ErrNotFound
	}
	u, pending := o.Begin(auth.SafeNext(r.URL.Query().Get("next")))
	b, _ := json.Marshal(pending)
	s.sessions.Put(r.Context(), sessOIDC, string(b))
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

// oidcCallback finishes an OIDC sign-in and maps the identity to a user
// by (issuer, subject), else by a verified email (linking the account on
// first use), else by Entra tenant to a customer (creating a customer
// user). Anyone else is refused.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	refuse := func(msg string) error {
		p := s.page(r, "Sign-in refused", "")
		p.Width = "narrow"
		return s.render(w, r, http.StatusForbidden, templates.SignInRefused(p, i18n.Text(ctx, msg)))
	}
	var pending auth.Pending
	if raw := s.sessions.PopString(ctx, sessOIDC); raw != "" {
		_ = json.Unmarshal([]byte(raw), &pending)
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		s.log.InfoContext(ctx, "oidc sign-in refused by provider", "request_id", requestID(ctx), "error", e)
		return refuse(i18n.T(ctx, "h2.auth.provider_refused", cmp.Or(q.Get("error_description"), e)))
	}
	o, err := s.oidcProvider(ctx)
	if err != nil {
		return err
	}
	if o == nil {
		return store.ErrNotFound
	}
	id, err := o.Finish(ctx, pending, q.Get("state"), q.Get("code"))
	if err != nil {
		s.log.WarnContext(ctx, "oidc sign-in failed", "request_id", requestID(ctx), "err", err)
		switch {
		case errors.Is(err, auth.ErrOIDCState), errors.Is(err, auth.ErrOIDCNonce), errors.Is(err, auth.ErrOIDCTenant), errors.Is(err, auth.ErrOIDCIssuer):
			return refuse(err.Error())
		}
		return refuse("The sign-in could not be verified. Try again; if it keeps failing, ask your administrator.")
	}
	u, err := s.st.UserByOIDC(ctx, id.Issuer, id.Subject)
	if errors.Is(err, store.ErrNotFound) && id.Email != "" {
		u, err = s.st.UserByEmail(ctx, id.Email)
		if err == nil {
			if u.OidcSubject != nil {
				return refuse("This email belongs to an account linked to another sign-in identity.")
			}
			if !id.EmailVerified {
				s.log.WarnContext(ctx, "oidc email not verified; not linking", "request_id", requestID(ctx), "user_id", u.ID, "tid", id.TenantID)
				return refuse("Your sign-in provider did not confirm this email address, so it cannot be linked to the portal account. Ask your administrator.")
			}
			if err := s.st.LinkUserOIDC(ctx, u.ID, id.Issuer, id.Subject); err != nil {
				return err
			}
		}
	}
	if errors.Is(err, store.ErrNotFound) && id.TenantID != "" {
		// A customer's users map to their customer by Entra tenant.
		var cust uuid.UUID
		cust, err = s.st.CustomerForTenant(ctx, id.TenantID)
		if err == nil {
			u, err = s.st.CreateUser(ctx, store.NewUser{Email: cmp.Or(id.Email, id.Subject+"@"+id.TenantID), DisplayName: id.Name,
				Role: auth.RoleCustomer, CustomerID: &cust, CustomerVia: "tenant", OIDCIssuer: id.Issuer, OIDCSubject: id.Subject})
			if errors.Is(err, store.ErrConflict) {
				return refuse("An account with this email already exists. Ask your administrator to link it.")
			}
			if err == nil {
				s.audit(ctx, &u, "user.created_by_tenant", "user", fmt.Sprint(u.ID), map[string]any{"tid": id.TenantID, "customer_id": cust})
			}
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		s.log.InfoContext(ctx, "oidc sign-in of unknown user", "request_id", requestID(ctx), "email_hash", hashEmail(id.Email), "tid", id.TenantID)
		return refuse(i18n.T(ctx, "h2.auth.no_account", cmp.Or(id.Email, i18n.T(ctx, "h2.auth.this_identity"))))
	}
	if err != nil {
		return err
	}
	if u.DisabledAt != nil {
		return refuse("This account is disabled.")
	}
	if err := s.signIn(ctx, u); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "signed in", "request_id", requestID(ctx), "user_id", u.ID, "method", "oidc")
	redirect(w, r, auth.SafeNext(pending.Next))
	return nil
}

// oidcLabel is the OIDC button's text, "" when OIDC is off.
func (s *Server) oidcLabel(ctx context.Context) string {
	cfg, err := s.oidcSettings(ctx)
	if err != nil || cfg.Issuer == "" {
		return ""
	}
	if strings.Contains(cfg.Issuer, "login.microsoftonline.com") {
		return i18n.T(ctx, "h2.auth.oidc_microsoft")
	}
	return i18n.T(ctx, "h2.auth.oidc_sso")
}

// oidcSettings returns the OIDC provider to use: the environment's when
// given, else the settings page's when enabled; Issuer "" means off.
func (s *Server) oidcSettings(ctx context.Context) (OIDCConfig, error) {
	if s.d.OIDC.Issuer != "" {
		return s.d.OIDC, nil
	}
	st, err := s.st.Settings(ctx)
	if err != nil {
		return OIDCConfig{}, err
	}
	if !st.OidcEnabled || st.OidcIssuer == "" || st.OidcClientID == "" {
		return OIDCConfig{}, nil
	}
	secret, err := s.d.SecretBox.Open(st.OidcClientSecretEnc)
	if err != nil {
		return OIDCConfig{}, fmt.Errorf("open oidc client secret: %w", err)
	}
	return OIDCConfig{Issuer: st.OidcIssuer, ClientID: st.OidcClientID, ClientSecret: secret, AllowedTenants: st.OidcAllowedTenants}, nil
}

// oidcProvider returns the configured OIDC provider (nil when off),
// re-discovering it only when the configuration changed.
func (s *Server) oidcProvider(ctx context.Context) (*auth.OIDC, error) {
	cfg, err := s.oidcSettings(ctx)
	if err != nil || cfg.Issuer == "" {
		return nil, err
	}
	sum := sha256.Sum256([]byte(cfg.ClientSecret))
	key := strings.Join(append([]string{cfg.Issuer, cfg.ClientID, hex.EncodeToString(sum[:])}, cfg.AllowedTenants...), "\x00")
	s.oidcMu.Lock()
	defer s.oidcMu.Unlock()
	if s.oidcCache != nil && s.oidcKey == key {
		return s.oidcCache, nil
	}
	o, err := auth.NewOIDC(ctx, auth.OIDCConfig{
		Issuer:       cfg.Issuer,
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		RedirectURL:  s.d.BaseURL + "/auth/oidc/callback",
		Tenants:      cfg.AllowedTenants,
		HTTPClient:   s.client,
		Now:          s.now,
	})
	if err != nil {
		return nil, err
	}
	s.oidcCache, s.oidcKey = o, key
	return o, nil
}

// hashEmail identifies an email in logs without writing it.
func hashEmail(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:6])
}

// validEmail accepts one plain address of at most 254 characters (RFC
// 5321's path limit) whose domain has a dot: "a@b" is no one's mailbox.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || utf8.RuneCountInString(s) > 254 {
		return false
	}
	at := strings.LastIndex(s, "@")
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.HasPrefix(domain, ".")
}
