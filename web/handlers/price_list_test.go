package handlers_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/web/templates"
)

// seedPriceList puts one US catalog item with two prices (6.00 a month
// and 68.40 a year, ERP 7.20 and 82.08) in the price list; its SKU title
// has a comma, quotes and a leading "=" and its product a non-Latin name.
func (e *env) seedPriceList() {
	e.t.Helper()
	for _, q := range []string{
		`INSERT INTO products (country, id, title, product_type) VALUES ('US', 'CFQ7TTC0LH18', 'Büro 北京 Basic', 'OnlineServicesNCE')`,
		`INSERT INTO skus (country, product_id, id, title) VALUES ('US', 'CFQ7TTC0LH18', '0001', '=HYPERLINK("x"), annual')`,
		`INSERT INTO availabilities (country, product_id, sku_id, id, catalog_item_id, currency)
			VALUES ('US', 'CFQ7TTC0LH18', '0001', 'DZH318Z0BQ3Q', 'CFQ7TTC0LH18:0001:DZH318Z0BQ3Q', 'USD')`,
		`INSERT INTO prices (country, item_id, term_duration, billing_cycle, currency, unit_price, erp_price) VALUES
			('US', 'CFQ7TTC0LH18:0001:DZH318Z0BQ3Q', 'P1Y', 'monthly', 'USD', 6.00, 7.20),
			('US', 'CFQ7TTC0LH18:0001:DZH318Z0BQ3Q', 'P1Y', 'annual', 'USD', 68.40, 82.08)`,
	} {
		if _, err := e.st.Pool.Exec(e.t.Context(), q); err != nil {
			e.t.Fatalf("%v\n%s", err, q)
		}
	}
}

// readCSV checks the answer is a UTF-8 CSV with a byte order mark and
// parses it back.
func readCSV(t *testing.T, p page) [][]string {
	t.Helper()
	if p.StatusCode != http.StatusOK || p.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(p.body, "\ufeff") {
		t.Fatalf("not a CSV with a BOM: %d %q\n%s", p.StatusCode, p.Header.Get("Content-Type"), p.body)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, p.body)
	}
	return recs
}

func TestPriceListCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "ada@example.com")
	e.completeSetup()
	a, b := e.seedTenant("Contoso", time.Now()), e.seedTenant("Fabrikam", time.Now())
	e.seedPriceList()
	admin := e.client()
	e.login(admin, "ada@example.com")
	// Contoso's own rule: +10 %
	if p := e.post(admin, "/admin/prices/rules", url.Values{"customer": {"Contoso"}, "kind": {"percent"}, "amount": {"10"}, "rounding": {"cents"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("rule: %d\n%s", p.StatusCode, p.body)
	}
	saleHead := []string{"product", "sku", "catalog_item_id", "term", "billing_plan", "currency", "unit_price", "monthly_equivalent", "estimated_retail_price"}
	wantSale := [][]string{
		{"Büro 北京 Basic", `'=HYPERLINK("x"), annual`, "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q", "1 year", "annual", "USD", "75.24", "6.27", "82.08"},
		{"Büro 北京 Basic", `'=HYPERLINK("x"), annual`, "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q", "1 year", "monthly", "USD", "6.60", "6.60", "7.20"},
	}
	e.createCustomerUser("cu@contoso.example", a.ID)
	c := e.client()
	e.login(c, "cu@contoso.example")
	for _, path := range []string{"/my/prices.csv", "/my/prices.csv?cost=1"} {
		p := e.get(c, path)
		recs := readCSV(t, p)
		if !slices.Equal(recs[0], saleHead) || len(recs) != 3 || !slices.Equal(recs[1], wantSale[0]) || !slices.Equal(recs[2], wantSale[1]) {
			t.Fatalf("%s:\n%q", path, recs)
		}
		if strings.Contains(p.body, "6.00") || strings.Contains(p.body, "68.40") || strings.Contains(p.body, "cost") {
			t.Fatalf("%s shows a cost:\n%s", path, p.body)
		}
	}
	// a customer user reaches neither the staff export nor another customer's list
	for _, path := range []string{"/customers/" + a.ID.String() + "/prices.csv?cost=1", "/customers/" + b.ID.String() + "/prices.csv",
		"/customers/" + b.ID.String() + "/view/prices.csv"} {
		if p := e.get(c, path); p.StatusCode != http.StatusForbidden {
			t.Errorf("customer user %s: %d", path, p.StatusCode)
		}
	}
	// staff: sale by default (the customer's view too), cost and margin on request
	if recs := readCSV(t, e.get(admin, "/customers/"+a.ID.String()+"/view/prices.csv?cost=1")); !slices.Equal(recs[0], saleHead) {
		t.Fatalf("view as customer has cost columns: %q", recs[0])
	}
	recs := readCSV(t, e.get(admin, "/customers/"+a.ID.String()+"/prices.csv?cost=1"))
	if want := append(append([]string{}, saleHead...), "cost", "margin", "margin_percent", "markup_rule"); !slices.Equal(recs[0], want) {
		t.Fatalf("staff header %q", recs[0])
	}
	if got := recs[2][9:]; got[0] != "6.00" || got[1] != "0.60" || got[2] != "9.1" || !strings.HasPrefix(got[3], "Customer") {
		t.Fatalf("staff cost columns %q", got)
	}
	if recs := readCSV(t, e.get(admin, "/customers/"+b.ID.String()+"/prices.csv")); len(recs) != 3 || recs[2][6] != "6.00" || len(recs[0]) != len(saleHead) {
		t.Fatalf("Fabrikam (no rule: sale = cost): %q", recs)
	}
	// staff see the estimated retail price beside cost and sale on the offer page
	if p := e.get(admin, "/catalog/US/products/CFQ7TTC0LH18/skus/0001"); p.StatusCode != http.StatusOK ||
		strings.Count(p.body, `data-testid="offer-erp"`) != 2 || !strings.Contains(p.body, "82.08") || !strings.Contains(p.body, "7.20") {
		t.Errorf("offer page: %d, no estimated retail prices\n%s", p.StatusCode, p.body)
	}
	if p := e.get(admin, "/customers/"+uuid.NewString()+"/prices.csv"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown customer: %d", p.StatusCode)
	}
}

func TestCartStatesMonthlyAndPlanDifferences(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("admin", "ada@example.com")
	e.completeSetup()
	a := e.seedTenant("Contoso", time.Now())
	e.seedPriceList()
	ctx := t.Context()
	for _, q := range []string{
		`UPDATE customers SET address_country = 'US' WHERE id = $1`,
		`INSERT INTO prices (country, item_id, term_duration, billing_cycle, currency, unit_price)
			VALUES ('US', 'CFQ7TTC0LH18:0001:DZH318Z0BQ3Q', 'P1M', 'monthly', 'USD', 7.20)`,
	} {
		args := []any{a.ID}
		if !strings.Contains(q, "$1") {
			args = nil
		}
		if _, err := e.st.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	var cart int64
	if err := e.st.Pool.QueryRow(ctx, `INSERT INTO carts (user_id, customer_id) VALUES ($1, $2) RETURNING id`, u.ID, a.ID).Scan(&cart); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(ctx, `INSERT INTO cart_lines (cart_id, kind, item_id, name, quantity, term_duration, billing_cycle, unit_price, currency)
		VALUES ($1, 'nce', 'CFQ7TTC0LH18:0001:DZH318Z0BQ3Q', 'Basic', 3, 'P1Y', 'monthly', 6.00, 'USD')`, cart); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	e.login(c, "ada@example.com")
	for _, path := range []string{"/customers/" + a.ID.String() + "/cart", "/customers/" + a.ID.String() + "/cart/review"} {
		p := e.get(c, path)
		for _, want := range []string{"$18.00 a month", "1 year, billed annually: $5.70 a licence a month, 5.0 % less",
			"1 month, billed monthly: $7.20 a licence a month, 20.0 % more"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("%s lacks %q", path, want)
			}
		}
	}
	// the placed order's page prices its lines for staff: 3 x 6.00 at cost,
	// 3 x 6.60 at sale with a 10 % rule
	if p := e.post(c, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"10"}, "rounding": {"cents"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("rule: %d", p.StatusCode)
	}
	token := uuid.New()
	if _, err := e.st.Pool.Exec(ctx, `WITH cmd AS (INSERT INTO commands (kind, customer_id, payload, ms_request_id)
		VALUES ('create_order', $1, '{}', $2) RETURNING id)
		INSERT INTO order_placements (token, customer_id, user_id, lines, base_command_id)
		SELECT $3, $1, $4, '[{"itemId": "CFQ7TTC0LH18:0001:DZH318Z0BQ3Q", "name": "Basic", "quantity": 3, "term": "P1Y", "cycle": "monthly", "phase": 1, "baseLine": -1}]', id FROM cmd`,
		a.ID, uuid.New(), token, u.ID); err != nil {
		t.Fatal(err)
	}
	p := e.get(c, "/customers/"+a.ID.String()+"/orders/"+token.String())
	if !strings.Contains(p.body, "$18.00") || !strings.Contains(p.body, "$19.80") || !hasTestID(p.body, "order-line-prices") {
		t.Errorf("order page: %d, no line prices\n%s", p.StatusCode, p.body)
	}
}

// TestCartReviewTotalsPerCurrency: a cart whose lines are priced in two
// currencies shows a cost and a sale total per currency, never their sum.
func TestCartReviewTotalsPerCurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("admin", "ada@example.com")
	e.completeSetup()
	a := e.seedTenant("Contoso", time.Now())
	ctx := t.Context()
	var cart int64
	if err := e.st.Pool.QueryRow(ctx, `INSERT INTO carts (user_id, customer_id) VALUES ($1, $2) RETURNING id`, u.ID, a.ID).Scan(&cart); err != nil {
		t.Fatal(err)
	}
	type line struct {
		item, currency string
		qty            int64
		unit           decimal.Decimal
	}
	lines := []line{{"offer-usd", "USD", 3, decimal.RequireFromString("6.00")}, {"offer-eur", "EUR", 2, decimal.RequireFromString("1250.25")}}
	for _, l := range lines {
		if _, err := e.st.Pool.Exec(ctx, `INSERT INTO cart_lines (cart_id, kind, item_id, name, quantity, term_duration, billing_cycle, unit_price, currency)
			VALUES ($1, 'offer', $2, $2, $3, 'P1M', 'monthly', $4, $5)`, cart, l.item, l.qty, l.unit, l.currency); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client()
	e.login(c, "ada@example.com")
	if p := e.post(c, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"10"}, "rounding": {"cents"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("rule: %d", p.StatusCode)
	}
	p := e.get(c, "/customers/"+a.ID.String()+"/cart/review")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("review: %d", p.StatusCode)
	}
	ten := decimal.RequireFromString("1.10")
	var costSum, saleSum decimal.Decimal
	for _, l := range lines {
		cost := l.unit.Mul(decimal.NewFromInt(l.qty))
		sale := l.unit.Mul(ten).Round(2).Mul(decimal.NewFromInt(l.qty))
		costSum, saleSum = costSum.Add(cost), saleSum.Add(sale)
		for _, want := range []string{`data-testid="review-total">` + templates.Money(cost, l.currency) + "<",
			`data-testid="review-sale-total">` + templates.Money(sale, l.currency) + "<"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("review lacks %s", want)
			}
		}
	}
	if n := strings.Count(p.body, `data-testid="review-total"`); n != 2 {
		t.Errorf("%d cost totals, want one per currency", n)
	}
	for _, sum := range []decimal.Decimal{costSum, saleSum} {
		if s := templates.Money(sum, ""); strings.Contains(p.body, s) {
			t.Errorf("the review sums USD and EUR: %s", s)
		}
	}
	if t.Failed() {
		t.Log(p.body)
	}
}
