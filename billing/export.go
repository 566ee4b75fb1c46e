package billing

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// Exports of one customer's part of an invoice, for accounting and PSA
// tools: CSV (UTF-8 with a byte order mark, comma separated, a header
// row, dates as YYYY-MM-DD, amounts as plain decimals with a dot and no
// thousands separator) and JSON (the same fields). Every line is there:
// monthly, annual and triennial terms, pro-rated additions, removals and
// cancellation credits (negative amounts), renewals and Azure usage.
//
// Staff columns (ExportColumns):
//
//	InvoiceId, PeriodStart, PeriodEnd  Partner Center's invoice and its billing period
//	CustomerName, CustomerDomain
//	SubscriptionId, SubscriptionName, OrderId
//	ProductId, SkuId, ProductName, SkuName
//	ChargeType      PC's charge type (new, cycleCharge, addQuantity, removeQuantity, renew, cancelImmediate, usage)
//	Charge          the same for people (New, Cycle, Pro-rated add, ...)
//	ChargeStart, ChargeEnd  the period the line charges (inclusive); UsageDate for Azure usage
//	TermAndBillingCycle, BillingFrequency (Monthly, Annual, Triennial)
//	Meter, Unit     Azure usage's meter and unit
//	Quantity        seats (a change's delta for pro-rated lines) or usage quantity
//	UnitCost        Microsoft's unit price
//	Cost            Microsoft's charge (the line's subtotal)
//	Sale            what the customer is billed
//	Margin          Sale - Cost
//	Currency
//
// The customer's own export (CustomerExportColumns) leaves out
// InvoiceId, UnitCost, Cost and Margin and names Sale "Amount".

// Audience is who an export is for.
type Audience int

// Audiences.
const (
	ForStaff Audience = iota
	ForCustomer
)

// ExportColumns are the staff export's columns.
var ExportColumns = []string{"InvoiceId", "PeriodStart", "PeriodEnd", "CustomerName", "CustomerDomain", "SubscriptionId",
	"SubscriptionName", "OrderId", "ProductId", "SkuId", "ProductName", "SkuName", "ChargeType", "Charge", "ChargeStart",
	"ChargeEnd", "UsageDate", "TermAndBillingCycle", "BillingFrequency", "Meter", "Unit", "Quantity", "UnitCost", "Cost", "Sale",
	"Margin", "Currency"}

// CustomerExportColumns are the customer export's columns: no cost.
var CustomerExportColumns = []string{"PeriodStart", "PeriodEnd", "CustomerName", "CustomerDomain", "SubscriptionId",
	"SubscriptionName", "OrderId", "ProductId", "SkuId", "ProductName", "SkuName", "ChargeType", "Charge", "ChargeStart",
	"ChargeEnd", "UsageDate", "TermAndBillingCycle", "BillingFrequency", "Meter", "Unit", "Quantity", "Amount", "Currency"}

// Export selects one customer's part of an invoice: by PC's customer id
// (staff) or by the mirrored customer (the customer's own view).
type Export struct {
	InvoiceID    string
	PCCustomerID string
	CustomerID   *uuid.UUID
	Audience     Audience
}

// amount renders a decimal for accounting: two decimals unless it has
// more (Azure usage), never a thousands separator.
func amount(d decimal.Decimal) string {
	if d.Exponent() >= -2 {
		return d.StringFixed(2)
	}
	return d.String()
}

func isoDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// record is one line as the export's columns.
func record(inv store.BillingInvoice, l store.BillingLine, a Audience) map[string]string {
	m := map[string]string{"InvoiceId": inv.ID, "PeriodStart": inv.PeriodStart.Format(time.DateOnly),
		"PeriodEnd": inv.PeriodEnd.Format(time.DateOnly), "CustomerName": l.CustomerName, "CustomerDomain": l.CustomerDomain,
		"SubscriptionId": l.SubscriptionID, "SubscriptionName": l.SubscriptionName, "OrderId": l.OrderID, "ProductId": l.ProductID,
		"SkuId": l.SkuID, "ProductName": l.ProductName, "SkuName": l.SkuName, "ChargeType": l.ChargeType,
		"Charge": rules.ChargeLabel(l.ChargeType), "ChargeStart": isoDate(l.ChargeStart), "ChargeEnd": isoDate(l.ChargeEnd),
		"UsageDate": isoDate(l.UsageDate), "TermAndBillingCycle": l.TermAndCycle, "BillingFrequency": l.BillingFrequency,
		"Meter": l.MeterName, "Unit": l.Unit, "Quantity": l.Quantity.String(), "Currency": l.Currency}
	if a == ForCustomer {
		m["Amount"] = amount(l.Sale)
		return m
	}
	m["UnitCost"], m["Cost"], m["Sale"], m["Margin"] = amount(l.UnitPrice), amount(l.Cost), amount(l.Sale), amount(l.Sale.Sub(l.Cost))
	return m
}

