package handlers

import (
	"cmp"
	"context"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/web/templates"
)

// onboardingFields are the wizard's fields by step.
var onboardingFields = map[string][]string{
	"company": {"company_name", "first_name", "last_name", "email", "phone", "address_line1", "address_line2", "city", "state",
		"postal_code", "country", "culture", "language", "registration_number", "reseller_tenant_id"},
	"domain":    {"domain_prefix"},
	"agreement": {"mca_first_name", "mca_last_name", "mca_email", "mca_phone", "mca_date"},
	"review":    {},
}

var onboardingOrder = []string{"company", "domain", "agreement", "review"}

var (
	// reDomainPrefix is Partner Center's rule for the <prefix>.onmicrosoft.com
	// domain: lowercase letters and digits (no hyphens or dots).
	reDomainPrefix = regexp.MustCompile(`^[a-z0-9]{2,27}$`)
	reCulture      = regexp.MustCompile(`^[a-z]{2}-[A-Z]{2}$`)
	reLang2        = regexp.MustCompile(`^[a-z]{2}$`)
	rePhone        = regexp.MustCompile(`^\+?[0-9 ().-]{6,25}$`)
	reRegNumber    = regexp.MustCompile(`^[A-Za-z0-9-]{4,32}$`)
)

// regNumberCountries must send an organization registration number; every
// other country must not (PC answers 600049 / 600002).
var regNumberCountries = map[string]bool{"AM": true, "AZ": true, "BY": true, "HU": true, "KZ": true, "KG": true,
	"MD": true, "RU": true, "TJ": true, "UZ": true, "UA": true}

// stateCountries need a state or region in the address.
var stateCountries = map[string]bool{"US": true, "CA": true, "AU": true}

// onboardingInput reads every wizard field from the posted form.
func onboardingInput(r *http.Request) templates.Form {
	f := templates.NewForm()
	for _, names := range onboardingFields {
		for _, n := range names {
			f.Values[n] = strings.TrimSpace(r.PostForm.Get(n))
		}
	}
	f.Values["country"] = strings.ToUpper(f.Values["country"])
	f.Values["domain_prefix"] = strings.ToLower(f.Values["domain_prefix"])
	f.Values["token"] = r.PostForm.Get("token")
	return f
}

// validateStep checks one step's fields, adding messages to f.Errors
// (in English).
func validateStep(f templates.Form, step string, now time.Time) {
	validateStepIn(context.Background(), f, step, now)
}

// validateStepIn is validateStep with the messages in ctx's language.
func validateStepIn(ctx context.Context, f templates.Form, step string, now time.Time) {
	req := func(name, msg string) bool {
		if f.Get(name) == "" {
			f.Errors[name] = msg
			return false
		}
		return true
	}
	email := func(name string) {
		if !req(name, "Enter an email address.") {
			return
		}
		a, err := mail.ParseAddress(f.Get(name))
		if err != nil || a.Address != f.Get(name) || !strings.Contains(a.Address[strings.LastIndex(a.Address, "@")+1:], ".") {
			f.Errors[name] = "Enter an email address like name@example.com."
		}
	}
	phone := func(name string, required bool) {
		if f.Get(name) == "" {
			if required {
				f.Errors[name] = "Enter a phone number."
			}
			return
		}
		if !rePhone.MatchString(f.Get(name)) {
			f.Errors[name] = "Enter a phone number with digits, spaces and an optional leading +."
		}
	}
	// Lengths count characters, not bytes (rules.CustomerFieldLimits): a
	// Chinese company name of 86 characters is 258 bytes and was refused;
	// a 10,000-character last name was sent to PC.
	defer func() {
		for name, msg := range rules.CheckLengths(onboardingFields[step], f.Get, rules.CustomerFieldLimits) {
			if _, bad := f.Errors[name]; !bad {
				f.Errors[name] = msg
			}
		}
	}()
	switch step {
	case "company":
		if id := f.Get("reseller_tenant_id"); id != "" && !isGUID(id) {
			f.Errors["reseller_tenant_id"] = "Choose a reseller from the list."
		}
		req("company_name", "Enter the company's legal name.")
		req("first_name", "Enter the billing contact's first name.")
		req("last_name", "Enter the billing contact's last name.")
		email("email")
		phone("phone", false)
		req("address_line1", "Enter the street address.")
		req("city", "Enter the city.")
		req("postal_code", "Enter the postal code.")
		c := f.Get("country")
		if _, ok := pccclient.LookupMarket(c); !ok || !reCountry.MatchString(c) {
			f.Errors["country"] = "Choose the customer's country from the list."
		}
		if stateCountries[c] {
			req("state", i18n.T(ctx, "h.onb.state_required", c))
		}
		if !reCulture.MatchString(f.Get("culture")) {
			f.Errors["culture"] = "Enter a culture like en-US."
		}
		if !reLang2.MatchString(f.Get("language")) {
			f.Errors["language"] = "Enter a two-letter language code, e.g. en."
		}
		reg := f.Get("registration_number")
		switch {
		case regNumberCountries[c] && reg == "":
			f.Errors["registration_number"] = i18n.T(ctx, "h.onb.reg_required", c)
		case !regNumberCountries[c] && reg != "" && reCountry.MatchString(c):
			f.Errors["registration_number"] = i18n.T(ctx, "h.onb.reg_refused", c)
		case reg != "" && !reRegNumber.MatchString(reg):
			f.Errors["registration_number"] = "Use letters, digits and hyphens (4 to 32)."
		}
	case "domain":
		if msg := domainPrefixProblem(f.Get("domain_prefix")); msg != "" {
			f.Errors["domain_prefix"] = msg
		}
	case "agreement":
		req("mca_first_name", "Enter the first name of the person who accepted.")
		req("mca_last_name", "Enter the last name of the person who accepted.")
		email("mca_email")
		phone("mca_phone", true)
		if req("mca_date", "Enter the date the customer accepted.") {
			d, err := time.Parse("2006-01-02", f.Get("mca_date"))
			switch {
			case err != nil:
				f.Errors["mca_date"] = "Enter a date like 2026-01-31."
			case d.After(now):
				f.Errors["mca_date"] = "The date cannot be in the future."
			case d.Before(now.AddDate(-1, 0, 0)):
				f.Errors["mca_date"] = "The date must be within the last year."
			}
		}
	}
}

