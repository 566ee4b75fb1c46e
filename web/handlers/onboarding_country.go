package handlers

import (
	"context"
	"sync"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/web/templates"
)

// countryOptions lists Partner Center's markets for the country select.
func countryOptions() []templates.Option {
	ms := pccclient.Markets()
	out := make([]templates.Option, len(ms))
	for i, m := range ms {
		out[i] = templates.Option{Value: m.ISO2, Label: m.Name + " (" + m.ISO2 + ")"}
	}
	return out
}

// addressRulesTTL is how long a country's rules are reused: PC changes
// them rarely, and the wizard checks them at every step.
const addressRulesTTL = 24 * time.Hour

// addressRulesCache keeps PC's address rules per country.
type addressRulesCache struct {
	mu sync.Mutex
	m  map[string]cachedAddressRules
}

type cachedAddressRules struct {
	r  rules.AddressRules
	at time.Time
}

// addressRules asks PC for the country's rules (cached); false when PC
// could not answer, in which case only the portal's own checks apply and
// PC checks the address again when the customer is created.
func (s *Server) addressRules(ctx context.Context, country string) (rules.AddressRules, bool) {
	c := &s.addrRules
	c.mu.Lock()
	hit, ok := c.m[country]
	c.mu.Unlock()
	if ok && time.Since(hit.at) < addressRulesTTL {
		return hit.r, true
	}
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return rules.AddressRules{}, false
	}
	ctx, cancel := context.WithTimeout(pcconn.Interactive(ctx), 10*time.Second)
	defer cancel()
	w, err := pc.GetCountryValidationRules(ctx, country)
	if err != nil {
		s.log.WarnContext(ctx, "country rules unavailable", "country", country, "err", err)
		return rules.AddressRules{}, false
	}
	r := rules.AddressRules{Country: country, StateRequired: w.IsStateRequired, States: w.SupportedStatesList,
		PostalRequired: w.IsPostalCodeRequired, PostalPattern: w.PostalCodeRegex, CityRequired: w.IsCityRequired,
		Cultures: w.SupportedCulturesList, Languages: w.SupportedLanguagesList, DefaultCulture: w.DefaultCulture,
		RegistrationNumber: w.IsRegistrationNumberSupported, PhonePattern: w.PhoneNumberRegex}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cachedAddressRules{}
	}
	c.m[country] = cachedAddressRules{r: r, at: time.Now()}
	c.mu.Unlock()
	return r, true
}

// checkCountryRules adds PC's objections to the company step's fields.
func (s *Server) checkCountryRules(ctx context.Context, f templates.Form) {
	r, ok := s.addressRules(ctx, f.Get("country"))
	if !ok {
		return
	}
	for field, msg := range rules.CheckAddress(r, rules.Address{State: f.Get("state"), PostalCode: f.Get("postal_code"), City: f.Get("city"),
		Culture: f.Get("culture"), Language: f.Get("language"), RegistrationNumber: f.Get("registration_number"), Phone: f.Get("phone")}) {
		f.Errors[field] = msg
	}
}
