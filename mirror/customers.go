package mirror

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// need says which parts of a customer to read from PC.
type need uint8

const (
	needCustomer need = 1 << iota
	needSubs
	needOrders
	needAgreements
	needSkus

	needChildren = needSubs | needOrders | needAgreements | needSkus
	needAll      = needCustomer | needChildren
)

// target is one customer to refresh and what to read.
type target struct {
	id   uuid.UUID
	need need
}

// fetched is what PC returned for one customer. Collections are written
// (and rows missing from them marked gone) only for the parts in got.
type fetched struct {
	target
	got  need
	gone bool // PC answered 404: the customer is no longer ours
	// removed: PC refused with "no relationship" (the customer removed the
	// partner); the customer stays in the mirror, marked, and sync goes on.
	removed error
	// skipped says why parts asked for were not read although the customer
	// was (agreements and license usage need a partner admin's sign-in;
	// license usage also delegated admin rights in the customer's tenant).
	skipped    map[need]error
	listed     bool // customer comes from PC's list (no billing profile)
	err        error
	customer   *pccclient.Customer
	subs       []pccclient.Subscription
	orders     []pccclient.Order
	agreements []pccclient.Agreement
	skus       []pccclient.SubscribedSKU
}

// fetchCustomer reads the parts of one customer asked for.
func fetchCustomer(ctx context.Context, pc *pccclient.Client, t target) *fetched {
	f := &fetched{target: t}
	id := t.id.String()
	notFound := func(err error) bool {
		if pccclient.IsNotFound(err) {
			f.gone = true
			return true
		}
		if pccclient.IsNoRelationship(err) {
			f.removed = err
			return true
		}
		return false
	}
	// skip reports (and records) an error that only stops this part.
	skip := func(n need, err error) bool {
		if pccclient.IsConsentRequired(err) || (n == needSkus && pccclient.IsNoDelegatedAdmin(err)) {
			if f.skipped == nil {
				f.skipped = map[need]error{}
			}
			f.skipped[n] = err
			return true
		}
		return false
	}
	if t.need&needCustomer != 0 {
		c, err := pc.GetCustomer(ctx, id)
		if notFound(err) {
			return f
		}
		if err != nil {
			f.err = err
			return f
		}
		f.customer, f.got = c, f.got|needCustomer
	}
	var err error
	if t.need&needSubs != 0 {
		if f.subs, err = pccclient.Collect(pc.ListSubscriptions(ctx, id)); notFound(err) {
			return f
		} else if err != nil {
			f.err = err
			return f
		}
		f.got |= needSubs
	}
	if t.need&needOrders != 0 {
		if f.orders, err = pccclient.Collect(pc.ListOrders(ctx, id)); notFound(err) {
			return f
		} else if err != nil {
			f.err = err
			return f
		}
		f.got |= needOrders
	}
	if t.need&needAgreements != 0 {
		if f.agreements, err = pccclient.Collect(pc.ListAgreements(ctx, id, "")); notFound(err) {
			return f
		} else if skip(needAgreements, err) {
			f.agreements = nil
		} else if err != nil {
			f.err = err
			return f
		}
		if f.skipped[needAgreements] == nil {
			f.got |= needAgreements
		}
	}
	if t.need&needSkus != 0 {
		if f.skus, err = pccclient.Collect(pc.ListSubscribedSKUs(ctx, id)); notFound(err) {
			return f
		} else if skip(needSkus, err) {
			f.skus = nil
		} else if err != nil {
			f.err = err
			return f
		}
		if f.skipped[needSkus] == nil {
			f.got |= needSkus
		}
	}
	return f
}

// refresh fetches targets with bounded concurrency and writes them in
// batched transactions. onWritten is called after each committed batch
// with the indexes of targets written. Targets whose fetch failed are
// retried in up to two more rounds; those still failing are returned.
func (m *Mirror) refresh(ctx context.Context, pc *pccclient.Client, r *run, targets []target, drift bool, onWritten func([]int)) ([]target, error) {
	idx := make([]int, len(targets))
	for i := range idx {
		idx[i] = i
	}
	for round := 0; round < 3 && len(idx) > 0; round++ {
		if round > 0 {
			m.log.Info("retrying customers that failed", "count", len(idx), "round", round)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(round) * time.Second):
			}
		}
		failed, err := m.refreshRound(ctx, pc, r, targets, idx, drift, onWritten)
		if err != nil {
			return nil, err
		}
		idx = failed
	}
	out := make([]target, 0, len(idx))
	for _, i := range idx {
		out = append(out, targets[i])
	}
	return out, nil
}

