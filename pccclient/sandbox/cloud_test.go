package sandbox_test

import (
	"strings"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestChinaCloudRefusesWhat21VianetLacks: played as Partner Center
// operated by 21Vianet, the sandbox refuses an Azure plan in a cart or an
// order (400 800004) and Graph's billing reports (Graph's 400
// BadRequest), while a license-based purchase and the v1 invoices work;
// the global sandbox sells the Azure plan.
func TestChinaCloudRefusesWhat21VianetLacks(t *testing.T) {
	t.Parallel()
	const azure = "DZH318Z0BPS6:0001:DZH318Z0BPS6"
	for _, cloud := range []string{sandbox.CloudGlobal, sandbox.CloudChina} {
		t.Run(cloud, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, sandbox.Options{NoSeed: true, Cloud: cloud})
			cid := e.newCustomer("cloud", true)
			cart := e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{map[string]any{
				"id": 0, "catalogItemId": azure, "quantity": 1, "billingCycle": "monthly"}}})
			want(t, cart, 201, "")
			checkout := e.do("POST", "/v1/customers/"+cid+"/carts/"+cart.str("id")+"/checkout", nil)
			order := e.order(cid, map[string]any{"lineItemNumber": 0, "offerId": azure, "quantity": 1})
			export := e.graph("POST", "/v1.0/reports/partners/billing/usage/unbilled/export", e.graphToken(),
				map[string]any{"currencyCode": "USD", "billingPeriod": "current", "attributeSet": "full"})
			if cloud == sandbox.CloudGlobal {
				want(t, checkout, 201, "")
				want(t, order, 201, "")
				if export.status != 202 {
					t.Fatalf("global graph export: %d %s", export.status, export.raw)
				}
				return
			}
			// The checkout reports the refused line in its order errors.
			if checkout.status == 201 {
				if !strings.Contains(string(checkout.raw), "800004") || !strings.Contains(string(checkout.raw), "21Vianet") {
					t.Fatalf("china checkout: %s", checkout.raw)
				}
			} else {
				want(t, checkout, 400, "800004")
			}
			want(t, order, 400, "800004")
			if !strings.Contains(order.str("description"), "21Vianet") {
				t.Errorf("description %q does not say why", order.str("description"))
			}
			if export.status != 400 || !strings.Contains(string(export.raw), `"BadRequest"`) {
				t.Fatalf("china graph export: %d %s", export.status, export.raw)
			}
			// What 21Vianet does offer still works.
			e.buyNCE(cid, nceBasic, 2, "P1M", "monthly")
			want(t, e.do("GET", "/v1/invoices", nil), 200, "")
		})
	}
	if _, err := sandbox.New(sandbox.Options{Cloud: "mars"}); err == nil {
		t.Error("an unknown cloud was accepted")
	}
}
