package commerce

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// CartLineRequest is a line staff want to add to a customer's cart.
type CartLineRequest struct {
	ItemID string // legacy offer id or NCE product:sku:availability
	rules.CartRequest
}

// AddCartLine checks a line against the catalog and the commerce rules and
// adds it to by's cart for customer. Problems come back by form field
// (item_id, quantity, term, billing_cycle, parent) and nothing is written;
// name is the item's name on success.
func (s *Service) AddCartLine(ctx context.Context, by Actor, customer store.CartCustomer, req CartLineRequest) (name string, problems map[string]string, err error) {
	if by.UserID == nil {
		return "", nil, errors.New("add cart line: carts belong to a user")
	}
	it, ok, err := s.cartItem(ctx, customer.Country, req.ItemID)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", map[string]string{"item_id": "Unknown offer: it is not in the catalog for " + customer.Country + " or not purchasable."}, nil
	}
	rows, err := s.st.CartLines(ctx, *by.UserID, customer.ID)
	if err != nil {
		return "", nil, err
	}
	var parent *rules.ParentSubscription
	if id, ok := strings.CutPrefix(req.Parent, "sub:"); ok {
		p, err := s.st.Q.CartParentSubscription(ctx, s.st.Pool, db.CartParentSubscriptionParams{ID: id, CustomerID: customer.ID})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return "", nil, fmt.Errorf("parent subscription: %w", err)
		default:
			parent = &rules.ParentSubscription{ID: p.ID, OfferID: p.OfferID, OfferName: p.OfferName, Name: cmp.Or(p.FriendlyName, p.OfferName), Status: p.Status}
		}
	}
	c, problems := rules.CheckCartLine(it, req.CartRequest, cartLines(rows), parent)
	if len(problems) > 0 {
		return "", problems, nil
	}
	var price decimal.NullDecimal
	currency := ""
	if p, err := s.st.Q.CartPrice(ctx, s.st.Pool, db.CartPriceParams{Country: customer.Country, ItemID: it.ID, TermDuration: c.Term,
		BillingCycle: c.Cycle}); err == nil {
		price, currency = decimal.NullDecimal{Decimal: p.UnitPrice, Valid: true}, p.Currency
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return "", nil, fmt.Errorf("price of %s: %w", it.ID, err)
	}
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		cartID, err := s.st.Q.EnsureCart(ctx, tx, db.EnsureCartParams{UserID: *by.UserID, CustomerID: customer.ID})
		if err != nil {
			return fmt.Errorf("cart: %w", err)
		}
		_, err = s.st.Q.InsertCartLine(ctx, tx, db.InsertCartLineParams{CartID: cartID, Kind: it.Kind, ItemID: it.ID, Name: it.Name,
			Quantity: int32(c.Quantity), TermDuration: c.Term, BillingCycle: c.Cycle, IsAddOn: it.AddOn, ParentLineID: c.ParentLineID,
			ParentSubscriptionID: c.ParentSubscriptionID, UnitPrice: price, Currency: currency})
		if err != nil {
			return fmt.Errorf("cart line: %w", store.MapErr(err))
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return it.Name, nil, nil
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
