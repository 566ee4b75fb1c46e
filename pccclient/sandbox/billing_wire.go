package sandbox

import (
	"encoding/json"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// The reconciliation line items in their two wire forms: the JSON lines of
// a Microsoft Graph export (attribute names in PascalCase, as the
// attributeSet table of learn.microsoft.com "attributeSet enum type" and
// Microsoft's Partner-Center-Billing-Recon-Samples name them) and the v1
// invoice line items (camelCase, objectType OneTimeInvoiceLineItem or
// DailyRatedUsageLineItem; learn.microsoft.com "Get invoice line items").

// PartnerMpnID is the sandbox partner's MPN (partner location) id.
const PartnerMpnID = "6543210"

// PartnerName is the sandbox partner's name on billing lines.
const PartnerName = "Sandbox Partner"

// reconRow is one license-based line of an invoice.
type reconRow struct {
	CustomerID, CustomerName, Domain, Country string
	OrderID, OrderDate                        string
	ProductID, SkuID, AvailabilityID          string
	ProductName, SkuName                      string
	ChargeType                                string
	UnitPrice, EffectiveUnitPrice             decimal.Decimal
	Quantity                                  int
	Subtotal                                  decimal.Decimal
	Currency                                  string
	SubscriptionID, SubscriptionDescription   string
	ChargeStart, ChargeEnd                    time.Time // end inclusive
	SubStart, SubEnd                          time.Time
	TermAndBillingCycle, BillingFrequency     string
	AlternateID, ReferenceID                  string
	Qualifiers                                []string
}

// usageRow is one day of one meter of an Azure plan subscription.
type usageRow struct {
	CustomerID, CustomerName, Domain, Country string
	ProductID, SkuID, AvailabilityID          string
	ProductName, SkuName                      string
	SubscriptionID, EntitlementID             string
	UsageDate                                 time.Time
	ChargeStart, ChargeEnd                    time.Time
	Meter                                     meter
	Quantity, UnitPrice, Total                decimal.Decimal
	Currency                                  string
	ResourceGroup, ResourceURI                string
}

// meter is an Azure meter the sandbox rates usage on.
type meter struct {
	ID, Name, Category, SubCategory, Unit, Region, Service string
	Price                                                  decimal.Decimal
}

var meters = []meter{
	{ID: "c2a8f1b4-71d3-4c8f-9d3e-0000000000a1", Name: "D2s v3", Category: "Virtual Machines", SubCategory: "Dsv3 Series",
		Unit: "1 Hour", Region: "EU West", Service: "Microsoft.Compute", Price: decimal.RequireFromString("0.096")},
	{ID: "c2a8f1b4-71d3-4c8f-9d3e-0000000000a2", Name: "LRS Data Stored", Category: "Storage", SubCategory: "Standard Page Blob",
		Unit: "1 GB/Month", Region: "EU West", Service: "Microsoft.Storage", Price: decimal.RequireFromString("0.045")},
	{ID: "c2a8f1b4-71d3-4c8f-9d3e-0000000000a3", Name: "Standard Data Transfer Out", Category: "Bandwidth", SubCategory: "Inter-Region",
		Unit: "1 GB", Region: "Zone 1", Service: "Microsoft.Network", Price: decimal.RequireFromString("0.087")},
}

// dayUsage is the usage of subscription sub on day d: one to three meters,
// a deterministic function of the two.
func dayUsage(sub string, d time.Time) []struct {
	m   meter
	qty decimal.Decimal
} {
	h := fnv.New64a()
	h.Write([]byte(key(sub)))
	h.Write([]byte(d.Format(time.DateOnly)))
	v := h.Sum64()
	var out []struct {
		m   meter
		qty decimal.Decimal
	}
	for i, m := range meters {
		if i > 0 && (v>>(8*i))%3 == 0 {
			continue
		}
		q := decimal.NewFromInt(int64((v>>(16+8*i))%4000 + 100)).Div(decimal.NewFromInt(100)) // 1.00 .. 40.99
		out = append(out, struct {
			m   meter
			qty decimal.Decimal
		}{m, q})
	}
	return out
}

func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// num renders a decimal as a JSON number.
type num decimal.Decimal

func (n num) MarshalJSON() ([]byte, error) { return []byte(decimal.Decimal(n).String()), nil }

// graphRecon is a billed (or unbilled) reconciliation line of a Graph export.
type graphRecon struct {
	PartnerID               string   `json:"PartnerId"`
	PartnerName             string   `json:"PartnerName"`
	CustomerID              string   `json:"CustomerId"`
	CustomerName            string   `json:"CustomerName"`
	CustomerDomainName      string   `json:"CustomerDomainName"`
	CustomerCountry         string   `json:"CustomerCountry"`
	InvoiceNumber           string   `json:"InvoiceNumber"`
	MpnID                   string   `json:"MpnId"`
	Tier2MpnID              string   `json:"Tier2MpnId"`
	OrderID                 string   `json:"OrderId"`
	OrderDate               string   `json:"OrderDate"`
	ProductID               string   `json:"ProductId"`
	SkuID                   string   `json:"SkuId"`
	AvailabilityID          string   `json:"AvailabilityId"`
	SkuName                 string   `json:"SkuName"`
	ProductName             string   `json:"ProductName"`
	ChargeType              string   `json:"ChargeType"`
	UnitPrice               num      `json:"UnitPrice"`
	Quantity                int      `json:"Quantity"`
	Subtotal                num      `json:"Subtotal"`
	TaxTotal                num      `json:"TaxTotal"`
	TotalForCustomer        num      `json:"TotalForCustomer"`
	Currency                string   `json:"Currency"`
	PublisherName           string   `json:"PublisherName"`
	PublisherID             string   `json:"PublisherId"`
	SubscriptionDescription string   `json:"SubscriptionDescription"`
	SubscriptionID          string   `json:"SubscriptionId"`
	ChargeStartDate         string   `json:"ChargeStartDate"`
	ChargeEndDate           string   `json:"ChargeEndDate"`
	TermAndBillingCycle     string   `json:"TermAndBillingCycle"`
	EffectiveUnitPrice      num      `json:"EffectiveUnitPrice"`
	UnitType                string   `json:"UnitType"`
	AlternateID             string   `json:"AlternateId"`
	BillableQuantity        num      `json:"BillableQuantity"`
	BillingFrequency        string   `json:"BillingFrequency"`
	PricingCurrency         string   `json:"PricingCurrency"`
	PCToBCExchangeRate      num      `json:"PCToBCExchangeRate"`
	PCToBCExchangeRateDate  string   `json:"PCToBCExchangeRateDate"`
	MeterDescription        string   `json:"MeterDescription"`
	ReservationOrderID      string   `json:"ReservationOrderId"`
	CreditReasonCode        string   `json:"CreditReasonCode"`
	SubscriptionStartDate   string   `json:"SubscriptionStartDate"`
	SubscriptionEndDate     string   `json:"SubscriptionEndDate"`
	ReferenceID             string   `json:"ReferenceId"`
	ProductQualifiers       []string `json:"ProductQualifiers"`
	PromotionID             string   `json:"PromotionId"`
	ProductCategory         string   `json:"ProductCategory"`
}

var one = decimal.NewFromInt(1)

func (r *reconRow) graph(invoice string) graphRecon {
	q := r.Qualifiers
	if q == nil {
		q = []string{}
	}
	credit := ""
	if r.Subtotal.IsNegative() {
		credit = "Cancellation"
	}
	return graphRecon{PartnerID: PartnerID, PartnerName: PartnerName, CustomerID: r.CustomerID, CustomerName: r.CustomerName,
		CustomerDomainName: r.Domain, CustomerCountry: r.Country, InvoiceNumber: invoice, MpnID: PartnerMpnID, OrderID: r.OrderID,
		OrderDate: r.OrderDate, ProductID: r.ProductID, SkuID: r.SkuID, AvailabilityID: r.AvailabilityID, SkuName: r.SkuName,
		ProductName: r.ProductName, ChargeType: r.ChargeType, UnitPrice: num(r.UnitPrice), Quantity: r.Quantity,
		Subtotal: num(r.Subtotal), TaxTotal: num(decimal.Zero), TotalForCustomer: num(r.Subtotal), Currency: r.Currency,
		PublisherName: "Microsoft Corporation", SubscriptionDescription: r.SubscriptionDescription, SubscriptionID: r.SubscriptionID,
		ChargeStartDate: isoDay(r.ChargeStart), ChargeEndDate: isoDay(r.ChargeEnd), TermAndBillingCycle: r.TermAndBillingCycle,
		EffectiveUnitPrice: num(r.EffectiveUnitPrice), UnitType: "Licenses", AlternateID: r.AlternateID,
		BillableQuantity: num(decimal.NewFromInt(int64(r.Quantity))), BillingFrequency: r.BillingFrequency, PricingCurrency: r.Currency,
		PCToBCExchangeRate: num(one), PCToBCExchangeRateDate: isoDay(monthStart(r.ChargeStart)), CreditReasonCode: credit,
		SubscriptionStartDate: isoDay(r.SubStart), SubscriptionEndDate: isoDay(r.SubEnd), ReferenceID: r.ReferenceID,
		ProductQualifiers: q, ProductCategory: "Microsoft 365"}
}

// v1Recon is the same line as GET /v1/invoices/{id}/lineitems returns it.
type v1Recon struct {
	PartnerID               string   `json:"partnerId"`
	CustomerID              string   `json:"customerId"`
	CustomerName            string   `json:"customerName"`
	CustomerDomainName      string   `json:"customerDomainName"`
	CustomerCountry         string   `json:"customerCountry"`
	InvoiceNumber           string   `json:"invoiceNumber"`
	MpnID                   string   `json:"mpnId"`
	ResellerMpnID           int      `json:"resellerMpnId"`
	OrderID                 string   `json:"orderId"`
	OrderDate               string   `json:"orderDate"`
	ProductID               string   `json:"productId"`
	SkuID                   string   `json:"skuId"`
	AvailabilityID          string   `json:"availabilityId"`
	ProductName             string   `json:"productName"`
	SkuName                 string   `json:"skuName"`
	ProductQualifiers       []string `json:"productQualifiers"`
	ChargeType              string   `json:"chargeType"`
	UnitPrice               num      `json:"unitPrice"`
	EffectiveUnitPrice      num      `json:"effectiveUnitPrice"`
	UnitType                string   `json:"unitType"`
	Quantity                int      `json:"quantity"`
	Subtotal                num      `json:"subtotal"`
	TaxTotal                num      `json:"taxTotal"`
	TotalForCustomer        num      `json:"totalForCustomer"`
	Currency                string   `json:"currency"`
	PublisherName           string   `json:"publisherName"`
	PublisherID             string   `json:"publisherId"`
	SubscriptionDescription string   `json:"subscriptionDescription"`
	SubscriptionID          string   `json:"subscriptionId"`
	SubscriptionStartDate   string   `json:"subscriptionStartDate"`
	SubscriptionEndDate     string   `json:"subscriptionEndDate"`
	ChargeStartDate         string   `json:"chargeStartDate"`
	ChargeEndDate           string   `json:"chargeEndDate"`
	TermAndBillingCycle     string   `json:"termAndBillingCycle"`
	AlternateID             string   `json:"alternateId"`
	ReferenceID             string   `json:"referenceId"`
	PriceAdjustmentDesc     string   `json:"priceAdjustmentDescription"`
	DiscountDetails         string   `json:"discountDetails"`
	PricingCurrency         string   `json:"pricingCurrency"`
	PCToBCExchangeRate      num      `json:"pcToBCExchangeRate"`
	PCToBCExchangeRateDate  string   `json:"pcToBCExchangeRateDate"`
	BillableQuantity        num      `json:"billableQuantity"`
	MeterDescription        string   `json:"meterDescription"`
	BillingFrequency        string   `json:"billingFrequency"`
	ReservationOrderID      string   `json:"reservationOrderId"`
	InvoiceLineItemType     string   `json:"invoiceLineItemType"`
	BillingProvider         string   `json:"billingProvider"`
	PromotionID             string   `json:"promotionId"`
	Attributes              attrs    `json:"attributes"`
}

func (r *reconRow) v1(invoice string) v1Recon {
	g := r.graph(invoice)
	return v1Recon{PartnerID: g.PartnerID, CustomerID: g.CustomerID, CustomerName: g.CustomerName, CustomerDomainName: g.CustomerDomainName,
		CustomerCountry: g.CustomerCountry, InvoiceNumber: invoice, MpnID: g.MpnID, OrderID: g.OrderID, OrderDate: g.OrderDate,
		ProductID: g.ProductID, SkuID: g.SkuID, AvailabilityID: g.AvailabilityID, ProductName: g.ProductName, SkuName: g.SkuName,
		ProductQualifiers: g.ProductQualifiers, ChargeType: g.ChargeType, UnitPrice: g.UnitPrice, EffectiveUnitPrice: g.EffectiveUnitPrice,
		UnitType: g.UnitType, Quantity: g.Quantity, Subtotal: g.Subtotal, TaxTotal: g.TaxTotal, TotalForCustomer: g.TotalForCustomer,
		Currency: g.Currency, PublisherName: g.PublisherName, SubscriptionDescription: g.SubscriptionDescription,
		SubscriptionID: g.SubscriptionID, SubscriptionStartDate: g.SubscriptionStartDate, SubscriptionEndDate: g.SubscriptionEndDate,
		ChargeStartDate: g.ChargeStartDate, ChargeEndDate: g.ChargeEndDate, TermAndBillingCycle: g.TermAndBillingCycle,
		AlternateID: g.AlternateID, ReferenceID: g.ReferenceID, PricingCurrency: g.PricingCurrency, PCToBCExchangeRate: g.PCToBCExchangeRate,
		PCToBCExchangeRateDate: g.PCToBCExchangeRateDate, BillableQuantity: g.BillableQuantity, BillingFrequency: g.BillingFrequency,
		InvoiceLineItemType: "billing_line_items", BillingProvider: "one_time", Attributes: attrs{ObjectType: "OneTimeInvoiceLineItem"}}
}

// graphUsage is a daily rated usage line of a Graph usage export.
type graphUsage struct {
	PartnerID              string `json:"PartnerId"`
	PartnerName            string `json:"PartnerName"`
	CustomerID             string `json:"CustomerId"`
	CustomerName           string `json:"CustomerName"`
	CustomerDomainName     string `json:"CustomerDomainName"`
	CustomerCountry        string `json:"CustomerCountry"`
	MpnID                  string `json:"MpnId"`
	Tier2MpnID             string `json:"Tier2MpnId"`
	InvoiceNumber          string `json:"InvoiceNumber"`
	ProductID              string `json:"ProductId"`
	SkuID                  string `json:"SkuId"`
	AvailabilityID         string `json:"AvailabilityId"`
	SkuName                string `json:"SkuName"`
	ProductName            string `json:"ProductName"`
	PublisherName          string `json:"PublisherName"`
	PublisherID            string `json:"PublisherId"`
	SubscriptionDesc       string `json:"SubscriptionDescription"`
	SubscriptionID         string `json:"SubscriptionId"`
	ChargeStartDate        string `json:"ChargeStartDate"`
	ChargeEndDate          string `json:"ChargeEndDate"`
	UsageDate              string `json:"UsageDate"`
	MeterType              string `json:"MeterType"`
	MeterCategory          string `json:"MeterCategory"`
	MeterID                string `json:"MeterId"`
	MeterSubCategory       string `json:"MeterSubCategory"`
	MeterName              string `json:"MeterName"`
	MeterRegion            string `json:"MeterRegion"`
	Unit                   string `json:"Unit"`
	ResourceLocation       string `json:"ResourceLocation"`
	ConsumedService        string `json:"ConsumedService"`
	ResourceGroup          string `json:"ResourceGroup"`
	ResourceURI            string `json:"ResourceURI"`
	ChargeType             string `json:"ChargeType"`
	UnitPrice              num    `json:"UnitPrice"`
	Quantity               num    `json:"Quantity"`
	UnitType               string `json:"UnitType"`
	BillingPreTaxTotal     num    `json:"BillingPreTaxTotal"`
	BillingCurrency        string `json:"BillingCurrency"`
	PricingPreTaxTotal     num    `json:"PricingPreTaxTotal"`
	PricingCurrency        string `json:"PricingCurrency"`
	EffectiveUnitPrice     num    `json:"EffectiveUnitPrice"`
	PCToBCExchangeRate     num    `json:"PCToBCExchangeRate"`
	PCToBCExchangeRateDate string `json:"PCToBCExchangeRateDate"`
	EntitlementID          string `json:"EntitlementId"`
	EntitlementDescription string `json:"EntitlementDescription"`
	CreditType             string `json:"CreditType"`
}

func (u *usageRow) graph(invoice string) graphUsage {
	return graphUsage{PartnerID: PartnerID, PartnerName: PartnerName, CustomerID: u.CustomerID, CustomerName: u.CustomerName,
		CustomerDomainName: u.Domain, CustomerCountry: u.Country, MpnID: PartnerMpnID, InvoiceNumber: invoice, ProductID: u.ProductID,
		SkuID: u.SkuID, AvailabilityID: u.AvailabilityID, SkuName: u.SkuName, ProductName: u.ProductName,
		PublisherName: "Microsoft", SubscriptionID: u.SubscriptionID, ChargeStartDate: isoDay(u.ChargeStart),
		ChargeEndDate: isoDay(u.ChargeEnd), UsageDate: isoDay(u.UsageDate), MeterType: "1", MeterCategory: u.Meter.Category,
		MeterID: u.Meter.ID, MeterSubCategory: u.Meter.SubCategory, MeterName: u.Meter.Name, MeterRegion: u.Meter.Region,
		Unit: u.Meter.Unit, ResourceLocation: "westeurope", ConsumedService: u.Meter.Service, ResourceGroup: u.ResourceGroup,
		ResourceURI: u.ResourceURI, ChargeType: "new", UnitPrice: num(u.UnitPrice), Quantity: num(u.Quantity), UnitType: u.Meter.Unit,
		BillingPreTaxTotal: num(u.Total), BillingCurrency: u.Currency, PricingPreTaxTotal: num(u.Total), PricingCurrency: u.Currency,
		EffectiveUnitPrice: num(u.UnitPrice), PCToBCExchangeRate: num(one), PCToBCExchangeRateDate: isoDay(monthStart(u.UsageDate)),
		EntitlementID: u.EntitlementID, EntitlementDescription: "Azure subscription 1", CreditType: "Credit Not Applied"}
}

// v1 renders the usage line as usagelineitems returns it: the same
// members in camelCase, with objectType DailyRatedUsageLineItem.
func (u *usageRow) v1(invoice string) map[string]json.RawMessage {
	b, _ := json.Marshal(u.graph(invoice))
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	out := make(map[string]json.RawMessage, len(m)+3)
	for k, v := range m {
		switch k {
		case "PCToBCExchangeRate", "PCToBCExchangeRateDate":
			k = "pc" + k[2:]
		case "ResourceURI":
			k = "ResourceUri"
		}
		c := []byte(k)
		c[0] += 'a' - 'A'
		out[string(c)] = v
	}
	out["invoiceLineItemType"] = json.RawMessage(`"usage_line_items"`)
	out["billingProvider"] = json.RawMessage(`"marketplace"`)
	out["attributes"] = json.RawMessage(`{"objectType":"DailyRatedUsageLineItem"}`)
	return out
}

// bulkRow is synthetic line i of a bulk export (SetBillingBulkLines): a
// customer and subscription not in the sandbox, so import benchmarks do
// not need a million real subscriptions.
func bulkRow(i int, month time.Time, currency string) reconRow {
	c := i % 2000
	sub := i % 20000
	cid := "b0000000-0000-4000-8000-" + pad12(c)
	qty := 1 + i%25
	price := decimal.NewFromInt(int64(5 + i%30)).Add(decimal.New(int64(i%100), -2))
	end := month.AddDate(0, 1, -1)
	return reconRow{CustomerID: cid, CustomerName: "Bulk customer " + strconv.Itoa(c), Domain: "bulk" + strconv.Itoa(c) + ".onmicrosoft.com",
		Country: "US", OrderID: "bulkorder" + strconv.Itoa(sub), ProductID: "CFQ7TTC0BULK", SkuID: "0001", AvailabilityID: "CFQ7TTC0BULKA",
		ProductName: "Bulk product " + strconv.Itoa(i%50), SkuName: "Bulk SKU", ChargeType: "cycleCharge", UnitPrice: price,
		EffectiveUnitPrice: price, Quantity: qty, Subtotal: price.Mul(decimal.NewFromInt(int64(qty))), Currency: currency,
		SubscriptionID: "b1000000-0000-4000-8000-" + pad12(sub), ChargeStart: month, ChargeEnd: end, SubStart: month.AddDate(-1, 0, 0),
		SubEnd: month.AddDate(0, 11, -1), TermAndBillingCycle: "One-Year commitment for monthly/yearly billing", BillingFrequency: "Monthly",
		AlternateID: "bulk" + strconv.Itoa(i), ReferenceID: "bulk-" + strconv.Itoa(i)}
}

func pad12(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 12 {
		s = "0" + s
	}
	return s
}
