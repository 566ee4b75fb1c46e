package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// purchaseLine is one thing to buy, from an order line item or a cart
// line item (add-on items of a cart point at their base via parentLine).
type purchaseLine struct {
	item         *item
	quantity     int
	friendlyName string
	parentSubID  string
	parentLine   int // index of the base line in the same purchase, or -1
	partnerID    string
	termDuration string
	billingCycle string
	provisioning map[string]string
	promotionID  string
	// customTermEnd is the co-termed or month-aligned end of the first
	// term (coterm.go), nil for a full term.
	customTermEnd *time.Time
}

var farFuture = time.Date(9999, 12, 10, 0, 0, 0, 0, time.UTC)

func day(t time.Time) time.Time { return t.Truncate(24 * time.Hour) }

// refundWindow is the longest refund option of a term (the NCE window).
func refundWindow(t *seedTerm, start time.Time) time.Time {
	end := start
	for _, w := range t.RefundWindows {
		if e := addDuration(start, w); e.After(end) {
			end = e
		}
	}
	return end
}

// resolveLine fills defaults and checks the catalog-level rules of one line.
func (s *Sandbox) resolveLine(cust *customer, pl *purchaseLine, lines []purchaseLine) *pcError {
	it := pl.item
	if s.china() && it.azurePlan() {
		return errNotInChina(it.ID, "the Azure plan is not sold through Partner Center operated by 21Vianet")
	}
	if e := checkPartnerOnRecord(pl.partnerID); e != nil {
		return e
	}
	if pl.quantity < 1 || pl.quantity < it.Min {
		return errQuantityRange(pl.quantity, it.Min, it.Max)
	}
	if pl.quantity > it.Max {
		return errSeatMax(pl.quantity, it.Max)
	}
	pl.billingCycle = strings.ToLower(pl.billingCycle)
	if it.NCE {
		if pl.termDuration == "" && len(it.Avail.Terms) == 1 {
			pl.termDuration = it.Avail.Terms[0].Duration
		}
		if pl.billingCycle == "" || pl.billingCycle == "unknown" {
			if t := it.term(pl.termDuration, ""); t != nil {
				pl.billingCycle = strings.ToLower(t.BillingCycle)
			}
		}
		if it.term(pl.termDuration, pl.billingCycle) == nil {
			return errBadInput("catalog item %s has no term %q with billing cycle %q", it.ID, pl.termDuration, pl.billingCycle)
		}
	} else {
		if pl.billingCycle == "" || pl.billingCycle == "unknown" {
			pl.billingCycle = it.Cycles[0]
		}
		if !slices.Contains(it.Cycles, pl.billingCycle) {
			return newErr(http.StatusBadRequest, "800002", "Invalid request input: billing cycle %s is not supported by offer %s (supported: %s)", pl.billingCycle, it.ID, strings.Join(it.Cycles, ", "))
		}
	}
	if it.Offer != nil && it.Offer.LimitUnitOfMeasure == "LifeTime" && it.Offer.Limit > 0 {
		n := 0
		for _, sid := range cust.SubIDs {
			if strings.EqualFold(s.st.Subs[sid].ItemID, it.ID) {
				n++
			}
		}
		if n >= it.Offer.Limit {
			return newErr(http.StatusBadRequest, "27006", "Use limit is exceeded for Offer id %s", it.ID)
		}
	}
	prereq := func(k string) bool {
		return slices.ContainsFunc(it.Prereqs, func(p string) bool { return strings.EqualFold(p, k) })
	}
	if !it.IsAddOn {
		if pl.parentSubID != "" {
			return errAddonParent("%s is not an add-on and cannot have parent subscription %s.", it.ID, pl.parentSubID)
		}
		return nil
	}
	if pl.parentLine >= 0 {
		base := lines[pl.parentLine].item
		if !prereq(base.skuKey()) {
			return errAddonParent("%s is not an add-on of %s.", it.ID, base.ID)
		}
		return nil
	}
	if pl.parentSubID == "" {
		if it.NCE {
			// An NCE add-on bought alone needs an active prerequisite on the tenant.
			for _, sid := range cust.SubIDs {
				sub := s.st.Subs[sid]
				if sub.W.Status == "active" && prereq(s.cat.item(sub.ItemID).skuKey()) {
					return nil
				}
			}
			return errAddonParent("Customer has no active subscription of a prerequisite of %s.", it.ID)
		}
		return errAddonParent("Add-on offer %s requires parentSubscriptionId.", it.ID)
	}
	parent := s.st.Subs[key(pl.parentSubID)]
	if parent == nil || parent.CustomerID != cust.W.ID {
		return errAddonParent("Parent subscription %s was not found.", pl.parentSubID)
	}
	if parent.W.Status != "active" {
		return errAddonParent("Parent subscription %s is %s, not active.", pl.parentSubID, parent.W.Status)
	}
	if !prereq(s.cat.item(parent.ItemID).skuKey()) {
		return errAddonParent("Offer %s of subscription %s is not a prerequisite of add-on %s.", parent.W.OfferID, pl.parentSubID, it.ID)
	}
	return nil
}

