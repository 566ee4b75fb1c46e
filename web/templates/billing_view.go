package templates

import (
	"strconv"

	"github.com/shopspring/decimal"
)

// Billing views: what the billing pages show. Amounts arrive formatted;
// charts arrive as geometry (BarChart), drawn server-side as SVG with
// every bar a link to the table row that holds its number.

// BarChart is an SVG bar chart: groups of bars (one per series) along x.
type BarChart struct {
	ID     string // prefix of element ids
	Title  string
	Desc   string
	Width  int
	Height int
	BaseY  int // the zero line
	Left   int // the plot's left edge (after the axis labels)
	Series []ChartSeries
	Groups []BarGroup
	Ticks  []ChartTick
}

// ChartSeries is one legend entry.
type ChartSeries struct {
	Name  string
	Class string // CSS class of its bars: bar-cost, bar-sale, bar-margin, bar-usage
}

// BarGroup is one x position (a month, a day) with its bars and label.
type BarGroup struct {
	Label  string
	LabelX int
	Bars   []Bar
}

// Bar is one rectangle; it links to Href and says its number in Title.
type Bar struct {
	X, Y, W, H int
	Class      string
	Href       string
	Title      string
}

// ChartTick is a labelled line of the y axis.
type ChartTick struct {
	Y     int
	Label string
}

// ChartPoint is one group's input: label, link, and a value per series.
type ChartPoint struct {
	Label  string
	Href   string
	Values []decimal.Decimal
	Titles []string // the bar's tooltip per series
}

// Empty reports a chart without data.
func (c BarChart) Empty() bool { return len(c.Groups) == 0 }

// ViewBox is the SVG's viewBox.
func (c BarChart) ViewBox() string {
	return "0 0 " + strconv.Itoa(c.Width) + " " + strconv.Itoa(c.Height)
}

// NewBarChart lays out points as grouped bars: heights scaled to the
// largest value (negative values hang below the zero line), bar geometry
// in whole pixels. Decimal values stay decimal until they become pixels.
func NewBarChart(id, title, desc string, series []ChartSeries, points []ChartPoint) BarChart {
	const height, top, bottom, left, barW, gap = 220, 12, 36, 72, 14, 18
	per := len(series)
	groupW := per*barW + gap
	c := BarChart{ID: id, Title: title, Desc: desc, Series: series, Height: height, Left: left,
		Width: max(360, left+len(points)*groupW+gap), Groups: make([]BarGroup, 0, len(points))}
	hi, lo := decimal.Zero, decimal.Zero
	for _, p := range points {
		for _, v := range p.Values {
			hi, lo = decimal.Max(hi, v), decimal.Min(lo, v)
		}
	}
	if hi.Equal(lo) {
		hi = decimal.NewFromInt(1)
	}
	y := newPixelScale(top, height-top-bottom, hi, lo, points)
	c.BaseY = y.row(decimal.Zero)
	for _, t := range []decimal.Decimal{hi, hi.Div(decimal.NewFromInt(2)), decimal.Zero, lo} {
		if t.IsNegative() && t.Equal(lo) || !t.IsNegative() {
			c.Ticks = append(c.Ticks, ChartTick{Y: y.row(t), Label: compact(t)})
		}
	}
	for i, p := range points {
		x := left + gap/2 + i*groupW
		g := BarGroup{Label: p.Label, LabelX: x + per*barW/2, Bars: make([]Bar, 0, len(p.Values))}
		for j, v := range p.Values {
			y0, y1 := c.BaseY, c.BaseY
			if v.IsNegative() {
				y1 = y.row(v)
			} else {
				y0 = y.row(v)
			}
			b := Bar{X: x + j*barW, Y: y0, W: barW - 2, H: max(y1-y0, 1), Class: series[j].Class, Href: p.Href}
			if j < len(p.Titles) {
				b.Title = p.Titles[j]
			}
			g.Bars = append(g.Bars, b)
		}
		c.Groups = append(c.Groups, g)
	}
	return c
}

