package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/store/db"
)

// CatalogFilter narrows the catalog list; zero values mean "any".
type CatalogFilter struct {
	Query        string // full-text search over name and description (prefix matching per word)
	Country      string // two-letter market (required)
	Currency     string // items priced in this currency
	Family       string // product family: offer category or new-commerce product type
	Billing      string // "license" or "usage"
	AddOn        string // "base" or "addon"
	Term         string // ISO-8601 term duration, e.g. P1M, P1Y, P3Y
	BillingCycle string // monthly, annual, ...
	Purchasable  bool   // only items purchasable now
	Sort         string // "relevance" (with a query), "name", "name_desc", "family"
	Offset       int
	Limit        int
	// Items is the country's number of items when the caller knows it
	// (CatalogFacets.Items): the catalog by name, unfiltered, then does
	// not count them again (0: it does).
	Items int
	// Version is the catalog's version (CatalogFacets.Version): a page's
	// items are then taken from the country's items kept for it, and only
	// the page's keys are read (0: its rows are read too).
	Version int64
}

// CatalogItem is one sellable item: a legacy offer (Kind "offer") or a
// new-commerce SKU (Kind "sku", ID "product/sku").
type CatalogItem struct {
	Country       string
	Kind          string
	ID            string
	Name          string
	Description   string
	Family        string
	Billing       string
	IsAddOn       bool
	UnitType      string
	MinQuantity   int32
	MaxQuantity   int32
	Terms         []string
	BillingCycles []string
	Purchasable   bool
	Currencies    []string
	SyncedAt      time.Time
}

// CatalogPage is one page of the catalog list and the number of matches.
type CatalogPage struct {
	Items []CatalogItem
	Total int
}

const catalogCols = `country, kind, id, name, description, family, billing, is_add_on, unit_type, min_quantity,
	max_quantity, terms, billing_cycles, purchasable, currencies, synced_at`

// tsPrefixQuery turns what a person typed into a to_tsquery text that
// matches every word as a prefix ("offic e1" -> "offic:* & e1:*"), or "".
func tsPrefixQuery(q string) string {
	var words []string
	for w := range strings.FieldsFuncSeq(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		words = append(words, strings.ToLower(w)+":*")
	}
	return strings.Join(words, " & ")
}

