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

// BenchmarkDecodeSubscriptionPage decodes a page of 50 subscriptions, the
// shape a sync reads most: nested models (items, links, attributes) are
// handed to their own decoder rather than re-validated by encoding/json
// at each level.
func BenchmarkDecodeSubscriptionPage(b *testing.B) {
	one, err := os.ReadFile(examplesDir + "/subscription-nce-patch-quantity.request.json")
	if err != nil {
		b.Skip(err)
	}
	page := []byte(`{"totalCount":50,"items":[`)
	for i := range 50 {
		if i > 0 {
			page = append(page, ',')
		}
		page = append(page, one...)
	}
	page = append(page, `],"attributes":{"objectType":"Collection"}}`...)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		var c Collection[Subscription]
		if err := json.Unmarshal(page, &c); err != nil || len(c.Items) != 50 {
			b.Fatal(err, len(c.Items))
		}
	}
}
