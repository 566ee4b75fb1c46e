package rules

import (
	"regexp"
	"slices"
	"strings"
)

// AddressRules are what Partner Center accepts in a customer's address
// and profile for one country (GetCountryValidationRules).
type AddressRules struct {
	Country            string
	StateRequired      bool
	States             []string // the accepted states or regions (empty: any)
	PostalRequired     bool
	PostalPattern      string // PC's regular expression ("" or one Go cannot read: not checked)
	CityRequired       bool
	Cultures           []string // e.g. en-US
	Languages          []string // e.g. en
	DefaultCulture     string
	RegistrationNumber bool   // an organization registration number is required
	PhonePattern       string // PC's regular expression for phone numbers
}

// Address is the part of a new customer the rules check.
type Address struct {
	State, PostalCode, City, Culture, Language, RegistrationNumber, Phone string
}

// CheckAddress returns, by form field, why PC would refuse a; empty when
// PC accepts it. Field names are the onboarding form's.
func CheckAddress(r AddressRules, a Address) map[string]string {
	bad := map[string]string{}
	where := " in " + r.Country
	switch {
	case r.StateRequired && strings.TrimSpace(a.State) == "":
		bad["state"] = "Enter the state or region: Partner Center requires it" + where + "."
	case a.State != "" && len(r.States) > 0 && !containsFold(r.States, a.State):
		bad["state"] = "Partner Center does not know " + a.State + " as a state or region" + where + "; use its code, e.g. " + r.States[0] + "."
	}
	switch {
	case r.PostalRequired && strings.TrimSpace(a.PostalCode) == "":
		bad["postal_code"] = "Enter the postal code: Partner Center requires it" + where + "."
	case a.PostalCode != "" && !matches(r.PostalPattern, a.PostalCode):
		bad["postal_code"] = a.PostalCode + " is not a postal code Partner Center accepts" + where + "."
	}
	if r.CityRequired && strings.TrimSpace(a.City) == "" {
		bad["city"] = "Enter the city."
	}
	if len(r.Cultures) > 0 && !containsFold(r.Cultures, a.Culture) {
		bad["culture"] = "Partner Center accepts " + strings.Join(r.Cultures, ", ") + where + "."
	}
	if len(r.Languages) > 0 && !containsFold(r.Languages, a.Language) {
		bad["language"] = "Partner Center accepts " + strings.Join(r.Languages, ", ") + where + "."
	}
	switch {
	case r.RegistrationNumber && strings.TrimSpace(a.RegistrationNumber) == "":
		bad["registration_number"] = "Partner Center requires the organization registration number" + where + "."
	case !r.RegistrationNumber && a.RegistrationNumber != "":
		bad["registration_number"] = "Leave this empty: Partner Center refuses a registration number" + where + "."
	}
	// PC's patterns expect digits and separators without spaces or the
	// international "+", which people type.
	if a.Phone != "" && !matches(r.PhonePattern, strings.TrimPrefix(strings.ReplaceAll(a.Phone, " ", ""), "+")) {
		bad["phone"] = a.Phone + " is not a phone number Partner Center accepts" + where + "."
	}
	return bad
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, strings.TrimSpace(s)) })
}

// matches applies PC's pattern; a pattern Go's regexp cannot compile (PC's
// are .NET expressions) checks nothing rather than refusing good input.
func matches(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return true
	}
	return re.MatchString(s)
}
