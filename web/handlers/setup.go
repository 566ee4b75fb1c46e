package handlers

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// Wizard steps (settings.setup_step).
const (
	stepAdmin = iota + 1
	stepPC
	stepOIDC
	stepDefaults
	stepImport
)

// prepareSetup issues a new one-time setup token while no admin exists.
func (s *Server) prepareSetup(ctx context.Context) (string, error) {
	st, err := s.st.Settings(ctx)
	if err != nil {
		return "", err
	}
	if st.SetupCompletedAt != nil {
		return "", nil
	}
	n, err := s.st.CountAdmins(ctx)
	if err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	if err := s.st.SetSetupTokenHash(ctx, sum[:]); err != nil {
		return "", err
	}
	return s.d.BaseURL + "/setup?token=" + url.QueryEscape(token), nil
}

// setupState is where the wizard stands for this request.
type setupState struct {
	settings store.Settings
	hasAdmin bool
	step     int
}

// setupAccess loads the wizard's state and checks the caller may use it:
// closed for good once completed (404); before the admin exists the setup
// token must have been presented in this session; afterwards the caller
// must be a signed-in admin. It returns ok=false after answering itself.
func (s *Server) setupAccess(w http.ResponseWriter, r *http.Request) (setupState, bool, error) {
	ctx := r.Context()
	st, err := s.st.Settings(ctx)
	if err != nil {
		return setupState{}, false, err
	}
	if st.SetupCompletedAt != nil {
		return setupState{}, false, store.ErrNotFound
	}
	n, err := s.st.CountAdmins(ctx)
	if err != nil {
		return setupState{}, false, err
	}
	ss := setupState{settings: st, hasAdmin: n > 0, step: int(st.SetupStep)}
	if !ss.hasAdmin {
		ss.step = stepAdmin
		if !s.sessions.GetBool(ctx, sessSetupOK) {
			return ss, false, s.renderSetupToken(w, r, http.StatusOK, templates.NewForm())
		}
		return ss, true, nil
	}
	u := auth.UserFrom(ctx)
	if u == nil {
		redirect(w, r, "/login?next=%2Fsetup")
		return ss, false, nil
	}
	if u.Role != auth.RoleAdmin {
		return ss, false, errForbidden
	}
	ss.step = min(max(ss.step, stepPC), stepImport)
	return ss, true, nil
}

func (s *Server) renderSetupToken(w http.ResponseWriter, r *http.Request, status int, f templates.Form) error {
	p := s.setupPage(r, i18n.T(r.Context(), "h2.setup.title"))
	p.Width = "narrow"
	return s.render(w, r, status, templates.SetupTokenPage(p, f))
}

func (s *Server) setupPage(r *http.Request, title string) templates.Page {
	p := s.page(r, title, "")
	p.NoNav = true
	p.Width = "medium"
	return p
}

// setupShow shows the current step (or an earlier one via ?step=N). A
// ?token= in the URL is checked, kept in the session and stripped.
func (s *Server) setupShow(w http.ResponseWriter, r *http.Request) error {
	if tok := r.URL.Query().Get("token"); tok != "" {
		return s.presentSetupToken(w, r, tok)
	}
	ss, ok, err := s.setupAccess(w, r)
	if !ok || err != nil {
		return err
	}
	step := ss.step
	if n, err := strconv.Atoi(r.URL.Query().Get("step")); err == nil && n >= stepPC && n < step {
		step = n
	}
	return s.renderSetupStep(w, r, ss, step, http.StatusOK, templates.Form{}, nil)
}

// setupToken accepts the setup token from the form.
func (s *Server) setupToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	return s.presentSetupToken(w, r, strings.TrimSpace(r.PostForm.Get("token")))
}

func (s *Server) presentSetupToken(w http.ResponseWriter, r *http.Request, token string) error {
	ctx := r.Context()
	st, err := s.st.Settings(ctx)
	if err != nil {
		return err
	}
	if st.SetupCompletedAt != nil {
		return store.ErrNotFound
	}
	sum := sha256.Sum256([]byte(token))
	if len(st.SetupTokenHash) == 0 || subtle.ConstantTimeCompare(sum[:], st.SetupTokenHash) != 1 {
		s.log.WarnContext(ctx, "wrong setup token", "request_id", requestID(ctx), "ip", s.clientIP(r))
		f := templates.NewForm()
		f.Errors["token"] = "This setup token is not valid. Copy it again from the server log (restarting the portal prints a new one)."
		return s.renderSetupToken(w, r, http.StatusForbidden, f)
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessSetupOK, true)
	redirect(w, r, "/setup")
	return nil
}

