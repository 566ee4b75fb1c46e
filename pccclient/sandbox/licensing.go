package sandbox

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// entitled reports whether sub grants an entitlement: paid (not a trial),
// active (not pending, suspended, deleted or expired) and not replaced by
// a newer subscription migrated from it.
func (s *Sandbox) entitled(cust *customer, sub *subscription, replaced map[string]bool) bool {
	return sub.W.Status == "active" && !sub.W.IsTrial && !replaced[key(sub.W.ID)]
}

func (s *Sandbox) replacedSet(cust *customer) map[string]bool {
	replaced := map[string]bool{}
	for _, sid := range cust.SubIDs {
		if m := s.st.Subs[sid].W.MigratedFromSubscriptionID; m != "" {
			replaced[key(m)] = true
		}
	}
	return replaced
}

// listEntitlements: one entitlement per entitled subscription.
// entitlementType is "software" for software products and "license"
// otherwise (our choice; PC documents software and reservedInstance).
func (s *Sandbox) listEntitlements(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	want := strings.ToLower(c.qi("entitlementType"))
	showExpiry := strings.EqualFold(c.qi("showExpiry"), "true")
	replaced := s.replacedSet(cust)
	items := []entitlementWire{}
	for _, sid := range cust.SubIDs {
		sub := s.st.Subs[sid]
		if !s.entitled(cust, sub, replaced) {
			continue
		}
		it := s.cat.item(sub.ItemID)
		typ, pid, skuID := "license", "", sub.W.OfferID
		if it.NCE {
			pid, skuID = it.Product.ID, it.Sku.ID
			if it.Product.ProductType.ID == "Software" {
				typ = "software"
			}
		} else {
			pid = it.Offer.ProductID
		}
		if want != "" && want != typ {
			continue
		}
		o := s.st.Orders[key(sub.W.OrderID)]
		ref := referenceOrder{ID: sub.W.OrderID, LineItemID: strconv.Itoa(sub.LineItem), AlternateID: sub.OrderAltID}
		if o != nil {
			ref.AlternateID = o.W.AlternateID
		}
		ent := entitlementWire{IncludedEntitlements: []entitlementWire{}, ReferenceOrder: ref, ProductID: pid, SkuID: skuID,
			Quantity: sub.W.Quantity, QuantityDetails: []quantityDetail{{Quantity: sub.W.Quantity, Status: "Active"}},
			EntitledArtifacts: []any{}, EntitlementType: typ, FulfillmentState: "Fulfilled", Attributes: attrs{ObjectType: "Entitlement"}}
		if showExpiry && sub.W.CommitmentEndDate.Before(farFuture) {
			exp := sub.W.CommitmentEndDate
			ent.ExpiryDate = &exp
		}
		items = append(items, ent)
	}
	return 200, newCollection(items, len(items), "/customers/"+cust.W.ID+"/entitlements")
}

