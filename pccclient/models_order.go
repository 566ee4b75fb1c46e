package pccclient

import (
	"encoding/json"
	"time"
)

// Cart is a new-commerce shopping cart.
type Cart struct {
	ID                                 string         `json:"id,omitempty"`
	CreationTimestamp                  time.Time      `json:"creationTimestamp,omitempty"`
	LastModifiedTimestamp              time.Time      `json:"lastModifiedTimestamp,omitempty"`
	ExpirationTimestamp                time.Time      `json:"expirationTimestamp,omitempty"`
	LastModifiedUser                   string         `json:"lastModifiedUser,omitempty"`
	Status                             string         `json:"status,omitempty"`
	LineItems                          []CartLineItem `json:"lineItems,omitempty"`
	PartnerOnRecordAttestationAccepted bool           `json:"partnerOnRecordAttestationAccepted,omitempty"`
	Links                              Links          `json:"links,omitempty"`
	Attributes                         Attributes     `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// CartLineItem is one cart line; ID is 0-based and unique within the cart.
type CartLineItem struct {
	ID                  int               `json:"id,omitempty"`
	CatalogItemID       string            `json:"catalogItemId,omitempty"`
	FriendlyName        string            `json:"friendlyName,omitempty"`
	Quantity            int               `json:"quantity,omitempty"`
	CurrencyCode        string            `json:"currencyCode,omitempty"`
	BillingCycle        BillingCycle      `json:"billingCycle,omitempty"`
	TermDuration        string            `json:"termDuration,omitempty"`
	PromotionID         string            `json:"promotionId,omitempty"`
	Participants        []KeyValue        `json:"participants,omitempty"`
	ProvisioningContext map[string]string `json:"provisioningContext,omitempty"`
	OrderGroup          string            `json:"orderGroup,omitempty"`
	AddonItems          []CartLineItem    `json:"addonItems,omitempty"`
	RenewsTo            *RenewsTo         `json:"renewsTo,omitempty"`
	Error               *CartError        `json:"error,omitempty"`
	CustomTermEndDate   time.Time         `json:"customTermEndDate,omitempty"`
	AttestationAccepted bool              `json:"attestationAccepted,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// RenewsTo is the term a trial or line item renews into.
type RenewsTo struct {
	TermDuration string `json:"termDuration,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// CartError is a cart line item's error; ErrorCode is PC's CartErrorCode name.
type CartError struct {
	ErrorCode             json.RawMessage `json:"errorCode,omitempty"`
	ErrorDescription      string          `json:"errorDescription,omitempty"`
	AdditionalInformation string          `json:"additionalInformation,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// CartCheckoutResult is the result of a checkout: one order per order group
// and the groups that failed (partial success).
type CartCheckoutResult struct {
	Orders      []Order      `json:"orders,omitempty"`
	OrderErrors []OrderError `json:"orderErrors,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// OrderError is an order group that failed at checkout.
type OrderError struct {
	OrderGroupID string      `json:"orderGroupId,omitempty"`
	Code         json.Number `json:"code,omitempty"`
	Description  string      `json:"description,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Order is a purchase. Legacy orders have GUID ids, new-commerce orders
// 33-character opaque ids.
type Order struct {
	ID                                 string          `json:"id,omitempty"`
	AlternateID                        string          `json:"alternateId,omitempty"`
	ReferenceCustomerID                string          `json:"referenceCustomerId,omitempty"`
	BillingCycle                       BillingCycle    `json:"billingCycle,omitempty"`
	CurrencyCode                       string          `json:"currencyCode,omitempty"`
	CurrencySymbol                     string          `json:"currencySymbol,omitempty"`
	LineItems                          []OrderLineItem `json:"lineItems,omitempty"`
	CreationDate                       time.Time       `json:"creationDate,omitempty"`
	Status                             OrderStatus     `json:"status,omitempty"`
	TransactionType                    string          `json:"transactionType,omitempty"`
	TotalPrice                         json.Number     `json:"totalPrice,omitempty"`
	PartnerOnRecordAttestationAccepted bool            `json:"partnerOnRecordAttestationAccepted,omitempty"`
	Links                              Links           `json:"links,omitempty"`
	Attributes                         Attributes      `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// OrderLineItem is one line of an order; LineItemNumber runs 0..n-1.
// ParentSubscriptionID makes the line an add-on of that subscription.
type OrderLineItem struct {
	LineItemNumber               int               `json:"lineItemNumber"`
	OfferID                      string            `json:"offerId,omitempty"`
	SubscriptionID               string            `json:"subscriptionId,omitempty"`
	ParentSubscriptionID         string            `json:"parentSubscriptionId,omitempty"`
	TermDuration                 string            `json:"termDuration,omitempty"`
	RenewsTo                     *RenewsTo         `json:"renewsTo,omitempty"`
	TransactionType              string            `json:"transactionType,omitempty"`
	PromotionID                  string            `json:"promotionId,omitempty"`
	CustomTermEndDate            time.Time         `json:"customTermEndDate,omitempty"`
	FriendlyName                 string            `json:"friendlyName,omitempty"`
	Quantity                     int               `json:"quantity,omitempty"`
	Pricing                      *Pricing          `json:"pricing,omitempty"`
	PartnerIDOnRecord            string            `json:"partnerIdOnRecord,omitempty"`
	AdditionalPartnerIDsOnRecord []string          `json:"additionalPartnerIdsOnRecord,omitempty"`
	ProvisioningContext          map[string]string `json:"provisioningContext,omitempty"`
	AttestationAccepted          bool              `json:"attestationAccepted,omitempty"`
	Links                        Links             `json:"links,omitempty"`
	Attributes                   Attributes        `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Pricing is a line item's prices (with include_price=true). Amounts keep
// PC's decimal text; convert with Decimal.
type Pricing struct {
	ListPrice       json.Number `json:"listPrice,omitempty"`
	DiscountedPrice json.Number `json:"discountedPrice,omitempty"`
	ProratedPrice   json.Number `json:"proratedPrice,omitempty"`
	Price           json.Number `json:"price,omitempty"`
	ExtendedPrice   json.Number `json:"extendedPrice,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}
