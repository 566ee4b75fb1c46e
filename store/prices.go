package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/store/db"
)

// PriceSheetImport is one import of one price sheet.
type PriceSheetImport struct {
	ID          int64
	Market      string
	View        string
	Timeline    string
	Month       time.Time
	State       string
	Rows        int64
	Error       string
	Trigger     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time
	RequestedBy *int64
}

const sheetImportCols = `id, market, view, timeline, month, state, rows, error, trigger, created_at, updated_at, finished_at, requested_by`

func scanSheetImport(r pgx.Row) (PriceSheetImport, error) {
	var i PriceSheetImport
	err := r.Scan(&i.ID, &i.Market, &i.View, &i.Timeline, &i.Month, &i.State, &i.Rows, &i.Error, &i.Trigger, &i.CreatedAt,
		&i.UpdatedAt, &i.FinishedAt, &i.RequestedBy)
	return i, err
}

// ErrSheetImportOpen means an import of that sheet is already queued or loading.
var ErrSheetImportOpen = errors.New("an import of this price sheet is under way")

// CreatePriceSheetImport queues an import of a sheet inside tx
// (ErrSheetImportOpen when one of the same sheet is open).
func (s *Store) CreatePriceSheetImport(ctx context.Context, tx pgx.Tx, market, view, timeline string, month time.Time, trigger string, by *int64) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO price_sheet_imports (market, view, timeline, month, trigger, requested_by)
	VALUES ($1, $2, $3, $4, $5, $6)
	ON CONFLICT (market, view, timeline, month) WHERE state IN ('queued', 'loading') DO NOTHING RETURNING id`,
		market, view, timeline, month, trigger, by).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrSheetImportOpen
	}
	if err != nil {
		return 0, fmt.Errorf("create price sheet import %s %s: %w", market, timeline, mapErr(err))
	}
	return id, nil
}

// PriceSheetImport reads one import.
func (s *Store) PriceSheetImport(ctx context.Context, id int64) (PriceSheetImport, error) {
	i, err := scanSheetImport(s.Pool.QueryRow(ctx, `SELECT `+sheetImportCols+` FROM price_sheet_imports WHERE id = $1`, id))
	if err != nil {
		return i, fmt.Errorf("price sheet import %d: %w", id, mapErr(err))
	}
	return i, nil
}

// PriceSheetImports lists the latest imports, newest first.
func (s *Store) PriceSheetImports(ctx context.Context, limit int) ([]PriceSheetImport, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+sheetImportCols+` FROM price_sheet_imports ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("price sheet imports: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PriceSheetImport, error) { return scanSheetImport(r) })
	if err != nil {
		return nil, fmt.Errorf("price sheet imports: %w", err)
	}
	return out, nil
}

