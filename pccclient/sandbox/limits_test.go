package sandbox_test

import (
	"strings"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// Values over Partner Center's lengths (in characters, not bytes) are
// refused with 400 and the invalid-property code; values at the limit pass.
func TestFieldLengthsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true})
	customer := func(prefix string, change func(bp, addr map[string]any)) res {
		addr := map[string]any{"country": "US", "city": "Redmond", "addressLine1": "1 Way", "postalCode": "98052", "state": "WA",
			"firstName": "A", "lastName": "B"}
		bp := map[string]any{"email": "a@" + prefix + ".example", "culture": "en-US", "language": "en", "companyName": prefix + " Corp",
			"defaultAddress": addr}
		change(bp, addr)
		return e.do("POST", "/v1/customers", map[string]any{"companyProfile": map[string]any{"domain": prefix + ".onmicrosoft.com"},
			"billingProfile": bp})
	}
	for _, tt := range []struct {
		name   string
		change func(bp, addr map[string]any)
		status int
	}{
		{"company name of 255 Chinese characters", func(bp, _ map[string]any) { bp["companyName"] = strings.Repeat("公", 255) }, 201},
		{"company name of 256 characters", func(bp, _ map[string]any) { bp["companyName"] = strings.Repeat("公", 256) }, 400},
		{"last name of 64", func(_, a map[string]any) { a["lastName"] = strings.Repeat("é", 64) }, 201},
		{"last name of 10,000", func(_, a map[string]any) { a["lastName"] = strings.Repeat("x", 10000) }, 400},
		{"billing first name of 65", func(bp, _ map[string]any) { bp["firstName"] = strings.Repeat("x", 65) }, 400},
		{"address line of 256", func(_, a map[string]any) { a["addressLine1"] = strings.Repeat("x", 256) }, 400},
		{"postal code of 41", func(_, a map[string]any) { a["postalCode"] = strings.Repeat("9", 41) }, 400},
		{"email of 255", func(bp, _ map[string]any) { bp["email"] = strings.Repeat("e", 243) + "@example.com" }, 400},
	} {
		prefix := "len" + strings.ReplaceAll(strings.ReplaceAll(tt.name, " ", ""), ",", "")
		prefix = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, strings.ToLower(prefix))
		r := customer(prefix, tt.change)
		code := ""
		if tt.status == 400 {
			code = "3000"
		}
		if r.status != tt.status || code != "" && r.str("code") != code {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.status, r.raw, tt.status, code)
		}
	}

	cid := e.newCustomer("lenagree", false)
	agreement := func(first string) res {
		return e.do("POST", "/v1/customers/"+cid+"/agreements", map[string]any{
			"primaryContact": map[string]any{"firstName": first, "lastName": "C", "email": "t@c.example"},
			"templateId":     sandbox.MCATemplateID, "dateAgreed": "2026-01-01T00:00:00Z", "type": "MicrosoftCustomerAgreement"})
	}
	want(t, agreement(strings.Repeat("x", 65)), 400, "3000")
	want(t, agreement(strings.Repeat("x", 64)), 201, "")

	o := e.order(cid, li(e.offerID("Visio Plan 2"), 1))
	e.settle()
	sid := o.str("lineItems.0.subscriptionId")
	want(t, e.patchSub(cid, sid, map[string]any{"friendlyName": strings.Repeat("名", 129)}), 400, "3000")
	want(t, e.patchSub(cid, sid, map[string]any{"friendlyName": strings.Repeat("名", 128)}), 200, "")
}
