package sandbox

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

//go:embed seed/catalog.json
var catalogJSON []byte

type seedPlan struct {
	ID          string `json:"id"`
	ServiceName string `json:"serviceName"`
	DisplayName string `json:"displayName"`
}

type seedOffer struct {
	ID                     string             `json:"id"`
	Name                   string             `json:"name"`
	Description            string             `json:"description"`
	MinimumQuantity        int                `json:"minimumQuantity"`
	MaximumQuantity        int                `json:"maximumQuantity"`
	Rank                   int                `json:"rank"`
	CategoryID             string             `json:"categoryId"`
	Billing                string             `json:"billing"`
	IsAddOn                bool               `json:"isAddOn"`
	PrerequisiteOffers     []string           `json:"prerequisiteOffers"`
	SupportedBillingCycles []string           `json:"supportedBillingCycles"`
	IsAutoRenewable        bool               `json:"isAutoRenewable"`
	IsTrial                bool               `json:"isTrial"`
	LimitUnitOfMeasure     string             `json:"limitUnitOfMeasure"`
	Limit                  int                `json:"limit"`
	UnitType               string             `json:"unitType"`
	ProductID              string             `json:"productId"`
	SalesGroupID           string             `json:"salesGroupId"`
	LearnMore              string             `json:"learnMore"`
	UpgradeTargetOffers    []string           `json:"upgradeTargetOffers"`
	Prices                 map[string]float64 `json:"prices"`
	AADSkuID               string             `json:"aadSkuId"`
	SkuPartNumber          string             `json:"skuPartNumber"`
	ServicePlans           []seedPlan         `json:"servicePlans"`
}

type seedTerm struct {
	ID            string             `json:"id"`
	Duration      string             `json:"duration"`
	Description   string             `json:"description"`
	BillingCycle  string             `json:"billingCycle"`
	RefundWindows []string           `json:"refundWindows"`
	Prices        map[string]float64 `json:"prices"`
}

type seedAvailability struct {
	ID          string     `json:"id"`
	IsRenewable bool       `json:"isRenewable"`
	Terms       []seedTerm `json:"terms"`
}

type seedSku struct {
	ID                     string             `json:"id"`
	Title                  string             `json:"title"`
	Description            string             `json:"description"`
	MinimumQuantity        int                `json:"minimumQuantity"`
	MaximumQuantity        int                `json:"maximumQuantity"`
	IsTrial                bool               `json:"isTrial"`
	IsAddOn                bool               `json:"isAddOn"`
	Billing                string             `json:"billing"`
	PrerequisiteSkus       []string           `json:"prerequisiteSkus"`
	SupportedBillingCycles []string           `json:"supportedBillingCycles"`
	AADSkuID               string             `json:"aadSkuId"`
	SkuPartNumber          string             `json:"skuPartNumber"`
	ServicePlans           []seedPlan         `json:"servicePlans"`
	UnitType               string             `json:"unitType"`
	UpgradeTargets         []string           `json:"upgradeTargets"`
	Availabilities         []seedAvailability `json:"availabilities"`
}

type seedProduct struct {
	ID            string          `json:"id"`
	Title         string          `json:"title"`
	Description   string          `json:"description"`
	ProductType   productTypeWire `json:"productType"`
	TargetView    string          `json:"targetView"`
	PublisherName string          `json:"publisherName"`
	Skus          []seedSku       `json:"skus"`
}

type seedCategory struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Rank int    `json:"rank"`
}

type seedCatalog struct {
	Categories []seedCategory   `json:"categories"`
	Offers     []*seedOffer     `json:"offers"`
	Products   []*seedProduct   `json:"products"`
	Promotions []*seedPromotion `json:"promotions"`
	Countries  []seedCountry    `json:"countries"` // sorted by ISO2
}

// item is anything purchasable: a legacy offer or an NCE availability.
type item struct {
	ID        string // offer id or productId:skuId:availabilityId (upper case)
	Name      string
	NCE       bool
	Min, Max  int
	IsAddOn   bool
	Prereqs   []string // offer ids, or productId:skuId for NCE
	Billing   string   // license | usage
	Cycles    []string
	AutoRenew bool
	Trial     bool
	UnitType  string
	Offer     *seedOffer
	Product   *seedProduct
	Sku       *seedSku
	Avail     *seedAvailability
}

// azurePlan reports whether it is the Azure plan (usage-based Azure under
// the Microsoft Customer Agreement).
func (it *item) azurePlan() bool {
	return it.NCE && it.Product != nil && (strings.EqualFold(it.Product.ID, "DZH318Z0BPS6") ||
		(it.Product.ProductType.SubType != nil && strings.EqualFold(it.Product.ProductType.SubType.ID, "AzurePlan")))
}

// skuKey is the productId:skuId of an NCE item (prerequisites use it).
func (it *item) skuKey() string {
	if it.NCE {
		return it.Product.ID + ":" + it.Sku.ID
	}
	return it.ID
}

