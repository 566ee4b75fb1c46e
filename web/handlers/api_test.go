package handlers_test

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// The reseller API (issue 19): tokens made on /reseller/api-tokens, every
// endpoint x reseller A/B x scope, idempotent writes, the OpenAPI
// description.

// The sandbox's indirect resellers (pccclient/sandbox/resellers.go).
const (
	apiResellerA, apiResellerAMpn = "484e548c-f5f3-4528-93a9-c16c6373cb59", "4847383"
	apiResellerB, apiResellerBMpn = "b01b1487-b36e-4e6d-9b5e-0b58974c4b28", "4847433"
)

// apiResellers records the two resellers and binds customer a to A and b
// to B, with a reseller user each (ann@firstup.example, bob@relecloud.example).
func (e *env) apiResellers(a, b uuid.UUID) {
	e.t.Helper()
	for _, q := range []string{`INSERT INTO resellers (tenant_id, name, mpn_id, mpa_signed) VALUES ('` + apiResellerA + `', 'First Up', '` +
		apiResellerAMpn + `', true), ('` + apiResellerB + `', 'ReleCloud', '` + apiResellerBMpn + `', true)`,
		`UPDATE customers SET associated_partner_id = '` + apiResellerA + `' WHERE id = '` + a.String() + `'`,
		`UPDATE customers SET associated_partner_id = '` + apiResellerB + `' WHERE id = '` + b.String() + `'`} {
		if _, err := e.st.Pool.Exec(e.t.Context(), q); err != nil {
			e.t.Fatal(err)
		}
	}
	for email, res := range map[string]string{"ann@firstup.example": apiResellerA, "bob@relecloud.example": apiResellerB} {
		id := uuid.MustParse(res)
		if _, err := e.st.CreateUser(e.t.Context(), store.NewUser{Email: email, Role: store.RoleReseller, ResellerID: &id, PasswordHash: testHash()}); err != nil {
			e.t.Fatal(err)
		}
	}
}

var apiTokenValueRe = regexp.MustCompile(`data-testid="api-token-value">(cspp_[A-Za-z0-9_-]+)<`)

// apiToken makes a token on the tokens page as c's reseller user and
// returns it.
func (e *env) apiToken(c *http.Client, name, scope string) string {
	e.t.Helper()
	p := e.post(c, "/reseller/api-tokens", url.Values{"name": {name}, "scope": {scope}})
	m := apiTokenValueRe.FindStringSubmatch(p.body)
	if p.StatusCode != http.StatusOK || m == nil {
		e.t.Fatalf("make token %s: %d\n%s", name, p.StatusCode, p.body)
	}
	return m[1]
}

// apiCall is one API request with a bearer token (none when token is "")
// and extra headers.
func (e *env) apiCall(token, method, path, body string, headers ...string) page {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(http.DefaultClient, req)
}

// apiErrorOf decodes an error answer.
func apiErrorOf(t *testing.T, p page) (code string, fields map[string]string) {
	t.Helper()
	var v struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	}
	if err := json.Unmarshal([]byte(p.body), &v); err != nil || v.Code == "" || v.Message == "" {
		t.Fatalf("not an API error (%v): %d %s", err, p.StatusCode, p.body)
	}
	if ct := p.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q", ct)
	}
	return v.Code, v.Fields
}

