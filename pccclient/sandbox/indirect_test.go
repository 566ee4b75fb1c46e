package sandbox_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestMPAStatusAnswers walks the AgreementStatus API's documented answers
// ("Verify an indirect reseller's Microsoft Partner Agreement signing status").
func TestMPAStatusAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	for _, tc := range []struct {
		query  string
		status int
		code   string
	}{
		{"mpnId=4847383", 200, ""},
		{"tenantId=b01b1487-b36e-4e6d-9b5e-0b58974c4b28", 200, ""},
		{"", 400, "2001"},
		{"mpnId=4847383&tenantId=b01b1487-b36e-4e6d-9b5e-0b58974c4b28", 400, "2000"},
		{"mpnId=48x7", 400, "2000"},
		{"tenantId=not-a-guid", 400, "2000"},
		{"mpnId=1111111", 400, "2200"},
		{"mpnId=4847999", 400, "2203"},
		{"tenantId=00000000-0000-0000-0000-000000000001", 400, "2205"},
		{"tenantId=c3d1f0a2-7e55-4b8f-9a51-0e7e6f5a1234", 400, "2206"},
	} {
		r := e.do("GET", "/v1/compliance/csp/agreementstatus?"+tc.query, nil)
		want(t, r, tc.status, tc.code)
		if signed, _ := r.obj["isAgreementSigned"].(bool); tc.status == 200 && !signed {
			t.Errorf("%s: %s, want isAgreementSigned true", tc.query, r.raw)
		}
	}
	// App+User only.
	want(t, e.do("GET", "/v1/compliance/csp/agreementstatus?mpnId=4847383", nil, "Authorization", "Bearer "+e.token), 401, "400")
}

// TestCustomerOfIndirectReseller: associatedPartnerId is the reseller's
// tenant id; the customer's relationships and the IndirectReseller filter
// follow it; an unknown reseller and an app-only token are refused.
func TestCustomerOfIndirectReseller(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	body := func(domain, reseller string) map[string]any {
		return map[string]any{
			"companyProfile": map[string]any{"domain": domain + ".onmicrosoft.com"},
			"billingProfile": map[string]any{"email": "a@" + domain + ".example", "culture": "en-US", "language": "en",
				"companyName": domain + " Corp", "defaultAddress": map[string]any{"country": "US", "city": "Redmond",
					"addressLine1": "1 Way", "postalCode": "98052", "state": "WA"}},
			"associatedPartnerId": reseller,
		}
	}
	user := []string{"Authorization", "Bearer " + e.userToken}
	const firstUp = "484e548c-f5f3-4528-93a9-c16c6373cb59"
	want(t, e.do("POST", "/v1/customers", body("apponly", firstUp)), 401, "400")
	want(t, e.do("POST", "/v1/customers", body("stranger", "00000000-0000-0000-0000-000000000001"), user...), 400, "800016")
	r := e.do("POST", "/v1/customers", body("firstupcust", firstUp), user...)
	want(t, r, 201, "")
	cid := r.str("id")
	if r.str("associatedPartnerId") != firstUp {
		t.Fatalf("created: %s", r.raw)
	}
	e.sb.Advance(5 * time.Minute)
	rel := e.do("GET", "/v1/customers/"+cid+"/relationships", nil)
	want(t, rel, 200, "")
	if rel.num("totalCount") != 1 || rel.str("items.0.mpnId") != "4847383" || rel.str("items.0.relationshipType") != "is_indirect_reseller_of" {
		t.Fatalf("relationships: %s", rel.raw)
	}
	own := e.newCustomer("owncust", false)
	if n := e.do("GET", "/v1/customers/"+own+"/relationships", nil).num("totalCount"); n != 0 {
		t.Errorf("the provider's own customer has %d reseller relationships", n)
	}
	f := url.QueryEscape(`{"Field":"IndirectReseller","Value":"` + firstUp + `","Operator":"starts_with"}`)
	list := e.do("GET", "/v1/customers?size=40&filter="+f, nil)
	if list.num("totalCount") != 1 || list.str("items.0.id") != cid {
		t.Errorf("customers of First Up: %s", list.raw)
	}
}