// StartPriceSheetImport marks an import loading and drops what an earlier
// attempt of it loaded (a crash mid-load starts the sheet over).
func (s *Store) StartPriceSheetImport(ctx context.Context, id int64) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM price_sheet_rows WHERE import_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE price_sheet_imports SET state = 'loading', rows = 0, error = '', updated_at = now() WHERE id = $1`, id)
		return err
	})
}

// PriceSheetRowColumns are the columns a CopyFromSource for
// LoadPriceSheetRows yields, in order.
var PriceSheetRowColumns = []string{"import_id", "line", "market", "product_id", "sku_id", "product_title", "sku_title",
	"term_duration", "billing_plan", "currency", "unit_price", "erp_price", "tier_min", "effective_start", "effective_end", "segment"}

// LoadPriceSheetRows copies a chunk of rows of import id and adds their
// count to its progress, in one transaction.
func (s *Store) LoadPriceSheetRows(ctx context.Context, id int64, src pgx.CopyFromSource) (int64, error) {
	var n int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if n, err = tx.CopyFrom(ctx, pgx.Identifier{"price_sheet_rows"}, PriceSheetRowColumns, src); err != nil {
			return fmt.Errorf("copy price sheet rows: %w", err)
		}
		_, err = tx.Exec(ctx, `UPDATE price_sheet_imports SET rows = rows + $2, updated_at = now() WHERE id = $1`, id, n)
		return err
	})
	return n, err
}

// FinishPriceSheetImport ends an import that loaded its sheet, in one
// transaction: the earlier done import of the same sheet (market, view,
// timeline, month) is superseded and its rows deleted, this one is done,
// and, for a current license-based sheet, the market's price list (the
// prices table the catalog, carts and renewals read) is rebuilt from it.
func (s *Store) FinishPriceSheetImport(ctx context.Context, id int64, at time.Time) error {
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var market, view, timeline string
		var month time.Time
		if err := tx.QueryRow(ctx, `SELECT market, view, timeline, month FROM price_sheet_imports WHERE id = $1 FOR UPDATE`, id).
			Scan(&market, &view, &timeline, &month); err != nil {
			return fmt.Errorf("price sheet import %d: %w", id, mapErr(err))
		}
		if err := lockPriceList(ctx, tx, market); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM price_sheet_rows WHERE import_id IN (SELECT id FROM price_sheet_imports
			WHERE market = $1 AND view = $2 AND timeline = $3 AND month = $4 AND state = 'done' AND id <> $5)`,
			market, view, timeline, month, id); err != nil {
			return fmt.Errorf("drop replaced sheet: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE price_sheet_imports SET state = 'superseded', updated_at = now()
			WHERE market = $1 AND view = $2 AND timeline = $3 AND month = $4 AND state = 'done' AND id <> $5`,
			market, view, timeline, month, id); err != nil {
			return fmt.Errorf("supersede sheet: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE price_sheet_imports SET state = 'done', finished_at = now(), updated_at = now() WHERE id = $1`, id); err != nil {
			return err
		}
		if view != "updatedlicensebased" || timeline != "current" {
			return nil
		}
		return rebuildPriceList(ctx, tx, id, market, at)
	})
}

// RebuildPriceList rebuilds market's price list from its latest current
// license-based sheet; false when none is loaded. The catalog sync calls
// it: a sheet imported before the catalog's availabilities priced nothing.
func (s *Store) RebuildPriceList(ctx context.Context, market string, at time.Time) (bool, error) {
	found := false
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := lockPriceList(ctx, tx, market); err != nil {
			return err
		}
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM price_sheet_imports WHERE market = $1 AND view = 'updatedlicensebased'
			AND timeline = 'current' AND state = 'done' ORDER BY month DESC, finished_at DESC LIMIT 1`, strings.ToUpper(market)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("latest price sheet of %s: %w", market, err)
		}
		found = true
		return rebuildPriceList(ctx, tx, id, strings.ToUpper(market), at)
	})
	return found, err
}

// lockPriceList serializes the rebuilds of market's price list until tx
// ends: a sheet finishing while the catalog sync rebuilds would otherwise
// each miss the other's uncommitted rows (the sheet's join finds no
// availabilities, the catalog's finds no finished sheet).
func lockPriceList(ctx context.Context, tx pgx.Tx, market string) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('price_list:' || upper($1)))`, market); err != nil {
		return fmt.Errorf("lock price list %s: %w", market, err)
	}
	return nil
}

