package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// onboardingForm is a complete, valid wizard submission.
func onboardingForm(prefix string) url.Values {
	return url.Values{
		"token": {uuid.NewString()}, "company_name": {"Fabrikam Ltd"}, "first_name": {"Ada"}, "last_name": {"Byron"},
		"email": {"ada@fabrikam.example"}, "phone": {"+1 425 555 0100"}, "address_line1": {"1 Microsoft Way"}, "city": {"Redmond"},
		"state": {"WA"}, "postal_code": {"98052"}, "country": {"US"}, "culture": {"en-US"}, "language": {"en"},
		"domain_prefix": {prefix}, "mca_first_name": {"Grace"}, "mca_last_name": {"Hopper"}, "mca_email": {"grace@fabrikam.example"},
		"mca_phone": {"+1 425 555 0101"}, "mca_date": {time.Now().UTC().Format("2006-01-02")},
	}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

var passwordRe = regexp.MustCompile(`data-testid="admin-password">([^<]+)<`)

func TestOnboardingStepsValidateEachField(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	c := e.client()
	e.login(c, "staff@example.com")

	p := e.get(c, "/customers/new")
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "onboarding-company") || !strings.Contains(p.body, `name="token" value="`) {
		t.Fatalf("GET /customers/new: %d\n%s", p.StatusCode, p.body)
	}
	good := onboardingForm("fabrikam")
	future := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
	cases := []struct {
		step, field, value string
	}{
		{"company", "company_name", ""},
		{"company", "first_name", ""},
		{"company", "last_name", " "},
		{"company", "email", "not-an-email"},
		{"company", "email", "ada@localhost"},
		{"company", "phone", "call me"},
		{"company", "address_line1", ""},
		{"company", "city", ""},
		{"company", "state", ""},
		{"company", "postal_code", ""},
		{"company", "country", "USA"},
		{"company", "country", "XX"},
		{"company", "postal_code", "ABCDE"}, // PC's rules for the US
		{"company", "state", "Washington"},
		{"company", "culture", "fr-FR"},
		{"company", "culture", "english"},
		{"company", "language", "eng"},
		{"company", "registration_number", "12345"},
		{"domain", "domain_prefix", ""},
		{"domain", "domain_prefix", "a"},
		{"domain", "domain_prefix", "fabri-kam"},
		{"domain", "domain_prefix", "thisprefixiswaytoolongforpc1"},
		{"agreement", "mca_first_name", ""},
		{"agreement", "mca_last_name", ""},
		{"agreement", "mca_email", "grace"},
		{"agreement", "mca_phone", ""},
		{"agreement", "mca_date", "31/01/2026"},
		{"agreement", "mca_date", future},
		{"agreement", "mca_date", "2001-01-01"},
	}
	for _, tc := range cases {
		p := e.post(c, "/customers/new", with(good, "step", tc.step, tc.field, tc.value))
		if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "onboarding-"+tc.step) || !hasTestID(p.body, "error-"+tc.field) {
			t.Errorf("%s %s=%q: status %d, error shown: %v", tc.step, tc.field, tc.value, p.StatusCode, hasTestID(p.body, "error-"+tc.field))
		}
	}
	// A registration number is required in the countries PC lists.
	if p := e.post(c, "/customers/new", with(good, "step", "company", "country", "HU", "state", "")); !hasTestID(p.body, "error-registration_number") {
		t.Errorf("HU without a registration number accepted")
	}
	// A later step re-checks earlier ones (hidden fields can be edited).
	if p := e.post(c, "/customers/new", with(good, "step", "agreement", "email", "bad")); !hasTestID(p.body, "onboarding-company") || !hasTestID(p.body, "error-email") {
		t.Errorf("a bad hidden email passed the agreement step")
	}
	// Valid steps lead on, and Back goes back keeping the values.
	for _, tc := range []struct{ step, next string }{{"company", "domain"}, {"domain", "agreement"}, {"agreement", "review"}} {
		p := e.post(c, "/customers/new", with(good, "step", tc.step))
		if p.StatusCode != http.StatusOK || !hasTestID(p.body, "onboarding-"+tc.next) {
			t.Fatalf("valid %s: %d, want the %s step\n%s", tc.step, p.StatusCode, tc.next, p.body)
		}
	}
	p = e.post(c, "/customers/new", with(good, "step", "review"))
	if !strings.Contains(p.body, "fabrikam.onmicrosoft.com") || !strings.Contains(p.body, "Grace Hopper") {
		t.Fatalf("review does not show the submission")
	}
	if p = e.post(c, "/customers/new", with(good, "step", "domain", "back", "1")); !hasTestID(p.body, "onboarding-company") || !strings.Contains(p.body, `value="Fabrikam Ltd"`) {
		t.Fatalf("back lost the values")
	}
}

