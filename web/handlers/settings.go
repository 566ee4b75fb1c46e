package handlers

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// settingsShow is the admin settings page: the wizard's settings, editable.
func (s *Server) settingsShow(w http.ResponseWriter, r *http.Request) error {
	st, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	return s.renderSettings(w, r, http.StatusOK, st, settingsForms{})
}

// settingsForms overrides parts of the settings page after a submission.
type settingsForms struct {
	pc, oidc, defaults *templates.Form
	test               *templates.TestResult
	mail               *templates.MailForm
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, st store.Settings, o settingsForms) error {
	v := templates.Settings{
		PC: templates.PCForm{Form: pcFormFrom(st), Action: "/admin/settings/pc", TestAction: "/admin/settings/pc/test",
			SecretStored: s.pcSecretAvailable(st), Submit: "Save connection", Test: o.test,
			ConnectAction: "/admin/settings/pc/connect", User: ptrTo(s.pcUserStatus(st)), UserLinks: true},
		OIDC:             oidcFormFrom(st),
		OIDCSecretStored: len(st.OidcClientSecretEnc) > 0,
		Defaults:         defaultsFormFrom(st),
		CallbackURL:      s.d.BaseURL + "/auth/oidc/callback",
		OIDCFromEnv:      s.d.OIDC.Issuer != "",
		Mail:             s.mailFormFrom(r, st),
	}
	if o.mail != nil {
		v.Mail = *o.mail
	}
	if o.pc != nil {
		v.PC.Form = *o.pc
	}
	if o.oidc != nil {
		v.OIDC = *o.oidc
	}
	if o.defaults != nil {
		v.Defaults = *o.defaults
	}
	if n, err := s.st.CountResellers(r.Context()); err == nil && n > 0 {
		v.Defaults.Values["partner_mode_hint"] = i18n.T(r.Context(), "h2.settings.indirect_hint", strconv.Itoa(int(n)))
	}
	return s.render(w, r, status, templates.SettingsPage(s.page(r, "Settings", "/admin/settings"), v))
}

// settingsPC saves the Partner Center connection.
func (s *Server) settingsPC(w http.ResponseWriter, r *http.Request) error {
	if saved, err := s.saveSettingsPC(w, r); !saved || err != nil {
		return err
	}
	s.flash(r.Context(), "success", "Partner Center connection saved.")
	redirect(w, r, "/admin/settings")
	return nil
}

// saveSettingsPC parses, validates and saves the settings page's Partner
// Center form, with its audit entry. saved is false when the form was
// shown again with its errors.
func (s *Server) saveSettingsPC(w http.ResponseWriter, r *http.Request) (saved bool, err error) {
	ctx := r.Context()
	st, err := s.st.Settings(ctx)
	if err != nil {
		return false, err
	}
	if err := parseForm(r); err != nil {
		return false, err
	}
	f, in := parsePC(r, s.pcSecretAvailable(st))
	if !f.Valid() {
		return false, s.renderSettings(w, r, http.StatusUnprocessableEntity, st, settingsForms{pc: &f})
	}
	if err := s.savePC(ctx, in); err != nil {
		return false, err
	}
	s.audit(ctx, auth.UserFrom(ctx), "settings.pc_updated", "settings", "pc",
		map[string]any{"tenant_id": in.TenantID, "client_id": in.ClientID, "api_url": in.APIURL, "token_url": in.TokenURL, "secret_changed": in.Secret != ""})
	return true, nil
}

// settingsPCTest is the settings page's "Test connection".
func (s *Server) settingsPCTest(w http.ResponseWriter, r *http.Request) error {
	st, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, res, err := s.pcTest(r, st)
	if err != nil {
		return err
	}
	status := testStatus(w, r, res)
	if isHTMX(r) {
		return s.render(w, r, status, templates.TestResultBox(res))
	}
	return s.renderSettings(w, r, status, st, settingsForms{pc: &f, test: res})
}

// settingsOIDC saves the sign-in provider.
func (s *Server) settingsOIDC(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := s.st.Settings(ctx)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, in := parseOIDC(r, len(st.OidcClientSecretEnc) > 0)
	if !f.Valid() {
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, st, settingsForms{oidc: &f})
	}
	if err := s.saveOIDC(ctx, in); err != nil {
		return err
	}
	s.audit(ctx, auth.UserFrom(ctx), "settings.oidc_updated", "settings", "oidc",
		map[string]any{"enabled": in.Enabled, "issuer": in.Issuer, "client_id": in.ClientID, "tenants": in.Tenants, "secret_changed": in.Secret != ""})
	s.flash(ctx, "success", "Sign-in settings saved.")
	redirect(w, r, "/admin/settings")
	return nil
}

// settingsDefaults saves country, currency and language.
func (s *Server) settingsDefaults(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := s.st.Settings(ctx)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, d := parseDefaults(r)
	if !f.Valid() {
		return s.renderSettings(w, r, http.StatusUnprocessableEntity, st, settingsForms{defaults: &f})
	}
	if err := s.st.UpdateDefaults(ctx, d); err != nil {
		return err
	}
	s.audit(ctx, auth.UserFrom(ctx), "settings.defaults_updated", "settings", "defaults", d)
	s.flash(ctx, "success", "Defaults saved.")
	redirect(w, r, "/admin/settings")
	return nil
}

