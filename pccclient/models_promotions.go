package pccclient

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ProductPromotion is a new-commerce promotion ("Promotions resources";
// SDK Models.Products.ProductPromotion): a discount on some terms of a SKU
// between StartDate and EndDate.
type ProductPromotion struct {
	ID               string                     `json:"id,omitempty"`
	Name             string                     `json:"name,omitempty"`
	Description      string                     `json:"description,omitempty"`
	StartDate        time.Time                  `json:"startDate,omitempty"`
	EndDate          time.Time                  `json:"endDate,omitempty"`
	Properties       *PromotionProperties       `json:"properties,omitempty"`
	RequiredProducts []PromotionRequiredProduct `json:"requiredProducts,omitempty"`
	Attributes       Attributes                 `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PromotionProperties are a promotion's properties; an auto-applicable
// promotion is applied by PC to an eligible purchase without a promotionId.
type PromotionProperties struct {
	IsAutoApplicable bool `json:"isAutoApplicable,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PromotionRequiredProduct is a SKU and term a promotion covers, with its
// pricing policies.
type PromotionRequiredProduct struct {
	ProductID       string                   `json:"productId,omitempty"`
	SkuID           string                   `json:"skuId,omitempty"`
	Term            *PromotionTerm           `json:"term,omitempty"`
	PricingPolicies []PromotionPricingPolicy `json:"pricingPolicies,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PromotionTerm is a term duration (ISO 8601: P1M, P1Y, P3Y) and billing
// cycle. PC writes the cycle "Monthly" in promotions and "monthly" in
// eligibility errors; compare with BillingCycle.Is.
type PromotionTerm struct {
	Duration     string       `json:"duration,omitempty"`
	BillingCycle BillingCycle `json:"billingCycle,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PromotionPricingPolicy is a pricing policy: PolicyType "PercentDiscount"
// with Value a fraction as decimal text ("0.05" is 5% off).
type PromotionPricingPolicy struct {
	PolicyType string `json:"policyType,omitempty"`
	Value      string `json:"value,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PolicyPercentDiscount is the pricing policy type of a percentage discount.
const PolicyPercentDiscount = "PercentDiscount"

// Fraction returns Value as a decimal fraction (0.05 for 5% off).
func (p PromotionPricingPolicy) Fraction() (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(p.Value))
	if err != nil {
		return decimal.Zero, fmt.Errorf("pccclient: promotion pricing policy value %q: %w", p.Value, err)
	}
	return d, nil
}

// Covers reports whether the promotion covers the SKU on the term and
// billing cycle, and returns that entry.
func (p *ProductPromotion) Covers(productID, skuID, duration string, cycle BillingCycle) (*PromotionRequiredProduct, bool) {
	for i := range p.RequiredProducts {
		rp := &p.RequiredProducts[i]
		if strings.EqualFold(rp.ProductID, productID) && strings.EqualFold(rp.SkuID, skuID) && rp.Term != nil &&
			strings.EqualFold(rp.Term.Duration, duration) && rp.Term.BillingCycle.Is(cycle) {
			return rp, true
		}
	}
	return nil, false
}

// PromotionEligibilityItem is one PromotionEligibilitiesRequestItem: a
// purchase to check, against PromotionID or (empty) every running
// promotion of the catalog item.
type PromotionEligibilityItem struct {
	ID            int          `json:"id,omitempty"`
	CatalogItemID string       `json:"catalogItemId,omitempty"`
	Quantity      int          `json:"quantity,omitempty"`
	BillingCycle  BillingCycle `json:"billingCycle,omitempty"`
	TermDuration  string       `json:"termDuration,omitempty"`
	PromotionID   string       `json:"promotionId,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PromotionEligibilities is the answer for one request item.
type PromotionEligibilities struct {
	ID            int                    `json:"id"`
	CatalogItemID string                 `json:"catalogItemId,omitempty"`
	Quantity      int                    `json:"quantity,omitempty"`
	BillingCycle  BillingCycle           `json:"billingCycle,omitempty"`
	TermDuration  string                 `json:"termDuration,omitempty"`
	Eligibilities []PromotionEligibility `json:"eligibilities,omitempty"`
	Attributes    Attributes             `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PromotionEligibility says whether the purchase is eligible for one
// promotion, and if not why.
type PromotionEligibility struct {
	PromotionID string                      `json:"promotionId,omitempty"`
	IsEligible  bool                        `json:"isEligible"`
	Errors      []PromotionEligibilityError `json:"errors,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PromotionEligibilityError is one unmet condition. The seat members come
// with SeatCount, EligibleTerms with Term, the redemption counts with
// RedemptionLimit.
type PromotionEligibilityError struct {
	Type                              EligibilityErrorType `json:"type,omitempty"`
	Description                       string               `json:"description,omitempty"`
	MinimumRequiredSeats              *int                 `json:"minimumRequiredSeats,omitempty"`
	MaximumRequiredSeats              *int                 `json:"maximumRequiredSeats,omitempty"`
	AvailableSeats                    *int                 `json:"availableSeats,omitempty"`
	EligibleTerms                     []PromotionTerm      `json:"eligibleTerms,omitempty"`
	MaxPromotionRedemptionCount       *int                 `json:"maxPromotionRedemptionCount,omitempty"`
	RemainingPromotionRedemptionCount *int                 `json:"remainingPromotionRedemptionCount,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// EligibilityErrorType is a promotion eligibility error's type.
type EligibilityErrorType string

// The eligibility error types of "Verify promotion eligibility".
const (
	EligibilityInvalidCatalogItemID         EligibilityErrorType = "InvalidCatalogItemId"
	EligibilityInvalidPromotion             EligibilityErrorType = "InvalidPromotion"
	EligibilityPrerequisiteProductOwnership EligibilityErrorType = "PrerequisiteProductOwnership"
	EligibilityRedemptionLimit              EligibilityErrorType = "RedemptionLimit"
	EligibilitySeatCount                    EligibilityErrorType = "SeatCount"
	EligibilityOfferPurchasedPreviously     EligibilityErrorType = "OfferPurchasedPreviously"
	EligibilityTerm                         EligibilityErrorType = "Term"
	EligibilityNoPromotionsAvailable        EligibilityErrorType = "NoPromotionsAvailable"
)

// Is compares case-insensitively.
func (t EligibilityErrorType) Is(o EligibilityErrorType) bool {
	return strings.EqualFold(string(t), string(o))
}

// CountryValidationRules are a market's address and tax formatting rules
// (CountryInformation in "Country/region information resources"; member
// names of the SDK's CountryValidationRules).
type CountryValidationRules struct {
	Iso2Code                      string     `json:"iso2Code,omitempty"`
	Iso3Code                      string     `json:"iso3Code,omitempty"`
	DefaultCulture                string     `json:"defaultCulture,omitempty"`
	IsStateRequired               bool       `json:"isStateRequired,omitempty"`
	SupportedStatesList           []string   `json:"supportedStatesList,omitempty"`
	SupportedLanguagesList        []string   `json:"supportedLanguagesList,omitempty"`
	SupportedCulturesList         []string   `json:"supportedCulturesList,omitempty"`
	IsPostalCodeRequired          bool       `json:"isPostalCodeRequired,omitempty"`
	PostalCodeRegex               string     `json:"postalCodeRegex,omitempty"`
	IsCityRequired                bool       `json:"isCityRequired,omitempty"`
	IsVatIDSupported              bool       `json:"isVatIdSupported,omitempty"`
	TaxIDFormat                   string     `json:"taxIdFormat,omitempty"`
	TaxIDSample                   string     `json:"taxIdSample,omitempty"`
	VatIDRegex                    string     `json:"vatIdRegex,omitempty"`
	PhoneNumberRegex              string     `json:"phoneNumberRegex,omitempty"`
	IsRegistrationNumberSupported bool       `json:"isRegistrationNumberSupported,omitempty"`
	IsTaxIDSupported              bool       `json:"isTaxIdSupported,omitempty"`
	IsTaxIDOptional               bool       `json:"isTaxIdOptional,omitempty"`
	ResellerAgreementRegion       string     `json:"resellerAgreementRegion,omitempty"`
	GeographicRegion              string     `json:"geographicRegion,omitempty"`
	CountryCallingCodesList       []string   `json:"countryCallingCodesList,omitempty"`
	Attributes                    Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}
