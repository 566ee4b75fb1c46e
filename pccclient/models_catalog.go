package pccclient

import "encoding/json"

// Offer is a legacy CSP offer (GUID id).
type Offer struct {
	ID                     string         `json:"id,omitempty"`
	Name                   string         `json:"name,omitempty"`
	Description            string         `json:"description,omitempty"`
	MinimumQuantity        int            `json:"minimumQuantity,omitempty"`
	MaximumQuantity        int            `json:"maximumQuantity,omitempty"`
	Rank                   int            `json:"rank,omitempty"`
	URI                    string         `json:"uri,omitempty"`
	Locale                 string         `json:"locale,omitempty"`
	Country                string         `json:"country,omitempty"`
	Category               *OfferCategory `json:"category,omitempty"`
	LimitUnitOfMeasure     string         `json:"limitUnitOfMeasure,omitempty"`
	Limit                  int            `json:"limit,omitempty"`
	PrerequisiteOffers     []string       `json:"prerequisiteOffers,omitempty"`
	IsAddOn                bool           `json:"isAddOn,omitempty"`
	HasAddOns              bool           `json:"hasAddOns,omitempty"`
	IsAvailableForPurchase bool           `json:"isAvailableForPurchase,omitempty"`
	Billing                BillingType    `json:"billing,omitempty"`
	SupportedBillingCycles []BillingCycle `json:"supportedBillingCycles,omitempty"`
	IsAutoRenewable        bool           `json:"isAutoRenewable,omitempty"`
	UpgradeTargetOffers    []string       `json:"upgradeTargetOffers,omitempty"`
	ConversionTargetOffers []string       `json:"conversionTargetOffers,omitempty"`
	ResellerQualifications []string       `json:"resellerQualifications,omitempty"`
	ReselleeQualifications []string       `json:"reselleeQualifications,omitempty"`
	SalesGroupID           string         `json:"salesGroupId,omitempty"`
	IsTrial                bool           `json:"isTrial,omitempty"`
	Product                *OfferProduct  `json:"product,omitempty"`
	UnitType               string         `json:"unitType,omitempty"`
	Links                  Links          `json:"links,omitempty"`
	Attributes             Attributes     `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// OfferCategory is an offer's category.
type OfferCategory struct {
	ID         string     `json:"id,omitempty"`
	Name       string     `json:"name,omitempty"`
	Rank       int        `json:"rank,omitempty"`
	Locale     string     `json:"locale,omitempty"`
	Country    string     `json:"country,omitempty"`
	Attributes Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// OfferProduct is the product an offer belongs to.
type OfferProduct struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Unit string `json:"unit,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Product is a new-catalog product.
type Product struct {
	ID                 string       `json:"id,omitempty"`
	Title              string       `json:"title,omitempty"`
	Description        string       `json:"description,omitempty"`
	ProductType        *ProductType `json:"productType,omitempty"`
	IsMicrosoftProduct bool         `json:"isMicrosoftProduct,omitempty"`
	PublisherName      string       `json:"publisherName,omitempty"`
	Links              Links        `json:"links,omitempty"`
	Attributes         Attributes   `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// SKU is a new-catalog SKU of a product.
type SKU struct {
	ID                     string            `json:"id,omitempty"`
	ProductID              string            `json:"productId,omitempty"`
	Title                  string            `json:"title,omitempty"`
	Description            string            `json:"description,omitempty"`
	MinimumQuantity        int               `json:"minimumQuantity,omitempty"`
	MaximumQuantity        int               `json:"maximumQuantity,omitempty"`
	IsTrial                bool              `json:"isTrial,omitempty"`
	SupportedBillingCycles []BillingCycle    `json:"supportedBillingCycles,omitempty"`
	PurchasePrerequisites  []string          `json:"purchasePrerequisites,omitempty"`
	InventoryVariables     []string          `json:"inventoryVariables,omitempty"`
	ProvisioningVariables  []string          `json:"provisioningVariables,omitempty"`
	Actions                []string          `json:"actions,omitempty"`
	DynamicAttributes      map[string]any    `json:"dynamicAttributes,omitempty"`
	ConsumptionType        string            `json:"consumptionType,omitempty"`
	Links                  Links             `json:"links,omitempty"`
	Attributes             Attributes        `json:"attributes,omitempty"`
	Constraints            []json.RawMessage `json:"constraints,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Availability is a purchasable availability of a SKU; CatalogItemID
// (productId:skuId:availabilityId) is what carts order.
type Availability struct {
	ID                      string               `json:"id,omitempty"`
	ProductID               string               `json:"productId,omitempty"`
	SkuID                   string               `json:"skuId,omitempty"`
	CatalogItemID           string               `json:"catalogItemId,omitempty"`
	DefaultCurrency         *Currency            `json:"defaultCurrency,omitempty"`
	Segment                 string               `json:"segment,omitempty"`
	Country                 string               `json:"country,omitempty"`
	IsPurchasable           bool                 `json:"isPurchasable,omitempty"`
	IsRenewable             bool                 `json:"isRenewable,omitempty"`
	RenewalInstructions     []RenewalInstruction `json:"renewalInstructions,omitempty"`
	Terms                   []AvailabilityTerm   `json:"terms,omitempty"`
	IncludedQuantityOptions []int                `json:"includedQuantityOptions,omitempty"`
	Product                 *Product             `json:"product,omitempty"`
	SKU                     *SKU                 `json:"sku,omitempty"`
	Links                   Links                `json:"links,omitempty"`
	Attributes              Attributes           `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// RenewalInstruction says what terms renew into.
type RenewalInstruction struct {
	ApplicableTermIDs []string        `json:"applicableTermIds,omitempty"`
	RenewalOptions    []RenewalOption `json:"renewalOptions,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// RenewalOption is one renewal target.
type RenewalOption struct {
	RenewToID       string `json:"renewToId,omitempty"`
	IsAutoRenewable bool   `json:"isAutoRenewable,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// AvailabilityTerm is a term (P1M, P1Y, P3Y) with its billing cycle and
// cancellation policy.
type AvailabilityTerm struct {
	ID                   string               `json:"id,omitempty"`
	Duration             string               `json:"duration,omitempty"`
	Description          string               `json:"description,omitempty"`
	BillingCycle         BillingCycle         `json:"billingCycle,omitempty"`
	CancellationPolicies []CancellationPolicy `json:"cancellationPolicies,omitempty"`
	RenewalOptions       []RenewalOption      `json:"renewalOptions,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// CancellationPolicy lists refund options of a term.
type CancellationPolicy struct {
	RefundOptions []PolicyRefundOption `json:"refundOptions,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PolicyRefundOption is a refund step of a cancellation policy; ExpiresAfter
// is an ISO-8601 duration ("P1D", "P7D").
type PolicyRefundOption struct {
	SequenceID   int    `json:"sequenceId,omitempty"`
	Type         string `json:"type,omitempty"`
	ExpiresAfter string `json:"expiresAfter,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}
