package sandbox

import (
	"net/http"
	"strings"
)

type orderLineIn struct {
	LineItemNumber       *int              `json:"lineItemNumber"`
	OfferID              string            `json:"offerId"`
	SubscriptionID       string            `json:"subscriptionId"`
	ParentSubscriptionID string            `json:"parentSubscriptionId"`
	TermDuration         string            `json:"termDuration"`
	FriendlyName         string            `json:"friendlyName"`
	Quantity             int               `json:"quantity"`
	PartnerIDOnRecord    string            `json:"partnerIdOnRecord"`
	ProvisioningContext  map[string]string `json:"provisioningContext"`
	PromotionID          string            `json:"promotionId"`
	CustomTermEndDate    *pcDate           `json:"customTermEndDate"`
}

type orderIn struct {
	ReferenceCustomerID string        `json:"referenceCustomerId"`
	BillingCycle        string        `json:"billingCycle"`
	LineItems           []orderLineIn `json:"lineItems"`
}

// linesOf resolves order line items against the catalog.
func (s *Sandbox) linesOf(in []orderLineIn, cycle string) ([]purchaseLine, *pcError) {
	lines := make([]purchaseLine, 0, len(in))
	for _, li := range in {
		it := s.cat.item(li.OfferID)
		if it == nil {
			return nil, errInvalidOffer(li.OfferID)
		}
		if !it.NCE && !s.legacyOK.Load() {
			return nil, errLegacyRetired(it.ID)
		}
		lines = append(lines, purchaseLine{item: it, quantity: li.Quantity, friendlyName: li.FriendlyName,
			parentSubID: li.ParentSubscriptionID, parentLine: -1, partnerID: li.PartnerIDOnRecord,
			termDuration: li.TermDuration, billingCycle: cycle, provisioning: li.ProvisioningContext, promotionID: li.PromotionID,
			customTermEnd: li.CustomTermEndDate.timeOf()})
	}
	return lines, nil
}

// createOrder is POST /customers/{cid}/orders (legacy offers and catalog items).
func (s *Sandbox) createOrder(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	var in orderIn
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	if in.ReferenceCustomerID != "" && !strings.EqualFold(in.ReferenceCustomerID, cust.W.ID) {
		return 0, errInvalidProperty("referenceCustomerId %s does not match the customer in the path", in.ReferenceCustomerID)
	}
	if len(in.LineItems) == 0 {
		return 0, errInvalidProperty("lineItems must contain at least one line item")
	}
	for i, li := range in.LineItems {
		if li.LineItemNumber != nil && *li.LineItemNumber != i {
			return 0, newErr(http.StatusBadRequest, "800071", "Line Item number should be from 0 to number of line items count")
		}
	}
	if !cust.hasMCA() {
		return 0, errMCAMissing(cust.W.ID)
	}
	lines, e := s.linesOf(in.LineItems, in.BillingCycle)
	if e != nil {
		return 0, e
	}
	nce := false
	for i := range lines {
		if e := s.resolveLine(cust, &lines[i], lines); e != nil {
			return 0, e
		}
		if pe := s.checkPromotion(cust, &lines[i], c.now); pe != nil {
			return 0, errPromotion(lines[i].promotionID, pe)
		}
		if e := s.checkCustomTermEnd(cust, &lines[i], c.now); e != nil {
			return 0, e
		}
		nce = nce || lines[i].item.NCE
	}
	o := s.newOrder(c.now, cust, nce, lines[0].billingCycle)
	s.addLines(c.now, cust, o, lines, "pending")
	s.schedule(o, c.now)
	s.orderAudit(c, cust, o, "create_order", 0)
	return http.StatusCreated, &o.W
}

func (s *Sandbox) orderOf(c *call) (*customer, *order, *pcError) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return nil, nil, e
	}
	o := s.st.Orders[key(c.pv("oid"))]
	if o == nil || o.CustomerID != cust.W.ID {
		return nil, nil, errOrderNotFound(c.pv("oid"))
	}
	return cust, o, nil
}

func (s *Sandbox) getOrder(c *call) (int, any) {
	_, o, e := s.orderOf(c)
	if e != nil {
		return 0, e
	}
	if strings.EqualFold(c.qi("include_price"), "true") {
		w := s.priced(o)
		return 200, &w
	}
	return 200, &o.W
}