func (s *Sandbox) newOrder(now time.Time, cust *customer, nce bool, cycle string) *order {
	id := s.newGUID()
	if nce {
		id = s.newOpaqueID()
	}
	cur := countries[cust.Country]
	base := "/customers/" + cust.W.ID + "/orders/" + id
	o := &order{CustomerID: cust.W.ID, NCE: nce, W: orderWire{ID: id, AlternateID: s.newHex(12),
		ReferenceCustomerID: cust.W.ID, BillingCycle: cycle, CurrencyCode: cur.code, CurrencySymbol: cur.symbol,
		LineItems: []orderLineItem{}, CreationDate: now, Status: "pending", TransactionType: "UserPurchase",
		Links: links{Self: getLink(base), ProvisioningStatus: getLink(base + "/provisioningstatus"),
			PatchOperation: &link{URI: base, Method: "PATCH", Headers: []header{}}},
		Attributes: attrs{Etag: etag(id, 1), ObjectType: "Order"}}}
	s.st.Orders[key(id)] = o
	cust.OrderIDs = append(cust.OrderIDs, key(id))
	return o
}

// addLines creates one subscription per line (pending) and appends the
// line items to o. parents maps purchase-line index to new subscription id.
func (s *Sandbox) addLines(now time.Time, cust *customer, o *order, lines []purchaseLine, status string) {
	subIDs := make([]string, len(lines))
	for i, pl := range lines {
		parent := pl.parentSubID
		if pl.parentLine >= 0 {
			parent = subIDs[pl.parentLine]
		}
		sub := s.newSubscription(now, cust, o, pl, parent, status)
		subIDs[i] = sub.W.ID
		n := len(o.W.LineItems)
		sub.LineItem = n
		li := orderLineItem{LineItemNumber: n, OfferID: pl.item.ID, SubscriptionID: sub.W.ID,
			ParentSubscriptionID: parent, TermDuration: pl.termDuration, TransactionType: "New", PromotionID: pl.promotionID,
			FriendlyName: sub.W.FriendlyName, Quantity: pl.quantity, PartnerIDOnRecord: pl.partnerID,
			ProvisioningContext: pl.provisioning,
			Links:               links{Subscription: getLink("/customers/" + cust.W.ID + "/subscriptions/" + sub.W.ID)}}
		if pl.item.NCE {
			p, sk := pl.item.Product, pl.item.Sku
			li.Links.Product = getLink("/products/" + p.ID + "?country=" + cust.Country)
			li.Links.Sku = getLink("/products/" + p.ID + "/skus/" + sk.ID + "?country=" + cust.Country)
			li.Links.Availability = getLink("/products/" + p.ID + "/skus/" + sk.ID + "/availabilities/" + pl.item.Avail.ID + "?country=" + cust.Country)
		}
		o.W.LineItems = append(o.W.LineItems, li)
	}
}

