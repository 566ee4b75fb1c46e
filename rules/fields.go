package rules

import (
	"fmt"
	"unicode/utf8"
)

// Field lengths of what the portal sends to Partner Center, counted in
// characters (a Chinese company name of 86 characters is 258 bytes).
//
// Partner Center's pages on learn.microsoft.com (create a customer, the
// customer, profile and utility resources, REST error codes, update the
// nickname for a subscription) document no field lengths; PC answers a
// value it refuses with 400 and its code. Where Microsoft documents a
// length for the same value, that is the limit here: first and last names
// 64 (Entra ID's user givenName and surname, which the customer's admin
// account is made of), postal code 40 (Entra ID's user postalCode);
// email 254 (RFC 5321's path less its brackets). Everything else is the
// portal's own bound (255; registration numbers and phones by their
// patterns), so nothing unbounded reaches PC.
const (
	MaxNameRunes         = 64
	MaxPostalCodeRunes   = 40
	MaxEmailRunes        = 254
	MaxTextRunes         = 255
	MaxPhoneRunes        = 25
	MaxDomainPrefixRunes = 27
	// MaxFriendlyNameRunes bounds a subscription's nickname; the sandbox
	// refuses longer ones as PC does.
	MaxFriendlyNameRunes = 128
)

// CustomerFieldLimits is the onboarding form's fields and their longest
// value in characters.
var CustomerFieldLimits = map[string]int{
	"company_name":        MaxTextRunes,
	"first_name":          MaxNameRunes,
	"last_name":           MaxNameRunes,
	"email":               MaxEmailRunes,
	"phone":               MaxPhoneRunes,
	"address_line1":       MaxTextRunes,
	"address_line2":       MaxTextRunes,
	"city":                MaxTextRunes,
	"state":               MaxTextRunes,
	"postal_code":         MaxPostalCodeRunes,
	"country":             2,
	"culture":             MaxTextRunes,
	"language":            MaxTextRunes,
	"registration_number": 32,
	"domain_prefix":       MaxDomainPrefixRunes,
	"mca_first_name":      MaxNameRunes,
	"mca_last_name":       MaxNameRunes,
	"mca_email":           MaxEmailRunes,
	"mca_phone":           MaxPhoneRunes,
	"mca_date":            10,
}

// LengthProblem says why value is too long for max characters, or "".
func LengthProblem(value string, max int) string {
	if n := utf8.RuneCountInString(value); n > max {
		return fmt.Sprintf("Use at most %d characters (this has %d).", max, n)
	}
	return ""
}

// CheckLengths returns, by field, the fields of names whose value (get)
// is longer than limits allows; a field without a limit is not checked.
func CheckLengths(names []string, get func(string) string, limits map[string]int) map[string]string {
	bad := map[string]string{}
	for _, n := range names {
		max, ok := limits[n]
		if !ok {
			continue
		}
		if msg := LengthProblem(get(n), max); msg != "" {
			bad[n] = msg
		}
	}
	return bad
}
