package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/store"
)

// TestResellerAPITokenJourney: a reseller user opens "API tokens" from the
// navigation, makes a read and write token (shown once), its tool reads
// the reseller's customers with it, and after the user revokes it in the
// page the tool gets 401.
func TestResellerAPITokenJourney(t *testing.T) {
	b := newBrowser(t)
	p := startPortal(t)
	ctx := t.Context()
	const reseller = "484e548c-f5f3-4528-93a9-c16c6373cb59"
	const password = "reseller password 12345"
	if _, err := p.Store.Pool.Exec(ctx, `INSERT INTO resellers (tenant_id, name, mpn_id, mpa_signed) VALUES ($1, 'First Up', '4847383', true)`, reseller); err != nil {
		t.Fatal(err)
	}
	mine, other := uuid.New(), uuid.New()
	seedCustomer(t, p.Store, mine, "Alpha", 2)
	seedCustomer(t, p.Store, other, "Bravo", 2)
	if _, err := p.Store.Pool.Exec(ctx, `UPDATE customers SET associated_partner_id = $1 WHERE id = $2`, reseller, mine); err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	rid := uuid.MustParse(reseller)
	if _, err := p.Store.CreateUser(ctx, store.NewUser{Email: "ann@firstup.example", Role: store.RoleReseller, ResellerID: &rid, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := p.Store.CompleteSetup(ctx); err != nil {
		t.Fatal(err)
	}

	b.run("sign in and make a token",
		chromedp.Navigate(p.URL+"/login"),
		chromedp.WaitVisible(testID("login-form")),
		chromedp.SendKeys(field("email"), "ann@firstup.example"),
		chromedp.SendKeys(field("password"), password),
		chromedp.Click(testID("login-submit")),
		chromedp.WaitVisible(testID("nav-reseller-api-tokens")),
		chromedp.Click(testID("nav-reseller-api-tokens")),
		chromedp.WaitVisible(testID("api-tokens-empty")),
		chromedp.SendKeys(field("name"), "PSA sync"),
		chromedp.Click(testID("api-token-scope-read_write")),
		chromedp.Click(testID("api-token-create")),
		chromedp.WaitVisible(testID("api-token-value")),
	)
	b.checkA11y("api tokens with a new token")
	token := strings.TrimSpace(b.text(`[data-testid="api-token-value"]`))
	if !strings.HasPrefix(token, "cspp_") {
		t.Fatalf("token %q", token)
	}
	call := func() (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/api/v1/customers", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v struct {
			Data []struct {
				CompanyName string `json:"company_name"`
			} `json:"data"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&v)
		names := []string{}
		for _, c := range v.Data {
			names = append(names, c.CompanyName)
		}
		return resp.StatusCode, strings.Join(names, ",")
	}
	if status, names := call(); status != http.StatusOK || names != "Alpha" {
		t.Fatalf("the tool reads %d %q, want 200 Alpha", status, names)
	}

	b.run("the token is listed without its secret, then revoked",
		chromedp.Navigate(p.URL+"/reseller/api-tokens"),
		chromedp.WaitVisible(testID("api-token-row")),
		chromedp.Click(testID("api-token-revoke")),
		chromedp.WaitVisible(testID("api-token-revoked")),
	)
	b.checkA11y("api tokens with a revoked token")
	if strings.Contains(b.text("main"), token) {
		t.Fatal("the token list shows the token again")
	}
	if status, _ := call(); status != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d, want 401", status)
	}
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Fatalf("browser problems: %v", ps)
	}
}
