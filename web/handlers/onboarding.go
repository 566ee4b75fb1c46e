package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// onboardingNew starts the wizard with a fresh idempotency token.
func (s *Server) onboardingNew(w http.ResponseWriter, r *http.Request) error {
	st, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	f := templates.NewForm()
	f.Values["token"] = uuid.NewString()
	country := cmp.Or(st.DefaultCountry, "US")
	lang := cmp.Or(strings.ToLower(strings.SplitN(st.DefaultLanguage, "-", 2)[0]), "en")
	f.Values["country"], f.Values["language"], f.Values["culture"] = country, lang, lang+"-"+country
	if reCulture.MatchString(st.DefaultLanguage) {
		f.Values["culture"] = st.DefaultLanguage
	}
	return s.renderOnboarding(w, r, http.StatusOK, "company", f)
}

// onboardingStep validates the posted step and shows the next one (or the
// same one with a message next to each problem).
func (s *Server) onboardingStep(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := onboardingInput(r)
	if _, err := uuid.Parse(f.Get("token")); err != nil {
		f.Values["token"] = uuid.NewString()
	}
	step := r.PostForm.Get("step")
	i := slices.Index(onboardingOrder, step)
	if i < 0 {
		return s.renderOnboarding(w, r, http.StatusOK, "company", f)
	}
	if r.PostForm.Get("back") == "1" {
		return s.renderOnboarding(w, r, http.StatusOK, onboardingOrder[max(i-1, 0)], f)
	}
	if bad := s.firstInvalidStep(r.Context(), f, i); bad != "" {
		return s.renderOnboarding(w, r, http.StatusUnprocessableEntity, bad, f)
	}
	if step == "domain" {
		// The check as the user typed may be stale: ask once more.
		if state, msg := s.domainState(r.Context(), f.Get("domain_prefix")); state == "taken" {
			f.Errors["domain_prefix"] = msg
			return s.renderOnboarding(w, r, http.StatusUnprocessableEntity, "domain", f)
		}
	}
	return s.renderOnboarding(w, r, http.StatusOK, onboardingOrder[min(i+1, len(onboardingOrder)-1)], f)
}

// firstInvalidStep validates steps 0..upto and returns the first with a
// problem ("" when all are valid). The company step is also checked
// against Partner Center's rules for the chosen country.
func (s *Server) firstInvalidStep(ctx context.Context, f templates.Form, upto int) string {
	for _, st := range onboardingOrder[:upto+1] {
		validateStepIn(ctx, f, st, s.now())
		if st == "company" && f.Valid() {
			s.checkCountryRules(ctx, f)
		}
		if !f.Valid() {
			return st
		}
	}
	return ""
}

func (s *Server) renderOnboarding(w http.ResponseWriter, r *http.Request, status int, step string, f templates.Form) error {
	if step == "agreement" && f.Get("mca_date") == "" {
		f.Values["mca_date"] = s.now().UTC().Format("2006-01-02") // most customers accept the day they are onboarded
	}
	v := templates.OnboardingView{Step: step, Form: f, Hidden: hiddenExcept(f, step), Countries: countryOptions()}
	choices, err := s.st.ResellerChoices(r.Context())
	if err != nil {
		return err
	}
	for _, c := range choices {
		label := i18n.T(r.Context(), "h.onb.reseller", c.Name, c.MpnID)
		if c.MpaSigned != nil && !*c.MpaSigned {
			label = i18n.T(r.Context(), "h.onb.reseller_no_mpa", label)
		}
		v.Resellers = append(v.Resellers, templates.Option{Value: c.TenantID.String(), Label: label})
		if c.TenantID.String() == f.Get("reseller_tenant_id") {
			f.Values["reseller_name"] = c.Name
		}
	}
	if step == "review" {
		v.Review = onboardingReview(r.Context(), f)
	}
	p := s.page(r, "Onboard a customer", "/customers")
	p.Width = "medium"
	return s.render(w, r, status, templates.OnboardingPage(p, v))
}