// renderSetupStep renders one step with form f (nil Values = from settings).
func (s *Server) renderSetupStep(w http.ResponseWriter, r *http.Request, ss setupState, step, status int, f templates.Form, test *templates.TestResult) error {
	st := ss.settings
	p := s.setupPage(r, i18n.T(r.Context(), "h2.setup.title"))
	switch step {
	case stepAdmin:
		if f.Values == nil {
			f = templates.NewForm()
		}
		return s.render(w, r, status, templates.SetupAdminPage(p, f))
	case stepPC:
		if f.Values == nil {
			f = pcFormFrom(st)
			if s.d.PCDefaults.TenantID != "" && st.PcTenantID == "" {
				f = s.pcDevDefaults()
			}
		}
		pf := templates.PCForm{Form: f, Action: "/setup/pc", TestAction: "/setup/pc/test",
			SecretStored: s.pcSecretAvailable(st), Submit: "Save and continue", Test: test,
			ConnectAction: "/setup/pc/connect", User: ptrTo(s.pcUserStatus(st))}
		return s.render(w, r, status, templates.SetupPCPage(p, pf))
	case stepOIDC:
		if f.Values == nil {
			f = oidcFormFrom(st)
		}
		return s.render(w, r, status, templates.SetupOIDCPage(p, f, len(st.OidcClientSecretEnc) > 0, s.d.BaseURL+"/auth/oidc/callback"))
	case stepDefaults:
		if f.Values == nil {
			f = defaultsFormFrom(st)
		}
		return s.render(w, r, status, templates.SetupDefaultsPage(p, f))
	default:
		return s.render(w, r, status, templates.SetupImportPage(p))
	}
}

// pcDevDefaults pre-fills Deps.PCDefaults (the sandbox in dev, the
// environment's PORTAL_PC_* in serve). The secret is not put in the form
// (secrets are never rendered); an empty secret field means "use the
// default one".
func (s *Server) pcDevDefaults() templates.Form {
	f := templates.NewForm()
	f.Values["pc_tenant_id"] = s.d.PCDefaults.TenantID
	f.Values["pc_client_id"] = s.d.PCDefaults.ClientID
	f.Values["pc_api_url"] = cmp.Or(s.d.PCDefaults.APIURL, defaultPCAPIURL)
	f.Values["pc_token_url"] = cmp.Or(s.d.PCDefaults.TokenURL, defaultPCTokenURL)
	f.Values["pc_cloud"] = cmp.Or(s.d.PCDefaults.Cloud, string(rules.CloudGlobal))
	return f
}

// advance moves the wizard to step next if it is further than where it is.
func (s *Server) advance(ctx context.Context, ss setupState, next int) error {
	if next > ss.step || int(ss.settings.SetupStep) < next {
		return s.st.SetSetupStep(ctx, max(next, int(ss.settings.SetupStep)))
	}
	return nil
}

// setupAdmin is step 1: create the first admin and sign them in.
func (s *Server) setupAdmin(w http.ResponseWriter, r *http.Request) error {
	ss, ok, err := s.setupAccess(w, r)
	if !ok || err != nil {
		return err
	}
	if ss.hasAdmin {
		redirect(w, r, "/setup")
		return nil
	}
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	f := templates.NewForm()
	email := strings.TrimSpace(r.PostForm.Get("email"))
	name := strings.TrimSpace(r.PostForm.Get("display_name"))
	pw, confirm := r.PostForm.Get("password"), r.PostForm.Get("password_confirm")
	f.Values["email"], f.Values["display_name"] = email, name
	if !validEmail(email) {
		f.Errors["email"] = "Enter a valid email address, like admin@example.com."
	}
	if name == "" {
		f.Errors["display_name"] = "Enter your name as it should appear in the portal."
	}
	if len([]rune(pw)) < auth.MinPasswordLength {
		f.Errors["password"] = i18n.T(ctx, "h2.pw.min_length", strconv.Itoa(auth.MinPasswordLength))
	}
	if confirm != pw {
		f.Errors["password_confirm"] = "The two passwords do not match."
	}
	if !f.Valid() {
		return s.renderSetupStep(w, r, ss, stepAdmin, http.StatusUnprocessableEntity, f, nil)
	}
	hash, err := auth.HashPassword(r.Context(), pw)
	if err != nil {
		return err
	}
	u, err := s.st.CreateFirstAdmin(ctx, store.NewUser{Email: email, DisplayName: name, Role: auth.RoleAdmin, PasswordHash: hash}, stepPC)
	if errors.Is(err, store.ErrAdminExists) {
		redirect(w, r, "/setup")
		return nil
	}
	if err != nil {
		return fmt.Errorf("create first admin: %w", err)
	}
	s.adminExists.Store(true)
	s.sessions.Remove(ctx, sessSetupOK)
	if err := s.signIn(ctx, u); err != nil {
		return err
	}
	s.audit(ctx, &u, "setup.admin_created", "user", strconv.FormatInt(u.ID, 10), nil)
	s.log.InfoContext(ctx, "first admin created", "request_id", requestID(ctx), "user_id", u.ID)
	redirect(w, r, "/setup")
	return nil
}

