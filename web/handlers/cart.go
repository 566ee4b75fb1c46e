package handlers

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/commerce"
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
	if v := r.URL.Query().Get("item"); v != "" {
		f.Values["item_id"] = v
	}
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
	v.Lines = cartLineViews(lines, base)
	choices, err := s.st.CartItemChoices(ctx, c.Country)
	if err != nil {
		return err
	}
	for _, ch := range choices {
		label := ch.Name
		if ch.IsAddOn {
			label += " (add-on)"
		}
		v.Items = append(v.Items, templates.Option{Value: ch.ItemID, Label: label})
	}
	parents, err := s.st.CartParentCandidates(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, p := range parents {
		v.Parents = append(v.Parents, templates.Option{Value: "sub:" + p.ID, Label: "Subscription: " + cmp.Or(p.FriendlyName, p.OfferName)})
	}
	for _, l := range lines {
		if !l.IsAddOn {
			v.Parents = append(v.Parents, templates.Option{Value: "line:" + strconv.FormatInt(l.ID, 10), Label: "In this cart: " + l.Name})
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
			state = "cancelled"
		case o.BaseStatus == commerce.CommandSucceeded && o.NeedsAddons && o.AddonCommandID == nil:
			state = "waiting to place the add-ons"
		case o.AddonStatus != "":
			state = "add-ons " + o.AddonStatus
		}
		v.Recent = append(v.Recent, templates.RecentOrder{Href: base + "/orders/" + o.Token.String(),
			At: o.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), By: o.RequestedByLabel, State: state})
	}
	return s.render(w, r, status, templates.CartPage(s.page(r, "Cart for "+v.Customer, "/customers"), v))
}

func cartLineViews(lines []store.CartLine, base string) []templates.CartLineView {
	names := map[int64]string{}
	for _, l := range lines {
		names[l.ID] = l.Name
	}
	var out []templates.CartLineView
	for _, l := range lines {
		lv := templates.CartLineView{ID: strconv.FormatInt(l.ID, 10), Name: l.Name, ItemID: l.ItemID, Quantity: int(l.Quantity),
			Term: cmp.Or(rules.TermLabel(l.TermDuration), "—"), Cycle: cmp.Or(l.BillingCycle, "—"), NCE: l.Kind == "nce",
			DeleteHref: base + "/cart/lines/" + strconv.FormatInt(l.ID, 10) + "/delete", Price: "—"}
		if l.UnitPrice.Valid {
			lv.Price = l.UnitPrice.Decimal.StringFixed(2) + " " + l.Currency
		}
		switch {
		case l.ParentLineID != nil:
			lv.Parent = "with " + names[*l.ParentLineID] + " (this cart)"
		case l.ParentSubscriptionID != "":
			lv.Parent = "on subscription " + l.ParentSubscriptionID
		}
		out = append(out, lv)
	}
	return out
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
	for _, k := range []string{"item_id", "quantity", "term", "billing_cycle", "parent"} {
		f.Values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	name, problems, err := s.com.AddCartLine(ctx, actorOf(r), c, commerce.CartLineRequest{ItemID: f.Get("item_id"),
		CartRequest: rules.CartRequest{Quantity: f.Get("quantity"), Term: f.Get("term"), Cycle: f.Get("billing_cycle"), Parent: f.Get("parent")}})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		f.Errors = problems
		return s.renderCart(w, r, http.StatusUnprocessableEntity, c, f)
	}
	s.flash(ctx, "success", name+" added to the cart.")
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