// onboardingDomainCheck answers the live availability check (htmx).
func (s *Server) onboardingDomainCheck(w http.ResponseWriter, r *http.Request) error {
	prefix := strings.TrimSpace(r.URL.Query().Get("domain_prefix"))
	domain := prefix + ".onmicrosoft.com"
	if msg := domainPrefixProblem(prefix); msg != "" {
		if prefix == "" {
			return s.render(w, r, http.StatusOK, templates.DomainCheck("", "", ""))
		}
		return s.render(w, r, http.StatusOK, templates.DomainCheck("invalid", domain, i18n.Text(r.Context(), msg)))
	}
	if a, ok := s.live.cached("domain:"+prefix, s.now()); ok {
		return s.render(w, r, http.StatusOK, templates.DomainCheck(a.state, domain, domainMessage(r.Context(), a.state, domain, a.msg)))
	}
	if u := auth.UserFrom(r.Context()); u == nil || !s.live.allow(u.ID, s.now()) {
		return s.render(w, r, http.StatusOK, templates.DomainCheck("unknown", domain,
			i18n.Text(r.Context(), "Too many checks in a minute: availability is checked again when you continue and when the customer is created.")))
	}
	state, msg := s.domainState(r.Context(), prefix)
	return s.render(w, r, http.StatusOK, templates.DomainCheck(state, domain, msg))
}

// domainState asks PC whether prefix.onmicrosoft.com is free: "available",
// "taken", or "unknown" with a message when PC could not say.
func (s *Server) domainState(ctx context.Context, prefix string) (string, string) {
	domain := prefix + ".onmicrosoft.com"
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return "unknown", i18n.Text(ctx, "Availability cannot be checked: the Partner Center connection is not set up.")
	}
	ctx, cancel := context.WithTimeout(pcconn.Interactive(ctx), 10*time.Second)
	defer cancel()
	free, err := pc.CheckDomainAvailable(ctx, domain)
	if err != nil {
		return "unknown", i18n.T(ctx, "h.onb.domain_unchecked", pcMessage(ctx, err))
	}
	state := "available"
	if !free {
		state = "taken"
	}
	// Remembered for every reader: the message is put in each one's
	// language when shown.
	s.live.remember("domain:"+prefix, state, "", s.now())
	return state, domainMessage(ctx, state, domain, "")
}

// domainMessage is a remembered availability's message in the reader's
// language.
func domainMessage(ctx context.Context, state, domain, msg string) string {
	if state == "taken" {
		return i18n.T(ctx, "h.onb.domain_taken", domain)
	}
	return msg
}

// onboardingCreate creates the customer (commerce.CreateCustomer) and
// shows the admin sign-in and the live progress of the agreement step.
func (s *Server) onboardingCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	f := onboardingInput(r)
	token, err := uuid.Parse(f.Get("token"))
	if err != nil {
		f.Values["token"] = uuid.NewString()
		f.Errors["_form"] = "The form expired. Check the details and create again."
		return s.renderOnboarding(w, r, http.StatusUnprocessableEntity, "review", f)
	}
	if ob, err := s.st.OnboardingByToken(ctx, token); err == nil {
		return s.onboardingResult(w, r, ob, nil, true)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if bad := s.firstInvalidStep(ctx, f, len(onboardingOrder)-1); bad != "" {
		return s.renderOnboarding(w, r, http.StatusUnprocessableEntity, bad, f)
	}
	ob, err := s.com.CreateCustomer(ctx, actorOf(r), token, onboardingCustomer(f))
	var refused *commerce.RefusedError
	var noTemplate *commerce.TemplateError
	switch {
	case errors.Is(err, commerce.ErrUnknownReseller):
		f.Errors["reseller_tenant_id"] = "Partner Center does not list this reseller (any more). Choose another, or none."
		return s.renderOnboarding(w, r, http.StatusUnprocessableEntity, "company", f)
	case errors.Is(err, pcconn.ErrNotConfigured):
		f.Errors["_form"] = "The Partner Center connection is not set up: an admin completes it under Settings."
		return s.renderOnboarding(w, r, http.StatusUnprocessableEntity, "review", f)
	case errors.As(err, &noTemplate):
		f.Errors["_form"] = i18n.T(ctx, "h.onb.no_template", pcMessage(ctx, noTemplate.Err))
		return s.renderOnboarding(w, r, http.StatusBadGateway, "review", f)
	case errors.As(err, &refused):
		// PC refused: nothing exists in PC. Let the user fix the form and
		// try again with a fresh token.
		why := refused.LastError
		if refused.Err != nil {
			why = pcMessage(ctx, refused.Err)
		}
		msg := i18n.T(ctx, "h.onb.create_refused", why)
		f.Values["token"] = uuid.NewString()
		if strings.Contains(strings.ToLower(why), "domain") {
			f.Errors["domain_prefix"] = msg
			return s.renderOnboarding(w, r, http.StatusUnprocessableEntity, "domain", f)
		}
		f.Errors["_form"] = msg
		return s.renderOnboarding(w, r, http.StatusUnprocessableEntity, "review", f)
	case err != nil:
		return err
	}
	return s.onboardingResult(w, r, ob.Onboarding, ob.SignIn, ob.Resubmitted)
}

