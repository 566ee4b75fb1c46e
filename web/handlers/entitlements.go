package handlers

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// The customer view: read-only pages of one customer's subscriptions
// (entitlements) and orders. Customer users reach them under /my, bound to
// their own customer; staff reach the very same pages under
// /customers/{id}/view ("view as customer"), each visit audited. Every
// query takes the customer id, so no other customer's rows can be read.

// customerScope is whose data a customer view request shows.
type customerScope struct {
	id   uuid.UUID
	view templates.CustomerViewScope
}

// scopeOf resolves the customer of a customer view request: the signed-in
// customer user's own customer, or for staff the {id} in the URL (404 when
// no such customer), recording the visit in the audit trail.
func (s *Server) scopeOf(r *http.Request) (customerScope, error) {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	if u == nil {
		return customerScope{}, errForbidden
	}
	printable := r.URL.Query().Get("print") == "1"
	if u.Role == auth.RoleCustomer {
		if u.CustomerID == nil {
			return customerScope{}, errForbidden
		}
		sc := customerScope{id: *u.CustomerID, view: templates.CustomerViewScope{Base: "/my", Print: printable, CustomerName: i18n.T(ctx, "h.cv.your_org")}}
		if name, ok := auth.SessionCustomerName(ctx, sc.id); ok {
			sc.view.CustomerName = name
			return sc, nil
		}
		c, err := s.st.CustomerHeader(ctx, sc.id)
		switch {
		case err == nil:
			sc.view.CustomerName = cmp.Or(c.CompanyName, c.Domain)
		case !isNotFound(err):
			return sc, err
		}
		return sc, nil
	}
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return customerScope{}, store.ErrNotFound
	}
	// Recorded once per session and customer, not on every page a staff
	// user opens while viewing as the customer: the audit entry names the
	// session, so the session itself is not rewritten.
	c, err := s.st.ViewAsCustomer(ctx, id, store.Actor{UserID: &u.ID, Label: u.Email}, r.URL.Path, s.sessions.Token(ctx))
	if err != nil {
		return customerScope{}, err
	}
	base := "/customers/" + id.String() + "/view"
	return customerScope{id: id, view: templates.CustomerViewScope{Base: base, ViewAs: true, Print: printable,
		StaffHref: "/customers/" + id.String(), CustomerName: cmp.Or(c.CompanyName, c.Domain)}}, nil
}

// customerPage is the layout data of a customer view page: the printable
// version drops the navigation.
func (s *Server) customerPage(r *http.Request, sc customerScope, title string) templates.Page {
	active := "/my/subscriptions"
	if sc.view.ViewAs {
		active = "/customers"
	}
	p := s.page(r, title, active)
	p.NoNav = sc.view.Print
	return p
}

// entitlementSet is a customer's subscriptions nested by product (a base
// with its add-ons; an add-on whose base is not listed stands alone),
// each evaluated by the entitlement rule at now, since the counts cover
// them all; rows are made for the products shown only. subs come by name
// (the store sorts them; nesting keeps their order) and are shared
// between requests: nothing is copied or changed. priced are the same
// subscriptions with their term prices, read in the same snapshot, when
// asked for.
type entitlementSet struct {
	sc       customerScope
	subs     []store.CustomerEntitlement
	products []int         // the bases, by position in subs
	addOns   map[int][]int // a base's add-ons, by position in subs
	entitled []bool        // by position in subs
	lang     i18n.Lang
	now      time.Time
	priced   []store.PricedSubscription
	// version is the customer's data version the rows are at.
	version int64
}

func (e *entitlementSet) holding(i int) rules.Holding {
	s := &e.subs[i]
	return rules.Holding{Status: s.Status, SuspensionReasons: s.SuspensionReasons, IsTrial: s.IsTrial,
		AutoRenew: s.AutoRenewEnabled, CommitmentEndDate: s.CommitmentEndDate, ReplacedBy: s.ReplacedBy, OrderStatus: s.OrderStatus}
}

// evaluate evaluates each subscription, nested as nest says (the store
// nests a big customer's once per version).
func (e *entitlementSet) evaluate(nest rules.Nesting) {
	e.products, e.addOns = nest.Bases, nest.AddOns
	e.entitled = make([]bool, len(e.subs))
	for _, b := range e.products {
		e.entitled[b], _ = rules.Entitled(e.holding(b), nil, e.now)
		if as := e.addOns[b]; len(as) > 0 {
			p := e.holding(b)
			for _, a := range as {
				e.entitled[a], _ = rules.Entitled(e.holding(a), &p, e.now)
			}
		}
	}
}

// count adds up every subscription, entitled or not, and its seats.
func (e *entitlementSet) count(v *templates.EntitlementsView) {
	for i := range e.subs {
		v.Subscriptions, v.Seats = v.Subscriptions+1, v.Seats+int(e.subs[i].Quantity)
		if e.entitled[i] {
			v.Entitled++
		} else {
			v.NotEntitled++
		}
	}
}

