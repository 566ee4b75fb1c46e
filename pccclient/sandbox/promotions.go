package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NCE promotions: GET /productpromotions (current ones of a market and
// segment), GET /productpromotions/{id} (any, also expired: PC keeps them
// for reconciliation), POST /customers/{id}/promotionEligibilities, and
// promotionId on cart and order line items. Learn pages: "Get promotions",
// "Get promotion by ID", "Verify promotion eligibility", "Promotions resources".

type seedPromoTerm struct {
	Duration     string `json:"duration"`
	BillingCycle string `json:"billingCycle"`
}

type seedPromoPolicy struct {
	PolicyType string `json:"policyType"`
	Value      string `json:"value"`
}

type seedPromoProduct struct {
	ProductID       string            `json:"productId"`
	SkuID           string            `json:"skuId"`
	Term            seedPromoTerm     `json:"term"`
	PricingPolicies []seedPromoPolicy `json:"pricingPolicies"`
}

type seedPromotion struct {
	ID               string             `json:"id"`
	Name             string             `json:"name"`
	Description      string             `json:"description"`
	StartDate        time.Time          `json:"startDate"`
	EndDate          time.Time          `json:"endDate"`
	IsAutoApplicable bool               `json:"isAutoApplicable"`
	RequiredProducts []seedPromoProduct `json:"requiredProducts"`
	Countries        []string           `json:"countries"`
	MinSeats         int                `json:"minSeats"`
	MaxSeats         int                `json:"maxSeats"`
	NewCustomersOnly bool               `json:"newCustomersOnly"`
	RequiresOwned    []string           `json:"requiresOwned"`
}

// current reports whether the promotion runs at t (PC lists only those).
func (p *seedPromotion) current(t time.Time) bool {
	return !t.Before(p.StartDate) && !t.After(p.EndDate)
}

func (p *seedPromotion) inCountry(cc string) bool {
	return len(p.Countries) == 0 || containsFold(p.Countries, cc)
}

// discount is the PercentDiscount for a SKU's term and billing cycle, and
// whether the promotion covers that combination at all.
func (p *seedPromotion) discount(skuKey, duration, cycle string) (float64, bool) {
	for _, rp := range p.RequiredProducts {
		if strings.EqualFold(rp.ProductID+":"+rp.SkuID, skuKey) && strings.EqualFold(rp.Term.Duration, duration) &&
			strings.EqualFold(rp.Term.BillingCycle, cycle) {
			pct := 0.0
			for _, pol := range rp.PricingPolicies {
				if strings.EqualFold(pol.PolicyType, "PercentDiscount") {
					pct, _ = strconv.ParseFloat(pol.Value, 64)
				}
			}
			return pct, true
		}
	}
	return 0, false
}

// --- wire ---

// promoTime is PC's promotion date format (2021-09-23T00:00:00+00:00).
type promoTime time.Time

func (t promoTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Time(t).UTC().Format("2006-01-02T15:04:05-07:00"))
}

type promotionWire struct {
	ID               string             `json:"id"`
	Name             string             `json:"name"`
	Description      string             `json:"description"`
	StartDate        promoTime          `json:"startDate"`
	EndDate          promoTime          `json:"endDate"`
	Properties       map[string]bool    `json:"properties"`
	RequiredProducts []seedPromoProduct `json:"requiredProducts"`
}

func promotionWireOf(p *seedPromotion) promotionWire {
	return promotionWire{ID: p.ID, Name: p.Name, Description: p.Description, StartDate: promoTime(p.StartDate),
		EndDate: promoTime(p.EndDate), Properties: map[string]bool{"isAutoApplicable": p.IsAutoApplicable}, RequiredProducts: p.RequiredProducts}
}

type promoTermWire struct {
	Duration     string `json:"duration"`
	BillingCycle string `json:"billingCycle"`
}

// eligibilityError is one PromotionEligibilityError; the seat and term
// members belong to the SeatCount and Term types.
type eligibilityError struct {
	MinimumRequiredSeats *int            `json:"minimumRequiredSeats,omitempty"`
	MaximumRequiredSeats *int            `json:"maximumRequiredSeats,omitempty"`
	AvailableSeats       *int            `json:"availableSeats,omitempty"`
	EligibleTerms        []promoTermWire `json:"eligibleTerms,omitempty"`
	Type                 string          `json:"type"`
	Description          string          `json:"description"`
}

type eligibilityWire struct {
	PromotionID string             `json:"promotionId,omitempty"`
	IsEligible  bool               `json:"isEligible"`
	Errors      []eligibilityError `json:"errors,omitempty"`
}

