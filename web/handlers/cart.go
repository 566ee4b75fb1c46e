package handlers

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// cartCustomer loads the customer named by the URL.
func (s *Server) cartCustomer(r *http.Request) (store.CartCustomer, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.CartCustomer{}, store.ErrNotFound
	}
	return s.st.CartCustomer(r.Context(), id)
}

// cartShow is the staff user's cart for a customer with the add-line form.
func (s *Server) cartShow(w http.ResponseWriter, r *http.Request) error {
	c, err := s.cartCustomer(r)
	if err != nil {
		return err
	}
	f := templates.NewForm()
	f.Values["quantity"] = "1"
	// ?item= from links (an offer's "Order for a customer"), ?item_id=
	// from the cart's own product choice.
	if v := cmp.Or(r.URL.Query().Get("item_id"), r.URL.Query().Get("item")); v != "" {
		f.Values["item_id"] = v
	}
	f.Values["find"] = strings.TrimSpace(r.URL.Query().Get("find"))
	return s.renderCart(w, r, http.StatusOK, c, f)
}

func (s *Server) renderCart(w http.ResponseWriter, r *http.Request, status int, c store.CartCustomer, f templates.Form) error {
	ctx := r.Context()
	lines, err := s.st.CartLines(ctx, auth.UserFrom(ctx).ID, c.ID)
	if err != nil {
		return err
	}
	base := "/customers/" + c.ID.String()
	v := templates.CartView{Customer: cmp.Or(c.CompanyName, c.Domain), CustomerHref: base, Action: base + "/cart/lines",
		ReviewHref: base + "/cart/review", Form: f}
	if v.Lines, _, err = s.cartLineViews(ctx, c, lines, base); err != nil {
		return err
	}
	choices, err := s.st.CartItemChoices(ctx, c.Country)
	if err != nil {
		return err
	}
	find := strings.ToLower(f.Get("find"))
	for _, ch := range choices {
		label := ch.Name
		if ch.IsAddOn {
			label = i18n.T(ctx, "h.cart.item_addon", label)
		}
		if ch.Kind == "offer" {
			label = i18n.T(ctx, "h.cart.item_legacy", label)
		}
		// The search narrows the list; the chosen item stays in it.
		if find != "" && !strings.Contains(strings.ToLower(label), find) && ch.ItemID != f.Get("item_id") {
			continue
		}
		v.Items = append(v.Items, templates.Option{Value: ch.ItemID, Label: label})
	}
	if item := f.Get("item_id"); item != "" {
		conf, ok, err := s.com.ConfigureCartItem(ctx, c, item)
		if err != nil {
			return err
		}
		if ok {
			v.Config = configView(ctx, conf, f)
			// Each plan's sale price, as the cart lines show it.
			for i, p := range conf.Plans {
				if !p.Unit.Valid {
					continue
				}
				sale, _, err := s.pri.Pricer().UnitSale(ctx, prices.Provider, c.ID, conf.Item.ID, "", p.Unit.Decimal)
				if err != nil {
					return err
				}
				v.Config.Plans[i].Sale = templates.Money(sale, p.Currency)
			}
		} else if f.Errors["item_id"] == "" {
			f.Errors["item_id"] = i18n.T(ctx, "h.cart.not_in_catalog", c.Country)
			v.Form = f
		}
	}
	parents, err := s.st.CartParentCandidates(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, p := range parents {
		v.Parents = append(v.Parents, templates.Option{Value: "sub:" + p.ID, Label: i18n.T(ctx, "h.cart.parent_sub", cmp.Or(p.FriendlyName, p.OfferName))})
	}
	for _, l := range lines {
		if !l.IsAddOn {
			v.Parents = append(v.Parents, templates.Option{Value: "line:" + strconv.FormatInt(l.ID, 10), Label: i18n.T(ctx, "h.cart.parent_line", l.Name)})
		}
	}
	recent, err := s.st.RecentOrderPlacements(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, o := range recent {
		state := o.BaseStatus
		switch {
		case o.CancelledAt != nil:
			state = i18n.T(ctx, "status.cancelled")
		case o.BaseStatus == commerce.CommandSucceeded && o.NeedsAddons && o.AddonCommandID == nil:
			state = i18n.T(ctx, "h.cart.waiting_addons")
		case o.AddonStatus != "":
			state = i18n.T(ctx, "h.cart.addons_status", o.AddonStatus)
		}
		v.Recent = append(v.Recent, templates.RecentOrder{Href: base + "/orders/" + o.Token.String(),
			At: o.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), By: o.RequestedByLabel, State: state})
	}
	return s.render(w, r, status, templates.CartPage(s.page(r, i18n.T(ctx, "h.cart.title", v.Customer), "/customers"), v))
}

// cartLineViews shows the lines with cost, the customer's sale price and
// the margin, the line's sale a month and what the item's other plans
// would cost (rules.PlanDifferences); sales are the lines' sale per
// billing period per currency.
func (s *Server) cartLineViews(ctx context.Context, c store.CartCustomer, lines []store.CartLine, base string) ([]templates.CartLineView, map[string]decimal.Decimal, error) {
	customer := c.ID
	sales := map[string]decimal.Decimal{}
	names := map[int64]string{}
	for _, l := range lines {
		names[l.ID] = l.Name
	}
	var out []templates.CartLineView
	for _, l := range lines {
		lv := templates.CartLineView{ID: strconv.FormatInt(l.ID, 10), Name: l.Name, ItemID: l.ItemID, Quantity: int(l.Quantity),
			Term: cmp.Or(termLabel(ctx, l.TermDuration), "—"), Cycle: cmp.Or(l.BillingCycle, "—"), NCE: l.Kind == "nce",
			DeleteHref: base + "/cart/lines/" + strconv.FormatInt(l.ID, 10) + "/delete", Price: "—", Sale: "—", Line: "—", Margin: "—",
			Promotion: l.PromotionLabel}
		if l.CustomTermEnd.Valid {
			lv.TermEnd = i18n.Day(i18n.From(ctx), l.CustomTermEnd.Time)
		}
		if l.UnitPrice.Valid {
			lv.Price = templates.Money(l.UnitPrice.Decimal, l.Currency)
			sale, _, err := s.pri.Pricer().UnitSale(ctx, prices.Provider, customer, l.ItemID, "", l.UnitPrice.Decimal)
			if err != nil {
				return nil, nil, err
			}
			qty := decimal.NewFromInt(int64(l.Quantity))
			lv.Sale = templates.Money(sale, l.Currency)
			lv.Line = templates.Money(sale.Mul(qty), l.Currency)
			lv.Margin = marginLabel(l.UnitPrice.Decimal.Mul(qty), sale.Mul(qty), l.Currency)
			sales[l.Currency] = sales[l.Currency].Add(sale.Mul(qty))
			if l.Kind == "nce" {
				if err := s.cartLinePlans(ctx, c, l, sale, &lv); err != nil {
					return nil, nil, err
				}
			}
		}
		switch {
		case l.ParentLineID != nil:
			lv.Parent = i18n.T(ctx, "h.cart.with_line", names[*l.ParentLineID])
		case l.ParentSubscriptionID != "":
			lv.Parent = i18n.T(ctx, "h.cart.on_sub", l.ParentSubscriptionID)
		}
		out = append(out, lv)
	}
	return out, sales, nil
}

// cartLineAdd adds a line (commerce.AddCartLine); problems re-render the
// cart with field errors and write nothing.
func (s *Server) cartLineAdd(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	c, err := s.cartCustomer(r)
	if err != nil {
		return err
	}
	f := templates.NewForm()
	for _, k := range []string{"item_id", "quantity", "term", "billing_cycle", "parent", "plan", "promotion", "term_end"} {
		f.Values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	// The configurator sends the plan as one choice of term and cycle.
	if term, cycle, ok := rules.SplitPlan(f.Get("plan")); ok {
		f.Values["term"], f.Values["billing_cycle"] = term, cycle
	}
	name, problems, err := s.com.AddCartLine(ctx, actorOf(r), c, commerce.CartLineRequest{ItemID: f.Get("item_id"), PromotionID: f.Get("promotion"), TermEnd: f.Get("term_end"),
		CartRequest: rules.CartRequest{Quantity: f.Get("quantity"), Term: f.Get("term"), Cycle: f.Get("billing_cycle"), Parent: f.Get("parent")}})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f.Errors = problems
		// The configurator shows term and cycle problems at its plan choice.
		if msg := cmp.Or(problems["term"], problems["billing_cycle"]); msg != "" {
			f.Errors["plan"] = msg
		}
		return s.renderCart(w, r, http.StatusUnprocessableEntity, c, f)
	}
	s.flash(ctx, "success", i18n.T(ctx, "h.cart.added", name))
	redirect(w, r, "/customers/"+c.ID.String()+"/cart")
	return nil
}

// cartLineDelete removes a line (and add-ons attached to it).
func (s *Server) cartLineDelete(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.cartCustomer(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "line"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.com.DeleteCartLine(ctx, actorOf(r), c.ID, id); err != nil {
		return err
	}
	s.flash(ctx, "success", "Line removed.")
	redirect(w, r, "/customers/"+c.ID.String()+"/cart")
	return nil
}

// configView is the configurator for a chosen item: its plans (the first
// chosen unless the form chose one), quantity limits and whether it needs
// a base.
func configView(ctx context.Context, conf commerce.CartConfiguration, f templates.Form) *templates.CartConfig {
	it := conf.Item
	v := &templates.CartConfig{ItemID: it.ID, Name: it.Name, NCE: it.Kind == "nce", AddOn: it.AddOn, Min: it.Min, Max: it.Max}
	chosen := f.Get("plan")
	if chosen == "" && f.Get("term")+f.Get("billing_cycle") != "" {
		chosen = rules.PlanValue(f.Get("term"), f.Get("billing_cycle"))
	}
	for i, p := range conf.Plans {
		label := p.Label
		if term, cycle, ok := rules.SplitPlan(p.Value); ok {
			label = planLabel(ctx, term, cycle)
		}
		pv := templates.CartPlanView{Value: p.Value, Label: label, Checked: p.Value == chosen || (chosen == "" && i == 0)}
		if p.Unit.Valid {
			pv.Price = templates.Money(p.Unit.Decimal, p.Currency)
		}
		v.Plans = append(v.Plans, pv)
	}
	for _, p := range conf.Promotions {
		v.Promotions = append(v.Promotions, templates.CartPromotionView{Value: p.ID, Name: p.Name, Discount: p.Discount,
			Plans: strings.Join(p.PlanLabels, "; "), Description: p.Description, Auto: p.Auto, Checked: strings.EqualFold(p.ID, f.Get("promotion"))})
	}
	v.PromotionsNote = conf.PromotionsProblem
	for _, te := range conf.TermEnds {
		v.TermEnds = append(v.TermEnds, templates.Option{Value: te.Value, Label: te.Label})
	}
	v.TermEndsNote = conf.TermEndsProblem
	return v
}

// cartLinePlans says what the line costs the customer a month and, in
// words, what the item's other terms and billing plans would cost per
// licence and month at the customer's sale prices.
func (s *Server) cartLinePlans(ctx context.Context, c store.CartCustomer, l store.CartLine, sale decimal.Decimal, lv *templates.CartLineView) error {
	if m, ok := rules.MonthlyEquivalent(sale, int64(l.Quantity), l.BillingCycle, l.TermDuration); ok {
		lv.Monthly = i18n.T(ctx, "ent.a_month", templates.Money(m, l.Currency))
	}
	ps, err := s.st.CatalogPrices(ctx, c.Country, l.ItemID)
	if err != nil {
		return err
	}
	var plans []rules.PlanPrice
	for _, p := range ps {
		if !strings.EqualFold(p.Currency, l.Currency) {
			continue
		}
		unit, _, err := s.pri.Pricer().UnitSale(ctx, prices.Provider, c.ID, l.ItemID, "", p.UnitPrice)
		if err != nil {
			return err
		}
		plans = append(plans, rules.PlanPrice{Term: p.TermDuration, Cycle: p.BillingCycle, Unit: unit})
	}
	_, diffs, ok := rules.PlanDifferences(rules.PlanPrice{Term: l.TermDuration, Cycle: l.BillingCycle, Unit: sale}, plans)
	if !ok {
		return nil
	}
	for _, d := range diffs {
		how := i18n.T(ctx, "h.cart.pct_more", d.Percent.Abs().StringFixed(1))
		switch {
		case d.Percent.IsNegative():
			how = i18n.T(ctx, "h.cart.pct_less", d.Percent.Abs().StringFixed(1))
		case d.Percent.IsZero():
			how = i18n.T(ctx, "h.cart.same")
		}
		lv.Plans = append(lv.Plans, i18n.T(ctx, "h.cart.plan_price", planLabel(ctx, d.Term, d.Cycle), templates.Money(d.Monthly, l.Currency), how))
	}
	return nil
}