// CatalogSearch returns a page of catalog items matching f, read from the
// mirror (indexed full-text search; filters in SQL; count in the same query).
func (s *Store) CatalogSearch(ctx context.Context, f CatalogFilter) (CatalogPage, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	where = append(where, "gone_at IS NULL", "country = "+arg(strings.ToUpper(f.Country)))
	rank := "0"
	if tq := tsPrefixQuery(f.Query); tq != "" {
		// A subquery, so the query is parsed once (an init plan): written
		// inline, a generic plan parsed it again for every row it matched
		// and ranked, a quarter of the search's time.
		q := "(SELECT to_tsquery('english', " + arg(tq) + "))"
		where = append(where, "search @@ "+q)
		rank = "ts_rank(search, " + q + ")"
	}
	if f.Currency != "" {
		where = append(where, arg(strings.ToUpper(f.Currency))+" = ANY (currencies)")
	}
	if f.Family != "" {
		where = append(where, "family = "+arg(f.Family))
	}
	if f.Billing != "" {
		where = append(where, "billing = "+arg(f.Billing))
	}
	switch f.AddOn {
	case "addon":
		where = append(where, "is_add_on")
	case "base":
		where = append(where, "NOT is_add_on")
	}
	if f.Term != "" {
		where = append(where, arg(f.Term)+" = ANY (terms)")
	}
	if f.BillingCycle != "" {
		where = append(where, arg(strings.ToLower(f.BillingCycle))+" = ANY (billing_cycles)")
	}
	if f.Purchasable {
		where = append(where, "purchasable")
	}
	order := "lower(name), id"
	switch f.Sort {
	case "name_desc":
		order = "lower(name) DESC, id"
	case "family":
		order = "family, lower(name), id"
	case "name":
	default:
		if rank != "0" {
			order = "rank DESC, lower(name), id"
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 25
	}
	tail := ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order +
		` LIMIT ` + strconv.Itoa(limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	var page CatalogPage
	var err error
	if order == "lower(name), id" && len(where) == 2 {
		// A country's items by name, the catalog's landing page: offers and
		// SKUs are each read in that order by index (migration 00261) and
		// merged, and counted by index, instead of sorting all of the
		// country's items through the view (2 ms for 1,000 items).
		count, qargs := catalogCountSQL, []any{args[0], max(f.Offset, 0) + limit, limit}
		if f.Items > 0 {
			count, qargs = "$4::bigint", append(qargs, f.Items)
		}
		page, err = s.catalogPage(ctx, strings.ToUpper(f.Country), f.Version, `SELECT kind, id, 0::real, `+count+`
			FROM ((SELECT 'offer' AS kind, id, lower(name) AS k FROM offers WHERE gone_at IS NULL AND country = $1 ORDER BY lower(name), id LIMIT $2)
			UNION ALL (SELECT 'sku', product_id || '/' || id, lower(title) FROM skus WHERE gone_at IS NULL AND country = $1
				ORDER BY lower(title), (product_id || '/' || id) LIMIT $2)) t
			ORDER BY k, id LIMIT $3 OFFSET $2 - $3`, qargs...)
	} else if f.Currency != "" || f.Term != "" || f.BillingCycle != "" || f.Purchasable {
		// These filters read the columns SKUs keep of their
		// availabilities (migration 00262) and offers' currencies from
		// prices by index: one query.
		page, err = s.catalogRows(ctx, `SELECT `+catalogCols+`, `+rank+` AS rank, count(*) OVER () AS total FROM catalog_items`+tail, args...)
	} else {
		page, err = s.catalogPage(ctx, strings.ToUpper(f.Country), f.Version, `SELECT kind, id, `+rank+` AS rank, count(*) OVER () AS total FROM catalog_items`+tail, args...)
	}
	if err != nil {
		return CatalogPage{}, fmt.Errorf("catalog search: %w", err)
	}
	if len(page.Items) == 0 && f.Offset > 0 {
		// Past the end: still report how many there are.
		f.Offset, f.Limit = 0, 1
		p, err := s.CatalogSearch(ctx, f)
		if err != nil {
			return page, err
		}
		page.Total = p.Total
	}
	return page, nil
}

// catalogCountSQL counts country $1's items (offers and SKUs, not gone)
// by index.
const catalogCountSQL = `(SELECT count(*) FROM offers WHERE gone_at IS NULL AND country = $1) +
	(SELECT count(*) FROM skus WHERE gone_at IS NULL AND country = $1)`

// catalogRows runs a catalog query whose rows are catalogCols, a rank
// and the total.
func (s *Store) catalogRows(ctx context.Context, q string, args ...any) (CatalogPage, error) {
	rows, err := s.Pool.Query(ctx, q, args...)
	if err != nil {
		return CatalogPage{}, err
	}
	defer rows.Close()
	var page CatalogPage
	for rows.Next() {
		var it CatalogItem
		var rk float32
		var total int
		if err := rows.Scan(&it.Country, &it.Kind, &it.ID, &it.Name, &it.Description, &it.Family, &it.Billing, &it.IsAddOn,
			&it.UnitType, &it.MinQuantity, &it.MaxQuantity, &it.Terms, &it.BillingCycles, &it.Purchasable, &it.Currencies,
			&it.SyncedAt, &rk, &total); err != nil {
			return CatalogPage{}, err
		}
		page.Items = append(page.Items, it)
		page.Total = total
	}
	return page, rows.Err()
}

// catalogPage pages in two steps: q (kind, id and the total of the
// matches, ordered, over the view's plain columns only) picks the page,
// then the page's items alone are taken whole: from the country's items
// kept for the catalog's version when it has one, else read, so offers'
// currencies are gathered from prices for those only. Each is read by its
// key (LATERAL): with the keys in an array the planner saw 50 of a
// country's 900 SKUs and scanned all of them, twice as slow as 50 index
// lookups.
func (s *Store) catalogPage(ctx context.Context, country string, version int64, q string, args ...any) (CatalogPage, error) {
	rows, err := s.Pool.Query(ctx, q, args...)
	if err != nil {
		return CatalogPage{}, err
	}
	var page CatalogPage
	var kinds, ids []string
	for rows.Next() {
		var kind, id string
		var rk float32
		if err := rows.Scan(&kind, &id, &rk, &page.Total); err != nil {
			rows.Close()
			return CatalogPage{}, err
		}
		kinds, ids = append(kinds, kind), append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return page, err
	}
	if version != 0 {
		items, err := itemsKept.get(ctx, facetKey{s, country}, version, func(ctx context.Context) (map[catalogKey]CatalogItem, error) {
			return s.catalogItems(ctx, country)
		})
		if err != nil {
			return CatalogPage{}, err
		}
		page.Items = make([]CatalogItem, 0, len(ids))
		for i, id := range ids {
			it, ok := items[catalogKey{kinds[i], id}]
			if !ok {
				// Written since the items were kept, without a sync:
				// read the page instead.
				page.Items = nil
				break
			}
			page.Items = append(page.Items, it)
		}
		if page.Items != nil {
			return page, nil
		}
	}
	// An item gone between the two reads is left out.
	items, err := s.catalogRows(ctx, `SELECT c.*, 0, 0 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS k(kind, id, n)
		CROSS JOIN LATERAL (SELECT `+catalogCols+` FROM catalog_items i WHERE i.country = $1 AND i.kind = k.kind AND i.id = k.id LIMIT 1) c
		ORDER BY k.n`, country, kinds, ids)
	if err != nil {
		return CatalogPage{}, err
	}
	page.Items = items.Items
	return page, nil
}

// catalogKey is an item's kind and id.
type catalogKey struct{ kind, id string }

// itemsKept keeps each country's items (a thousand at the design size,
// about 300 KB) until the next catalog sync, and at most facetsTTL: the
// catalog's pages then read only their keys, not their rows, which were
// about half of the landing page's Postgres time. The items are shared:
// callers do not change them.
var itemsKept = kept[facetKey, map[catalogKey]CatalogItem]{ttl: facetsTTL}

// catalogItems reads every item of country that is not gone.
func (s *Store) catalogItems(ctx context.Context, country string) (map[catalogKey]CatalogItem, error) {
	page, err := s.catalogRows(ctx, `SELECT `+catalogCols+`, 0, 0 FROM catalog_items WHERE country = $1 AND gone_at IS NULL`, country)
	if err != nil {
		return nil, fmt.Errorf("catalog items of %s: %w", country, err)
	}
	m := make(map[catalogKey]CatalogItem, len(page.Items))
	for _, it := range page.Items {
		m[catalogKey{it.Kind, it.ID}] = it
	}
	return m, nil
}

// CatalogFacets are the values the catalog filters offer.
type CatalogFacets struct {
	Countries  []string
	Families   []string
	Currencies []string
	Terms      []string
	Cycles     []string
	// Items is the number of the country's items (offers and SKUs).
	Items int
	// SyncedAt is when the country's catalog was last synced (zero:
	// never).
	SyncedAt time.Time
	// Version is the catalog's version: when any country's catalog was
	// last synced or a price sheet last imported, as Unix nanoseconds (0:
	// no catalog sync yet, so nothing is kept).
	Version int64
	// Sheet says whether a current license-based price sheet is imported
	// (without one the catalog says where prices come from); read on
	// every call, not kept.
	Sheet bool
}

// facetsTTL bounds how long computed facets are reused even when no
// catalog sync happened since (a price list loaded by other means).
const facetsTTL = time.Minute

// facetKey is one store's facets of one country.
type facetKey struct {
	st      *Store
	country string
}

// facetsKept keeps each country's facets until the next catalog sync:
// they derive from every item of the country (terms and cycles from every
// availability), which cost more than the rest of the page, and they
// change only when the catalog does.
var facetsKept = kept[facetKey, CatalogFacets]{ttl: facetsTTL}

// CatalogFacets lists the countries in the mirror and, for country, the
// families, currencies, terms and billing cycles present, and whether a
// price sheet is imported. They are
// computed again after each catalog sync (and at least every minute); a
// mirror never synced (tests writing the tables directly) computes them
// every time.
func (s *Store) CatalogFacets(ctx context.Context, country string) (CatalogFacets, error) {
	country = strings.ToUpper(country)
	var synced, at *time.Time
	var sheet bool
	// The version moves with every catalog sync and every price sheet
	// import (which rebuilds the price list); none without a catalog sync.
	b := &pgx.Batch{}
	b.Queue(`SELECT CASE WHEN max(updated_at) IS NOT NULL
			THEN greatest(max(updated_at), (SELECT max(updated_at) FROM price_sheet_imports)) END,
		max(at) FILTER (WHERE name = 'catalog:' || $1)
		FROM sync_watermarks WHERE name LIKE 'catalog:%'`, country).QueryRow(func(r pgx.Row) error { return r.Scan(&synced, &at) })
	b.Queue(hasPriceSheetSQL).QueryRow(func(r pgx.Row) error { return r.Scan(&sheet) })
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return CatalogFacets{}, fmt.Errorf("catalog facets: %w", err)
	}
	var f CatalogFacets
	var err error
	if synced == nil {
		f, err = s.catalogFacets(ctx, country)
	} else {
		f, err = facetsKept.get(ctx, facetKey{s, country}, synced.UnixNano(), func(ctx context.Context) (CatalogFacets, error) {
			return s.catalogFacets(ctx, country)
		})
	}
	if at != nil {
		f.SyncedAt = *at
	}
	if synced != nil {
		f.Version = synced.UnixNano()
	}
	f.Sheet = sheet
	return f, err
}

func (s *Store) catalogFacets(ctx context.Context, country string) (CatalogFacets, error) {
	var f CatalogFacets
	err := s.Pool.QueryRow(ctx, `SELECT
		coalesce((SELECT array_agg(DISTINCT country ORDER BY country) FROM offers WHERE gone_at IS NULL), '{}'),
		coalesce((SELECT array_agg(DISTINCT family ORDER BY family) FROM catalog_items WHERE country = $1 AND gone_at IS NULL AND family <> ''), '{}'),
		coalesce((SELECT array_agg(DISTINCT c ORDER BY c) FROM catalog_items, unnest(currencies) c WHERE country = $1 AND gone_at IS NULL), '{}'),
		coalesce((SELECT array_agg(DISTINCT t ORDER BY t) FROM catalog_items, unnest(terms) t WHERE country = $1 AND gone_at IS NULL), '{}'),
		coalesce((SELECT array_agg(DISTINCT b ORDER BY b) FROM catalog_items, unnest(billing_cycles) b WHERE country = $1 AND gone_at IS NULL), '{}'),
		`+catalogCountSQL, country).Scan(&f.Countries, &f.Families, &f.Currencies, &f.Terms, &f.Cycles, &f.Items)
	if err != nil {
		return f, fmt.Errorf("catalog facets: %w", err)
	}
	return f, nil
}

// CatalogItem returns one item of a country's catalog (gone items too, so
// old links still explain themselves).
func (s *Store) CatalogItem(ctx context.Context, country, kind, id string) (CatalogItem, *time.Time, error) {
	var it CatalogItem
	var gone *time.Time
	err := s.Pool.QueryRow(ctx, `SELECT `+catalogCols+`, gone_at FROM catalog_items WHERE country = $1 AND kind = $2 AND id = $3`,
		strings.ToUpper(country), kind, id).Scan(&it.Country, &it.Kind, &it.ID, &it.Name, &it.Description, &it.Family,
		&it.Billing, &it.IsAddOn, &it.UnitType, &it.MinQuantity, &it.MaxQuantity, &it.Terms, &it.BillingCycles,
		&it.Purchasable, &it.Currencies, &it.SyncedAt, &gone)
	if err != nil {
		return it, nil, fmt.Errorf("catalog item %s %s: %w", kind, id, mapErr(err))
	}
	return it, gone, nil
}

// CatalogRelated returns the offers related to a legacy offer: kind "addon"
// gives the add-ons that go with it, "prerequisite" the offers it requires,
// and "base" (for an add-on) the offers it can be added to.
func (s *Store) CatalogRelated(ctx context.Context, country, offerID, kind string) ([]CatalogItem, error) {
	var q string
	switch kind {
	case "addon", "prerequisite":
		q = `SELECT ` + prefixed("i", catalogCols) + ` FROM offer_relations r
			JOIN catalog_items i ON i.country = r.country AND i.kind = 'offer' AND i.id = r.related_id
			WHERE r.country = $1 AND r.offer_id = $2 AND r.kind = $3 AND r.gone_at IS NULL AND i.gone_at IS NULL ORDER BY lower(i.name)`
	case "base":
		q = `SELECT ` + prefixed("i", catalogCols) + ` FROM offer_relations r
			JOIN catalog_items i ON i.country = r.country AND i.kind = 'offer' AND i.id = r.offer_id
			WHERE r.country = $1 AND r.related_id = $2 AND r.kind = 'addon' AND $3 = 'base' AND r.gone_at IS NULL AND i.gone_at IS NULL ORDER BY lower(i.name)`
	default:
		return nil, errors.New("catalog related: unknown kind " + kind)
	}
	rows, err := s.Pool.Query(ctx, q, strings.ToUpper(country), offerID, kind)
	if err != nil {
		return nil, fmt.Errorf("related offers of %s: %w", offerID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CatalogItem, error) {
		var it CatalogItem
		err := r.Scan(&it.Country, &it.Kind, &it.ID, &it.Name, &it.Description, &it.Family, &it.Billing, &it.IsAddOn,
			&it.UnitType, &it.MinQuantity, &it.MaxQuantity, &it.Terms, &it.BillingCycles, &it.Purchasable, &it.Currencies, &it.SyncedAt)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("related offers of %s: %w", offerID, err)
	}
	return out, nil
}

// SkuPrerequisites returns a new-commerce SKU's purchase prerequisites.
func (s *Store) SkuPrerequisites(ctx context.Context, country, productID, skuID string) ([]string, error) {
	var out []string
	err := s.Pool.QueryRow(ctx, `SELECT purchase_prerequisites FROM skus WHERE country = $1 AND product_id = $2 AND id = $3`,
		strings.ToUpper(country), productID, skuID).Scan(&out)
	if err != nil {
		return nil, fmt.Errorf("prerequisites of %s/%s: %w", productID, skuID, mapErr(err))
	}
	return out, nil
}

// CatalogPrice is one unit price of an item.
type CatalogPrice struct {
	ItemID       string
	TermDuration string
	BillingCycle string
	Currency     string
	UnitPrice    decimal.Decimal
	// ERPPrice is Microsoft's estimated retail price (from the price sheet).
	ERPPrice decimal.NullDecimal
}

// CatalogPrices returns the prices of a legacy offer (itemPrefix = offer
// id) or of a SKU's availabilities (itemPrefix = "product:sku:").
func (s *Store) CatalogPrices(ctx context.Context, country, itemPrefix string) ([]CatalogPrice, error) {
	q := `SELECT item_id, term_duration, billing_cycle, currency, unit_price, erp_price FROM prices
		WHERE country = $1 AND item_id = $2 AND gone_at IS NULL ORDER BY currency, term_duration, billing_cycle`
	if strings.HasSuffix(itemPrefix, ":") {
		q = `SELECT item_id, term_duration, billing_cycle, currency, unit_price, erp_price FROM prices
			WHERE country = $1 AND starts_with(item_id, $2) AND gone_at IS NULL ORDER BY currency, term_duration, billing_cycle`
	}
	rows, err := s.Pool.Query(ctx, q, strings.ToUpper(country), itemPrefix)
	if err != nil {
		return nil, fmt.Errorf("prices of %s: %w", itemPrefix, err)
	}
	out, err := db.CollectByPos[CatalogPrice](rows)
	if err != nil {
		return nil, fmt.Errorf("prices of %s: %w", itemPrefix, err)
	}
	return out, nil
}

func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + "." + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// MarkPricesGone marks, inside tx, a country's prices not written by the
// price list saved at at as gone.
func MarkPricesGone(ctx context.Context, tx pgx.Tx, country string, at time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE prices SET gone_at = $1 WHERE country = $2 AND gone_at IS NULL AND synced_at < $1`,
		at, strings.ToUpper(country)); err != nil {
		return fmt.Errorf("mark old prices gone: %w", err)
	}
	return nil
}

// CartItemOf is the cart's item id for a catalog item: a legacy offer's id,
// or for a new-commerce SKU (id "product/sku") its first purchasable
// availability's catalog item id. ErrNotFound when it cannot be bought.
func (s *Store) CartItemOf(ctx context.Context, country, kind, id string) (string, error) {
	country = strings.ToUpper(country)
	var item string
	var err error
	if kind == "sku" {
		product, sku, _ := strings.Cut(id, "/")
		err = s.Pool.QueryRow(ctx, `SELECT catalog_item_id FROM availabilities
			WHERE country = $1 AND product_id = $2 AND sku_id = $3 AND is_purchasable AND gone_at IS NULL AND catalog_item_id <> ''
			ORDER BY id LIMIT 1`, country, product, sku).Scan(&item)
	} else {
		err = s.Pool.QueryRow(ctx, `SELECT id FROM offers WHERE country = $1 AND id = $2 AND is_available_for_purchase AND gone_at IS NULL`,
			country, id).Scan(&item)
	}
	if err != nil {
		return "", fmt.Errorf("cart item for %s %s: %w", kind, id, mapErr(err))
	}
	return item, nil
}