type result struct {
	i int
	f *fetched
}

func (m *Mirror) refreshRound(ctx context.Context, pc *pccclient.Client, r *run, targets []target, idx []int, drift bool, onWritten func([]int)) ([]int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int)
	// Room for several batches, so fetchers keep going while a batch is written.
	results := make(chan result, max(m.opt.Concurrency*2, m.opt.BatchSize*4))
	var wg sync.WaitGroup
	for range min(m.opt.Concurrency, len(idx)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				f := fetchCustomer(ctx, pc, targets[i])
				select {
				case results <- result{i, f}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(work)
		for _, i := range idx {
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var failed []int
	var batch []*fetched
	var batchIdx []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := m.writeCustomers(ctx, r, batch, drift); err != nil {
			return err
		}
		r.step(len(batch))
		if onWritten != nil {
			onWritten(batchIdx)
		}
		batch, batchIdx = batch[:0], batchIdx[:0]
		return nil
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case res, ok := <-results:
			if !ok {
				if err := flush(); err != nil {
					return nil, err
				}
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				slices.Sort(failed)
				return failed, nil
			}
			if res.f.err != nil {
				if ctx.Err() != nil {
					continue
				}
				r.fail(fmt.Errorf("customer %s: %w", res.f.id, res.f.err))
				failed = append(failed, res.i)
				continue
			}
			batch = append(batch, res.f)
			batchIdx = append(batchIdx, res.i)
			if len(batch) >= m.opt.BatchSize {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		case <-tick.C:
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
}

// writeCustomers writes one batch of fetched customers in one transaction.
func (m *Mirror) writeCustomers(ctx context.Context, r *run, batch []*fetched, drift bool) error {
	at := SyncTime()
	return m.inTx(ctx, func(tx pgx.Tx) error { return m.writeBatchTx(ctx, tx, r, batch, drift, at) })
}

// writeFetched writes one customer's fetched parts inside tx.
func (m *Mirror) writeFetched(ctx context.Context, tx pgx.Tx, f *fetched, at time.Time) error {
	return m.writeBatchTx(ctx, tx, nil, []*fetched{f}, false, at)
}

// writeBatchTx upserts a batch and marks as gone what PC no longer returned
// for the parts that were read. r may be nil (no bookkeeping).
func (m *Mirror) writeBatchTx(ctx context.Context, tx pgx.Tx, r *run, batch []*fetched, drift bool, at time.Time) error {
	{
		q := m.st.Q
		// The mirror can always be read again from PC (and imports resume
		// from their checkpoint), so its writes need not wait for the disk.
		if r != nil {
			if err := store.NoDurableCommit(ctx, tx); err != nil {
				return err
			}
		}
		var report *driftReport
		if drift && r != nil {
			var err error
			if report, err = m.loadDriftBase(ctx, tx, r.id, batch); err != nil {
				return err
			}
		}
		var (
			custs  []store.MirroredCustomer
			listed []db.UpsertCustomerListedParams
			subs   []db.UpsertSubscriptionParams
			orders []db.UpsertOrderParams
			lines  []db.UpsertOrderLineItemParams
			agrs   []db.UpsertAgreementParams
			skus   []store.SubscribedSkuRow
			lws    []subWrite
			gone   []uuid.UUID
			ids    = map[need][]uuid.UUID{}
		)
		var removed []*fetched
		for _, f := range batch {
			if f.removed != nil {
				removed = append(removed, f)
				continue
			}
			if f.gone {
				gone = append(gone, f.id)
				continue
			}
			for _, n := range []need{needSubs, needOrders, needAgreements, needSkus} {
				if f.got&n != 0 {
					ids[n] = append(ids[n], f.id)
				}
			}
			if f.customer != nil {
				c := customerRow(f.customer, f.id, at)
				if f.listed {
					listed = append(listed, db.UpsertCustomerListedParams{ID: c.ID, TenantID: c.TenantID, CommerceID: c.CommerceID,
						Domain: c.Domain, CompanyName: c.CompanyName, CompanyEmail: c.CompanyEmail,
						OrganizationRegistrationNumber: c.OrganizationRegistrationNumber, Relationship: c.Relationship,
						AllowDelegatedAccess: c.AllowDelegatedAccess, AssociatedPartnerID: lower(c.AssociatedPartnerID),
						Raw: c.Raw, SyncedAt: at})
				}
				custs = append(custs, c)
			}
			for i := range f.subs {
				subs = append(subs, subscriptionRow(&f.subs[i], f.id, at, true))
			}
			lws = append(lws, subWrites(f.subs, f.id)...)
			for i := range f.orders {
				o, ls := orderRows(&f.orders[i], f.id, at)
				orders = append(orders, o)
				lines = append(lines, ls...)
			}
			for i := range f.agreements {
				agrs = append(agrs, agreementRow(&f.agreements[i], f.id, at))
			}
			for i := range f.skus {
				if p, ok := subscribedSkuRow(&f.skus[i], f.id, at); ok {
					skus = append(skus, p)
				}
			}
		}
		if report != nil {
			report.compare(batch, custs, subs, orders)
		}
		var err error
		keep := func(e error) {
			if e != nil && err == nil {
				err = e
			}
		}
		exec := func(_ int, e error) { keep(e) }
		if len(listed) > 0 {
			q.UpsertCustomerListed(ctx, tx, listed).Exec(exec)
		} else {
			keep(store.BulkUpsertCustomers(ctx, tx, custs))
		}
		keep(store.BulkUpsertSubscriptions(ctx, tx, subs))
		keep(store.BulkUpsertOrders(ctx, tx, orders))
		keep(store.BulkUpsertOrderLines(ctx, tx, lines))
		if err == nil {
			// After the orders: the default pricer reads their lines.
			keep(m.writeLifecycle(ctx, tx, lws, true, "", at))
		}
		if len(agrs) > 0 {
			q.UpsertAgreement(ctx, tx, agrs).Exec(exec)
		}
		keep(store.BulkUpsertSubscribedSkus(ctx, tx, skus))
		if err != nil {
			return fmt.Errorf("write customers: %w", err)
		}
		var n int64
		if c := ids[needSubs]; len(c) > 0 {
			n, err = q.MarkSubscriptionsGone(ctx, tx, db.MarkSubscriptionsGoneParams{CustomerIds: c, Before: at, Now: &at})
			keep(err)
			r.add("subscriptions_gone", int(n))
		}
		if c := ids[needOrders]; len(c) > 0 {
			n, err = q.MarkOrdersGone(ctx, tx, db.MarkOrdersGoneParams{CustomerIds: c, Before: at, Now: &at})
			keep(err)
			r.add("orders_gone", int(n))
			_, e := q.MarkOrderLinesGone(ctx, tx, db.MarkOrderLinesGoneParams{CustomerIds: c, Before: at, Now: &at})
			keep(e)
		}
		if c := ids[needAgreements]; len(c) > 0 {
			_, e := q.MarkAgreementsGone(ctx, tx, db.MarkAgreementsGoneParams{CustomerIds: c, Before: at, Now: &at})
			keep(e)
		}
		if c := ids[needSkus]; len(c) > 0 {
			_, e := q.MarkSubscribedSkusGone(ctx, tx, db.MarkSubscribedSkusGoneParams{CustomerIds: c, Before: at, Now: &at})
			keep(e)
		}
		if len(gone) > 0 && err == nil {
			gone, err = m.keepJustCreated(ctx, tx, r, gone)
		}
		for _, id := range gone {
			keep(q.MarkCustomerGone(ctx, tx, db.MarkCustomerGoneParams{ID: id, Now: &at}))
		}
		if len(gone) > 0 {
			keep(q.MarkGoneCustomersChildren(ctx, tx, &at))
			r.add("customers_gone", len(gone))
		}
		keep(m.writeCustomerHealth(ctx, tx, r, batch, removed, at))
		if report != nil {
			keep(report.save(ctx, tx, q))
			r.add("drift", len(report.rows))
		}
		if err != nil {
			return fmt.Errorf("write customers: %w", err)
		}
		// A full import or reconcile writes each customer twice (listing,
		// then details); its summary counts the listing only.
		if r == nil || len(listed) > 0 || (r.kind != KindFull && r.kind != KindReconcile) {
			r.add("customers", len(custs))
		}
		r.add("subscriptions", len(subs))
		r.add("orders", len(orders))
		r.add("agreements", len(agrs))
		r.add("subscribed_skus", len(skus))
		return nil
	}
}
