package sandbox

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Invoices: new commerce bills the calendar month, and the month's invoice
// (one per billing currency) and its reconciliation files are available
// by about the 8th of the next month (learn.microsoft.com "Billed invoice
// reconciliation"; "New commerce billing"). The sandbox closes a month on
// the 8th at 00:00 UTC of its clock, freezing the month's lines.

// invoiceAvailableDay is the day of the next month a month's invoice appears.
const invoiceAvailableDay = 8

// billInvoice is a closed month of one currency.
type billInvoice struct {
	ID       string          `json:"id"`
	Month    time.Time       `json:"month"`
	Currency string          `json:"currency"`
	Symbol   string          `json:"symbol"`
	Date     time.Time       `json:"date"`
	Total    decimal.Decimal `json:"total"`
	Lines    []reconRow      `json:"lines"`
	Usage    []usageRow      `json:"usage"`
	// Bulk synthetic lines follow Lines in every export (benchmarks).
	Bulk int `json:"bulk,omitempty"`
}

// invoiceAvailable is when month's invoice appears.
func invoiceAvailable(month time.Time) time.Time {
	return monthStart(month).AddDate(0, 1, invoiceAvailableDay-1)
}

// closeInvoicesLocked closes every month whose invoice is due at now
// (caller holds s.mu for writing).
func (s *Sandbox) closeInvoicesLocked(now time.Time) {
	b := s.billing()
	first := time.Time{}
	if n := len(b.Invoices); n > 0 {
		first = b.Invoices[n-1].Month.AddDate(0, 1, 0)
	} else {
		first = s.firstBilledMonthLocked()
	}
	if first.IsZero() {
		return
	}
	for m := first; !now.Before(invoiceAvailable(m)); m = m.AddDate(0, 1, 0) {
		lines, usage := s.monthRowsLocked(m, m.AddDate(0, 1, 0), now, false)
		byCur := map[string]*billInvoice{}
		get := func(cur string) *billInvoice {
			if inv := byCur[cur]; inv != nil {
				return inv
			}
			b.Seq++
			inv := &billInvoice{ID: fmt.Sprintf("G%02d%02d%05d", m.Year()%100, int(m.Month()), b.Seq), Month: m, Currency: cur,
				Symbol: symbolOf(cur), Date: invoiceAvailable(m)}
			byCur[cur] = inv
			return inv
		}
		for _, r := range lines {
			inv := get(r.Currency)
			inv.Lines = append(inv.Lines, r)
			inv.Total = inv.Total.Add(r.Subtotal)
		}
		for _, u := range usage {
			inv := get(u.Currency)
			inv.Usage = append(inv.Usage, u)
			inv.Total = inv.Total.Add(u.Total)
		}
		if bulk := b.Config.BulkLines; bulk > 0 {
			inv := get("USD")
			inv.Bulk = bulk
			for i := range inv.Bulk {
				inv.Total = inv.Total.Add(bulkRow(i, m, "USD").Subtotal)
			}
		}
		curs := make([]string, 0, len(byCur))
		for c := range byCur {
			curs = append(curs, c)
		}
		sort.Strings(curs)
		for _, c := range curs {
			inv := byCur[c]
			inv.Total = inv.Total.Round(2)
			b.Invoices = append(b.Invoices, inv)
		}
		if len(byCur) == 0 {
			// An empty month still counts as closed.
			b.Invoices = append(b.Invoices, &billInvoice{Month: m})
		}
	}
}