// listSubscribedSkus aggregates licence subscriptions per Entra sku.
// Invariants: availableUnits = activeUnits - consumedUnits and
// totalUnits = activeUnits + suspendedUnits + warningUnits.
func (s *Sandbox) listSubscribedSkus(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	type agg struct {
		w     subscribedSkuWire
		first int
	}
	byID := map[string]*agg{}
	for i, sid := range cust.SubIDs {
		sub := s.st.Subs[sid]
		it := s.cat.item(sub.ItemID)
		id, part, name, plans := it.aad()
		if id == "" || sub.W.BillingType != "license" {
			continue
		}
		a := byID[id]
		if a == nil {
			sps := make([]servicePlanWire, 0, len(plans))
			for _, p := range plans {
				sps = append(sps, servicePlanWire{DisplayName: p.DisplayName, ServiceName: p.ServiceName, ID: p.ID, CapabilityStatus: "Enabled", TargetType: "User"})
			}
			a = &agg{first: i, w: subscribedSkuWire{ProductSku: productSkuWire{ID: id, Name: name, SkuPartNumber: part, TargetType: "User", LicenseGroupID: "group1"},
				ServicePlans: sps, Attributes: attrs{ObjectType: "SubscribedSku"}}}
			byID[id] = a
		}
		switch sub.W.Status {
		case "active":
			a.w.ActiveUnits += sub.W.Quantity
		case "suspended":
			a.w.SuspendedUnits += sub.W.Quantity
		}
	}
	list := make([]*agg, 0, len(byID))
	for _, a := range byID {
		w := &a.w
		if w.ActiveUnits == 0 && w.SuspendedUnits == 0 {
			continue
		}
		w.ConsumedUnits = w.ActiveUnits * 3 / 4 // a stable, plausible assignment level
		if n, ok := cust.Assigned[strings.ToUpper(w.ProductSku.SkuPartNumber)]; ok {
			w.ConsumedUnits = min(n, w.ActiveUnits)
		}
		w.AvailableUnits = w.ActiveUnits - w.ConsumedUnits
		w.TotalUnits = w.ActiveUnits + w.SuspendedUnits + w.WarningUnits
		w.CapabilityStatus = "Enabled"
		if w.ActiveUnits == 0 {
			w.CapabilityStatus = "Suspended"
			for i := range w.ServicePlans {
				w.ServicePlans[i].CapabilityStatus = "Suspended"
			}
		}
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].first < list[j].first })
	items := make([]subscribedSkuWire, 0, len(list))
	for _, a := range list {
		items = append(items, a.w)
	}
	return 200, newCollection(items, len(items), "/customers/"+cust.W.ID+"/subscribedskus")
}

// seedInvoices writes monthly invoices for the months before now.
func (s *Sandbox) seedInvoices(now time.Time, months int) {
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := months; i >= 1; i-- {
		start := first.AddDate(0, -i, 0)
		end := start.AddDate(0, 1, 0).Add(-time.Second)
		id := "D0" + strconv.Itoa(2000+start.Year()%100*12+int(start.Month())) + "IVK"
		total := round2(1000 + s.rng.Float64()*9000)
		paid := total
		if i == 1 {
			paid = 0
		}
		inv := &invoiceWire{ID: id, InvoiceDate: end.Add(time.Second), BillingPeriodStartDate: start, BillingPeriodEndDate: end,
			TotalCharges: total, PaidAmount: paid, CurrencyCode: "USD", CurrencySymbol: "$",
			PdfDownloadLink: "/invoices/" + id + "/documents/statement",
			TaxReceipts:     []taxReceipt{{ID: strconv.Itoa(100000 + i), TaxReceiptPdfDownloadLink: "/invoices/" + id + "/receipts/" + strconv.Itoa(100000+i) + "/documents/statement"}},
			InvoiceDetails: []invoiceDetail{{InvoiceLineItemType: "billing_line_items", BillingProvider: "office",
				Links:      links{Self: getLink("/invoices/Recurring-" + id + "/lineitems/Office/BillingLineItems")},
				Attributes: attrs{ObjectType: "InvoiceDetail"}}},
			DocumentType: "invoice", InvoiceType: "Recurring", Links: links{Self: getLink("/invoices/Recurring-" + id)},
			Attributes: attrs{ObjectType: "Invoice"}}
		if i == 1 {
			// The latest invoice was corrected by an adjustment note.
			adj := *inv
			adj.ID, adj.AmendsOf, adj.DocumentType = id+"A", id, "adjustment_note"
			adj.TotalCharges, adj.PaidAmount = -round2(total/10), 0
			adj.TaxReceipts, adj.Amendments, adj.PdfDownloadLink = nil, nil, ""
			adj.Links = links{}
			inv.Amendments = []invoiceWire{adj}
		}
		s.st.Invoices = append(s.st.Invoices, inv)
	}
}

// The invoice endpoints serve these with the new-commerce invoices (billing_v1.go).

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }
