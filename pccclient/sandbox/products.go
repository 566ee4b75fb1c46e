package sandbox

import (
	"net/http"
	"strings"
)

// targetViews are the documented values of the targetView parameter.
var targetViews = []string{"Azure", "AzureReservations", "AzureReservationsVM", "AzureReservationsSQL",
	"AzureReservationsCosmosDb", "MicrosoftAzure", "OnlineServices", "Software", "SoftwareSUSELinux",
	"SoftwarePerpetual", "SoftwareSubscriptions"}

func productWireOf(p *seedProduct, cc string) *productWire {
	return &productWire{ID: p.ID, Title: p.Title, Description: p.Description, ProductType: p.ProductType,
		IsMicrosoftProduct: true, PublisherName: p.PublisherName,
		Links:      links{Skus: getLink("/products/" + p.ID + "/skus?country=" + cc), Self: getLink("/products/" + p.ID + "?country=" + cc)},
		Attributes: attrs{ObjectType: "Product"}}
}

// skuWireOf renders a SKU. New-commerce SKUs carry what the documented
// Business Basic SKU shows: purchasePrerequisites, actions and the dynamic
// attributes that flag add-ons (isAddon) and name their bases
// (prerequisiteSkus, productId:skuId) and upgrade targets.
func (c *catalog) skuWireOf(p *seedProduct, sk *seedSku, cc string) *skuWire {
	dyn := map[string]any{"isMicrosoftProduct": true, "isAddon": sk.IsAddOn, "prerequisiteSkus": nonNil(sk.PrerequisiteSkus),
		"hasConstraints": false, "isSoftwareAssuranceApplicable": false, "upgradeTargetOffers": nonNil(sk.UpgradeTargets),
		"isEligibleForPromotions": len(c.promosBySku[strings.ToUpper(p.ID+":"+sk.ID)]) > 0, "internal": false}
	if sk.SkuPartNumber != "" {
		dyn["skuPartNumber"] = sk.SkuPartNumber
		dyn["provisioningId"] = sk.AADSkuID
	}
	base := "/products/" + p.ID + "/skus/" + sk.ID
	w := &skuWire{ID: sk.ID, ProductID: p.ID, Title: sk.Title, Description: sk.Description,
		MinimumQuantity: sk.MinimumQuantity, MaximumQuantity: sk.MaximumQuantity, IsTrial: sk.IsTrial,
		SupportedBillingCycles: nonNil(sk.SupportedBillingCycles), PurchasePrerequisites: []string{},
		InventoryVariables: []string{}, ProvisioningVariables: []string{}, DynamicAttributes: dyn,
		Links:      links{Availabilities: getLink(base + "/availabilities?country=" + cc), Self: getLink(base + "?country=" + cc)},
		Attributes: attrs{ObjectType: "Sku"}}
	if sk.Billing == "usage" {
		w.ConsumptionType = "Usage"
	} else {
		w.PurchasePrerequisites = []string{"MicrosoftCloudAgreement"}
		w.Actions = []string{"Refund"}
	}
	return w
}

func (c *catalog) availabilityWireOf(p *seedProduct, sk *seedSku, av *seedAvailability, cc string, cur currency) *availabilityWire {
	terms := make([]termWire, 0, len(av.Terms))
	ids := []string{}
	for _, t := range av.Terms {
		var ros []refundOptionWire
		for i, win := range t.RefundWindows {
			typ := "Partial"
			if i == 0 {
				typ = "Full"
			}
			ros = append(ros, refundOptionWire{SequenceID: i, Type: typ, ExpiresAfter: win})
		}
		pols := []cancellationPolicyWire{}
		if len(ros) > 0 {
			pols = append(pols, cancellationPolicyWire{RefundOptions: ros})
		}
		terms = append(terms, termWire{ID: t.ID, Duration: t.Duration, Description: t.Description,
			BillingCycle: t.BillingCycle, CancellationPolicies: pols})
		ids = append(ids, t.ID)
	}
	base := "/products/" + p.ID + "/skus/" + sk.ID + "/availabilities/" + av.ID
	w := &availabilityWire{ID: av.ID, ProductID: p.ID, SkuID: sk.ID, CatalogItemID: p.ID + ":" + sk.ID + ":" + av.ID,
		DefaultCurrency: currencyWire{Code: cur.code, Symbol: cur.symbol}, Segment: "commercial", Country: cc,
		IsPurchasable: true, IsRenewable: av.IsRenewable, Terms: terms,
		Product: productWireOf(p, cc), Sku: c.skuWireOf(p, sk, cc),
		Links: links{Self: getLink(base + "?country=" + cc)}, Attributes: attrs{ObjectType: "Availability"}}
	if av.IsRenewable {
		w.RenewalInstructions = []renewalInstructionWire{{ApplicableTermIDs: ids,
			RenewalOptions: []renewalOptionWire{{RenewToID: p.ID + ":" + sk.ID, IsAutoRenewable: true}}}}
	}
	return w
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Sandbox) listProducts(c *call) (int, any) {
	cc, _, e := countryOf(c)
	if e != nil {
		return 0, e
	}
	view := c.qi("targetView")
	if view == "" {
		return 0, errBadInput("the targetView query parameter is required")
	}
	known := false
	for _, v := range targetViews {
		known = known || strings.EqualFold(v, view)
	}
	if !known {
		return 0, newErr(http.StatusForbidden, "400036", "The targetView %s is not allowed", view)
	}
	want := strings.ToLower(view)
	if want == "microsoftazure" {
		want = "azure"
	}
	items := []*productWire{}
	for _, p := range s.cat.seed.Products {
		if strings.ToLower(p.TargetView) == want {
			items = append(items, productWireOf(p, cc))
		}
	}
	return 200, newCollection(items, len(items), "/products?country="+cc+"&targetView="+view)
}

