package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// access is what a role gets on a route.
type access int

const (
	allowed      access = iota // past the role check: anything but 403, a redirect to /login or a 5xx (a missing record's 404 and a form's 422 count)
	toLogin                    // 303 to /login?next=...
	forbidden                  // 403
	notFoundOK                 // exactly 404 (e.g. the wizard after setup)
	unauthorized               // 401: the reseller API, which takes a bearer token and never a session
)

func (a access) String() string {
	return [...]string{"allowed", "redirect to login", "403", "404", "401"}[a]
}

// roleRule gives the expected access for [anonymous, admin, staff, customer].
type roleRule [4]access

var (
	public      = roleRule{allowed, allowed, allowed, allowed}
	signedIn    = roleRule{toLogin, allowed, allowed, allowed}
	staffOnly   = roleRule{toLogin, allowed, allowed, forbidden}
	adminOnly   = roleRule{toLogin, allowed, forbidden, forbidden}
	custOnly    = roleRule{toLogin, forbidden, forbidden, allowed}
	setupClosed = roleRule{notFoundOK, notFoundOK, notFoundOK, notFoundOK}
	// resellerOnly: none of these roles (reseller users: resellers_test.go).
	resellerOnly = roleRule{toLogin, forbidden, forbidden, forbidden}
	// apiToken: a session of any role is not a credential for the API
	// (tokens: api_test.go).
	apiToken = roleRule{unauthorized, unauthorized, unauthorized, unauthorized}
)

