package handlers

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// The partner admin consent (Partner Center's "secure application model"):
// an admin of the portal signs in as a partner admin at the configured Entra
// authority (the sandbox in dev) with the authorization-code flow and PKCE;
// the portal keeps the refresh token, sealed, in the settings row and
// uses it for the operations PC only allows app+user (see
// pccclient.RequiredCredential). Everything else stays app-only.

const (
	// sessPCConsent holds the pending consent (state, PKCE verifier, where
	// to return) between connect and callback.
	sessPCConsent = "pc_consent_pending"
	// pcConsentTTL bounds how long a started consent can be finished.
	pcConsentTTL = 15 * time.Minute
	// refreshTokenLifetime is Entra's default: a refresh token not used for
	// 90 days expires (each use rolls it and restarts the 90 days).
	refreshTokenLifetime = 90 * 24 * time.Hour

	pcHealthPath     = "/admin/settings/partner-center/health"
	pcConnectPath    = "/admin/settings/partner-center/connect"
	pcDisconnectPath = "/admin/settings/partner-center/disconnect"
	pcCallbackPath   = "/admin/settings/partner-center/callback"
)

// pcConsentPending is what the session keeps while the admin is away at
// the sign-in page.
type pcConsentPending struct {
	State    string    `json:"state"`
	Verifier string    `json:"verifier"`
	Return   string    `json:"return"`
	Started  time.Time `json:"started"`
}

func (s *Server) pcRedirectURI() string { return s.d.BaseURL + pcCallbackPath }

// pcConnect starts the consent: a fresh state and PKCE verifier go into the
// session and the browser to the authority's sign-in page. ?from=setup
// returns to the wizard afterwards.
func (s *Server) pcConnect(w http.ResponseWriter, r *http.Request) error {
	ret := pcHealthPath
	if r.URL.Query().Get("from") == "setup" {
		ret = "/setup"
	}
	return s.pcConnectStart(w, r, ret, false)
}

// pcConnectStart redirects to the authority's sign-in page; afterForm
// (the answer to a form POST) uses a page that navigates on instead, since
// CSP form-action 'self' forbids a form submission to end on another origin.
func (s *Server) pcConnectStart(w http.ResponseWriter, r *http.Request, ret string, afterForm bool) error {
	ctx := r.Context()
	pc, err := s.pc.Client(ctx)
	if err != nil {
		if errors.Is(err, pcconn.ErrNotConfigured) {
			s.flash(ctx, "error", "Save the Partner Center connection (tenant, app id and secret) before connecting a partner admin account.")
			if ret == "/setup" {
				redirect(w, r, "/setup")
			} else {
				redirect(w, r, "/admin/settings#pc")
			}
			return nil
		}
		return err
	}
	b := make([]byte, 24)
	rand.Read(b)
	verifier, challenge := pccclient.NewPKCE()
	p := pcConsentPending{State: base64.RawURLEncoding.EncodeToString(b), Verifier: verifier, Return: ret, Started: time.Now()}
	raw, _ := json.Marshal(p)
	s.sessions.Put(ctx, sessPCConsent, string(raw))
	hint := ""
	if st, err := s.st.Settings(ctx); err == nil {
		hint = st.PcUser
	}
	to := pc.AuthorizeURL(pccclient.AuthCodeRequest{RedirectURI: s.pcRedirectURI(), State: p.State, CodeChallenge: challenge, LoginHint: hint})
	switch {
	case isHTMX(r):
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
	case afterForm:
		return s.render(w, r, http.StatusOK, templates.PCConsentContinuePage(to))
	default:
		http.Redirect(w, r, to, http.StatusFound)
	}
	return nil
}

