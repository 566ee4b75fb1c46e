package pccclient

import "strings"

// Enumerations are typed strings holding PC's wire values (lower snake case).
// Unknown future values decode unchanged, so they survive a round trip; use
// the Is helpers or compare case-insensitively (PC's samples occasionally use
// other casings, e.g. "Annual" inside scheduledNextTermInstructions).

// SubscriptionStatus is a subscription's state.
type SubscriptionStatus string

// Subscription states.
const (
	SubscriptionNone      SubscriptionStatus = "none"
	SubscriptionActive    SubscriptionStatus = "active"
	SubscriptionSuspended SubscriptionStatus = "suspended"
	SubscriptionDeleted   SubscriptionStatus = "deleted"
	SubscriptionExpired   SubscriptionStatus = "expired"
	SubscriptionPending   SubscriptionStatus = "pending"
	SubscriptionDisabled  SubscriptionStatus = "disabled"
)

// Is compares case-insensitively.
func (s SubscriptionStatus) Is(o SubscriptionStatus) bool {
	return strings.EqualFold(string(s), string(o))
}

// BillingCycle is PC's BillingCycleType.
type BillingCycle string

// Billing cycles.
const (
	BillingCycleUnknown   BillingCycle = "unknown"
	BillingCycleMonthly   BillingCycle = "monthly"
	BillingCycleAnnual    BillingCycle = "annual"
	BillingCycleNone      BillingCycle = "none"
	BillingCycleOneTime   BillingCycle = "one_time"
	BillingCycleTriennial BillingCycle = "triennial"
	BillingCycleBiennial  BillingCycle = "biennial"
)

// Is compares case-insensitively.
func (b BillingCycle) Is(o BillingCycle) bool { return strings.EqualFold(string(b), string(o)) }

// BillingType is how a subscription or offer is billed.
type BillingType string

// Billing types.
const (
	BillingTypeNone    BillingType = "none"
	BillingTypeUsage   BillingType = "usage"
	BillingTypeLicense BillingType = "license"
)

// OrderStatus is an order's state.
type OrderStatus string

// Order states.
const (
	OrderPending   OrderStatus = "pending"
	OrderCompleted OrderStatus = "completed"
	OrderCancelled OrderStatus = "cancelled"
)

// Is compares case-insensitively.
func (s OrderStatus) Is(o OrderStatus) bool { return strings.EqualFold(string(s), string(o)) }

// ContractType is a subscription's contract type.
type ContractType string

// Contract types.
const (
	ContractSubscription   ContractType = "subscription"
	ContractProductKey     ContractType = "product_key"
	ContractRedemptionCode ContractType = "redemption_code"
)

// RelationshipToPartner is a customer's relationship with the partner.
type RelationshipToPartner string

// Relationships.
const (
	RelationshipUnknown          RelationshipToPartner = "unknown"
	RelationshipReseller         RelationshipToPartner = "reseller"
	RelationshipAdvisor          RelationshipToPartner = "advisor"
	RelationshipSyndication      RelationshipToPartner = "syndication"
	RelationshipMicrosoftSupport RelationshipToPartner = "microsoft_support"
	RelationshipNone             RelationshipToPartner = "none"
)

// OperationType is an audit record's operation (snake case of the SDK enum).
type OperationType string

// The audit operation types the portal reacts to; others decode unchanged.
const (
	OpUndefined                         OperationType = "undefined"
	OpUpdateCustomerQualification       OperationType = "update_customer_qualification"
	OpUpdateSubscription                OperationType = "update_subscription"
	OpUpgradeSubscription               OperationType = "upgrade_subscription"
	OpConvertTrialSubscription          OperationType = "convert_trial_subscription"
	OpAddCustomer                       OperationType = "add_customer"
	OpUpdateCustomerBillingProfile      OperationType = "update_customer_billing_profile"
	OpDeleteCustomer                    OperationType = "delete_customer"
	OpRemovePartnerCustomerRelationship OperationType = "remove_partner_customer_relationship"
	OpCreateOrder                       OperationType = "create_order"
	OpUpdateOrder                       OperationType = "update_order"
	OpCreateCustomerUser                OperationType = "create_customer_user"
	OpDeleteCustomerUser                OperationType = "delete_customer_user"
	OpUpdateCustomerUser                OperationType = "update_customer_user"
	OpUpdateCustomerUserLicenses        OperationType = "update_customer_user_licenses"
	OpCreateAgreement                   OperationType = "create_agreement"
	OpCreateTransfer                    OperationType = "create_transfer"
	OpUpdateTransfer                    OperationType = "update_transfer"
	OpCreateNewCommerceMigration        OperationType = "create_new_commerce_migration"
)

// ResourceType is an audit record's resource type.
type ResourceType string

// Audit resource types (snake case of the SDK enum).
const (
	ResourceUndefined            ResourceType = "undefined"
	ResourceCustomer             ResourceType = "customer"
	ResourceCustomerUser         ResourceType = "customer_user"
	ResourceOrder                ResourceType = "order"
	ResourceSubscription         ResourceType = "subscription"
	ResourceLicense              ResourceType = "license"
	ResourceTransfer             ResourceType = "transfer"
	ResourceInvoice              ResourceType = "invoice"
	ResourceAgreement            ResourceType = "agreement"
	ResourceNewCommerceMigration ResourceType = "new_commerce_migration"
)

// OperationStatus is an audit record's outcome.
type OperationStatus string

// Audit operation outcomes.
const (
	OperationSucceeded OperationStatus = "succeeded"
	OperationFailed    OperationStatus = "failed"
	OperationProgress  OperationStatus = "progress"
	OperationDecline   OperationStatus = "decline"
)

// ProvisioningStatus is a subscription's provisioning state.
type ProvisioningStatus string

// Provisioning states.
const (
	ProvisioningPending ProvisioningStatus = "pending"
	ProvisioningSuccess ProvisioningStatus = "success"
	ProvisioningFailed  ProvisioningStatus = "failed"
)