type eligibilitiesWire struct {
	ID            int               `json:"id"`
	CatalogItemID string            `json:"catalogItemId"`
	Quantity      int               `json:"quantity"`
	BillingCycle  string            `json:"billingCycle"`
	TermDuration  string            `json:"termDuration"`
	Eligibilities []eligibilityWire `json:"eligibilities"`
	Attributes    attrs             `json:"attributes"`
}

// eligibilityItemIn is a PromotionEligibilitiesRequestItem; id is an int
// in the SDK but a string in one documented request.
type eligibilityItemIn struct {
	ID            json.RawMessage `json:"id"`
	CatalogItemID string          `json:"catalogItemId"`
	Quantity      int             `json:"quantity"`
	TermDuration  string          `json:"termDuration"`
	BillingCycle  string          `json:"billingCycle"`
	PromotionID   string          `json:"promotionId"`
}

// Eligibility error descriptions ("Verify promotion eligibility").
var eligibilityText = map[string]string{
	"InvalidCatalogItemId":         "The provided CatalogItemId is invalid.",
	"InvalidPromotion":             "The provided promotion is invalid.",
	"PrerequisiteProductOwnership": "The customer doesn't meet the prerequisite product ownership requirements to be eligible for this promotion.",
	"RedemptionLimit":              "The redemption limit for this promotion has been met.",
	"SeatCount":                    "The provided quantity doesn't satisfy the minimum or maximum seat requirements for the promotion.",
	"OfferPurchasedPreviously":     "This offer has been purchased previously for this customer.",
	"Term":                         "The provided term isn't applicable for the promotion.",
	"NoPromotionsAvailable":        "There are no promotions available at this time.",
}

func eligErr(typ string) eligibilityError {
	return eligibilityError{Type: typ, Description: eligibilityText[typ]}
}

// --- rules ---

// promotionErrors evaluates a purchase of qty of it on term/cycle for cust
// against promotion p; no errors means eligible (caller holds s.mu).
func (s *Sandbox) promotionErrors(cust *customer, it *item, qty int, duration, cycle string, p *seedPromotion, now time.Time) []eligibilityError {
	if it == nil || !it.NCE {
		return []eligibilityError{eligErr("InvalidCatalogItemId")}
	}
	if p == nil || !p.current(now) || !p.inCountry(cust.Country) {
		return []eligibilityError{eligErr("InvalidPromotion")}
	}
	var terms []promoTermWire
	for _, rp := range p.RequiredProducts {
		if strings.EqualFold(rp.ProductID+":"+rp.SkuID, it.skuKey()) {
			terms = append(terms, promoTermWire{Duration: rp.Term.Duration, BillingCycle: strings.ToLower(rp.Term.BillingCycle)})
		}
	}
	if len(terms) == 0 {
		return []eligibilityError{eligErr("InvalidPromotion")}
	}
	var errs []eligibilityError
	if _, ok := p.discount(it.skuKey(), duration, cycle); !ok {
		e := eligErr("Term")
		e.EligibleTerms = terms
		errs = append(errs, e)
	}
	used, owned, bought := 0, false, false
	for _, sid := range cust.SubIDs {
		sub := s.st.Subs[sid]
		subIt := s.cat.item(sub.ItemID)
		live := sub.W.Status != "deleted" && sub.W.Status != "expired"
		if live && strings.EqualFold(sub.W.PromotionID, p.ID) {
			used += sub.W.Quantity
		}
		if subIt != nil && strings.EqualFold(subIt.skuKey(), it.skuKey()) {
			bought = true
		}
		if subIt != nil && sub.W.Status == "active" && containsFold(p.RequiresOwned, subIt.skuKey()) {
			owned = true
		}
	}
	if avail := p.MaxSeats - used; qty < p.MinSeats || qty > avail {
		e := eligErr("SeatCount")
		mn, mx, av := p.MinSeats, p.MaxSeats, max(avail, 0)
		e.MinimumRequiredSeats, e.MaximumRequiredSeats, e.AvailableSeats = &mn, &mx, &av
		errs = append(errs, e)
	}
	if p.NewCustomersOnly && bought {
		errs = append(errs, eligErr("OfferPurchasedPreviously"))
	}
	if len(p.RequiresOwned) > 0 && !owned {
		errs = append(errs, eligErr("PrerequisiteProductOwnership"))
	}
	return errs
}

// promotionsFor lists the promotions of a market that cover a SKU now.
func (c *catalog) promotionsFor(skuKey, cc string, now time.Time) []*seedPromotion {
	var out []*seedPromotion
	for _, p := range c.promosBySku[strings.ToUpper(skuKey)] {
		if p.current(now) && p.inCountry(cc) {
			out = append(out, p)
		}
	}
	return out
}

