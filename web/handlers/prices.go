package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// pricesShow is the admin's prices page: the price sheet imports with
// their progress and the markup rules with the form to add one.
func (s *Server) pricesShow(w http.ResponseWriter, r *http.Request) error {
	f := templates.NewForm()
	f.Values["kind"], f.Values["rounding"] = rules.MarkupPercent, rules.RoundCents
	return s.renderPrices(w, r, http.StatusOK, f)
}

func (s *Server) renderPrices(w http.ResponseWriter, r *http.Request, status int, f templates.Form) error {
	ctx := r.Context()
	imps, err := s.st.PriceSheetImports(ctx, 20)
	if err != nil {
		return err
	}
	rs, err := s.st.MarkupRules(ctx)
	if err != nil {
		return err
	}
	v := templates.PricesView{Form: f}
	for _, i := range imps {
		row := templates.PriceImportRow{ID: i.ID, Market: i.Market, Timeline: i.Timeline, Month: i18n.Month(i18n.From(ctx), i.Month),
			State: importState(ctx, i.State), Rows: i.Rows, Error: i.Error, Started: i.CreatedAt.UTC().Format("2006-01-02 15:04")}
		if i.State == "queued" || i.State == "loading" {
			v.Running = true
		}
		if i.State == "consent_required" {
			v.NeedsConsent = true
		}
		v.Imports = append(v.Imports, row)
	}
	for _, m := range rs {
		rr := prices.RuleOf(m)
		v.Rules = append(v.Rules, templates.MarkupRuleRow{ID: m.ID, Scope: rr.Scope(), Customer: m.CustomerName, Family: m.Family,
			Product: strings.Trim(m.ProductID+"/"+m.SkuID, "/"), Markup: prices.Describe(rr), Rounding: roundingLabel(ctx, m.Rounding),
			BelowCost: m.AllowBelowCost, UpdatedBy: m.UpdatedBy})
	}
	p := s.page(r, "Prices", "/admin/prices")
	p.Unavailable = s.missing(r.Context(), rules.CapPriceSheets)
	return s.render(w, r, status, templates.PricesPage(p, v))
}

func roundingLabel(ctx context.Context, r string) string {
	switch r {
	case rules.RoundWhole:
		return i18n.T(ctx, "h2.prices.round_whole")
	case rules.Round99:
		return i18n.T(ctx, "h2.prices.round_99")
	}
	return i18n.T(ctx, "h2.prices.round_cents")
}

// importState is a price sheet import's state in words (the stored word
// when the catalogs do not know it).
func importState(ctx context.Context, state string) string {
	k := "h2.prices.import_" + state
	if t := i18n.T(ctx, k); t != k {
		return t
	}
	return state
}

// pricesImport queues the price sheets of every customer market (or the
// market typed) for the import jobs.
func (s *Server) pricesImport(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	var markets []string
	if m := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("market"))); m != "" {
		if len(m) != 2 || strings.IndexFunc(m, func(c rune) bool { return c < 'A' || c > 'Z' }) >= 0 {
			f := templates.NewForm()
			f.Values["market"] = m
			f.Errors["market"] = "Enter a two-letter country code, such as US or GB, or leave it empty for every customer's country."
			return s.renderPrices(w, r, http.StatusUnprocessableEntity, f)
		}
		markets = []string{m}
	}
	n, err := s.pri.QueueImport(r.Context(), actorOf(r), markets)
	if err != nil {
		return err
	}
	msg := i18n.T(r.Context(), "h2.prices.queued", strconv.Itoa(n))
	if n == 0 {
		msg = "The price sheets are already being imported."
	}
	s.flash(r.Context(), "success", msg)
	redirect(w, r, "/admin/prices")
	return nil
}

