package sandbox

import (
	"net/http"
	"slices"
	"strings"
)

// GET /countryvalidationrules/{country} ("Get address formatting rules by
// market"; CountryInformation in "Country/region information resources",
// member names of the SDK's CountryValidationRules). PC answers for every
// country of its supported-locales table (ISO 3166-1, seed/catalog.json
// "countries"); the markets below have their real rules, the others
// generic ones (English, city required, no state, postal code optional).

type seedCountry struct {
	ISO2 string `json:"iso2"`
	ISO3 string `json:"iso3"`
}

type countryRulesWire struct {
	Iso2Code                      string   `json:"iso2Code"`
	Iso3Code                      string   `json:"iso3Code"`
	DefaultCulture                string   `json:"defaultCulture"`
	IsStateRequired               bool     `json:"isStateRequired"`
	SupportedStatesList           []string `json:"supportedStatesList"`
	SupportedLanguagesList        []string `json:"supportedLanguagesList"`
	SupportedCulturesList         []string `json:"supportedCulturesList"`
	IsPostalCodeRequired          bool     `json:"isPostalCodeRequired"`
	PostalCodeRegex               string   `json:"postalCodeRegex"`
	IsCityRequired                bool     `json:"isCityRequired"`
	IsVatIDSupported              bool     `json:"isVatIdSupported"`
	TaxIDFormat                   string   `json:"taxIdFormat"`
	TaxIDSample                   string   `json:"taxIdSample"`
	VatIDRegex                    string   `json:"vatIdRegex"`
	PhoneNumberRegex              string   `json:"phoneNumberRegex"`
	IsRegistrationNumberSupported bool     `json:"isRegistrationNumberSupported"`
	IsTaxIDSupported              bool     `json:"isTaxIdSupported"`
	IsTaxIDOptional               bool     `json:"isTaxIdOptional"`
	ResellerAgreementRegion       string   `json:"resellerAgreementRegion"`
	GeographicRegion              string   `json:"geographicRegion"`
	CountryCallingCodesList       []string `json:"countryCallingCodesList"`
	Attributes                    attrs    `json:"attributes"`
}

// market is the part of a country's rules that differs between markets.
type market struct {
	culture  string
	langs    []string
	cultures []string
	states   []string
	postal   string // postal code regex; "" = no postal code required
	phone    string
	vat      string // VAT id regex; "" = no VAT id
	calling  string
	region   string // geographicRegion
}

var usStates = []string{"AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS",
	"KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV",
	"NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY"}

const (
	europe   = "EuropeMiddleEastAndAfrica"
	americas = "NorthAndLatinAmerica"
	apac     = "AsiaPacific"
)

// markets holds the rules of the markets the sandbox knows in detail (the
// US ones as documented in the response example).
var markets = map[string]market{
	"US": {culture: "en-US", langs: []string{"en", "es"}, cultures: []string{"en-US", "es-US"}, states: usStates,
		postal: `^\d{5}(-\d{4})?$`, phone: `^(1[\-\/\.]?)?(\((\d{3})\)|(\d{3}))[\-\/\.]?(\d{3})[\-\/\.]?(\d{4})$`, calling: "1", region: americas},
	"CA": {culture: "en-CA", langs: []string{"en", "fr"}, cultures: []string{"en-CA", "fr-CA"},
		states: []string{"AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"},
		postal: `^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$`, phone: `^(1[\-\/\.]?)?(\((\d{3})\)|(\d{3}))[\-\/\.]?(\d{3})[\-\/\.]?(\d{4})$`, calling: "1", region: americas},
	"GB": {culture: "en-GB", langs: []string{"en"}, cultures: []string{"en-GB"}, postal: `^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$`,
		phone: `^(\+?44|0)\d{9,10}$`, vat: `^(GB)?\d{9}(\d{3})?$`, calling: "44", region: europe},
	"DE": {culture: "de-DE", langs: []string{"de", "en"}, cultures: []string{"de-DE", "en-US"}, postal: `^\d{5}$`,
		phone: `^(\+?49|0)\d{6,13}$`, vat: `^(DE)?\d{9}$`, calling: "49", region: europe},
	"FR": {culture: "fr-FR", langs: []string{"fr", "en"}, cultures: []string{"fr-FR", "en-US"}, postal: `^\d{5}$`,
		phone: `^(\+?33|0)\d{9}$`, vat: `^(FR)?[0-9A-Za-z]{2}\d{9}$`, calling: "33", region: europe},
	"NL": {culture: "nl-NL", langs: []string{"nl", "en"}, cultures: []string{"nl-NL", "en-US"}, postal: `^\d{4} ?[A-Za-z]{2}$`,
		phone: `^(\+?31|0)\d{9}$`, vat: `^(NL)?\d{9}B\d{2}$`, calling: "31", region: europe},
	"AU": {culture: "en-AU", langs: []string{"en"}, cultures: []string{"en-AU"}, states: []string{"ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"},
		postal: `^\d{4}$`, phone: `^(\+?61|0)\d{9}$`, calling: "61", region: apac},
}

func (s *Sandbox) countryRules(c *call) (int, any) {
	cc := strings.ToUpper(c.pv("country"))
	i, found := slices.BinarySearchFunc(s.cat.seed.Countries, cc, func(x seedCountry, cc string) int { return strings.Compare(x.ISO2, cc) })
	if !found {
		// PC documents no code for an unknown country; the sandbox answers
		// 404 1000 Not found (error-codes).
		return 0, newErr(http.StatusNotFound, "1000", "Country validation rules not found for country %s", c.pv("country"))
	}
	m, known := markets[cc]
	if !known {
		m = market{culture: "en-US", langs: []string{"en"}, cultures: []string{"en-US"}, region: europe}
	}
	w := countryRulesWire{Iso2Code: cc, Iso3Code: s.cat.seed.Countries[i].ISO3, DefaultCulture: m.culture,
		IsStateRequired: len(m.states) > 0, SupportedStatesList: nonNil(m.states), SupportedLanguagesList: m.langs,
		SupportedCulturesList: m.cultures, IsPostalCodeRequired: m.postal != "", PostalCodeRegex: m.postal, IsCityRequired: true,
		IsVatIDSupported: m.vat != "", VatIDRegex: m.vat, PhoneNumberRegex: m.phone,
		IsRegistrationNumberSupported: slices.Contains(regNumberCountries, cc), IsTaxIDSupported: cc == "US",
		ResellerAgreementRegion: "AOC", GeographicRegion: m.region, CountryCallingCodesList: []string{},
		Attributes: attrs{ObjectType: "CountryInformation"}}
	if m.calling != "" {
		w.CountryCallingCodesList = []string{m.calling}
	}
	if cc == "US" {
		w.TaxIDFormat, w.TaxIDSample = "US######", "US999965"
	}
	return 200, &w
}