// onboardingResult renders the result page; creds is non-nil only in the
// response to the request that created the customer.
func (s *Server) onboardingResult(w http.ResponseWriter, r *http.Request, ob store.Onboarding, creds *commerce.TenantSignIn, resubmitted bool) error {
	st, err := s.onboardingStatusOf(r.Context(), ob)
	if err != nil {
		return err
	}
	v := templates.OnboardingResultView{CompanyName: ob.CompanyName, Domain: ob.Domain, Status: st, Resubmitted: resubmitted}
	if creds != nil && creds.Password != "" {
		v.UserName, v.Password = creds.UserName, creds.Password
		if !strings.Contains(v.UserName, "@") {
			v.UserName += "@" + ob.Domain
		}
	} else if st.CreateState != commerce.CommandFailed {
		v.CredentialsLost = true
	}
	p := s.page(r, i18n.T(r.Context(), "h.onb.title", ob.CompanyName), "/customers")
	p.Width = "medium"
	return s.render(w, r, http.StatusOK, templates.OnboardingResultPage(p, v))
}

// onboardingShow is the progress page of a submitted wizard (no sign-in).
func (s *Server) onboardingShow(w http.ResponseWriter, r *http.Request) error {
	ob, err := s.onboardingFromURL(r)
	if err != nil {
		return err
	}
	return s.onboardingResult(w, r, ob, nil, true)
}

// onboardingStatus is the self-polling progress fragment. It also queues
// the agreement when the worker (not the request) created the customer.
func (s *Server) onboardingStatus(w http.ResponseWriter, r *http.Request) error {
	ob, err := s.onboardingFromURL(r)
	if err != nil {
		return err
	}
	if ob, err = s.com.AdvanceOnboarding(r.Context(), actorOf(r), ob); err != nil {
		return err
	}
	st, err := s.onboardingStatusOf(r.Context(), ob)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.OnboardingProgress(st))
}

func (s *Server) onboardingFromURL(r *http.Request) (store.Onboarding, error) {
	token, err := uuid.Parse(chi.URLParam(r, "token"))
	if err != nil {
		return store.Onboarding{}, store.ErrNotFound
	}
	return s.st.OnboardingByToken(r.Context(), token)
}

func (s *Server) onboardingStatusOf(ctx context.Context, ob store.Onboarding) (templates.OnboardingStatus, error) {
	st := templates.OnboardingStatus{Token: ob.Token.String()}
	create, err := s.st.Command(ctx, ob.CreateCommandID)
	if err != nil {
		return st, err
	}
	st.CreateState = create.Status
	if create.Status == commerce.CommandFailed {
		st.CreateDetail = i18n.T(ctx, "h.onb.pc_refused", create.LastError)
		st.Done = true
	} else if create.Status != commerce.CommandSucceeded && create.LastError != "" {
		st.CreateDetail = i18n.T(ctx, "h.onb.retrying_after", create.LastError)
	}
	if create.CustomerID != nil {
		st.CustomerHref = "/customers/" + create.CustomerID.String()
	}
	if ob.AgreementCommandID != nil {
		agr, err := s.st.Command(ctx, *ob.AgreementCommandID)
		if err != nil {
			return st, err
		}
		st.AgreementState = agr.Status
		switch agr.Status {
		case commerce.CommandFailed:
			st.AgreementDetail = i18n.T(ctx, "h.onb.agreement_refused", agr.LastError)
			if isConsentCode(agr.PcErrorCode) {
				st.AgreementDetail = i18n.Text(ctx, "The customer exists, but the agreement was not recorded. Retry from the customer's page once a partner admin is connected.")
				st.Consent = s.consentNoticeNow(ctx)
			}
			st.Done = true
		case commerce.CommandPending, commerce.CommandDelivering:
			if strings.Contains(agr.LastError, commerce.NotYetReadableMessage) {
				st.AgreementWaiting = i18n.T(ctx, "h.onb.waiting", commerce.ReadAfterCreateWait, strconv.Itoa(int(agr.Attempts)))
			}
		case commerce.CommandSucceeded:
			st.Done = true
		}
	}
	return st, nil
}

