package commerce

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// CartLineRequest is a line staff want to add to a customer's cart.
type CartLineRequest struct {
	ItemID      string // legacy offer id or NCE product:sku:availability
	PromotionID string // an NCE promotion, or "" for none
	TermEnd     string // a CartTermEnd value, or "" for a full term
	rules.CartRequest
}

// AddCartLine checks a line against the catalog and the commerce rules and
// adds it to by's cart for customer. Problems come back by form field
// (item_id, quantity, term, billing_cycle, parent, promotion, term_end) and
// nothing is written;
// name is the item's name on success.
func (s *Service) AddCartLine(ctx context.Context, by Actor, customer store.CartCustomer, req CartLineRequest) (name string, problems map[string]string, err error) {
	if by.UserID == nil {
		return "", nil, errors.New("add cart line: carts belong to a user")
	}
	rows, err := s.st.CartLines(ctx, *by.UserID, customer.ID)
	if err != nil {
		return "", nil, err
	}
	l, problems, err := s.checkLine(ctx, customer, req, cartLines(rows))
	if err != nil || len(problems) > 0 {
		return "", problems, err
	}
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		cartID, err := s.st.Q.EnsureCart(ctx, tx, db.EnsureCartParams{UserID: *by.UserID, CustomerID: customer.ID})
		if err != nil {
			return fmt.Errorf("cart: %w", err)
		}
		_, err = s.st.Q.InsertCartLine(ctx, tx, db.InsertCartLineParams{CartID: cartID, Kind: l.it.Kind, ItemID: l.it.ID, Name: l.it.Name,
			Quantity: int32(l.c.Quantity), TermDuration: l.c.Term, BillingCycle: l.c.Cycle, IsAddOn: l.it.AddOn, ParentLineID: l.c.ParentLineID,
			ParentSubscriptionID: l.c.ParentSubscriptionID, UnitPrice: l.price, Currency: l.currency, PromotionID: l.promo.ID,
			PromotionLabel: l.promo.Label(), CustomTermEnd: l.termEnd})
		if err != nil {
			return fmt.Errorf("cart line: %w", store.MapErr(err))
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return l.it.Name, nil, nil
}

// checkedLine is a line that passed checkLine, ready for a cart or an
// order.
type checkedLine struct {
	it       rules.CartItem
	c        rules.CartChoice
	promo    CartPromotion
	termEnd  pgtype.Date
	price    decimal.NullDecimal
	currency string
}

// rulesLine is l as the order rules see it, as line id of its order.
func (l checkedLine) rulesLine(id int64) rules.CartLine {
	out := rules.CartLine{ID: id, ItemID: l.it.ID, Name: l.it.Name, Quantity: l.c.Quantity, TermDuration: l.c.Term, BillingCycle: l.c.Cycle,
		IsAddOn: l.it.AddOn, ParentLineID: l.c.ParentLineID, ParentSubscriptionID: l.c.ParentSubscriptionID, PromotionID: l.promo.ID,
		PromotionLabel: l.promo.Label()}
	if l.termEnd.Valid {
		out.CustomTermEnd = l.termEnd.Time.Format(time.DateOnly)
	}
	return out
}

// checkLine checks req against the catalog, the commerce rules and the
// lines already chosen (existing): the checks of the cart page and of the
// API's orders, so both refuse the same lines with the same words.
func (s *Service) checkLine(ctx context.Context, customer store.CartCustomer, req CartLineRequest, existing []rules.CartLine) (checkedLine, map[string]string, error) {
	var l checkedLine
	it, ok, err := s.cartItem(ctx, customer.Country, req.ItemID)
	if err != nil {
		return l, nil, err
	}
	if !ok {
		return l, map[string]string{"item_id": "Unknown offer: it is not in the catalog for " + customer.Country + " or not purchasable."}, nil
	}
	l.it = it
	// The connected cloud may not sell it (21Vianet: no Azure plan); PC
	// would refuse the order, so the cart says why at once.
	if it.Kind == "nce" && rules.IsAzurePlan("sku", strings.Replace(it.ID, ":", "/", 1), "", "") &&
		!pcconn.Profile(ctx, s.st).Has(rules.CapAzurePlan) {
		return l, map[string]string{"item_id": i18n.T(ctx, "cloud.unavailable.azure_plan")}, nil
	}
	var parent *rules.ParentSubscription
	if id, ok := strings.CutPrefix(req.Parent, "sub:"); ok {
		p, err := s.st.Q.CartParentSubscription(ctx, s.st.Pool, db.CartParentSubscriptionParams{ID: id, CustomerID: customer.ID})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return l, nil, fmt.Errorf("parent subscription: %w", err)
		default:
			parent = &rules.ParentSubscription{ID: p.ID, OfferID: p.OfferID, OfferName: p.OfferName, Name: cmp.Or(p.FriendlyName, p.OfferName), Status: p.Status}
		}
	}
	c, problems := rules.CheckCartLine(it, req.CartRequest, existing, parent)
	if len(problems) > 0 {
		return l, problems, nil
	}
	l.c = c
	if req.PromotionID != "" {
		if it.Kind != "nce" {
			return l, map[string]string{"promotion": "Promotions apply to new-commerce products only."}, nil
		}
		var problem string
		if l.promo, problem, err = s.checkPromotion(ctx, customer.ID, customer.Country, it.ID, req.PromotionID, c.Quantity, c.Term, c.Cycle); err != nil {
			return l, nil, err
		} else if problem != "" {
			return l, map[string]string{"promotion": problem}, nil
		}
	}
	if req.TermEnd != "" {
		if it.Kind != "nce" || c.Term == "" {
			return l, map[string]string{"term_end": "Only new-commerce terms can end early to align with other subscriptions."}, nil
		}
		end, problem, err := s.checkTermEnd(ctx, customer.ID, c.Term, req.TermEnd)
		if err != nil {
			return l, nil, err
		}
		if problem != "" {
			return l, map[string]string{"term_end": problem}, nil
		}
		l.termEnd = pgtype.Date{Time: end, Valid: true}
	}
	if p, err := s.st.Q.CartPrice(ctx, s.st.Pool, db.CartPriceParams{Country: customer.Country, ItemID: it.ID, TermDuration: c.Term,
		BillingCycle: c.Cycle}); err == nil {
		// The line's cost is what PC charges: the list price less the
		// promotion's discount.
		l.price, l.currency = decimal.NullDecimal{Decimal: rules.Discounted(p.UnitPrice, l.promo.Fraction), Valid: true}, p.Currency
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return l, nil, fmt.Errorf("price of %s: %w", it.ID, err)
	}
	return l, nil, nil
}

