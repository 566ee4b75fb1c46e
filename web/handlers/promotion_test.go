package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/commerce"
)

// TestCartPromotionAppliedAndPlaced: the configurator offers the running
// promotion of a SKU, refuses it on a plan it does not cover, prices the
// line at the discounted cost, and the placed order carries promotionId to
// Partner Center, whose subscription then names the promotion.
func TestCartPromotionAppliedAndPlaced(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	e.workers(commerce.Options{SettleBackoff: 50 * time.Millisecond})
	c := e.client()
	e.login(c, "staff@example.com")
	cust, _ := e.subID("Contoso Ltd", "Office 365 E3")
	cart := "/customers/" + cust + "/cart"
	item := e.nceItem("Microsoft 365 Business Premium", "P1Y")
	e.savePrices(item, "22.00") // the price list the line's cost comes from
	// A 10% markup for every customer, set by an admin: the configurator
	// shows each plan's list price and the customer's.
	e.createUser("admin", "ada@example.com")
	ac := e.client()
	e.login(ac, "ada@example.com")
	if p := e.post(ac, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"10"}, "rounding": {"cents"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("markup rule: %d\n%s", p.StatusCode, p.body)
	}
	const promo = "Microsoft 365 Business Premium annual 15% off"
	p := e.get(c, cart+"?"+url.Values{"item": {item}}.Encode())
	if !hasTestID(p.body, "cart-promotions") || !strings.Contains(p.body, promo) || !strings.Contains(p.body, "15% off") {
		t.Fatalf("the configurator does not offer the promotion\n%s", p.body)
	}
	if !strings.Contains(p.body, "list price $22.00 per unit") || !strings.Contains(p.body, "customer pays $24.20 per unit") {
		t.Fatalf("the configurator's plans lack the list or sale price\n%s", p.body)
	}
	id := promotionValue(t, p.body)

	// A plan the promotion does not cover is refused at the field.
	bad := e.post(c, cart+"/lines", url.Values{"item_id": {item}, "quantity": {"2"}, "plan": {"P1M|monthly"}, "promotion": {id}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !hasTestID(bad.body, "error-promotion") ||
		!strings.Contains(bad.body, "covers only 1 year") {
		t.Fatalf("a monthly term with an annual promotion: %d\n%s", bad.StatusCode, bad.body)
	}
	// A promotion that does not exist is refused too.
	if bad := e.post(c, cart+"/lines", url.Values{"item_id": {item}, "quantity": {"2"}, "plan": {"P1Y|monthly"},
		"promotion": {"39NFJQT1XXXX:0001:39NFJQT1XXXX"}}); bad.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(bad.body, "not running for this product") {
		t.Fatalf("an unknown promotion: %d\n%s", bad.StatusCode, bad.body)
	}
	if n := e.countRows("cart_lines"); n != 0 {
		t.Fatalf("refused lines were written: %d", n)
	}

	if p := e.post(c, cart+"/lines", url.Values{"item_id": {item}, "quantity": {"2"}, "plan": {"P1Y|monthly"}, "promotion": {id}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("add with the promotion: %d\n%s", p.StatusCode, p.body)
	}
	var cost decimal.Decimal
	var storedPromo string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT unit_price, promotion_id FROM cart_lines`).Scan(&cost, &storedPromo); err != nil {
		t.Fatalf("cart line: %v", err)
	}
	if storedPromo != id || !cost.Equal(decimal.RequireFromString("18.70")) {
		t.Fatalf("line cost %s with promotion %q; want 18.70 (22.00 less 15%%) with %s", cost, storedPromo, id)
	}
	rv := e.get(c, cart+"/review")
	if !hasTestID(rv.body, "cart-line-promotion") || !strings.Contains(rv.body, promo+" (15% off)") {
		t.Fatalf("the review does not show the promotion\n%s", rv.body)
	}
	tk := tokenRe.FindStringSubmatch(rv.body)
	if tk == nil {
		t.Fatal("no token on the review page")
	}
	placed := e.post(c, "/customers/"+cust+"/orders", url.Values{"token": {tk[1]}})
	if placed.StatusCode != http.StatusSeeOther {
		t.Fatalf("place: %d\n%s", placed.StatusCode, placed.body)
	}
	done := e.pollOrder(c, placed.location(), func(b string) bool { return strings.Contains(b, `data-done="true"`) })
	if !hasTestID(done.body, "order-line-promotion") || !strings.Contains(done.body, promo) {
		t.Fatalf("the order page does not show the promotion\n%s", done.body)
	}

	// The effect at Partner Center: the new subscription names the promotion.
	var sub string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT c.result->'lineItems'->0->>'subscriptionId' FROM order_placements p
		JOIN commands c ON c.id = p.base_command_id`).Scan(&sub); err != nil || sub == "" {
		t.Fatalf("no subscription from the order (err %v)", err)
	}
	pc, err := e.pcClientForTest()
	if err != nil {
		t.Fatal(err)
	}
	got, err := pc.GetSubscription(t.Context(), cust, sub)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(got.PromotionID, id) {
		t.Fatalf("subscription %s has promotion %q at PC, want %q", sub, got.PromotionID, id)
	}
}

// promotionValue is the value of the first promotion radio on a page.
func promotionValue(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `data-testid="cart-promotion"`)
	if i < 0 {
		t.Fatalf("no promotion radio\n%s", body)
	}
	tag := body[strings.LastIndex(body[:i], "<input"):i]
	_, v, ok := strings.Cut(tag, `value="`)
	if !ok {
		t.Fatalf("promotion radio without a value: %s", tag)
	}
	v, _, _ = strings.Cut(v, `"`)
	return v
}
