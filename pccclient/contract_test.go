package pccclient

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// examplesDir is where CI has the shared PC examples: the repository is
// cloned with shared/ beside it (/work/main and /work/shared).
const examplesDir = "../../shared/pc-api/examples"

// decoders maps each example payload to the client type it decodes into.
var decoders = map[string]func([]byte) ([]byte, error){
	"agreement-metadata.response.json":               roundTrip[Collection[AgreementMetadata]],
	"audit-records-daily.response.json":              roundTrip[Collection[AuditRecord]],
	"audit-records.response.json":                    roundTrip[Collection[AuditRecord]],
	"availability-nce.response.json":                 roundTrip[Availability],
	"availability.response.json":                     roundTrip[Availability],
	"cart-checkout.response.json":                    roundTrip[CartCheckoutResult],
	"cart-create-nce.request.json":                   roundTrip[Cart],
	"cart-create-nce.response.json":                  roundTrip[Cart],
	"cart-create-with-addons.request.json":           roundTrip[Cart],
	"cart-create-with-addons.response.json":          roundTrip[Cart],
	"cart-create.request.json":                       roundTrip[Cart],
	"cart-create.response.json":                      roundTrip[Cart],
	"create-order-indirect.request.json":             roundTrip[Order],
	"create-order-indirect.response.json":            roundTrip[Order],
	"create-order.request.json":                      roundTrip[Order],
	"create-order.response.json":                     roundTrip[Order],
	"customer-agreement-create.request.json":         roundTrip[Agreement],
	"customer-agreement-create.response.json":        roundTrip[Agreement],
	"customer-create-indirect.request.json":          roundTrip[Customer],
	"customer-create-indirect.response.json":         roundTrip[Customer],
	"customer-create.request.json":                   roundTrip[Customer],
	"customer-create.response.json":                  roundTrip[Customer],
	"customer.response.json":                         roundTrip[Customer],
	"customers-list.response.json":                   roundTrip[Collection[Customer]],
	"customers-of-indirect-reseller.response.json":   roundTrip[Collection[Customer]],
	"entitlements.response.json":                     roundTrip[Collection[Entitlement]],
	"indirect-resellers.response.json":               roundTrip[Collection[PartnerRelationship]],
	"invoice-lineitems-office.response.json":         roundTrip[Collection[InvoiceLineItem]],
	"invoices-list.response.json":                    roundTrip[Collection[Invoice]],
	"offer-addons.response.json":                     roundTrip[Collection[Offer]],
	"offer.response.json":                            roundTrip[Offer],
	"order-patch-addon.request.json":                 roundTrip[Order],
	"order-patch-addon.response.json":                roundTrip[Order],
	"order.response.json":                            roundTrip[Order],
	"product.response.json":                          roundTrip[Product],
	"products-list.response.json":                    roundTrip[Collection[Product]],
	"service-requests.response.json":                 roundTrip[Collection[ServiceRequest]],
	"sku.response.json":                              roundTrip[SKU],
	"subscribed-skus.response.json":                  roundTrip[Collection[SubscribedSKU]],
	"subscription-addon.response.json":               roundTrip[Subscription],
	"subscription-addons.response.json":              roundTrip[Collection[Subscription]],
	"subscription-nce-patch-quantity.request.json":   roundTrip[Subscription],
	"subscription-nce-scheduled-change.request.json": roundTrip[Subscription],
	"subscription-patch-quantity.request.json":       roundTrip[Subscription],
	"subscription-patch-quantity.response.json":      roundTrip[Subscription],
	"subscription-patch-suspend.request.json":        roundTrip[Subscription],
	"subscription-provisioning-status.response.json": roundTrip[SubscriptionProvisioningStatus],
	"subscription.response.json":                     roundTrip[Subscription],
	"subscriptions-by-partner.response.json":         roundTrip[Collection[Subscription]],
	"subscriptions-list.response.json":               roundTrip[Collection[Subscription]],
	"throttled-429.response.json":                    roundTrip[ThrottleBody],
}

func roundTrip[T any](data []byte) ([]byte, error) {
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func readExamples(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.json"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no examples under %s (CI must clone shared/ beside the repo): %v", examplesDir, err)
	}
	out := make(map[string][]byte, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// camelKeys lower-cases the first letter of every object member name:
// PC's request samples are PascalCase, the client writes camelCase, and PC
// reads member names case-insensitively. Timestamps need no normalising: an
// unchanged timestamp is written back with its original text.
func camelKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			r, n := utf8.DecodeRuneInString(k)
			m[string(unicode.ToLower(r))+k[n:]] = camelKeys(e)
		}
		return m
	case []any:
		for i := range x {
			x[i] = camelKeys(x[i])
		}
		return x
	}
	return v
}

// TestContractExamplesRoundTrip decodes every example payload into the
// client's type and re-encodes it: nothing may be lost, changed or added.
func TestContractExamplesRoundTrip(t *testing.T) {
	t.Parallel()
	for name, data := range readExamples(t) {
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			t.Parallel()
			dec, ok := decoders[name]
			if !ok {
				t.Fatalf("example %s has no decoder: add it to decoders", name)
			}
			out, err := dec(data)
			if err != nil {
				t.Fatalf("round trip: %v", err)
			}
			var want, got any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("re-encoded JSON invalid: %v\n%s", err, out)
			}
			if d := cmp.Diff(camelKeys(want), camelKeys(got)); d != "" {
				t.Errorf("round trip changed the payload (-want +got):\n%s", d)
			}
		})
	}
}
