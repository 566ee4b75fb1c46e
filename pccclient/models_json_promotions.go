package pccclient

// JSON methods of the promotion and country-rules models (see models_json.go).

// UnmarshalJSON decodes a ProductPromotion, keeping unknown members in Extra.
func (x *ProductPromotion) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ProductPromotion with PC's member names.
func (x ProductPromotion) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a PromotionProperties, keeping unknown members in Extra.
func (x *PromotionProperties) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PromotionProperties with PC's member names.
func (x PromotionProperties) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a PromotionRequiredProduct, keeping unknown members in Extra.
func (x *PromotionRequiredProduct) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PromotionRequiredProduct with PC's member names.
func (x PromotionRequiredProduct) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a PromotionTerm, keeping unknown members in Extra.
func (x *PromotionTerm) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PromotionTerm with PC's member names.
func (x PromotionTerm) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a PromotionPricingPolicy, keeping unknown members in Extra.
func (x *PromotionPricingPolicy) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PromotionPricingPolicy with PC's member names.
func (x PromotionPricingPolicy) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a PromotionEligibilityItem, keeping unknown members in Extra.
func (x *PromotionEligibilityItem) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PromotionEligibilityItem with PC's member names.
func (x PromotionEligibilityItem) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a PromotionEligibilities, keeping unknown members in Extra.
func (x *PromotionEligibilities) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PromotionEligibilities with PC's member names.
func (x PromotionEligibilities) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a PromotionEligibility, keeping unknown members in Extra.
func (x *PromotionEligibility) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PromotionEligibility with PC's member names.
func (x PromotionEligibility) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a PromotionEligibilityError, keeping unknown members in Extra.
func (x *PromotionEligibilityError) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PromotionEligibilityError with PC's member names.
func (x PromotionEligibilityError) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a CountryValidationRules, keeping unknown members in Extra.
func (x *CountryValidationRules) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a CountryValidationRules with PC's member names.
func (x CountryValidationRules) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}
