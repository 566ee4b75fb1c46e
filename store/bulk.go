package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// Bulk upserts: rows are COPYed into a temporary table shaped like the
// target and merged with one INSERT ... ON CONFLICT, which is several times
// faster than one statement per row. These statements are written by hand
// because sqlc knows neither temporary tables nor COPY with ON CONFLICT.

// MirroredCustomer is a customer as the mirror's bulk upsert writes it.
type MirroredCustomer struct {
	ID                             uuid.UUID
	TenantID                       string
	CommerceID                     string
	Domain                         string
	CompanyName                    string
	CompanyEmail                   string
	OrganizationRegistrationNumber string
	Relationship                   string
	AllowDelegatedAccess           bool
	AssociatedPartnerID            string
	BillingFirstName               string
	BillingLastName                string
	BillingEmail                   string
	BillingCulture                 string
	BillingLanguage                string
	BillingCompanyName             string
	BillingPhone                   string
	AddressLine1                   string
	AddressLine2                   string
	AddressCity                    string
	AddressState                   string
	AddressPostalCode              string
	AddressCountry                 string
	Etag                           string
	Raw                            json.RawMessage
	SyncedAt                       time.Time
}

// SubscribedSkuRow is a customer's license usage of one SKU as the bulk
// upsert writes it.
type SubscribedSkuRow struct {
	CustomerID       uuid.UUID
	SkuID            string
	SkuPartNumber    string
	SkuName          string
	TargetType       string
	CapabilityStatus string
	AvailableUnits   int32
	ActiveUnits      int32
	ConsumedUnits    int32
	SuspendedUnits   int32
	TotalUnits       int32
	WarningUnits     int32
	Raw              json.RawMessage
	SyncedAt         time.Time
}

// BulkUpsertCustomers upserts mirrored customers inside tx.
func BulkUpsertCustomers(ctx context.Context, tx pgx.Tx, ps []MirroredCustomer) error {
	return bulkCustomers.upsert(ctx, tx, customerValues(ps))
}

// BulkUpsertSubscriptions upserts mirrored subscriptions inside tx, except
// those with a command still pending in the outbox (syncs never overwrite
// a change on its way to Partner Center).
func BulkUpsertSubscriptions(ctx context.Context, tx pgx.Tx, ps []db.UpsertSubscriptionParams) error {
	return bulkSubscriptions.upsert(ctx, tx, subscriptionValues(ps))
}

// BulkUpsertOrders upserts mirrored orders inside tx.
func BulkUpsertOrders(ctx context.Context, tx pgx.Tx, ps []db.UpsertOrderParams) error {
	return bulkOrders.upsert(ctx, tx, orderValues(ps))
}

// BulkUpsertOrderLines upserts mirrored order line items inside tx.
func BulkUpsertOrderLines(ctx context.Context, tx pgx.Tx, ps []db.UpsertOrderLineItemParams) error {
	return bulkOrderLines.upsert(ctx, tx, orderLineValues(ps))
}

// BulkUpsertSubscribedSkus upserts mirrored license usage inside tx.
func BulkUpsertSubscribedSkus(ctx context.Context, tx pgx.Tx, ps []SubscribedSkuRow) error {
	return bulkSkus.upsert(ctx, tx, skuValues(ps))
}

// NoDurableCommit lets tx commit without waiting for the disk: for the
// mirror, which can always be read again from Partner Center.
func NoDurableCommit(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off")
	return err
}

type bulk struct {
	table    string
	cols     []string
	key      []string
	guard    string // extra WHERE on the update, or ""
	keepCols []string
	noGone   bool // the table has no gone_at (portal-derived rows)
	// changed, with noGone, skips rows equal to the stored one but for
	// the changed column (a stamp), so re-deriving a row that did not
	// change writes nothing. Tables whose gone marking reads synced_at
	// cannot use it.
	changed string
}

