package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// A customer's price list as CSV: every price of the customer's market's
// price list at the customer's sale price (its own markup rules first),
// UTF-8 with a byte order mark so spreadsheets read the names, plain
// decimals. The customer's view (/my, and staff viewing as the customer)
// has the sale columns only; the staff export adds cost and margin on
// request (?cost=1).

// priceListSaleColumns are the columns every price list has.
var priceListSaleColumns = []string{"product", "sku", "catalog_item_id", "term", "billing_plan", "currency", "unit_price",
	"monthly_equivalent", "estimated_retail_price"}

// priceListExport is the price list of the customer view's customer:
// sale prices only, whatever the query asks.
func (s *Server) priceListExport(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	return s.writePriceList(w, r, sc.id, false)
}

// customerPriceListExport is a customer's price list for staff, with the
// cost, margin and markup rule columns when ?cost=1.
func (s *Server) customerPriceListExport(w http.ResponseWriter, r *http.Request) error {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	return s.writePriceList(w, r, id, r.URL.Query().Get("cost") == "1")
}

func (s *Server) writePriceList(w http.ResponseWriter, r *http.Request, customer uuid.UUID, withCost bool) error {
	party := prices.Customer
	if withCost {
		party = prices.Provider
	}
	market, lines, err := s.pri.Pricer().CustomerPriceList(r.Context(), party, customer)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	cols := priceListSaleColumns
	if withCost {
		cols = append(append([]string{}, cols...), "cost", "margin", "margin_percent", "markup_rule")
	}
	head := csvHeader(r.Context(), cols...)
	_ = cw.Write(head)
	for _, l := range lines {
		rec := priceListRecord(l)
		if withCost {
			rec = append(rec, plainDecimal(l.Cost), l.Sale.Sub(l.Cost).StringFixed(2), rules.MarginShare(l.Cost, l.Sale).StringFixed(1),
				csvSafe(l.Rule)[0])
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write price list csv: %w", err)
	}
	name := "price-list-" + market + "-" + s.now().UTC().Format("2006-01-02")
	if withCost {
		name += "-with-cost"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b.Bytes())
	return err
}

// priceListRecord is a price's sale columns: never its cost.
func priceListRecord(l prices.PriceListLine) []string {
	monthly := ""
	if m, ok := rules.MonthlyEquivalent(l.Sale, 1, l.BillingCycle, l.TermDuration); ok {
		monthly = m.StringFixed(2)
	}
	erp := ""
	if l.ERP.Valid {
		erp = l.ERP.Decimal.StringFixed(2)
	}
	text := csvSafe(l.Product, l.SKU, l.ItemID)
	return []string{text[0], text[1], text[2], rules.TermLabel(i18n.English, l.TermDuration), rules.CycleLabel(i18n.English, l.BillingCycle), l.Currency,
		l.Sale.StringFixed(2), monthly, erp}
}

// plainDecimal is d with at least two decimals and every one it has
// (costs may carry more than cents).
func plainDecimal(d decimal.Decimal) string {
	return d.StringFixed(max(2, -d.Exponent()))
}
