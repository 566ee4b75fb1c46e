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
	return s.renderPrices(w, r, http.StatusOK, newRuleForm())
}

// newRuleForm is an empty markup rule form: a percentage, to cents.
func newRuleForm() templates.Form {
	f := templates.NewForm()
	f.Values["kind"], f.Values["rounding"] = rules.MarkupPercent, rules.RoundCents
	return f
}

func (s *Server) renderPrices(w http.ResponseWriter, r *http.Request, status int, f templates.Form) error {
	ctx := r.Context()
	imps, err := s.st.PriceSheetImports(ctx, 20)
	if err != nil {
		return err
	}
	rv, err := s.markupRulesView(ctx, store.ProviderRules, f)
	if err != nil {
		return err
	}
	v := templates.PricesView{MarkupRulesView: rv}
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

// markupRulesView is owner's rules with the form (f) to add one; the
// provider's form offers its resellers when it has any.
func (s *Server) markupRulesView(ctx context.Context, owner store.RuleOwner, f templates.Form) (templates.MarkupRulesView, error) {
	rs, err := s.st.MarkupRules(ctx, owner)
	if err != nil {
		return templates.MarkupRulesView{}, err
	}
	v := templates.MarkupRulesView{Form: f, Base: "/admin/prices/rules", Own: owner.Reseller != nil}
	if v.Own {
		v.Base = "/reseller/prices/rules"
	} else {
		choices, err := s.st.ResellerChoices(ctx)
		if err != nil {
			return v, err
		}
		for _, c := range choices {
			v.Resellers = append(v.Resellers, templates.Option{Value: c.TenantID.String(), Label: i18n.T(ctx, "h.onb.reseller", c.Name, c.MpnID)})
		}
	}
	for _, m := range rs {
		rr := prices.RuleOf(m)
		v.Rules = append(v.Rules, templates.MarkupRuleRow{ID: m.ID, Scope: rr.Scope(), Reseller: m.ResellerName, Customer: m.CustomerName,
			Family: m.Family, Product: strings.Trim(m.ProductID+"/"+m.SkuID, "/"), Markup: prices.Describe(rr),
			Rounding: roundingLabel(ctx, m.Rounding), BelowCost: m.AllowBelowCost, UpdatedBy: m.UpdatedBy})
	}
	return v, nil
}

// saveMarkupRule reads a markup rule form and saves it as owner's rule; the
// form comes back with its errors when nothing was saved. A reseller names
// only its own customers; the provider may narrow a rule to one reseller.
func (s *Server) saveMarkupRule(r *http.Request, owner store.RuleOwner) (templates.Form, error) {
	ctx := r.Context()
	f := templates.NewForm()
	if err := parseForm(r); err != nil {
		return f, err
	}
	for _, k := range []string{"reseller", "customer", "family", "product_id", "sku_id", "kind", "amount", "rounding", "below_cost"} {
		f.Values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	form := prices.RuleForm{Owner: owner, Family: f.Get("family"), ProductID: f.Get("product_id"), SkuID: f.Get("sku_id"), Kind: f.Get("kind"),
		Amount: f.Get("amount"), Rounding: f.Get("rounding"), AllowBelowCost: f.Get("below_cost") == "on"}
	if v := f.Get("reseller"); v != "" && owner.Reseller == nil {
		id, err := uuid.Parse(v)
		if err != nil {
			f.Errors["reseller"] = "Choose a reseller from the list."
		} else {
			form.ResellerID = &id
		}
	}
	if q := f.Get("customer"); q != "" {
		matches, err := s.st.CustomersNamed(ctx, owner.Reseller, q, 2)
		switch {
		case err != nil:
			return f, err
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
			return f, err
		}
		for k, v := range problems {
			switch k {
			case "customer_id":
				k = "customer"
			case "reseller_id":
				k = "reseller"
			}
			f.Errors[k] = v
		}
	}
	if len(f.Errors) > 0 {
		f.Errors["_form"] = "The rule was not saved; see the messages below."
	}
	return f, nil
}

// ruleSaved answers a markup rule form: the page again with the form's
// errors (render), or back to the page with a flash once saved.
func (s *Server) ruleSaved(w http.ResponseWriter, r *http.Request, owner store.RuleOwner, back string,
	render func(http.ResponseWriter, *http.Request, int, templates.Form) error) error {
	f, err := s.saveMarkupRule(r, owner)
	if err != nil {
		return err
	}
	if !f.Valid() {
		return render(w, r, http.StatusUnprocessableEntity, f)
	}
	s.flash(r.Context(), "success", "Markup rule saved.")
	redirect(w, r, back)
	return nil
}

// pricesRuleSave adds (or replaces) one of the provider's markup rules.
func (s *Server) pricesRuleSave(w http.ResponseWriter, r *http.Request) error {
	return s.ruleSaved(w, r, store.ProviderRules, "/admin/prices", s.renderPrices)
}

// deleteMarkupRule deletes owner's rule {id} (the form confirms first);
// another party's rule is not found.
func (s *Server) deleteMarkupRule(w http.ResponseWriter, r *http.Request, owner store.RuleOwner, back string) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.pri.DeleteRule(r.Context(), actorOf(r), owner, id); err != nil {
		return err
	}
	s.flash(r.Context(), "success", "Markup rule deleted.")
	redirect(w, r, back)
	return nil
}

// pricesRuleDelete deletes one of the provider's markup rules.
func (s *Server) pricesRuleDelete(w http.ResponseWriter, r *http.Request) error {
	return s.deleteMarkupRule(w, r, store.ProviderRules, "/admin/prices")
}

// resellerPrices is a reseller user's prices page: its own markup rules
// on its cost, which its customers pay.
func (s *Server) resellerPrices(w http.ResponseWriter, r *http.Request) error {
	return s.renderResellerPrices(w, r, http.StatusOK, newRuleForm())
}

func (s *Server) renderResellerPrices(w http.ResponseWriter, r *http.Request, status int, f templates.Form) error {
	reseller, err := resellerOf(r)
	if err != nil {
		return err
	}
	v, err := s.markupRulesView(r.Context(), store.ResellerRules(reseller), f)
	if err != nil {
		return err
	}
	return s.render(w, r, status, templates.ResellerPricesPage(s.page(r, "Your prices", "/reseller/prices"), templates.ResellerPricesView{MarkupRulesView: v}))
}

// resellerRuleSave adds (or replaces) one of the reseller's own rules.
func (s *Server) resellerRuleSave(w http.ResponseWriter, r *http.Request) error {
	reseller, err := resellerOf(r)
	if err != nil {
		return err
	}
	return s.ruleSaved(w, r, store.ResellerRules(reseller), "/reseller/prices", s.renderResellerPrices)
}

// resellerRuleDelete deletes one of the reseller's own rules.
func (s *Server) resellerRuleDelete(w http.ResponseWriter, r *http.Request) error {
	reseller, err := resellerOf(r)
	if err != nil {
		return err
	}
	return s.deleteMarkupRule(w, r, store.ResellerRules(reseller), "/reseller/prices")
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
func (s *Server) catalogRowPrices(ctx context.Context, country string, version int64, items []store.CatalogItem, rows []templates.CatalogRow) error {
	var ids []string
	for _, it := range items {
		if it.Kind == "sku" {
			ids = append(ids, it.ID)
		}
	}
	byID, err := s.st.CatalogPagePrices(ctx, country, version, ids)
	if err != nil {
		return err
	}
	for i, it := range items {
		fs := byID[it.ID]
		if len(fs) == 0 || i >= len(rows) {
			continue
		}
		var costs, sales []string
		for _, f := range fs {
			sale, _, err := s.pri.Pricer().UnitSale(ctx, prices.Provider, uuid.Nil, it.ID, it.Family, f.UnitPrice)
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