func (b bulk) upsert(ctx context.Context, tx pgx.Tx, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	stage := "stage_" + b.table
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE IF NOT EXISTS %s (LIKE %s INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`, stage, b.table)); err != nil {
		return fmt.Errorf("stage %s: %w", b.table, err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, b.cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy %s: %w", b.table, err)
	}
	var set []string
	for _, c := range b.cols {
		if !slices.Contains(b.key, c) && !slices.Contains(b.keepCols, c) {
			set = append(set, c+" = excluded."+c)
		}
	}
	if !b.noGone {
		set = append(set, "gone_at = NULL")
	}
	where := b.guard
	if b.changed != "" {
		var old, cur []string
		for _, c := range b.cols {
			if !slices.Contains(b.key, c) && c != b.changed {
				old, cur = append(old, b.table+"."+c), append(cur, "excluded."+c)
			}
		}
		differs := fmt.Sprintf("(%s) IS DISTINCT FROM (%s)", strings.Join(old, ", "), strings.Join(cur, ", "))
		if b.guard != "" {
			where = b.guard + " AND " + differs
		} else {
			where = "WHERE " + differs
		}
	}
	cols := strings.Join(b.cols, ", ")
	q := fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s ON CONFLICT (%s) DO UPDATE SET %s %s`,
		b.table, cols, cols, stage, strings.Join(b.key, ", "), strings.Join(set, ", "), where)
	if _, err := tx.Exec(ctx, q); err != nil {
		return fmt.Errorf("upsert %s: %w", b.table, err)
	}
	_, err := tx.Exec(ctx, "DELETE FROM "+stage)
	return err
}

var (
	bulkCustomers = bulk{table: "customers", key: []string{"id"}, cols: []string{"id", "tenant_id", "commerce_id", "domain",
		"company_name", "company_email", "organization_registration_number", "relationship", "allow_delegated_access",
		"associated_partner_id", "billing_first_name", "billing_last_name", "billing_email", "billing_culture",
		"billing_language", "billing_company_name", "billing_phone", "address_line1", "address_line2", "address_city",
		"address_state", "address_postal_code", "address_country", "etag", "raw", "synced_at"}}
	bulkSubscriptions = bulk{table: "subscriptions", key: []string{"id"}, cols: []string{"id", "customer_id",
		"parent_subscription_id", "order_id", "offer_id", "offer_name", "friendly_name", "status", "quantity", "unit_type",
		"term_duration", "billing_cycle", "billing_type", "consumption_type", "product_type", "contract_type",
		"entitlement_id", "publisher_name", "auto_renew_enabled", "is_trial", "has_purchasable_addons",
		"suspension_reasons", "creation_date", "effective_start_date", "commitment_end_date",
		"cancellation_allowed_until", "billing_cycle_end_date", "etag", "raw", "synced_at"},
		guard: `WHERE NOT EXISTS (SELECT 1 FROM commands c WHERE c.status IN ('pending', 'delivering') AND c.target_id = subscriptions.id)`}
	bulkOrders = bulk{table: "orders", key: []string{"id"}, cols: []string{"id", "customer_id", "alternate_id", "status",
		"billing_cycle", "currency_code", "transaction_type", "total_price", "creation_date", "raw", "synced_at"}}
	bulkOrderLines = bulk{table: "order_line_items", key: []string{"order_id", "line_item_number"}, cols: []string{"order_id",
		"line_item_number", "offer_id", "subscription_id", "parent_subscription_id", "friendly_name", "quantity",
		"term_duration", "transaction_type", "partner_id_on_record", "unit_price", "extended_price", "synced_at"}}
	bulkSkus = bulk{table: "subscribed_skus", key: []string{"customer_id", "sku_id"}, cols: []string{"customer_id", "sku_id",
		"sku_part_number", "sku_name", "target_type", "capability_status", "available_units", "active_units",
		"consumed_units", "suspended_units", "total_units", "warning_units", "raw", "synced_at"}}
)