// pcCallback finishes the consent: the state must match the session's, the
// code is redeemed with the PKCE verifier, and the refresh token is stored
// sealed with who signed in and whether they used MFA.
func (s *Server) pcCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var p pcConsentPending
	if raw := s.sessions.PopString(ctx, sessPCConsent); raw != "" {
		_ = json.Unmarshal([]byte(raw), &p)
	}
	q := r.URL.Query()
	fail := func(status int, msg, code string) error {
		pg := s.page(r, "Partner admin not connected", "/admin/settings")
		pg.Width = "medium"
		return s.render(w, r, status, templates.PCConsentFailedPage(pg, msg, code, pcConnectPath))
	}
	if p.State == "" || subtle.ConstantTimeCompare([]byte(p.State), []byte(q.Get("state"))) != 1 || time.Since(p.Started) > pcConsentTTL {
		s.log.WarnContext(ctx, "partner center consent: state mismatch or expired", "request_id", requestID(ctx))
		return fail(http.StatusBadRequest, i18n.Text(ctx, "This sign-in answer does not belong to a connection started in this browser session, or it took longer than 15 minutes. Start again."), "")
	}
	if e := q.Get("error"); e != "" {
		s.log.InfoContext(ctx, "partner center consent refused", "request_id", requestID(ctx), "error", e)
		if e == "access_denied" && q.Get("error_subcode") == "cancel" {
			return fail(http.StatusOK, i18n.T(ctx, "h.pc.cancelled", cmp.Or(q.Get("error_description"), e)), e)
		}
		return fail(http.StatusOK, i18n.T(ctx, "h.pc.refused", cmp.Or(q.Get("error_description"), e)), e)
	}
	code := q.Get("code")
	if code == "" {
		return fail(http.StatusBadRequest, i18n.Text(ctx, "The sign-in page answered without an authorization code. Start again."), "")
	}
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return err
	}
	xctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	g, err := pc.ExchangeCode(xctx, code, p.Verifier, s.pcRedirectURI())
	cancel()
	if err != nil {
		var te *pccclient.TokenError
		if errors.As(err, &te) {
			return fail(http.StatusBadGateway, i18n.T(ctx, "h.pc.idp_refused", cmp.Or(te.Description, te.Error())), te.OAuthError)
		}
		return fail(http.StatusBadGateway, i18n.T(ctx, "h.pc.idp_unreachable", err.Error()), "")
	}
	now := time.Now()
	if err := s.st.ConnectPCUser(ctx, store.PCUserGrant{RefreshTokenEnc: s.d.SecretBox.Seal(g.RefreshToken), User: g.User, MFA: g.MFA, At: now}); err != nil {
		return err
	}
	s.audit(ctx, auth.UserFrom(ctx), "pc.connect", "settings", "pc_user", map[string]any{"user": g.User, "mfa": g.MFA})
	s.log.InfoContext(ctx, "partner admin connected", "request_id", requestID(ctx), "user", g.User, "mfa", g.MFA)
	// The price sheets need this sign-in: fetch them now, not at the next
	// hourly refresh (which still catches up if this fails).
	if err := s.pri.QueueRefresh(ctx); err != nil {
		s.log.WarnContext(ctx, "price refresh not queued after consent", "request_id", requestID(ctx), "err", err)
	}
	if g.MFA {
		s.flash(ctx, "success", i18n.T(ctx, "h.pc.connected_mfa", cmp.Or(g.User, i18n.T(ctx, "h.pc.signed_in"))))
	} else {
		s.flash(ctx, "error", i18n.T(ctx, "h.pc.connected_no_mfa", cmp.Or(g.User, i18n.T(ctx, "h.pc.the_admin"))))
	}
	redirect(w, r, cmp.Or(p.Return, pcHealthPath))
	return nil
}

// pcDisconnectConfirm asks before forgetting the partner admin's consent.
func (s *Server) pcDisconnectConfirm(w http.ResponseWriter, r *http.Request) error {
	st, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	pg := s.page(r, "Disconnect the partner admin account", "/admin/settings")
	pg.Width = "medium"
	return s.render(w, r, http.StatusOK, templates.PCDisconnectPage(pg, st.PcUser, len(st.PcRefreshTokenEnc) > 0))
}

// pcDisconnect forgets the partner admin's refresh token.
func (s *Server) pcDisconnect(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "yes" {
		redirect(w, r, pcDisconnectPath)
		return nil
	}
	st, err := s.st.Settings(ctx)
	if err != nil {
		return err
	}
	if err := s.st.DisconnectPCUser(ctx); err != nil {
		return err
	}
	s.audit(ctx, auth.UserFrom(ctx), "pc.disconnect", "settings", "pc_user", map[string]any{"user": st.PcUser})
	s.flash(ctx, "success", "The partner admin account is disconnected. Accepting the Microsoft Customer Agreement and reading license usage stop working until an admin connects one again.")
	redirect(w, r, pcHealthPath)
	return nil
}

// settingsPCConnect saves the settings page's connection form, then starts
// the consent (the consent needs the saved app id and authority).
func (s *Server) settingsPCConnect(w http.ResponseWriter, r *http.Request) error {
	if saved, err := s.saveSettingsPC(w, r); !saved || err != nil {
		return err
	}
	return s.pcConnectStart(w, r, pcHealthPath, true)
}

