package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/store"
)

// TestSupportSeatPolicyJourney: an admin turns on auto-approval (at most 5
// seats per request) on the settings page; a customer user asks for 3
// more seats and sees the request approved by the policy and done, with
// the seats in the sandbox; asking for 10 more waits for staff.
func TestSupportSeatPolicyJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	href := p.subHref(t, "Fabrikam Inc", "%Premium%")
	cust, sub, _ := strings.Cut(strings.TrimPrefix(href, "/customers/"), "/subscriptions/")
	var q0 int
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT quantity FROM subscriptions WHERE id = $1`, sub).Scan(&q0); err != nil {
		t.Fatal(err)
	}
	hash, err := argon2id.CreateHash("password for e2e users", &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.MustParse(cust)
	for _, u := range []store.NewUser{
		{Email: "ada@reseller.example", DisplayName: "Ada", Role: store.RoleAdmin, PasswordHash: hash},
		{Email: "cara@fabrikam.example", DisplayName: "Cara", Role: store.RoleCustomer, PasswordHash: hash, CustomerID: &id, CustomerVia: "invitation"},
	} {
		if _, err := p.Store.CreateUser(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	signIn := func(who, landing string) { b.signIn(p.URL, who, "password for e2e users", landing) }
	signOut := b.signOut
	askSeats := func(n int) {
		b.run("ask for "+strconv.Itoa(n)+" seats",
			chromedp.Navigate(p.URL+"/my/subscriptions/"+url.PathEscape(sub)),
			chromedp.WaitVisible(testID("ask-seats")),
			chromedp.Click(testID("ask-seats")),
			chromedp.WaitVisible(testID("form-seats")),
			chromedp.SetValue(field("seats"), strconv.Itoa(n)),
			chromedp.Click(testID("support-submit")),
			chromedp.WaitVisible(testID("support-seats")),
		)
	}

	signIn("ada@reseller.example", "dashboard-title")
	b.run("the policy page",
		chromedp.Navigate(p.URL+"/admin/settings"),
		chromedp.WaitVisible(testID("settings-seat-approval")),
		chromedp.Click(testID("settings-seat-approval")),
		chromedp.WaitVisible(testID("seat-policy-title")),
	)
	if got := b.text(`[data-testid="seat-policy-all-summary"]`); got != "Now: off." {
		t.Fatalf("before: %q", got)
	}
	b.run("turn it on without a limit",
		chromedp.Click(testID("field-enabled")),
		chromedp.Click(testID("seat-policy-all-submit")),
		chromedp.WaitVisible(testID("error-max_per_request")),
	)
	b.run("turn it on with 5 per request",
		chromedp.SetValue(field("max_per_request"), "5"),
		chromedp.Click(testID("seat-policy-all-submit")),
		chromedp.WaitNotPresent(testID("error-max_per_request")),
		chromedp.WaitVisible(testID("seat-policy-all-summary")),
	)
	if got := b.text(`[data-testid="seat-policy-all-summary"]`); !strings.Contains(got, "up to 5 per request") {
		t.Fatalf("after saving: %q", got)
	}
	b.checkA11y("seat policy")
	signOut()

	signIn("cara@fabrikam.example", "entitlements-title")
	askSeats(q0 + 3)
	if got := b.text(`[data-testid="flash"]`); !strings.Contains(got, "approved under your reseller's policy") {
		t.Fatalf("flash %q", got)
	}
	deadline := time.Now().Add(15 * time.Second)
	for b.text(`[data-testid="support-change-status"]`) != "succeeded" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		b.run("reload the request", chromedp.Reload(), chromedp.WaitVisible(testID("support-approved")))
	}
	if got := b.text(`[data-testid="support-auto-approved"]`); !strings.Contains(got, "automatically") {
		t.Fatalf("the request does not say the policy approved it: %q", got)
	}
	if got := b.text(`[data-testid="support-change-status"]`); got != "succeeded" {
		t.Fatalf("the change is %q", got)
	}
	b.checkA11y("auto-approved request")
	// Partner Center's own copy has the seats.
	req := httptest.NewRequest(http.MethodGet, "/v1/customers/"+cust+"/subscriptions/"+sub, nil)
	req.Header.Set("Authorization", "Bearer "+p.Sandbox.IssueToken())
	rec := httptest.NewRecorder()
	p.Sandbox.Handler().ServeHTTP(rec, req)
	var pc struct {
		Quantity int `json:"quantity"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &pc) != nil || pc.Quantity != q0+3 {
		t.Fatalf("sandbox: %d quantity %d, want %d\n%s", rec.Code, pc.Quantity, q0+3, rec.Body)
	}

	// Over the policy's limit: it waits for staff.
	askSeats(q0 + 13)
	if got := b.text(`[data-testid="support-status"]`); got != "Open" {
		t.Fatalf("a request over the policy is %q, want Open", got)
	}
	var n int
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT count(*) FROM support_requests WHERE status = 'open' AND auto_approved_at IS NULL`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d open requests (%v), want 1", n, err)
	}
	for _, pr := range realProblems(b.Problems()) {
		t.Errorf("browser problem: %s", pr)
	}
}
