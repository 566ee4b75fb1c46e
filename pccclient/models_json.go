package pccclient

import "encoding/json"

// JSON methods of the model types: all delegate to the round-trip codec in
// codec.go. Every model with Extra and wire fields needs this pair.

// UnmarshalJSON decodes a AuditRecord, keeping unknown members in Extra.
func (x *AuditRecord) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a AuditRecord with PC's member names.
func (x AuditRecord) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Invoice, keeping unknown members in Extra.
func (x *Invoice) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Invoice with PC's member names.
func (x Invoice) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a TaxReceipt, keeping unknown members in Extra.
func (x *TaxReceipt) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a TaxReceipt with PC's member names.
func (x TaxReceipt) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a InvoiceDetail, keeping unknown members in Extra.
func (x *InvoiceDetail) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a InvoiceDetail with PC's member names.
func (x InvoiceDetail) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a InvoiceLineItem, keeping unknown members in Extra.
func (x *InvoiceLineItem) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a InvoiceLineItem with PC's member names.
func (x InvoiceLineItem) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Offer, keeping unknown members in Extra.
func (x *Offer) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Offer with PC's member names.
func (x Offer) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a OfferCategory, keeping unknown members in Extra.
func (x *OfferCategory) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a OfferCategory with PC's member names.
func (x OfferCategory) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a OfferProduct, keeping unknown members in Extra.
func (x *OfferProduct) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a OfferProduct with PC's member names.
func (x OfferProduct) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Product, keeping unknown members in Extra.
func (x *Product) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Product with PC's member names.
func (x Product) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a SKU, keeping unknown members in Extra.
func (x *SKU) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a SKU with PC's member names.
func (x SKU) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Availability, keeping unknown members in Extra.
func (x *Availability) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a Availability with PC's member names.
func (x Availability) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a RenewalInstruction, keeping unknown members in Extra.
func (x *RenewalInstruction) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a RenewalInstruction with PC's member names.
func (x RenewalInstruction) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a RenewalOption, keeping unknown members in Extra.
func (x *RenewalOption) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a RenewalOption with PC's member names.
func (x RenewalOption) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a AvailabilityTerm, keeping unknown members in Extra.
func (x *AvailabilityTerm) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a AvailabilityTerm with PC's member names.
func (x AvailabilityTerm) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a CancellationPolicy, keeping unknown members in Extra.
func (x *CancellationPolicy) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a CancellationPolicy with PC's member names.
func (x CancellationPolicy) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a PolicyRefundOption, keeping unknown members in Extra.
func (x *PolicyRefundOption) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PolicyRefundOption with PC's member names.
func (x PolicyRefundOption) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Link, keeping unknown members in Extra.
func (x *Link) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Link with PC's member names.
func (x Link) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a KeyValue, keeping unknown members in Extra.
func (x *KeyValue) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a KeyValue with PC's member names.
func (x KeyValue) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Attributes, keeping unknown members in Extra.
func (x *Attributes) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Attributes with PC's member names.
func (x Attributes) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Address, keeping unknown members in Extra.
func (x *Address) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Address with PC's member names.
func (x Address) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Currency, keeping unknown members in Extra.
func (x *Currency) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Currency with PC's member names.
func (x Currency) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a ProductType, keeping unknown members in Extra.
func (x *ProductType) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ProductType with PC's member names.
func (x ProductType) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Contact, keeping unknown members in Extra.
func (x *Contact) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Contact with PC's member names.
func (x Contact) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a ThrottleBody, keeping unknown members in Extra.
func (x *ThrottleBody) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ThrottleBody with PC's member names.
func (x ThrottleBody) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Customer, keeping unknown members in Extra.
func (x *Customer) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Customer with PC's member names.
func (x Customer) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a CompanyProfile, keeping unknown members in Extra.
func (x *CompanyProfile) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a CompanyProfile with PC's member names.
func (x CompanyProfile) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a BillingProfile, keeping unknown members in Extra.
func (x *BillingProfile) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a BillingProfile with PC's member names.
func (x BillingProfile) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a UserCredentials, keeping unknown members in Extra.
func (x *UserCredentials) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a UserCredentials with PC's member names.
func (x UserCredentials) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Agreement, keeping unknown members in Extra.
func (x *Agreement) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Agreement with PC's member names.
func (x Agreement) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// ReceivedJSON is the Agreement exactly as Partner Center sent it, or nil when
// it was not decoded from a response. Changes made to its fields after
// decoding are not reflected: use MarshalJSON for that.
func (x *Agreement) ReceivedJSON() json.RawMessage { return x.wire.orig }

