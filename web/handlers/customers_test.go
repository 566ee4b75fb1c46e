package handlers_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

var (
	matchesRe      = regexp.MustCompile(`data-testid="customers-count">(\d+) match(es)?<`)
	customerLinkRe = regexp.MustCompile(`<a href="/customers/([0-9a-f-]{36})" data-testid="customer-link">([^<]+)</a>`)
)

func matches(t *testing.T, body string) int {
	t.Helper()
	m := matchesRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match count:\n%s", body)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestCustomerListSearchFiltersCountsAndPages(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, false)
	if err := e.sb.SeedBulk(60, 2); err != nil {
		t.Fatal(err)
	}
	e.sync("full")
	c := e.client()
	e.login(c, "staff@example.com")
	ctx := t.Context()

	var all int
	e.st.Pool.QueryRow(ctx, `SELECT count(*) FROM customers WHERE gone_at IS NULL`).Scan(&all)
	if all < 60 {
		t.Fatalf("%d customers mirrored", all)
	}
	// Search by part of the name, by domain and by tenant id.
	var id, name, domain string
	e.st.Pool.QueryRow(ctx, `SELECT id, company_name, domain FROM customers WHERE gone_at IS NULL ORDER BY company_name LIMIT 1 OFFSET 7`).Scan(&id, &name, &domain)
	// The filters' truth, set up before the first page view (the counts are
	// cached for a few seconds).
	var susp, noAgr, renew int
	e.st.Pool.QueryRow(ctx, `SELECT
		(SELECT count(DISTINCT customer_id) FROM subscriptions WHERE status = 'suspended' AND gone_at IS NULL),
		(SELECT count(*) FROM customers c WHERE gone_at IS NULL AND NOT EXISTS (SELECT 1 FROM agreements a WHERE a.customer_id = c.id AND a.gone_at IS NULL)),
		(SELECT count(DISTINCT customer_id) FROM subscriptions WHERE gone_at IS NULL AND status = 'active' AND commitment_end_date >= now() AND commitment_end_date < now() + interval '30 days')`).
		Scan(&susp, &noAgr, &renew)
	if susp == 0 {
		// Make one: suspend a subscription in the mirror as a sync would.
		e.st.Pool.Exec(ctx, `UPDATE subscriptions SET status = 'suspended' WHERE id = (SELECT id FROM subscriptions WHERE customer_id = $1 LIMIT 1)`, id)
		susp = 1
	}
	if noAgr == 0 {
		e.st.Pool.Exec(ctx, `UPDATE agreements SET gone_at = now() WHERE customer_id = $1`, id)
		noAgr = 1
	}
	p := e.get(c, "/customers")
	if p.StatusCode != http.StatusOK || matches(t, p.body) != all || !strings.Contains(p.body, strconv.Itoa(all)+" customers in the mirror") {
		t.Fatalf("GET /customers: %d\n%s", p.StatusCode, p.body)
	}
	first := customerLinkRe.FindAllStringSubmatch(p.body, -1)
	if len(first) != 50 || !hasTestID(p.body, "pager-next") {
		t.Fatalf("first page has %d customers", len(first))
	}
	p = e.get(c, "/customers?page=2")
	second := customerLinkRe.FindAllStringSubmatch(p.body, -1)
	if len(second) != all-50 || second[0][1] == first[0][1] {
		t.Fatalf("second page has %d customers, want %d", len(second), all-50)
	}
	if strings.ToLower(first[49][2]) > strings.ToLower(second[0][2]) {
		t.Fatalf("not ordered by name across pages: %q then %q", first[49][2], second[0][2])
	}
	// The pager's links page by keyset (the customer a page starts after or
	// ends before) and show the same pages as the offsets.
	next := pagerHref(t, e.get(c, "/customers").body, "next")
	if !strings.Contains(next, "after="+first[49][1]) {
		t.Fatalf("next link %q does not start after the last customer shown", next)
	}
	p = e.get(c, next)
	if got := customerLinkRe.FindAllStringSubmatch(p.body, -1); len(got) != len(second) || got[0][1] != second[0][1] || got[len(got)-1][1] != second[len(second)-1][1] {
		t.Fatalf("keyset page 2 differs from the offset page 2")
	}
	if prev := pagerHref(t, p.body, "prev"); prev != "/customers" {
		t.Fatalf("previous link of page 2 is %q, want the first page", prev)
	}
	p = e.get(c, "/customers?page=2&before="+second[0][1])
	if got := customerLinkRe.FindAllStringSubmatch(p.body, -1); len(got) != 50 || got[0][1] != first[0][1] || got[49][1] != first[49][1] {
		t.Fatalf("the 50 customers before page 2's first are not page 1")
	}
	// A link naming a customer that no longer exists gets the page by
	// offset, not an empty one.
	p = e.get(c, "/customers?page=2&after="+uuid.NewString())
	if got := customerLinkRe.FindAllStringSubmatch(p.body, -1); len(got) != len(second) || got[0][1] != second[0][1] {
		t.Fatalf("page 2 after an unknown customer: %d customers, want page 2's %d", len(got), len(second))
	}

	var byName int
	part := strings.ToLower(name[1 : len(name)-1])
	e.st.Pool.QueryRow(ctx, `SELECT count(*) FROM customers WHERE gone_at IS NULL AND (lower(company_name) LIKE '%' || $1 || '%' OR lower(domain) LIKE '%' || $1 || '%')`, part).Scan(&byName)
	p = e.get(c, "/customers?q="+url.QueryEscape(part))
	if matches(t, p.body) != byName || !strings.Contains(p.body, "/customers/"+id) {
		t.Fatalf("search %q: %d matches, want %d including %s", part, matches(t, p.body), byName, id)
	}
	if p = e.get(c, "/customers?q="+url.QueryEscape(strings.ToUpper(domain))); matches(t, p.body) != 1 || !strings.Contains(p.body, "/customers/"+id) {
		t.Fatalf("search by domain %s: %d matches", domain, matches(t, p.body))
	}
	if p = e.get(c, "/customers?q="+id); matches(t, p.body) != 1 || !strings.Contains(p.body, "/customers/"+id) {
		t.Fatalf("search by tenant id: %d matches", matches(t, p.body))
	}
	if p = e.get(c, "/customers?q=%25"); matches(t, p.body) != 0 {
		t.Fatal("a % in the search is a wildcard")
	}

	p = e.get(c, "/customers")
	// Filters, with their counts shown next to them.
	for k, want := range map[string]int{"suspended": susp, "noagreement": noAgr, "renewals": renew} {
		if !strings.Contains(p.body, `data-testid="count-`+k+`">(`+strconv.Itoa(want)+`)`) {
			t.Errorf("count of %s: want %d", k, want)
		}
		if got := matches(t, e.get(c, "/customers?"+k+"=1").body); got != want {
			t.Errorf("filter %s: %d matches, want %d", k, got, want)
		}
	}
	p = e.get(c, "/customers?noagreement=1")
	if strings.Contains(p.body, `data-testid="customer-agreement">`+"\n"+`accepted`) || !strings.Contains(p.body, "missing") {
		t.Errorf("agreement filter shows customers with an agreement")
	}
}