func (s *Sandbox) productOf(c *call) (*seedProduct, string, currency, *pcError) {
	cc, cur, e := countryOf(c)
	if e != nil {
		return nil, "", cur, e
	}
	p := s.cat.products[strings.ToUpper(c.pv("pid"))]
	if p == nil {
		// get-a-sku-by-id: 404 400013 "Product was not found", 400018 "Sku was not found".
		return nil, "", cur, newErr(404, "400013", "Product was not found: %s", c.pv("pid"))
	}
	return p, cc, cur, nil
}

func (s *Sandbox) skuOf(c *call) (*seedProduct, *seedSku, string, currency, *pcError) {
	p, cc, cur, e := s.productOf(c)
	if e != nil {
		return nil, nil, "", cur, e
	}
	for i := range p.Skus {
		if strings.EqualFold(p.Skus[i].ID, c.pv("sid")) {
			return p, &p.Skus[i], cc, cur, nil
		}
	}
	return nil, nil, "", cur, newErr(404, "400018", "Sku was not found: %s (product %s)", c.pv("sid"), p.ID)
}

func (s *Sandbox) getProduct(c *call) (int, any) {
	p, cc, _, e := s.productOf(c)
	if e != nil {
		return 0, e
	}
	return 200, productWireOf(p, cc)
}

func (s *Sandbox) listSkus(c *call) (int, any) {
	p, cc, _, e := s.productOf(c)
	if e != nil {
		return 0, e
	}
	items := make([]*skuWire, 0, len(p.Skus))
	for i := range p.Skus {
		items = append(items, s.cat.skuWireOf(p, &p.Skus[i], cc))
	}
	return 200, newCollection(items, len(items), "/products/"+p.ID+"/skus?country="+cc)
}

func (s *Sandbox) getSku(c *call) (int, any) {
	p, sk, cc, _, e := s.skuOf(c)
	if e != nil {
		return 0, e
	}
	return 200, s.cat.skuWireOf(p, sk, cc)
}

func (s *Sandbox) listAvailabilities(c *call) (int, any) {
	p, sk, cc, cur, e := s.skuOf(c)
	if e != nil {
		return 0, e
	}
	items := make([]*availabilityWire, 0, len(sk.Availabilities))
	for i := range sk.Availabilities {
		items = append(items, s.cat.availabilityWireOf(p, sk, &sk.Availabilities[i], cc, cur))
	}
	return 200, newCollection(items, len(items), "/products/"+p.ID+"/skus/"+sk.ID+"/availabilities?country="+cc)
}

func (s *Sandbox) getAvailability(c *call) (int, any) {
	p, sk, cc, cur, e := s.skuOf(c)
	if e != nil {
		return 0, e
	}
	for i := range sk.Availabilities {
		if strings.EqualFold(sk.Availabilities[i].ID, c.pv("aid")) {
			return 200, s.cat.availabilityWireOf(p, sk, &sk.Availabilities[i], cc, cur)
		}
	}
	return 0, newErr(404, "1000", "Availability with id %s not found", c.pv("aid"))
}
