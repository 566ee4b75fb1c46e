package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/store"
)

// The authorization matrix: every authzRoute of the router (walked with
// chi.Walk, so a new authzRoute cannot escape) x every role (anonymous,
// customer A, customer B, staff, admin) x every id-bearing parameter
// (A's ids, B's ids, random ids, and A's parent with B's child) gets an
// expected answer, and every cell is requested through the real router.

// authzPolicy is who a authzRoute is for.
type authzPolicy string

const (
	polPublic   authzPolicy = "public"
	polSetup    authzPolicy = "setup" // the wizard, closed after setup
	polSignedIn authzPolicy = "signed-in"
	polStaff    authzPolicy = "staff"
	polAdmin    authzPolicy = "admin"
	polCustomer authzPolicy = "customer"
	polReseller authzPolicy = "reseller" // reseller users, none of the matrix's roles (resellers_test.go)
	// polAPI is the reseller API: a bearer token of a reseller user, never
	// a session, so every role here gets 401 (tokens x resellers:
	// api_test.go).
	polAPI authzPolicy = "api"
)

// policyOf classifies a authzRoute by its path. Unknown paths have no authzPolicy:
// the test fails until someone decides who may use them.
func policyOf(method, pattern string) (authzPolicy, bool) {
	switch method + " " + pattern {
	case "GET /healthz", "GET /readyz", "GET /metrics", "GET /static/*", "GET /favicon.ico", "GET /login", "POST /login", "POST /logout", "POST /language",
		"GET /auth/oidc/start", "GET /auth/oidc/callback", "GET /invitations/{token}", "POST /invitations/{token}",
		"GET /password/forgot", "POST /password/forgot", "GET /password/reset/{token}", "POST /password/reset/{token}",
		"GET /calendar/{feed}.ics", "GET /api/v1/openapi.json":
		return polPublic, true
	case "GET /":
		return polSignedIn, true
	}
	switch first, _, _ := strings.Cut(strings.TrimPrefix(pattern, "/"), "/"); first {
	case "setup":
		return polSetup, true
	case "api":
		return polAPI, true
	case "my":
		return polCustomer, true
	case "reseller":
		return polReseller, true
	case "admin":
		return polAdmin, true
	case "customers", "catalog", "orders", "sync", "audit", "audit.csv", "attention", "renewals", "renewals.csv", "billing", "support", "resellers":
		return polStaff, true
	}
	return "", false
}

// owned are the parameters that name a customer's record.
func owned(pattern, param string) bool {
	if strings.HasPrefix(pattern, "/resellers/") {
		return false // a reseller's users: TestResellerUserInvitations checks them reseller by reseller
	}
	switch param {
	case "sub", "sid", "order", "uid", "inv", "rid":
		return true
	case "id":
		return strings.HasPrefix(pattern, "/customers/") || strings.HasPrefix(pattern, "/admin/users/")
	}
	return false
}

// authzIDs are one customer's ids by parameter kind.
type authzIDs struct {
	customer, sub, order, uid, inv, req string
}

func (m authzIDs) value(pattern, param string) string {
	switch param {
	case "id":
		if strings.HasPrefix(pattern, "/admin/users/") {
			return m.uid
		}
		return m.customer
	case "sub", "sid":
		return m.sub
	case "order":
		return m.order
	case "uid":
		return m.uid
	case "inv":
		return m.inv
	case "rid":
		return m.req
	}
	return ""
}

// authzVariant is one way of filling a authzRoute's parameters.
type authzVariant struct {
	name string // "A", "B", "random", "cross" (A's parent, B's child), "none"
	path string
}

var matrixParamRe = regexp.MustCompile(`\{([^}]+)\}`)

func authzVariants(pattern string, a, b, rnd authzIDs) []authzVariant {
	params := matrixParamRe.FindAllStringSubmatch(pattern, -1)
	fill := func(pick func(i int, p string) string) string {
		i := -1
		p := strings.ReplaceAll(pattern, "*", "css/app.css")
		return matrixParamRe.ReplaceAllStringFunc(p, func(m string) string {
			i++
			name := m[1 : len(m)-1]
			if owned(pattern, name) {
				return url.PathEscape(pick(i, name))
			}
			switch name {
			case "country":
				return "US"
			case "token":
				return "tok" + strings.ReplaceAll(uuid.NewString(), "-", "")
			}
			return "sample"
		})
	}
	nOwned := 0
	for _, p := range params {
		if owned(pattern, p[1]) {
			nOwned++
		}
	}
	if nOwned == 0 {
		return []authzVariant{{"none", fill(nil)}}
	}
	vs := []authzVariant{
		{"A", fill(func(_ int, p string) string { return a.value(pattern, p) })},
		{"B", fill(func(_ int, p string) string { return b.value(pattern, p) })},
		{"random", fill(func(_ int, p string) string { return rnd.value(pattern, p) })},
	}
	if nOwned > 1 {
		vs = append(vs, authzVariant{"cross", fill(func(i int, p string) string {
			if i == 0 {
				return a.value(pattern, p)
			}
			return b.value(pattern, p)
		})})
	}
	return vs
}

