package sandbox

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cartLifetime is how long a cart can be checked out (the NCE sample shows 7 days).
const cartLifetime = 7 * 24 * time.Hour

// Cart line item error codes (CartErrorCode names).
const (
	cartErrCatalogItem = "CatalogItemIdIsNotValid"
	cartErrInvalid     = "InvalidInput"
	cartErrPromotion   = "InvalidPromotionId"
	cartErrLegacy      = "LegacyOfferNotEligibleForPurchase"
	cartErrTermEnd     = "InvalidCustomTermEndDate"
	cartErrTermEndItem = "InvalidCustomTermEndDateProduct"
)

func (s *Sandbox) checkCartLine(cust *customer, li *cartLineItem, cur string, now time.Time) {
	li.CurrencyCode = cur
	li.BillingCycle = strings.ToLower(li.BillingCycle)
	it := s.cat.item(li.CatalogItemID)
	switch {
	case it == nil:
		li.Error = &cartError{ErrorCode: cartErrCatalogItem, ErrorDescription: "The catalog item id " + li.CatalogItemID + " is not valid."}
	case !it.NCE && !s.legacyOK.Load():
		li.Error = &cartError{ErrorCode: cartErrLegacy, ErrorDescription: "The legacy offer " + li.CatalogItemID +
			" is no longer available for purchase; license-based purchases are new commerce."}
	case li.Quantity < 1:
		li.Error = &cartError{ErrorCode: cartErrInvalid, ErrorDescription: "Quantity must be at least 1."}
	case it.NCE && li.TermDuration != "" && it.term(li.TermDuration, li.BillingCycle) == nil:
		li.Error = &cartError{ErrorCode: cartErrInvalid, ErrorDescription: "The term " + li.TermDuration + " with billing cycle " + li.BillingCycle + " is not available for " + li.CatalogItemID + "."}
	case li.PromotionID != "":
		p := s.cat.promotions[strings.ToUpper(li.PromotionID)]
		if errs := s.promotionErrors(cust, it, li.Quantity, li.TermDuration, li.BillingCycle, p, now); len(errs) > 0 {
			li.Error = &cartError{ErrorCode: cartErrPromotion, ErrorDescription: "The promotion " + li.PromotionID +
				" cannot be applied: " + errs[0].Description, AdditionalInformation: errs[0].Type}
		}
	}
	if li.Error == nil && it != nil && li.CustomTermEndDate != nil {
		pl := cartPurchase(it, *li, -1)
		if e := s.checkCustomTermEnd(cust, &pl, now); e != nil {
			code := cartErrTermEnd
			if e.Code == "10016" {
				code = cartErrTermEndItem
			}
			li.Error = &cartError{ErrorCode: code, ErrorDescription: e.Description}
		}
	}
}

func (s *Sandbox) createCart(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	var in cartWire
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	if len(in.LineItems) == 0 {
		return 0, errInvalidProperty("lineItems must contain at least one line item")
	}
	s.prepareCartLines(cust, in.LineItems, c.now)
	id := s.newGUID()
	ct := &cart{CustomerID: cust.W.ID, W: cartWire{ID: id, CreationTimestamp: c.now, LastModifiedTimestamp: c.now,
		ExpirationTimestamp: c.now.Add(cartLifetime), LastModifiedUser: cmp.Or(c.tok.OID, partnerUserID), Status: "Active",
		LineItems: in.LineItems, Links: links{Self: getLink("/customers/" + cust.W.ID + "/carts/" + id)},
		Attributes: attrs{ObjectType: "Cart"}}}
	s.st.Carts[id] = ct
	return http.StatusCreated, &ct.W
}

func (s *Sandbox) cartOf(c *call) (*customer, *cart, *pcError) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return nil, nil, e
	}
	ct := s.st.Carts[key(c.pv("cartid"))]
	if ct == nil || ct.CustomerID != cust.W.ID {
		return nil, nil, newErr(http.StatusNotFound, "800008", "Unable to retrieve cart Id %s", c.pv("cartid"))
	}
	return cust, ct, nil
}

func (s *Sandbox) getCart(c *call) (int, any) {
	_, ct, e := s.cartOf(c)
	if e != nil {
		return 0, e
	}
	return 200, &ct.W
}

