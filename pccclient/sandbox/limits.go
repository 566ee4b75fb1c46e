package sandbox

import (
	"net/http"
	"unicode/utf8"
)

// Field lengths the sandbox enforces, in characters, as Partner Center
// refuses longer values with 400 and its invalid-property code (3000).
// PC's pages document no lengths; these are the ones the portal checks
// its forms against (rules.CustomerFieldLimits, kept apart on purpose so
// the sandbox stays an independent check): names 64 (Entra ID's
// givenName/surname), postal code 40 (Entra ID's postalCode), email 254,
// other text 255; a subscription's nickname 128.
const (
	limitName         = 64
	limitPostalCode   = 40
	limitEmail        = 254
	limitText         = 255
	limitFriendlyName = 128
)

type fieldLimit struct {
	path  string
	value string
	max   int
}

// tooLong answers PC's 400 for the first value over its limit, or nil.
func tooLong(fields ...fieldLimit) *pcError {
	for _, f := range fields {
		if n := utf8.RuneCountInString(f.value); n > f.max {
			return newErr(http.StatusBadRequest, "3000", "Invalid property: %s must be at most %d characters (got %d)", f.path, f.max, n)
		}
	}
	return nil
}

// customerTooLong checks a create-customer request's lengths.
func customerTooLong(in customerWire) *pcError {
	bp, cp := in.BillingProfile, in.CompanyProfile
	fs := []fieldLimit{{"billingProfile.companyName", bp.CompanyName, limitText},
		{"billingProfile.firstName", bp.FirstName, limitName}, {"billingProfile.lastName", bp.LastName, limitName},
		{"billingProfile.email", bp.Email, limitEmail}, {"companyProfile.domain", cp.Domain, limitText}}
	if a := bp.DefaultAddress; a != nil {
		fs = append(fs, fieldLimit{"billingProfile.defaultAddress.addressLine1", a.AddressLine1, limitText},
			fieldLimit{"billingProfile.defaultAddress.addressLine2", a.AddressLine2, limitText},
			fieldLimit{"billingProfile.defaultAddress.city", a.City, limitText},
			fieldLimit{"billingProfile.defaultAddress.state", a.State, limitText},
			fieldLimit{"billingProfile.defaultAddress.postalCode", a.PostalCode, limitPostalCode},
			fieldLimit{"billingProfile.defaultAddress.firstName", a.FirstName, limitName},
			fieldLimit{"billingProfile.defaultAddress.lastName", a.LastName, limitName},
			fieldLimit{"billingProfile.defaultAddress.phoneNumber", a.PhoneNumber, limitText})
	}
	return tooLong(fs...)
}