func (e Export) filter() store.BillingGroupFilter {
	return store.BillingGroupFilter{PCCustomerID: e.PCCustomerID, CustomerID: e.CustomerID}
}

func (e Export) columns() []string {
	if e.Audience == ForCustomer {
		return CustomerExportColumns
	}
	return ExportColumns
}

// exportInvoice loads the export's invoice and checks the customer has
// lines on it (store.ErrNotFound otherwise, before anything is written). An
// export without an invoice is the columns alone (nothing billed yet).
func (s *Service) exportInvoice(ctx context.Context, e Export) (store.BillingInvoice, error) {
	if e.InvoiceID == "" {
		return store.BillingInvoice{}, nil
	}
	inv, err := s.st.BillingInvoice(ctx, e.InvoiceID)
	if err != nil {
		return inv, err
	}
	pc := e.PCCustomerID
	if e.CustomerID != nil {
		pc = strings.ToLower(e.CustomerID.String())
	}
	c, err := s.st.BillingInvoiceCustomer(ctx, e.InvoiceID, pc)
	if err != nil {
		return inv, err
	}
	if e.CustomerID != nil && (c.CustomerID == nil || *c.CustomerID != *e.CustomerID) {
		return inv, store.ErrNotFound
	}
	return inv, nil
}

// WriteCSV writes the export as CSV, streaming the lines.
func (s *Service) WriteCSV(ctx context.Context, w io.Writer, e Export) error {
	inv, err := s.exportInvoice(ctx, e)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cols := e.columns()
	if err := cw.Write(cols); err != nil {
		return err
	}
	row := make([]string, len(cols))
	if e.InvoiceID == "" {
		cw.Flush()
		return bw.Flush()
	}
	err = s.st.BillingLines(ctx, e.InvoiceID, e.filter(), func(l store.BillingLine) error {
		m := record(inv, l, e.Audience)
		for i, c := range cols {
			row[i] = m[c]
		}
		return cw.Write(row)
	})
	if err != nil {
		return fmt.Errorf("export %s: %w", e.InvoiceID, err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteJSON writes the export as JSON: {"invoice": ..., "lines": [...]}
// with the CSV's columns as members, streaming the lines.
func (s *Service) WriteJSON(ctx context.Context, w io.Writer, e Export) error {
	inv, err := s.exportInvoice(ctx, e)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	head := map[string]string{"periodStart": inv.PeriodStart.Format(time.DateOnly), "periodEnd": inv.PeriodEnd.Format(time.DateOnly),
		"currency": inv.Currency}
	if e.Audience == ForStaff {
		head["invoiceId"] = inv.ID
	}
	hb, _ := json.Marshal(head)
	fmt.Fprintf(bw, `{"invoice":%s,"columns":`, hb)
	cb, _ := json.Marshal(e.columns())
	bw.Write(cb)
	bw.WriteString(`,"lines":[`)
	n := 0
	if e.InvoiceID == "" {
		bw.WriteString("]}\n")
		return bw.Flush()
	}
	err = s.st.BillingLines(ctx, e.InvoiceID, e.filter(), func(l store.BillingLine) error {
		m := record(inv, l, e.Audience)
		out := make(map[string]string, len(e.columns()))
		for _, c := range e.columns() {
			out[lowerFirst(c)] = m[c]
		}
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		_, err = bw.Write(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("export %s: %w", e.InvoiceID, err)
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// Statement opens an invoice's statement PDF from Partner Center (a person
// waits: fewer retries). Close it.
func (s *Service) Statement(ctx context.Context, invoiceID string) (io.ReadCloser, error) {
	if _, err := s.st.BillingInvoice(ctx, invoiceID); err != nil {
		return nil, err
	}
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return nil, err
	}
	return pc.GetInvoiceStatement(pcconn.Interactive(ctx), invoiceID)
}