// pcSecretAvailable reports whether an empty secret field can be kept: a
// secret is stored, or Deps.PCDefaults supplies one (the sandbox's in dev,
// the environment's in serve).
func (s *Server) pcSecretAvailable(st store.Settings) bool {
	return len(st.PcClientSecretEnc) > 0 || s.d.PCDefaults.ClientSecret != ""
}

// pcSecret returns the secret to use for in: the submitted one, else the
// stored one, else the default one.
func (s *Server) pcSecret(st store.Settings, in pcInput) (string, error) {
	if in.Secret != "" {
		return in.Secret, nil
	}
	if len(st.PcClientSecretEnc) > 0 {
		sec, err := s.d.SecretBox.Open(st.PcClientSecretEnc)
		if err != nil {
			return "", fmt.Errorf("open partner center secret: %w", err)
		}
		return sec, nil
	}
	return s.d.PCDefaults.ClientSecret, nil
}

// savePC stores the connection; the secret sealed, or kept when empty.
func (s *Server) savePC(ctx context.Context, in pcInput) error {
	st, err := s.st.Settings(ctx)
	if err != nil {
		return err
	}
	p := store.PCSettings{PcTenantID: in.TenantID, PcClientID: in.ClientID, PcApiUrl: in.APIURL, PcTokenUrl: in.TokenURL,
		PcCloud: string(in.Cloud)}
	if in.Secret != "" {
		p.PcClientSecretEnc = s.d.SecretBox.Seal(in.Secret)
	} else if len(st.PcClientSecretEnc) == 0 && s.d.PCDefaults.ClientSecret != "" {
		p.PcClientSecretEnc = s.d.SecretBox.Seal(s.d.PCDefaults.ClientSecret)
	}
	return s.st.UpdatePCSettings(ctx, p)
}

// saveOIDC stores the sign-in provider; the secret sealed, or kept.
func (s *Server) saveOIDC(ctx context.Context, in oidcInput) error {
	p := store.OIDCSettings{OidcEnabled: in.Enabled, OidcIssuer: in.Issuer, OidcClientID: in.ClientID, OidcAllowedTenants: in.Tenants}
	if in.Secret != "" {
		p.OidcClientSecretEnc = s.d.SecretBox.Seal(in.Secret)
	}
	return s.st.UpdateOIDCSettings(ctx, p)
}

// pcTest validates the submitted connection and, when valid, tests it.
func (s *Server) pcTest(r *http.Request, st store.Settings) (templates.Form, *templates.TestResult, error) {
	f, in := parsePC(r, s.pcSecretAvailable(st))
	if !f.Valid() {
		return f, &templates.TestResult{Message: i18n.T(r.Context(), "h2.settings.fix_first", i18n.Text(r.Context(), firstError(f)))}, nil
	}
	sec, err := s.pcSecret(st, in)
	if err != nil {
		return f, nil, err
	}
	in.Secret = sec
	key := "pctest:address:" + s.clientIP(r)
	if u := auth.UserFrom(r.Context()); u != nil {
		key = "pctest:user:" + strconv.FormatInt(u.ID, 10)
	}
	if wait, ok := s.live.limit(key, pcTestsPerMinute, time.Minute, s.now()); !ok {
		secs := int(math.Ceil(wait.Seconds()))
		return f, &templates.TestResult{RetryAfter: secs, Message: i18n.T(r.Context(), "h2.settings.too_many_tests",
			strconv.Itoa(pcTestsPerMinute), strconv.Itoa(secs))}, nil
	}
	res := s.testPC(r.Context(), in)
	s.log.InfoContext(r.Context(), "partner center connection test", "request_id", requestID(r.Context()),
		"ok", res.OK, "code", res.Code)
	return f, res, nil
}

// testStatus is a connection test's HTTP status: 429 with Retry-After when
// it was refused for its rate (200 to htmx, which swaps only 2xx answers
// into the page, still with Retry-After), else 200.
func testStatus(w http.ResponseWriter, r *http.Request, res *templates.TestResult) int {
	if res == nil || res.RetryAfter == 0 {
		return http.StatusOK
	}
	w.Header().Set("Retry-After", strconv.Itoa(res.RetryAfter))
	if isHTMX(r) {
		return http.StatusOK
	}
	return http.StatusTooManyRequests
}

func firstError(f templates.Form) string {
	for _, k := range []string{"pc_cloud", "pc_tenant_id", "pc_client_id", "pc_client_secret", "pc_api_url", "pc_token_url"} {
		if e := f.Err(k); e != "" {
			return e
		}
	}
	return ""
}

// audit writes an audit entry; a failure is logged, not shown (the change
// itself succeeded).
func (s *Server) audit(ctx context.Context, u *store.User, action, targetType, targetID string, after any) {
	e := store.AuditEntry{Actor: "system", Action: action, TargetType: targetType, TargetID: targetID, After: after}
	if u != nil {
		e.ActorUserID, e.Actor = &u.ID, u.Email
	}
	if err := s.st.Audit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit", "action", action, "err", err)
	}
}