// domainPrefixProblem explains why a domain prefix is not acceptable, or "".
func domainPrefixProblem(p string) string {
	switch {
	case p == "":
		return "Enter a domain prefix."
	case len(p) < 2 || len(p) > 27:
		return "Use 2 to 27 characters."
	case !reDomainPrefix.MatchString(p):
		return "Use only lowercase letters a–z and digits 0–9 (no spaces, hyphens or dots)."
	}
	return ""
}

// onboardingCustomer is the customer the wizard's form describes.
func onboardingCustomer(f templates.Form) commerce.NewCustomer {
	agreed, _ := time.Parse("2006-01-02", f.Get("mca_date"))
	return commerce.NewCustomer{CompanyName: f.Get("company_name"), DomainPrefix: f.Get("domain_prefix"),
		RegistrationNumber: f.Get("registration_number"), FirstName: f.Get("first_name"), LastName: f.Get("last_name"),
		Email: f.Get("email"), Phone: f.Get("phone"), AddressLine1: f.Get("address_line1"), AddressLine2: f.Get("address_line2"),
		City: f.Get("city"), State: f.Get("state"), PostCode: f.Get("postal_code"), Country: f.Get("country"),
		Culture: f.Get("culture"), Language: f.Get("language"), ResellerTenantID: f.Get("reseller_tenant_id"),
		Agreement: commerce.AgreementContact{FirstName: f.Get("mca_first_name"), LastName: f.Get("mca_last_name"),
			Email: f.Get("mca_email"), Phone: f.Get("mca_phone"), DateAgreed: agreed}}
}

// onboardingReview lists what will be sent.
func onboardingReview(ctx context.Context, f templates.Form) []templates.ReviewRow {
	addr := strings.Join(nonEmpty(f.Get("address_line1"), f.Get("address_line2"),
		strings.TrimSpace(f.Get("postal_code")+" "+f.Get("city")), f.Get("state"), f.Get("country")), ", ")
	rows := []templates.ReviewRow{
		{Label: i18n.T(ctx, "h.customer.company"), Value: f.Get("company_name"), TestID: "review-company"},
		{Label: i18n.T(ctx, "h.onb.review_contact"), Value: f.Get("first_name") + " " + f.Get("last_name") + " <" + f.Get("email") + ">", TestID: "review-contact"},
		{Label: i18n.T(ctx, "h.onb.review_address"), Value: addr, TestID: "review-address"},
		{Label: i18n.T(ctx, "h.onb.review_domain"), Value: f.Get("domain_prefix") + ".onmicrosoft.com", TestID: "review-domain"},
		{Label: i18n.T(ctx, "h.onb.review_mca"), Value: f.Get("mca_first_name") + " " + f.Get("mca_last_name") + " <" + f.Get("mca_email") + ">", TestID: "review-mca"},
		{Label: i18n.T(ctx, "h.onb.review_mca_date"), Value: f.Get("mca_date"), TestID: "review-mca-date"},
	}
	if name := f.Get("reseller_name"); f.Get("reseller_tenant_id") != "" {
		rows = append(rows, templates.ReviewRow{Label: i18n.T(ctx, "h.onb.review_reseller"), Value: cmp.Or(name, f.Get("reseller_tenant_id")), TestID: "review-reseller"})
	}
	return rows
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// hiddenExcept carries every value not shown on step (and the token).
func hiddenExcept(f templates.Form, step string) []templates.Hidden {
	out := []templates.Hidden{{Name: "token", Value: f.Get("token")}}
	for _, st := range onboardingOrder {
		if st == step {
			continue
		}
		for _, n := range onboardingFields[st] {
			out = append(out, templates.Hidden{Name: n, Value: f.Get(n)})
		}
	}
	return out
}