// rebuildPriceList replaces market's price list with sheet import id's
// rows joined to the catalog's availabilities; prices the sheet no longer
// has are marked gone.
func rebuildPriceList(ctx context.Context, tx pgx.Tx, id int64, market string, at time.Time) error {
	// One price per catalog item, term, plan and currency: the row in
	// effect at at (the latest start), the first tier, the availability's
	// segment when the sheet says one.
	if _, err := tx.Exec(ctx, `INSERT INTO prices (country, item_id, term_duration, billing_cycle, currency, unit_price, erp_price, synced_at, gone_at)
		SELECT DISTINCT ON (a.catalog_item_id, r.term_duration, r.billing_plan, r.currency)
		       a.country, a.catalog_item_id, r.term_duration, r.billing_plan, upper(r.currency), r.unit_price, r.erp_price,
		       $3::timestamptz, NULL::timestamptz
		FROM price_sheet_rows r
		JOIN availabilities a ON a.country = $2 AND a.product_id = r.product_id AND a.sku_id = r.sku_id AND a.gone_at IS NULL
		     AND a.catalog_item_id <> ''
		     AND (r.segment = '' OR a.segment = '' OR lower(a.segment) = lower(r.segment))
		WHERE r.import_id = $1 AND (r.effective_start IS NULL OR r.effective_start <= $3)
		  AND (r.effective_end IS NULL OR r.effective_end > $3)
		ORDER BY a.catalog_item_id, r.term_duration, r.billing_plan, r.currency, r.effective_start DESC NULLS LAST,
		         r.tier_min NULLS FIRST, r.line
		ON CONFLICT (country, item_id, term_duration, billing_cycle, currency)
		DO UPDATE SET unit_price = excluded.unit_price, erp_price = excluded.erp_price, synced_at = excluded.synced_at, gone_at = NULL`, id, market, at); err != nil {
		return fmt.Errorf("rebuild price list %s: %w", market, err)
	}
	return MarkPricesGone(ctx, tx, market, at)
}

// EndPriceSheetImport ends an import without a sheet: state no_change,
// consent_required or failed, with the reason.
func (s *Store) EndPriceSheetImport(ctx context.Context, id int64, state, reason string) error {
	_, err := s.Pool.Exec(ctx, `UPDATE price_sheet_imports SET state = $2, error = $3, finished_at = now(), updated_at = now()
		WHERE id = $1`, id, state, reason)
	if err != nil {
		return fmt.Errorf("end price sheet import %d: %w", id, err)
	}
	return nil
}

// PriceMarkets are the markets whose prices the portal needs: its
// customers' countries.
func (s *Store) PriceMarkets(ctx context.Context) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT DISTINCT upper(address_country) FROM customers
		WHERE address_country <> '' AND gone_at IS NULL ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("price markets: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("price markets: %w", err)
	}
	return out, nil
}

// hasPriceSheetSQL says whether any current license-based sheet is
// imported.
const hasPriceSheetSQL = `SELECT EXISTS (SELECT 1 FROM price_sheet_imports WHERE state = 'done'
	AND view = 'updatedlicensebased' AND timeline = 'current')`

// SheetPrice is a price sheet row's price.
type SheetPrice struct {
	TermDuration string
	BillingPlan  string
	Currency     string
	UnitPrice    decimal.Decimal
	ERPPrice     decimal.NullDecimal
}

