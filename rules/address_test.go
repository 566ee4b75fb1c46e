package rules_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/cspportal/portal/rules"
)

func TestCheckAddress(t *testing.T) {
	us := rules.AddressRules{Country: "US", StateRequired: true, States: []string{"WA", "CA"}, PostalRequired: true,
		PostalPattern: `^\d{5}(-\d{4})?$`, CityRequired: true, Cultures: []string{"en-US", "es-US"}, Languages: []string{"en", "es"},
		PhonePattern: `^(1[\-\/\.]?)?(\((\d{3})\)|(\d{3}))[\-\/\.]?(\d{3})[\-\/\.]?(\d{4})$`}
	hu := rules.AddressRules{Country: "HU", PostalRequired: true, CityRequired: true, Cultures: []string{"hu-HU"}, Languages: []string{"hu"},
		RegistrationNumber: true}
	odd := rules.AddressRules{Country: "XY", PostalPattern: `^(?!0000)\d{4}$`} // .NET lookahead: not checked
	good := rules.Address{State: "WA", PostalCode: "98052", City: "Redmond", Culture: "en-US", Language: "en", Phone: "+1 425 555 0100"}
	with := func(a rules.Address, f func(*rules.Address)) rules.Address { f(&a); return a }
	cases := []struct {
		name string
		r    rules.AddressRules
		a    rules.Address
		bad  []string
	}{
		{"valid US", us, good, nil},
		{"state missing", us, with(good, func(a *rules.Address) { a.State = "" }), []string{"state"}},
		{"state unknown", us, with(good, func(a *rules.Address) { a.State = "Washington" }), []string{"state"}},
		{"state any case", us, with(good, func(a *rules.Address) { a.State = "wa" }), nil},
		{"postal missing", us, with(good, func(a *rules.Address) { a.PostalCode = "" }), []string{"postal_code"}},
		{"postal malformed", us, with(good, func(a *rules.Address) { a.PostalCode = "9805" }), []string{"postal_code"}},
		{"postal zip+4", us, with(good, func(a *rules.Address) { a.PostalCode = "98052-6399" }), nil},
		{"city missing", us, with(good, func(a *rules.Address) { a.City = " " }), []string{"city"}},
		{"culture of another country", us, with(good, func(a *rules.Address) { a.Culture = "en-GB" }), []string{"culture"}},
		{"language not offered", us, with(good, func(a *rules.Address) { a.Language = "fr" }), []string{"language"}},
		{"registration number refused", us, with(good, func(a *rules.Address) { a.RegistrationNumber = "1234-5" }), []string{"registration_number"}},
		{"phone malformed", us, with(good, func(a *rules.Address) { a.Phone = "call me" }), []string{"phone"}},
		{"phone as typed", us, with(good, func(a *rules.Address) { a.Phone = "(425) 555-0100" }), nil},
		{"phone too short", us, with(good, func(a *rules.Address) { a.Phone = "555 0100" }), []string{"phone"}},
		{"HU needs a registration number", hu, rules.Address{PostalCode: "1051", City: "Budapest", Culture: "hu-HU", Language: "hu"}, []string{"registration_number"}},
		{"HU complete", hu, rules.Address{PostalCode: "1051", City: "Budapest", Culture: "hu-HU", Language: "hu", RegistrationNumber: "01-09-123456"}, nil},
		{"pattern Go cannot read", odd, rules.Address{PostalCode: "0000"}, nil},
		{"several at once", us, rules.Address{Culture: "en-US", Language: "en"}, []string{"city", "postal_code", "state"}},
	}
	for _, tc := range cases {
		got := slices.Sorted(maps.Keys(rules.CheckAddress(tc.r, tc.a)))
		if !slices.Equal(got, tc.bad) {
			t.Errorf("%s: problems %v, want %v", tc.name, got, tc.bad)
		}
	}
}
