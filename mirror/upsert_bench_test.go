package mirror

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
)

// BenchmarkUpsert measures the mirror's write path alone (no PC calls):
// batches of 50 customers, each with 10 subscriptions, 2 orders, an
// agreement and 3 license-usage rows, written as a full import writes them.
func BenchmarkUpsert(b *testing.B) {
	st := testdb.NewStore(b)
	pc, err := pcconn.New(pcconn.Deps{Config: func(context.Context) (pccclient.Config, error) { return pccclient.Config{}, nil }})
	if err != nil {
		b.Fatal(err)
	}
	m, err := New(Deps{Store: st, PC: pc})
	if err != nil {
		b.Fatal(err)
	}
	mk := func(round int) []*fetched {
		var batch []*fetched
		for c := range 50 {
			id := uuid.New()
			f := &fetched{target: target{id: id, need: needAll}, got: needAll,
				customer: &pccclient.Customer{ID: id.String(), CompanyProfile: &pccclient.CompanyProfile{CompanyName: fmt.Sprint("C", round, c),
					Domain: fmt.Sprintf("c%d-%d.onmicrosoft.com", round, c)}, BillingProfile: &pccclient.BillingProfile{Email: "b@example.com"}}}
			for s := range 10 {
				f.subs = append(f.subs, pccclient.Subscription{ID: uuid.NewString(), OfferID: "OFFER", OfferName: "Offer",
					Quantity: s + 1, Status: pccclient.SubscriptionActive, BillingCycle: pccclient.BillingCycleMonthly,
					CommitmentEndDate: time.Now().AddDate(1, 0, 0), AutoRenewEnabled: true})
			}
			for range 2 {
				f.orders = append(f.orders, pccclient.Order{ID: uuid.NewString(), Status: pccclient.OrderCompleted,
					LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: "OFFER", Quantity: 1}}})
			}
			f.agreements = []pccclient.Agreement{{Type: "MicrosoftCustomerAgreement", TemplateID: "t", DateAgreed: time.Now()}}
			for k := range 3 {
				f.skus = append(f.skus, pccclient.SubscribedSKU{TotalUnits: 5, ProductSKU: &pccclient.ProductSKU{ID: fmt.Sprint("sku", k)}})
			}
			batch = append(batch, f)
		}
		return batch
	}
	const rowsPerBatch = 50 * (1 + 10 + 2*2 + 1 + 3)
	batches := make([][]*fetched, b.N)
	for i := range batches {
		batches[i] = mk(i)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if err := m.writeCustomers(context.Background(), nil, batches[i], false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*rowsPerBatch)/time.Since(start).Seconds(), "rows/s")
}