func (s *Sandbox) newSubscription(now time.Time, cust *customer, o *order, pl purchaseLine, parent, status string) *subscription {
	it := pl.item
	id := s.newGUID()
	start := day(now)
	w := subscriptionWire{ID: id, EntitlementID: s.newGUID(), OfferID: it.ID, OfferName: it.Name,
		FriendlyName: cmp.Or(pl.friendlyName, it.Name), Quantity: pl.quantity, UnitType: it.UnitType,
		ParentSubscriptionID: parent, HasPurchasableAddons: s.cat.hasAddOns[strings.ToUpper(it.skuKey())],
		CreationDate: now, EffectiveStartDate: start, Status: status,
		AutoRenewEnabled: it.AutoRenew && it.Billing == "license" && !it.Trial, IsTrial: it.Trial,
		BillingType: it.Billing, BillingCycle: pl.billingCycle, TermDuration: pl.termDuration,
		IsMicrosoftProduct: true, PublisherName: "Microsoft Corporation", PartnerID: pl.partnerID,
		ContractType: "subscription", OrderID: o.W.ID, PromotionID: pl.promotionID, Attributes: attrs{ObjectType: "Subscription"}}
	self := "/customers/" + cust.W.ID + "/subscriptions/" + id
	w.Links.Self = getLink(self)
	if parent != "" {
		w.Links.ParentSubscription = getLink("/customers/" + cust.W.ID + "/subscriptions/" + parent)
	}
	sub := &subscription{CustomerID: cust.W.ID, ItemID: it.ID, NCE: it.NCE, TermStart: now, OrderAltID: o.W.AlternateID}
	switch {
	case it.Billing == "usage":
		w.CommitmentEndDate = farFuture
	case it.NCE:
		pt := it.Product.ProductType
		w.ProductType = &productTypeWire{ID: pt.ID, DisplayName: pt.DisplayName}
		p, sk := it.Product, it.Sku
		w.Links.Product = getLink("/products/" + p.ID + "?country=" + cust.Country)
		w.Links.Sku = getLink("/products/" + p.ID + "/skus/" + sk.ID + "?country=" + cust.Country)
		w.Links.Availability = getLink("/products/" + p.ID + "/skus/" + sk.ID + "/availabilities/" + it.Avail.ID + "?country=" + cust.Country)
		w.CommitmentEndDate = addDuration(start, w.TermDuration).Add(-24 * time.Hour)
		if pl.customTermEnd != nil {
			w.CommitmentEndDate = day(*pl.customTermEnd)
		}
	default:
		w.CommitmentEndDate = start.AddDate(1, 0, 0).Add(-24 * time.Hour)
	}
	if !it.NCE {
		w.Links.Offer = getLink("/offers/" + it.ID + "?country=" + cust.Country)
		w.Links.Entitlement = getLink("/customers/" + cust.W.ID + "/entitlements")
	}
	sub.W = w
	if it.NCE {
		s.openWindow(sub, now)
	}
	s.recordTerm(cust, sub, start, false)
	sub.bump()
	s.st.Subs[id] = sub
	cust.SubIDs = append(cust.SubIDs, id)
	return sub
}