// rows are the rows of products (positions in subs of bases), with their
// add-ons.
func (e *entitlementSet) rows(products []int) []templates.EntitlementRow {
	out := make([]templates.EntitlementRow, 0, len(products))
	for _, b := range products {
		r := e.row(b, nil)
		if as := e.addOns[b]; len(as) > 0 {
			p := e.holding(b)
			r.AddOns = make([]templates.EntitlementRow, 0, len(as))
			for _, a := range as {
				r.AddOns = append(r.AddOns, e.row(a, &p))
			}
		}
		out = append(out, r)
	}
	return out
}

func (e *entitlementSet) row(i int, parent *rules.Holding) templates.EntitlementRow {
	s := &e.subs[i]
	ok, why := rules.Entitled(e.holding(i), parent, e.now)
	return templates.EntitlementRow{ID: s.ID, Name: cmp.Or(s.FriendlyName, s.OfferName), Quantity: int(s.Quantity), Entitled: ok, Reason: why,
		Href: e.sc.view.Base + "/subscriptions/" + s.ID, Offer: s.OfferName, Status: cmp.Or(s.Status, "unknown"), Unit: strings.ToLower(s.UnitType),
		HasUsage: s.HasUsage, Assigned: int(s.Assigned), Purchased: int(s.Purchased),
		Term: cmp.Or(rules.TermLabel(e.lang, s.TermDuration), "—"), Cycle: s.BillingCycle, Start: rules.Date(s.EffectiveStartDate),
		Renews: renewalDate(s.CommitmentEndDate), AutoRenew: s.AutoRenewEnabled}
}

// product is the base whose product (the base or one of its add-ons) is
// subscription id.
func (e *entitlementSet) product(id string) (int, bool) {
	for _, b := range e.products {
		if e.subs[b].ID == id || slices.ContainsFunc(e.addOns[b], func(a int) bool { return e.subs[a].ID == id }) {
			return b, true
		}
	}
	return 0, false
}

func (s *Server) entitlementsOf(r *http.Request, withPrices bool) (e entitlementSet, err error) {
	if e.sc, err = s.scopeOf(r); err != nil {
		return e, err
	}
	var nest rules.Nesting
	if withPrices {
		var ep store.EntitlementsPriced
		ep, err = s.st.CustomerEntitlementsPriced(r.Context(), e.sc.id)
		e.subs, e.priced, e.version, nest = ep.Rows, ep.Priced, ep.Version, ep.Nest
	} else {
		e.subs, nest, err = s.st.CustomerEntitlements(r.Context(), e.sc.id)
	}
	if err != nil {
		return e, err
	}
	e.lang, e.now = i18n.From(r.Context()), s.now()
	e.evaluate(nest)
	return e, nil
}

// entitlementList is the customer's subscriptions with their entitlement.
func (s *Server) entitlementList(w http.ResponseWriter, r *http.Request) error {
	e, err := s.entitlementsOf(r, true)
	if err != nil {
		return err
	}
	sc := e.sc
	rr, err := s.pri.Pricer().RunRateAt(r.Context(), prices.Customer, sc.id, e.version, e.priced)
	if err != nil {
		return err
	}
	v := templates.EntitlementsView{Scope: sc.view, AsOf: e.now.UTC().Format("2006-01-02 15:04 UTC"), Totals: saleTotals(r.Context(), rr)}
	// The counts cover every subscription, the table one page of products
	// (all of them on the printable version).
	e.count(&v)
	shown := e.products
	if !sc.view.Print {
		lo, hi, pg := rowWindow(r.URL, len(shown), func(i int) string { return e.subs[shown[i]].ID })
		shown, v.Pager = shown[lo:hi], pg
	}
	v.Rows = e.rows(shown)
	salePrices(r.Context(), v.Rows, rr, "")
	return s.render(w, r, http.StatusOK, templates.EntitlementsPage(s.customerPage(r, sc, i18n.T(r.Context(), "cv.subscriptions")), v))
}

// entitlementShow is one subscription of the customer, with its add-ons.
// Another customer's subscription is simply not found.
func (s *Server) entitlementShow(w http.ResponseWriter, r *http.Request) error {
	e, err := s.entitlementsOf(r, true)
	if err != nil {
		return err
	}
	sc := e.sc
	want := chi.URLParam(r, "sub")
	b, ok := e.product(want)
	if !ok {
		return store.ErrNotFound
	}
	// The product the subscription belongs to is the one row made.
	rows := e.rows([]int{b})
	rr, err := s.pri.Pricer().RunRateAt(r.Context(), prices.Customer, sc.id, e.version, e.priced)
	if err != nil {
		return err
	}
	sp := salePrices(r.Context(), rows, rr, want)
	x := rows[0]
	if x.ID != want {
		x = x.AddOns[slices.IndexFunc(x.AddOns, func(a templates.EntitlementRow) bool { return a.ID == want })]
	}
	ren, err := s.customerRenewal(r.Context(), sc.id, x.ID, sp)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.SubscriptionDetailPage(s.customerPage(r, sc, x.Name),
		templates.SubscriptionDetailView{Scope: sc.view, Row: x, Renewal: ren}))
}

