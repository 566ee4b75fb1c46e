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

// entitlementRows evaluates the entitlement rule for each subscription and
// nests add-ons under their base (add-ons whose base is not listed stand
// alone). subs come by name (the store sorts them; nesting keeps their
// order) and are shared between requests: rows are made from them by
// position, nothing is copied or changed.
func entitlementRows(l i18n.Lang, subs []store.CustomerEntitlement, base string, now time.Time) ([]templates.EntitlementRow, func([]templates.EntitlementRow)) {
	bases, addOns := rules.NestIndexes(len(subs), func(i int) string { return subs[i].ID }, func(i int) string { return subs[i].ParentSubscriptionID })
	holding := func(e *store.CustomerEntitlement) rules.Holding {
		return rules.Holding{Status: e.Status, SuspensionReasons: e.SuspensionReasons, IsTrial: e.IsTrial,
			AutoRenew: e.AutoRenewEnabled, CommitmentEndDate: e.CommitmentEndDate, ReplacedBy: e.ReplacedBy, OrderStatus: e.OrderStatus}
	}
	// Every row is evaluated (the counts cover them all); only the rows
	// shown are formatted, by format.
	row := func(i int, parent *rules.Holding) templates.EntitlementRow {
		e := &subs[i]
		ok, why := rules.Entitled(holding(e), parent, now)
		return templates.EntitlementRow{ID: e.ID, Name: cmp.Or(e.FriendlyName, e.OfferName), Quantity: int(e.Quantity),
			Entitled: ok, Reason: why}
	}
	out := make([]templates.EntitlementRow, 0, len(bases))
	at := make(map[string]int, len(subs)) // the shown rows' subscriptions, for format
	for _, b := range bases {
		r := row(b, nil)
		at[subs[b].ID] = b
		if len(addOns[b]) > 0 {
			p := holding(&subs[b])
			r.AddOns = make([]templates.EntitlementRow, 0, len(addOns[b]))
			for _, a := range addOns[b] {
				r.AddOns = append(r.AddOns, row(a, &p))
				at[subs[a].ID] = a
			}
		}
		out = append(out, r)
	}
	format := func(r *templates.EntitlementRow) {
		e := &subs[at[r.ID]]
		r.Href, r.Offer, r.Status, r.Unit = base+"/subscriptions/"+e.ID, e.OfferName, cmp.Or(e.Status, "unknown"), strings.ToLower(e.UnitType)
		r.HasUsage, r.Assigned, r.Purchased = e.HasUsage, int(e.Assigned), int(e.Purchased)
		r.Term, r.Cycle, r.Start = cmp.Or(rules.TermLabel(l, e.TermDuration), "—"), e.BillingCycle, rules.Date(e.EffectiveStartDate)
		r.Renews, r.AutoRenew = renewalDate(e.CommitmentEndDate), e.AutoRenewEnabled
	}
	return out, func(rows []templates.EntitlementRow) {
		for i := range rows {
			format(&rows[i])
			for j := range rows[i].AddOns {
				format(&rows[i].AddOns[j])
			}
		}
	}
}

// entitlements is the scoped customer's subscriptions as entitlement rows
// (bases with their add-ons nested), evaluated at now; format fills in
// the rest of the rows it is given (those shown). priced are the same
// subscriptions with their term prices, read in the same snapshot, when
// withPrices asks for them.
type entitlements struct {
	sc     customerScope
	rows   []templates.EntitlementRow
	format func([]templates.EntitlementRow)
	priced []store.PricedSubscription
	// version is the customer's data version the rows are at.
	version int64
	now     time.Time
}

func (s *Server) entitlementsOf(r *http.Request, withPrices bool) (e entitlements, err error) {
	if e.sc, err = s.scopeOf(r); err != nil {
		return e, err
	}
	var subs []store.CustomerEntitlement
	if withPrices {
		var ep store.EntitlementsPriced
		ep, err = s.st.CustomerEntitlementsPriced(r.Context(), e.sc.id)
		subs, e.priced, e.version = ep.Rows, ep.Priced, ep.Version
	} else {
		subs, err = s.st.CustomerEntitlements(r.Context(), e.sc.id)
	}
	if err != nil {
		return e, err
	}
	e.now = s.now()
	e.rows, e.format = entitlementRows(i18n.From(r.Context()), subs, e.sc.view.Base, e.now)
	return e, nil
}

// entitlementList is the customer's subscriptions with their entitlement.
func (s *Server) entitlementList(w http.ResponseWriter, r *http.Request) error {
	e, err := s.entitlementsOf(r, true)
	if err != nil {
		return err
	}
	sc, rows, format, now := e.sc, e.rows, e.format, e.now
	rr, err := s.pri.Pricer().RunRateAt(r.Context(), prices.Customer, sc.id, e.version, e.priced)
	if err != nil {
		return err
	}
	v := templates.EntitlementsView{Scope: sc.view, Rows: rows, AsOf: now.UTC().Format("2006-01-02 15:04 UTC"), Totals: saleTotals(r.Context(), rr)}
	// The counts cover every subscription, the table one page of them
	// (all of them on the printable version).
	for _, r := range rows {
		for _, x := range append([]templates.EntitlementRow{r}, r.AddOns...) {
			v.Subscriptions, v.Seats = v.Subscriptions+1, v.Seats+x.Quantity
			if x.Entitled {
				v.Entitled++
			} else {
				v.NotEntitled++
			}
		}
	}
	if !sc.view.Print {
		lo, hi, pg := rowWindow(r.URL, len(rows), func(i int) string { return rows[i].ID })
		v.Rows, v.Pager = rows[lo:hi], pg
	}
	format(v.Rows) // the rows shown only
	salePrices(r.Context(), v.Rows, rr)
	return s.render(w, r, http.StatusOK, templates.EntitlementsPage(s.customerPage(r, sc, i18n.T(r.Context(), "cv.subscriptions")), v))
}

// entitlementShow is one subscription of the customer, with its add-ons.
// Another customer's subscription is simply not found.
func (s *Server) entitlementShow(w http.ResponseWriter, r *http.Request) error {
	e, err := s.entitlementsOf(r, true)
	if err != nil {
		return err
	}
	sc, rows, format := e.sc, e.rows, e.format
	want := chi.URLParam(r, "sub")
	isWanted := func(x templates.EntitlementRow) bool { return x.ID == want }
	i := slices.IndexFunc(rows, func(row templates.EntitlementRow) bool {
		return isWanted(row) || slices.ContainsFunc(row.AddOns, isWanted)
	})
	if i < 0 {
		return store.ErrNotFound
	}
	// The product the subscription belongs to is the one row formatted.
	rows = rows[i : i+1]
	format(rows)
	rr, err := s.pri.Pricer().RunRateAt(r.Context(), prices.Customer, sc.id, e.version, e.priced)
	if err != nil {
		return err
	}
	sps := salePrices(r.Context(), rows, rr)
	x := rows[0]
	if !isWanted(x) {
		x = x.AddOns[slices.IndexFunc(x.AddOns, isWanted)]
	}
	ren, err := s.customerRenewal(r.Context(), sc.id, x.ID, sps[x.ID])
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
	rows, now := e.rows, e.now
	e.format(rows)
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