// checkPromotion validates pl's promotionId for cust, or applies the first
// eligible auto-applicable promotion when none was given (PC applies those
// by itself). It returns the first eligibility error (caller holds s.mu).
func (s *Sandbox) checkPromotion(cust *customer, pl *purchaseLine, now time.Time) *eligibilityError {
	it := pl.item
	if pl.promotionID == "" {
		if it.NCE {
			for _, p := range s.cat.promotionsFor(it.skuKey(), cust.Country, now) {
				if p.IsAutoApplicable && len(s.promotionErrors(cust, it, pl.quantity, pl.termDuration, pl.billingCycle, p, now)) == 0 {
					pl.promotionID = p.ID
					break
				}
			}
		}
		return nil
	}
	p := s.cat.promotions[strings.ToUpper(pl.promotionID)]
	if errs := s.promotionErrors(cust, it, pl.quantity, pl.termDuration, pl.billingCycle, p, now); len(errs) > 0 {
		return &errs[0]
	}
	pl.promotionID = p.ID
	return nil
}

// errPromotion is the refusal of an order line with an ineligible
// promotion. PC documents no code for it (carts get the line item error
// InvalidPromotionId); the sandbox answers 400 800002 Invalid request input.
func errPromotion(id string, e *eligibilityError) *pcError {
	return errBadInput("promotion %s cannot be applied (%s): %s", id, e.Type, e.Description)
}

// --- handlers ---

func (s *Sandbox) listPromotions(c *call) (int, any) {
	cc, _, e := countryOf(c)
	if e != nil {
		return 0, e
	}
	seg := c.qi("segment")
	if seg == "" {
		return 0, errBadInput("the segment query parameter is required")
	}
	items := []promotionWire{}
	if strings.EqualFold(seg, "commercial") { // PC: "Currently supports only commercial."
		for _, p := range s.cat.seed.Promotions {
			if p.current(c.now) && p.inCountry(cc) {
				items = append(items, promotionWireOf(p))
			}
		}
	}
	return 200, &collection{TotalCount: len(items), Items: items, Attributes: attrs{ObjectType: "Collection"}}
}

func (s *Sandbox) getPromotion(c *call) (int, any) {
	cc, _, e := countryOf(c)
	if e != nil {
		return 0, e
	}
	p := s.cat.promotions[strings.ToUpper(c.pv("id"))]
	if p == nil || !p.inCountry(cc) {
		return 0, newErr(http.StatusNotFound, "1000", "Promotion with id %s not found for country %s", c.pv("id"), cc)
	}
	return 200, promotionWireOf(p)
}

func (s *Sandbox) promotionEligibilities(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	var in struct {
		Items []eligibilityItemIn `json:"items"`
	}
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	if len(in.Items) == 0 {
		return 0, errBadInput("items must contain at least one PromotionEligibilitiesRequestItem")
	}
	out := make([]eligibilitiesWire, 0, len(in.Items))
	for i, req := range in.Items {
		id := i
		if n, err := strconv.Atoi(strings.Trim(string(req.ID), `"`)); err == nil {
			id = n
		}
		it := s.cat.item(req.CatalogItemID)
		res := eligibilitiesWire{ID: id, CatalogItemID: req.CatalogItemID, Quantity: req.Quantity, BillingCycle: strings.ToLower(req.BillingCycle),
			TermDuration: req.TermDuration, Eligibilities: []eligibilityWire{}, Attributes: attrs{ObjectType: "PromotionEligibilities"}}
		var check []*seedPromotion
		switch {
		case req.PromotionID != "":
			check = []*seedPromotion{s.cat.promotions[strings.ToUpper(req.PromotionID)]}
		case it == nil || !it.NCE:
			res.Eligibilities = append(res.Eligibilities, eligibilityWire{Errors: []eligibilityError{eligErr("InvalidCatalogItemId")}})
		default:
			check = s.cat.promotionsFor(it.skuKey(), cust.Country, c.now)
			if len(check) == 0 {
				res.Eligibilities = append(res.Eligibilities, eligibilityWire{Errors: []eligibilityError{eligErr("NoPromotionsAvailable")}})
			}
		}
		for _, p := range check {
			errs := s.promotionErrors(cust, it, req.Quantity, req.TermDuration, req.BillingCycle, p, c.now)
			id := req.PromotionID
			if p != nil {
				id = p.ID
			}
			res.Eligibilities = append(res.Eligibilities, eligibilityWire{PromotionID: id, IsEligible: len(errs) == 0, Errors: errs})
		}
		out = append(out, res)
	}
	return 200, &collection{TotalCount: len(out), Items: out, Attributes: attrs{ObjectType: "Collection"}}
}
