package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	catalogCountRe = regexp.MustCompile(`data-testid="catalog-count">(\d+) offers?<`)
	offerLinkRe    = regexp.MustCompile(`<a href="([^"]+)" data-testid="catalog-offer-link">([^<]+)</a>`)
)

func catalogCount(t *testing.T, body string) int {
	t.Helper()
	m := catalogCountRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no result count on the page:\n%s", body)
	}
	n := 0
	for _, c := range m[1] {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestCatalogSearchFiltersSortAndPages(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	c := e.client()
	e.login(c, "staff@example.com")

	// Before any catalog sync: an empty list that says so.
	p := e.get(c, "/catalog")
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "catalog-empty") || !strings.Contains(p.body, "has not been synced") {
		t.Fatalf("GET /catalog before a sync: %d\n%s", p.StatusCode, p.body)
	}

	e.sync("catalog")
	var offers, skus int
	e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE kind = 'offer'), count(*) FILTER (WHERE kind = 'sku')
		FROM catalog_items WHERE country = 'US' AND gone_at IS NULL`).Scan(&offers, &skus)
	if offers == 0 || skus == 0 {
		t.Fatalf("catalog sync mirrored %d offers and %d SKUs", offers, skus)
	}
	p = e.get(c, "/catalog")
	if got := catalogCount(t, p.body); got != offers+skus {
		t.Fatalf("unfiltered count %d, want %d", got, offers+skus)
	}
	if !strings.Contains(p.body, "Catalog synced 0 seconds ago") {
		t.Fatalf("no freshness note:\n%s", p.body)
	}
	if !hasTestID(p.body, "pager-next") {
		t.Fatalf("%d items on one page: no next link", offers+skus)
	}

	// Full-text search, by word prefix, over name and description.
	p = e.get(c, "/catalog?q=offic+e3")
	links := offerLinkRe.FindAllStringSubmatch(p.body, -1)
	if len(links) == 0 || !strings.Contains(links[0][2], "E3") {
		t.Fatalf("search 'offic e3': %v\n%s", links, p.body)
	}
	for _, l := range links {
		if !strings.Contains(strings.ToLower(p.body), "e3") {
			t.Fatalf("search result %q does not match", l[2])
		}
	}
	if p = e.get(c, "/catalog?q=zzzzqqq"); catalogCount(t, p.body) != 0 || !hasTestID(p.body, "catalog-empty") {
		t.Fatal("nonsense search found offers")
	}

	// Filters live in the URL and combine.
	var addOns int
	e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM catalog_items WHERE country = 'US' AND is_add_on AND gone_at IS NULL`).Scan(&addOns)
	p = e.get(c, "/catalog?addon=addon")
	if got := catalogCount(t, p.body); got != addOns || addOns == 0 {
		t.Fatalf("add-on filter: %d, want %d", got, addOns)
	}
	if strings.Contains(p.body, `data-testid="catalog-row-type">base`) {
		t.Fatal("add-on filter lists a base offer")
	}
	if !strings.Contains(p.body, `<option value="addon" selected>`) {
		t.Fatal("the add-on filter is not shown as selected")
	}
	var usage int
	e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM catalog_items WHERE country = 'US' AND billing = 'usage' AND gone_at IS NULL`).Scan(&usage)
	if got := catalogCount(t, e.get(c, "/catalog?billing=usage").body); got != usage {
		t.Fatalf("usage filter: %d, want %d", got, usage)
	}
	var term string
	var withTerm int
	e.st.Pool.QueryRow(t.Context(), `SELECT t, count(*) FROM catalog_items, unnest(terms) t WHERE country = 'US' AND gone_at IS NULL
		GROUP BY t ORDER BY count(*), t LIMIT 1`).Scan(&term, &withTerm)
	if got := catalogCount(t, e.get(c, "/catalog?term="+term).body); got != withTerm || withTerm == 0 || withTerm == offers+skus {
		t.Fatalf("term %q filter: %d, want %d", term, got, withTerm)
	}
	var purch int
	e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM catalog_items WHERE country = 'US' AND purchasable AND NOT is_add_on AND gone_at IS NULL`).Scan(&purch)
	if got := catalogCount(t, e.get(c, "/catalog?purchasable=1&addon=base").body); got != purch {
		t.Fatalf("purchasable base offers: %d, want %d", got, purch)
	}
	// An unknown filter value is dropped, not an error.
	if p = e.get(c, "/catalog?billing=free&term=P99Y"); p.StatusCode != http.StatusOK || catalogCount(t, p.body) != offers+skus {
		t.Fatalf("bad filter values: %d", p.StatusCode)
	}

	// Sort by name, both ways.
	asc := offerLinkRe.FindAllStringSubmatch(e.get(c, "/catalog?sort=name").body, -1)
	desc := offerLinkRe.FindAllStringSubmatch(e.get(c, "/catalog?sort=name_desc").body, -1)
	if len(asc) < 2 || strings.ToLower(asc[0][2]) > strings.ToLower(asc[1][2]) || strings.ToLower(desc[0][2]) < strings.ToLower(desc[1][2]) || asc[0][2] == desc[0][2] {
		t.Fatalf("sort: asc %q.. desc %q..", asc[0][2], desc[0][2])
	}

	// The second page holds the next 25 (or the rest) and links back.
	p = e.get(c, "/catalog?sort=name&page=2")
	page2 := offerLinkRe.FindAllStringSubmatch(p.body, -1)
	if want := min(offers+skus-25, 25); len(page2) != want || page2[0][2] == asc[0][2] || !hasTestID(p.body, "pager-prev") {
		t.Fatalf("page 2 has %d items (want %d)", len(page2), want)
	}
}

