package pccclient

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

func (a *args) cartLines(prefix string, items []CartLineItem) {
	for i, li := range items {
		f := fmt.Sprintf("%s[%d]", prefix, i)
		if strings.Count(li.CatalogItemID, ":") != 2 && !guidRE.MatchString(li.CatalogItemID) {
			a.fail(f+".catalogItemId", fmt.Sprintf("%q is neither productId:skuId:availabilityId nor an offer GUID", li.CatalogItemID))
		}
		a.positive(f+".quantity", li.Quantity)
		a.cartLines(f+".addonItems", li.AddonItems)
	}
}

// CreateCart creates a cart for a customer (new-commerce purchases go
// cart -> CheckoutCart). Line item ids are assigned 0..n-1 when all are zero.
func (c *Client) CreateCart(ctx context.Context, requestID, customerID string, cart Cart) (*Cart, error) {
	const op = "create-cart"
	a := check(op).guid("requestID", requestID).guid("customerID", customerID)
	a.check(len(cart.LineItems) > 0, "lineItems", "is empty")
	a.cartLines("lineItems", cart.LineItems)
	if err := a.done(); err != nil {
		return nil, err
	}
	var out Cart
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPost, path: "/customers/" + customerID + "/carts",
		body: cart, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetCart returns a cart.
func (c *Client) GetCart(ctx context.Context, customerID, cartID string) (*Cart, error) {
	const op = "get-cart"
	if err := check(op).guid("customerID", customerID).required("cartID", cartID).done(); err != nil {
		return nil, err
	}
	var out Cart
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/carts/" + esc(cartID), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// CheckoutCart checks out a cart. The result lists the orders created and
// the order groups that failed (partial success is not an error).
func (c *Client) CheckoutCart(ctx context.Context, requestID, customerID, cartID string) (*CartCheckoutResult, error) {
	const op = "checkout-cart"
	if err := check(op).guid("requestID", requestID).guid("customerID", customerID).required("cartID", cartID).done(); err != nil {
		return nil, err
	}
	var out CartCheckoutResult
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPost,
		path: "/customers/" + customerID + "/carts/" + esc(cartID) + "/checkout", requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

func (a *args) orderLines(o *Order, firstNumber int) {
	a.check(len(o.LineItems) > 0, "lineItems", "is empty")
	for i, li := range o.LineItems {
		f := fmt.Sprintf("lineItems[%d]", i)
		a.check(li.LineItemNumber == firstNumber+i, f+".lineItemNumber",
			fmt.Sprintf("is %d, want %d (numbers run 0..n-1 in order)", li.LineItemNumber, firstNumber+i))
		a.required(f+".offerId", li.OfferID)
		a.positive(f+".quantity", li.Quantity)
		if li.ParentSubscriptionID != "" {
			a.guid(f+".parentSubscriptionId", li.ParentSubscriptionID)
		}
	}
}

// CreateOrder places a legacy order (POST /customers/{id}/orders): one
// subscription per line item, line numbers 0..n-1. An add-on bought with its
// base uses ParentSubscriptionID; to add an add-on to an existing order use
// PatchOrder.
func (c *Client) CreateOrder(ctx context.Context, requestID, customerID string, o Order) (*Order, error) {
	const op = "create-order"
	a := check(op).guid("requestID", requestID).guid("customerID", customerID)
	a.orderLines(&o, 0)
	if err := a.done(); err != nil {
		return nil, err
	}
	if o.ReferenceCustomerID == "" {
		o.ReferenceCustomerID = customerID
	}
	var out Order
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPost, path: "/customers/" + customerID + "/orders",
		body: o, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// PatchOrder updates an order; PC uses it to buy a legacy add-on: send an
// Order whose only line item has the add-on offerId, ParentSubscriptionID of
// the base subscription (which must be in this order) and quantity.
func (c *Client) PatchOrder(ctx context.Context, requestID, customerID, orderID string, o Order) (*Order, error) {
	const op = "patch-order"
	a := check(op).guid("requestID", requestID).guid("customerID", customerID).required("orderID", orderID)
	if len(o.LineItems) > 0 {
		first := o.LineItems[0].LineItemNumber
		a.orderLines(&o, first)
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	if o.ReferenceCustomerID == "" {
		o.ReferenceCustomerID = customerID
	}
	var out Order
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPatch,
		path: "/customers/" + customerID + "/orders/" + esc(orderID), body: o, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddOrderAddOn buys a legacy add-on for parentSubscriptionID, which was
// bought in orderID, by PATCHing that order with one new line item.
func (c *Client) AddOrderAddOn(ctx context.Context, requestID, customerID, orderID, parentSubscriptionID, addOnOfferID string, quantity int, friendlyName string) (*Order, error) {
	const op = "patch-order"
	if err := check(op).guid("parentSubscriptionID", parentSubscriptionID).required("addOnOfferID", addOnOfferID).
		positive("quantity", quantity).done(); err != nil {
		return nil, err
	}
	return c.PatchOrder(ctx, requestID, customerID, orderID, Order{
		ReferenceCustomerID: customerID,
		LineItems: []OrderLineItem{{
			LineItemNumber: 0, OfferID: addOnOfferID, ParentSubscriptionID: parentSubscriptionID,
			Quantity: quantity, FriendlyName: friendlyName,
		}},
	})
}

// GetOrder returns an order.
func (c *Client) GetOrder(ctx context.Context, customerID, orderID string) (*Order, error) {
	const op = "get-order"
	if err := check(op).guid("customerID", customerID).required("orderID", orderID).done(); err != nil {
		return nil, err
	}
	var out Order
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/orders/" + esc(orderID), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListOrders lists a customer's orders.
func (c *Client) ListOrders(ctx context.Context, customerID string) iter.Seq2[Order, error] {
	const op = "list-orders"
	if err := check(op).guid("customerID", customerID).done(); err != nil {
		return errSeq[Order](err)
	}
	return pages[Order](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/orders", query: url.Values{}}, false)
}
