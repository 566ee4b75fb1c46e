package sandbox

import (
	"fmt"
	"net/http"
)

// pcError is Partner Center's error body (the SDK's ApiFault) plus the HTTP
// status it travels with.
type pcError struct {
	Status      int    `json:"-"`
	Code        string `json:"code"`
	Description string `json:"description"`
	Data        []any  `json:"data"`
	Source      string `json:"source,omitempty"`
	Attributes  attrs  `json:"attributes"`
}

func (e *pcError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Description) }

func newErr(status int, code, format string, args ...any) *pcError {
	return &pcError{Status: status, Code: code, Description: fmt.Sprintf(format, args...), Data: []any{},
		Source: "PartnerFD", Attributes: attrs{ObjectType: "Error"}}
}

// Errors with Partner Center's codes (REFERENCE.md section 1.5).
func errBadInput(format string, args ...any) *pcError {
	return newErr(http.StatusBadRequest, "800002", "Invalid request input: "+format, args...)
}
func errInvalidProperty(format string, args ...any) *pcError {
	return newErr(http.StatusBadRequest, "3000", "Invalid property: "+format, args...)
}
func errCustomerNotFound(id string) *pcError {
	return newErr(http.StatusNotFound, "60003", "Tenant not found: customer %s does not exist", id)
}
func errSubNotFound(id string) *pcError {
	return newErr(http.StatusNotFound, "20003", "Subscription with id %s not found.", id)
}
func errOrderNotFound(id string) *pcError {
	return newErr(http.StatusNotFound, "20000", "Order Id not found: %s", id)
}
func errMCAMissing(customerID string) *pcError {
	return newErr(http.StatusForbidden, "13605", "Partner attestation of customer's acceptance of the Microsoft Customer Agreement is missing for customer %s. Confirm the customer's acceptance before purchasing.", customerID)
}
func errQuantityRange(q, min, max int) *pcError {
	return newErr(http.StatusBadRequest, "2002", "Subscription quantity is not within minimum and maximum allowed quantity. Requested %d, allowed %d to %d.", q, min, max)
}
func errSeatMax(q, max int) *pcError {
	return newErr(http.StatusForbidden, "800067", "The desired seat count exceeded the maximum seat count allowed per subscription. Requested %d, maximum %d.", q, max)
}
func errAddonParent(format string, args ...any) *pcError {
	return newErr(http.StatusBadRequest, "800029", "The add-on is not related to the specified parent subscription. "+format, args...)
}

// errLegacyRetired refuses a legacy offer: license-based purchases are new
// commerce only since 1 September 2024 (error-codes: Forbidden 403 2091).
func errLegacyRetired(id string) *pcError {
	return newErr(http.StatusForbidden, "2091", "Offer is no longer available for purchase: %s is a legacy offer; buy the new commerce product instead", id)
}

// errNotInChina refuses a catalog item Partner Center operated by 21Vianet
// does not have: its catalog lacks the product, so PC answers as for an
// unknown offer.
func errNotInChina(id, why string) *pcError {
	return newErr(http.StatusBadRequest, "800004", "Invalid offer Id %s: %s", id, why)
}

func errInvalidOffer(id string) *pcError {
	return newErr(http.StatusBadRequest, "800004", "Invalid offer Id %s", id)
}

// unavailable is the body of an injected 5xx.
func errUnavailable(status int) *pcError {
	return newErr(status, fmt.Sprint(status), "The service is temporarily unavailable. Please retry the request.")
}

// throttleBody is the 429 body, which differs from ApiFault.
type throttleBody struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
}

// commerceFault is the error body PC's commerce services answer some
// rules with instead of ApiFault: a numeric code plus errorName,
// isRetryable and parameters (the shape documented for 600061).
type commerceFault struct {
	Code                 int               `json:"code"`
	Message              string            `json:"message"`
	Description          string            `json:"description"`
	ErrorName            string            `json:"errorName"`
	IsRetryable          bool              `json:"isRetryable"`
	Parameters           map[string]string `json:"parameters"`
	ErrorMessageExtended string            `json:"errorMessageExtended"`
}

// errAgreementExists is PC's answer to a second confirmation of the same
// agreement with the same contact (confirm-customer-consent-customer-agreement;
// PC documents the body, not the status: 400).
func errAgreementExists() *commerceFault {
	const msg = "A partner confirmed agreement already exists for the customer."
	return &commerceFault{Code: 600061, Message: msg, Description: msg, ErrorName: "PartnerConfirmedAgreementAlreadyExists",
		Parameters: map[string]string{}, ErrorMessageExtended: "InternalErrorCode=600061"}
}