// agreementState fills the customer page's "agreement pending" note for a
// customer the wizard created whose agreement is not (yet) accepted.
func (s *Server) agreementState(r *http.Request, id uuid.UUID, v *templates.CustomerView) error {
	ob, err := s.st.OnboardingByCustomer(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if ob.AgreementCommandID == nil {
		v.AgreementNote, v.CanRetry = i18n.T(r.Context(), "h.onb.note_not_sent"), true
		return nil
	}
	agr, err := s.st.Command(r.Context(), *ob.AgreementCommandID)
	if err != nil {
		return err
	}
	switch agr.Status {
	case commerce.CommandFailed:
		v.AgreementNote, v.CanRetry = i18n.T(r.Context(), "h.onb.note_refused", agr.LastError), true
		if isConsentCode(agr.PcErrorCode) {
			v.AgreementNote = i18n.T(r.Context(), "h.onb.note_consent")
			v.Consent = s.consentNoticeNow(r.Context())
		}
	case commerce.CommandSucceeded:
		v.AgreementNote = i18n.T(r.Context(), "h.onb.note_accepted")
	default:
		v.AgreementNote = i18n.T(r.Context(), "h.onb.note_sending")
		if strings.Contains(agr.LastError, commerce.NotYetReadableMessage) {
			v.AgreementNote = i18n.T(r.Context(), "h.onb.note_waiting")
		}
	}
	return nil
}

// agreementRetry sends the onboarding's agreement again after a failure.
func (s *Server) agreementRetry(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	back := "/customers/" + id.String()
	cmd, err := s.com.RetryAgreement(ctx, actorOf(r), id)
	kind, msg := "info", "The agreement is being sent to Partner Center again."
	switch {
	case errors.Is(err, commerce.ErrNotOnboarded):
		kind, msg = "error", "This customer was not onboarded through the portal: record the agreement in Partner Center."
	case errors.Is(err, commerce.ErrAgreementOnItsWay):
		msg = "The agreement is already on its way to Partner Center."
	case cmd.Status == commerce.CommandSucceeded:
		kind, msg = "success", "Partner Center recorded the agreement."
	case cmd.Status == commerce.CommandFailed:
		kind, msg = "error", i18n.T(ctx, "h.onb.agreement_refused_again", pcMessage(ctx, err))
		if pccclient.IsConsentRequired(err) {
			msg = i18n.T(ctx, "h.onb.agreement_not_recorded", consentText(ctx, err))
		}
	case err != nil && cmd.Status == "":
		return err
	}
	s.flash(ctx, kind, msg)
	redirect(w, r, back)
	return nil
}

// pcMessage is PC's own message for err, without internals.
func pcMessage(ctx context.Context, err error) string {
	if err == nil {
		return i18n.T(ctx, "h.pc.no_answer")
	}
	if pccclient.IsConsentRequired(err) {
		return consentText(ctx, err)
	}
	var pe *pccclient.Error
	if errors.As(err, &pe) {
		if pe.HTTPStatus == 0 {
			return i18n.T(ctx, "h.pc.unreachable")
		}
		return cmp.Or(pe.Description, pe.Error())
	}
	var ae *pccclient.ArgumentError
	if errors.As(err, &ae) {
		return ae.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return i18n.T(ctx, "h.pc.timeout")
	}
	if errors.Is(err, pcconn.ErrNotConfigured) {
		return i18n.T(ctx, "h.pc.not_set_up")
	}
	return i18n.T(ctx, "h.pc.unexpected")
}
