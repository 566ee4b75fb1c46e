package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// runCatalog mirrors the catalog of every configured country: legacy
// offers with their add-on and prerequisite relations, and new-commerce
// products, SKUs and availabilities. Items PC no longer lists are marked gone.
// A country's price list is then rebuilt from its loaded price sheet, which
// may have arrived before the availabilities it joins (a new install).
func (m *Mirror) runCatalog(ctx context.Context, pc *pccclient.Client, o RunOptions) (int64, error) {
	r, err := m.startRun(ctx, KindCatalog, o, false)
	if err != nil {
		return 0, err
	}
	ctx = pcconn.WithCallStats(ctx, &r.stats)
	countries := o.Countries
	if len(countries) == 0 {
		countries = m.opt.Countries
	}
	if len(countries) == 0 {
		st, err := m.st.Settings(ctx)
		if err != nil {
			return r.id, r.finish(ctx, err)
		}
		// The customers' countries too: a customer's cart and price list
		// read the catalog of its own country.
		markets, err := m.st.PriceMarkets(ctx)
		if err != nil {
			return r.id, r.finish(ctx, err)
		}
		countries = []string{strings.ToUpper(st.DefaultCountry)}
		for _, c := range markets {
			if !slices.Contains(countries, c) {
				countries = append(countries, c)
			}
		}
	}
	r.setTotal(len(countries))
	repriced := false
	for _, c := range countries {
		if err := m.catalogCountry(ctx, pc, r, strings.ToUpper(c)); err != nil {
			return r.id, r.finish(ctx, fmt.Errorf("catalog %s: %w", c, err))
		}
		ok, err := m.st.RebuildPriceList(ctx, c, m.opt.PCNow())
		if err != nil {
			return r.id, r.finish(ctx, fmt.Errorf("catalog %s: %w", c, err))
		}
		repriced = repriced || ok
		r.step(1)
	}
	if repriced {
		if _, err := m.RepriceRenewals(ctx); err != nil {
			return r.id, r.finish(ctx, err)
		}
	}
	return r.id, r.finish(ctx, nil)
}

type catalogRows struct {
	mu        sync.Mutex
	offers    []db.UpsertOfferParams
	relations []db.UpsertOfferRelationParams
	products  []db.UpsertProductParams
	skus      []db.UpsertSkuParams
	avails    []db.UpsertAvailabilityParams
}

func (m *Mirror) catalogCountry(ctx context.Context, pc *pccclient.Client, r *run, country string) error {
	at := SyncTime()
	rows := &catalogRows{}
	offers, err := pccclient.Collect(pc.ListOffers(ctx, country))
	if err != nil {
		return fmt.Errorf("list offers: %w", err)
	}
	for i := range offers {
		o := &offers[i]
		p := db.UpsertOfferParams{
			Country: country, ID: o.ID, Name: o.Name, Description: o.Description, Billing: strings.ToLower(string(o.Billing)),
			UnitType: o.UnitType, MinQuantity: int32(o.MinimumQuantity), MaxQuantity: int32(o.MaximumQuantity),
			IsAddOn: o.IsAddOn, HasAddOns: o.HasAddOns, IsAvailableForPurchase: o.IsAvailableForPurchase,
			IsAutoRenewable: o.IsAutoRenewable, IsTrial: o.IsTrial, SupportedBillingCycles: []string{},
			Raw: RawJSON(o), SyncedAt: at,
		}
		if o.Category != nil {
			p.Category = o.Category.Name
		}
		if o.Product != nil {
			p.ProductID, p.ProductName = o.Product.ID, o.Product.Name
		}
		for _, bc := range o.SupportedBillingCycles {
			p.SupportedBillingCycles = append(p.SupportedBillingCycles, strings.ToLower(string(bc)))
		}
		rows.offers = append(rows.offers, p)
		for _, pre := range o.PrerequisiteOffers {
			rows.relations = append(rows.relations, db.UpsertOfferRelationParams{Country: country, OfferID: o.ID,
				Kind: "prerequisite", RelatedID: pre, SyncedAt: at})
		}
	}
	// Add-ons and the new-commerce tree: many small reads, a few at a time.
	sem := make(chan struct{}, m.opt.Concurrency)
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
	}
	spawn := func(f func() error) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(); err != nil {
				fail(err)
			}
		}()
	}
	for i := range offers {
		o := offers[i]
		if !o.HasAddOns {
			continue
		}
		spawn(func() error {
			addons, err := pccclient.Collect(pc.ListOfferAddOns(ctx, country, o.ID))
			if err != nil {
				return fmt.Errorf("add-ons of %s: %w", o.ID, err)
			}
			rows.mu.Lock()
			defer rows.mu.Unlock()
			for _, a := range addons {
				rows.relations = append(rows.relations, db.UpsertOfferRelationParams{Country: country, OfferID: o.ID,
					Kind: "addon", RelatedID: a.ID, SyncedAt: at})
			}
			return nil
		})
	}
	for _, view := range m.opt.TargetViews {
		products, err := pccclient.Collect(pc.ListProducts(ctx, country, view))
		if err != nil {
			r.fail(fmt.Errorf("products (%s): %w", view, err))
			continue
		}
		for i := range products {
			p := products[i]
			row := db.UpsertProductParams{Country: country, ID: p.ID, Title: p.Title, Description: p.Description,
				PublisherName: p.PublisherName, IsMicrosoftProduct: p.IsMicrosoftProduct, Raw: RawJSON(p), SyncedAt: at}
			if p.ProductType != nil {
				row.ProductType = p.ProductType.ID
				if p.ProductType.SubType != nil {
					row.ProductSubtype = p.ProductType.SubType.ID
				}
			}
			rows.mu.Lock()
			rows.products = append(rows.products, row)
			rows.mu.Unlock()
			spawn(func() error { return m.catalogProduct(ctx, pc, country, p.ID, at, rows) })
		}
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	rows.products = dedupe(rows.products, func(p db.UpsertProductParams) string { return p.ID })
	err = m.inTx(ctx, func(tx pgx.Tx) error {
		q := m.st.Q
		var err error
		exec := func(_ int, e error) {
			if e != nil && err == nil {
				err = e
			}
		}
		if len(rows.offers) > 0 {
			q.UpsertOffer(ctx, tx, rows.offers).Exec(exec)
		}
		if len(rows.relations) > 0 {
			q.UpsertOfferRelation(ctx, tx, rows.relations).Exec(exec)
		}
		if len(rows.products) > 0 {
			q.UpsertProduct(ctx, tx, rows.products).Exec(exec)
		}
		if len(rows.skus) > 0 {
			q.UpsertSku(ctx, tx, rows.skus).Exec(exec)
		}
		if len(rows.avails) > 0 {
			q.UpsertAvailability(ctx, tx, rows.avails).Exec(exec)
		}
		if err != nil {
			return err
		}
		if err := q.MarkCatalogGone(ctx, tx, db.MarkCatalogGoneParams{Country: country, Before: at, Now: &at}); err != nil {
			return err
		}
		return q.SetWatermark(ctx, tx, db.SetWatermarkParams{Name: "catalog:" + country, At: m.opt.PCNow()})
	})
	if err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	r.add("offers", len(rows.offers))
	r.add("offer_relations", len(rows.relations))
	r.add("products", len(rows.products))
	r.add("skus", len(rows.skus))
	r.add("availabilities", len(rows.avails))
	return nil
}

