package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
	"github.com/cspportal/portal/subrules"
	"github.com/cspportal/portal/web/templates"
)

// cartCustomer loads the customer named by the URL.
func (s *Server) cartCustomer(r *http.Request) (db.CartCustomerRow, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return db.CartCustomerRow{}, store.ErrNotFound
	}
	c, err := s.st.Q.CartCustomer(r.Context(), s.st.Pool, id)
	if err != nil {
		return c, fmt.Errorf("customer %s: %w", id, store.MapErr(err))
	}
	return c, nil
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

func (s *Server) renderCart(w http.ResponseWriter, r *http.Request, status int, c db.CartCustomerRow, f templates.Form) error {
	ctx := r.Context()
	u := auth.UserFrom(ctx)
	lines, err := s.st.Q.CartLines(ctx, s.st.Pool, db.CartLinesParams{UserID: u.ID, CustomerID: c.ID})
	if err != nil {
		return fmt.Errorf("cart lines: %w", err)
	}
	base := "/customers/" + c.ID.String()
	v := templates.CartView{Customer: cmpOr(c.CompanyName, c.Domain), CustomerHref: base, Action: base + "/cart/lines",
		ReviewHref: base + "/cart/review", Form: f}
	v.Lines = cartLineViews(lines, base)
	choices, err := s.st.Q.CartItemChoices(ctx, s.st.Pool, c.Country)
	if err != nil {
		return fmt.Errorf("cart choices: %w", err)
	}
	for _, ch := range choices {
		label := ch.Name
		if ch.IsAddOn {
			label += " (add-on)"
		}
		v.Items = append(v.Items, templates.Option{Value: ch.ItemID, Label: label})
	}
	parents, err := s.st.Q.CartParentCandidates(ctx, s.st.Pool, c.ID)
	if err != nil {
		return fmt.Errorf("cart parents: %w", err)
	}
	for _, p := range parents {
		v.Parents = append(v.Parents, templates.Option{Value: "sub:" + p.ID, Label: "Subscription: " + cmpOr(p.FriendlyName, p.OfferName)})
	}
	for _, l := range lines {
		if !l.IsAddOn {
			v.Parents = append(v.Parents, templates.Option{Value: "line:" + strconv.FormatInt(l.ID, 10), Label: "In this cart: " + l.Name})
		}
	}
	recent, err := s.st.Q.RecentOrderPlacements(ctx, s.st.Pool, c.ID)
	if err != nil {
		return fmt.Errorf("recent orders: %w", err)
	}
	for _, o := range recent {
		state := o.BaseStatus
		switch {
		case o.CancelledAt != nil:
			state = "cancelled"
		case o.BaseStatus == "succeeded" && o.NeedsAddons && o.AddonCommandID == nil:
			state = "waiting to place the add-ons"
		case o.AddonStatus != "":
			state = "add-ons " + o.AddonStatus
		}
		v.Recent = append(v.Recent, templates.RecentOrder{Href: base + "/orders/" + o.Token.String(),
			At: o.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), By: o.RequestedByLabel, State: state})
	}
	return s.render(w, r, status, templates.CartPage(s.page(r, "Cart for "+v.Customer, "/customers"), v))
}

