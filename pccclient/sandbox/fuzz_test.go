package sandbox_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// FuzzWriteBodies posts arbitrary bodies to every write operation: the
// sandbox must answer with a PC error or success, never a 5xx.
func FuzzWriteBodies(f *testing.F) {
	seeds := []string{
		``, `{}`, `null`, `[]`, `{"lineItems":null}`, `{"lineItems":[{}]}`, `{"lineItems":[null]}`,
		`{"lineItems":[{"offerId":"MS-AZR-0145P","quantity":1,"lineItemNumber":0}]}`,
		`{"lineItems":[{"catalogItemId":"CFQ7TTC0LH18:0001:CFQ7TTC0K971","quantity":2,"addonItems":[{"catalogItemId":"CFQ7TTC0J1FV:0001:CFQ7TTC0K8L2","quantity":1}]}]}`,
		`{"lineItems":[{"offerId":"2828BE95-46BA-4F91-B2FD-0BEF192ECF60","parentSubscriptionId":"x","quantity":1}]}`,
		`{"companyProfile":{"domain":"a.b"},"billingProfile":{"defaultAddress":null}}`,
		`{"quantity":-5,"status":"deleted"}`, `{"status":null,"quantity":null}`, `{"scheduledNextTermInstructions":{"product":null}}`,
		`{"primaryContact":null,"type":"MicrosoftCustomerAgreement"}`, `{"billingCycle":"annual","lineItems":[]}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	e := newEnv(f, sandbox.Options{OrderDelay: 1})
	cid := e.demo("Contoso Ltd")
	sid := e.demoSub(cid, "Office 365 E3")
	oid := e.sub(cid, sid).str("orderId")
	cart := e.do("POST", "/v1/customers/"+cid+"/carts", `{"lineItems":[{"catalogItemId":"CFQ7TTC0LH18:0001:CFQ7TTC0K971","quantity":1,"termDuration":"P1M","billingCycle":"monthly"}]}`).str("id")
	targets := [][2]string{
		{"POST", "/v1/customers"}, {"POST", "/v1/customers/" + cid + "/orders"}, {"PATCH", "/v1/customers/" + cid + "/orders/" + oid},
		{"PATCH", "/v1/customers/" + cid + "/subscriptions/" + sid}, {"POST", "/v1/customers/" + cid + "/carts"},
		{"POST", "/v1/customers/" + cid + "/agreements"}, {"POST", "/v1/customers/" + cid + "/carts/" + cart + "/checkout"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, tg := range targets {
			req, _ := http.NewRequest(tg[0], e.srv.URL+tg[1], bytes.NewReader([]byte(body)))
			req.Header.Set("Authorization", "Bearer "+e.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("%s %s with %q: %d %s", tg[0], tg[1], body, resp.StatusCode, b)
			}
		}
	})
}