func TestOnboardingDomainCheckIsLive(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, false)
	c := e.client()
	e.login(c, "staff@example.com")
	var taken string
	e.sync("full")
	e.st.Pool.QueryRow(t.Context(), `SELECT split_part(domain, '.', 1) FROM customers WHERE domain LIKE '%.onmicrosoft.com' LIMIT 1`).Scan(&taken)
	if taken == "" {
		t.Fatal("no demo customer with an onmicrosoft.com domain")
	}
	before := e.sb.Calls(sandbox.OpCheckDomain)
	hx := func(prefix string) page {
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/customers/new/domain-check?domain_prefix="+url.QueryEscape(prefix), nil)
		req.Header.Set("HX-Request", "true")
		return e.do(c, req)
	}
	if p := hx("brandnewtenant42"); !hasTestID(p.body, "domain-available") || strings.Contains(p.body, "<html") {
		t.Fatalf("free domain: %s", p.body)
	}
	if p := hx(taken); !hasTestID(p.body, "domain-taken") {
		t.Fatalf("taken domain %s: %s", taken, p.body)
	}
	if p := hx("Bad_Prefix"); !hasTestID(p.body, "domain-invalid") {
		t.Fatalf("invalid prefix: %s", p.body)
	}
	if got := e.sb.Calls(sandbox.OpCheckDomain) - before; got != 2 {
		t.Fatalf("%d live checks, want 2 (none for an invalid prefix)", got)
	}
	// Continuing with a taken domain is refused next to the field.
	if p := e.post(c, "/customers/new", with(onboardingForm(taken), "step", "domain")); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-domain_prefix") {
		t.Fatalf("taken domain accepted: %d", p.StatusCode)
	}
	// PC unreachable: the check says so instead of failing.
	e.sb.FailNext(sandbox.OpCheckDomain, 2, http.StatusServiceUnavailable)
	if p := hx("anotherfreeone"); !hasTestID(p.body, "domain-unknown") {
		t.Fatalf("check with PC failing: %s", p.body)
	}
	// The same prefix again is answered from the short cache; a script
	// typing fast is limited per user.
	before = e.sb.Calls(sandbox.OpCheckDomain)
	if p := hx("brandnewtenant42"); !hasTestID(p.body, "domain-available") {
		t.Fatalf("cached answer: %s", p.body)
	}
	if got := e.sb.Calls(sandbox.OpCheckDomain) - before; got != 0 {
		t.Fatalf("a repeated prefix cost %d PC calls", got)
	}
	limited := 0
	for i := range 100 {
		if p := hx(fmt.Sprintf("scripted%d", i)); strings.Contains(p.body, "Too many checks") {
			limited++
		}
	}
	if got := e.sb.Calls(sandbox.OpCheckDomain) - before; got > 30 || limited < 70 {
		t.Fatalf("100 scripted checks: %d PC calls, %d limited", got, limited)
	}
}