// firstBilledMonthLocked is the month of the earliest billable event.
func (s *Sandbox) firstBilledMonthLocked() time.Time {
	var first time.Time
	see := func(t time.Time) {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	for _, bs := range s.st.Billing.Subs {
		for _, t := range bs.Terms {
			see(t.Start)
		}
	}
	for _, sub := range s.st.Subs {
		if sub.W.BillingType == "usage" {
			see(sub.W.CreationDate)
		}
	}
	if first.IsZero() {
		return first
	}
	return monthStart(first)
}

func symbolOf(cur string) string {
	for _, c := range countries {
		if c.code == cur {
			return c.symbol
		}
	}
	return cur
}

// monthRowsLocked computes the license lines and usage lines incurred in
// [from, to) as of now: unbilled lines leave out usage PC has not rated
// yet (daily usage appears up to 24 hours late).
func (s *Sandbox) monthRowsLocked(from, to, now time.Time, unbilled bool) ([]reconRow, []usageRow) {
	b := s.billing()
	ids := make([]string, 0, len(b.Subs))
	for id := range b.Subs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var lines []reconRow
	for _, id := range ids {
		bs := b.Subs[id]
		sub, cust := s.st.Subs[id], s.st.Customers[key(bs.CustomerID)]
		it := s.cat.item(bs.ItemID)
		if sub == nil || cust == nil || it == nil {
			continue
		}
		for _, ch := range bs.licenseCharges(sub.W.ID, from, earliest(to, now)) {
			lines = append(lines, s.renderCharge(cust, sub, it, ch))
		}
	}
	var usage []usageRow
	rated := to
	if unbilled {
		rated = earliest(to, day(now).Add(-dayLen))
	}
	subIDs := make([]string, 0)
	for id, sub := range s.st.Subs {
		if sub.W.BillingType == "usage" {
			subIDs = append(subIDs, id)
		}
	}
	sort.Strings(subIDs)
	for _, id := range subIDs {
		sub := s.st.Subs[id]
		cust := s.st.Customers[key(sub.CustomerID)]
		it := s.cat.item(sub.ItemID)
		if cust == nil || it == nil {
			continue
		}
		for d := earliest(day(from), day(rated)); d.Before(rated); d = d.Add(dayLen) {
			if d.Before(day(sub.W.CreationDate)) || !usageActive(sub, d) {
				continue
			}
			usage = append(usage, s.renderUsage(cust, sub, it, d)...)
		}
	}
	return lines, usage
}

// usageActive reports whether an Azure plan was usable on day d.
func usageActive(sub *subscription, d time.Time) bool {
	switch sub.W.Status {
	case "active", "pending":
		return true
	case "suspended":
		return !sub.Life.SuspendedAt.IsZero() && d.Before(day(sub.Life.SuspendedAt))
	}
	return false
}

var termNames = map[string]string{"P1M": "One-Month commitment", "P1Y": "One-Year commitment", "P3Y": "Three-Year commitment"}

func (s *Sandbox) renderCharge(cust *customer, sub *subscription, it *item, ch charge) reconRow {
	cur := countries[cust.Country]
	r := reconRow{CustomerID: cust.W.ID, CustomerName: cust.name(), Country: cust.Country, OrderID: sub.W.OrderID,
		OrderDate: isoDay(sub.W.CreationDate), ChargeType: ch.chargeType, UnitPrice: ch.unitPrice, EffectiveUnitPrice: ch.effective,
		Quantity: ch.qty, Subtotal: ch.amount, Currency: cmp.Or(ch.term.Currency, cur.code), SubscriptionID: sub.W.ID,
		SubscriptionDescription: sub.W.FriendlyName, ChargeStart: ch.start, ChargeEnd: ch.end.Add(-dayLen),
		SubStart: ch.term.Start, SubEnd: ch.termEnd.Add(-dayLen), AlternateID: sub.OrderAltID,
		ReferenceID: sub.W.EntitlementID}
	if cust.W.CompanyProfile != nil {
		r.Domain = cust.W.CompanyProfile.Domain
	}
	if it.NCE {
		r.ProductID, r.SkuID, r.AvailabilityID = it.Product.ID, it.Sku.ID, it.Avail.ID
		r.ProductName, r.SkuName = it.Product.Title, it.Sku.Title
	} else {
		r.ProductID, r.ProductName, r.SkuName = it.ID, it.Name, it.Name
	}
	freq := map[string]string{"monthly": "Monthly", "annual": "Annual", "triennial": "Triennial"}[ch.term.Cycle]
	r.BillingFrequency = freq
	name := cmp.Or(termNames[strings.ToUpper(ch.term.Term)], "Commitment")
	switch {
	case ch.term.Cycle == "none" || it.Trial:
		r.TermAndBillingCycle = name + " for trial"
		r.Qualifiers = append(r.Qualifiers, "Trial")
	case freq != "":
		r.TermAndBillingCycle = name + " for " + strings.ToLower(freq) + " billing"
	default:
		r.TermAndBillingCycle = name
	}
	if sub.W.ParentSubscriptionID != "" {
		r.Qualifiers = append([]string{"AddOn"}, r.Qualifiers...)
	}
	return r
}

func (s *Sandbox) renderUsage(cust *customer, sub *subscription, it *item, d time.Time) []usageRow {
	cur := countries[cust.Country].code
	base := usageRow{CustomerID: cust.W.ID, CustomerName: cust.name(), Country: cust.Country, SubscriptionID: sub.W.ID,
		EntitlementID: sub.W.EntitlementID, UsageDate: d, ChargeStart: monthStart(d), ChargeEnd: monthStart(d).AddDate(0, 1, -1),
		Currency: cur, ResourceGroup: "rg-" + strings.ToLower(strings.Fields(cust.name() + " x")[0])}
	if cust.W.CompanyProfile != nil {
		base.Domain = cust.W.CompanyProfile.Domain
	}
	if it.NCE {
		base.ProductID, base.SkuID, base.AvailabilityID = it.Product.ID, it.Sku.ID, it.Avail.ID
		base.ProductName, base.SkuName = it.Product.Title, it.Sku.Title
	} else {
		base.ProductID, base.ProductName, base.SkuName = it.ID, it.Name, it.Name
	}
	var out []usageRow
	for _, u := range dayUsage(sub.W.ID, d) {
		r := base
		r.Meter, r.Quantity, r.UnitPrice = u.m, u.qty, u.m.Price
		r.Total = u.qty.Mul(u.m.Price).Round(6)
		r.ResourceURI = "/subscriptions/" + sub.W.EntitlementID + "/resourceGroups/" + r.ResourceGroup + "/providers/" + u.m.Service
		out = append(out, r)
	}
	return out
}

// invoiceLocked finds a generated invoice.
func (s *Sandbox) invoiceLocked(id string) *billInvoice {
	for _, inv := range s.billing().Invoices {
		if inv.ID != "" && strings.EqualFold(inv.ID, id) {
			return inv
		}
	}
	return nil
}

// nceInvoiceWire is a new-commerce invoice: no tax receipts or amendments
// yet, both as empty arrays.
type nceInvoiceWire struct {
	invoiceWire
	Amendments []invoiceWire `json:"amendments"`
}

// wire renders inv as PC's Invoice resource.
func (inv *billInvoice) wire() *nceInvoiceWire {
	total, _ := inv.Total.Float64()
	base := "/invoices/" + inv.ID
	return &nceInvoiceWire{Amendments: []invoiceWire{}, invoiceWire: invoiceWire{ID: inv.ID, InvoiceDate: inv.Date, BillingPeriodStartDate: inv.Month,
		BillingPeriodEndDate: inv.Month.AddDate(0, 1, 0).Add(-time.Second), TotalCharges: total, CurrencyCode: inv.Currency,
		CurrencySymbol: inv.Symbol, PdfDownloadLink: base + "/documents/statement",
		InvoiceDetails: []invoiceDetail{
			{InvoiceLineItemType: "billing_line_items", BillingProvider: "one_time",
				Links: links{Self: getLink(base + "/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=2000")}, Attributes: attrs{ObjectType: "InvoiceDetail"}},
			{InvoiceLineItemType: "usage_line_items", BillingProvider: "one_time",
				Links: links{Self: getLink(base + "/lineitems?provider=onetime&invoicelineitemtype=usagelineitems&size=2000")}, Attributes: attrs{ObjectType: "InvoiceDetail"}},
		},
		TaxReceipts:  []taxReceipt{},
		DocumentType: "invoice", InvoiceType: "OneTime", Links: links{Self: getLink(base)}, Attributes: attrs{ObjectType: "Invoice"}}}
}

// BillingInvoice is a closed month's invoice as the sandbox bills it, for
// tests: its total and its license and usage lines' count.
type BillingInvoice struct {
	ID         string
	Month      time.Time
	Currency   string
	Total      decimal.Decimal
	Lines      int
	UsageLines int
}

// BillingInvoices closes the months due at the sandbox clock and returns
// the generated invoices, oldest first.
func (s *Sandbox) BillingInvoices() []BillingInvoice {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.tickLocked(now)
	s.closeInvoicesLocked(now)
	var out []BillingInvoice
	for _, inv := range s.billing().Invoices {
		if inv.ID != "" {
			out = append(out, BillingInvoice{ID: inv.ID, Month: inv.Month, Currency: inv.Currency, Total: inv.Total,
				Lines: len(inv.Lines) + inv.Bulk, UsageLines: len(inv.Usage)})
		}
	}
	return out
}
