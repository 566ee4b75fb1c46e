package pccclient

import (
	"encoding/json"
	"time"
)

// Customer is a CSP customer (its ID is the customer's Entra tenant id).
type Customer struct {
	ID                    string                `json:"id,omitempty"`
	CommerceID            string                `json:"commerceId,omitempty"`
	CompanyProfile        *CompanyProfile       `json:"companyProfile,omitempty"`
	BillingProfile        *BillingProfile       `json:"billingProfile,omitempty"`
	RelationshipToPartner RelationshipToPartner `json:"relationshipToPartner,omitempty"`
	AllowDelegatedAccess  bool                  `json:"allowDelegatedAccess,omitempty"`
	// UserCredentials is returned once, by CreateCustomer.
	UserCredentials     *UserCredentials `json:"userCredentials,omitempty"`
	AssociatedPartnerID string           `json:"associatedPartnerId,omitempty"`
	CustomDomains       []string         `json:"customDomains,omitempty"`
	Links               Links            `json:"links,omitempty"`
	Attributes          Attributes       `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// CompanyProfile is a customer's company profile; Domain is the
// <prefix>.onmicrosoft.com tenant domain.
type CompanyProfile struct {
	TenantID                       string     `json:"tenantId,omitempty"`
	Domain                         string     `json:"domain,omitempty"`
	CompanyName                    string     `json:"companyName,omitempty"`
	OrganizationRegistrationNumber string     `json:"organizationRegistrationNumber,omitempty"`
	Address                        *Address   `json:"address,omitempty"`
	Email                          string     `json:"email,omitempty"`
	Links                          Links      `json:"links,omitempty"`
	Attributes                     Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// BillingProfile is a customer's billing profile.
type BillingProfile struct {
	ID             string     `json:"id,omitempty"`
	FirstName      string     `json:"firstName,omitempty"`
	LastName       string     `json:"lastName,omitempty"`
	Email          string     `json:"email,omitempty"`
	Culture        string     `json:"culture,omitempty"`
	Language       string     `json:"language,omitempty"`
	CompanyName    string     `json:"companyName,omitempty"`
	DefaultAddress *Address   `json:"defaultAddress,omitempty"`
	Links          Links      `json:"links,omitempty"`
	Attributes     Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// UserCredentials are the new tenant's first admin credentials.
type UserCredentials struct {
	UserName string `json:"userName,omitempty"`
	Password string `json:"password,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Agreement is a customer's agreement acceptance (MCA attestation).
type Agreement struct {
	PrimaryContact *Contact   `json:"primaryContact,omitempty"`
	TemplateID     string     `json:"templateId,omitempty"`
	DateAgreed     time.Time  `json:"dateAgreed,omitempty"`
	Type           string     `json:"type,omitempty"`
	UserID         string     `json:"userId,omitempty"`
	AgreementLink  string     `json:"agreementLink,omitempty"`
	Attributes     Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Agreement types.
const (
	AgreementMicrosoftCustomerAgreement = "MicrosoftCustomerAgreement"
	AgreementMicrosoftCloudAgreement    = "MicrosoftCloudAgreement"
)

// AgreementMetadata describes an agreement template.
type AgreementMetadata struct {
	TemplateID    string     `json:"templateId,omitempty"`
	AgreementType string     `json:"agreementType,omitempty"`
	AgreementLink string     `json:"agreementLink,omitempty"`
	VersionRank   int        `json:"versionRank,omitempty"`
	Attributes    Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// PartnerRelationship is an indirect reseller (or provider) related to the
// signed-in partner or to a customer. ID is the reseller's tenant id (what
// a customer's AssociatedPartnerID and the IndirectReseller filter carry);
// MpnID is its partner id (what an order line's PartnerIDOnRecord carries).
type PartnerRelationship struct {
	ID               string     `json:"id,omitempty"`
	Name             string     `json:"name,omitempty"`
	RelationshipType string     `json:"relationshipType,omitempty"`
	MpnID            string     `json:"mpnId,omitempty"`
	Location         string     `json:"location,omitempty"`
	State            string     `json:"state,omitempty"`
	Attributes       Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}