// term finds the availability term for a duration and billing cycle.
func (it *item) term(duration, cycle string) *seedTerm {
	for i := range it.Avail.Terms {
		t := &it.Avail.Terms[i]
		if strings.EqualFold(t.Duration, duration) && (cycle == "" || strings.EqualFold(t.BillingCycle, cycle)) {
			return t
		}
	}
	return nil
}

func (it *item) aad() (id, part, name string, plans []seedPlan) {
	if it.NCE {
		return it.Sku.AADSkuID, it.Sku.SkuPartNumber, it.Sku.Title, it.Sku.ServicePlans
	}
	return it.Offer.AADSkuID, it.Offer.SkuPartNumber, it.Offer.Name, it.Offer.ServicePlans
}

type catalog struct {
	seed       seedCatalog
	categories map[string]seedCategory
	offers     map[string]*seedOffer // upper id
	hasAddOns  map[string]bool
	products   map[string]*seedProduct
	items      map[string]*item // upper id
	// promotions by upper id, and by upper productId:skuId of the SKUs they cover.
	promotions  map[string]*seedPromotion
	promosBySku map[string][]*seedPromotion
}

type currency struct{ code, symbol string }

// countries the sandbox partner sells in, with their currency.
var countries = map[string]currency{
	"US": {"USD", "$"}, "DE": {"EUR", "€"}, "FR": {"EUR", "€"}, "NL": {"EUR", "€"}, "GB": {"GBP", "£"},
}

func loadCatalog() (*catalog, error) {
	c := &catalog{categories: map[string]seedCategory{}, offers: map[string]*seedOffer{}, hasAddOns: map[string]bool{},
		products: map[string]*seedProduct{}, items: map[string]*item{},
		promotions: map[string]*seedPromotion{}, promosBySku: map[string][]*seedPromotion{}}
	if err := json.Unmarshal(catalogJSON, &c.seed); err != nil {
		return nil, err
	}
	for _, cat := range c.seed.Categories {
		c.categories[cat.ID] = cat
	}
	for _, o := range c.seed.Offers {
		c.offers[strings.ToUpper(o.ID)] = o
		for _, p := range o.PrerequisiteOffers {
			c.hasAddOns[strings.ToUpper(p)] = true
		}
		c.items[strings.ToUpper(o.ID)] = &item{ID: o.ID, Name: o.Name, Min: o.MinimumQuantity, Max: o.MaximumQuantity,
			IsAddOn: o.IsAddOn, Prereqs: o.PrerequisiteOffers, Billing: o.Billing, Cycles: o.SupportedBillingCycles,
			AutoRenew: o.IsAutoRenewable, Trial: o.IsTrial, UnitType: o.UnitType, Offer: o}
	}
	for _, p := range c.seed.Products {
		c.products[strings.ToUpper(p.ID)] = p
		for si := range p.Skus {
			sk := &p.Skus[si]
			for ai := range sk.Availabilities {
				av := &sk.Availabilities[ai]
				id := p.ID + ":" + sk.ID + ":" + av.ID
				unit := cmp.Or(sk.UnitType, "Licenses")
				c.items[strings.ToUpper(id)] = &item{ID: id, Name: sk.Title, NCE: true, Min: sk.MinimumQuantity,
					Max: sk.MaximumQuantity, IsAddOn: sk.IsAddOn, Prereqs: sk.PrerequisiteSkus, Billing: sk.Billing,
					Cycles: sk.SupportedBillingCycles, AutoRenew: av.IsRenewable, Trial: sk.IsTrial, UnitType: unit,
					Product: p, Sku: sk, Avail: av}
				for _, pre := range sk.PrerequisiteSkus {
					c.hasAddOns[strings.ToUpper(pre)] = true
				}
			}
		}
	}
	for _, p := range c.seed.Promotions {
		c.promotions[strings.ToUpper(p.ID)] = p
		seen := map[string]bool{}
		for _, rp := range p.RequiredProducts {
			k := strings.ToUpper(rp.ProductID + ":" + rp.SkuID)
			if !seen[k] {
				seen[k] = true
				c.promosBySku[k] = append(c.promosBySku[k], p)
			}
		}
	}
	return c, nil
}

func (c *catalog) item(id string) *item { return c.items[strings.ToUpper(id)] }

// country validates the country query parameter.
func countryOf(c *call) (string, currency, *pcError) {
	cc := strings.ToUpper(c.qi("country"))
	if cc == "" {
		return "", currency{}, errBadInput("the country query parameter is required")
	}
	cur, ok := countries[cc]
	if !ok {
		return "", currency{}, newErr(http.StatusBadRequest, "800070", "Offer is not available in the specified country %s", cc)
	}
	return cc, cur, nil
}

func locale(c *call) string { return cmp.Or(c.r.Header.Get("X-Locale"), "en-US") }