// SheetPrices returns the prices of a product's SKU in the market's done
// license-based sheet of timeline for month, in effect at at.
func (s *Store) SheetPrices(ctx context.Context, q BillingDB, market, timeline string, month time.Time, productID, skuID string, at time.Time) ([]SheetPrice, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (r.term_duration, r.billing_plan, r.currency)
		r.term_duration, r.billing_plan, upper(r.currency), r.unit_price, r.erp_price
		FROM price_sheet_imports i JOIN price_sheet_rows r ON r.import_id = i.id
		WHERE i.state = 'done' AND i.view = 'updatedlicensebased' AND i.timeline = $2 AND i.month = $3 AND i.market = $1
		  AND r.product_id = $4 AND r.sku_id = $5
		  AND (r.effective_start IS NULL OR r.effective_start <= $6) AND (r.effective_end IS NULL OR r.effective_end > $6)
		ORDER BY r.term_duration, r.billing_plan, r.currency, r.effective_start DESC NULLS LAST, r.tier_min NULLS FIRST`,
		market, timeline, month, productID, skuID, at)
	if err != nil {
		return nil, fmt.Errorf("sheet prices %s/%s: %w", productID, skuID, err)
	}
	out, err := db.CollectByPos[SheetPrice](rows)
	if err != nil {
		return nil, fmt.Errorf("sheet prices %s/%s: %w", productID, skuID, err)
	}
	return out, nil
}

// MarkupRule is a markup rule row. ResellerID narrows a provider's rule to
// one reseller; with ByReseller it is that reseller's own rule.
type MarkupRule struct {
	ID             int64
	CustomerID     *uuid.UUID
	CustomerName   string
	ResellerID     *uuid.UUID
	ResellerName   string
	ByReseller     bool
	Family         string
	ProductID      string
	SkuID          string
	Kind           string
	Amount         decimal.Decimal
	Rounding       string
	AllowBelowCost bool
	UpdatedAt      time.Time
	UpdatedBy      string
}

// RuleOwner says whose markup rules a query reads: the provider's
// (Reseller nil) or one reseller's own. Each party reads only its own.
type RuleOwner struct {
	Reseller *uuid.UUID
}

// ProviderRules is the provider's side.
var ProviderRules = RuleOwner{}

// ResellerRules is reseller's own side.
func ResellerRules(reseller uuid.UUID) RuleOwner { return RuleOwner{Reseller: &reseller} }

const markupRuleColumns = `m.id, m.customer_id, coalesce(c.company_name, ''), m.reseller_id, coalesce(r.name, ''), m.by_reseller,
	m.family, m.product_id, m.sku_id, m.kind, m.amount, m.rounding, m.allow_below_cost, m.updated_at, coalesce(u.email, '')
	FROM markup_rules m LEFT JOIN customers c ON c.id = m.customer_id LEFT JOIN resellers r ON r.tenant_id = m.reseller_id
	LEFT JOIN users u ON u.id = m.updated_by`

// ownerIs matches an owner's rules ($1 the reseller or NULL).
const ownerIs = `m.by_reseller = ($1::uuid IS NOT NULL) AND ($1::uuid IS NULL OR m.reseller_id = $1::uuid)`

// MarkupRules lists owner's rules, general ones first.
func (s *Store) MarkupRules(ctx context.Context, owner RuleOwner) ([]MarkupRule, error) {
	return s.markupRules(ctx, `SELECT `+markupRuleColumns+` WHERE `+ownerIs+`
		ORDER BY m.reseller_id NULLS FIRST, r.name, m.customer_id NULLS FIRST, c.company_name, m.family, m.product_id, m.sku_id`, owner.Reseller)
}

// AllMarkupRules lists every party's rules (the pricer's input).
func (s *Store) AllMarkupRules(ctx context.Context) ([]MarkupRule, error) {
	return s.markupRules(ctx, `SELECT `+markupRuleColumns+` ORDER BY m.id`)
}

func (s *Store) markupRules(ctx context.Context, sql string, args ...any) ([]MarkupRule, error) {
	rows, err := s.Pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("markup rules: %w", err)
	}
	out, err := db.CollectByPos[MarkupRule](rows)
	if err != nil {
		return nil, fmt.Errorf("markup rules: %w", err)
	}
	return out, nil
}

// MarkupRuleTx reads one of owner's rules inside tx, locked; another
// party's rule is ErrNotFound.
func (s *Store) MarkupRuleTx(ctx context.Context, tx pgx.Tx, owner RuleOwner, id int64) (MarkupRule, error) {
	rows, err := tx.Query(ctx, `SELECT `+markupRuleColumns+` WHERE `+ownerIs+` AND m.id = $2 FOR UPDATE OF m`, owner.Reseller, id)
	if err != nil {
		return MarkupRule{}, fmt.Errorf("markup rule %d: %w", id, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[MarkupRule])
	if err != nil {
		return r, fmt.Errorf("markup rule %d: %w", id, mapErr(err))
	}
	return r, nil
}

// SaveMarkupRule inserts a rule, or replaces the rule of the same owner
// and scope, inside tx, and returns its id. A reseller's rule for a
// customer must be for one of its own customers (ErrNotFound otherwise).
func (s *Store) SaveMarkupRule(ctx context.Context, tx pgx.Tx, r MarkupRule, by *int64) (int64, error) {
	if r.ByReseller && r.CustomerID != nil {
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1 AND associated_partner_id = $2::uuid::text AND gone_at IS NULL)`,
			r.CustomerID, r.ResellerID).Scan(&mine); err != nil {
			return 0, fmt.Errorf("save markup rule: %w", err)
		}
		if !mine {
			return 0, fmt.Errorf("save markup rule: customer %s: %w", r.CustomerID, ErrNotFound)
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO markup_rules (customer_id, reseller_id, by_reseller, family, product_id, sku_id, kind, amount, rounding,
		    allow_below_cost, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (by_reseller, coalesce(reseller_id, '00000000-0000-0000-0000-000000000000'::uuid),
		    coalesce(customer_id, '00000000-0000-0000-0000-000000000000'::uuid), family, product_id, sku_id)
		DO UPDATE SET kind = excluded.kind, amount = excluded.amount, rounding = excluded.rounding,
		    allow_below_cost = excluded.allow_below_cost, updated_by = excluded.updated_by, updated_at = now()
		RETURNING id`, r.CustomerID, r.ResellerID, r.ByReseller, r.Family, r.ProductID, r.SkuID, r.Kind, r.Amount, r.Rounding,
		r.AllowBelowCost, by).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("save markup rule: %w", mapErr(err))
	}
	return id, nil
}

// DeleteMarkupRule deletes one of owner's rules inside tx.
func (s *Store) DeleteMarkupRule(ctx context.Context, tx pgx.Tx, owner RuleOwner, id int64) error {
	_, err := tx.Exec(ctx, `DELETE FROM markup_rules m WHERE `+ownerIs+` AND m.id = $2`, owner.Reseller, id)
	if err != nil {
		return fmt.Errorf("delete markup rule %d: %w", id, err)
	}
	return nil
}

// ItemFamilies returns the catalog family of each "product/sku" id (the
// family markup rules match), in any country.
func (s *Store) ItemFamilies(ctx context.Context, ids []string) (map[string]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT DISTINCT ON (upper(s.product_id || '/' || s.id)) upper(s.product_id || '/' || s.id),
		coalesce(nullif(pr.product_type, ''), pr.title, '')
		FROM skus s LEFT JOIN products pr ON pr.country = s.country AND pr.id = s.product_id
		WHERE upper(s.product_id || '/' || s.id) = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("item families: %w", err)
	}
	defer rows.Close()
	out := make(map[string]string, len(ids))
	for rows.Next() {
		var id, fam string
		if err := rows.Scan(&id, &fam); err != nil {
			return nil, err
		}
		out[id] = fam
	}
	return out, rows.Err()
}

// CustomerMarket is a customer's country (the price sheet market).
func (s *Store) CustomerMarket(ctx context.Context, q BillingDB, id uuid.UUID) (string, error) {
	var m string
	err := q.QueryRow(ctx, `SELECT upper(address_country) FROM customers WHERE id = $1`, id).Scan(&m)
	if err != nil {
		return "", fmt.Errorf("customer market %s: %w", id, mapErr(err))
	}
	return m, nil
}

// CustomerMarketTx is CustomerMarket inside tx ("" when unknown).
func (s *Store) CustomerMarketTx(ctx context.Context, tx pgx.Tx, id uuid.UUID) (string, error) {
	var m string
	err := tx.QueryRow(ctx, `SELECT upper(address_country) FROM customers WHERE id = $1`, id).Scan(&m)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return m, err
}

// HasSheetFor says whether the market's current sheet of month is loaded.
func (s *Store) HasSheetFor(ctx context.Context, q BillingDB, market string, month time.Time) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM price_sheet_imports WHERE state = 'done' AND view = 'updatedlicensebased'
		AND timeline = 'current' AND market = $1 AND month = $2)`, market, month).Scan(&ok)
	return ok, err
}