// setupPC is step 2: save the Partner Center connection.
func (s *Server) setupPC(w http.ResponseWriter, r *http.Request) error {
	ss, saved, err := s.saveSetupPC(w, r)
	if !saved || err != nil {
		return err
	}
	if err := s.advance(r.Context(), ss, stepOIDC); err != nil {
		return err
	}
	redirect(w, r, "/setup")
	return nil
}

// saveSetupPC parses, validates and saves step 2's form. saved is false
// when the step was shown again (with its errors, or by setupAccess).
func (s *Server) saveSetupPC(w http.ResponseWriter, r *http.Request) (ss setupState, saved bool, err error) {
	ss, ok, err := s.setupAccess(w, r)
	if !ok || err != nil {
		return ss, false, err
	}
	if err := parseForm(r); err != nil {
		return ss, false, err
	}
	f, in := parsePC(r, s.pcSecretAvailable(ss.settings))
	if !f.Valid() {
		return ss, false, s.renderSetupStep(w, r, ss, stepPC, http.StatusUnprocessableEntity, f, nil)
	}
	if err := s.savePC(r.Context(), in); err != nil {
		return ss, false, err
	}
	return ss, true, nil
}

// setupPCTest is step 2's "Test connection".
func (s *Server) setupPCTest(w http.ResponseWriter, r *http.Request) error {
	ss, ok, err := s.setupAccess(w, r)
	if !ok || err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, res, err := s.pcTest(r, ss.settings)
	if err != nil {
		return err
	}
	status := testStatus(w, r, res)
	if isHTMX(r) {
		return s.render(w, r, status, templates.TestResultBox(res))
	}
	return s.renderSetupStep(w, r, ss, stepPC, status, f, res)
}

// setupOIDC is step 3: the sign-in provider, or skip.
func (s *Server) setupOIDC(w http.ResponseWriter, r *http.Request) error {
	ss, ok, err := s.setupAccess(w, r)
	if !ok || err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if r.PostForm.Get("skip") == "" {
		f, in := parseOIDC(r, len(ss.settings.OidcClientSecretEnc) > 0)
		if !f.Valid() {
			return s.renderSetupStep(w, r, ss, stepOIDC, http.StatusUnprocessableEntity, f, nil)
		}
		if err := s.saveOIDC(r.Context(), in); err != nil {
			return err
		}
	}
	if err := s.advance(r.Context(), ss, stepDefaults); err != nil {
		return err
	}
	redirect(w, r, "/setup")
	return nil
}

// setupDefaults is step 4: country, currency, language.
func (s *Server) setupDefaults(w http.ResponseWriter, r *http.Request) error {
	ss, ok, err := s.setupAccess(w, r)
	if !ok || err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	f, d := parseDefaults(r)
	if !f.Valid() {
		return s.renderSetupStep(w, r, ss, stepDefaults, http.StatusUnprocessableEntity, f, nil)
	}
	if err := s.st.UpdateDefaults(r.Context(), d); err != nil {
		return err
	}
	if err := s.advance(r.Context(), ss, stepImport); err != nil {
		return err
	}
	redirect(w, r, "/setup")
	return nil
}

// setupFinish closes the wizard for good.
func (s *Server) setupFinish(w http.ResponseWriter, r *http.Request) error {
	ss, ok, err := s.setupAccess(w, r)
	if !ok || err != nil {
		return err
	}
	if ss.step < stepImport {
		redirect(w, r, "/setup")
		return nil
	}
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	// Closing the wizard and queueing the initial import happen together,
	// so a crash cannot leave a closed wizard without an import.
	if err := s.com.CompleteSetup(ctx, actorOf(r)); err != nil {
		return fmt.Errorf("finish setup: %w", err)
	}
	s.log.InfoContext(ctx, "setup completed; initial import queued", "request_id", requestID(ctx), "user_id", u.ID)
	s.flash(ctx, "success", "Setup is complete. The initial import has started; its progress is shown below.")
	redirect(w, r, "/sync")
	return nil
}
