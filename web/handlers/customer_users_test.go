package handlers_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/handlers"
)

// testClock is a settable test testClock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var inviteLinkRe = regexp.MustCompile(`data-testid="invite-link">([^<]+)<`)

func (e *env) auditCount(customerID uuid.UUID, action string) int {
	e.t.Helper()
	var n int
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT count(*) FROM audit_log WHERE customer_id = $1 AND action = $2`, customerID, action).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestInvitationFlow(t *testing.T) {
	t.Parallel()
	clk := &testClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, func(d *handlers.Deps) { d.Now = clk.now })
	e.completeSetup()
	a := e.seedTenant("Alpha", clk.now())
	e.createUser("staff", "sam@reseller.example")
	staff := e.client()
	e.login(staff, "sam@reseller.example")
	users := "/customers/" + a.ID.String() + "/users"

	if p := e.get(staff, users); p.StatusCode != http.StatusOK || !hasTestID(p.body, "customer-users-empty") || !hasTestID(p.body, "tenant-signin-off") {
		t.Fatalf("users page: %d", p.StatusCode)
	}
	if p := e.get(staff, "/customers/"+a.ID.String()); !strings.Contains(p.body, `href="`+users+`"`) {
		t.Error("customer page does not link to its users")
	}
	if p := e.post(staff, users+"/invite", url.Values{"email": {"not-an-email"}}); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-email") {
		t.Fatalf("bad email: %d", p.StatusCode)
	}
	p := e.post(staff, users+"/invite", url.Values{"email": {"ann@alpha.example"}})
	m := inviteLinkRe.FindStringSubmatch(p.body)
	if p.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("invite: %d\n%s", p.StatusCode, p.body)
	}
	link := strings.TrimPrefix(m[1], e.ts.URL)
	if n := e.auditCount(a.ID, "customer_user.invited"); n != 1 {
		t.Errorf("%d invite audit entries", n)
	}
	var stored int
	_ = e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM invitations WHERE token_hash = convert_to($1, 'UTF8')`, strings.TrimPrefix(link, "/invitations/")).Scan(&stored)
	if stored != 0 {
		t.Error("the token is stored in clear")
	}

	invitee := e.client()
	if p := e.get(invitee, link); p.StatusCode != http.StatusOK || !strings.Contains(p.body, "ann@alpha.example") {
		t.Fatalf("invitation page: %d", p.StatusCode)
	}
	if p := e.post(invitee, link, url.Values{"password": {"short"}, "password_confirm": {"short"}}); p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("short password: %d", p.StatusCode)
	}
	p = e.post(invitee, link, url.Values{"name": {"Ann"}, "password": {testPassword}, "password_confirm": {testPassword}})
	if p.StatusCode != http.StatusSeeOther || p.location() != "/my/subscriptions" {
		t.Fatalf("accept: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	if p := e.get(invitee, "/my/subscriptions"); p.StatusCode != http.StatusOK || len(entRowsOf(p.body)) != len(a.Subs) {
		t.Fatalf("invitee's view: %d, %d rows", p.StatusCode, len(entRowsOf(p.body)))
	}
	if p := e.get(e.client(), link); p.StatusCode != http.StatusNotFound {
		t.Errorf("used link: %d", p.StatusCode)
	}
	if p := e.post(e.client(), link, url.Values{"password": {testPassword}, "password_confirm": {testPassword}}); p.StatusCode != http.StatusNotFound {
		t.Errorf("used link again: %d", p.StatusCode)
	}
	// The password works for a normal sign-in too.
	e.login(e.client(), "ann@alpha.example")

	// Expired links are refused.
	p = e.post(staff, users+"/invite", url.Values{"email": {"bob@alpha.example"}})
	late := strings.TrimPrefix(inviteLinkRe.FindStringSubmatch(p.body)[1], e.ts.URL)
	clk.add(7*24*time.Hour + time.Second)
	if p := e.get(e.client(), late); p.StatusCode != http.StatusNotFound {
		t.Errorf("expired link: %d", p.StatusCode)
	}
	if p := e.get(staff, users); !strings.Contains(p.body, ">expired<") || !strings.Contains(p.body, ">accepted 2026-11-25<") {
		t.Error("invitation states not shown")
	}
}

func TestInvitationRevokeAndUserRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	now := time.Now()
	a := e.seedTenant("Alpha", now)
	b := e.seedTenant("Bravo", now)
	e.createUser("staff", "sam@reseller.example")
	staff := e.client()
	e.login(staff, "sam@reseller.example")
	users := "/customers/" + a.ID.String() + "/users"

	p := e.post(staff, users+"/invite", url.Values{"email": {"carl@alpha.example"}})
	link := strings.TrimPrefix(inviteLinkRe.FindStringSubmatch(p.body)[1], e.ts.URL)
	var invID int64
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT id FROM invitations WHERE customer_id = $1`, a.ID).Scan(&invID); err != nil {
		t.Fatal(err)
	}
	// Not through another customer's URL.
	if p := e.post(staff, "/customers/"+b.ID.String()+"/invitations/"+itoa(invID)+"/revoke", nil); p.StatusCode != http.StatusNotFound {
		t.Errorf("revoke via B: %d", p.StatusCode)
	}
	if p := e.post(staff, "/customers/"+a.ID.String()+"/invitations/"+itoa(invID)+"/revoke", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke invitation: %d", p.StatusCode)
	}
	if p := e.get(e.client(), link); p.StatusCode != http.StatusNotFound {
		t.Errorf("revoked link: %d", p.StatusCode)
	}

	ann := e.createCustomerUser("ann@alpha.example", a.ID)
	bea := e.createCustomerUser("bea@bravo.example", b.ID)
	cust := e.client()
	e.login(cust, "ann@alpha.example")
	revoke := users + "/" + itoa(ann.ID) + "/revoke"
	if p := e.get(staff, revoke); p.StatusCode != http.StatusOK || !hasTestID(p.body, "revoke-confirm") {
		t.Fatalf("confirmation: %d", p.StatusCode)
	}
	if p := e.get(staff, users+"/"+itoa(bea.ID)+"/revoke"); p.StatusCode != http.StatusNotFound {
		t.Errorf("B's user via A's page: %d", p.StatusCode)
	}
	if p := e.post(staff, users+"/"+itoa(bea.ID)+"/revoke", nil); p.StatusCode != http.StatusNotFound {
		t.Errorf("revoke B's user via A's page: %d", p.StatusCode)
	}
	if p := e.post(staff, revoke, nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.StatusCode)
	}
	if p := e.get(cust, "/my/subscriptions"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Errorf("revoked user's session still works: %d", p.StatusCode)
	}
	if n := e.auditCount(a.ID, "customer_user.revoked"); n != 1 {
		t.Errorf("%d revoke audit entries", n)
	}
	if p := e.get(staff, users); !strings.Contains(p.body, "revoked ") || hasTestID(p.body, "customer-user-revoke") {
		t.Error("revoked user still offered for revoking")
	}
	// Bea is untouched.
	other := e.client()
	e.login(other, "bea@bravo.example")
}

func TestViewAsCustomer(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, func(d *handlers.Deps) { d.Now = func() time.Time { return now } })
	e.completeSetup()
	a := e.seedTenant("Alpha", now)
	e.seedTenant("Bravo", now)
	e.createUser("staff", "sam@reseller.example")
	e.createCustomerUser("ann@alpha.example", a.ID)
	staff, cust := e.client(), e.client()
	e.login(staff, "sam@reseller.example")
	e.login(cust, "ann@alpha.example")
	base := "/customers/" + a.ID.String() + "/view"

	mine := e.get(cust, "/my/subscriptions")
	seen := e.get(staff, base+"/subscriptions")
	if seen.StatusCode != http.StatusOK || !hasTestID(seen.body, "view-as-banner") || hasTestID(mine.body, "view-as-banner") {
		t.Fatalf("view as: %d", seen.StatusCode)
	}
	// The same rows, with the same marks and reasons.
	mr, sr := entRowsOf(mine.body), entRowsOf(seen.body)
	if len(mr) != len(sr) {
		t.Fatalf("%d rows as customer, %d as staff", len(mr), len(sr))
	}
	for id, row := range mr {
		if strings.ReplaceAll(sr[id], base, "/my") != row {
			t.Errorf("row %s differs:\n%s\n%s", id, row, sr[id])
		}
	}
	csvMine, csvSeen := e.get(cust, "/my/subscriptions.csv"), e.get(staff, base+"/subscriptions.csv")
	if csvMine.body != csvSeen.body {
		t.Error("CSV differs between the customer and view-as")
	}
	if p := e.get(staff, base+"/orders/"+a.Orders[0]); p.StatusCode != http.StatusOK {
		t.Errorf("view-as order: %d", p.StatusCode)
	}
	// Recorded once per session, not per page; a new session records again.
	if n := e.auditCount(a.ID, "customer_view.viewed_as"); n != 1 {
		t.Errorf("%d view-as audit entries after three pages of one session, want 1", n)
	}
	// Who, which customer, the first page viewed.
	var actor, targetType, targetID, outcome, detail string
	var byUser bool
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT actor, actor_user_id IS NOT NULL, target_type, target_id, outcome, detail
		FROM audit_log WHERE customer_id = $1 AND action = 'customer_view.viewed_as'`, a.ID).Scan(&actor, &byUser, &targetType, &targetID, &outcome, &detail); err != nil {
		t.Fatal(err)
	}
	if actor != "sam@reseller.example" || !byUser || targetType != "customer" || targetID != a.ID.String() || outcome != "ok" || detail != base+"/subscriptions" {
		t.Errorf("view-as audit entry: %q %v %q %q %q %q", actor, byUser, targetType, targetID, outcome, detail)
	}
	// No such customer: 404, and nothing recorded.
	ghost := uuid.New()
	if p := e.get(staff, "/customers/"+ghost.String()+"/view/subscriptions"); p.StatusCode != http.StatusNotFound {
		t.Errorf("view as an unknown customer: %d", p.StatusCode)
	}
	var ghosts int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE target_id = $1`, ghost.String()).Scan(&ghosts); err != nil || ghosts != 0 {
		t.Errorf("%d audit entries for an unknown customer (%v)", ghosts, err)
	}
	again := e.client()
	e.login(again, "sam@reseller.example")
	e.get(again, base+"/subscriptions")
	if n := e.auditCount(a.ID, "customer_view.viewed_as"); n != 2 {
		t.Errorf("%d view-as audit entries after a second session, want 2", n)
	}
	// However many other customers the session views, Alpha's view stays
	// recorded once; viewing leaves the session's row as it was (the audit
	// entries name the session), and each entry names it by a hash, never
	// by its token.
	sessionData := func() map[string]string {
		rows, err := e.st.Pool.Query(t.Context(), `SELECT token, encode(data, 'hex') FROM sessions`)
		if err != nil {
			t.Fatal(err)
		}
		m, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (kv [2]string, err error) { return kv, r.Scan(&kv[0], &kv[1]) })
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, kv := range m {
			out[kv[0]] = kv[1]
		}
		return out
	}
	before := sessionData()
	for i := range 21 {
		o := e.seedTenant(fmt.Sprintf("Other %02d", i), now)
		e.get(staff, "/customers/"+o.ID.String()+"/view/subscriptions")
		if n := e.auditCount(o.ID, "customer_view.viewed_as"); n != 1 {
			t.Fatalf("%d view-as audit entries for a customer viewed once, want 1", n)
		}
	}
	e.get(staff, base+"/subscriptions")
	e.get(staff, base+"/orders")
	if n := e.auditCount(a.ID, "customer_view.viewed_as"); n != 2 {
		t.Errorf("%d view-as audit entries after 21 other customers, want still 2", n)
	}
	if after := sessionData(); !maps.Equal(before, after) {
		t.Errorf("viewing as customers rewrote the sessions:\n%v\n%v", before, after)
	}
	var refs, tokens int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT
		(SELECT count(DISTINCT session_ref) FROM audit_log WHERE action = 'customer_view.viewed_as'),
		(SELECT count(*) FROM audit_log a JOIN sessions s ON a.session_ref = s.token OR strpos(a.detail, s.token) > 0)`).Scan(&refs, &tokens); err != nil {
		t.Fatal(err)
	}
	if refs != 2 || tokens != 0 {
		t.Errorf("%d sessions named in the view-as audit entries, want 2; %d entries hold a token", refs, tokens)
	}
	if p := e.get(staff, "/customers/"+uuid.NewString()+"/view/subscriptions"); p.StatusCode != http.StatusNotFound {
		t.Errorf("unknown customer: %d", p.StatusCode)
	}
	if p := e.get(cust, base+"/subscriptions"); p.StatusCode != http.StatusForbidden {
		t.Errorf("customer on view-as: %d", p.StatusCode)
	}
}