// pixelScale maps amounts to pixel rows: hi on row top, lo plot rows
// below it, each rounded half away from zero as Decimal.Round(0) does.
// When every amount is an int64 at one exponent, with room to multiply
// by the plot's height, a row costs integer arithmetic: a decimal
// division per bar was most of the billing page's chart.
type pixelScale struct {
	top, plot int64
	hi, span  decimal.Decimal
	ints      bool
	exp       int32 // the common exponent of the int64 path
	hiN       int64
	spanN     int64
}

// pixelDigits bounds the amounts of the int64 path: 10^15 times a plot
// of up to 9,000 rows stays within an int64.
const pixelDigits = 15

func newPixelScale(top, plot int, hi, lo decimal.Decimal, points []ChartPoint) pixelScale {
	s := pixelScale{top: int64(top), plot: int64(plot), hi: hi, span: hi.Sub(lo), ints: plot <= 9000}
	s.exp = min(hi.Exponent(), lo.Exponent(), 0)
	for _, p := range points {
		for _, v := range p.Values {
			s.exp = min(s.exp, v.Exponent())
		}
	}
	var loN int64
	s.hiN, s.ints = s.scaled(hi, s.ints)
	loN, s.ints = s.scaled(lo, s.ints)
	for _, p := range points {
		for _, v := range p.Values {
			_, s.ints = s.scaled(v, s.ints)
		}
	}
	s.spanN = s.hiN - loN
	return s
}

// scaled is v as a multiple of 10^exp, ok while it has at most
// pixelDigits digits there (and ok was true); a value finer than exp (a
// tick halfway up) is not.
func (s pixelScale) scaled(v decimal.Decimal, ok bool) (int64, bool) {
	shift := int(v.Exponent() - s.exp)
	if !ok || shift < 0 || v.NumDigits()+shift > pixelDigits {
		return 0, false
	}
	n := v.CoefficientInt64()
	for range shift {
		n *= 10
	}
	return n, true
}

// row is v's pixel row; v lies between lo and hi.
func (s pixelScale) row(v decimal.Decimal) int {
	if n, ok := s.scaled(v, s.ints); ok && s.spanN > 0 {
		num := (s.hiN - n) * s.plot
		q, r := num/s.spanN, num%s.spanN
		if 2*r >= s.spanN {
			q++
		} else if 2*r <= -s.spanN {
			q--
		}
		return int(s.top + q)
	}
	return int(s.top) + int(s.hi.Sub(v).Mul(decimal.NewFromInt(s.plot)).Div(s.span).Round(0).IntPart())
}

// compact renders an axis value: 1.2k, 35, -4.
func compact(d decimal.Decimal) string {
	a := d.Abs()
	switch {
	case a.GreaterThanOrEqual(decimal.NewFromInt(1_000_000)):
		return d.Div(decimal.NewFromInt(1_000_000)).Round(1).String() + "M"
	case a.GreaterThanOrEqual(decimal.NewFromInt(1000)):
		return d.Div(decimal.NewFromInt(1000)).Round(1).String() + "k"
	}
	return d.Round(0).String()
}

// BillingImportView is one import on the billing and sync pages.
type BillingImportView struct {
	ID        int64
	Invoice   string
	Href      string
	Dataset   string
	Source    string
	State     string
	Progress  string // "3 of 4 blobs, 600,000 lines"
	Polls     int
	Error     string
	Updated   string
	Finished  bool
	Succeeded bool
}

// BillingInvoiceView is one invoice (or accrual) of a month.
type BillingInvoiceView struct {
	ID       string
	Href     string
	Accrual  bool
	Legacy   bool // no new-commerce line items (nothing to import)
	Date     string
	PCTotal  string
	Cost     string
	Sale     string
	Margin   string
	Lines    string
	Status   string
	Findings int
}

// BillingMonthView is one month in one currency.
type BillingMonthView struct {
	Anchor   string
	Month    string
	Currency string
	Accrual  bool
	Cost     string
	Sale     string
	Margin   string
	Invoices []BillingInvoiceView
}

// BillingView is the billing page.
type BillingView struct {
	Months  []BillingMonthView
	Charts  []BarChart
	Imports []BillingImportView
}