func cartLineViews(lines []db.CartLine, base string) []templates.CartLineView {
	names := map[int64]string{}
	for _, l := range lines {
		names[l.ID] = l.Name
	}
	var out []templates.CartLineView
	for _, l := range lines {
		lv := templates.CartLineView{ID: strconv.FormatInt(l.ID, 10), Name: l.Name, ItemID: l.ItemID, Quantity: int(l.Quantity),
			Term: cmpOr(termLabel(l.TermDuration), "—"), Cycle: cmpOr(l.BillingCycle, "—"), NCE: l.Kind == "nce",
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

// cartItem is a catalog item resolved for a cart line.
type cartItem struct {
	kind, id, name string
	min, max       int
	addOn          bool
	bases          []string // legacy base offer ids or NCE productId:skuId prerequisites
	terms          []cartTerm
	cycles         []string
}

type cartTerm struct {
	Duration     string `json:"duration"`
	BillingCycle string `json:"billingCycle"`
}

// lookupCartItem finds a purchasable legacy offer or NCE catalog item for
// the country; ok is false when there is none.
func (s *Server) lookupCartItem(ctx context.Context, country, id string) (cartItem, bool, error) {
	if strings.Count(id, ":") == 2 {
		it, err := s.st.Q.CartCatalogItem(ctx, s.st.Pool, db.CartCatalogItemParams{Country: country, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !it.IsPurchasable) {
			return cartItem{}, false, nil
		}
		if err != nil {
			return cartItem{}, false, fmt.Errorf("catalog item %s: %w", id, err)
		}
		ci := cartItem{kind: "nce", id: it.CatalogItemID, name: it.Name, min: int(it.MinQuantity), max: int(it.MaxQuantity),
			addOn: len(it.PurchasePrerequisites) > 0, bases: it.PurchasePrerequisites}
		_ = json.Unmarshal(it.Terms, &ci.terms)
		return ci, true, nil
	}
	o, err := s.st.Q.CartOffer(ctx, s.st.Pool, db.CartOfferParams{Country: country, ID: id})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !o.IsAvailableForPurchase) {
		return cartItem{}, false, nil
	}
	if err != nil {
		return cartItem{}, false, fmt.Errorf("offer %s: %w", id, err)
	}
	return cartItem{kind: "offer", id: o.ID, name: o.Name, min: int(o.MinQuantity), max: int(o.MaxQuantity), addOn: o.IsAddOn,
		bases: o.Bases, cycles: o.SupportedBillingCycles}, true, nil
}

// baseKey is what an add-on's prerequisites name for an offer or item id.
func baseKey(offerID string) string {
	if parts := strings.Split(offerID, ":"); len(parts) == 3 {
		return parts[0] + ":" + parts[1]
	}
	return offerID
}

func (it cartItem) acceptsBase(offerID string) bool {
	k := baseKey(offerID)
	return slices.ContainsFunc(it.bases, func(b string) bool { return strings.EqualFold(b, k) || strings.EqualFold(b, offerID) })
}

// cartLineAdd validates a line and adds it; problems re-render the cart
// with field errors and write nothing.
func (s *Server) cartLineAdd(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	c, err := s.cartCustomer(r)
	if err != nil {
		return err
	}
	u := auth.UserFrom(ctx)
	f := templates.NewForm()
	for _, k := range []string{"item_id", "quantity", "term", "billing_cycle", "parent"} {
		f.Values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	it, ok, err := s.lookupCartItem(ctx, c.Country, f.Get("item_id"))
	if err != nil {
		return err
	}
	if !ok {
		f.Errors["item_id"] = "Unknown offer: it is not in the catalog for " + c.Country + " or not purchasable."
		return s.renderCart(w, r, http.StatusUnprocessableEntity, c, f)
	}
	q, err := strconv.Atoi(f.Get("quantity"))
	if err != nil {
		f.Errors["quantity"] = "Enter a whole number."
	} else if msg := subrules.CheckOrderQuantity(q, it.min, it.max); msg != "" {
		f.Errors["quantity"] = msg
	}
	lines, err := s.st.Q.CartLines(ctx, s.st.Pool, db.CartLinesParams{UserID: u.ID, CustomerID: c.ID})
	if err != nil {
		return fmt.Errorf("cart lines: %w", err)
	}
	term, cycle := f.Get("term"), strings.ToLower(f.Get("billing_cycle"))
	if it.kind == "nce" {
		if term == "" && len(it.terms) == 1 {
			term = it.terms[0].Duration
		}
		if cycle == "" {
			for _, t := range it.terms {
				if t.Duration == term {
					cycle = strings.ToLower(t.BillingCycle)
					break
				}
			}
		}
		if !slices.ContainsFunc(it.terms, func(t cartTerm) bool { return t.Duration == term && strings.EqualFold(t.BillingCycle, cycle) }) {
			var opts []string
			for _, t := range it.terms {
				opts = append(opts, termLabel(t.Duration)+" billed "+strings.ToLower(t.BillingCycle))
			}
			f.Errors["term"] = "Choose a term and billing cycle this item offers: " + strings.Join(opts, ", ") + "."
		}
	} else {
		term = ""
		if cycle == "" && len(it.cycles) > 0 {
			cycle = strings.ToLower(it.cycles[0])
		}
		if !slices.ContainsFunc(it.cycles, func(c string) bool { return strings.EqualFold(c, cycle) }) {
			f.Errors["billing_cycle"] = "This offer is billed " + strings.Join(it.cycles, " or ") + "."
		}
	}
	for _, l := range lines {
		if l.BillingCycle != "" && cycle != "" && !strings.EqualFold(l.BillingCycle, cycle) {
			f.Errors["billing_cycle"] = "A cart becomes one order with one billing cycle: this cart is billed " + l.BillingCycle + "."
			break
		}
	}
	var parentLine *int64
	parentSub := ""
	parent := f.Get("parent")
	switch {
	case !it.addOn && parent != "":
		f.Errors["parent"] = it.name + " is not an add-on: leave the parent empty."
	case it.addOn && parent == "":
		f.Errors["parent"] = it.name + " is an add-on: choose the subscription or cart line it goes with."
	case strings.HasPrefix(parent, "sub:"):
		p, err := s.st.Q.CartParentSubscription(ctx, s.st.Pool, db.CartParentSubscriptionParams{ID: strings.TrimPrefix(parent, "sub:"), CustomerID: c.ID})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			f.Errors["parent"] = "That subscription does not belong to this customer."
		case err != nil:
			return fmt.Errorf("parent subscription: %w", err)
		case p.Status != "active":
			f.Errors["parent"] = "The subscription " + cmpOr(p.FriendlyName, p.OfferName) + " is " + p.Status + ": add-ons need an active base."
		case !it.acceptsBase(p.OfferID):
			f.Errors["parent"] = it.name + " cannot be added to " + p.OfferName + "."
		default:
			parentSub = p.ID
		}
	case strings.HasPrefix(parent, "line:"):
		id, _ := strconv.ParseInt(strings.TrimPrefix(parent, "line:"), 10, 64)
		i := slices.IndexFunc(lines, func(l db.CartLine) bool { return l.ID == id })
		switch {
		case i < 0:
			f.Errors["parent"] = "That line is not in your cart for this customer."
		case lines[i].IsAddOn:
			f.Errors["parent"] = "An add-on cannot be the base of another add-on."
		case !it.acceptsBase(lines[i].ItemID):
			f.Errors["parent"] = it.name + " cannot be added to " + lines[i].Name + "."
		default:
			parentLine = &id
		}
	case it.addOn:
		f.Errors["parent"] = "Choose the subscription or cart line the add-on goes with."
	}
	if !f.Valid() {
		return s.renderCart(w, r, http.StatusUnprocessableEntity, c, f)
	}
	var price decimal.NullDecimal
	currency := ""
	if p, err := s.st.Q.CartPrice(ctx, s.st.Pool, db.CartPriceParams{Country: c.Country, ItemID: it.id, TermDuration: term, BillingCycle: cycle}); err == nil {
		price, currency = decimal.NullDecimal{Decimal: p.UnitPrice, Valid: true}, p.Currency
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("price of %s: %w", it.id, err)
	}
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		cartID, err := s.st.Q.EnsureCart(ctx, tx, db.EnsureCartParams{UserID: u.ID, CustomerID: c.ID})
		if err != nil {
			return fmt.Errorf("cart: %w", err)
		}
		_, err = s.st.Q.InsertCartLine(ctx, tx, db.InsertCartLineParams{CartID: cartID, Kind: it.kind, ItemID: it.id, Name: it.name,
			Quantity: int32(q), TermDuration: term, BillingCycle: cycle, IsAddOn: it.addOn, ParentLineID: parentLine,
			ParentSubscriptionID: parentSub, UnitPrice: price, Currency: currency})
		if err != nil {
			return fmt.Errorf("cart line: %w", store.MapErr(err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.flash(ctx, "success", it.name+" added to the cart.")
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
	n, err := s.st.Q.DeleteCartLine(ctx, s.st.Pool, db.DeleteCartLineParams{ID: id, UserID: auth.UserFrom(ctx).ID, CustomerID: c.ID})
	if err != nil {
		return fmt.Errorf("delete cart line: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	s.flash(ctx, "success", "Line removed.")
	redirect(w, r, "/customers/"+c.ID.String()+"/cart")
	return nil
}
