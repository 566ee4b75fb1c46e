package mirror_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// grainCost is what one incremental sync cost after one change: the PC
// calls of the run and the mirror rows it wrote, per table.
type grainCost struct {
	calls, skus int64
	written     map[string]int
	// versionMoved: the customer's data version moved (its pages read
	// its subscriptions again).
	versionMoved bool
}

func (c grainCost) rows() int {
	n := 0
	for _, w := range c.written {
		n += w
	}
	return n
}

// customerTables are the mirror tables that hold a customer's rows (they
// have a customer_id column), except the PC audit records the sync
// appends by design and the customers' data versions (one row each,
// checked on its own).
func customerTables(tb testing.TB, e *tenv) []string {
	tb.Helper()
	rows, err := e.Store.Pool.Query(context.Background(), `SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND c.column_name = 'customer_id' AND t.table_type = 'BASE TABLE'
		  AND c.table_name NOT IN ('pc_audit_records', 'customer_data_versions') ORDER BY 1`)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return names
}

// changeCost makes one change in PC (outside the portal) and runs one
// incremental sync. Rows written are those of customer whose xmin is a
// transaction after the change, plus rows deleted.
func changeCost(tb testing.TB, e *tenv, customer string, change func(context.Context) error) grainCost {
	tb.Helper()
	ctx := context.Background()
	tables := customerTables(tb, e)
	before := map[string]int{}
	for _, tbl := range tables {
		before[tbl] = e.Count(`SELECT count(*) FROM `+tbl+` WHERE customer_id = $1`, customer)
	}
	var xid int64
	if err := e.Store.Pool.QueryRow(ctx, `SELECT txid_current() % 4294967296`).Scan(&xid); err != nil {
		tb.Fatal(err)
	}
	version := func() int64 {
		v, err := e.Store.Q.CustomerDataVersion(ctx, e.Store.Pool, uuid.MustParse(customer))
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
	v0 := version()
	e.SB.Advance(time.Second)
	if err := change(ctx); err != nil {
		tb.Fatalf("change in PC: %v", err)
	}
	skus := e.SB.Calls(sandbox.OpListSubscribedSkus)
	runID := e.Run(mirror.KindIncremental)
	run, err := e.Store.SyncRun(ctx, runID)
	if err != nil {
		tb.Fatal(err)
	}
	c := grainCost{calls: int64(run.PcCalls), skus: int64(e.SB.Calls(sandbox.OpListSubscribedSkus) - skus), written: map[string]int{},
		versionMoved: version() > v0}
	for _, tbl := range tables {
		n := e.Count(`SELECT count(*) FROM `+tbl+` WHERE customer_id = $1 AND xmin::text::bigint > $2`, customer, xid)
		gone := before[tbl] - e.Count(`SELECT count(*) FROM `+tbl+` WHERE customer_id = $1`, customer)
		if n+max(gone, 0) > 0 {
			c.written[tbl] = n + max(gone, 0)
		}
	}
	return c
}

// renameCost renames subscription sid in PC and syncs.
func renameCost(tb testing.TB, e *tenv, customer, sid, name string) grainCost {
	tb.Helper()
	c := changeCost(tb, e, customer, func(ctx context.Context) error {
		_, err := e.Client.SetSubscriptionFriendlyName(ctx, pccclient.NewRequestID(), customer, sid, name)
		return err
	})
	if got := e.Count(`SELECT count(*) FROM subscriptions WHERE id = $1 AND friendly_name = $2`, sid, name); got != 1 {
		tb.Fatalf("the mirror does not show the new name of %s", sid)
	}
	return c
}

// someSubscription is one base subscription of the only customer.
func someSubscription(tb testing.TB, e *tenv) (customer, sid string) {
	tb.Helper()
	err := e.Store.Pool.QueryRow(context.Background(), `SELECT customer_id::text, id FROM subscriptions
		WHERE parent_subscription_id = '' AND status = 'active' ORDER BY md5(id) LIMIT 1`).Scan(&customer, &sid)
	if err != nil {
		tb.Fatal(err)
	}
	return customer, sid
}

// TestRenameCostsOneSubscription: renaming one subscription in PC costs
// the incremental sync at most 3 PC calls and writes only that
// subscription's row, whether its customer has 10 subscriptions or 500.
func TestRenameCostsOneSubscription(t *testing.T) {
	t.Parallel()
	for _, per := range []int{10, 500} {
		t.Run(strconv.Itoa(per), func(t *testing.T) {
			t.Parallel()
			e := bulkEnv(t, 1, per)
			customer, sid := someSubscription(t, e)
			c := renameCost(t, e, customer, sid, "Renamed in PC")
			if c.calls > 3 {
				t.Errorf("%d PC calls for one rename; want at most 3", c.calls)
			}
			if c.rows() != 1 || c.written["subscriptions"] != 1 || c.skus != 0 || !c.versionMoved {
				t.Errorf("one rename wrote %v, read licence usage %d times, moved the data version %v; want the one subscription, no read, moved",
					c.written, c.skus, c.versionMoved)
			}
		})
	}
}

// TestSeatChangeReadsLicenceUsage: a seat change a person made in PC moves
// licences, so the sync reads its customer's licence usage once with the
// subscription, and still not the customer's other subscriptions.
func TestSeatChangeReadsLicenceUsage(t *testing.T) {
	t.Parallel()
	e := bulkEnv(t, 1, 10)
	customer, sid := someSubscription(t, e)
	seats := e.Count(`SELECT quantity FROM subscriptions WHERE id = $1`, sid)
	c := changeCost(t, e, customer, func(ctx context.Context) error {
		_, err := e.Client.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), customer, sid, seats+1)
		return err
	})
	if c.skus != 1 || c.calls > 3 || c.written["subscriptions"] != 1 {
		t.Errorf("one seat change: %d PC calls, %d licence-usage reads, rows written %v; want at most 3, 1, one subscription",
			c.calls, c.skus, c.written)
	}
	if got := e.Count(`SELECT quantity FROM subscriptions WHERE id = $1`, sid); got != seats+1 {
		t.Errorf("the mirror shows %d seats; want %d", got, seats+1)
	}
}

// BenchmarkRenameOneSubscription reports PC calls and mirror rows written
// by the incremental sync after one rename, for a customer of 10 and of
// 500 subscriptions.
//
//	go test ./mirror -run '^$' -bench BenchmarkRenameOneSubscription -benchtime 5x
func BenchmarkRenameOneSubscription(b *testing.B) {
	for _, per := range []int{10, 500} {
		b.Run("subscriptions="+strconv.Itoa(per), func(b *testing.B) {
			e := bulkEnv(b, 1, per)
			customer, sid := someSubscription(b, e)
			var c grainCost
			i := 0
			for b.Loop() {
				b.StopTimer()
				i++
				name := fmt.Sprintf("Renamed %d", i)
				b.StartTimer()
				c = renameCost(b, e, customer, sid, name)
			}
			b.ReportMetric(float64(c.calls), "pc-calls")
			b.ReportMetric(float64(c.rows()), "rows-written")
		})
	}
}