func TestTenantSignInSwitch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	a := e.seedTenant("Alpha", time.Now())
	e.createUser("staff", "sam@reseller.example")
	staff := e.client()
	e.login(staff, "sam@reseller.example")
	users := "/customers/" + a.ID.String() + "/users"
	if p := e.post(staff, users[:len(users)-len("/users")]+"/tenant-signin", url.Values{"on": {"1"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", p.StatusCode)
	}
	if got, err := e.st.CustomerForTenant(t.Context(), a.TenantID); err != nil || got != a.ID {
		t.Fatalf("tenant binding: %v %v", got, err)
	}
	if p := e.get(staff, users); !hasTestID(p.body, "tenant-signin-on") {
		t.Error("page does not show tenant sign-in on")
	}
	id := a.ID
	tu, err := e.st.CreateUser(t.Context(), store.NewUser{Email: "t@alpha.example", Role: store.RoleCustomer, CustomerID: &id, CustomerVia: "tenant"})
	if err != nil {
		t.Fatal(err)
	}
	inv := e.createCustomerUser("i@alpha.example", a.ID)
	gone, err := e.st.CreateUser(t.Context(), store.NewUser{Email: "gone@alpha.example", Role: store.RoleCustomer, CustomerID: &id, CustomerVia: "tenant"})
	if err != nil {
		t.Fatal(err)
	}
	if p := e.post(staff, users+"/"+itoa(gone.ID)+"/revoke", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.StatusCode)
	}
	if p := e.post(staff, "/customers/"+a.ID.String()+"/tenant-signin", url.Values{"on": {"0"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.StatusCode)
	}
	if _, err := e.st.CustomerForTenant(t.Context(), a.TenantID); err == nil {
		t.Error("tenant still bound")
	}
	if u, _ := e.st.UserByID(t.Context(), tu.ID); u.DisabledAt == nil {
		t.Error("tenant user still enabled")
	}
	if u, _ := e.st.UserByID(t.Context(), inv.ID); u.DisabledAt != nil {
		t.Error("invited user disabled with the tenant switch")
	}
	// On again: the tenant's users are back, except the one revoked by hand.
	if p := e.post(staff, "/customers/"+a.ID.String()+"/tenant-signin", url.Values{"on": {"1"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable again: %d", p.StatusCode)
	}
	if u, _ := e.st.UserByID(t.Context(), tu.ID); u.DisabledAt != nil {
		t.Error("tenant user not restored")
	}
	if u, _ := e.st.UserByID(t.Context(), gone.ID); u.DisabledAt == nil {
		t.Error("a user revoked by hand came back with the tenant switch")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