// setupPCConnect is the wizard's "Connect a partner admin account": it saves
// the step's form (without moving on) and starts the consent, which returns
// to the wizard.
func (s *Server) setupPCConnect(w http.ResponseWriter, r *http.Request) error {
	if _, saved, err := s.saveSetupPC(w, r); !saved || err != nil {
		return err
	}
	return s.pcConnectStart(w, r, "/setup", true)
}

// pcUserStatus is the short app+user status shown next to the connection
// form (settings and wizard), from the settings row (no PC call).
func (s *Server) pcUserStatus(st store.Settings) templates.PCUserStatus {
	v := templates.PCUserStatus{Connected: len(st.PcRefreshTokenEnc) > 0, User: st.PcUser, MFA: st.PcUserMfa,
		ConnectAction: pcConnectPath, HealthHref: pcHealthPath, DisconnectHref: pcDisconnectPath, LastError: st.PcAppUserError,
		RedirectURI: s.pcRedirectURI()}
	if st.PcConnectedAt != nil {
		v.ConnectedAt = st.PcConnectedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	return v
}

// pcHealth is the connection health panel: each credential probed now, its
// last success and error, when the refresh token expires, which operation
// classes work, and per customer whether license usage is readable.
func (s *Server) pcHealth(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	st, err := s.st.Settings(ctx)
	if err != nil {
		return err
	}
	v := templates.PCHealth{User: s.pcUserStatus(st), SettingsHref: "/admin/settings#pc"}
	v.Configured = st.PcTenantID != "" && st.PcClientID != "" && s.pcSecretAvailable(st)
	appOnly := templates.CredentialHealth{Name: i18n.T(ctx, "h.pc.cred_app_only"), Key: "app-only"}
	appUser := templates.CredentialHealth{Name: i18n.T(ctx, "h.pc.cred_app_user"), Key: "app-user"}
	if v.Configured {
		pc, err := s.pc.Client(ctx)
		if err != nil && !errors.Is(err, pcconn.ErrNotConfigured) {
			return err
		}
		if pc != nil {
			pctx, cancel := context.WithTimeout(pcconn.Interactive(ctx), 15*time.Second)
			ao := pc.Probe(pctx, pccclient.AppOnly)
			var au pccclient.ProbeResult
			if len(st.PcRefreshTokenEnc) > 0 {
				au = pc.Probe(pctx, pccclient.AppUser)
			}
			cancel()
			now := time.Now()
			s.recordProbe(ctx, pccclient.AppOnly, ao, now)
			appOnly.Probed, appOnly.OK = true, ao.OK
			if !ao.OK {
				appOnly.Problem = probeMessage(ctx, ao.Err)
			}
			if len(st.PcRefreshTokenEnc) > 0 {
				s.recordProbe(ctx, pccclient.AppUser, au, now)
				appUser.Probed, appUser.OK = true, au.OK
				if au.User != "" {
					appUser.User = au.User
				}
				if !au.OK {
					appUser.Problem = probeMessage(ctx, au.Err)
				}
			}
			if st, err = s.st.Settings(ctx); err != nil {
				return err
			}
		}
	}
	appOnly.LastOK, appOnly.LastError, appOnly.LastErrorAt = fmtTime(st.PcAppOnlyOkAt), st.PcAppOnlyError, fmtTime(st.PcAppOnlyErrorAt)
	appUser.LastOK, appUser.LastError, appUser.LastErrorAt = fmtTime(st.PcAppUserOkAt), st.PcAppUserError, fmtTime(st.PcAppUserErrorAt)
	appUser.Connected = len(st.PcRefreshTokenEnc) > 0
	appUser.User = cmp.Or(appUser.User, st.PcUser)
	appUser.MFA = st.PcUserMfa
	appUser.HasMFAInfo = appUser.Connected
	if st.PcRefreshRotatedAt != nil && appUser.Connected {
		appUser.Expires = st.PcRefreshRotatedAt.Add(refreshTokenLifetime).UTC().Format("2006-01-02")
		appUser.Rotated = fmtTime(st.PcRefreshRotatedAt)
	}
	appOnly.Connected = v.Configured
	v.Credentials = []templates.CredentialHealth{appOnly, appUser}
	userOK := appUser.Probed && appUser.OK && appUser.MFA
	v.Operations = []templates.OperationHealth{
		{Name: i18n.T(ctx, "h.pc.op_read"), Credential: i18n.T(ctx, "h.pc.c_app_only"), OK: appOnly.Probed && appOnly.OK, Known: appOnly.Probed || !v.Configured},
		{Name: i18n.T(ctx, "h.pc.op_write"), Credential: i18n.T(ctx, "h.pc.c_app_only"), OK: appOnly.Probed && appOnly.OK, Known: appOnly.Probed || !v.Configured},
		{Name: i18n.T(ctx, "h.pc.op_user_read"), Credential: i18n.T(ctx, "h.pc.c_app_user"), OK: appUser.Probed && appUser.OK, Known: appUser.Probed || !appUser.Connected},
		{Name: i18n.T(ctx, "h.pc.op_mca"), Credential: i18n.T(ctx, "h.pc.c_app_user_mfa"), OK: userOK, Known: appUser.Probed || !appUser.Connected},
		{Name: i18n.T(ctx, "h.pc.op_usage"), Credential: i18n.T(ctx, "h.pc.c_app_user_gdap"), OK: userOK, Known: appUser.Probed || !appUser.Connected},
	}
	sum, probs, err := s.st.LicenseUsage(ctx, 50)
	if err != nil {
		return err
	}
	v.LicenseReadable, v.LicenseUnreadable, v.RelationshipRemoved = int(sum.Readable), int(sum.Unreadable), int(sum.RelationshipRemoved)
	for _, p := range probs {
		v.LicenseProblems = append(v.LicenseProblems, templates.LicenseProblem{Href: "/customers/" + p.ID.String(),
			Name: cmp.Or(p.CompanyName, p.ID.String()), Reason: p.LicenseUsageError, Checked: fmtTime(p.LicenseUsageCheckedAt)})
	}
	v.Green = appOnly.Probed && appOnly.OK && userOK
	pg := s.page(r, "Partner Center connection", "/admin/settings")
	return s.render(w, r, http.StatusOK, templates.PCHealthPage(pg, v))
}

func (s *Server) recordProbe(ctx context.Context, cred pccclient.Credential, p pccclient.ProbeResult, at time.Time) {
	msg := ""
	if !p.OK {
		msg = probeMessage(context.Background(), p.Err) // stored: in English, as the other stored errors
	}
	if err := s.st.RecordPCCredentialResult(ctx, cred == pccclient.AppUser, msg, at); err != nil {
		s.log.WarnContext(ctx, "record credential health", "err", err)
	}
}

// probeMessage says in plain words why a credential did not work.
func probeMessage(ctx context.Context, err error) string {
	if err == nil {
		return i18n.Text(ctx, "Partner Center did not answer.")
	}
	if pccclient.IsConsentRequired(err) {
		return consentText(ctx, err)
	}
	return pcMessage(ctx, err)
}

// consentText is the staff-facing message for a *pccclient.ConsentError:
// what is missing and who can fix it, never a raw 401.
func consentText(ctx context.Context, err error) string {
	var why string
	switch pccclient.ConsentReasonOf(err) {
	case pccclient.NotConnected:
		why = i18n.Text(ctx, "This needs a partner admin's sign-in, and no partner admin account is connected.")
	case pccclient.Expired:
		why = i18n.Text(ctx, "This needs a partner admin's sign-in, and the connected one has expired or was revoked.")
	case pccclient.MFARequired:
		why = i18n.Text(ctx, "This needs a partner admin's sign-in with multi-factor authentication; the connected admin signed in without it.")
	default:
		why = i18n.Text(ctx, "This needs a partner admin's sign-in, and Partner Center refused the connected one for this operation.")
	}
	return i18n.T(ctx, "h.pc.consent_fix", why)
}

// consentNotice is the view of a consent problem for the current user
// (admins get the reconnect link).
func consentNotice(ctx context.Context, msg string) *templates.ConsentNotice {
	n := &templates.ConsentNotice{Message: msg}
	if u := auth.UserFrom(ctx); u != nil && u.Role == auth.RoleAdmin {
		n.ReconnectHref = pcConnectPath
		n.HealthHref = pcHealthPath
	}
	return n
}

// isConsentCode reports a command that failed for want of a partner admin's
// sign-in (commerce.CodeConsentRequired).
func isConsentCode(code string) bool { return code == commerce.CodeConsentRequired }

// consentNoticeNow describes, for a command that failed for want of the
// app+user credential, what is missing now (from the settings row).
func (s *Server) consentNoticeNow(ctx context.Context) *templates.ConsentNotice {
	reason := pccclient.NotConnected
	if st, err := s.st.Settings(ctx); err == nil && len(st.PcRefreshTokenEnc) > 0 {
		reason = pccclient.Expired
		if !st.PcUserMfa {
			reason = pccclient.MFARequired
		}
	}
	return consentNotice(ctx, consentText(ctx, &pccclient.ConsentError{Reason: reason}))
}