// UnmarshalJSON decodes a AgreementMetadata, keeping unknown members in Extra.
func (x *AgreementMetadata) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a AgreementMetadata with PC's member names.
func (x AgreementMetadata) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a PartnerRelationship, keeping unknown members in Extra.
func (x *PartnerRelationship) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a PartnerRelationship with PC's member names.
func (x PartnerRelationship) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Cart, keeping unknown members in Extra.
func (x *Cart) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Cart with PC's member names.
func (x Cart) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a CartLineItem, keeping unknown members in Extra.
func (x *CartLineItem) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a CartLineItem with PC's member names.
func (x CartLineItem) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a RenewsTo, keeping unknown members in Extra.
func (x *RenewsTo) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a RenewsTo with PC's member names.
func (x RenewsTo) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a CartError, keeping unknown members in Extra.
func (x *CartError) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a CartError with PC's member names.
func (x CartError) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a CartCheckoutResult, keeping unknown members in Extra.
func (x *CartCheckoutResult) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a CartCheckoutResult with PC's member names.
func (x CartCheckoutResult) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a OrderError, keeping unknown members in Extra.
func (x *OrderError) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a OrderError with PC's member names.
func (x OrderError) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Order, keeping unknown members in Extra.
func (x *Order) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Order with PC's member names.
func (x Order) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// ReceivedJSON is the Order exactly as Partner Center sent it, or nil when
// it was not decoded from a response. Changes made to its fields after
// decoding are not reflected: use MarshalJSON for that.
func (x *Order) ReceivedJSON() json.RawMessage { return x.wire.orig }

// UnmarshalJSON decodes a OrderLineItem, keeping unknown members in Extra.
func (x *OrderLineItem) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a OrderLineItem with PC's member names.
func (x OrderLineItem) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Pricing, keeping unknown members in Extra.
func (x *Pricing) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Pricing with PC's member names.
func (x Pricing) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Subscription, keeping unknown members in Extra.
func (x *Subscription) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a Subscription with PC's member names.
func (x Subscription) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// ReceivedJSON is the Subscription exactly as Partner Center sent it, or nil when
// it was not decoded from a response. Changes made to its fields after
// decoding are not reflected: use MarshalJSON for that.
func (x *Subscription) ReceivedJSON() json.RawMessage { return x.wire.orig }

// UnmarshalJSON decodes a RefundOption, keeping unknown members in Extra.
func (x *RefundOption) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a RefundOption with PC's member names.
func (x RefundOption) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a ScheduledNextTermInstructions, keeping unknown members in Extra.
func (x *ScheduledNextTermInstructions) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ScheduledNextTermInstructions with PC's member names.
func (x ScheduledNextTermInstructions) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a NextTermProduct, keeping unknown members in Extra.
func (x *NextTermProduct) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a NextTermProduct with PC's member names.
func (x NextTermProduct) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a SubscriptionProvisioningStatus, keeping unknown members in Extra.
func (x *SubscriptionProvisioningStatus) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a SubscriptionProvisioningStatus with PC's member names.
func (x SubscriptionProvisioningStatus) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a Entitlement, keeping unknown members in Extra.
func (x *Entitlement) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a Entitlement with PC's member names.
func (x Entitlement) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a ReferenceOrder, keeping unknown members in Extra.
func (x *ReferenceOrder) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ReferenceOrder with PC's member names.
func (x ReferenceOrder) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a QuantityDetail, keeping unknown members in Extra.
func (x *QuantityDetail) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a QuantityDetail with PC's member names.
func (x QuantityDetail) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a SubscribedSKU, keeping unknown members in Extra.
func (x *SubscribedSKU) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a SubscribedSKU with PC's member names.
func (x SubscribedSKU) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// ReceivedJSON is the SubscribedSKU exactly as Partner Center sent it, or nil when
// it was not decoded from a response. Changes made to its fields after
// decoding are not reflected: use MarshalJSON for that.
func (x *SubscribedSKU) ReceivedJSON() json.RawMessage { return x.wire.orig }

// UnmarshalJSON decodes a ProductSKU, keeping unknown members in Extra.
func (x *ProductSKU) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a ProductSKU with PC's member names.
func (x ProductSKU) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a ServicePlan, keeping unknown members in Extra.
func (x *ServicePlan) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ServicePlan with PC's member names.
func (x ServicePlan) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }
