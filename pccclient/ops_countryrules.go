package pccclient

import (
	"context"
	"net/http"
	"strings"
)

// GetCountryValidationRules returns a market's address rules (GET
// /countryvalidationrules/{country}, "Get address formatting rules by
// market"): required fields, the states to choose from, postal code and
// phone number patterns, cultures and languages. PC answers for the
// countries of its supported-locales table (Markets); an unknown code is
// a 404.
func (c *Client) GetCountryValidationRules(ctx context.Context, country string) (*CountryValidationRules, error) {
	const op = "get-country-validation-rules"
	if err := check(op).country(country).done(); err != nil {
		return nil, err
	}
	var r CountryValidationRules
	if _, err := c.do(ctx, &call{op: op, class: ClassCatalog, method: http.MethodGet,
		path: "/countryvalidationrules/" + esc(strings.ToUpper(country)), out: &r}); err != nil {
		return nil, err
	}
	return &r, nil
}
