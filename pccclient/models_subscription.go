package pccclient

import (
	"encoding/json"
	"time"
)

// Subscription is a customer's subscription. PATCH sends the whole resource
// back, so everything read (including unknown members in Extra) is kept.
type Subscription struct {
	ID                            string                         `json:"id,omitempty"`
	EntitlementID                 string                         `json:"entitlementId,omitempty"`
	OfferID                       string                         `json:"offerId,omitempty"`
	OfferName                     string                         `json:"offerName,omitempty"`
	FriendlyName                  string                         `json:"friendlyName,omitempty"`
	ProductType                   *ProductType                   `json:"productType,omitempty"`
	Quantity                      int                            `json:"quantity,omitempty"`
	UnitType                      string                         `json:"unitType,omitempty"`
	ParentSubscriptionID          string                         `json:"parentSubscriptionId,omitempty"`
	ConsumptionType               string                         `json:"consumptionType,omitempty"`
	CreationDate                  time.Time                      `json:"creationDate,omitempty"`
	EffectiveStartDate            time.Time                      `json:"effectiveStartDate,omitempty"`
	CommitmentEndDate             time.Time                      `json:"commitmentEndDate,omitempty"`
	CancellationAllowedUntilDate  time.Time                      `json:"cancellationAllowedUntilDate,omitempty"`
	BillingCycleEndDate           time.Time                      `json:"billingCycleEndDate,omitempty"`
	Status                        SubscriptionStatus             `json:"status,omitempty"`
	AutoRenewEnabled              bool                           `json:"autoRenewEnabled"`
	BillingType                   BillingType                    `json:"billingType,omitempty"`
	BillingCycle                  BillingCycle                   `json:"billingCycle,omitempty"`
	HasPurchasableAddons          bool                           `json:"hasPurchasableAddons,omitempty"`
	IsTrial                       bool                           `json:"isTrial,omitempty"`
	Actions                       []string                       `json:"actions,omitempty"`
	TermDuration                  string                         `json:"termDuration,omitempty"`
	RenewalTermDuration           string                         `json:"renewalTermDuration,omitempty"`
	RefundOptions                 []RefundOption                 `json:"refundOptions,omitempty"`
	RefundableQuantity            *RefundableQuantity            `json:"refundableQuantity,omitempty"`
	IsMicrosoftProduct            bool                           `json:"isMicrosoftProduct,omitempty"`
	PublisherName                 string                         `json:"publisherName,omitempty"`
	PartnerID                     string                         `json:"partnerId,omitempty"`
	SuspensionReasons             []string                       `json:"suspensionReasons,omitempty"`
	ContractType                  ContractType                   `json:"contractType,omitempty"`
	OrderID                       string                         `json:"orderId,omitempty"`
	PromotionID                   string                         `json:"promotionId,omitempty"`
	MigratedFromSubscriptionID    string                         `json:"migratedFromSubscriptionId,omitempty"`
	ScheduledNextTermInstructions *ScheduledNextTermInstructions `json:"scheduledNextTermInstructions,omitempty"`
	AttentionNeeded               bool                           `json:"attentionNeeded,omitempty"`
	ActionTaken                   bool                           `json:"actionTaken,omitempty"`
	Links                         Links                          `json:"links,omitempty"`
	Attributes                    Attributes                     `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// RefundOption is an NCE refund window of a subscription.
type RefundOption struct {
	Type      string    `json:"type,omitempty"`
	ExpiresAt time.Time `json:"expiresAt,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// RefundableQuantity is the seats a new-commerce subscription can still
// reduce at the time of the request, per return window (tranche): each
// purchase, renewal and seat increase has its own.
type RefundableQuantity struct {
	TotalQuantity int                        `json:"totalQuantity"`
	Details       []RefundableQuantityDetail `json:"details,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// RefundableQuantityDetail is one tranche: Quantity seats can be removed
// until AllowedUntilDateTime.
type RefundableQuantityDetail struct {
	Quantity             int       `json:"quantity"`
	AllowedUntilDateTime time.Time `json:"allowedUntilDateTime,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ScheduledNextTermInstructions are changes applied at renewal.
type ScheduledNextTermInstructions struct {
	Product           *NextTermProduct `json:"product,omitempty"`
	Quantity          int              `json:"quantity,omitempty"`
	CustomTermEndDate time.Time        `json:"customTermEndDate,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// NextTermProduct is the product of the next term.
type NextTermProduct struct {
	ProductID      string       `json:"productId,omitempty"`
	SkuID          string       `json:"skuId,omitempty"`
	AvailabilityID string       `json:"availabilityId,omitempty"`
	BillingCycle   BillingCycle `json:"billingCycle,omitempty"`
	TermDuration   string       `json:"termDuration,omitempty"`
	PromotionID    string       `json:"promotionId,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// SubscriptionProvisioningStatus is a subscription's provisioning state.
type SubscriptionProvisioningStatus struct {
	SkuID      string             `json:"skuId,omitempty"`
	Status     ProvisioningStatus `json:"status,omitempty"`
	Quantity   int                `json:"quantity,omitempty"`
	EndDate    time.Time          `json:"endDate,omitempty"`
	Attributes Attributes         `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Entitlement is something a customer is entitled to use.
type Entitlement struct {
	IncludedEntitlements []Entitlement     `json:"includedEntitlements,omitempty"`
	ReferenceOrder       *ReferenceOrder   `json:"referenceOrder,omitempty"`
	ProductID            string            `json:"productId,omitempty"`
	SkuID                string            `json:"skuId,omitempty"`
	Quantity             int               `json:"quantity,omitempty"`
	QuantityDetails      []QuantityDetail  `json:"quantityDetails,omitempty"`
	EntitledArtifacts    []json.RawMessage `json:"entitledArtifacts,omitempty"`
	EntitlementType      string            `json:"entitlementType,omitempty"`
	FulfillmentState     string            `json:"fulfillmentState,omitempty"`
	ExpiryDate           time.Time         `json:"expiryDate,omitempty"`
	Links                Links             `json:"links,omitempty"`
	Attributes           Attributes        `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ReferenceOrder points from an entitlement to its order line.
type ReferenceOrder struct {
	ID          string `json:"id,omitempty"`
	LineItemID  string `json:"lineItemId,omitempty"`
	AlternateID string `json:"alternateId,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// QuantityDetail is a quantity in a state.
type QuantityDetail struct {
	Quantity int    `json:"quantity,omitempty"`
	Status   string `json:"status,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// SubscribedSKU is a customer's license usage of one SKU.
type SubscribedSKU struct {
	AvailableUnits   int           `json:"availableUnits,omitempty"`
	ActiveUnits      int           `json:"activeUnits,omitempty"`
	ConsumedUnits    int           `json:"consumedUnits,omitempty"`
	SuspendedUnits   int           `json:"suspendedUnits,omitempty"`
	TotalUnits       int           `json:"totalUnits,omitempty"`
	WarningUnits     int           `json:"warningUnits,omitempty"`
	ProductSKU       *ProductSKU   `json:"productSku,omitempty"`
	ServicePlans     []ServicePlan `json:"servicePlans,omitempty"`
	CapabilityStatus string        `json:"capabilityStatus,omitempty"`
	Attributes       Attributes    `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ProductSKU is the Entra SKU of a SubscribedSKU.
type ProductSKU struct {
	ID             string `json:"id,omitempty"`
	Name           string `json:"name,omitempty"`
	SkuPartNumber  string `json:"skuPartNumber,omitempty"`
	TargetType     string `json:"targetType,omitempty"`
	LicenseGroupID string `json:"licenseGroupId,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ServicePlan is a service plan included in a SKU.
type ServicePlan struct {
	DisplayName      string `json:"displayName,omitempty"`
	ServiceName      string `json:"serviceName,omitempty"`
	ID               string `json:"id,omitempty"`
	CapabilityStatus string `json:"capabilityStatus,omitempty"`
	TargetType       string `json:"targetType,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}