// routeRules is the expected access for every route after setup. The test
// walks the router and fails on any route missing here, so a new route
// cannot escape the matrix.
var routeRules = map[string]roleRule{
	"GET /healthz":                 public,
	"GET /readyz":                  public,
	"GET /favicon.ico":             public,
	"GET /static/*":                public,
	"GET /login":                   public,
	"POST /login":                  public,
	"POST /logout":                 public,
	"POST /language":               public,
	"GET /auth/oidc/start":         setupClosed, // 404 while OIDC is not configured
	"GET /auth/oidc/callback":      setupClosed,
	"GET /setup":                   setupClosed,
	"POST /setup/token":            setupClosed,
	"POST /setup/admin":            setupClosed,
	"POST /setup/pc":               setupClosed,
	"POST /setup/pc/test":          setupClosed,
	"POST /setup/pc/connect":       setupClosed,
	"POST /setup/oidc":             setupClosed,
	"POST /setup/defaults":         setupClosed,
	"POST /setup/finish":           setupClosed,
	"GET /":                        signedIn,
	"GET /catalog":                 staffOnly,
	"GET /customers":               staffOnly,
	"GET /resellers":               staffOnly,
	"GET /reseller/customers":      resellerOnly,
	"GET /reseller/customers/{id}": resellerOnly,
	"GET /reseller/customers/{id}/subscriptions/{sid}":                 resellerOnly,
	"POST /reseller/customers/{id}/subscriptions/{sid}":                resellerOnly,
	"GET /reseller/customers/{id}/subscriptions/{sid}/changes/{token}": resellerOnly,
	"GET /reseller/customers/{id}/subscriptions/{sid}/tranches":        resellerOnly,
	"GET /reseller/prices":                                       resellerOnly,
	"POST /reseller/prices/rules":                                resellerOnly,
	"POST /reseller/prices/rules/{id}/delete":                    resellerOnly,
	"GET /reseller/api-tokens":                                   resellerOnly,
	"POST /reseller/api-tokens":                                  resellerOnly,
	"POST /reseller/api-tokens/{tid}/revoke":                     resellerOnly,
	"GET /api/v1/openapi.json":                                   public,
	"GET /api/v1/customers":                                      apiToken,
	"GET /api/v1/customers/{id}":                                 apiToken,
	"GET /api/v1/customers/{id}/subscriptions":                   apiToken,
	"POST /api/v1/customers/{id}/orders":                         apiToken,
	"GET /api/v1/subscriptions/{id}":                             apiToken,
	"PATCH /api/v1/subscriptions/{id}":                           apiToken,
	"GET /catalog/{country}/offers/{id}":                         staffOnly,
	"GET /catalog/{country}/products/{product}/skus/{sku}":       staffOnly,
	"GET /orders/new":                                            staffOnly,
	"GET /customers/new":                                         staffOnly,
	"POST /customers/new":                                        staffOnly,
	"GET /customers/new/domain-check":                            staffOnly,
	"POST /customers/new/create":                                 staffOnly,
	"GET /customers/onboarding/{token}":                          staffOnly,
	"GET /customers/onboarding/{token}/status":                   staffOnly,
	"GET /customers/{id}":                                        staffOnly,
	"POST /customers/{id}/agreement/retry":                       staffOnly,
	"GET /audit":                                                 staffOnly,
	"GET /audit.csv":                                             staffOnly,
	"GET /sync":                                                  staffOnly,
	"GET /sync/live":                                             staffOnly,
	"POST /sync":                                                 staffOnly,
	"GET /my/subscriptions":                                      custOnly,
	"GET /my/subscriptions.csv":                                  custOnly,
	"GET /my/subscriptions/{sub}":                                custOnly,
	"GET /my/orders":                                             custOnly,
	"GET /my/orders/{order}":                                     custOnly,
	"GET /customers/{id}/cart":                                   staffOnly,
	"POST /customers/{id}/cart/lines":                            staffOnly,
	"POST /customers/{id}/cart/lines/{line}/delete":              staffOnly,
	"GET /customers/{id}/cart/review":                            staffOnly,
	"POST /customers/{id}/orders":                                staffOnly,
	"GET /customers/{id}/orders/{token}":                         staffOnly,
	"POST /customers/{id}/orders/{token}/retry":                  staffOnly,
	"POST /customers/{id}/commands/{cmd}/resend":                 staffOnly,
	"POST /customers/{id}/orders/{token}/cancel":                 staffOnly,
	"GET /customers/{id}/subscriptions/{sid}":                    staffOnly,
	"POST /customers/{id}/subscriptions/{sid}":                   staffOnly,
	"GET /customers/{id}/subscriptions/{sid}/changes/{token}":    staffOnly,
	"GET /customers/{id}/view/subscriptions":                     staffOnly,
	"GET /customers/{id}/view/subscriptions.csv":                 staffOnly,
	"GET /customers/{id}/view/subscriptions/{sub}":               staffOnly,
	"GET /customers/{id}/view/orders":                            staffOnly,
	"GET /customers/{id}/view/orders/{order}":                    staffOnly,
	"GET /customers/{id}/users":                                  staffOnly,
	"POST /customers/{id}/users/invite":                          staffOnly,
	"GET /resellers/{tenant}":                                    staffOnly,
	"POST /resellers/{tenant}/users/invite":                      staffOnly,
	"POST /resellers/{tenant}/invitations/{inv}/revoke":          staffOnly,
	"GET /resellers/{tenant}/users/{uid}/revoke":                 staffOnly,
	"POST /resellers/{tenant}/users/{uid}/revoke":                staffOnly,
	"GET /customers/{id}/users/{uid}/revoke":                     staffOnly,
	"POST /customers/{id}/users/{uid}/revoke":                    staffOnly,
	"POST /customers/{id}/invitations/{inv}/revoke":              staffOnly,
	"POST /customers/{id}/tenant-signin":                         staffOnly,
	"GET /customers/{id}/subscriptions/{sid}/tranches":           staffOnly,
	"GET /customers/{id}/subscriptions/{sid}/next-term":          staffOnly,
	"GET /customers/{id}/subscriptions/{sid}/upgrade":            staffOnly,
	"GET /customers/{id}/renewals":                               staffOnly,
	"GET /customers/{id}/renewals.csv":                           staffOnly,
	"POST /customers/{id}/renewal-prices":                        staffOnly,
	"GET /renewals":                                              staffOnly,
	"GET /renewals.csv":                                          staffOnly,
	"GET /renewals/price-changes":                                staffOnly,
	"GET /customers/{id}/prices.csv":                             staffOnly,
	"POST /renewals/feed":                                        staffOnly,
	"POST /renewals/feed/revoke":                                 staffOnly,
	"GET /calendar/{feed}.ics":                                   public, // the secret address is the credential
	"GET /invitations/{token}":                                   public, // the link is the credential
	"POST /invitations/{token}":                                  public,
	"GET /password/forgot":                                       public, // answers the same whether an account exists
	"POST /password/forgot":                                      public,
	"GET /password/reset/{token}":                                public, // the link is the credential
	"POST /password/reset/{token}":                               public,
	"GET /admin/users":                                           adminOnly,
	"POST /admin/users":                                          adminOnly,
	"POST /admin/users/{id}/disable":                             adminOnly,
	"POST /admin/users/{id}/enable":                              adminOnly,
	"POST /admin/users/{id}/sign-in-delay/clear":                 adminOnly,
	"GET /admin/settings":                                        adminOnly,
	"GET /admin/settings/support-profile":                        adminOnly,
	"POST /admin/settings/support-profile":                       adminOnly,
	"GET /admin/settings/seat-approval":                          adminOnly,
	"POST /admin/settings/seat-approval":                         adminOnly,
	"POST /admin/settings/pc":                                    adminOnly,
	"POST /admin/settings/pc/test":                               adminOnly,
	"POST /admin/settings/pc/connect":                            adminOnly,
	"GET /admin/settings/partner-center/connect":                 adminOnly,
	"GET /admin/settings/partner-center/callback":                adminOnly,
	"GET /admin/settings/partner-center/disconnect":              adminOnly,
	"POST /admin/settings/partner-center/disconnect":             adminOnly,
	"GET /admin/settings/partner-center/health":                  adminOnly,
	"POST /admin/settings/oidc":                                  adminOnly,
	"POST /admin/settings/defaults":                              adminOnly,
	"POST /admin/settings/mail":                                  adminOnly,
	"POST /admin/settings/mail/test":                             adminOnly,
	"GET /admin/prices":                                          adminOnly,
	"POST /admin/prices/import":                                  adminOnly,
	"POST /admin/prices/rules":                                   adminOnly,
	"POST /admin/prices/rules/{id}/delete":                       adminOnly,
	"GET /admin/alerts":                                          adminOnly,
	"POST /admin/alerts":                                         adminOnly,
	"POST /admin/alerts/optouts":                                 adminOnly,
	"POST /admin/alerts/optouts/delete":                          adminOnly,
	"POST /attention/{id}/dismiss":                               staffOnly,
	"GET /my/charges":                                            custOnly,
	"GET /my/charges.csv":                                        custOnly,
	"GET /my/prices.csv":                                         custOnly,
	"GET /customers/{id}/view/charges":                           staffOnly,
	"GET /customers/{id}/view/charges.csv":                       staffOnly,
	"GET /customers/{id}/view/prices.csv":                        staffOnly,
	"GET /billing":                                               staffOnly,
	"POST /billing/sync":                                         staffOnly,
	"GET /billing/customers/{id}":                                staffOnly,
	"GET /billing/invoices/{invoice}":                            staffOnly,
	"POST /billing/invoices/{invoice}/reimport":                  staffOnly,
	"GET /billing/invoices/{invoice}/statement":                  staffOnly,
	"GET /billing/invoices/{invoice}/reconciliation":             staffOnly,
	"GET /billing/invoices/{invoice}/customers/{pc}":             staffOnly,
	"GET /billing/invoices/{invoice}/customers/{pc}/export.csv":  staffOnly,
	"GET /billing/invoices/{invoice}/customers/{pc}/export.json": staffOnly,
	"GET /my/requests":                                           custOnly,
	"GET /my/requests/new":                                       custOnly,
	"POST /my/requests/seats":                                    custOnly,
	"POST /my/requests/tickets":                                  custOnly,
	"GET /my/requests/{rid}":                                     custOnly,
	"POST /my/requests/{rid}/replies":                            custOnly,
	"GET /support":                                               staffOnly,
	"GET /support/{rid}":                                         staffOnly,
	"POST /support/{rid}/replies":                                staffOnly,
	"POST /support/{rid}/status":                                 staffOnly,
	"POST /support/{rid}/assign":                                 staffOnly,
	"POST /support/{rid}/reject":                                 staffOnly,
	"GET /support/{rid}/approve":                                 staffOnly,
	"POST /support/{rid}/approve":                                staffOnly,
	"POST /support/{rid}/escalate":                               staffOnly,
	"POST /support/{rid}/escalation/notes":                       staffOnly,
}

