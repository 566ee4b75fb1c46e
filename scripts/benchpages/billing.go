package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
)

// billingMonths is how many monthly invoices are seeded: a year, so the
// billing page's charts and a customer's charges span twelve months.
const billingMonths = 12

// invoiceID is the id of billing month k (1 the oldest, billingMonths the
// latest), shaped like PC's.
func invoiceID(k int) string { return fmt.Sprintf("G%09d", k) }

// billingTerms names a term as PC's reconciliation lines do.
var billingTerms = map[string]string{"P1M": "One-Month commitment", "P1Y": "One-Year commitment"}

// billedSub is what a billing line repeats of a mirrored subscription.
type billedSub struct {
	ID, Status, OfferID, OfferName, FriendlyName, OrderID, Term, Cycle string
	Quantity                                                           int
}

// charge is one line of a subscription on the latest invoice.
type charge struct {
	typ        string
	qty        int
	unit, cost decimal.Decimal
	start      time.Time
}

// chargeGroup sums a subscription's lines of one charge type.
type chargeGroup struct {
	typ             string
	lines           int
	qty, cost, sale decimal.Decimal
	first           time.Time
}

// seedBilling writes a year of monthly USD invoices as the import leaves
// them, each with a done reconciliation import. The latest has its lines
// (a line or two per subscription, and a few for subscriptions the mirror
// lacks), their summaries per customer, subscription and charge type, and
// its reconciliation findings (about 1 % of the subscriptions). Older
// invoices carry their customers only, the latest's with smaller amounts:
// enough for the billing page and each customer's months. Their lines and
// groups would be 1.3 million rows, more than the rest of the seed, for
// pages the harness does not measure (an older invoice's customer shows
// no charges).
func seedBilling(ctx context.Context, pool *pgxpool.Pool, cp func(string, []string, [][]any) error, s sizes, now time.Time) error {
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	periodOf := func(k int) time.Time { return thisMonth.AddDate(0, k-1-billingMonths, 0) }
	// Imported the day after the invoice (issued on the 1st), not later than now.
	importedAt := func(k int) time.Time {
		if at := periodOf(k).AddDate(0, 1, 1); at.Before(now) {
			return at
		}
		return now
	}
	var invs [][]any
	for k := 1; k <= billingMonths; k++ {
		start := periodOf(k)
		invs = append(invs, []any{invoiceID(k), "invoice", start.AddDate(0, 1, 0), start, start.AddDate(0, 1, -1), "USD", "invoice", true,
			importedAt(k), now})
	}
	if err := cp("billing_invoices", []string{"id", "kind", "invoice_date", "period_start", "period_end", "currency", "document_type",
		"new_commerce", "imported_at", "synced_at"}, invs); err != nil {
		return err
	}
	var importID int64 // the latest invoice's, for its lines
	for k := 1; k <= billingMonths; k++ {
		err := pool.QueryRow(ctx, `INSERT INTO billing_imports (invoice_id, dataset, source, state, etag, blobs_total, blobs_done,
		    trigger, started_at, updated_at, finished_at)
		VALUES ($1, 'reconciliation', 'graph', 'done', $2, 1, 1, 'schedule', $3, $3, $3) RETURNING id`,
			invoiceID(k), "etag-"+invoiceID(k), importedAt(k)).Scan(&importID)
		if err != nil {
			return fmt.Errorf("import of %s: %w", invoiceID(k), err)
		}
	}

	rows, err := pool.Query(ctx, `SELECT id, status, offer_id, offer_name, friendly_name, order_id, term_duration, billing_cycle, quantity
	FROM subscriptions`)
	if err != nil {
		return err
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[billedSub])
	if err != nil {
		return fmt.Errorf("read subscriptions: %w", err)
	}
	subs := make(map[string]billedSub, len(list))
	for _, b := range list {
		subs[b.ID] = b
	}
	list = nil

	latest, start := invoiceID(billingMonths), periodOf(billingMonths)
	end := start.AddDate(0, 1, -1)
	mid := start.AddDate(0, 0, 14)
	// Seats added on the 15th are billed for the rest of the month.
	rest := decimal.NewFromInt(int64(end.Sub(mid)/(24*time.Hour) + 1)).Div(decimal.NewFromInt(int64(end.Day())))
	markup := decimal.RequireFromString("1.15")
	var lines, groups, custs, finds [][]any
	for i := 1; i <= s.Customers; i++ {
		cid := customerID(i)
		pc, name, domain := cid.String(), companyName(i), "tenant"+strconv.Itoa(i)+".onmicrosoft.com"
		var cLines, cFinds int
		var cCost, cSale decimal.Decimal
		// bill writes a subscription's lines and its groups (one per
		// charge type), and returns the first line's cost.
		bill := func(b billedSub, cycle string, cs []charge) decimal.Decimal {
			product, sku, _ := strings.Cut(b.OfferID, ":")
			term := billingTerms[b.Term] + " for " + strings.ToLower(cycle) + " billing"
			var gs []chargeGroup
			for _, c := range cs {
				qty, sale := decimal.NewFromInt(int64(c.qty)), c.cost.Mul(markup).Round(2)
				lines = append(lines, []any{importID, 0, len(lines), latest, "license", pc, cid, name, domain, b.ID, b.FriendlyName,
					b.OrderID, product, sku, b.OfferName, b.OfferName, c.typ, c.start, end, term, cycle, "Licenses",
					qty, c.unit, c.unit, c.cost, sale, "USD"})
				cLines, cCost, cSale = cLines+1, cCost.Add(c.cost), cSale.Add(sale)
				n := 0
				for n < len(gs) && gs[n].typ != c.typ {
					n++
				}
				if n == len(gs) {
					gs = append(gs, chargeGroup{typ: c.typ, first: c.start})
				}
				g := &gs[n]
				g.lines, g.qty, g.cost, g.sale = g.lines+1, g.qty.Add(qty), g.cost.Add(c.cost), g.sale.Add(sale)
				if c.start.Before(g.first) {
					g.first = c.start
				}
			}
			for _, g := range gs {
				groups = append(groups, []any{latest, pc, cid, b.ID, b.FriendlyName, b.OfferName, g.typ, "license", term, g.lines,
					g.qty, g.cost, g.sale, g.first})
			}
			return cs[0].cost
		}
		finding := func(check, sub, typ string, amount decimal.Decimal, reason string) {
			finds = append(finds, []any{latest, check, pc, cid, name, sub, typ, start, amount, reason})
			cFinds++
		}

		n := subsOf(s, i)
		for j := 1; j <= n; j++ {
			id := fmt.Sprintf("sub-%d-%d", i, j)
			b, ok := subs[id]
			if !ok {
				return fmt.Errorf("billing: subscription %s is not seeded", id)
			}
			unit, cycle := decimal.NewFromInt(int64(8+(i+j)%30)), "Monthly" // the lifecycle rows' current price
			if b.Cycle == "annual" {
				unit, cycle = unit.Mul(decimal.NewFromInt(12)), "Annual"
			}
			// About 1 % of the subscriptions have a finding: charged while
			// not active, or seats or a unit price that differ.
			check := ""
			if h := (i*7 + j*13) % 200; h == 0 || h == 100 {
				switch {
				case b.Status != "active":
					check = "status"
				case h == 0:
					check = "seats"
				default:
					check = "price"
				}
			}
			qty, billed := b.Quantity, unit
			if check == "seats" {
				qty += 2
			}
			if check == "price" {
				billed = unit.Add(decimal.NewFromInt(1))
			}
			cs := []charge{{typ: "cycleCharge", qty: qty, unit: billed, start: start}}
			switch {
			case j%10 == 0: // seats added mid-month
				add := 1 + (i+j)%3
				cs = append(cs, charge{typ: "addQuantity", qty: add, unit: unit, start: mid,
					cost: unit.Mul(decimal.NewFromInt(int64(add))).Mul(rest).Round(2)})
			case j%10 == 5 && qty > 1: // the seats in two tranches
				cs[0].qty = qty / 2
				cs = append(cs, charge{typ: "cycleCharge", qty: qty - qty/2, unit: billed, start: start})
			}
			for k := range cs {
				if cs[k].typ == "cycleCharge" {
					cs[k].cost = cs[k].unit.Mul(decimal.NewFromInt(int64(cs[k].qty)))
				}
			}
			amount := bill(b, cycle, cs)
			switch check {
			case "status":
				finding(check, id, "cycleCharge", amount, fmt.Sprintf("Charged %s USD for %d seats while the subscription was %s.",
					amount.StringFixed(2), qty, b.Status))
			case "seats":
				finding(check, id, "cycleCharge", amount, fmt.Sprintf("Billed %d seats; the subscription holds %d.", qty, b.Quantity))
			case "price":
				finding(check, id, "cycleCharge", amount, fmt.Sprintf("Billed %s USD per unit (Cycle from %s); the price sheet says %s.",
					billed, start.Format(time.DateOnly), unit))
			}
		}
		if i%200 == 0 {
			// A subscription bought outside the portal: billed, not mirrored.
			b := billedSub{ID: fmt.Sprintf("sub-%d-%d", i, n+1), OfferID: "CFQ7TTC0LF8R:0", OfferName: products[0],
				FriendlyName: products[0], OrderID: fmt.Sprintf("order-%d-x", i), Term: "P1Y", Quantity: 5}
			unit := decimal.NewFromInt(36)
			amount := bill(b, "Monthly", []charge{{typ: "cycleCharge", qty: 5, unit: unit, start: start, cost: unit.Mul(decimal.NewFromInt(5))}})
			finding("unmatched", b.ID, "cycleCharge", amount, fmt.Sprintf("Subscription %s is not in the mirror, yet %s USD was charged "+
				"for it: it was bought outside the portal, or the customer's subscriptions were not synced since.", b.ID, amount.StringFixed(2)))
		}
		custs = append(custs, []any{latest, pc, cid, name, domain, cLines, cCost, cSale, cFinds})
		// The older months: 1 % less per month back (the business grew).
		for k := 1; k < billingMonths; k++ {
			f := decimal.NewFromInt(int64(100 - billingMonths + k)).Div(decimal.NewFromInt(100))
			custs = append(custs, []any{invoiceID(k), pc, cid, name, domain, cLines, cCost.Mul(f).Round(2), cSale.Mul(f).Round(2), 0})
		}
	}
	subs = nil
	for _, c := range []struct {
		table string
		cols  []string
		rows  *[][]any
	}{
		{"billing_lines", []string{"import_id", "part", "line", "invoice_id", "kind", "pc_customer_id", "customer_id", "customer_name",
			"customer_domain", "subscription_id", "subscription_name", "order_id", "product_id", "sku_id", "product_name", "sku_name",
			"charge_type", "charge_start", "charge_end", "term_and_billing_cycle", "billing_frequency", "unit", "quantity", "unit_price",
			"effective_unit_price", "cost", "sale", "currency"}, &lines},
		{"billing_invoice_groups", []string{"invoice_id", "pc_customer_id", "customer_id", "subscription_id", "subscription_name",
			"product_name", "charge_type", "kind", "term_and_billing_cycle", "lines", "quantity", "cost", "sale", "first_charge"}, &groups},
		{"billing_invoice_customers", []string{"invoice_id", "pc_customer_id", "customer_id", "customer_name", "customer_domain", "lines",
			"cost", "sale", "findings"}, &custs},
		{"billing_findings", []string{"invoice_id", "check_name", "pc_customer_id", "customer_id", "customer_name", "subscription_id",
			"charge_type", "charge_start", "amount", "reason"}, &finds},
	} {
		if err := cp(c.table, c.cols, *c.rows); err != nil {
			return err
		}
		*c.rows = nil
	}

	// Each customer's number of groups, as the import counts them.
	if _, err := pool.Exec(ctx, `UPDATE billing_invoice_customers c SET groups = g.n
	FROM (SELECT invoice_id, pc_customer_id, count(*) AS n FROM billing_invoice_groups GROUP BY 1, 2) g
	WHERE c.invoice_id = g.invoice_id AND c.pc_customer_id = g.pc_customer_id`); err != nil {
		return fmt.Errorf("billing customers' groups: %w", err)
	}
	// The invoices' totals as the import sums them; PC's total matches, and
	// every invoice but the latest is paid.
	_, err = pool.Exec(ctx, `UPDATE billing_invoices v SET lines = c.lines, customers = c.customers, cost = c.cost, sale = c.sale, total = round(c.cost, 2),
	    paid = CASE WHEN v.id = $1 THEN 0 ELSE round(c.cost, 2) END,
	    findings = (SELECT count(*) FROM billing_findings f WHERE f.invoice_id = v.id AND f.check_name <> 'note')
	FROM (SELECT invoice_id, sum(lines) AS lines, count(*) AS customers, sum(cost) AS cost, sum(sale) AS sale FROM billing_invoice_customers
	      GROUP BY invoice_id) c
	WHERE c.invoice_id = v.id`, latest)
	if err != nil {
		return fmt.Errorf("billing totals: %w", err)
	}
	// The older imports count the lines they would have loaded.
	if _, err := pool.Exec(ctx, `UPDATE billing_imports i SET rows = v.lines FROM billing_invoices v WHERE v.id = i.invoice_id`); err != nil {
		return fmt.Errorf("billing import rows: %w", err)
	}
	return nil
}

// topUpBilling adds the billing data to a bench database seeded before it
// existed.
func topUpBilling(ctx context.Context, pool *pgxpool.Pool, s sizes, logf func(string, ...any)) error {
	if err := seedBilling(ctx, pool, copier(ctx, pool, logf), s, time.Now().UTC().Truncate(time.Second)); err != nil {
		return err
	}
	// As a fresh seed leaves them: statistics, and the visibility map for
	// index-only scans.
	q := `VACUUM ANALYZE billing_invoices, billing_imports, billing_lines, billing_invoice_groups, billing_invoice_customers, billing_findings`
	if _, err := pool.Exec(ctx, q); err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}