// cartItem finds a purchasable legacy offer or NCE catalog item for the
// country; ok is false when there is none.
func (s *Service) cartItem(ctx context.Context, country, id string) (rules.CartItem, bool, error) {
	if strings.Count(id, ":") == 2 {
		it, err := s.st.Q.CartCatalogItem(ctx, s.st.Pool, db.CartCatalogItemParams{Country: country, ID: id})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !it.IsPurchasable) {
			return rules.CartItem{}, false, nil
		}
		if err != nil {
			return rules.CartItem{}, false, fmt.Errorf("catalog item %s: %w", id, err)
		}
		// Bases are productId:skuId prerequisites; PC's agreement
		// prerequisite (MicrosoftCloudAgreement) is on every licence SKU.
		var bases []string
		for _, pre := range it.PurchasePrerequisites {
			if strings.Contains(pre, ":") {
				bases = append(bases, pre)
			}
		}
		ci := rules.CartItem{Kind: "nce", ID: it.CatalogItemID, Name: it.Name, Min: int(it.MinQuantity), Max: int(it.MaxQuantity),
			AddOn: len(bases) > 0, Bases: bases}
		_ = json.Unmarshal(it.Terms, &ci.Terms)
		return ci, true, nil
	}
	o, err := s.st.Q.CartOffer(ctx, s.st.Pool, db.CartOfferParams{Country: country, ID: id})
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !o.IsAvailableForPurchase) {
		return rules.CartItem{}, false, nil
	}
	if err != nil {
		return rules.CartItem{}, false, fmt.Errorf("offer %s: %w", id, err)
	}
	return rules.CartItem{Kind: "offer", ID: o.ID, Name: o.Name, Min: int(o.MinQuantity), Max: int(o.MaxQuantity), AddOn: o.IsAddOn,
		Bases: o.Bases, Cycles: o.SupportedBillingCycles}, true, nil
}

