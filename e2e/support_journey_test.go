package e2e

import (
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

// TestSupportSeatRequestJourney: a customer user asks for 5 more seats
// from their subscription's page; staff approve it from the support queue
// after the confirmation; the change reaches the sandbox and the customer
// sees it done and the new seat count.
func TestSupportSeatRequestJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := startClockPortal(t)
	href := p.subHref(t, "Fabrikam Inc", "%Premium%")
	cust, sub, _ := strings.Cut(strings.TrimPrefix(href, "/customers/"), "/subscriptions/")
	var q0 int
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT quantity FROM subscriptions WHERE id = $1`, sub).Scan(&q0); err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(q0 + 5)

	const email, password = "cara@fabrikam.example", "customer password for e2e"
	hash, err := argon2id.CreateHash(password, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.MustParse(cust)
	if _, err := p.Store.CreateUser(t.Context(), store.NewUser{Email: email, DisplayName: "Cara", Role: store.RoleCustomer, PasswordHash: hash,
		CustomerID: &id, CustomerVia: "invitation"}); err != nil {
		t.Fatal(err)
	}
	signIn := func(who, pass string, landing string) { b.signIn(p.URL, who, pass, landing) }
	signOut := b.signOut

	signIn(email, password, "entitlements-title")
	b.run("ask for 5 more seats",
		chromedp.Navigate(p.URL+"/my/subscriptions/"+url.PathEscape(sub)),
		chromedp.WaitVisible(testID("ask-seats")),
		chromedp.Click(testID("ask-seats")),
		chromedp.WaitVisible(testID("form-seats")),
		chromedp.SetValue(field("seats"), want),
		chromedp.Click(testID("support-submit")),
		chromedp.WaitVisible(testID("support-seats")),
	)
	if got := b.text(`[data-testid="support-seats"]`); !strings.Contains(got, "(+5)") {
		t.Fatalf("request says %q", got)
	}
	if got := b.text(`[data-testid="support-status"]`); got != "Open" {
		t.Fatalf("status %q, want Open", got)
	}
	b.checkA11y("customer request")
	signOut()

	p.signIn(b)
	b.run("approve from the queue",
		chromedp.Click(testID("nav-support")),
		chromedp.WaitVisible(testID("support-table")),
		chromedp.Click(testID("support-link")),
		chromedp.WaitVisible(testID("support-approve")),
		chromedp.Click(testID("support-approve")),
		chromedp.WaitVisible(testID("confirm-effect")),
	)
	if got := b.text(`[data-testid="confirm-effect"]`); !strings.Contains(got, "Adds 5 seat(s)") {
		t.Fatalf("confirmation says %q", got)
	}
	b.checkA11y("approve confirmation")
	b.run("confirm", chromedp.Click(testID("confirm-submit")), chromedp.WaitVisible(testID("support-approved")))
	b.run("the subscription has the seats",
		chromedp.Navigate(p.URL+href),
		chromedp.WaitVisible(testID("sub-quantity")),
	)
	if got := b.text(`[data-testid="sub-quantity"]`); got != want {
		t.Fatalf("staff page quantity %q, want %s", got, want)
	}
	signOut()

	signIn(email, password, "entitlements-title")
	deadline := time.Now().Add(15 * time.Second)
	for {
		b.run("the customer's request",
			chromedp.Navigate(p.URL+"/my/requests"),
			chromedp.WaitVisible(testID("support-link")),
			chromedp.Click(testID("support-link")),
			chromedp.WaitVisible(testID("support-approved")),
		)
		if b.text(`[data-testid="support-change-status"]`) == "succeeded" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := b.text(`[data-testid="support-change-status"]`); got != "succeeded" {
		t.Fatalf("the customer sees the change %q", got)
	}
	b.run("the customer's subscription",
		chromedp.Navigate(p.URL+"/my/subscriptions/"+url.PathEscape(sub)),
		chromedp.WaitVisible(testID("subscription-detail")),
	)
	if got := b.text(`[data-testid="subscription-detail"]`); !strings.Contains(got, "Quantity: "+want) {
		t.Fatalf("customer view: %q, want quantity %s", got, want)
	}
}