func TestOfferPageShowsPricesAddOnsAndPrerequisites(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, false) // the demo customers, to order for
	c := e.client()
	e.login(c, "staff@example.com")
	e.sync("catalog")

	// A base offer with add-ons, and one of its add-ons.
	var base, baseName, addOn, addOnName string
	err := e.st.Pool.QueryRow(t.Context(), `SELECT o.id, o.name, a.id, a.name FROM offer_relations r
		JOIN offers o ON o.country = r.country AND o.id = r.offer_id JOIN offers a ON a.country = r.country AND a.id = r.related_id
		WHERE r.kind = 'addon' AND r.country = 'US' ORDER BY o.name LIMIT 1`).Scan(&base, &baseName, &addOn, &addOnName)
	if err != nil {
		t.Fatalf("no base offer with add-ons in the sandbox catalog: %v", err)
	}
	e.savePrices(base, "12.50")
	p := e.get(c, "/catalog/US/offers/"+base)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, baseName) || !strings.Contains(p.body, "12.50") ||
		!strings.Contains(p.body, addOnName) || !hasTestID(p.body, "offer-order") || !hasTestID(p.body, "offer-unit") {
		t.Fatalf("offer page of %s: %d\n%s", base, p.StatusCode, p.body)
	}
	// The add-on's page names the base offers it goes with and what it requires.
	p = e.get(c, "/catalog/US/offers/"+addOn)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "offer-bases") || !strings.Contains(p.body, baseName) ||
		!strings.Contains(p.body, "add-on") || !strings.Contains(p.body, "No price list") {
		t.Fatalf("add-on page: %d\n%s", p.StatusCode, p.body)
	}
	var pre, preName string
	if e.st.Pool.QueryRow(t.Context(), `SELECT r.offer_id, o.name FROM offer_relations r JOIN offers o ON o.country = r.country AND o.id = r.related_id
		WHERE r.kind = 'prerequisite' AND r.country = 'US' LIMIT 1`).Scan(&pre, &preName) == nil {
		if p = e.get(c, "/catalog/US/offers/"+pre); !strings.Contains(p.body, preName) {
			t.Fatalf("offer %s does not show its prerequisite %s", pre, preName)
		}
	}
	// A new-commerce SKU with its terms.
	var prod, sku string
	e.st.Pool.QueryRow(t.Context(), `SELECT product_id, id FROM skus WHERE country = 'US' ORDER BY product_id LIMIT 1`).Scan(&prod, &sku)
	p = e.get(c, "/catalog/US/products/"+prod+"/skus/"+sku)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, "1 year") {
		t.Fatalf("SKU page: %d\n%s", p.StatusCode, p.body)
	}
	// "Order for a customer" asks which customer, then opens that
	// customer's cart with the item chosen.
	e.sync("full")
	var custID, custName string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT id, company_name FROM customers WHERE address_country = 'US' AND gone_at IS NULL
		ORDER BY company_name LIMIT 1`).Scan(&custID, &custName); err != nil {
		t.Fatalf("no US customer mirrored: %v", err)
	}
	p = e.get(c, "/orders/new?"+url.Values{"country": {"US"}, "item": {"offer:" + base}, "q": {custName}}.Encode())
	want := "/customers/" + custID + "/cart?item=" + url.QueryEscape(base)
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "order-for-customer") || !strings.Contains(p.body, baseName) ||
		!strings.Contains(p.body, html.EscapeString(want)) {
		t.Fatalf("order for a customer: %d, want a link to %s\n%s", p.StatusCode, want, p.body)
	}
	if p = e.get(c, want); !strings.Contains(p.body, `value="`+base+`" selected`) {
		t.Fatalf("the cart does not have %s chosen\n%s", base, p.body)
	}
	// A new-commerce SKU opens the cart with its purchasable availability.
	var item string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT catalog_item_id FROM availabilities WHERE country = 'US' AND product_id = $1 AND sku_id = $2
		AND is_purchasable AND gone_at IS NULL ORDER BY id LIMIT 1`, prod, sku).Scan(&item); err != nil {
		t.Fatal(err)
	}
	p = e.get(c, "/orders/new?"+url.Values{"country": {"US"}, "item": {"sku:" + prod + "/" + sku}, "q": {custName}}.Encode())
	if !strings.Contains(p.body, html.EscapeString("/customers/"+custID+"/cart?item="+url.QueryEscape(item))) {
		t.Fatalf("order a SKU: want a cart link with %s\n%s", item, p.body)
	}
	if p = e.get(c, "/orders/new?country=US&item=offer:no-such-offer"); p.StatusCode != http.StatusNotFound {
		t.Fatalf("order an unknown offer: %d, want 404", p.StatusCode)
	}
	for _, path := range []string{"/catalog/US/offers/no-such-offer", "/catalog/usa/offers/" + base, "/catalog/US/products/x/skus/y"} {
		if p = e.get(c, path); p.StatusCode != http.StatusNotFound {
			t.Fatalf("GET %s: %d, want 404", path, p.StatusCode)
		}
	}
	// Customers may not browse the reseller's catalog.
	e.createUser("customer", "cust@example.com")
	cc := e.client()
	e.login(cc, "cust@example.com")
	if p = e.get(cc, "/catalog/US/offers/"+base); p.StatusCode != http.StatusForbidden {
		t.Fatalf("customer: %d, want 403", p.StatusCode)
	}
}