// entitlementExport is the entitlements as CSV (add-ons after their base).
func (s *Server) entitlementExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.entitlementsOf(r, false)
	if err != nil {
		return err
	}
	rows, now := e.rows(e.products), e.now
	var b strings.Builder
	b.WriteString("\uFEFF") // a UTF-8 BOM: Excel then reads Chinese names right
	cw := csv.NewWriter(&b)
	_ = cw.Write(csvHeader(r.Context(), "subscription_id", "base_subscription_id", "product", "offer", "quantity", "unit", "seats_assigned",
		"seats_purchased", "status", "term", "billing_cycle", "start_date", "renewal_date", "auto_renew", "entitled", "reason"))
	line := func(x templates.EntitlementRow, base string) {
		assigned, purchased := "", ""
		if x.HasUsage {
			assigned, purchased = strconv.Itoa(x.Assigned), strconv.Itoa(x.Purchased)
		}
		_ = cw.Write(csvSafe(x.ID, base, x.Name, x.Offer, strconv.Itoa(x.Quantity), x.Unit, assigned, purchased, x.Status,
			noDash(x.Term), x.Cycle, noDash(x.Start), noDash(x.Renews), strconv.FormatBool(x.AutoRenew), strconv.FormatBool(x.Entitled), x.Reason))
	}
	for _, row := range rows {
		line(row, "")
		for _, a := range row.AddOns {
			line(a, row.ID)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write entitlements csv: %w", err)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="entitlements-%s.csv"`, now.UTC().Format("2006-01-02")))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(b.String()))
	return err
}

// customerOrderList is the customer's order history.
func (s *Server) customerOrderList(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	h, err := s.st.CustomerOrderHistory(r.Context(), sc.id)
	if err != nil {
		return err
	}
	v := templates.CustomerOrdersView{Scope: sc.view}
	// Totals at the customer's sale prices: PC's totalPrice is the cost.
	totals := map[string]decimal.Decimal{}
	for _, l := range h.Lines {
		sale, _, err := s.pri.Pricer().UnitSale(r.Context(), prices.Customer, sc.id, l.OfferID, "", l.UnitPrice)
		if err != nil {
			return err
		}
		totals[l.OrderID] = totals[l.OrderID].Add(sale.Mul(decimal.NewFromInt(int64(l.Quantity))))
	}
	for _, o := range h.Orders {
		row := templates.CustomerOrderRow{ID: o.ID, Href: sc.view.Base + "/orders/" + o.ID, Status: o.Status,
			Created: rules.Date(o.CreationDate), Total: "—", Cycle: o.BillingCycle, Lines: int(o.Lines)}
		if t, ok := totals[o.ID]; ok {
			row.Total = templates.MoneyCtx(r.Context(), t, o.CurrencyCode)
		}
		v.Orders = append(v.Orders, row)
	}
	return s.render(w, r, http.StatusOK, templates.CustomerOrdersPage(s.customerPage(r, sc, i18n.T(r.Context(), "cv.orders")), v))
}

// customerOrderShow is one order of the customer; another customer's order
// is not found.
func (s *Server) customerOrderShow(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	o, lines, err := s.st.CustomerOrder(r.Context(), sc.id, chi.URLParam(r, "order"))
	if err != nil {
		return err
	}
	v := templates.CustomerOrderView{Scope: sc.view, Order: templates.CustomerOrderRow{ID: o.ID, Status: o.Status,
		Created: rules.Date(o.CreationDate), Total: "—", Cycle: o.BillingCycle, Lines: len(lines)}}
	total, priced := decimal.Zero, false
	for _, l := range lines {
		lr := templates.CustomerOrderLineRow{Number: strconv.Itoa(int(l.LineItemNumber) + 1), Offer: l.OfferID,
			Name: cmp.Or(l.FriendlyName, l.OfferID), Quantity: strconv.Itoa(int(l.Quantity)), Term: cmp.Or(termLabel(r.Context(), l.TermDuration), "—"),
			Type: l.TransactionType, Price: "—"}
		if l.UnitPrice.Valid {
			// the customer's sale price, never PC's (the cost)
			sale, _, err := s.pri.Pricer().UnitSale(r.Context(), prices.Customer, sc.id, l.OfferID, "", l.UnitPrice.Decimal)
			if err != nil {
				return err
			}
			lr.Price = templates.MoneyCtx(r.Context(), sale, o.CurrencyCode)
			total, priced = total.Add(sale.Mul(decimal.NewFromInt(int64(l.Quantity)))), true
		}
		if l.SubscriptionID != "" {
			lr.SubscriptionHref = sc.view.Base + "/subscriptions/" + l.SubscriptionID
		}
		v.Lines = append(v.Lines, lr)
	}
	if priced {
		v.Order.Total = templates.MoneyCtx(r.Context(), total, o.CurrencyCode)
	}
	return s.render(w, r, http.StatusOK, templates.CustomerOrderPage(s.customerPage(r, sc, i18n.T(r.Context(), "h.order.title", o.ID)), v))
}