func TestCustomerPageShowsProfilesSubscriptionsUsageAndAudit(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, false)
	e.sync("full")
	c := e.client()
	e.login(c, "staff@example.com")
	ctx := t.Context()

	// A customer with an add-on subscription nested under its base.
	var id, base, addOn string
	err := e.st.Pool.QueryRow(ctx, `SELECT a.customer_id, b.offer_name, a.offer_name FROM subscriptions a
		JOIN subscriptions b ON b.id = a.parent_subscription_id WHERE a.gone_at IS NULL LIMIT 1`).Scan(&id, &base, &addOn)
	if err != nil {
		// The demo has none: attach one subscription under another.
		if err := e.st.Pool.QueryRow(ctx, `WITH two AS (SELECT id, customer_id, offer_name, row_number() OVER (PARTITION BY customer_id ORDER BY id) n
			FROM subscriptions WHERE gone_at IS NULL)
			UPDATE subscriptions s SET parent_subscription_id = b.id FROM two a, two b
			WHERE a.customer_id = b.customer_id AND a.n = 2 AND b.n = 1 AND s.id = a.id
			RETURNING s.customer_id, b.offer_name, s.offer_name`).Scan(&id, &base, &addOn); err != nil {
			t.Fatalf("no customer with two subscriptions: %v", err)
		}
	}
	var name, tenant string
	e.st.Pool.QueryRow(ctx, `SELECT company_name, tenant_id FROM customers WHERE id = $1`, id).Scan(&name, &tenant)
	var orders, usage int
	e.st.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM orders WHERE customer_id = $1 AND gone_at IS NULL),
		(SELECT count(*) FROM subscribed_skus WHERE customer_id = $1 AND gone_at IS NULL)`, id).Scan(&orders, &usage)
	// One entry in each audit trail.
	if _, err := e.st.Pool.Exec(ctx, `INSERT INTO audit_log (actor, action, customer_id, outcome) VALUES ('staff@example.com', 'pc.patch_subscription', $1, 'ok');
		`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(ctx, `INSERT INTO pc_audit_records (id, customer_id, operation_type, operation_status, operation_date, resource_type, user_principal_name)
		VALUES ('rec-1', $1, 'update_subscription', 'succeeded', now() - interval '1 hour', 'subscription', 'someone@partner.example')`, id); err != nil {
		t.Fatal(err)
	}

	p := e.get(c, "/customers/"+id)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, name) || !strings.Contains(p.body, tenant) {
		t.Fatalf("GET customer: %d\n%s", p.StatusCode, p.body)
	}
	baseAt := strings.Index(p.body, base)
	addAt := strings.Index(p.body, `data-testid="subscription-addon"`)
	if !hasTestID(p.body, "subscription-base") || addAt < 0 || baseAt < 0 || !strings.Contains(p.body[addAt:], addOn) {
		t.Fatalf("add-on %q not nested after base %q", addOn, base)
	}
	if got := strings.Count(p.body, `data-testid="order-row"`); got != orders {
		t.Errorf("%d order rows, want %d", got, orders)
	}
	if got := strings.Count(p.body, `data-testid="usage-row"`); got != usage {
		t.Errorf("%d usage rows, want %d", got, usage)
	}
	if !strings.Contains(p.body, "pc.patch_subscription") || !strings.Contains(p.body, "someone@partner.example") ||
		strings.Index(p.body, "pc.patch_subscription") > strings.Index(p.body, "someone@partner.example") {
		t.Errorf("audit trail missing an entry or not newest first")
	}
	if !hasTestID(p.body, "customer-billing") || !hasTestID(p.body, "customer-company") {
		t.Errorf("profiles missing")
	}
	if hasTestID(p.body, "agreement-accepted") == hasTestID(p.body, "agreement-missing") {
		t.Errorf("agreement status shown wrongly")
	}
	for _, path := range []string{"/customers/not-a-uuid", "/customers/00000000-0000-4000-8000-000000000000"} {
		if p = e.get(c, path); p.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.StatusCode)
		}
	}
	e.createUser("customer", "cust@example.com")
	cc := e.client()
	e.login(cc, "cust@example.com")
	if p = e.get(cc, "/customers/"+id); p.StatusCode != http.StatusForbidden {
		t.Errorf("customer user: %d, want 403", p.StatusCode)
	}
}

var pagerRe = regexp.MustCompile(`<a href="([^"]+)" rel="(prev|next)"`)

// pagerHref returns the page's previous or next link.
func pagerHref(t *testing.T, body, rel string) string {
	t.Helper()
	for _, m := range pagerRe.FindAllStringSubmatch(body, -1) {
		if m[2] == rel {
			return html.UnescapeString(m[1])
		}
	}
	t.Fatalf("no %s link", rel)
	return ""
}