func (s *Sandbox) listOrders(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	bt := strings.ToLower(c.qi("billingType"))
	price := strings.EqualFold(c.qi("include_price"), "true")
	items := make([]orderWire, 0, len(cust.OrderIDs))
	for _, id := range cust.OrderIDs {
		o := s.st.Orders[id]
		if bt != "" && o.W.BillingCycle != bt {
			continue
		}
		if price {
			items = append(items, s.priced(o))
		} else {
			items = append(items, o.W)
		}
	}
	return 200, newCollection(items, len(items), "/customers/"+cust.W.ID+"/orders")
}

// patchOrder buys add-ons for subscriptions of this order (new line items
// with parentSubscriptionId) or changes a legacy order's billing cycle.
func (s *Sandbox) patchOrder(c *call) (int, any) {
	cust, o, e := s.orderOf(c)
	if e != nil {
		return 0, e
	}
	var in orderIn
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	var newLines []orderLineIn
	for _, li := range in.LineItems {
		if li.SubscriptionID == "" {
			newLines = append(newLines, li)
		}
	}
	if len(newLines) == 0 {
		cycle := strings.ToLower(in.BillingCycle)
		if cycle == "" || cycle == o.W.BillingCycle {
			return 0, errBadInput("the order patch contains no new line items and no billing cycle change")
		}
		if o.NCE {
			return 0, newErr(http.StatusBadRequest, "800097", "Cannot update the billing cycle for this subscription")
		}
		for _, li := range o.W.LineItems {
			it := s.cat.item(li.OfferID)
			if it == nil || !containsFold(it.Cycles, cycle) {
				return 0, errBadInput("billing cycle %s is not supported by offer %s", cycle, li.OfferID)
			}
		}
		o.W.BillingCycle = cycle
		for _, li := range o.W.LineItems {
			if sub := s.st.Subs[key(li.SubscriptionID)]; sub != nil {
				sub.W.BillingCycle = cycle
				sub.bump()
			}
		}
		s.orderAudit(c, cust, o, "update_order", len(o.W.LineItems))
		return 200, &o.W
	}
	if !cust.hasMCA() {
		return 0, errMCAMissing(cust.W.ID)
	}
	lines, e := s.linesOf(newLines, o.W.BillingCycle)
	if e != nil {
		return 0, e
	}
	for i := range lines {
		if lines[i].parentSubID == "" {
			return 0, errAddonParent("New line items of an order patch must name parentSubscriptionId.")
		}
		if p := s.st.Subs[key(lines[i].parentSubID)]; p != nil && !strings.EqualFold(p.W.OrderID, o.W.ID) {
			return 0, errAddonParent("Parent subscription %s does not belong to order %s.", lines[i].parentSubID, o.W.ID)
		}
		if e := s.resolveLine(cust, &lines[i], lines); e != nil {
			return 0, e
		}
		if pe := s.checkPromotion(cust, &lines[i], c.now); pe != nil {
			return 0, errPromotion(lines[i].promotionID, pe)
		}
	}
	from := len(o.W.LineItems)
	s.addLines(c.now, cust, o, lines, "pending")
	s.schedule(o, c.now)
	o.W.Attributes.Etag = etag(o.W.ID, len(o.W.LineItems)+1)
	s.orderAudit(c, cust, o, "update_order", from)
	return 200, &o.W
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

type orderProvisioningWire struct {
	LineItemNumber                  int    `json:"lineItemNumber"`
	Status                          string `json:"status"`
	QuantityProvisioningInformation []any  `json:"quantityProvisioningInformation"`
	Attributes                      attrs  `json:"attributes"`
}

// orderProvisioningStatus reports per line item: pending until the
// subscription is provisioned, then fulfilled.
func (s *Sandbox) orderProvisioningStatus(c *call) (int, any) {
	cust, o, e := s.orderOf(c)
	if e != nil {
		return 0, e
	}
	items := make([]orderProvisioningWire, 0, len(o.W.LineItems))
	for _, li := range o.W.LineItems {
		st := "fulfilled"
		if sub := s.st.Subs[key(li.SubscriptionID)]; sub == nil || sub.W.Status == "pending" {
			st = "pending"
		}
		items = append(items, orderProvisioningWire{LineItemNumber: li.LineItemNumber, Status: st,
			QuantityProvisioningInformation: []any{}, Attributes: attrs{ObjectType: "OrderLineItemProvisioningStatus"}})
	}
	return 200, newCollection(items, len(items), "/customers/"+cust.W.ID+"/orders/"+o.W.ID+"/provisioningstatus")
}
