package sandbox_test

import (
	"regexp"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

func TestCountryValidationRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	us := e.do("GET", "/v1/countryvalidationrules/us", nil)
	want(t, us, 200, "")
	if us.str("iso2Code") != "US" || us.str("iso3Code") != "USA" || us.obj["isStateRequired"] != true ||
		len(dig(us.obj, "supportedStatesList").([]any)) != 51 || us.str("attributes.objectType") != "CountryInformation" ||
		us.str("countryCallingCodesList.0") != "1" {
		t.Fatalf("US rules: %s", us.raw)
	}
	cases := []struct {
		cc, postal, good, bad string
		state                 bool
	}{
		{"US", "postalCodeRegex", "98052-6399", "9805", true},
		{"GB", "postalCodeRegex", "SW1A 1AA", "12345", false},
		{"DE", "postalCodeRegex", "10115", "1011", false},
		{"NL", "postalCodeRegex", "1012 AB", "1012", false},
		{"CA", "postalCodeRegex", "K1A 0B1", "12345", true},
		{"US", "phoneNumberRegex", "425-555-0100", "555", true},
		{"DE", "vatIdRegex", "DE123456789", "DE1", false},
	}
	for _, tc := range cases {
		r := e.do("GET", "/v1/countryvalidationrules/"+tc.cc, nil)
		re, err := regexp.Compile(r.str(tc.postal))
		if err != nil || r.str(tc.postal) == "" {
			t.Fatalf("%s %s %q: %v", tc.cc, tc.postal, r.str(tc.postal), err)
		}
		if !re.MatchString(tc.good) || re.MatchString(tc.bad) {
			t.Errorf("%s %s %q: %q should match, %q should not", tc.cc, tc.postal, re, tc.good, tc.bad)
		}
		if (r.obj["isStateRequired"] == true) != tc.state {
			t.Errorf("%s isStateRequired = %v", tc.cc, r.obj["isStateRequired"])
		}
	}
	// Every ISO 3166-1 country has rules (generic where not modelled).
	ke := e.do("GET", "/v1/countryvalidationrules/KE", nil)
	if ke.str("iso3Code") != "KEN" || ke.str("defaultCulture") != "en-US" || ke.obj["isPostalCodeRequired"] != false {
		t.Fatalf("KE rules: %s", ke.raw)
	}
	if e.do("GET", "/v1/countryvalidationrules/RU", nil).obj["isRegistrationNumberSupported"] != true {
		t.Fatal("RU: organizationRegistrationNumber countries say isRegistrationNumberSupported")
	}
	want(t, e.do("GET", "/v1/countryvalidationrules/XX", nil), 404, "1000")
	want(t, e.do("GET", "/v1/countryvalidationrules/USA", nil), 404, "1000")
	if e.do("GET", "/v1/countryvalidationrules/US", nil, "Authorization", "").status != 401 {
		t.Fatal("country rules without a token")
	}
}

func TestAgreementConfirmedOnceWithSignedInUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("agree", true) // the admin's app+user token confirms it
	list := e.do("GET", "/v1/customers/"+cid+"/agreements", nil)
	admin := sandbox.DefaultUsers()[0]
	if list.num("totalCount") != 1 || list.str("items.0.userId") != admin.ObjectID {
		t.Fatalf("agreement userId %q, want the signed-in admin's %s", list.str("items.0.userId"), admin.ObjectID)
	}
	body := map[string]any{"primaryContact": map[string]any{"firstName": "T", "lastName": "C", "email": "t@c.example"},
		"templateId": sandbox.MCATemplateID, "dateAgreed": "2026-01-02T00:00:00Z", "type": "MicrosoftCustomerAgreement",
		"userId": "00000000-0000-4000-8000-000000000001"}
	dup := e.do("POST", "/v1/customers/"+cid+"/agreements", body)
	if dup.status != 400 || dup.num("code") != 600061 || dup.str("errorName") != "PartnerConfirmedAgreementAlreadyExists" ||
		dup.str("errorMessageExtended") != "InternalErrorCode=600061" {
		t.Fatalf("second confirmation with the same contact: %d %s", dup.status, dup.raw)
	}
	if n := e.do("GET", "/v1/customers/"+cid+"/agreements", nil).num("totalCount"); n != 1 {
		t.Fatalf("%d agreements after a refused duplicate, want 1", n)
	}
	// A changed contact is a new confirmation (PC allows re-confirming).
	body["primaryContact"].(map[string]any)["phoneNumber"] = "4255550100"
	again := e.do("POST", "/v1/customers/"+cid+"/agreements", body)
	want(t, again, 201, "")
	if again.str("userId") != admin.ObjectID {
		t.Fatalf("userId %q taken from the body, want the token's %s", again.str("userId"), admin.ObjectID)
	}
	if n := e.do("GET", "/v1/customers/"+cid+"/agreements", nil).num("totalCount"); n != 2 {
		t.Fatalf("%d agreements after a re-confirmation, want 2", n)
	}
}
