package commerce_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// deliveryBenchScale multiplies PC's budget: the client's partner-wide
// pace of one bucket per class, set through Config.RateLimits
// (pccclient.DefaultRateLimits: writes 5/s burst 10, reads 20/s burst 40) and the sandbox's per-minute throttles set to the same budget
// (create-order 300/min, list-subscriptions 1200/min, each times the
// scale). MIRROR_BENCH_DELIVERY_SCALE overrides it.
func deliveryBenchScale() int {
	if n, err := strconv.Atoi(os.Getenv("MIRROR_BENCH_DELIVERY_SCALE")); err == nil && n > 0 {
		return n
	}
	return 20
}

// BenchmarkDeliveryThroughput delivers b.N queued orders (one line each,
// spread over 16 customers) with 8 River workers against a sandbox that
// throttles like PC with its limits scaled by deliveryBenchScale, and
// reports commands/s from start to the last command done, next to the
// write budget (commands/s the scaled limits allow after the burst). Each delivery is
// one create-order and one list of the order's subscriptions, then the
// mirror transaction.
//
//	go test ./commerce -run '^$' -bench BenchmarkDeliveryThroughput -benchtime 500x
func BenchmarkDeliveryThroughput(b *testing.B) {
	scale := deliveryBenchScale()
	e := newEnv(b, sandbox.Options{Seed: 31, RealTime: true})
	custs := make([]uuid.UUID, 16)
	for i := range custs {
		custs[i] = uuid.MustParse(e.NewCustomer(true))
	}
	offer := e.LicenseOffer()
	e.SB.SetFaults(sandbox.Faults{Throttle: map[string]sandbox.Throttle{
		sandbox.OpCreateOrder:       {PerMinute: 5 * 60 * scale},
		sandbox.OpListSubscriptions: {PerMinute: 20 * 60 * scale},
	}})
	ctx := context.Background()
	for i := range b.N {
		enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: custs[i%len(custs)],
			By: staff("bench"), Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
				LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: offer, Quantity: 1}}}}})
	}
	m := e.NewStack(sandboxtest.StackOptions{Jobs: jobs.Options{Workers: 8}, Tweak: func(c *pccclient.Config) {
		c.Clock = nil // real waits on 429s
		c.RateLimits = map[pccclient.OpClass]pccclient.RateLimit{}
		for class, rl := range pccclient.DefaultRateLimits() {
			c.RateLimits[class] = pccclient.RateLimit{Rate: rl.Rate * rate.Limit(scale), Burst: rl.Burst * scale}
		}
	}})
	b.ResetTimer()
	start := time.Now()
	m.Start()
	for {
		var done, failed int
		if err := e.Store.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed')
			FROM commands`).Scan(&done, &failed); err != nil {
			b.Fatal(err)
		}
		if failed > 0 {
			b.Fatalf("%d commands failed", failed)
		}
		if done == b.N {
			break
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("%d of %d commands done after 10 minutes", done, b.N)
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "commands/s")
	b.ReportMetric(float64(5*scale), "write-budget/s")
	b.ReportMetric(float64(e.SB.Calls(sandbox.OpCreateOrder)-b.N), "extra-order-calls")
}
