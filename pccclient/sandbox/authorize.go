package sandbox

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The authorize endpoint: GET/POST /{tenant}/oauth2/v2.0/authorize (and the
// v1 /{tenant}/oauth2/authorize) show a minimal sign-in page for the
// sandbox's partner users and, on success, redirect to redirect_uri with
// code and state, as Entra does for the authorization-code flow.
//
// Stricter than Entra for confidential clients: PKCE with S256 is required
// (Entra requires it only for public clients and SPAs), so a portal that
// forgets PKCE fails here rather than later. Every redirect_uri with an
// absolute http(s) URL is accepted (Entra checks the app registration's list;
// the sandbox has none). Errors that cannot be sent back (unknown client,
// bad redirect_uri) are shown on the page, the others are redirected with
// error and error_description, like Entra.

var signInPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>Sign in to the Partner Center sandbox</title><link rel="stylesheet" href="/sandbox-signin.css"></head>
<body>
<main>
<h1>Sign in</h1>
{{if .SignIn}}<p>Entra ID sandbox: sign in with a work account of the partner's tenant or of one of its customers' tenants (admin@ the customer's domain).</p>
{{else}}<p>Partner Center sandbox: sign in as a partner admin to let the application call Partner Center on your behalf.</p>{{end}}
{{if .Fatal}}<p role="alert" id="error">{{.Fatal}}</p>{{else}}
{{if .ReturnTo}}<p class="note">After you sign in (or cancel) you go back to <strong>{{.ReturnTo}}</strong>.</p>
{{end}}
<form method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}{{if .Error}}<p role="alert" id="error">{{.Error}}</p>
{{end}}<p><label for="username">Email</label><br><input id="username" name="username" type="email" autocomplete="username" value="{{.Username}}" required></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit" name="action" value="signin" id="signin">{{if .SignIn}}Sign in{{else}}Sign in and accept{{end}}</button>
<button type="submit" name="action" value="cancel" id="cancel" formnovalidate>Cancel</button></p>
</form>
<details><summary>Test users</summary><ul>{{range .Users}}<li><code>{{.UPN}}</code> / <code>{{.Password}}</code> ({{if .MFA}}with{{else}}without{{end}} MFA)</li>{{end}}</ul></details>
{{end}}
</main>
</body></html>
`))

type hiddenField struct{ Name, Value string }

type signInData struct {
	Action   string
	Hidden   []hiddenField
	Username string
	Error    string
	Fatal    string
	ReturnTo string // the redirect URI's host, once checked
	Users    []User
	SignIn   bool // an OIDC sign-in (signin.go), not the Partner Center consent
}

// signInCSS styles the sign-in page; served from the sandbox's origin so
// the page's CSP allows it without inline styles.
const signInCSS = `body { margin: 0; background: #f2f2f2; color: #1b1b1b; font: 15px/1.5 system-ui, "Segoe UI", sans-serif; }
main { max-width: 440px; margin: 3rem auto; padding: 2rem 2.5rem; background: #fff; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
label { font-weight: 600; }
input[type=email], input[type=password] { box-sizing: border-box; width: 100%; padding: .45rem .5rem; margin-top: .25rem; font: inherit; border: 1px solid #8a8886; }
button { font: inherit; padding: .45rem 1.25rem; margin-right: .5rem; border: 1px solid #8a8886; background: #fff; cursor: pointer; }
button#signin { background: #0067b8; border-color: #0067b8; color: #fff; }
#error { color: #a4262c; font-weight: 600; }
.note, details { color: #505050; font-size: .9rem; }
`

func signInStyle(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write([]byte(signInCSS))
}

// authorizeParams are the query (GET) or form (POST) fields carried
// through the sign-in page.
var authorizeParams = []string{"client_id", "response_type", "redirect_uri", "response_mode", "scope", "state",
	"code_challenge", "code_challenge_method", "resource", "prompt", "nonce"}

func (s *Sandbox) authorizeHandler(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	p := r.Form // query and, for POST, the body
	signIn := isSignIn(p)
	page := signInData{Action: r.URL.Path, Username: p.Get("login_hint"), SignIn: signIn}
	if signIn {
		page.Users = s.signInTestUsers()
	} else {
		page.Users = s.users()
	}
	for _, k := range authorizeParams {
		if v := p.Get(k); v != "" {
			page.Hidden = append(page.Hidden, hiddenField{k, v})
		}
	}
	show := func(status int) {
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_ = signInPage.Execute(w, page)
	}
	tenant := r.PathValue("tenant")
	if t := tenant; !s.tenantOK(t) && !(signIn && s.signInTenantOK(t)) {
		page.Fatal = "AADSTS90002: Tenant '" + t + "' not found."
		show(http.StatusBadRequest)
		return
	}
	if p.Get("client_id") != s.creds.ClientID {
		page.Fatal = "AADSTS700016: Application with identifier '" + p.Get("client_id") + "' was not found in the directory '" + s.creds.TenantID + "'."
		show(http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(p.Get("redirect_uri"))
	if err != nil || (redirect.Scheme != "http" && redirect.Scheme != "https") || redirect.Host == "" || redirect.Fragment != "" {
		page.Fatal = "AADSTS50011: The redirect URI '" + p.Get("redirect_uri") + "' specified in the request is not a valid absolute URL."
		show(http.StatusBadRequest)
		return
	}
	page.ReturnTo = redirect.Host
	back := func(q url.Values) {
		if st := p.Get("state"); st != "" {
			q.Set("state", st)
		}
		u := *redirect
		rq := u.Query()
		for k, vs := range q {
			rq[k] = vs
		}
		u.RawQuery = rq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) {
		back(url.Values{"error": {code}, "error_description": {desc}})
	}
	switch {
	case p.Get("response_type") != "code":
		fail("unsupported_response_type", "AADSTS700054: response_type '"+p.Get("response_type")+"' is not enabled for the application; use 'code'.")
		return
	case p.Get("code_challenge") == "":
		fail("invalid_request", "AADSTS9002325: Proof Key for Code Exchange is required: send code_challenge and code_challenge_method=S256.")
		return
	case p.Get("code_challenge_method") != "S256":
		fail("invalid_request", "AADSTS501491: Invalid size of Code_Challenge parameter or code_challenge_method is not 'S256' (the sandbox accepts S256 only).")
		return
	case signIn && p.Get("nonce") == "":
		// Entra requires a nonce when an id_token is asked for; a portal
		// that forgets it could not detect a replayed token.
		fail("invalid_request", "AADSTS900144: The request body must contain the following parameter: 'nonce'.")
		return
	case !signIn && !strings.Contains(p.Get("scope"), "user_impersonation") && !strings.EqualFold(p.Get("resource"), Resource):
		fail("invalid_scope", "AADSTS70011: The provided request must include a 'scope' with "+Resource+"/user_impersonation.")
		return
	}
	if r.Method == http.MethodGet {
		show(http.StatusOK)
		return
	}
	if p.Get("action") == "cancel" {
		back(url.Values{"error": {"access_denied"}, "error_subcode": {"cancel"},
			"error_description": {"AADSTS65004: User declined to consent to access the app."}})
		return
	}
	if signIn {
		s.signInCode(w, r, p, tenant, &page, show, back)
		return
	}
	u := s.user(p.Get("username"))
	if u == nil || u.Password != p.Get("password") {
		page.Username = p.Get("username")
		page.Error = "Your account or password is incorrect."
		show(http.StatusOK)
		return
	}
	now := s.clock.Now()
	code := "sbx-code." + randToken(32)
	s.tokMu.Lock()
	s.codes[code] = &authCode{User: u.UPN, MFA: u.MFA, ClientID: p.Get("client_id"), RedirectURI: p.Get("redirect_uri"),
		Challenge: p.Get("code_challenge"), Expires: now.Add(codeLifetime)}
	s.tokMu.Unlock()
	back(url.Values{"code": {code}, "session_state": {randToken(12)}})
}

// signInCode checks an OIDC sign-in's account and sends a code back. A
// tenant-specific authority signs in only its own tenant's users, as Entra
// does for a single-tenant authority.
func (s *Sandbox) signInCode(w http.ResponseWriter, r *http.Request, p url.Values, tenant string, page *signInData, show func(int), back func(url.Values)) {
	u := s.signInAccount(p.Get("username"))
	if u == nil || u.Password != p.Get("password") {
		page.Username = p.Get("username")
		page.Error = "Your account or password is incorrect."
		show(http.StatusOK)
		return
	}
	if !slices.Contains(multiTenantAuthorities, strings.ToLower(tenant)) && !strings.EqualFold(tenant, u.TenantID) {
		page.Username = p.Get("username")
		page.Error = "AADSTS50020: User account '" + u.UPN + "' does not exist in tenant '" + tenant + "' and cannot access the application in that tenant."
		show(http.StatusOK)
		return
	}
	code := "sbx-code." + randToken(32)
	s.tokMu.Lock()
	s.codes[code] = &authCode{User: u.UPN, MFA: u.MFA, ClientID: p.Get("client_id"), RedirectURI: p.Get("redirect_uri"),
		Challenge: p.Get("code_challenge"), Expires: s.clock.Now().Add(codeLifetime),
		SignIn: true, Nonce: p.Get("nonce"), Scope: p.Get("scope"), TenantID: u.TenantID}
	s.tokMu.Unlock()
	back(url.Values{"code": {code}, "session_state": {randToken(12)}})
}