// openWindow starts the NCE cancellation / seat-decrease window at t: the
// whole quantity is one tranche whose seats can be removed until it closes.
func (s *Sandbox) openWindow(sub *subscription, t time.Time) {
	it := s.cat.item(sub.ItemID)
	term := it.term(sub.W.TermDuration, sub.W.BillingCycle)
	sub.WindowEnd = t
	sub.W.RefundOptions = nil
	sub.W.CancellationAllowedUntilDate = nil
	if term == nil || len(term.RefundWindows) == 0 {
		sub.Lots = nil
		sub.refreshRefundable(t)
		return
	}
	for i, win := range term.RefundWindows {
		typ := "Partial"
		if i == 0 {
			typ = "Full"
		}
		sub.W.RefundOptions = append(sub.W.RefundOptions, refundOptionAt{Type: typ, ExpiresAt: addDuration(t, win)})
	}
	sub.WindowEnd = refundWindow(term, t)
	sub.Lots = []seatLot{{Qty: sub.W.Quantity, Until: sub.WindowEnd}}
	end := sub.WindowEnd
	sub.W.CancellationAllowedUntilDate = &end
	sub.refreshRefundable(t)
}

// orderAudit writes create_order / update_order with PC's customizedData.
func (s *Sandbox) orderAudit(c *call, cust *customer, o *order, op string, from int) {
	data := []kv{{Key: "OrderId", Value: strp(o.W.ID)}, {Key: "AlternateId", Value: strp(o.W.AlternateID)},
		{Key: "BillingCycle", Value: strp(titleCase(o.W.BillingCycle))}}
	for _, li := range o.W.LineItems[from:] {
		n := strconv.Itoa(li.LineItemNumber)
		var por *string
		if li.PartnerIDOnRecord != "" {
			por = strp(li.PartnerIDOnRecord)
		}
		data = append(data, kv{Key: "OfferId-" + n, Value: strp(li.OfferID)}, kv{Key: "SubscriptionId-" + n, Value: strp(li.SubscriptionID)},
			kv{Key: "SubscriptionName-" + n, Value: strp(li.FriendlyName)}, kv{Key: "Quantity-" + n, Value: strp(strconv.Itoa(li.Quantity))},
			kv{Key: "PartnerOnRecord-" + n, Value: por})
	}
	s.audit(c, cust, "order", op, nil, o.W, data...)
}

func titleCase(v string) string {
	parts := strings.Split(v, "_")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "")
}

// schedule makes o complete after the order delay.
func (s *Sandbox) schedule(o *order, now time.Time) {
	o.W.Status = "pending"
	o.DueAt = now.Add(s.opts.OrderDelay)
	s.st.Pending = append(s.st.Pending, key(o.W.ID))
	s.lowerDue(o.DueAt)
}

// priced returns a copy of o with line item pricing and totalPrice: the
// price sheet's UnitPrice for the month of the order (orderUnitPrice).
func (s *Sandbox) priced(o *order) orderWire {
	w := o.W
	w.LineItems = slices.Clone(o.W.LineItems)
	book := s.priceBookLocked()
	total := decimal.Zero
	for i, li := range w.LineItems {
		it := s.cat.item(li.OfferID)
		if it == nil {
			continue
		}
		cycle := w.BillingCycle
		if sub := s.st.Subs[key(li.SubscriptionID)]; sub != nil {
			cycle = sub.W.BillingCycle
		}
		unit := s.orderUnitPrice(book, it, w.CurrencyCode, li.TermDuration, cycle, w.CreationDate).Round(2)
		price := unit
		if p := s.cat.promotions[strings.ToUpper(li.PromotionID)]; p != nil && it.NCE {
			if pct, ok := p.discount(it.skuKey(), li.TermDuration, cycle); ok {
				price = unit.Mul(decimal.NewFromInt(1).Sub(decimal.NewFromFloat(pct))).Round(2)
			}
		}
		ext := price.Mul(decimal.NewFromInt(int64(li.Quantity)))
		u, p := json.Number(unit.String()), json.Number(price.String())
		w.LineItems[i].Pricing = &pricingWire{ListPrice: u, DiscountedPrice: p, ProratedPrice: p, Price: p, ExtendedPrice: json.Number(ext.String())}
		total = total.Add(ext)
	}
	t := json.Number(total.String())
	w.TotalPrice = &t
	return w
}

func (pl purchaseLine) String() string { return fmt.Sprintf("%s x%d", pl.item.ID, pl.quantity) }