func TestOnboardingCreatesOneCustomerAndShowsTheSignInOnce(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	c := e.client()
	e.login(c, "staff@example.com")
	form := onboardingForm("fabrikamnew")

	p := e.post(c, "/customers/new/create", form)
	m := passwordRe.FindStringSubmatch(p.body)
	if p.StatusCode != http.StatusOK || m == nil || !hasTestID(p.body, "admin-copy") || !strings.Contains(p.body, "will not be shown again") {
		t.Fatalf("create: %d\n%s", p.StatusCode, p.body)
	}
	password := m[1]
	if !strings.Contains(p.body, `data-testid="progress-create-state" data-state="succeeded">done`) || !strings.Contains(p.body, `data-testid="progress-agreement-state" data-state="succeeded">done`) {
		t.Fatalf("progress after create:\n%s", p.body)
	}
	if e.sb.Calls(sandbox.OpCreateCustomer) != 1 || e.sb.Calls(sandbox.OpCreateAgreement) != 1 {
		t.Fatalf("PC calls: create %d, agreement %d", e.sb.Calls(sandbox.OpCreateCustomer), e.sb.Calls(sandbox.OpCreateAgreement))
	}

	// Double submit (or a retry after a timeout): the same customer, no
	// second create, no password.
	p = e.post(c, "/customers/new/create", form)
	if p.StatusCode != http.StatusOK || passwordRe.MatchString(p.body) || !hasTestID(p.body, "credentials-lost") {
		t.Fatalf("resubmit: %d\n%s", p.StatusCode, p.body)
	}
	if e.sb.Calls(sandbox.OpCreateCustomer) != 1 {
		t.Fatalf("resubmit created again: %d calls", e.sb.Calls(sandbox.OpCreateCustomer))
	}

	// The customer is in the mirror with its agreement, in the list and on
	// its page.
	var id string
	var n int
	e.st.Pool.QueryRow(t.Context(), `SELECT id::text, (SELECT count(*) FROM customers) FROM customers WHERE domain = 'fabrikamnew.onmicrosoft.com'`).Scan(&id, &n)
	if id == "" || n != 1 {
		t.Fatalf("mirror: customer %q, %d customers", id, n)
	}
	if p = e.get(c, "/customers?q=fabrikamnew"); matches(t, p.body) != 1 || !strings.Contains(p.body, "accepted") {
		t.Fatalf("list:\n%s", p.body)
	}
	if p = e.get(c, "/customers/"+id); !hasTestID(p.body, "agreement-accepted") || !strings.Contains(p.body, "pc.create_customer") {
		t.Fatalf("customer page:\n%s", p.body)
	}

	// The password is nowhere: not in any table, not in the logs.
	var found int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT
		(SELECT count(*) FROM commands WHERE payload::text LIKE '%' || $1 || '%' OR coalesce(result::text, '') LIKE '%' || $1 || '%' OR last_error LIKE '%' || $1 || '%') +
		(SELECT count(*) FROM audit_log WHERE coalesce(after::text, '') LIKE '%' || $1 || '%' OR detail LIKE '%' || $1 || '%') +
		(SELECT count(*) FROM customers WHERE raw::text LIKE '%' || $1 || '%') +
		(SELECT count(*) FROM sessions WHERE encode(data, 'escape') LIKE '%' || $1 || '%') +
		(SELECT count(*) FROM river_job WHERE args::text LIKE '%' || $1 || '%' OR errors::text LIKE '%' || $1 || '%')`, password).Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != 0 {
		t.Fatalf("the admin password is stored in %d rows", found)
	}
	if strings.Contains(e.logs.String(), password) {
		t.Fatal("the admin password is in the log")
	}
}

func TestOnboardingRefusedByPartnerCenter(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, false)
	e.sync("full")
	c := e.client()
	e.login(c, "staff@example.com")
	var taken string
	e.st.Pool.QueryRow(t.Context(), `SELECT split_part(domain, '.', 1) FROM customers WHERE domain LIKE '%.onmicrosoft.com' LIMIT 1`).Scan(&taken)

	// The domain was free when checked, taken when created: PC refuses and
	// the form comes back with PC's message next to the domain.
	form := onboardingForm(taken)
	p := e.post(c, "/customers/new/create", form)
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "onboarding-domain") || !hasTestID(p.body, "error-domain_prefix") ||
		!strings.Contains(p.body, "already in use") {
		t.Fatalf("taken domain: %d\n%s", p.StatusCode, p.body)
	}
	if strings.Contains(p.body, `value="`+form.Get("token")+`"`) {
		t.Fatal("the refused form keeps its used token")
	}
	var status string
	e.st.Pool.QueryRow(t.Context(), `SELECT status FROM commands WHERE kind = 'create_customer'`).Scan(&status)
	if status != "failed" {
		t.Fatalf("create command %q, want failed", status)
	}

	// The customer is created but PC refuses the agreement: the customer
	// shows "agreement pending" with a retry that then succeeds.
	e.sb.FailNext(sandbox.OpCreateAgreement, 1, http.StatusBadRequest)
	p = e.post(c, "/customers/new/create", onboardingForm("contosofresh"))
	if p.StatusCode != http.StatusOK || !passwordRe.MatchString(p.body) || !strings.Contains(p.body, `data-testid="progress-agreement-state" data-state="failed">failed`) {
		t.Fatalf("agreement refused: %d\n%s", p.StatusCode, p.body)
	}
	var id string
	e.st.Pool.QueryRow(t.Context(), `SELECT id::text FROM customers WHERE domain = 'contosofresh.onmicrosoft.com'`).Scan(&id)
	p = e.get(c, "/customers/"+id)
	if !hasTestID(p.body, "agreement-pending") || !hasTestID(p.body, "agreement-retry") {
		t.Fatalf("customer page after a refused agreement:\n%s", p.body)
	}
	if p = e.get(c, "/customers?noagreement=1&q=contosofresh"); matches(t, p.body) != 1 {
		t.Fatal("not listed as missing its agreement")
	}
	if p = e.post(c, "/customers/"+id+"/agreement/retry", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %d", p.StatusCode)
	}
	if p = e.get(c, "/customers/"+id); !hasTestID(p.body, "agreement-accepted") {
		t.Fatalf("agreement after retry:\n%s", p.body)
	}
}

func TestOnboardingFallsBackToTheWorkerWhenPCIsDown(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	c := e.client()
	e.login(c, "staff@example.com")
	e.sb.FailNext(sandbox.OpCreateCustomer, 2, http.StatusServiceUnavailable)
	form := onboardingForm("laterco")
	p := e.post(c, "/customers/new/create", form)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "credentials-lost") || !strings.Contains(p.body, "Reset password") ||
		!strings.Contains(p.body, `hx-trigger="every 1s"`) {
		t.Fatalf("PC down: %d\n%s", p.StatusCode, p.body)
	}
	// The held job was released: the worker delivers it with the same
	// request id, and the progress then queues the agreement.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	e.stack.Start()
	var token string
	e.st.Pool.QueryRow(ctx, `SELECT token::text FROM onboardings`).Scan(&token)
	for {
		p = e.get(c, "/customers/onboarding/"+token+"/status")
		if strings.Contains(p.body, `data-testid="progress-agreement-state" data-state="succeeded">done`) {
			break
		}
		if ctx.Err() != nil {
			var st, le string
			var att int
			e.st.Pool.QueryRow(context.Background(), `SELECT status, last_error, attempts FROM commands ORDER BY id LIMIT 1`).Scan(&st, &le, &att)
			var js string
			e.st.Pool.QueryRow(context.Background(), `SELECT state::text || scheduled_at::text FROM river_job LIMIT 1`).Scan(&js)
			t.Fatalf("never finished: %d %q %s %q %d %s\n%s", p.StatusCode, token, st, le, att, js, p.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := e.sb.Calls(sandbox.OpCreateCustomer); got != 3 {
		t.Fatalf("create-customer calls %d, want 3 (2 failed + 1)", got)
	}
	var n int
	e.st.Pool.QueryRow(ctx, `SELECT count(*) FROM customers WHERE domain = 'laterco.onmicrosoft.com'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d customers", n)
	}
}

// The wizard's small courtesies: countries from PC's list, required fields
// marked, the agreement dated today unless changed, and a domain error
// that the live check replaces instead of standing beside its answer.
func TestOnboardingFormMarksAndDefaults(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	c := e.client()
	e.login(c, "staff@example.com")
	p := e.get(c, "/customers/new")
	for _, want := range []string{`<select id="f-country" name="country" required`, `<option value="HU">Hungary (HU)</option>`,
		`<option value="US" selected>United States (US)</option>`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("company step lacks %q", want)
		}
	}
	if !strings.Contains(inputTag(p.body, "company_name"), " required") || strings.Contains(inputTag(p.body, "phone"), " required") {
		t.Errorf("required marks: company name %q, phone %q", inputTag(p.body, "company_name"), inputTag(p.body, "phone"))
	}
	good := onboardingForm("fabrikam")
	good.Del("mca_date")
	p = e.post(c, "/customers/new", with(good, "step", "domain"))
	if !hasTestID(p.body, "onboarding-agreement") || !strings.Contains(inputTag(p.body, "mca_date"), `value="`+time.Now().UTC().Format("2006-01-02")+`"`) ||
		!strings.Contains(inputTag(p.body, "mca_phone"), " required") {
		t.Fatalf("agreement step: no date default or the phone not marked required\n%s", p.body)
	}
	p = e.post(c, "/customers/new", with(good, "step", "domain", "domain_prefix", "fab-rikam"))
	i := strings.Index(p.body, `id="domain-check"`)
	if i < 0 || !strings.Contains(p.body[i:], `data-testid="error-domain_prefix"`) || strings.Contains(p.body[:i], `data-testid="error-domain_prefix"`) {
		t.Fatal("the domain error is not inside the live check's region")
	}
}