func customerValues(ps []MirroredCustomer) [][]any {
	seen := map[string]int{}
	out := make([][]any, 0, len(ps))
	for _, p := range ps {
		row := []any{p.ID, p.TenantID, p.CommerceID, p.Domain, p.CompanyName, p.CompanyEmail,
			p.OrganizationRegistrationNumber, p.Relationship, p.AllowDelegatedAccess, p.AssociatedPartnerID,
			p.BillingFirstName, p.BillingLastName, p.BillingEmail, p.BillingCulture, p.BillingLanguage,
			p.BillingCompanyName, p.BillingPhone, p.AddressLine1, p.AddressLine2, p.AddressCity, p.AddressState,
			p.AddressPostalCode, p.AddressCountry, p.Etag, p.Raw, p.SyncedAt}
		out = appendUnique(out, seen, p.ID.String(), row)
	}
	return out
}

func subscriptionValues(ps []db.UpsertSubscriptionParams) [][]any {
	seen := map[string]int{}
	out := make([][]any, 0, len(ps))
	for _, p := range ps {
		row := []any{p.ID, p.CustomerID, p.ParentSubscriptionID, p.OrderID, p.OfferID, p.OfferName, p.FriendlyName,
			p.Status, p.Quantity, p.UnitType, p.TermDuration, p.BillingCycle, p.BillingType, p.ConsumptionType,
			p.ProductType, p.ContractType, p.EntitlementID, p.PublisherName, p.AutoRenewEnabled, p.IsTrial,
			p.HasPurchasableAddons, p.SuspensionReasons, p.CreationDate, p.EffectiveStartDate, p.CommitmentEndDate,
			p.CancellationAllowedUntil, p.BillingCycleEndDate, p.Etag, p.Raw, p.SyncedAt}
		out = appendUnique(out, seen, p.ID, row)
	}
	return out
}

func orderValues(ps []db.UpsertOrderParams) [][]any {
	seen := map[string]int{}
	out := make([][]any, 0, len(ps))
	for _, p := range ps {
		row := []any{p.ID, p.CustomerID, p.AlternateID, p.Status, p.BillingCycle, p.CurrencyCode, p.TransactionType,
			p.TotalPrice, p.CreationDate, p.Raw, p.SyncedAt}
		out = appendUnique(out, seen, p.ID, row)
	}
	return out
}

func orderLineValues(ps []db.UpsertOrderLineItemParams) [][]any {
	seen := map[string]int{}
	out := make([][]any, 0, len(ps))
	for _, p := range ps {
		row := []any{p.OrderID, p.LineItemNumber, p.OfferID, p.SubscriptionID, p.ParentSubscriptionID, p.FriendlyName,
			p.Quantity, p.TermDuration, p.TransactionType, p.PartnerIDOnRecord, p.UnitPrice, p.ExtendedPrice, p.SyncedAt}
		out = appendUnique(out, seen, fmt.Sprint(p.OrderID, "\x00", p.LineItemNumber), row)
	}
	return out
}

func skuValues(ps []SubscribedSkuRow) [][]any {
	seen := map[string]int{}
	out := make([][]any, 0, len(ps))
	for _, p := range ps {
		row := []any{p.CustomerID, p.SkuID, p.SkuPartNumber, p.SkuName, p.TargetType, p.CapabilityStatus,
			p.AvailableUnits, p.ActiveUnits, p.ConsumedUnits, p.SuspendedUnits, p.TotalUnits, p.WarningUnits,
			p.Raw, p.SyncedAt}
		out = appendUnique(out, seen, p.CustomerID.String()+"\x00"+p.SkuID, row)
	}
	return out
}

// appendUnique keeps the last row per key: one INSERT ... ON CONFLICT may
// not touch a row twice.
func appendUnique(out [][]any, seen map[string]int, key string, row []any) [][]any {
	if i, ok := seen[key]; ok {
		out[i] = row
		return out
	}
	seen[key] = len(out)
	return append(out, row)
}
