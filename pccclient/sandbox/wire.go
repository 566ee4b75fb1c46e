package sandbox

import (
	"time"
)

// The types in this file mirror Partner Center's JSON resources field by
// field (camelCase on output; encoding/json matches input names without
// regard to case, so PascalCase requests decode too).

type attrs struct {
	Etag       string `json:"etag,omitempty"`
	ObjectType string `json:"objectType"`
}

type header struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type link struct {
	URI     string   `json:"uri"`
	Method  string   `json:"method"`
	Headers []header `json:"headers"`
}

func getLink(uri string) *link { return &link{URI: uri, Method: "GET", Headers: []header{}} }

type links struct {
	Self               *link `json:"self,omitempty"`
	Next               *link `json:"next,omitempty"`
	Previous           *link `json:"previous,omitempty"`
	LearnMore          *link `json:"learnMore,omitempty"`
	Skus               *link `json:"skus,omitempty"`
	Availabilities     *link `json:"availabilities,omitempty"`
	Offer              *link `json:"offer,omitempty"`
	Entitlement        *link `json:"entitlement,omitempty"`
	ParentSubscription *link `json:"parentSubscription,omitempty"`
	Product            *link `json:"product,omitempty"`
	Sku                *link `json:"sku,omitempty"`
	Availability       *link `json:"availability,omitempty"`
	Subscription       *link `json:"subscription,omitempty"`
	ProvisioningStatus *link `json:"provisioningStatus,omitempty"`
	PatchOperation     *link `json:"patchOperation,omitempty"`
}

// collection is PC's Collection resource.
type collection struct {
	TotalCount        int    `json:"totalCount"`
	Items             any    `json:"items"`
	Links             *links `json:"links,omitempty"`
	ContinuationToken string `json:"continuationToken,omitempty"`
	Attributes        attrs  `json:"attributes"`
}

func newCollection(items any, n int, self string) *collection {
	c := &collection{TotalCount: n, Items: items, Attributes: attrs{ObjectType: "Collection"}}
	if self != "" {
		c.Links = &links{Self: getLink(self)}
	}
	return c
}

// --- catalog ---

type offerCategory struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Rank       int    `json:"rank"`
	Locale     string `json:"locale"`
	Country    string `json:"country"`
	Attributes attrs  `json:"attributes"`
}

type offerProduct struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Unit string `json:"unit"`
}

type offerWire struct {
	ID                     string        `json:"id"`
	Name                   string        `json:"name"`
	Description            string        `json:"description"`
	MinimumQuantity        int           `json:"minimumQuantity"`
	MaximumQuantity        int           `json:"maximumQuantity"`
	Rank                   int           `json:"rank"`
	URI                    string        `json:"uri"`
	Locale                 string        `json:"locale"`
	Country                string        `json:"country"`
	Category               offerCategory `json:"category"`
	LimitUnitOfMeasure     string        `json:"limitUnitOfMeasure"`
	Limit                  int           `json:"limit"`
	PrerequisiteOffers     []string      `json:"prerequisiteOffers"`
	IsAddOn                bool          `json:"isAddOn"`
	HasAddOns              bool          `json:"hasAddOns"`
	IsAvailableForPurchase bool          `json:"isAvailableForPurchase"`
	Billing                string        `json:"billing"`
	SupportedBillingCycles []string      `json:"supportedBillingCycles"`
	IsAutoRenewable        bool          `json:"isAutoRenewable"`
	UpgradeTargetOffers    []string      `json:"upgradeTargetOffers"`
	ConversionTargetOffers []string      `json:"conversionTargetOffers"`
	ReselleeQualifications []string      `json:"reselleeQualifications"`
	ResellerQualifications []string      `json:"resellerQualifications"`
	SalesGroupID           string        `json:"salesGroupId"`
	IsTrial                bool          `json:"isTrial"`
	Product                offerProduct  `json:"product"`
	UnitType               string        `json:"unitType"`
	Links                  links         `json:"links"`
	Attributes             attrs         `json:"attributes"`
}

type productTypeWire struct {
	ID          string           `json:"id"`
	DisplayName string           `json:"displayName"`
	SubType     *productTypeWire `json:"subType,omitempty"`
}

type productWire struct {
	ID                 string          `json:"id"`
	Title              string          `json:"title"`
	Description        string          `json:"description"`
	ProductType        productTypeWire `json:"productType"`
	IsMicrosoftProduct bool            `json:"isMicrosoftProduct"`
	PublisherName      string          `json:"publisherName"`
	Links              links           `json:"links"`
	Attributes         attrs           `json:"attributes"`
}

type skuWire struct {
	ID                     string         `json:"id"`
	ProductID              string         `json:"productId"`
	Title                  string         `json:"title"`
	Description            string         `json:"description"`
	MinimumQuantity        int            `json:"minimumQuantity"`
	MaximumQuantity        int            `json:"maximumQuantity"`
	IsTrial                bool           `json:"isTrial"`
	SupportedBillingCycles []string       `json:"supportedBillingCycles"`
	PurchasePrerequisites  []string       `json:"purchasePrerequisites"`
	InventoryVariables     []string       `json:"inventoryVariables"`
	ProvisioningVariables  []string       `json:"provisioningVariables"`
	Actions                []string       `json:"actions,omitempty"`
	DynamicAttributes      map[string]any `json:"dynamicAttributes"`
	ConsumptionType        string         `json:"consumptionType,omitempty"`
	Links                  links          `json:"links"`
	Attributes             attrs          `json:"attributes"`
}

