package pccclient

import (
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkDecodeSubscription measures the round-trip codec on a PC
// subscription payload (compare BenchmarkDecodeSubscriptionPlain).
func BenchmarkDecodeSubscription(b *testing.B) {
	data, err := os.ReadFile(examplesDir + "/subscription-nce-patch-quantity.request.json")
	if err != nil {
		b.Skip(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var s Subscription
		if err := json.Unmarshal(data, &s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSubscriptionPlain decodes the same payload with plain
// encoding/json into a struct without the codec (the cost floor).
func BenchmarkDecodeSubscriptionPlain(b *testing.B) {
	data, err := os.ReadFile(examplesDir + "/subscription-nce-patch-quantity.request.json")
	if err != nil {
		b.Skip(err)
	}
	type plainSub struct {
		ID, OfferID, FriendlyName, Status, BillingCycle string
		Quantity                                        int
		Links                                           map[string]struct{ URI, Method string }
		Attributes                                      struct{ ObjectType string }
	}
	b.ReportAllocs()
	for b.Loop() {
		var s plainSub
		if err := json.Unmarshal(data, &s); err != nil {
			b.Fatal(err)
		}
	}
}
