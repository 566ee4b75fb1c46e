package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

// Sizes of the seeded mirror: the design size of the portal.
type sizes struct {
	Customers int // customers; the first bigCustomers have bigSubs subscriptions each
	Subs      int // subscriptions in all (about)
	Big       int // customers with BigSubs subscriptions
	BigSubs   int
	Lines     int // order line items in all (about)
	Audit     int // audit_log rows
	PCAudit   int // pc_audit_records rows
}

var defaultSizes = sizes{Customers: 10_000, Subs: 100_000, Big: 10, BigSubs: 500, Lines: 100_000, Audit: 100_000, PCAudit: 50_000}

// benchPassword signs in every seeded user. Its hash uses cheap argon2id
// parameters (they travel in the hash) so signing in 129 users is quick.
const benchPassword = "bench password, not a secret"

// customerID is the seeded customer number i's id: stable across seeds,
// so a URL list taken from one run is valid in the next.
func customerID(i int) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("bench-customer-"+strconv.Itoa(i)))
}

var (
	namesA   = []string{"Contoso", "Fabrikam", "Northwind", "Tailspin", "Wingtip", "Adatum", "Litware", "Proseware", "Woodgrove", "Alpine"}
	namesB   = []string{"Traders", "Systems", "Health", "Logistics", "Studios", "Bank", "Foods", "Energy", "Legal", "Motors"}
	products = []string{"Microsoft 365 E3", "Microsoft 365 E5", "Microsoft 365 Business Premium", "Microsoft 365 Business Basic",
		"Office 365 E1", "Exchange Online (Plan 1)", "Teams Essentials", "Visio Plan 2", "Project Plan 3", "Defender for Office 365 (Plan 1)",
		"Microsoft 365 Audio Conferencing", "Teams Phone Standard", "Power BI Pro", "Entra ID P1", "Intune Plan 1"}
	countries = []string{"US", "US", "US", "GB", "DE", "FR", "NL", "CA", "AU", "US"}
	actions   = []string{"pc.patch_subscription", "pc.create_order.succeeded", "customer_view.viewed_as", "customer.created",
		"order.placed", "pc.patch_subscription", "subscription.next_term", "user.invited", "attention.dismissed", "pc.create_order.failed"}
)

// companyName is customer i's name: ten prefixes times ten words, so a
// search for a prefix matches about a tenth of them, as real names do.
func companyName(i int) string {
	return namesA[i%len(namesA)] + " " + namesB[(i/len(namesA))%len(namesB)] + " " + strconv.Itoa(i)
}

// subsOf is how many subscriptions customer i has.
func subsOf(s sizes, i int) int {
	if i <= s.Big {
		return s.BigSubs
	}
	rest := s.Subs - s.Big*s.BigSubs
	n := rest / (s.Customers - s.Big)
	if i-s.Big <= rest%(s.Customers-s.Big) { // the remainder, one each
		n++
	}
	return max(n, 1)
}

// copier returns a func that COPYs rows into a table and logs how many
// and how long.
func copier(ctx context.Context, pool *pgxpool.Pool, logf func(string, ...any)) func(table string, cols []string, rows [][]any) error {
	return func(table string, cols []string, rows [][]any) error {
		t0 := time.Now()
		n, err := pool.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		logf("  %-26s %8d rows  %6s", table, n, time.Since(t0).Round(time.Millisecond))
		return nil
	}
}