type currencyWire struct {
	Code   string `json:"code"`
	Symbol string `json:"symbol"`
}

type refundOptionWire struct {
	SequenceID   int    `json:"sequenceId"`
	Type         string `json:"type"`
	ExpiresAfter string `json:"expiresAfter"`
}

type cancellationPolicyWire struct {
	RefundOptions []refundOptionWire `json:"refundOptions"`
}

type termWire struct {
	ID                   string                   `json:"id"`
	Duration             string                   `json:"duration"`
	Description          string                   `json:"description"`
	BillingCycle         string                   `json:"billingCycle"`
	CancellationPolicies []cancellationPolicyWire `json:"cancellationPolicies"`
}

type renewalOptionWire struct {
	RenewToID       string `json:"renewToId"`
	IsAutoRenewable bool   `json:"isAutoRenewable"`
}

type renewalInstructionWire struct {
	ApplicableTermIDs []string            `json:"applicableTermIds"`
	RenewalOptions    []renewalOptionWire `json:"renewalOptions"`
}

type availabilityWire struct {
	ID                  string                   `json:"id"`
	ProductID           string                   `json:"productId"`
	SkuID               string                   `json:"skuId"`
	CatalogItemID       string                   `json:"catalogItemId"`
	DefaultCurrency     currencyWire             `json:"defaultCurrency"`
	Segment             string                   `json:"segment"`
	Country             string                   `json:"country"`
	IsPurchasable       bool                     `json:"isPurchasable"`
	IsRenewable         bool                     `json:"isRenewable"`
	RenewalInstructions []renewalInstructionWire `json:"renewalInstructions,omitempty"`
	Terms               []termWire               `json:"terms"`
	Product             *productWire             `json:"product"`
	Sku                 *skuWire                 `json:"sku"`
	Links               links                    `json:"links"`
	Attributes          attrs                    `json:"attributes"`
}

// --- customers ---

type address struct {
	Country      string `json:"country,omitempty"`
	Region       string `json:"region,omitempty"`
	City         string `json:"city,omitempty"`
	State        string `json:"state,omitempty"`
	AddressLine1 string `json:"addressLine1,omitempty"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	AddressLine3 string `json:"addressLine3,omitempty"`
	PostalCode   string `json:"postalCode,omitempty"`
	FirstName    string `json:"firstName,omitempty"`
	MiddleName   string `json:"middleName,omitempty"`
	LastName     string `json:"lastName,omitempty"`
	PhoneNumber  string `json:"phoneNumber"`
}

type companyProfile struct {
	TenantID                       string   `json:"tenantId,omitempty"`
	Domain                         string   `json:"domain,omitempty"`
	CompanyName                    string   `json:"companyName,omitempty"`
	Address                        *address `json:"address,omitempty"`
	Email                          string   `json:"email,omitempty"`
	OrganizationRegistrationNumber string   `json:"organizationRegistrationNumber,omitempty"`
	Links                          *links   `json:"links,omitempty"`
	Attributes                     attrs    `json:"attributes"`
}

type billingProfile struct {
	ID             string   `json:"id,omitempty"`
	FirstName      string   `json:"firstName,omitempty"`
	LastName       string   `json:"lastName,omitempty"`
	Email          string   `json:"email,omitempty"`
	Culture        string   `json:"culture,omitempty"`
	Language       string   `json:"language,omitempty"`
	CompanyName    string   `json:"companyName,omitempty"`
	DefaultAddress *address `json:"defaultAddress,omitempty"`
	Links          *links   `json:"links,omitempty"`
	Attributes     attrs    `json:"attributes"`
}

type userCredentials struct {
	UserName string `json:"userName"`
	Password string `json:"password"`
}

type customerWire struct {
	ID                    string           `json:"id"`
	CommerceID            string           `json:"commerceId,omitempty"`
	CompanyProfile        *companyProfile  `json:"companyProfile,omitempty"`
	BillingProfile        *billingProfile  `json:"billingProfile,omitempty"`
	RelationshipToPartner string           `json:"relationshipToPartner,omitempty"`
	AllowDelegatedAccess  *bool            `json:"allowDelegatedAccess,omitempty"`
	UserCredentials       *userCredentials `json:"userCredentials,omitempty"`
	AssociatedPartnerID   string           `json:"associatedPartnerId,omitempty"`
	CustomDomains         []string         `json:"customDomains,omitempty"`
	Links                 *links           `json:"links,omitempty"`
	Attributes            attrs            `json:"attributes"`
}

type contact struct {
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	Email       string `json:"email"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

type agreementWire struct {
	UserID         string    `json:"userId,omitempty"`
	PrimaryContact *contact  `json:"primaryContact"`
	TemplateID     string    `json:"templateId"`
	DateAgreed     time.Time `json:"dateAgreed"`
	Type           string    `json:"type"`
	AgreementLink  string    `json:"agreementLink,omitempty"`
	Attributes     attrs     `json:"attributes"`
}

type agreementMetaWire struct {
	TemplateID    string `json:"templateId"`
	AgreementType string `json:"agreementType"`
	AgreementLink string `json:"agreementLink"`
	VersionRank   int    `json:"versionRank"`
	Attributes    attrs  `json:"attributes"`
}