// cellWant is a cell's expectation: an exact status, or past the role check
// (allowed: not 403, not sent to sign in, no 5xx), or skipped.
type cellWant struct {
	status int // 0 = see kind
	kind   string
}

func (w cellWant) String() string {
	if w.status != 0 {
		return strconv.Itoa(w.status)
	}
	return w.kind
}

var (
	wantLogin   = cellWant{kind: "redirect to sign-in"}
	wantAllowed = cellWant{kind: "allowed"}
	wantSkip    = cellWant{kind: "skip"}
	want200     = cellWant{status: http.StatusOK}
	want403     = cellWant{status: http.StatusForbidden}
	want404     = cellWant{status: http.StatusNotFound}
	want401     = cellWant{status: http.StatusUnauthorized}
)

func roleAllowed(pol authzPolicy, role string) bool {
	switch pol {
	case polPublic, polSetup:
		return true
	case polSignedIn:
		return role != "anonymous"
	case polStaff:
		return role == "staff" || role == "admin"
	case polAdmin:
		return role == "admin"
	case polCustomer:
		return role == "customer A" || role == "customer B"
	}
	return false
}

// expect is the matrix's rule for one cell.
func authzExpect(pol authzPolicy, method, role string, v authzVariant) cellWant {
	safe := method == http.MethodGet || method == http.MethodHead
	switch {
	case pol == polSetup:
		return wantAllowed
	case pol == polPublic:
		return wantAllowed
	case pol == polAPI:
		return want401
	case role == "anonymous":
		return wantLogin
	case !roleAllowed(pol, role):
		return want403
	}
	// Past the role check.
	own := map[string]string{"customer A": "A", "customer B": "B"}[role]
	switch {
	case v.name == "none":
		if !safe {
			return wantSkip // a state-changing request without ids: its owner's tests exercise it
		}
		return wantAllowed
	case v.name == "random" || v.name == "cross":
		return want404
	case pol == polCustomer && v.name != own:
		return want404 // another customer's id: not found, not forbidden
	case !safe:
		return wantSkip // would change a real record; invalid ids above must still be 404
	case strings.Contains(v.path, "/changes/tok") || strings.Contains(v.path, "/orders/tok"):
		return wantAllowed // a random change or order token names nothing: 404 past the role check
	}
	return want200
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	now := time.Now()
	e := newEnv(t)
	e.completeSetup()
	fa, fb := e.seedTenant("Alpha", now), e.seedTenant("Bravo", now)
	ua := e.createCustomerUser("ann@alpha.example", fa.ID)
	ub := e.createCustomerUser("bob@bravo.example", fb.ID)
	e.createUser("staff", "sam@reseller.example")
	e.createUser("admin", "ada@reseller.example")
	inv := func(f tenantFixture, email string) string {
		i, err := e.st.CreateInvitation(t.Context(), email, f.ID, []byte(uuid.NewString()), now.Add(time.Hour), store.Actor{Label: "test"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(i.ID, 10)
	}
	a := authzIDs{customer: fa.ID.String(), sub: fa.Subs["base"], order: fa.Orders[0], uid: strconv.FormatInt(ua.ID, 10), inv: inv(fa, "a2@alpha.example"),
		req: e.seedSeatRequest(fa, ua)}
	b := authzIDs{customer: fb.ID.String(), sub: fb.Subs["base"], order: fb.Orders[0], uid: strconv.FormatInt(ub.ID, 10), inv: inv(fb, "b2@bravo.example"),
		req: e.seedSeatRequest(fb, ub)}
	rnd := authzIDs{customer: uuid.NewString(), sub: uuid.NewString(), order: "ord-" + uuid.NewString(), uid: "987654321", inv: "987654321", req: "987654321"}

	roles := []string{"anonymous", "customer A", "customer B", "staff", "admin"}
	clients := map[string]*http.Client{}
	for _, r := range roles {
		clients[r] = e.client()
	}
	e.login(clients["customer A"], "ann@alpha.example")
	e.login(clients["customer B"], "bob@bravo.example")
	e.login(clients["staff"], "sam@reseller.example")
	e.login(clients["admin"], "ada@reseller.example")

	type authzRoute struct{ method, pattern string }
	var routes []authzRoute
	if err := chi.Walk(e.srv.Routes().(chi.Routes), func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, authzRoute{method, pattern})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(routes) < 40 {
		t.Fatalf("only %d routes walked", len(routes))
	}
	formRe := regexp.MustCompile(`(?is)<form[^>]*method="post"[^>]*action="([^"]*)"`)
	cells, skipped := 0, 0
	for _, rt := range routes {
		pol, ok := policyOf(rt.method, rt.pattern)
		if !ok {
			t.Errorf("%s %s: no authzPolicy; classify it in policyOf", rt.method, rt.pattern)
			continue
		}
		// Customer routes accept no state-changing request (sign-out is
		// public) but their requests to the reseller.
		if pol == polCustomer && rt.method != http.MethodGet && rt.method != http.MethodHead && !strings.HasPrefix(rt.pattern, "/my/requests") {
			t.Errorf("%s %s: a customer authzRoute that changes state", rt.method, rt.pattern)
		}
		for _, v := range authzVariants(rt.pattern, a, b, rnd) {
			for _, role := range roles {
				w := authzExpect(pol, rt.method, role, v)
				if rt.method == http.MethodPost && (rt.pattern == "/login" || rt.pattern == "/logout" || rt.pattern == "/language") {
					w = wantSkip
				}
				if w == wantSkip {
					skipped++
					continue
				}
				cells++
				var p page
				switch {
				case rt.method == http.MethodGet:
					p = e.get(clients[role], v.path)
				case pol == polAPI:
					req, _ := http.NewRequest(rt.method, e.ts.URL+v.path, strings.NewReader(`{"quantity": 1, "lines": []}`))
					req.Header.Set("Content-Type", "application/json")
					p = e.do(clients[role], req)
				default:
					req, _ := http.NewRequest(rt.method, e.ts.URL+v.path, strings.NewReader(""))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					p = e.do(clients[role], req)
				}
				known, isKnown := authzKnown[rt.method+" "+rt.pattern+" ["+v.name+"] "+role]
				if isKnown {
					if cellMatches(w, p) {
						t.Errorf("%s %s [%s ids] as %s now answers %v: remove it from authzKnown", rt.method, rt.pattern, v.name, role, w)
					} else {
						t.Logf("known deviation: %s %s [%s ids] as %s: %d (%s)", rt.method, rt.pattern, v.name, role, p.StatusCode, known)
					}
				} else if !cellMatches(w, p) {
					t.Errorf("%s %s [%s ids] as %s: got %d %q, want %v", rt.method, v.path, v.name, role, p.StatusCode, p.location(), w)
				}
				// Nothing of the other customer ever shows, whatever the status.
				if other := map[string]string{"customer A": "Bravo", "customer B": "Alpha"}[role]; other != "" && strings.Contains(p.body, other) {
					t.Errorf("%s %s as %s: the page mentions %s", rt.method, v.path, role, other)
				}
				if strings.HasPrefix(role, "customer") && p.StatusCode == http.StatusOK {
					for _, m := range formRe.FindAllStringSubmatch(p.body, -1) {
						if m[1] != "/logout" && m[1] != "/language" && !strings.HasPrefix(m[1], "/my/requests") {
							t.Errorf("%s as %s: a form posts to %s", v.path, role, m[1])
						}
					}
				}
			}
		}
	}
	t.Logf("%d routes, %d cells requested, %d skipped", len(routes), cells, skipped)

	// Sign-out is the one state change a customer makes.
	c := e.client()
	e.login(c, "ann@alpha.example")
	if p := e.post(c, "/logout", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", p.StatusCode)
	}
	if p := e.get(c, "/my/subscriptions"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Errorf("after sign-out: %d", p.StatusCode)
	}
}

// authzKnown are cells that answer otherwise today, with the reason; each
// is harmless (no state change, no data of another customer) and is
// reported to the route's owner. A fixed cell fails the test so its entry
// gets removed.
var authzKnown = map[string]string{
	"POST /customers/{id}/agreement/retry [random] staff": "redirects to the customer page with a flash instead of 404 for an unknown customer",
	"POST /customers/{id}/agreement/retry [random] admin": "redirects to the customer page with a flash instead of 404 for an unknown customer",
}

func cellMatches(w cellWant, p page) bool {
	switch {
	case w.status != 0:
		return p.StatusCode == w.status
	case w == wantLogin:
		return p.StatusCode == http.StatusSeeOther && strings.HasPrefix(p.location(), "/login?next=")
	case w == wantAllowed:
		return p.StatusCode < 500 && p.StatusCode != http.StatusForbidden && p.StatusCode != http.StatusUnauthorized &&
			!strings.HasPrefix(p.location(), "/login?next=")
	}
	panic(fmt.Sprint("unknown expectation ", w))
}
