package pccclient

import (
	"encoding/json"
	"strings"
)

// PC codes of the catalog and ordering rules the portal words for people.
const (
	// CodeOfferNotPurchasable: 403 2091 "Offer is no longer available for
	// purchase" (error-codes); PC's answer to an order of a legacy offer
	// since license-based purchases moved to new commerce.
	CodeOfferNotPurchasable = "2091"
	// CodeAgreementAlreadyExists: 600061 "A partner confirmed agreement
	// already exists for the customer." (confirm-customer-consent-customer-agreement):
	// the customer's acceptance was already recorded with the same contact.
	CodeAgreementAlreadyExists = "600061"
)

// Cart line item error codes (CartErrorCode names).
const (
	CartErrorInvalidPromotionID          = "InvalidPromotionId"
	CartErrorLegacyOfferNotEligible      = "LegacyOfferNotEligibleForPurchase"
	CartErrorCatalogItemIDIsNotValid     = "CatalogItemIdIsNotValid"
	CartErrorInvalidInput                = "InvalidInput"
	CartErrorMaxAllowedSeatsExceeded     = "MaxAllowedSeatsPerSubscriptionExceeded"
	CartErrorBaseOfferSeatQuantityNotMet = "BaseOfferSeatQuantityNotMet"
)

// IsOfferNotPurchasable reports PC refusing an order of an offer it no
// longer sells (a legacy offer): 403 code 2091.
func IsOfferNotPurchasable(err error) bool {
	e, ok := asError(err)
	return ok && e.Code == CodeOfferNotPurchasable
}

// IsAgreementAlreadyConfirmed reports PC refusing a second confirmation of
// the customer's agreement with the same contact (code 600061): the
// acceptance is on record, nothing needs doing.
func IsAgreementAlreadyConfirmed(err error) bool {
	e, ok := asError(err)
	return ok && e.Code == CodeAgreementAlreadyExists
}

// cartErrorNames are the CartErrorCode values (SDK Models.Carts.Enums).
var cartErrorNames = map[string]string{
	"10000": "CurrencyIsNotSupported", "10001": "CatalogItemIdIsNotValid", "10002": "QuotaNotAvailable",
	"10003": "InventoryNotAvailable", "10004": "ParticipantsIsNotSupportedForPartner", "10006": "UnableToProcessCartLineItem",
	"10007": "SubscriptionIsNotValid", "10008": "SubscriptionIsNotEnabledForRI", "10009": "SandboxLimitExceeded",
	"10010": "InvalidInput", "10011": "SubscriptionNotRegistered", "10012": "AttestationNotAccepted",
	"10013": "BillingPlanNotSupported", "10014": "InvalidPromotionId", "10015": "MaxAllowedSeatsPerSubscriptionExceeded",
	"10016": "InvalidCustomTermEndDateProduct", "10017": "InvalidCustomTermEndDate", "10018": "BaseOfferSeatQuantityNotMet",
	"10019": "MinimumAddOnSeatsNotMet", "500600": "LegacyOfferNotEligibleForPurchase",
}

// Code returns the cart error's CartErrorCode name ("InvalidPromotionId"),
// also when PC sent the enum's number (10014); an unknown number is
// returned as its digits.
func (e *CartError) Code() string {
	if e == nil || len(e.ErrorCode) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(e.ErrorCode, &s) != nil {
		s = strings.TrimSpace(string(e.ErrorCode))
	}
	if name, ok := cartErrorNames[s]; ok {
		return name
	}
	return s
}
