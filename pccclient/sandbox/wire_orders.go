package sandbox

import (
	"encoding/json"
	"time"
)

// Order, cart, subscription, licensing, audit and billing resources.

// --- orders and carts ---

// pricingWire amounts are JSON numbers rendered from decimals.
type pricingWire struct {
	ListPrice       json.Number `json:"listPrice"`
	DiscountedPrice json.Number `json:"discountedPrice"`
	ProratedPrice   json.Number `json:"proratedPrice"`
	Price           json.Number `json:"price"`
	ExtendedPrice   json.Number `json:"extendedPrice"`
}

type renewsTo struct {
	TermDuration string `json:"termDuration"`
}

type orderLineItem struct {
	LineItemNumber       int               `json:"lineItemNumber"`
	OfferID              string            `json:"offerId"`
	SubscriptionID       string            `json:"subscriptionId,omitempty"`
	ParentSubscriptionID string            `json:"parentSubscriptionId,omitempty"`
	TermDuration         string            `json:"termDuration,omitempty"`
	TransactionType      string            `json:"transactionType,omitempty"`
	PromotionID          string            `json:"promotionId,omitempty"`
	FriendlyName         string            `json:"friendlyName,omitempty"`
	Quantity             int               `json:"quantity"`
	Pricing              *pricingWire      `json:"pricing,omitempty"`
	PartnerIDOnRecord    string            `json:"partnerIdOnRecord,omitempty"`
	ProvisioningContext  map[string]string `json:"provisioningContext,omitempty"`
	RenewsTo             *renewsTo         `json:"renewsTo,omitempty"`
	Links                links             `json:"links"`
}

type orderWire struct {
	ID                  string          `json:"id"`
	AlternateID         string          `json:"alternateId,omitempty"`
	ReferenceCustomerID string          `json:"referenceCustomerId"`
	BillingCycle        string          `json:"billingCycle"`
	CurrencyCode        string          `json:"currencyCode,omitempty"`
	CurrencySymbol      string          `json:"currencySymbol,omitempty"`
	LineItems           []orderLineItem `json:"lineItems"`
	CreationDate        time.Time       `json:"creationDate"`
	Status              string          `json:"status"`
	TransactionType     string          `json:"transactionType,omitempty"`
	TotalPrice          *json.Number    `json:"totalPrice,omitempty"`
	Links               links           `json:"links"`
	Attributes          attrs           `json:"attributes"`
}

type cartError struct {
	ErrorCode             string `json:"errorCode"`
	ErrorDescription      string `json:"errorDescription"`
	AdditionalInformation string `json:"additionalInformation,omitempty"`
}

type cartLineItem struct {
	ID                  int               `json:"id"`
	CatalogItemID       string            `json:"catalogItemId"`
	FriendlyName        string            `json:"friendlyName,omitempty"`
	Quantity            int               `json:"quantity"`
	CurrencyCode        string            `json:"currencyCode,omitempty"`
	BillingCycle        string            `json:"billingCycle,omitempty"`
	TermDuration        string            `json:"termDuration,omitempty"`
	PromotionID         string            `json:"promotionId,omitempty"`
	Participants        []header          `json:"participants,omitempty"`
	ProvisioningContext map[string]string `json:"provisioningContext"`
	OrderGroup          string            `json:"orderGroup,omitempty"`
	AddonItems          []cartLineItem    `json:"addonItems,omitempty"`
	RenewsTo            *renewsTo         `json:"renewsTo,omitempty"`
	CustomTermEndDate   *pcDate           `json:"customTermEndDate,omitempty"`
	Error               *cartError        `json:"error,omitempty"`
}

type cartWire struct {
	ID                    string         `json:"id"`
	CreationTimestamp     time.Time      `json:"creationTimestamp"`
	LastModifiedTimestamp time.Time      `json:"lastModifiedTimestamp"`
	ExpirationTimestamp   time.Time      `json:"expirationTimestamp"`
	LastModifiedUser      string         `json:"lastModifiedUser"`
	Status                string         `json:"status"`
	LineItems             []cartLineItem `json:"lineItems"`
	Links                 links          `json:"links"`
	Attributes            attrs          `json:"attributes"`
}

