package pccclient

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// AuditRecord is an activity-log entry. ResourceOldValue/ResourceNewValue
// are JSON documents encoded as strings (PascalCase members).
type AuditRecord struct {
	ID                    string          `json:"id,omitempty"`
	PartnerID             string          `json:"partnerId,omitempty"`
	Participants          []string        `json:"participants,omitempty"`
	CustomerID            string          `json:"customerId,omitempty"`
	CustomerName          string          `json:"customerName,omitempty"`
	UserPrincipalName     string          `json:"userPrincipalName,omitempty"`
	ApplicationID         string          `json:"applicationId,omitempty"`
	ResourceType          ResourceType    `json:"resourceType,omitempty"`
	ResourceOldValue      string          `json:"resourceOldValue,omitempty"`
	ResourceNewValue      string          `json:"resourceNewValue,omitempty"`
	OperationType         OperationType   `json:"operationType,omitempty"`
	OriginalCorrelationID string          `json:"originalCorrelationId,omitempty"`
	OperationDate         time.Time       `json:"operationDate,omitempty"`
	OperationStatus       OperationStatus `json:"operationStatus,omitempty"`
	CustomizedData        []KeyValue      `json:"customizedData,omitempty"`
	Attributes            Attributes      `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// CustomizedValue returns the value of the customizedData entry key.
func (x AuditRecord) CustomizedValue(key string) (string, bool) {
	for _, kv := range x.CustomizedData {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return "", false
}

// Invoice is a partner invoice. Amounts keep PC's decimal text.
type Invoice struct {
	ID                     string          `json:"id,omitempty"`
	InvoiceDate            time.Time       `json:"invoiceDate,omitempty"`
	BillingPeriodStartDate time.Time       `json:"billingPeriodStartDate,omitempty"`
	BillingPeriodEndDate   time.Time       `json:"billingPeriodEndDate,omitempty"`
	TotalCharges           json.Number     `json:"totalCharges,omitempty"`
	PaidAmount             json.Number     `json:"paidAmount,omitempty"`
	CurrencyCode           string          `json:"currencyCode,omitempty"`
	CurrencySymbol         string          `json:"currencySymbol,omitempty"`
	PdfDownloadLink        string          `json:"pdfDownloadLink,omitempty"`
	TaxReceipts            []TaxReceipt    `json:"taxReceipts,omitempty"`
	InvoiceDetails         []InvoiceDetail `json:"invoiceDetails,omitempty"`
	Amendments             []Invoice       `json:"amendments,omitempty"`
	DocumentType           string          `json:"documentType,omitempty"`
	AmendsOf               string          `json:"amendsOf,omitempty"`
	InvoiceType            string          `json:"invoiceType,omitempty"`
	Links                  Links           `json:"links,omitempty"`
	Attributes             Attributes      `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// TaxReceipt is a tax receipt of an invoice.
type TaxReceipt struct {
	ID                        string `json:"id,omitempty"`
	TaxReceiptPdfDownloadLink string `json:"taxReceiptPdfDownloadLink,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// InvoiceDetail points to the line items of one provider and type.
type InvoiceDetail struct {
	InvoiceLineItemType string     `json:"invoiceLineItemType,omitempty"`
	BillingProvider     string     `json:"billingProvider,omitempty"`
	Links               Links      `json:"links,omitempty"`
	Attributes          Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// InvoiceLineItem is a (legacy office) billing line item. Only the common
// members are typed; the rest stay in Extra.
type InvoiceLineItem struct {
	InvoiceLineItemType string      `json:"invoiceLineItemType,omitempty"`
	BillingProvider     string      `json:"billingProvider,omitempty"`
	CustomerID          string      `json:"customerId,omitempty"`
	CustomerName        string      `json:"customerName,omitempty"`
	OrderID             string      `json:"orderId,omitempty"`
	SubscriptionID      string      `json:"subscriptionId,omitempty"`
	OfferID             string      `json:"offerId,omitempty"`
	OfferName           string      `json:"offerName,omitempty"`
	ChargeType          string      `json:"chargeType,omitempty"`
	ChargeStartDate     time.Time   `json:"chargeStartDate,omitempty"`
	ChargeEndDate       time.Time   `json:"chargeEndDate,omitempty"`
	Quantity            json.Number `json:"quantity,omitempty"`
	UnitPrice           json.Number `json:"unitPrice,omitempty"`
	Amount              json.Number `json:"amount,omitempty"`
	Subtotal            json.Number `json:"subtotal,omitempty"`
	Tax                 json.Number `json:"tax,omitempty"`
	TotalForCustomer    json.Number `json:"totalForCustomer,omitempty"`
	Currency            string      `json:"currency,omitempty"`
	MpnID               json.Number `json:"mpnId,omitempty"`
	Tier2MpnID          json.Number `json:"tier2MpnId,omitempty"`
	Attributes          Attributes  `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Decimal converts one of PC's amounts (json.Number text) to a decimal;
// an empty amount is zero.
func Decimal(n json.Number) (decimal.Decimal, error) {
	if n == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(n.String())
	if err != nil {
		return decimal.Zero, fmt.Errorf("pccclient: amount %q: %w", n, err)
	}
	return d, nil
}