// BillingCustomerView is one customer's part of an invoice.
type BillingCustomerView struct {
	Name     string
	Domain   string
	Href     string
	Billing  string // the customer's billing page (mirrored customers)
	Unknown  bool   // not in the mirror
	Lines    string
	Cost     string
	Sale     string
	Margin   string
	Findings int
}

// BillingInvoicePageView is an invoice: its customers, totals, imports.
type BillingInvoicePageView struct {
	ID            string
	Title         string
	Period        string
	Currency      string
	Accrual       bool
	PCTotal       string
	Cost          string
	Sale          string
	Margin        string
	Lines         string
	Differs       bool // the imported lines do not add up to PC's total
	Findings      int
	FindingsHref  string
	StatementHref string
	ReimportHref  string
	Imports       []BillingImportView
	Q             string
	Customers     []BillingCustomerView
	Shown         string // "1–50 of 2,000"
	PrevHref      string
	NextHref      string
}

// BillingGroupView is one subscription and charge type of a customer.
type BillingGroupView struct {
	Subscription     string
	SubscriptionHref string
	Product          string
	Charge           string
	ChargeType       string
	Term             string
	First            string
	Lines            string
	Quantity         string
	Cost             string
	Sale             string
	Margin           string
}

// BillingInvoiceCustomerView is one customer's lines of an invoice.
type BillingInvoiceCustomerView struct {
	Pager        Pager // of Groups, when they fill more than a page
	InvoiceID    string
	InvoiceHref  string
	Period       string
	Name         string
	Domain       string
	Billing      string
	Q            string
	Action       string
	Cost         string
	Sale         string
	Margin       string
	Groups       []BillingGroupView
	CSVHref      string
	JSONHref     string
	FindingsHref string
	Findings     int
}

// BillingFindingView is one reconciliation finding.
type BillingFindingView struct {
	Customer         string
	CustomerHref     string
	Subscription     string
	SubscriptionHref string
	Charge           string
	Start            string
	Amount           string
	Reason           string
}

// BillingFindingGroup is one check's findings: those shown of Total.
type BillingFindingGroup struct {
	Check string
	Title string
	Total int
	Items []BillingFindingView
	Shown string // "1–50 of 489" when not all are shown
	// AllHref opens the check's own pages (from the overview); PrevHref
	// and NextHref page through them.
	AllHref, PrevHref, NextHref string
}

// BillingFindingsView is an invoice's reconciliation page: every check
// (the first findings of each), or one check's pages (BackHref set).
type BillingFindingsView struct {
	InvoiceID   string
	InvoiceHref string
	Period      string
	Groups      []BillingFindingGroup
	Notes       []string
	BackHref    string // to every check, on one check's page
}

// BillingMonthRow is one month of a customer's billing page.
type BillingMonthRow struct {
	Anchor  string
	Month   string
	Href    string
	Invoice string
	Accrual bool
	Lines   string
	Cost    string
	Sale    string
	Margin  string
}

// UsageDayRow is one day of Azure usage.
type UsageDayRow struct {
	Anchor string
	Day    string
	Cost   string
	Sale   string
}

// BillingCustomerPageView is a customer's billing over the months (staff).
type BillingCustomerPageView struct {
	Name        string
	CustomerRef string
	Months      []BillingMonthRow
	Chart       BarChart
	UsageMonth  string
	Usage       []UsageDayRow
	UsageChart  BarChart
}

// ChargeGroupView is one subscription and charge type at sale price.
type ChargeGroupView struct {
	Product  string
	Charge   string
	Term     string
	First    string
	Quantity string
	Amount   string
}

// ChargesView is the customer's own charges: sale prices only, never cost.
type ChargesView struct {
	Pager      Pager // of Groups, when they fill more than a page
	Scope      CustomerViewScope
	Months     []BillingMonthRow // Sale holds the amount; Cost and Margin stay empty
	Chart      BarChart
	Selected   string // the month shown below
	Amount     string
	Groups     []ChargeGroupView
	CSVHref    string
	Usage      []UsageDayRow // Sale only
	UsageChart BarChart
}