func (s *Sandbox) checkoutCart(c *call) (int, any) {
	cust, ct, e := s.cartOf(c)
	if e != nil {
		return 0, e
	}
	if ct.W.Status == "Ordered" {
		return 0, newErr(http.StatusBadRequest, "800065", "Cannot check out an already submitted cart %s.", ct.W.ID)
	}
	if c.now.After(ct.W.ExpirationTimestamp) {
		return 0, newErr(http.StatusNotFound, "800008", "Unable to retrieve cart Id %s: the cart expired at %s", ct.W.ID, ct.W.ExpirationTimestamp.Format(time.RFC3339))
	}
	for _, li := range ct.W.LineItems {
		bad := li.Error != nil
		for _, a := range li.AddonItems {
			bad = bad || a.Error != nil
		}
		if bad {
			return 0, newErr(http.StatusBadRequest, "800009", "Error in Cart item(s)")
		}
	}
	if !cust.hasMCA() {
		return 0, errMCAMissing(cust.W.ID)
	}
	// Split into order groups, keeping the cart's order.
	var order []string
	byGroup := map[string][]purchaseLine{}
	for _, li := range ct.W.LineItems {
		g := li.OrderGroup
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		lines := byGroup[g]
		base := len(lines)
		lines = append(lines, cartPurchase(s.cat.item(li.CatalogItemID), li, -1))
		for _, a := range li.AddonItems {
			lines = append(lines, cartPurchase(s.cat.item(a.CatalogItemID), a, base))
		}
		byGroup[g] = lines
	}
	res := &checkoutWire{Orders: []*orderWire{}, OrderErrors: []orderError{}, Attributes: attrs{ObjectType: "CartCheckoutResult"}}
	for _, g := range order {
		lines := byGroup[g]
		var fail *pcError
		nce := false
		for i := range lines {
			if fail = s.resolveLine(cust, &lines[i], lines); fail != nil {
				break
			}
			if pe := s.checkPromotion(cust, &lines[i], c.now); pe != nil {
				fail = errPromotion(lines[i].promotionID, pe)
				break
			}
			nce = nce || lines[i].item.NCE
		}
		if fail != nil {
			code, _ := strconv.Atoi(fail.Code)
			res.OrderErrors = append(res.OrderErrors, orderError{OrderGroupID: g, Code: code, Description: fail.Description})
			continue
		}
		o := s.newOrder(c.now, cust, nce, lines[0].billingCycle)
		s.addLines(c.now, cust, o, lines, "pending")
		s.schedule(o, c.now)
		s.orderAudit(c, cust, o, "create_order", 0)
		res.Orders = append(res.Orders, &o.W)
	}
	if len(res.Orders) > 0 {
		ct.W.Status = "Ordered"
		ct.W.LastModifiedTimestamp = c.now
	}
	return http.StatusCreated, res
}

func cartPurchase(it *item, li cartLineItem, parent int) purchaseLine {
	pl := purchaseLine{item: it, quantity: li.Quantity, friendlyName: li.FriendlyName, parentLine: parent,
		termDuration: li.TermDuration, billingCycle: li.BillingCycle, provisioning: li.ProvisioningContext, promotionID: li.PromotionID,
		customTermEnd: li.CustomTermEndDate.timeOf()}
	for _, p := range li.Participants {
		if strings.EqualFold(p.Key, "TransactionReseller") {
			pl.partnerID = p.Value
		}
	}
	if li.ProvisioningContext != nil {
		for k, v := range li.ProvisioningContext {
			if strings.EqualFold(k, "parentSubscriptionId") {
				pl.parentSubID = v
			}
		}
	}
	return pl
}

// prepareCartLines fills server-side fields (currency, order groups) and
// marks line items PC would reject with a line item error.
func (s *Sandbox) prepareCartLines(cust *customer, lines []cartLineItem, now time.Time) {
	cur := countries[cust.Country].code
	groups := map[string]string{}
	group := func(it *item, cycle string) string {
		k := "OMS-0"
		if it != nil && it.NCE {
			k = cycle
		} else if it != nil && it.Offer != nil {
			k = "OMS-" + it.Offer.SalesGroupID
		}
		g, ok := groups[k]
		if !ok {
			if strings.HasPrefix(k, "OMS-") {
				g = k
			} else {
				g = strconv.Itoa(len(groups))
			}
			groups[k] = g
		}
		return g
	}
	for i := range lines {
		li := &lines[i]
		li.Error = nil
		s.checkCartLine(cust, li, cur, now)
		li.OrderGroup = group(s.cat.item(li.CatalogItemID), li.BillingCycle)
		if li.ProvisioningContext == nil {
			li.ProvisioningContext = map[string]string{}
		}
		for j := range li.AddonItems {
			a := &li.AddonItems[j]
			a.Error = nil
			s.checkCartLine(cust, a, cur, now)
			a.OrderGroup = li.OrderGroup
			if a.ProvisioningContext == nil {
				a.ProvisioningContext = map[string]string{}
			}
		}
	}
}

// updateCart is PUT /customers/{cid}/carts/{cartid} with the whole cart.
func (s *Sandbox) updateCart(c *call) (int, any) {
	cust, ct, e := s.cartOf(c)
	if e != nil {
		return 0, e
	}
	if ct.W.Status == "Ordered" {
		return 0, newErr(http.StatusBadRequest, "800065", "Cannot update an already submitted cart %s.", ct.W.ID)
	}
	if c.now.After(ct.W.ExpirationTimestamp) {
		return 0, newErr(http.StatusNotFound, "800008", "Unable to retrieve cart Id %s: the cart expired", ct.W.ID)
	}
	var in cartWire
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	if len(in.LineItems) == 0 {
		return 0, errInvalidProperty("lineItems must contain at least one line item")
	}
	s.prepareCartLines(cust, in.LineItems, c.now)
	ct.W.LineItems = in.LineItems
	ct.W.LastModifiedTimestamp = c.now
	ct.W.LastModifiedUser = cmp.Or(c.tok.OID, partnerUserID)
	return http.StatusCreated, &ct.W
}