// offerWire renders a legacy offer; purchasable is false since PC retired
// legacy license-based purchases (Options.LegacyPurchases turns it back on).
func (c *catalog) offerWire(o *seedOffer, cc, loc string, purchasable bool) offerWire {
	cat := c.categories[o.CategoryID]
	nz := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return offerWire{
		ID: o.ID, Name: o.Name, Description: o.Description, MinimumQuantity: o.MinimumQuantity,
		MaximumQuantity: o.MaximumQuantity, Rank: o.Rank, URI: "/" + PartnerID + "/Offers/" + o.ID, Locale: loc, Country: cc,
		Category: offerCategory{ID: cat.ID, Name: cat.Name, Rank: cat.Rank, Locale: strings.ToLower(loc), Country: cc,
			Attributes: attrs{ObjectType: "OfferCategory"}},
		LimitUnitOfMeasure: o.LimitUnitOfMeasure, Limit: o.Limit, PrerequisiteOffers: nz(o.PrerequisiteOffers),
		IsAddOn: o.IsAddOn, HasAddOns: c.hasAddOns[strings.ToUpper(o.ID)], IsAvailableForPurchase: purchasable,
		Billing: o.Billing, SupportedBillingCycles: nz(o.SupportedBillingCycles), IsAutoRenewable: o.IsAutoRenewable,
		UpgradeTargetOffers: nz(o.UpgradeTargetOffers), ConversionTargetOffers: []string{},
		ReselleeQualifications: []string{}, ResellerQualifications: []string{}, SalesGroupID: o.SalesGroupID,
		IsTrial: o.IsTrial, Product: offerProduct{ID: o.ProductID, Name: o.Name, Unit: o.UnitType}, UnitType: o.UnitType,
		Links:      links{LearnMore: getLink(o.LearnMore), Self: getLink("/offers/" + o.ID + "?country=" + cc)},
		Attributes: attrs{ObjectType: "Offer"},
	}
}

// paging reads offset/size (size defaults to all).
func paging(c *call, total int) (int, int) {
	off, _ := strconv.Atoi(c.qi("offset"))
	size, err := strconv.Atoi(c.qi("size"))
	if err != nil || size <= 0 {
		size = total
	}
	if off < 0 || off > total {
		off = total
	}
	return off, min(off+size, total)
}

func (s *Sandbox) listOffers(c *call) (int, any) {
	cc, _, e := countryOf(c)
	if e != nil {
		return 0, e
	}
	loc := locale(c)
	cat := c.qi("offer_category_id")
	var all []*seedOffer
	for _, o := range s.cat.seed.Offers {
		if cat == "" || strings.EqualFold(o.CategoryID, cat) {
			all = append(all, o)
		}
	}
	from, to := paging(c, len(all))
	items := make([]offerWire, 0, to-from)
	for _, o := range all[from:to] {
		items = append(items, s.cat.offerWire(o, cc, loc, s.legacyOK.Load()))
	}
	size := to - from
	col := newCollection(items, len(all), "/offers?country="+cc+"&offset="+strconv.Itoa(from)+"&size="+strconv.Itoa(size))
	if to < len(all) && size > 0 {
		col.Links.Next = getLink("/offers?country=" + cc + "&offset=" + strconv.Itoa(to) + "&size=" + strconv.Itoa(size))
	}
	return 200, col
}

func (s *Sandbox) getOffer(c *call) (int, any) {
	cc, _, e := countryOf(c)
	if e != nil {
		return 0, e
	}
	id := c.pv("id")
	o := s.cat.offers[strings.ToUpper(id)]
	if o == nil {
		if s.cat.products[strings.ToUpper(strings.SplitN(id, ":", 2)[0])] != nil {
			return 0, newErr(400, "2100", "The Offers API does not support item with id %s. Please try using the Products and/or SKUs APIs", id)
		}
		return 0, newErr(404, "1000", "Offer with id %s not found", id)
	}
	return 200, s.cat.offerWire(o, cc, locale(c), s.legacyOK.Load())
}

func (s *Sandbox) listOfferAddons(c *call) (int, any) {
	cc, _, e := countryOf(c)
	if e != nil {
		return 0, e
	}
	id := strings.ToUpper(c.pv("id"))
	if s.cat.offers[id] == nil {
		return 0, newErr(404, "1000", "Offer with id %s not found", c.pv("id"))
	}
	var all []*seedOffer
	for _, o := range s.cat.seed.Offers {
		if o.IsAddOn && slices.ContainsFunc(o.PrerequisiteOffers, func(p string) bool { return strings.EqualFold(p, id) }) {
			all = append(all, o)
		}
	}
	from, to := paging(c, len(all))
	items := make([]offerWire, 0, to-from)
	for _, o := range all[from:to] {
		items = append(items, s.cat.offerWire(o, cc, locale(c), s.legacyOK.Load()))
	}
	return 200, newCollection(items, len(all), "/offers/"+c.pv("id")+"/addons?country="+cc)
}