func (m *Mirror) catalogProduct(ctx context.Context, pc *pccclient.Client, country, productID string, at time.Time, rows *catalogRows) error {
	skus, err := pccclient.Collect(pc.ListSKUs(ctx, country, productID))
	if err != nil {
		return fmt.Errorf("skus of %s: %w", productID, err)
	}
	for i := range skus {
		s := &skus[i]
		row := db.UpsertSkuParams{Country: country, ProductID: productID, ID: s.ID, Title: s.Title, Description: s.Description,
			MinQuantity: int32(s.MinimumQuantity), MaxQuantity: int32(s.MaximumQuantity), IsTrial: s.IsTrial,
			ConsumptionType: s.ConsumptionType, SupportedBillingCycles: []string{},
			PurchasePrerequisites: append([]string{}, s.PurchasePrerequisites...), Raw: RawJSON(s), SyncedAt: at}
		for _, bc := range s.SupportedBillingCycles {
			row.SupportedBillingCycles = append(row.SupportedBillingCycles, strings.ToLower(string(bc)))
		}
		avs, err := pccclient.Collect(pc.ListAvailabilities(ctx, country, productID, s.ID))
		if err != nil {
			return fmt.Errorf("availabilities of %s/%s: %w", productID, s.ID, err)
		}
		rows.mu.Lock()
		rows.skus = append(rows.skus, row)
		for j := range avs {
			a := &avs[j]
			ar := db.UpsertAvailabilityParams{Country: country, ProductID: productID, SkuID: s.ID, ID: a.ID,
				CatalogItemID: a.CatalogItemID, Segment: a.Segment, IsPurchasable: a.IsPurchasable,
				IsRenewable: a.IsRenewable, Terms: RawJSON(a.Terms), Raw: RawJSON(a), SyncedAt: at}
			if a.Terms == nil {
				ar.Terms = json.RawMessage("[]")
			}
			if a.DefaultCurrency != nil {
				ar.Currency = a.DefaultCurrency.Code
			}
			rows.avails = append(rows.avails, ar)
		}
		rows.mu.Unlock()
	}
	return nil
}

func dedupe[T any](in []T, key func(T) string) []T {
	seen := map[string]bool{}
	out := in[:0]
	for _, v := range in {
		if k := key(v); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}

// Price is one unit price of a price list (PC publishes prices as separate
// price-list downloads, not through the catalog API).
type Price struct {
	ItemID       string // legacy offer id or catalog item id
	TermDuration string
	BillingCycle string
	Currency     string
	UnitPrice    decimal.Decimal
}

// SavePrices stores a country's price list in the mirror, replacing the
// previous one (prices it no longer contains are marked gone).
func (m *Mirror) SavePrices(ctx context.Context, country string, prices []Price) error {
	at := SyncTime()
	rows := make([]db.UpsertPriceParams, 0, len(prices))
	for _, p := range prices {
		rows = append(rows, db.UpsertPriceParams{Country: strings.ToUpper(country), ItemID: p.ItemID, TermDuration: p.TermDuration,
			BillingCycle: strings.ToLower(p.BillingCycle), Currency: strings.ToUpper(p.Currency), UnitPrice: p.UnitPrice, SyncedAt: at})
	}
	return m.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if len(rows) > 0 {
			m.st.Q.UpsertPrice(ctx, tx, rows).Exec(func(_ int, e error) {
				if e != nil && err == nil {
					err = e
				}
			})
		}
		if err != nil {
			return fmt.Errorf("save prices: %w", err)
		}
		return store.MarkPricesGone(ctx, tx, country, at)
	})
}