func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.createUser("staff", "staff@example.com")
	e.createUser("customer", "cust@example.com")
	e.completeSetup()
	clients := [4]*http.Client{e.client(), e.client(), e.client(), e.client()}
	e.login(clients[1], "admin@example.com")
	e.login(clients[2], "staff@example.com")
	e.login(clients[3], "cust@example.com")
	roles := [4]string{"anonymous", "admin", "staff", "customer"}

	var routes []string
	err := chi.Walk(e.srv.Routes().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, mr := range routes {
		seen[mr] = true
		rule, ok := routeRules[mr]
		if !ok {
			t.Errorf("route %s has no entry in routeRules: add its expected access", mr)
			continue
		}
		method, path, _ := strings.Cut(mr, " ")
		path = samplePath(path)
		for i, c := range clients {
			if mr == "POST /logout" || mr == "POST /login" || mr == "POST /language" {
				continue // would change the client's session or language; covered in auth and language tests
			}
			var p page
			switch method {
			case http.MethodPost:
				p = e.post(c, path, url.Values{})
			case http.MethodGet:
				p = e.get(c, path)
			default:
				req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				p = e.do(c, req)
			}
			got := classify(p)
			if !accessMatches(rule[i], got) {
				t.Errorf("%s as %s: got %v (status %d -> %q), want %v", mr, roles[i], got, p.StatusCode, p.location(), rule[i])
			}
		}
	}
	for mr := range routeRules {
		if !seen[mr] {
			t.Errorf("routeRules lists %s, which the router does not have", mr)
		}
	}
}