type orderError struct {
	OrderGroupID string `json:"orderGroupId"`
	Code         int    `json:"code"`
	Description  string `json:"description"`
}

type checkoutWire struct {
	Orders      []*orderWire `json:"orders"`
	OrderErrors []orderError `json:"orderErrors"`
	Attributes  attrs        `json:"attributes"`
}

// --- subscriptions ---

type refundOptionAt struct {
	Type      string    `json:"type"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type subscriptionWire struct {
	ID                            string           `json:"id"`
	EntitlementID                 string           `json:"entitlementId,omitempty"`
	OfferID                       string           `json:"offerId"`
	OfferName                     string           `json:"offerName"`
	FriendlyName                  string           `json:"friendlyName"`
	ProductType                   *productTypeWire `json:"productType,omitempty"`
	Quantity                      int              `json:"quantity"`
	UnitType                      string           `json:"unitType"`
	ParentSubscriptionID          string           `json:"parentSubscriptionId,omitempty"`
	HasPurchasableAddons          bool             `json:"hasPurchasableAddons"`
	CreationDate                  time.Time        `json:"creationDate"`
	EffectiveStartDate            time.Time        `json:"effectiveStartDate"`
	CommitmentEndDate             time.Time        `json:"commitmentEndDate"`
	CancellationAllowedUntilDate  *time.Time       `json:"cancellationAllowedUntilDate,omitempty"`
	Status                        string           `json:"status"`
	AutoRenewEnabled              bool             `json:"autoRenewEnabled"`
	ScheduledNextTermInstructions *nextTermWire    `json:"scheduledNextTermInstructions,omitempty"`
	IsTrial                       bool             `json:"isTrial"`
	BillingType                   string           `json:"billingType"`
	BillingCycle                  string           `json:"billingCycle"`
	TermDuration                  string           `json:"termDuration,omitempty"`
	RenewalTermDuration           string           `json:"renewalTermDuration"`
	RefundOptions                 []refundOptionAt `json:"refundOptions,omitempty"`
	RefundableQuantity            *refundableWire  `json:"refundableQuantity,omitempty"`
	IsMicrosoftProduct            bool             `json:"isMicrosoftProduct"`
	PublisherName                 string           `json:"publisherName,omitempty"`
	PartnerID                     string           `json:"partnerId"`
	SuspensionReasons             []string         `json:"suspensionReasons,omitempty"`
	AttentionNeeded               bool             `json:"attentionNeeded"`
	ActionTaken                   bool             `json:"actionTaken"`
	ContractType                  string           `json:"contractType"`
	MigratedFromSubscriptionID    string           `json:"migratedFromSubscriptionId,omitempty"`
	PromotionID                   string           `json:"promotionId,omitempty"`
	Links                         links            `json:"links"`
	OrderID                       string           `json:"orderId"`
	Attributes                    attrs            `json:"attributes"`
}

type provisioningStatusWire struct {
	SkuID      string    `json:"skuId"`
	Status     string    `json:"status"`
	Quantity   int       `json:"quantity"`
	EndDate    time.Time `json:"endDate"`
	Attributes attrs     `json:"attributes"`
}

// --- licensing, audit, billing ---

type referenceOrder struct {
	ID          string `json:"id"`
	LineItemID  string `json:"lineItemId"`
	AlternateID string `json:"alternateId"`
}

type quantityDetail struct {
	Quantity int    `json:"quantity"`
	Status   string `json:"status"`
}

type entitlementWire struct {
	IncludedEntitlements []entitlementWire `json:"includedEntitlements"`
	ReferenceOrder       referenceOrder    `json:"referenceOrder"`
	ProductID            string            `json:"productId"`
	SkuID                string            `json:"skuId"`
	Quantity             int               `json:"quantity"`
	QuantityDetails      []quantityDetail  `json:"quantityDetails"`
	EntitledArtifacts    []any             `json:"entitledArtifacts"`
	EntitlementType      string            `json:"entitlementType"`
	FulfillmentState     string            `json:"fulfillmentState"`
	ExpiryDate           *time.Time        `json:"expiryDate,omitempty"`
	Attributes           attrs             `json:"attributes"`
}

type productSkuWire struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	SkuPartNumber  string `json:"skuPartNumber"`
	TargetType     string `json:"targetType"`
	LicenseGroupID string `json:"licenseGroupId"`
}

type servicePlanWire struct {
	DisplayName      string `json:"displayName"`
	ServiceName      string `json:"serviceName"`
	ID               string `json:"id"`
	CapabilityStatus string `json:"capabilityStatus"`
	TargetType       string `json:"targetType"`
}

type subscribedSkuWire struct {
	AvailableUnits   int               `json:"availableUnits"`
	ActiveUnits      int               `json:"activeUnits"`
	ConsumedUnits    int               `json:"consumedUnits"`
	SuspendedUnits   int               `json:"suspendedUnits"`
	TotalUnits       int               `json:"totalUnits"`
	WarningUnits     int               `json:"warningUnits"`
	ProductSku       productSkuWire    `json:"productSku"`
	ServicePlans     []servicePlanWire `json:"servicePlans"`
	CapabilityStatus string            `json:"capabilityStatus"`
	Attributes       attrs             `json:"attributes"`
}

type kv struct {
	Key   string  `json:"key"`
	Value *string `json:"value"`
}

type auditRecordWire struct {
	ID                    string    `json:"id"`
	PartnerID             string    `json:"partnerId"`
	Participants          []string  `json:"participants"`
	CustomerID            string    `json:"customerId,omitempty"`
	CustomerName          string    `json:"customerName,omitempty"`
	UserPrincipalName     string    `json:"userPrincipalName"`
	ApplicationID         string    `json:"applicationId"`
	ResourceType          string    `json:"resourceType"`
	ResourceOldValue      string    `json:"resourceOldValue,omitempty"`
	ResourceNewValue      string    `json:"resourceNewValue,omitempty"`
	OperationType         string    `json:"operationType"`
	OriginalCorrelationID string    `json:"originalCorrelationId,omitempty"`
	OperationDate         time.Time `json:"operationDate"`
	OperationStatus       string    `json:"operationStatus"`
	CustomizedData        []kv      `json:"customizedData"`
	Attributes            attrs     `json:"attributes"`
}

type taxReceipt struct {
	ID                        string `json:"id"`
	TaxReceiptPdfDownloadLink string `json:"taxReceiptPdfDownloadLink"`
}

type invoiceDetail struct {
	InvoiceLineItemType string `json:"invoiceLineItemType"`
	BillingProvider     string `json:"billingProvider"`
	Links               links  `json:"links"`
	Attributes          attrs  `json:"attributes"`
}

type invoiceWire struct {
	ID                     string          `json:"id"`
	InvoiceDate            time.Time       `json:"invoiceDate"`
	BillingPeriodStartDate time.Time       `json:"billingPeriodStartDate"`
	BillingPeriodEndDate   time.Time       `json:"billingPeriodEndDate"`
	TotalCharges           float64         `json:"totalCharges"`
	PaidAmount             float64         `json:"paidAmount"`
	CurrencyCode           string          `json:"currencyCode"`
	CurrencySymbol         string          `json:"currencySymbol"`
	PdfDownloadLink        string          `json:"pdfDownloadLink"`
	TaxReceipts            []taxReceipt    `json:"taxReceipts"`
	InvoiceDetails         []invoiceDetail `json:"invoiceDetails"`
	Amendments             []invoiceWire   `json:"amendments,omitempty"`
	DocumentType           string          `json:"documentType"`
	AmendsOf               string          `json:"amendsOf,omitempty"`
	InvoiceType            string          `json:"invoiceType"`
	Links                  links           `json:"links"`
	Attributes             attrs           `json:"attributes"`
}