// pricesRuleSave adds (or replaces) a markup rule.
func (s *Server) pricesRuleSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	f := templates.NewForm()
	for _, k := range []string{"customer", "family", "product_id", "sku_id", "kind", "amount", "rounding", "below_cost"} {
		f.Values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	form := prices.RuleForm{Family: f.Get("family"), ProductID: f.Get("product_id"), SkuID: f.Get("sku_id"), Kind: f.Get("kind"),
		Amount: f.Get("amount"), Rounding: f.Get("rounding"), AllowBelowCost: f.Get("below_cost") == "on"}
	if q := f.Get("customer"); q != "" {
		matches, err := s.st.CustomersNamed(ctx, q, 2)
		switch {
		case err != nil:
			return err
		case len(matches) == 0:
			f.Errors["customer"] = "No customer has that name or domain."
		case len(matches) > 1:
			f.Errors["customer"] = "Several customers match: type more of the name or the domain."
		default:
			id := matches[0]
			form.CustomerID = &id
		}
	}
	if f.Get("amount") == "" {
		f.Errors["amount"] = "Enter the markup, such as 15 (percent) or 2.50 (per unit)."
	}
	if len(f.Errors) == 0 {
		problems, err := s.pri.SaveRule(ctx, actorOf(r), form)
		if err != nil {
			return err
		}
		for k, v := range problems {
			if k == "customer_id" {
				k = "customer"
			}
			f.Errors[k] = v
		}
	}
	if len(f.Errors) > 0 {
		f.Errors["_form"] = "The rule was not saved; see the messages below."
		return s.renderPrices(w, r, http.StatusUnprocessableEntity, f)
	}
	s.flash(ctx, "success", "Markup rule saved.")
	redirect(w, r, "/admin/prices")
	return nil
}

// pricesRuleDelete deletes a markup rule (the form confirms first).
func (s *Server) pricesRuleDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.pri.DeleteRule(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	s.flash(r.Context(), "success", "Markup rule deleted.")
	redirect(w, r, "/admin/prices")
	return nil
}

// marginLabel is sale - cost and its share of the sale ("$1.50 (13.0%)").
func marginLabel(cost, sale decimal.Decimal, currency string) string {
	m := sale.Sub(cost)
	if sale.IsZero() {
		return templates.Money(m, currency)
	}
	return templates.Money(m, currency) + " (" + m.Mul(decimal.NewFromInt(100)).Div(sale).StringFixed(1) + "%)"
}

// catalogRowPrices fills each new-commerce row's lowest monthly-billed
// cost and its sale price (staff pages only).
func (s *Server) catalogRowPrices(ctx context.Context, country string, items []store.CatalogItem, rows []templates.CatalogRow) error {
	var ids []string
	for _, it := range items {
		if it.Kind == "sku" {
			ids = append(ids, it.ID)
		}
	}
	from, err := s.st.CatalogFromPrices(ctx, country, ids)
	if err != nil {
		return err
	}
	byID := map[string][]store.FromPrice{}
	for _, f := range from {
		byID[strings.ToUpper(f.ItemID)] = append(byID[strings.ToUpper(f.ItemID)], f)
	}
	for i, it := range items {
		fs := byID[strings.ToUpper(it.ID)]
		if len(fs) == 0 || i >= len(rows) {
			continue
		}
		var costs, sales []string
		for _, f := range fs {
			sale, _, err := s.pri.Pricer().UnitSale(ctx, uuid.Nil, it.ID, it.Family, f.UnitPrice)
			if err != nil {
				return err
			}
			costs = append(costs, templates.Money(f.UnitPrice, f.Currency))
			sales = append(sales, templates.Money(sale, f.Currency))
		}
		rows[i].FromCost, rows[i].FromSale = strings.Join(costs, ", "), strings.Join(sales, ", ")
	}
	return nil
}

// noPriceSheet says whether no price sheet was imported yet (the pages'
// empty state links to the import).
func (s *Server) noPriceSheet(ctx context.Context) (bool, error) {
	ok, err := s.st.HasPriceSheet(ctx)
	return !ok, err
}
