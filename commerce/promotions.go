package commerce

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
)

// NCE promotions in the cart. PC lists the running promotions of a market
// (GET /productpromotions) and decides eligibility per customer and
// purchase (POST /customers/{id}/promotionEligibilities); a cart line keeps
// the chosen promotionId and the order line carries it to PC, which checks
// it again when the order is placed.

// promotionsTTL is how long a market's promotion list is reused: PC changes
// it at most daily, and the configurator would otherwise ask on every step.
const promotionsTTL = 10 * time.Minute

type promoCache struct {
	mu sync.Mutex
	by map[string]promoEntry // country
}

type promoEntry struct {
	at   time.Time
	list []pccclient.ProductPromotion
}

// CartPromotion is a running promotion of a SKU: the plans (PlanValue) it
// covers and its discount.
type CartPromotion struct {
	ID, Name, Description string
	Discount              string          // "15% off"
	Fraction              decimal.Decimal // 0.15
	Plans                 []string        // rules.PlanValue of each term and cycle covered
	PlanLabels            []string
	Auto                  bool // PC applies it without a promotionId
	Ends                  time.Time
}

// Label names the promotion and its discount for a cart or order line, or
// "" for no promotion.
func (p CartPromotion) Label() string {
	if p.ID == "" {
		return ""
	}
	return p.Name + " (" + p.Discount + ")"
}

// Covers reports whether the promotion applies to the plan (rules.PlanValue).
func (p CartPromotion) Covers(plan string) bool {
	for _, v := range p.Plans {
		if strings.EqualFold(v, plan) {
			return true
		}
	}
	return false
}

// promotions returns the running promotions of a market, from the cache
// when it is fresh.
func (s *Service) promotions(ctx context.Context, country string) ([]pccclient.ProductPromotion, error) {
	country = strings.ToUpper(country)
	s.promos.mu.Lock()
	e, ok := s.promos.by[country]
	s.promos.mu.Unlock()
	if ok && s.now().Sub(e.at) < promotionsTTL {
		return e.list, nil
	}
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return nil, err
	}
	var list []pccclient.ProductPromotion
	for p, err := range pc.ListProductPromotions(ctx, country, "") {
		if err != nil {
			return nil, fmt.Errorf("promotions of %s: %w", country, err)
		}
		list = append(list, p)
	}
	s.promos.mu.Lock()
	if s.promos.by == nil {
		s.promos.by = map[string]promoEntry{}
	}
	s.promos.by[country] = promoEntry{at: s.now(), list: list}
	s.promos.mu.Unlock()
	return list, nil
}

// ItemPromotions returns the promotions running in country for an NCE
// catalog item (productId:skuId:availabilityId); none for legacy offers.
func (s *Service) ItemPromotions(ctx context.Context, country, item string) ([]CartPromotion, error) {
	parts := strings.Split(item, ":")
	if len(parts) != 3 {
		return nil, nil
	}
	list, err := s.promotions(ctx, country)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []CartPromotion
	for _, p := range list {
		if !p.EndDate.IsZero() && now.After(p.EndDate) {
			continue
		}
		cp := CartPromotion{ID: p.ID, Name: p.Name, Description: p.Description, Ends: p.EndDate,
			Auto: p.Properties != nil && p.Properties.IsAutoApplicable}
		for _, rp := range p.RequiredProducts {
			if !strings.EqualFold(rp.ProductID, parts[0]) || !strings.EqualFold(rp.SkuID, parts[1]) || rp.Term == nil {
				continue
			}
			cycle := strings.ToLower(string(rp.Term.BillingCycle))
			cp.Plans = append(cp.Plans, rules.PlanValue(rp.Term.Duration, cycle))
			cp.PlanLabels = append(cp.PlanLabels, rules.PlanLabel(rp.Term.Duration, cycle))
			for _, pol := range rp.PricingPolicies {
				if strings.EqualFold(pol.PolicyType, pccclient.PolicyPercentDiscount) {
					if f, err := pol.Fraction(); err == nil {
						cp.Fraction = f
					}
				}
			}
		}
		if len(cp.Plans) > 0 {
			cp.Discount = rules.DiscountLabel(cp.Fraction)
			out = append(out, cp)
		}
	}
	return out, nil
}

// checkPromotion returns a problem for the promotion field when promotion
// does not cover the plan or PC finds the purchase not eligible, and the
// promotion when it applies.
func (s *Service) checkPromotion(ctx context.Context, customer uuid.UUID, country, item, promotion string, quantity int,
	term, cycle string) (CartPromotion, string, error) {
	promos, err := s.ItemPromotions(ctx, country, item)
	if err != nil {
		return CartPromotion{}, "Partner Center's promotions could not be read; try again or order without a promotion. (" + err.Error() + ")", nil
	}
	var p CartPromotion
	for _, c := range promos {
		if strings.EqualFold(c.ID, promotion) {
			p = c
		}
	}
	if p.ID == "" {
		return p, "This promotion is not running for this product in " + country + ".", nil
	}
	if !p.Covers(rules.PlanValue(term, cycle)) {
		return p, "This promotion covers only " + strings.Join(p.PlanLabels, "; ") + ".", nil
	}
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return p, "", err
	}
	res, err := pc.CheckPromotionEligibilities(ctx, customer.String(), []pccclient.PromotionEligibilityItem{{CatalogItemID: item,
		Quantity: quantity, TermDuration: term, BillingCycle: pccclient.BillingCycle(cycle), PromotionID: p.ID}})
	if err != nil {
		return p, "Partner Center could not check eligibility; try again or order without a promotion. (" + err.Error() + ")", nil
	}
	var issues []rules.EligibilityIssue
	for _, r := range res {
		for _, e := range r.Eligibilities {
			if !strings.EqualFold(e.PromotionID, p.ID) && e.PromotionID != "" {
				continue
			}
			if e.IsEligible {
				return p, "", nil
			}
			for _, pe := range e.Errors {
				is := rules.EligibilityIssue{Type: string(pe.Type), Description: pe.Description, MinSeats: pe.MinimumRequiredSeats,
					MaxSeats: pe.MaximumRequiredSeats}
				for _, t := range pe.EligibleTerms {
					is.Terms = append(is.Terms, rules.PlanLabel(t.Duration, string(t.BillingCycle)))
				}
				issues = append(issues, is)
			}
		}
	}
	return p, rules.EligibilitySentence(issues), nil
}
