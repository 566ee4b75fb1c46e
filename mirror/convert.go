package mirror

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// Conversions from Partner Center resources to mirror rows.

// RawJSON is v's JSON for a raw column: what PC sent when the client kept
// it (the bulk-mirrored models), else v encoded.
func RawJSON(v any) json.RawMessage {
	if r, ok := v.(interface{ ReceivedJSON() json.RawMessage }); ok {
		if b := r.ReceivedJSON(); len(b) > 0 {
			return b
		}
	}
	b, err := json.Marshal(v)
	if err != nil || len(b) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

func tptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func lower(s string) string { return strings.ToLower(s) }

func nullDecimal(n json.Number) decimal.NullDecimal {
	if n == "" {
		return decimal.NullDecimal{}
	}
	d, err := pccclient.Decimal(n)
	if err != nil {
		return decimal.NullDecimal{}
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}
}

func customerRow(c *pccclient.Customer, id uuid.UUID, at time.Time) store.MirroredCustomer {
	p := store.MirroredCustomer{
		ID: id, CommerceID: c.CommerceID, Relationship: lower(string(c.RelationshipToPartner)),
		AllowDelegatedAccess: c.AllowDelegatedAccess, AssociatedPartnerID: lower(c.AssociatedPartnerID),
		Etag: c.Attributes.Etag, SyncedAt: at,
	}
	if cp := c.CompanyProfile; cp != nil {
		p.TenantID, p.Domain, p.CompanyName = cp.TenantID, cp.Domain, cp.CompanyName
		p.CompanyEmail, p.OrganizationRegistrationNumber = cp.Email, cp.OrganizationRegistrationNumber
	}
	if bp := c.BillingProfile; bp != nil {
		p.BillingFirstName, p.BillingLastName, p.BillingEmail = bp.FirstName, bp.LastName, bp.Email
		p.BillingCulture, p.BillingLanguage, p.BillingCompanyName = bp.Culture, bp.Language, bp.CompanyName
		if a := bp.DefaultAddress; a != nil {
			p.BillingPhone = a.PhoneNumber
			p.AddressLine1, p.AddressLine2, p.AddressCity = a.AddressLine1, a.AddressLine2, a.City
			p.AddressState, p.AddressPostalCode, p.AddressCountry = a.State, a.PostalCode, a.Country
		}
	}
	// The one-time admin credentials of a new tenant are never stored.
	c2 := *c
	c2.UserCredentials = nil
	p.Raw = RawJSON(c2)
	return p
}

func subscriptionRow(s *pccclient.Subscription, customerID uuid.UUID, at time.Time, respectPending bool) db.UpsertSubscriptionParams {
	p := db.UpsertSubscriptionParams{
		ID: s.ID, CustomerID: customerID, ParentSubscriptionID: s.ParentSubscriptionID,
		OrderID: s.OrderID, OfferID: s.OfferID, OfferName: s.OfferName, FriendlyName: s.FriendlyName,
		Status: lower(string(s.Status)), Quantity: int32(s.Quantity), UnitType: s.UnitType,
		TermDuration: s.TermDuration, BillingCycle: lower(string(s.BillingCycle)),
		BillingType: lower(string(s.BillingType)), ConsumptionType: s.ConsumptionType,
		ContractType: lower(string(s.ContractType)), EntitlementID: s.EntitlementID,
		PublisherName: s.PublisherName, AutoRenewEnabled: s.AutoRenewEnabled, IsTrial: s.IsTrial,
		HasPurchasableAddons: s.HasPurchasableAddons, SuspensionReasons: s.SuspensionReasons,
		CreationDate: tptr(s.CreationDate), EffectiveStartDate: tptr(s.EffectiveStartDate),
		CommitmentEndDate: tptr(s.CommitmentEndDate), CancellationAllowedUntil: tptr(s.CancellationAllowedUntilDate),
		BillingCycleEndDate: tptr(s.BillingCycleEndDate), Etag: s.Attributes.Etag, Raw: RawJSON(s),
		SyncedAt: at, RespectPending: respectPending,
	}
	if p.SuspensionReasons == nil {
		p.SuspensionReasons = []string{}
	}
	if s.ProductType != nil {
		p.ProductType = s.ProductType.ID
	}
	return p
}

func orderRows(o *pccclient.Order, customerID uuid.UUID, at time.Time) (db.UpsertOrderParams, []db.UpsertOrderLineItemParams) {
	p := db.UpsertOrderParams{
		ID: o.ID, CustomerID: customerID, AlternateID: o.AlternateID, Status: lower(string(o.Status)),
		BillingCycle: lower(string(o.BillingCycle)), CurrencyCode: o.CurrencyCode,
		TransactionType: o.TransactionType, TotalPrice: nullDecimal(o.TotalPrice),
		CreationDate: tptr(o.CreationDate), Raw: RawJSON(o), SyncedAt: at,
	}
	lines := make([]db.UpsertOrderLineItemParams, 0, len(o.LineItems))
	for _, l := range o.LineItems {
		lp := db.UpsertOrderLineItemParams{
			OrderID: o.ID, LineItemNumber: int32(l.LineItemNumber), OfferID: l.OfferID,
			SubscriptionID: l.SubscriptionID, ParentSubscriptionID: l.ParentSubscriptionID,
			FriendlyName: l.FriendlyName, Quantity: int32(l.Quantity), TermDuration: l.TermDuration,
			TransactionType: l.TransactionType, PartnerIDOnRecord: l.PartnerIDOnRecord, SyncedAt: at,
		}
		if l.Pricing != nil {
			lp.UnitPrice = nullDecimal(l.Pricing.Price)
			lp.ExtendedPrice = nullDecimal(l.Pricing.ExtendedPrice)
		}
		lines = append(lines, lp)
	}
	return p, lines
}

func agreementRow(a *pccclient.Agreement, customerID uuid.UUID, at time.Time) db.UpsertAgreementParams {
	p := db.UpsertAgreementParams{
		CustomerID: customerID, AgreementType: a.Type, TemplateID: a.TemplateID,
		DateAgreed: a.DateAgreed.UTC(), UserID: a.UserID, AgreementLink: a.AgreementLink, SyncedAt: at,
	}
	if c := a.PrimaryContact; c != nil {
		p.ContactFirstName, p.ContactLastName, p.ContactEmail, p.ContactPhone = c.FirstName, c.LastName, c.Email, c.PhoneNumber
	}
	return p
}

func subscribedSkuRow(s *pccclient.SubscribedSKU, customerID uuid.UUID, at time.Time) (store.SubscribedSkuRow, bool) {
	if s.ProductSKU == nil || s.ProductSKU.ID == "" {
		return store.SubscribedSkuRow{}, false
	}
	return store.SubscribedSkuRow{
		CustomerID: customerID, SkuID: s.ProductSKU.ID, SkuPartNumber: s.ProductSKU.SkuPartNumber,
		SkuName: s.ProductSKU.Name, TargetType: s.ProductSKU.TargetType, CapabilityStatus: s.CapabilityStatus,
		AvailableUnits: int32(s.AvailableUnits), ActiveUnits: int32(s.ActiveUnits),
		ConsumedUnits: int32(s.ConsumedUnits), SuspendedUnits: int32(s.SuspendedUnits),
		TotalUnits: int32(s.TotalUnits), WarningUnits: int32(s.WarningUnits), Raw: RawJSON(s), SyncedAt: at,
	}, true
}

func auditRow(a *pccclient.AuditRecord, at time.Time) db.InsertPCAuditRecordParams {
	p := db.InsertPCAuditRecordParams{
		ID: a.ID, CustomerName: a.CustomerName, OperationType: lower(string(a.OperationType)),
		OperationStatus: lower(string(a.OperationStatus)), OperationDate: a.OperationDate.UTC(),
		ResourceType: lower(string(a.ResourceType)), UserPrincipalName: a.UserPrincipalName,
		ApplicationID: a.ApplicationID, OriginalCorrelationID: a.OriginalCorrelationID,
		CustomizedData: RawJSON(a.CustomizedData), Raw: RawJSON(a), SyncedAt: at,
	}
	if p.CustomizedData == nil || string(p.CustomizedData) == "null" {
		p.CustomizedData = json.RawMessage("[]")
	}
	if id, err := uuid.Parse(a.CustomerID); err == nil {
		p.CustomerID = &id
	}
	return p
}