// TestAPITokensAndScopes: the tokens page (shown once, validation next to
// the field, list, revoke, audited) and every endpoint x reseller A/B x
// read / read_write / revoked / no token / a session cookie.
func TestAPITokensAndScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	now := time.Now()
	fa, fb := e.seedTenant("Alpha", now), e.seedTenant("Bravo", now)
	e.apiResellers(fa.ID, fb.ID)
	ca, cb := e.client(), e.client()
	e.login(ca, "ann@firstup.example")
	e.login(cb, "bob@relecloud.example")

	// The page: bad input next to the field, nothing made.
	p := e.post(ca, "/reseller/api-tokens", url.Values{"name": {" "}, "scope": {"admin"}})
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-name") || !hasTestID(p.body, "error-scope") {
		t.Fatalf("bad token form: %d\n%s", p.StatusCode, p.body)
	}
	readA, rwA := e.apiToken(ca, "PSA sync", "read"), e.apiToken(ca, "RMM", "read_write")
	readB, rwB := e.apiToken(cb, "B reads", "read"), e.apiToken(cb, "B writes", "read_write")
	revokedA := e.apiToken(ca, "Old script", "read_write")
	// Shown once: the list never shows a token again; only hashes are kept.
	p = e.get(ca, "/reseller/api-tokens")
	if p.StatusCode != http.StatusOK || strings.Count(p.body, `data-testid="api-token-row"`) != 3 || strings.Contains(p.body, readA) ||
		strings.Contains(p.body, "B reads") {
		t.Fatalf("A's token list: %d\n%s", p.StatusCode, p.body)
	}
	if n := e.count(`SELECT count(*) FROM api_tokens WHERE token_hash = $1`, commerce.APITokenHash(readA)); n != 1 {
		t.Fatalf("%d tokens stored by the hash of A's", n)
	}
	if n := e.count(`SELECT count(*) FROM api_tokens WHERE position(convert_to($1, 'UTF8') in token_hash) > 0`, readA); n != 0 {
		t.Fatal("a token is stored in clear")
	}
	idOf := func(name string) string {
		var id string
		if err := e.st.Pool.QueryRow(t.Context(), `SELECT id::text FROM api_tokens WHERE name = $1`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// B cannot revoke A's token; A revokes its own.
	if p := e.post(cb, "/reseller/api-tokens/"+idOf("Old script")+"/revoke", nil); p.StatusCode != http.StatusNotFound {
		t.Fatalf("B revoking A's token: %d", p.StatusCode)
	}
	if p := e.post(ca, "/reseller/api-tokens/"+idOf("Old script")+"/revoke", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.get(ca, "/reseller/api-tokens"); !hasTestID(p.body, "api-token-revoked") {
		t.Fatalf("the revoked token is not shown revoked\n%s", p.body)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action IN ('api_token.created', 'api_token.revoked') AND actor = 'ann@firstup.example'`); n != 4 {
		t.Fatalf("%d audit entries for A's tokens, want 3 made + 1 revoked", n)
	}

	// Every endpoint x token x ids. Writes carry a body the rules refuse
	// (422), so a cell that gets past the reseller scope changes nothing.
	type endpoint struct{ method, path, body string }
	ids := map[string]tenantFixture{"A": fa, "B": fb}
	endpoints := func(f tenantFixture) []endpoint {
		return []endpoint{
			{http.MethodGet, "/api/v1/customers", ""},
			{http.MethodGet, "/api/v1/customers/" + f.ID.String(), ""},
			{http.MethodGet, "/api/v1/customers/" + f.ID.String() + "/subscriptions", ""},
			{http.MethodGet, "/api/v1/subscriptions/" + f.Subs["base"], ""},
			{http.MethodPatch, "/api/v1/subscriptions/" + f.Subs["base"], `{"quantity": 0}`},
			{http.MethodPost, "/api/v1/customers/" + f.ID.String() + "/orders", `{"lines": []}`},
		}
	}
	tokens := []struct{ name, token, reseller, scope string }{
		{"A read", readA, "A", "read"}, {"A read_write", rwA, "A", "read_write"},
		{"B read", readB, "B", "read"}, {"B read_write", rwB, "B", "read_write"},
		{"A revoked", revokedA, "A", "revoked"}, {"no token", "", "", "none"}, {"not ours", "cspp_" + strings.Repeat("x", 43), "", "none"},
	}
	cells := 0
	for owner, f := range ids {
		for _, ep := range endpoints(f) {
			write := ep.method != http.MethodGet
			for _, tk := range tokens {
				var want int
				switch {
				case tk.scope == "revoked" || tk.scope == "none":
					want = http.StatusUnauthorized
				case write && tk.scope == "read":
					want = http.StatusForbidden
				case ep.path == "/api/v1/customers" || tk.reseller == owner:
					want = http.StatusOK
					if write {
						want = http.StatusUnprocessableEntity
					}
				default:
					want = http.StatusNotFound
				}
				p := e.apiCall(tk.token, ep.method, ep.path, ep.body)
				cells++
				if p.StatusCode != want {
					t.Errorf("%s %s [%s's ids] with %s: %d, want %d\n%s", ep.method, ep.path, owner, tk.name, p.StatusCode, want, p.body)
					continue
				}
				if want != http.StatusOK {
					code, _ := apiErrorOf(t, p)
					if want == http.StatusUnauthorized && (code != "unauthorized" && code != "invalid_token" || p.Header.Get("WWW-Authenticate") == "") {
						t.Errorf("401 with code %q, WWW-Authenticate %q", code, p.Header.Get("WWW-Authenticate"))
					}
				}
				// Nothing of the other reseller's customers ever shows.
				other := map[string]string{"A": "Bravo", "B": "Alpha"}[tk.reseller]
				if other != "" && strings.Contains(p.body, other) {
					t.Errorf("%s %s with %s mentions %s", ep.method, ep.path, tk.name, other)
				}
			}
		}
	}
	t.Logf("%d API cells", cells)
	// The scoped answers say what they should.
	p = e.apiCall(readA, http.MethodGet, "/api/v1/customers", "")
	var list struct {
		Data []struct {
			CompanyName string `json:"company_name"`
		} `json:"data"`
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(p.body), &list); err != nil || list.Total != 1 || len(list.Data) != 1 || list.Data[0].CompanyName != "Alpha" {
		t.Fatalf("A's customers: %v %s", err, p.body)
	}
	p = e.apiCall(rwA, http.MethodPatch, "/api/v1/subscriptions/"+fa.Subs["base"], `{"quantity": 0}`)
	if _, fields := apiErrorOf(t, p); fields["quantity"] == "" {
		t.Errorf("a zero seat count has no message next to quantity: %s", p.body)
	}
	p = e.apiCall(rwA, http.MethodPatch, "/api/v1/subscriptions/"+fa.Subs["base"], `{"seats": 3}`)
	if code, _ := apiErrorOf(t, p); p.StatusCode != http.StatusBadRequest || code != "invalid_json" {
		t.Errorf("an unknown field: %d %s", p.StatusCode, p.body)
	}
	if p := e.apiCall(readA, http.MethodGet, "/api/v1/customers?page=0", ""); p.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("page 0: %d", p.StatusCode)
	}

	// A signed-in reseller user's session is no credential for the API,
	// even for a read.
	if p := e.get(ca, "/api/v1/customers"); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("the API with A's session cookie: %d, want 401", p.StatusCode)
	}
	// A cross-site request passes the form checks only with a bearer token.
	hdr := []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}
	if p := e.apiCall(rwA, http.MethodPost, "/api/v1/customers/"+fa.ID.String()+"/orders", `{"lines": []}`, hdr...); p.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("cross-site API call with a token: %d, want 422 (past the origin check)", p.StatusCode)
	}
	if p := e.apiCall("", http.MethodPost, "/api/v1/customers/"+fa.ID.String()+"/orders", `{"lines": []}`, hdr...); p.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site API call without a token: %d, want 403", p.StatusCode)
	}
	// A disabled reseller user's tokens stop working.
	if _, err := e.st.Pool.Exec(t.Context(), `UPDATE users SET disabled_at = now() WHERE email = 'bob@relecloud.example'`); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.apiCall(readB, http.MethodGet, "/api/v1/customers", ""); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user's token: %d, want 401", p.StatusCode)
	}
	if n := e.count(`SELECT count(*) FROM api_tokens WHERE last_used_at IS NOT NULL AND name = 'PSA sync'`); n != 1 {
		t.Errorf("the token's last use is not recorded")
	}
}

// TestAPIOrderAndSeatChangeIdempotent: an order and a seat change through
// the API reach Partner Center once whatever the retries: a replayed
// Idempotency-Key answers the first answer, the same key with another body
// is 422, one still running is 409; the order carries the reseller as
// partner of record, and the audit trail names the token.
func TestAPIOrderAndSeatChangeIdempotent(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	custA, subA := e.subID("Contoso Ltd", "Office 365 E3")
	custB, _ := e.subID("Fabrikam Inc", "%")
	e.apiResellers(uuid.MustParse(custA), uuid.MustParse(custB))
	ca, cb := e.client(), e.client()
	e.login(ca, "ann@firstup.example")
	e.login(cb, "bob@relecloud.example")
	rwA, readA, rwB := e.apiToken(ca, "RMM", "read_write"), e.apiToken(ca, "PSA", "read"), e.apiToken(cb, "B tool", "read_write")
	base, _ := e.offerIDs("Office 365 E3", "%Archiving%")
	orders := "/api/v1/customers/" + custA + "/orders"
	body := `{"lines": [{"item_id": "` + base + `", "quantity": 3}]}`

	// Validation: the cart's checks, by line and field; nothing placed.
	p := e.apiCall(rwA, http.MethodPost, orders, `{"lines": [{"item_id": "no-such-offer", "quantity": 3}, {"item_id": "`+base+`", "quantity": 0}]}`,
		"Idempotency-Key", "bad-order")
	if _, fields := apiErrorOf(t, p); p.StatusCode != http.StatusUnprocessableEntity || fields["lines[0].item_id"] == "" || fields["lines[1].quantity"] == "" {
		t.Fatalf("bad lines: %d %s", p.StatusCode, p.body)
	}
	// B's token cannot order for A's customer.
	if p := e.apiCall(rwB, http.MethodPost, orders, body, "Idempotency-Key", "b-tries"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("B ordering for A's customer: %d", p.StatusCode)
	}
	if n := e.sb.Calls(sandbox.OpCreateOrder); n != 0 {
		t.Fatalf("%d orders reached PC before a valid one", n)
	}

	first := e.apiCall(rwA, http.MethodPost, orders, body, "Idempotency-Key", "order-1")
	if first.StatusCode != http.StatusCreated {
		t.Fatalf("order: %d %s", first.StatusCode, first.body)
	}
	var order struct {
		ID, Status, PCOrderID, MSRequestID string
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(first.body), &raw)
	order.ID, _ = raw["id"].(string)
	order.Status, _ = raw["status"].(string)
	order.PCOrderID, _ = raw["pc_order_id"].(string)
	order.MSRequestID, _ = raw["ms_request_id"].(string)
	if order.Status != "succeeded" || order.PCOrderID == "" {
		t.Fatalf("order not placed inline: %s", first.body)
	}
	var tokenID int64
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT id FROM api_tokens WHERE name = 'RMM'`).Scan(&tokenID); err != nil {
		t.Fatal(err)
	}
	wantToken, wantReq := commerce.APIWriteIDs(tokenID, "order-1")
	if order.ID != wantToken.String() || order.MSRequestID != wantReq.String() {
		t.Errorf("order %s with MS-RequestId %s, want %s and %s (derived from the token and key)", order.ID, order.MSRequestID, wantToken, wantReq)
	}
	for range 2 {
		again := e.apiCall(rwA, http.MethodPost, orders, body, "Idempotency-Key", "order-1")
		if again.StatusCode != first.StatusCode || again.body != first.body || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %q\n%s\nfirst:\n%s", again.StatusCode, again.Header.Get("Idempotent-Replayed"), again.body, first.body)
		}
	}
	if n := e.sb.Calls(sandbox.OpCreateOrder); n != 1 {
		t.Fatalf("%d create-order calls for one key, want 1", n)
	}
	if n := e.countRows("order_placements"); n != 1 {
		t.Fatalf("%d placements for one key", n)
	}
	// The same key with another body is refused; a new key is a new order.
	p = e.apiCall(rwA, http.MethodPost, orders, strings.Replace(body, `"quantity": 3`, `"quantity": 4`, 1), "Idempotency-Key", "order-1")
	if code, _ := apiErrorOf(t, p); p.StatusCode != http.StatusUnprocessableEntity || code != "idempotency_key_reused" {
		t.Fatalf("key reused with another body: %d %s", p.StatusCode, p.body)
	}
	// A request whose key is still running (claimed, no answer yet) is 409.
	sum := sha256Of(body)
	if claimed, _, err := e.st.ClaimIdempotencyKey(t.Context(), tokenID, "order-2", http.MethodPost, orders, sum, time.Hour); err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if p := e.apiCall(rwA, http.MethodPost, orders, body, "Idempotency-Key", "order-2"); p.StatusCode != http.StatusConflict {
		t.Fatalf("concurrent duplicate: %d %s", p.StatusCode, p.body)
	}
	// A burst of the same new request at once: each answer is the first
	// one (201, or its replay) or 409 while it runs; PC gets one order.
	burst := strings.Replace(body, `"quantity": 3`, `"quantity": 2`, 1)
	var wg sync.WaitGroup
	answers := make([]page, 6)
	for i := range answers {
		wg.Go(func() { answers[i] = e.apiCall(rwA, http.MethodPost, orders, burst, "Idempotency-Key", "order-3") })
	}
	wg.Wait()
	created := ""
	for i, a := range answers {
		switch a.StatusCode {
		case http.StatusCreated:
			if created != "" && a.body != created {
				t.Errorf("burst answer %d differs from the first:\n%s\n%s", i, a.body, created)
			}
			created = a.body
		case http.StatusConflict:
		default:
			t.Errorf("burst answer %d: %d %s", i, a.StatusCode, a.body)
		}
	}
	if created == "" {
		t.Error("no request of the burst placed the order")
	}
	if n := e.sb.Calls(sandbox.OpCreateOrder); n != 2 {
		t.Fatalf("%d create-order calls after the refused requests and the burst, want 2", n)
	}
	// PC got the reseller as partner of record, and the audit names the token.
	var por, actor string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT c.payload->'order'->'lineItems'->0->>'partnerIdOnRecord', c.requested_by_label
		FROM commands c WHERE c.ms_request_id = $1`, wantReq).Scan(&por, &actor); err != nil {
		t.Fatal(err)
	}
	if por != apiResellerAMpn || actor != "ann@firstup.example via API token RMM" {
		t.Errorf("command: partnerIdOnRecord %q, by %q", por, actor)
	}
	if n := e.count(`SELECT count(*) FROM audit_log a JOIN users u ON u.id = a.actor_user_id
		WHERE a.action = 'pc.create_order' AND a.actor = 'ann@firstup.example via API token RMM' AND u.email = 'ann@firstup.example' AND a.pc_request_id = $1`, wantReq); n != 1 {
		t.Errorf("%d audit entries of the order naming the token and the user", n)
	}

	// A seat change: read scope refused, then one change however retried.
	q, _ := e.mirrored(subA)
	change := `{"quantity": ` + strconv.Itoa(q+1) + `}`
	if p := e.apiCall(readA, http.MethodPatch, "/api/v1/subscriptions/"+subA, change, "Idempotency-Key", "seats-1"); p.StatusCode != http.StatusForbidden {
		t.Fatalf("seat change with a read token: %d", p.StatusCode)
	}
	if p := e.apiCall(rwB, http.MethodPatch, "/api/v1/subscriptions/"+subA, change, "Idempotency-Key", "seats-1"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("seat change with B's token: %d", p.StatusCode)
	}
	sc := e.apiCall(rwA, http.MethodPatch, "/api/v1/subscriptions/"+subA, change, "Idempotency-Key", "seats-1")
	if sc.StatusCode != http.StatusOK || !strings.Contains(sc.body, `"status":"succeeded"`) {
		t.Fatalf("seat change: %d %s", sc.StatusCode, sc.body)
	}
	again := e.apiCall(rwA, http.MethodPatch, "/api/v1/subscriptions/"+subA, change, "Idempotency-Key", "seats-1")
	if again.StatusCode != sc.StatusCode || again.body != sc.body {
		t.Fatalf("seat change replay: %d %s", again.StatusCode, again.body)
	}
	if n := e.sb.Calls(sandbox.OpPatchSubscription); n != 1 {
		t.Fatalf("%d patch-subscription calls, want 1", n)
	}
	if got, _ := e.mirrored(subA); got != q+1 {
		t.Fatalf("seats %d, want %d", got, q+1)
	}
	pc, err := e.pcClientForTest()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := pc.GetSubscription(t.Context(), custA, subA); err != nil || s.Quantity != q+1 {
		t.Fatalf("PC's subscription: %v, %v", s.Quantity, err)
	}
	if p := e.apiCall(readA, http.MethodGet, "/api/v1/subscriptions/"+subA, ""); !strings.Contains(p.body, `"quantity":`+strconv.Itoa(q+1)) {
		t.Errorf("the API reads %s", p.body)
	}
}

// TestAPIOpenAPIDescribesRoutes: /api/v1/openapi.json is OpenAPI 3.1 and
// describes exactly the routes the router has under /api/v1, and its
// references resolve.
func TestAPIOpenAPIDescribesRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	var routes []string
	if err := chi.Walk(e.srv.Routes().(chi.Routes), func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if strings.HasPrefix(pattern, "/api/") {
			routes = append(routes, method+" "+pattern)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	p := e.get(e.client(), "/api/v1/openapi.json")
	if p.StatusCode != http.StatusOK || p.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("openapi.json: %d %s", p.StatusCode, p.Header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(p.body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	var described []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			described = append(described, strings.ToUpper(method)+" "+path)
			if op["operationId"] == "" || op["responses"] == nil {
				t.Errorf("%s %s lacks an operationId or responses", method, path)
			}
		}
	}
	slices.Sort(routes)
	slices.Sort(described)
	if !slices.Equal(routes, described) {
		t.Errorf("routes and description differ:\nrouter: %v\nopenapi: %v", routes, described)
	}
	if len(routes) < 7 {
		t.Errorf("only %d API routes walked", len(routes))
	}
	for _, m := range regexp.MustCompile(`"\$ref":"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(p.body, -1) {
		if doc.Components.Schemas[m[1]] == nil {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}
	// Unknown API paths answer JSON, not the pages' 404.
	if p := e.apiCall("", http.MethodGet, "/api/v1/nothing", ""); p.StatusCode != http.StatusNotFound || p.Header.Get("Content-Type") != "application/json" {
		t.Errorf("unknown API path: %d %s", p.StatusCode, p.Header.Get("Content-Type"))
	}
}

func sha256Of(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// TestAPISubscriptionChanges: the PATCH takes one change of each kind the
// page makes (rename, suspend, reactivate, auto-renew) with the page's
// rules and errors by field, reaches PC once per key, and refuses a body
// with no change or two.
func TestAPISubscriptionChanges(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	custA, subA := e.subID("Contoso Ltd", "Office 365 E3")
	custB, _ := e.subID("Fabrikam Inc", "%")
	e.apiResellers(uuid.MustParse(custA), uuid.MustParse(custB))
	ca, cb := e.client(), e.client()
	e.login(ca, "ann@firstup.example")
	e.login(cb, "bob@relecloud.example")
	rwA, readA, rwB := e.apiToken(ca, "RMM", "read_write"), e.apiToken(ca, "PSA", "read"), e.apiToken(cb, "B tool", "read_write")
	path := "/api/v1/subscriptions/" + subA
	pc, err := e.pcClientForTest()
	if err != nil {
		t.Fatal(err)
	}
	inPC := func() *pccclient.Subscription {
		t.Helper()
		s, err := pc.GetSubscription(t.Context(), custA, subA)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// Refusals: nothing reaches PC.
	for _, c := range []struct{ body, field string }{
		{`{}`, "_body"},
		{`{"friendly_name": "A", "auto_renew": false}`, "_body"},
		{`{"status": "deleted"}`, "status"},
		{`{"status": "suspended"}`, "suspension_reason"},
		{`{"status": "active"}`, "status"}, // it is active already
		{`{"friendly_name": "  "}`, "friendly_name"},
		{`{"auto_renew": true}`, "auto_renew"}, // it is on already
	} {
		p := e.apiCall(rwA, http.MethodPatch, path, c.body, "Idempotency-Key", "bad-"+c.body)
		if code, fields := apiErrorOf(t, p); p.StatusCode != http.StatusUnprocessableEntity || code != "validation" || fields[c.field] == "" {
			t.Errorf("%s: %d %s, want 422 naming %s", c.body, p.StatusCode, p.body, c.field)
		}
	}
	if p := e.apiCall(readA, http.MethodPatch, path, `{"friendly_name": "Sales"}`, "Idempotency-Key", "r"); p.StatusCode != http.StatusForbidden {
		t.Errorf("rename with a read token: %d", p.StatusCode)
	}
	if p := e.apiCall(rwB, http.MethodPatch, path, `{"friendly_name": "Sales"}`, "Idempotency-Key", "b"); p.StatusCode != http.StatusNotFound {
		t.Errorf("rename with B's token: %d", p.StatusCode)
	}
	if n := e.sb.Calls(sandbox.OpPatchSubscription); n != 0 {
		t.Fatalf("%d patch-subscription calls after refusals only", n)
	}

	// Each change, replayed once: one PC call each, PC and the answer agree.
	steps := []struct {
		key, body, want string
		check           func(*pccclient.Subscription) bool
	}{
		{"rename", `{"friendly_name": "Sales team"}`, `"friendly_name_after":"Sales team"`,
			func(s *pccclient.Subscription) bool { return s.FriendlyName == "Sales team" }},
		{"suspend", `{"status": "suspended", "suspension_reason": "Customer asked to pause"}`, `"subscription_status_after":"suspended"`,
			func(s *pccclient.Subscription) bool { return s.Status.Is(pccclient.SubscriptionSuspended) }},
		{"reactivate", `{"status": "active"}`, `"subscription_status_after":"active"`,
			func(s *pccclient.Subscription) bool { return s.Status.Is(pccclient.SubscriptionActive) }},
		{"renew-off", `{"auto_renew": false}`, `"auto_renew_after":false`,
			func(s *pccclient.Subscription) bool { return !s.AutoRenewEnabled }},
	}
	for i, st := range steps {
		first := e.apiCall(rwA, http.MethodPatch, path, st.body, "Idempotency-Key", st.key)
		if first.StatusCode != http.StatusOK || !strings.Contains(first.body, `"status":"succeeded"`) || !strings.Contains(first.body, st.want) {
			t.Fatalf("%s: %d %s", st.key, first.StatusCode, first.body)
		}
		again := e.apiCall(rwA, http.MethodPatch, path, st.body, "Idempotency-Key", st.key)
		if again.StatusCode != first.StatusCode || again.body != first.body {
			t.Fatalf("%s replayed: %d %s", st.key, again.StatusCode, again.body)
		}
		if n := e.sb.Calls(sandbox.OpPatchSubscription); n != i+1 {
			t.Fatalf("after %s: %d patch-subscription calls, want %d", st.key, n, i+1)
		}
		if s := inPC(); !st.check(s) {
			t.Fatalf("after %s PC has status %s, name %q", st.key, s.Status, s.FriendlyName)
		}
	}
	if p := e.apiCall(readA, http.MethodGet, path, ""); !strings.Contains(p.body, `"friendly_name":"Sales team"`) || !strings.Contains(p.body, `"status":"active"`) {
		t.Errorf("the API reads %s", p.body)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'pc.patch_subscription' AND actor = 'ann@firstup.example via API token RMM'`); n != len(steps) {
		t.Errorf("%d audit entries of the API's changes naming the token, want %d", n, len(steps))
	}
}