// seed fills a freshly migrated database with the bench data set by
// COPY: customers (each an indirect reseller's), subscriptions (with their lifecycle rows), agreements,
// licence usage, orders and their lines, a year of invoices (the latest
// with its lines), the audit trail, PC's audit records, a catalog, the
// resellers and the users the harness signs in as.
func seed(ctx context.Context, pool *pgxpool.Pool, s sizes, logf func(string, ...any)) error {
	rng := rand.New(rand.NewPCG(23, 23))
	now := time.Now().UTC().Truncate(time.Second)
	day := 24 * time.Hour
	cp := copier(ctx, pool, logf)

	var cust [][]any
	for i := 1; i <= s.Customers; i++ {
		id := customerID(i)
		var removed any
		if i%997 == 0 {
			removed = now.Add(-30 * day)
		}
		cust = append(cust, []any{id, id.String(), "tenant" + strconv.Itoa(i) + ".onmicrosoft.com", companyName(i),
			"info@tenant" + strconv.Itoa(i) + ".example", strconv.Itoa(i) + " Main Street", "Springfield", "12345",
			countries[i%len(countries)], "Pat", "Doe", "billing@tenant" + strconv.Itoa(i) + ".example", "en-US", "en", "reseller", removed,
			now.Add(-time.Duration(rng.IntN(3600)) * time.Second), resellerTenant(resellerOfCustomer(i)).String()})
	}
	if err := cp("customers", []string{"id", "tenant_id", "domain", "company_name", "company_email", "address_line1", "address_city",
		"address_postal_code", "address_country", "billing_first_name", "billing_last_name", "billing_email", "billing_culture",
		"billing_language", "relationship", "relationship_removed_at", "synced_at", "associated_partner_id"}, cust); err != nil {
		return err
	}
	cust = nil

	var subs, life, orders, lines, agr, skus [][]any
	nLines := 0
	linesPerOrder := max(1, (s.Lines+s.Customers*3-1)/(s.Customers*3))
	for i := 1; i <= s.Customers; i++ {
		cid := customerID(i)
		n := subsOf(s, i)
		first := ""
		for j := 1; j <= n; j++ {
			id := fmt.Sprintf("sub-%d-%d", i, j)
			p := products[(i+j)%len(products)]
			parent := ""
			if j > 1 && j%8 == 0 {
				parent = first
				p = products[10+(j%5)] // add-ons: conferencing, phone, BI, Entra, Intune
			}
			if j == 1 {
				first = id
			}
			status := "active"
			switch {
			case (i*j)%97 == 0:
				status = "suspended"
			case (i*j)%89 == 0:
				status = "expired"
			}
			term, cycle := "P1Y", "monthly"
			if j%3 == 0 {
				term = "P1M"
			}
			if j%5 == 0 {
				cycle = "annual"
			}
			start := now.Add(-time.Duration(rng.IntN(700)) * day).Truncate(day)
			end := start.AddDate(1, 0, -1)
			for end.Before(now) {
				end = end.AddDate(1, 0, 0)
			}
			if term == "P1M" {
				end = now.Add(time.Duration(rng.IntN(30)) * day).Truncate(day)
			}
			autoRenew := (i+j)%11 != 0
			qty := 1 + rng.IntN(60)
			if rng.IntN(20) == 0 {
				qty = 100 + rng.IntN(900)
			}
			orderID := fmt.Sprintf("order-%d-%d", i, 1+j%3)
			subs = append(subs, []any{id, cid, parent, orderID, "CFQ7TTC0LF8R:" + strconv.Itoa((i+j)%len(products)), p,
				fmt.Sprintf("%s (%d)", p, j), status, qty, "Licenses", term, cycle, autoRenew, start, start, end, now})
			window := start.Add(7 * day)
			var renews any
			if autoRenew && status == "active" {
				renews = end.Add(day)
			}
			life = append(life, []any{id, cid, status, true, autoRenew, end, end, renews, window, qty % 7, "USD",
				decimal.NewFromInt(int64(8 + (i+j)%30)), decimal.NewFromInt(int64(8 + (i+j)%30 + (j/19)%2)), "prices", now})
		}
		for k := 1; k <= 3; k++ {
			oid := fmt.Sprintf("order-%d-%d", i, k)
			orders = append(orders, []any{oid, cid, "completed", "monthly", "USD", decimal.NewFromInt(int64(100 * k)),
				now.Add(-time.Duration(k*30+rng.IntN(30)) * day)})
			for l := 0; l < linesPerOrder && nLines < s.Lines; l++ {
				sid := fmt.Sprintf("sub-%d-%d", i, 1+(k+3*l)%n)
				lines = append(lines, []any{oid, l, "CFQ7TTC0LF8R:" + strconv.Itoa(l), sid, 1 + rng.IntN(40), "P1Y", "new",
					decimal.NewFromInt(int64(10 + l)), decimal.NewFromInt(int64(100 + l))})
				nLines++
			}
		}
		if i%10 != 0 {
			agr = append(agr, []any{cid, "MicrosoftCustomerAgreement", "117a77b0-9360-443b-8795-c6dedc750cf9", now.Add(-100 * day),
				"Pat", "Doe", "pat@tenant" + strconv.Itoa(i) + ".example"})
		}
		for k := range 3 {
			skus = append(skus, []any{cid, "sku-" + strconv.Itoa(k), "PART" + strconv.Itoa(k), products[k], 10 + k, (i + k) % 15})
		}
	}
	for _, c := range []struct {
		table string
		cols  []string
		rows  *[][]any
	}{
		{"subscriptions", []string{"id", "customer_id", "parent_subscription_id", "order_id", "offer_id", "offer_name", "friendly_name",
			"status", "quantity", "unit_type", "term_duration", "billing_cycle", "auto_renew_enabled", "creation_date",
			"effective_start_date", "commitment_end_date", "synced_at"}, &subs},
		{"subscription_lifecycle", []string{"subscription_id", "customer_id", "status", "nce", "auto_renew", "commitment_end_date",
			"term_end", "renews_at", "window_closes_at", "refundable", "currency", "current_unit_price", "next_unit_price",
			"price_source", "computed_at"}, &life},
		{"orders", []string{"id", "customer_id", "status", "billing_cycle", "currency_code", "total_price", "creation_date"}, &orders},
		{"order_line_items", []string{"order_id", "line_item_number", "offer_id", "subscription_id", "quantity", "term_duration",
			"transaction_type", "unit_price", "extended_price"}, &lines},
		{"agreements", []string{"customer_id", "agreement_type", "template_id", "date_agreed", "contact_first_name",
			"contact_last_name", "contact_email"}, &agr},
		{"subscribed_skus", []string{"customer_id", "sku_id", "sku_part_number", "sku_name", "active_units", "consumed_units"}, &skus},
	} {
		if err := cp(c.table, c.cols, *c.rows); err != nil {
			return err
		}
		*c.rows = nil
	}
	if err := seedBilling(ctx, pool, cp, s, now); err != nil {
		return err
	}

	// Users: an admin, a staff member, and one customer user for each of
	// the first customers (the big ones first); the reseller users follow
	// with their resellers.
	hash, err := benchHash()
	if err != nil {
		return err
	}
	users := [][]any{{"admin@bench.example", "Admin", "admin", hash, nil, nil}, {"staff@bench.example", "Staff", "staff", hash, nil, nil}}
	for i := 1; i <= customerUsers; i++ {
		users = append(users, []any{customerUserEmail(i), "User " + strconv.Itoa(i), "customer", hash, customerID(i), "invitation"})
	}
	if err := cp("users", []string{"email", "display_name", "role", "password_hash", "customer_id", "customer_via"}, users); err != nil {
		return err
	}
	if err := seedResellers(ctx, pool, cp, now); err != nil {
		return err
	}

	// The audit trail: staff actions over the last year, most naming a
	// customer and a subscription.
	var audit [][]any
	for k := range s.Audit {
		i := 1 + rng.IntN(s.Customers)
		var cust any = customerID(i)
		target, ttype := fmt.Sprintf("sub-%d-%d", i, 1+rng.IntN(subsOf(s, i))), "subscription"
		if k%20 == 0 {
			cust, target, ttype = nil, "", ""
		}
		audit = append(audit, []any{now.Add(-time.Duration(rng.IntN(365*24*3600)) * time.Second), "staff@bench.example",
			actions[k%len(actions)], ttype, target, cust, "ok"})
	}
	if err := cp("audit_log", []string{"at", "actor", "action", "target_type", "target_id", "customer_id", "outcome"}, audit); err != nil {
		return err
	}
	audit = nil
	var pca [][]any
	for k := range s.PCAudit {
		i := 1 + rng.IntN(s.Customers)
		pca = append(pca, []any{"rec-" + strconv.Itoa(k), customerID(i), companyName(i), "update_subscription", "succeeded",
			now.Add(-time.Duration(rng.IntN(90*24*3600)) * time.Second), "subscription"})
	}
	if err := cp("pc_audit_records", []string{"id", "customer_id", "customer_name", "operation_type", "operation_status",
		"operation_date", "resource_type"}, pca); err != nil {
		return err
	}
	pca = nil

	if err := seedCatalog(ctx, cp, now); err != nil {
		return err
	}
	for _, q := range []string{
		`UPDATE settings SET setup_completed_at = now(), setup_step = 99`,
		// The catalog as a sync leaves it (the facets are kept per sync).
		`INSERT INTO sync_watermarks (name, at) VALUES ('catalog:US', now()), ('catalog:GB', now())`,
		// As after autovacuum: statistics and the visibility map (index-only
		// scans) of the bulk-loaded tables.
		`VACUUM ANALYZE`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// seedCatalog writes a new-commerce catalog for two countries: products
// with SKUs, two availabilities each (monthly and annual terms) with their
// prices, and some legacy offers with prices.
func seedCatalog(_ context.Context, cp func(string, []string, [][]any) error, now time.Time) error {
	var prods, skus, avails, offers, prices [][]any
	types := []string{"OnlineServices", "Azure", "Software", "OnlineServices"}
	for _, country := range []string{"US", "GB"} {
		cur := map[string]string{"US": "USD", "GB": "GBP"}[country]
		for p := range 300 {
			pid := fmt.Sprintf("CFQ7TTC0%04d", p)
			title := fmt.Sprintf("%s %d", products[p%len(products)], p/len(products))
			prods = append(prods, []any{country, pid, title, "Product " + title, types[p%len(types)], "Microsoft", true, now})
			for k := range 3 {
				sid := fmt.Sprintf("%04d", k+1)
				addOn := fmt.Sprintf(`{"isAddOn": %t}`, k == 2)
				skus = append(skus, []any{country, pid, sid, fmt.Sprintf("%s (tier %d)", title, k+1), "SKU of " + title, 1, 2500,
					"", []string{"monthly", "annual"}, addOn, now})
				for a, term := range []string{"P1M", "P1Y"} {
					item := fmt.Sprintf("%s:%s:AV%d", pid, sid, a)
					avails = append(avails, []any{country, pid, sid, fmt.Sprintf("AV%d", a), item,
						cur, "commercial", true, true, fmt.Sprintf(`[{"duration": %q, "billingCycle": "Monthly"}, {"duration": %q, "billingCycle": "Annual"}]`, term, term), now})
					// The price list the price sheets build: a monthly term
					// costs 20% more than annual, monthly billing of an
					// annual term 5% more than paying up front.
					base := decimal.NewFromInt(int64(4 + (p*3+k)%40))
					if term == "P1M" {
						prices = append(prices, []any{country, item, term, "monthly", cur, base.Mul(decimal.RequireFromString("1.2")), now})
					} else {
						prices = append(prices, []any{country, item, term, "annual", cur, base.Mul(decimal.NewFromInt(12)), now},
							[]any{country, item, term, "monthly", cur, base.Mul(decimal.RequireFromString("1.05")), now})
					}
				}
			}
		}
		for o := range 100 {
			oid := fmt.Sprintf("LEGACY-%04d", o)
			offers = append(offers, []any{country, oid, fmt.Sprintf("%s (legacy %d)", products[o%len(products)], o), "A legacy offer",
				"Productivity", "Office", "license", "Licenses", 1, 10000, o%5 == 0, false, o%7 != 0, []string{"monthly", "annual"}, now})
			prices = append(prices, []any{country, oid, "P1Y", "monthly", cur, decimal.NewFromInt(int64(5 + o%30)), now})
		}
	}
	for _, c := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"products", []string{"country", "id", "title", "description", "product_type", "publisher_name", "is_microsoft_product", "synced_at"}, prods},
		{"skus", []string{"country", "product_id", "id", "title", "description", "min_quantity", "max_quantity", "consumption_type",
			"supported_billing_cycles", "raw", "synced_at"}, skus},
		{"availabilities", []string{"country", "product_id", "sku_id", "id", "catalog_item_id", "currency", "segment", "is_purchasable",
			"is_renewable", "terms", "synced_at"}, avails},
		{"offers", []string{"country", "id", "name", "description", "category", "product_name", "billing", "unit_type", "min_quantity",
			"max_quantity", "is_add_on", "has_add_ons", "is_available_for_purchase", "supported_billing_cycles", "synced_at"}, offers},
		{"prices", []string{"country", "item_id", "term_duration", "billing_cycle", "currency", "unit_price", "synced_at"}, prices},
	} {
		if err := cp(c.table, c.cols, c.rows); err != nil {
			return err
		}
	}
	return nil
}