// DeleteCartLine removes a line of by's cart for customer (and the add-ons
// attached to it); store.ErrNotFound when there is no such line.
func (s *Service) DeleteCartLine(ctx context.Context, by Actor, customer uuid.UUID, line int64) error {
	if by.UserID == nil {
		return store.ErrNotFound
	}
	n, err := s.st.Q.DeleteCartLine(ctx, s.st.Pool, db.DeleteCartLineParams{ID: line, UserID: *by.UserID, CustomerID: customer})
	if err != nil {
		return fmt.Errorf("delete cart line: %w", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// CartPlan is one way an item can be bought: its term and billing cycle in
// words, and the price list's unit price when the mirror has one.
type CartPlan struct {
	Value, Label string
	// Unit and Currency are the list unit price (the page formats it).
	Unit     decimal.NullDecimal
	Currency string
}

// CartConfiguration is what the cart's configurator offers for an item:
// the item as AddCartLine checks it and the plans it is sold with.
type CartConfiguration struct {
	Item  rules.CartItem
	Plans []CartPlan
	// Promotions running for the item in the customer's market; when PC
	// could not be asked, PromotionsProblem says so and ordering goes on.
	Promotions        []CartPromotion
	PromotionsProblem string
	// TermEnds are the custom term end dates PC allows a purchase of the
	// item by the customer (co-terming); TermEndsProblem as above.
	TermEnds        []CartTermEnd
	TermEndsProblem string
}

// ConfigureCartItem returns the configuration of item for a customer; ok
// is false when the item cannot be bought in the customer's country.
func (s *Service) ConfigureCartItem(ctx context.Context, customer store.CartCustomer, item string) (CartConfiguration, bool, error) {
	country := customer.Country
	it, ok, err := s.cartItem(ctx, country, item)
	if err != nil || !ok {
		return CartConfiguration{}, ok, err
	}
	c := CartConfiguration{Item: it}
	add := func(term, cycle string) error {
		p := CartPlan{Value: rules.PlanValue(term, cycle), Label: rules.PlanLabel(term, cycle)}
		pr, err := s.st.Q.CartPrice(ctx, s.st.Pool, db.CartPriceParams{Country: country, ItemID: it.ID, TermDuration: term, BillingCycle: strings.ToLower(cycle)})
		switch {
		case err == nil:
			p.Unit, p.Currency = decimal.NullDecimal{Decimal: pr.UnitPrice, Valid: true}, pr.Currency
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("price of %s: %w", it.ID, err)
		}
		c.Plans = append(c.Plans, p)
		return nil
	}
	for _, t := range it.Terms {
		if err := add(t.Duration, t.BillingCycle); err != nil {
			return c, false, err
		}
	}
	for _, cy := range it.Cycles {
		if err := add("", cy); err != nil {
			return c, false, err
		}
	}
	if it.Kind == "nce" {
		if c.Promotions, err = s.ItemPromotions(ctx, country, it.ID); err != nil {
			s.log.WarnContext(ctx, "promotions not read", "country", country, "err", err)
			c.PromotionsProblem = "Partner Center's promotions could not be read just now, so none are offered."
		}
		if terms := termsOf(it); len(terms) > 0 {
			if c.TermEnds, err = s.termEnds(ctx, customer.ID, terms); err != nil {
				s.log.WarnContext(ctx, "custom term end dates not read", "customer", customer.ID, "err", err)
				c.TermEndsProblem = "Partner Center's custom end dates could not be read just now, so only full terms are offered."
			}
		}
	}
	return c, true, nil
}
