package pccclient

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ReconLine is one line of invoice reconciliation data: a new-commerce
// license-based charge. The same type reads Graph's JSON lines (attributes
// in PascalCase) and v1's OneTimeInvoiceLineItem (camelCase): member names
// match case-insensitively. Amounts are decimals whether PC sends numbers
// or strings. Members the portal does not use stay unread.
type ReconLine struct {
	PartnerID               string      `json:"partnerId"`
	CustomerID              string      `json:"customerId"`
	CustomerName            string      `json:"customerName"`
	CustomerDomainName      string      `json:"customerDomainName"`
	CustomerCountry         string      `json:"customerCountry"`
	InvoiceNumber           string      `json:"invoiceNumber"`
	MpnID                   flexString  `json:"mpnId"`
	OrderID                 string      `json:"orderId"`
	OrderDate               BillingTime `json:"orderDate"`
	ProductID               string      `json:"productId"`
	SkuID                   string      `json:"skuId"`
	AvailabilityID          string      `json:"availabilityId"`
	ProductName             string      `json:"productName"`
	SkuName                 string      `json:"skuName"`
	ChargeType              string      `json:"chargeType"`
	UnitPrice               Amount      `json:"unitPrice"`
	EffectiveUnitPrice      Amount      `json:"effectiveUnitPrice"`
	Quantity                Amount      `json:"quantity"`
	BillableQuantity        Amount      `json:"billableQuantity"`
	Subtotal                Amount      `json:"subtotal"`
	TaxTotal                Amount      `json:"taxTotal"`
	TotalForCustomer        Amount      `json:"totalForCustomer"`
	Currency                string      `json:"currency"`
	PublisherName           string      `json:"publisherName"`
	SubscriptionID          string      `json:"subscriptionId"`
	SubscriptionDescription string      `json:"subscriptionDescription"`
	SubscriptionStartDate   BillingTime `json:"subscriptionStartDate"`
	SubscriptionEndDate     BillingTime `json:"subscriptionEndDate"`
	ChargeStartDate         BillingTime `json:"chargeStartDate"`
	ChargeEndDate           BillingTime `json:"chargeEndDate"`
	TermAndBillingCycle     string      `json:"termAndBillingCycle"`
	BillingFrequency        string      `json:"billingFrequency"`
	UnitType                string      `json:"unitType"`
	AlternateID             string      `json:"alternateId"`
	ReferenceID             string      `json:"referenceId"`
	ProductQualifiers       []string    `json:"productQualifiers"`
	CreditReasonCode        string      `json:"creditReasonCode"`
	PromotionID             string      `json:"promotionId"`
	MeterDescription        string      `json:"meterDescription"`
}

// UsageLine is one line of daily rated usage (Azure plan): one meter of
// one subscription on one day. Like ReconLine it reads both wire forms.
type UsageLine struct {
	CustomerID         string      `json:"customerId"`
	CustomerName       string      `json:"customerName"`
	CustomerDomainName string      `json:"customerDomainName"`
	InvoiceNumber      string      `json:"invoiceNumber"`
	ProductID          string      `json:"productId"`
	SkuID              string      `json:"skuId"`
	ProductName        string      `json:"productName"`
	SkuName            string      `json:"skuName"`
	SubscriptionID     string      `json:"subscriptionId"`
	EntitlementID      string      `json:"entitlementId"`
	UsageDate          BillingTime `json:"usageDate"`
	ChargeStartDate    BillingTime `json:"chargeStartDate"`
	ChargeEndDate      BillingTime `json:"chargeEndDate"`
	ChargeType         string      `json:"chargeType"`
	MeterID            string      `json:"meterId"`
	MeterName          string      `json:"meterName"`
	MeterCategory      string      `json:"meterCategory"`
	MeterSubCategory   string      `json:"meterSubCategory"`
	Unit               string      `json:"unit"`
	UnitPrice          Amount      `json:"unitPrice"`
	EffectiveUnitPrice Amount      `json:"effectiveUnitPrice"`
	Quantity           Amount      `json:"quantity"`
	BillingPreTaxTotal Amount      `json:"billingPreTaxTotal"`
	BillingCurrency    string      `json:"billingCurrency"`
	ResourceGroup      string      `json:"resourceGroup"`
	ResourceURI        string      `json:"resourceUri"`
}

// DecodeReconLine decodes one JSON line of reconciliation data.
func DecodeReconLine(b []byte) (ReconLine, error) {
	var l ReconLine
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("reconciliation line: %w", err)
	}
	return l, nil
}

// DecodeUsageLine decodes one JSON line of daily rated usage.
func DecodeUsageLine(b []byte) (UsageLine, error) {
	var l UsageLine
	if err := json.Unmarshal(b, &l); err != nil {
		return l, fmt.Errorf("usage line: %w", err)
	}
	return l, nil
}

// Amount is a decimal PC sends as a JSON number or a string.
type Amount struct{ decimal.Decimal }

// UnmarshalJSON accepts 12.5, "12.5", "" and null (zero).
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if len(b) == 0 || string(b) == "null" {
		a.Decimal = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(string(b))
	if err != nil {
		return fmt.Errorf("amount %q: %w", b, err)
	}
	a.Decimal = d
	return nil
}

// flexString is a string PC sometimes sends as a number (mpnId).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	*f = flexString(strings.Trim(string(bytes.TrimSpace(b)), `"`))
	if *f == "null" {
		*f = ""
	}
	return nil
}

// BillingTime is a date-time in any of the forms PC's billing data uses:
// RFC 3339 with or without fractions or a zone ("2019-02-04T09:22:40.17-08:00",
// "2021-05-01T00:00:00"), a plain date, or PC's "1/2/2006 3:04:05 PM".
// Without a zone it is UTC. "" and null are zero.
type BillingTime struct{ time.Time }

var billingTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02",
	"1/2/2006 3:04:05 PM", "1/2/2006"}

// UnmarshalJSON parses the forms above.
func (t *BillingTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "" || s == "null" {
		t.Time = time.Time{}
		return nil
	}
	for _, l := range billingTimeLayouts {
		if v, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("billing date %q is not a date", s)
}