// FutureSheets returns, per market, the month of the latest loaded future
// license-based sheet still ahead of the market's latest current sheet (a
// future sheet whose month has come is stale: its current sheet rules).
func (s *Store) FutureSheets(ctx context.Context, q BillingDB) (map[string]time.Time, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (f.market) f.market, f.month FROM price_sheet_imports f
		WHERE f.state = 'done' AND f.view = 'updatedlicensebased' AND f.timeline = 'future'
		  AND f.month > coalesce((SELECT max(c.month) FROM price_sheet_imports c WHERE c.market = f.market AND c.state = 'done'
		      AND c.view = 'updatedlicensebased' AND c.timeline = 'current'), '-infinity'::date)
		ORDER BY f.market, f.month DESC`)
	if err != nil {
		return nil, fmt.Errorf("future sheets: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var m string
		var t time.Time
		if err := rows.Scan(&m, &t); err != nil {
			return nil, err
		}
		out[m] = t
	}
	return out, rows.Err()
}

// OrderLinePrice is one priced line of a customer's order.
type OrderLinePrice struct {
	OrderID   string
	OfferID   string
	Quantity  int32
	UnitPrice decimal.Decimal
}

// FromPrice is an item's lowest unit price billed monthly, per currency.
type FromPrice struct {
	ItemID    string // "product/sku"
	Currency  string
	UnitPrice decimal.Decimal
}

// fromKept keeps each country's "from" prices (every SKU's) for the
// catalog's version (CatalogFacets.Version), as itemsKept keeps its
// items: a catalog page then reads none.
var fromKept = kept[facetKey, map[string][]FromPrice]{ttl: facetsTTL}

// CatalogPagePrices returns the "from" prices of a catalog page's
// new-commerce items ("product/sku") in country, by item: each one's
// lowest monthly-billed unit price per currency. They are the country's
// kept for the catalog's version, or read on every call when it has none
// (a mirror never synced, as facets are).
func (s *Store) CatalogPagePrices(ctx context.Context, country string, version int64, ids []string) (map[string][]FromPrice, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var all map[string][]FromPrice
	var err error
	if version == 0 {
		all, err = s.fromPrices(ctx, country)
	} else {
		all, err = fromKept.get(ctx, facetKey{s, country}, version, func(ctx context.Context) (map[string][]FromPrice, error) {
			return s.fromPrices(ctx, country)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("catalog prices of %s: %w", country, err)
	}
	page := make(map[string][]FromPrice, len(ids))
	for _, id := range ids {
		if f, ok := all[id]; ok {
			page[id] = f
		}
	}
	return page, nil
}

// fromPrices reads every SKU of country's lowest monthly-billed unit
// price per currency, by item, through the SKUs' availabilities to the
// price list's primary key (matching item_id by prefix scanned the whole
// country's list, which made the catalog page 40% slower at p99).
func (s *Store) fromPrices(ctx context.Context, country string) (map[string][]FromPrice, error) {
	rows, err := s.Pool.Query(ctx, `SELECT a.product_id || '/' || a.sku_id, p.currency, min(p.unit_price)
		FROM availabilities a
		JOIN prices p ON p.country = $1 AND p.item_id = a.catalog_item_id AND p.gone_at IS NULL AND p.billing_cycle = 'monthly'
		WHERE a.country = $1 GROUP BY 1, 2 ORDER BY 1, 2`, country)
	if err != nil {
		return nil, err
	}
	from, err := db.CollectByPos[FromPrice](rows)
	if err != nil {
		return nil, err
	}
	m := map[string][]FromPrice{}
	for _, f := range from {
		m[f.ItemID] = append(m[f.ItemID], f)
	}
	return m, nil
}

// CustomerReseller returns the indirect reseller a customer was created
// for (uuid.Nil: the partner's own customer, or one whose reseller is not
// among the synced resellers): the reseller an order names, ResellerOfRecord.
func (s *Store) CustomerReseller(ctx context.Context, customer uuid.UUID) (uuid.UUID, error) {
	row, err := s.Q.ResellerOfRecord(ctx, s.Pool, customer)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && row.ResellerTenantID == nil {
		return uuid.Nil, nil
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("customer %s reseller: %w", customer, err)
	}
	return *row.ResellerTenantID, nil
}
