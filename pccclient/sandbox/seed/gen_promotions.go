//go:build ignore

package main

// NCE promotions (GET /productpromotions): a discount on some terms of a
// SKU between two dates, with eligibility rules the sandbox checks in
// POST /customers/{id}/promotionEligibilities and on purchase.

type promoTerm struct {
	Duration     string `json:"duration"`
	BillingCycle string `json:"billingCycle"`
}

type promoPolicy struct {
	PolicyType string `json:"policyType"`
	Value      string `json:"value"`
}

type promoProduct struct {
	ProductID       string        `json:"productId"`
	SkuID           string        `json:"skuId"`
	Term            promoTerm     `json:"term"`
	PricingPolicies []promoPolicy `json:"pricingPolicies"`
}

type promotion struct {
	ID               string         `json:"id"`
	Name             string         `json:"name"`
	Description      string         `json:"description"`
	StartDate        string         `json:"startDate"`
	EndDate          string         `json:"endDate"`
	IsAutoApplicable bool           `json:"isAutoApplicable"`
	RequiredProducts []promoProduct `json:"requiredProducts"`
	// Eligibility rules PC applies but does not list with the promotion.
	Countries        []string `json:"countries"` // empty: every market
	MinSeats         int      `json:"minSeats"`
	MaxSeats         int      `json:"maxSeats"`
	NewCustomersOnly bool     `json:"newCustomersOnly"` // OfferPurchasedPreviously
	RequiresOwned    []string `json:"requiresOwned"`    // productId:skuId (PrerequisiteProductOwnership)
}

// promoID derives a promotion id in PC's shape (39NFJQT1XXXX:000N:39NFJQT1XXXX).
func promoID(name string) string {
	return ncID("39NFJQT1", "promotion:"+name) + ":0001:" + ncID("39NFJQT1", "promotion-availability:"+name)
}

// on lists a discount for some terms of one SKU.
func on(key, percent string, terms ...termSpec) []promoProduct {
	pid, sid := key[:12], key[13:]
	var out []promoProduct
	for _, t := range terms {
		out = append(out, promoProduct{ProductID: pid, SkuID: sid, Term: promoTerm{Duration: t.duration, BillingCycle: t.cycle},
			PricingPolicies: []promoPolicy{{PolicyType: "PercentDiscount", Value: percent}}})
	}
	return out
}

func promotions(products []product) []promotion {
	key := func(title string) string {
		for _, p := range products {
			for _, s := range p.Skus {
				if s.Title == title {
					return p.ID + ":" + s.ID
				}
			}
		}
		panic("promotion for a SKU missing from the catalog: " + title)
	}
	// Dates are fixed so the promotions are deterministic: most run for
	// years (current on any sandbox clock from 2026 on), one ends mid-2027
	// (tests advance past it) and one has ended.
	const (
		from2026 = "2026-01-01T00:00:00Z"
		to2036   = "2036-12-31T23:59:59Z"
	)
	ps := []promotion{
		{Name: "Microsoft 365 Business Premium annual 15% off", Description: "15% off Microsoft 365 Business Premium on a one-year term.",
			StartDate: from2026, EndDate: to2036, RequiredProducts: on(ncePremium, "0.15", p1yAnnual, p1yMonthly), MinSeats: 1, MaxSeats: 300},
		{Name: "Microsoft 365 E3 three-year 10% off", Description: "10% off Microsoft 365 E3 on a three-year term; applied automatically.",
			StartDate: from2026, EndDate: to2036, IsAutoApplicable: true, RequiredProducts: on(nceM365E3, "0.10", p3yMonthly, p3yAnnual, p3yTriennial), MinSeats: 1, MaxSeats: 2400},
		{Name: "Teams Phone Standard first purchase 20% off", Description: "20% off Microsoft Teams Phone Standard for customers buying it for the first time.",
			StartDate: from2026, EndDate: "2027-06-30T23:59:59Z", RequiredProducts: on(key("Microsoft Teams Phone Standard"), "0.20", p1yAnnual, p1yMonthly),
			MinSeats: 1, MaxSeats: 1000, NewCustomersOnly: true},
		{Name: "Microsoft 365 Copilot for Microsoft 365 E3 customers", Description: "15% off Microsoft 365 Copilot for customers with Microsoft 365 E3.",
			StartDate: from2026, EndDate: to2036, RequiredProducts: on(key("Microsoft 365 Copilot"), "0.15", p1yAnnual, p1yMonthly),
			MinSeats: 10, MaxSeats: 300, RequiresOwned: []string{nceM365E3}},
		{Name: "Exchange Online (Plan 1) US 10% off", Description: "10% off Exchange Online (Plan 1) for customers in the United States.",
			StartDate: from2026, EndDate: to2036, RequiredProducts: on(nceExchange, "0.10", p1m, p1yAnnual, p1yMonthly),
			Countries: []string{"US"}, MinSeats: 1, MaxSeats: 500},
		{Name: "Office 365 E3 2025 5% off", Description: "5% off Office 365 E3 (ended 31 December 2025).",
			StartDate: "2025-01-01T00:00:00Z", EndDate: "2025-12-31T23:59:59Z", RequiredProducts: on(nceO365E3, "0.05", p1yAnnual, p1yMonthly),
			MinSeats: 1, MaxSeats: 10000},
	}
	for i := range ps {
		ps[i].ID = promoID(ps[i].Name)
		if ps[i].Countries == nil {
			ps[i].Countries = []string{}
		}
		if ps[i].RequiresOwned == nil {
			ps[i].RequiresOwned = []string{}
		}
	}
	return ps
}