// samplePath fills a route pattern's parameters with plausible values.
func samplePath(pattern string) string {
	pattern = strings.ReplaceAll(pattern, "*", "css/app.css")
	return paramRe.ReplaceAllStringFunc(pattern, func(p string) string {
		switch p {
		case "{country}":
			return "US"
		case "{id}", "{customer}":
			return "6f0a7a3e-0000-4000-8000-0000000000aa"
		}
		return "sample"
	})
}

var paramRe = regexp.MustCompile(`\{[^}]+\}`)

// classify names what an answer means for access control.
func classify(p page) access {
	switch {
	case p.StatusCode == http.StatusForbidden:
		return forbidden
	case p.StatusCode == http.StatusSeeOther && strings.HasPrefix(p.location(), "/login?next="):
		return toLogin
	case p.StatusCode == http.StatusNotFound:
		return notFoundOK
	case p.StatusCode == http.StatusUnauthorized:
		return unauthorized
	case p.StatusCode < 500:
		return allowed
	}
	return -1
}

// accessMatches reports whether got satisfies want: a 404 past the role
// check is still "allowed" (the sample record does not exist).
func accessMatches(want, got access) bool {
	return want == got || want == allowed && got == notFoundOK
}

func TestForbiddenPageAndNav(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.createUser("staff", "staff@example.com")
	e.completeSetup()
	staff := e.client()
	e.login(staff, "staff@example.com")
	p := e.get(staff, "/admin/settings")
	if p.StatusCode != http.StatusForbidden || !hasTestID(p.body, "error-403") {
		t.Fatalf("staff on settings: %d", p.StatusCode)
	}
	p = e.get(staff, "/")
	if !hasTestID(p.body, "nav-catalog") || hasTestID(p.body, "nav-settings") {
		t.Fatal("staff navigation wrong")
	}
	admin := e.client()
	e.login(admin, "admin@example.com")
	if p := e.get(admin, "/"); !hasTestID(p.body, "nav-settings") || !hasTestID(p.body, "nav-users") {
		t.Fatal("admin navigation lacks Settings/Users")
	}
	// Anonymous: redirect with next, and next survives sign-in.
	anon := e.client()
	p = e.get(anon, "/admin/users?sort=email")
	if p.location() != "/login?next=%2Fadmin%2Fusers%3Fsort%3Demail" {
		t.Fatalf("redirect %q", p.location())
	}
	p = e.post(anon, "/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}, "next": {"/admin/users?sort=email"}})
	if p.location() != "/admin/users?sort=email" {
		t.Fatalf("after login to %q", p.location())
	}
	// An open redirect through next is refused.
	p = e.post(e.client(), "/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}, "next": {"//evil.example.com/"}})
	if p.location() != "/" {
		t.Fatalf("next=//evil: redirected to %q", p.location())
	}
}