// inputTag is the <input> tag of a form field.
func inputTag(body, name string) string {
	i := strings.Index(body, `<input id="f-`+name+`"`)
	if i < 0 {
		return ""
	}
	return body[i : i+strings.Index(body[i:], ">")+1]
}

// Each field's length is checked in characters against its limit
// (rules.CustomerFieldLimits) and the message stands next to the field;
// a long name in Chinese within the limit passes.
func TestOnboardingFieldLengths(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	c := e.client()
	e.login(c, "staff@example.com")
	good := onboardingForm("lengths")
	for _, tc := range []struct{ step, field, value, msg string }{
		{"company", "last_name", strings.Repeat("x", 10000), "Use at most 64 characters (this has 10000)."},
		{"company", "first_name", strings.Repeat("é", 65), "Use at most 64 characters (this has 65)."},
		{"company", "company_name", strings.Repeat("北", 256), "Use at most 255 characters (this has 256)."},
		{"company", "address_line1", strings.Repeat("x", 256), "Use at most 255 characters (this has 256)."},
		{"company", "postal_code", strings.Repeat("9", 41), "Use at most 40 characters (this has 41)."},
		{"agreement", "mca_last_name", strings.Repeat("x", 65), "Use at most 64 characters (this has 65)."},
	} {
		p := e.post(c, "/customers/new", with(good, "step", tc.step, tc.field, tc.value))
		if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.body, `data-testid="error-`+tc.field+`">`+tc.msg+`<`) {
			t.Errorf("%s %s of %d characters: status %d, message next to the field missing\n%s", tc.step, tc.field,
				len([]rune(tc.value)), p.StatusCode, p.body)
		}
	}
	if p := e.post(c, "/customers/new", with(good, "step", "company", "company_name", strings.Repeat("北", 255))); hasTestID(p.body, "error-company_name") {
		t.Errorf("a company name of 255 Chinese characters (765 bytes) was refused")
	}
}
