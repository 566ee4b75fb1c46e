package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// lineSource feeds COPY with one part's lines as they are read (a blob is
// decoded line by line while it downloads; nothing is held whole).
type lineSource struct {
	ctx       context.Context
	s         *Service
	imp       store.BillingImport
	part      int
	customers map[uuid.UUID]bool
	next      func() bool
	cur       func() []byte
	srcErr    func() error
	n         int
	vals      []any
	err       error
}

func (s *Service) newSource(ctx context.Context, imp store.BillingImport, part int, customers map[uuid.UUID]bool,
	next func() bool, cur func() []byte, srcErr func() error) *lineSource {
	return &lineSource{ctx: ctx, s: s, imp: imp, part: part, customers: customers, next: next, cur: cur, srcErr: srcErr,
		vals: make([]any, len(store.BillingLineColumns))}
}

// Next implements pgx.CopyFromSource.
func (l *lineSource) Next() bool {
	if l.err != nil || !l.next() {
		return false
	}
	l.n++
	if err := l.decode(l.cur()); err != nil {
		l.err = fmt.Errorf("import %d part %d line %d: %w", l.imp.ID, l.part, l.n, err)
		return false
	}
	return true
}

// Values implements pgx.CopyFromSource.
func (l *lineSource) Values() ([]any, error) { return l.vals, nil }

// Err implements pgx.CopyFromSource.
func (l *lineSource) Err() error {
	if l.err != nil {
		return l.err
	}
	return l.srcErr()
}

func day(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Truncate(24 * time.Hour)
}

// decode turns one JSON line into a row of store.BillingLineColumns, with
// its sale price.
func (l *lineSource) decode(b []byte) error {
	v := l.vals
	v[0], v[1], v[2], v[3] = l.imp.ID, l.part, l.n, l.imp.InvoiceID
	var li LineItem
	if l.imp.Dataset == rules.DatasetUsage {
		u, err := pccclient.DecodeUsageLine(b)
		if err != nil {
			return err
		}
		cust := customerOf(u.CustomerID, l.customers)
		li = LineItem{Kind: "usage", SubscriptionID: u.SubscriptionID, ProductID: u.ProductID, SkuID: u.SkuID,
			ProductName: u.ProductName, ChargeType: "usage", ChargeStart: u.UsageDate.Time, Quantity: u.Quantity.Decimal,
			UnitPrice: u.UnitPrice.Decimal, Cost: u.BillingPreTaxTotal.Decimal, Currency: u.BillingCurrency}
		if cust != nil {
			li.CustomerID = *cust
		}
		name := u.MeterName
		if u.MeterCategory != "" {
			name = u.MeterCategory + " - " + u.MeterName
		}
		v[4], v[5], v[6], v[7], v[8] = "usage", strings.ToLower(u.CustomerID), cust, u.CustomerName, u.CustomerDomainName
		v[9], v[10], v[11], v[12], v[13], v[14] = u.SubscriptionID, u.EntitlementID, "", u.ProductID, u.SkuID, ""
		v[15], v[16], v[17] = u.ProductName, u.SkuName, "usage"
		v[18], v[19], v[20] = day(u.ChargeStartDate.Time), day(u.ChargeEndDate.Time), day(u.UsageDate.Time)
		v[21], v[22], v[23], v[24], v[25] = "", "", name, u.MeterCategory, u.Unit
		v[26], v[27], v[28], v[29] = u.Quantity.Decimal, u.UnitPrice.Decimal, u.EffectiveUnitPrice.Decimal, u.BillingPreTaxTotal.Decimal
		v[31], v[32] = u.BillingCurrency, u.MeterID
	} else {
		r, err := pccclient.DecodeReconLine(b)
		if err != nil {
			return err
		}
		cust := customerOf(r.CustomerID, l.customers)
		li = LineItem{Kind: "license", SubscriptionID: r.SubscriptionID, ProductID: r.ProductID, SkuID: r.SkuID,
			AvailabilityID: r.AvailabilityID, ProductName: r.ProductName, ChargeType: r.ChargeType, ChargeStart: r.ChargeStartDate.Time,
			BillingCycle: r.BillingFrequency, Quantity: r.Quantity.Decimal, UnitPrice: r.UnitPrice.Decimal, Cost: r.Subtotal.Decimal,
			Currency: r.Currency}
		if cust != nil {
			li.CustomerID = *cust
		}
		v[4], v[5], v[6], v[7], v[8] = "license", strings.ToLower(r.CustomerID), cust, r.CustomerName, r.CustomerDomainName
		v[9], v[10], v[11], v[12], v[13], v[14] = r.SubscriptionID, r.SubscriptionDescription, r.OrderID, r.ProductID, r.SkuID, r.AvailabilityID
		v[15], v[16], v[17] = r.ProductName, r.SkuName, r.ChargeType
		v[18], v[19], v[20] = day(r.ChargeStartDate.Time), day(r.ChargeEndDate.Time), nil
		v[21], v[22], v[23], v[24], v[25] = r.TermAndBillingCycle, r.BillingFrequency, "", "", r.UnitType
		v[26], v[27], v[28], v[29] = r.Quantity.Decimal, r.UnitPrice.Decimal, r.EffectiveUnitPrice.Decimal, r.Subtotal.Decimal
		v[31], v[32] = r.Currency, r.ReferenceID
	}
	sale, err := l.s.sale.Sale(l.ctx, li.CustomerID, li)
	if err != nil {
		return fmt.Errorf("sale price: %w", err)
	}
	v[30] = sale
	return nil
}
