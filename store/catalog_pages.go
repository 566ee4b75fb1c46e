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
		p := arg(tq)
		where = append(where, "search @@ to_tsquery('english', "+p+")")
		rank = "ts_rank(search, to_tsquery('english', " + p + "))"
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
	q := `SELECT ` + catalogCols + `, ` + rank + ` AS rank, count(*) OVER () AS total FROM catalog_items
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order +
		` LIMIT ` + strconv.Itoa(limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	rows, err := s.Pool.Query(ctx, q, args...)
	if err != nil {
		return CatalogPage{}, fmt.Errorf("catalog search: %w", err)
	}
	var page CatalogPage
	for rows.Next() {
		var it CatalogItem
		var rk float32
		var total int
		if err := rows.Scan(&it.Country, &it.Kind, &it.ID, &it.Name, &it.Description, &it.Family, &it.Billing, &it.IsAddOn,
			&it.UnitType, &it.MinQuantity, &it.MaxQuantity, &it.Terms, &it.BillingCycles, &it.Purchasable, &it.Currencies,
			&it.SyncedAt, &rk, &total); err != nil {
			rows.Close()
			return CatalogPage{}, fmt.Errorf("catalog search: %w", err)
		}
		page.Items = append(page.Items, it)
		page.Total = total
	}
	if err := rows.Err(); err != nil {
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

// CatalogFacets are the values the catalog filters offer.
type CatalogFacets struct {
	Countries  []string
	Families   []string
	Currencies []string
	Terms      []string
	Cycles     []string
}

// CatalogFacets lists the countries in the mirror and, for country, the
// families, currencies, terms and billing cycles present.
func (s *Store) CatalogFacets(ctx context.Context, country string) (CatalogFacets, error) {
	var f CatalogFacets
	err := s.Pool.QueryRow(ctx, `SELECT
		coalesce((SELECT array_agg(DISTINCT country ORDER BY country) FROM offers WHERE gone_at IS NULL), '{}'),
		coalesce((SELECT array_agg(DISTINCT family ORDER BY family) FROM catalog_items WHERE country = $1 AND gone_at IS NULL AND family <> ''), '{}'),
		coalesce((SELECT array_agg(DISTINCT c ORDER BY c) FROM catalog_items, unnest(currencies) c WHERE country = $1 AND gone_at IS NULL), '{}'),
		coalesce((SELECT array_agg(DISTINCT t ORDER BY t) FROM catalog_items, unnest(terms) t WHERE country = $1 AND gone_at IS NULL), '{}'),
		coalesce((SELECT array_agg(DISTINCT b ORDER BY b) FROM catalog_items, unnest(billing_cycles) b WHERE country = $1 AND gone_at IS NULL), '{}')`,
		strings.ToUpper(country)).Scan(&f.Countries, &f.Families, &f.Currencies, &f.Terms, &f.Cycles)
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
}

// CatalogPrices returns the prices of a legacy offer (itemPrefix = offer
// id) or of a SKU's availabilities (itemPrefix = "product:sku:").
func (s *Store) CatalogPrices(ctx context.Context, country, itemPrefix string) ([]CatalogPrice, error) {
	q := `SELECT item_id, term_duration, billing_cycle, currency, unit_price FROM prices
		WHERE country = $1 AND item_id = $2 AND gone_at IS NULL ORDER BY currency, term_duration, billing_cycle`
	if strings.HasSuffix(itemPrefix, ":") {
		q = `SELECT item_id, term_duration, billing_cycle, currency, unit_price FROM prices
			WHERE country = $1 AND starts_with(item_id, $2) AND gone_at IS NULL ORDER BY currency, term_duration, billing_cycle`
	}
	rows, err := s.Pool.Query(ctx, q, strings.ToUpper(country), itemPrefix)
	if err != nil {
		return nil, fmt.Errorf("prices of %s: %w", itemPrefix, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CatalogPrice])
	if err != nil {
		return nil, fmt.Errorf("prices of %s: %w", itemPrefix, err)
	}
	return out, nil
}

// CatalogSyncedAt returns when country's catalog was last synced (false
// when never).
func (s *Store) CatalogSyncedAt(ctx context.Context, country string) (time.Time, bool, error) {
	w, err := s.Q.GetWatermark(ctx, s.Pool, "catalog:"+strings.ToUpper(country))
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("catalog watermark: %w", err)
	}
	return w.At, true, nil
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
