package pccclient

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// PriceSheetView is the PricesheetView of a price sheet request.
type PriceSheetView string

// Price sheet views (learn.microsoft.com "Get a price sheet").
const (
	// ViewUpdatedLicenseBased: new-commerce license-based products (NCE).
	ViewUpdatedLicenseBased PriceSheetView = "updatedlicensebased"
	// ViewAzureConsumption: Azure plan meters, USD estimated retail prices.
	ViewAzureConsumption PriceSheetView = "azure_consumption"
	// ViewAzureReservations: Azure reservations, with the CSP partner discount.
	ViewAzureReservations PriceSheetView = "azure_reservations"
	// ViewMarketplace: commercial marketplace offers (no future timeline).
	ViewMarketplace PriceSheetView = "marketplace"
	// ViewSoftware: perpetual software.
	ViewSoftware PriceSheetView = "software"
)

// PriceSheetTimeline is the timeline of a price sheet request.
type PriceSheetTimeline string

// Timelines.
const (
	// TimelineCurrent: the prices of the current month (PC's default).
	TimelineCurrent PriceSheetTimeline = "current"
	// TimelineHistory: the prices of a past month (month required).
	TimelineHistory PriceSheetTimeline = "history"
	// TimelineFuture: next month's published prices; when no change is
	// planned PC answers 404 and the client returns a sheet with
	// NoPlannedChange set.
	TimelineFuture PriceSheetTimeline = "future"
)

// PriceSheetRequest says which price sheet to open.
type PriceSheetRequest struct {
	Market   string // two-letter country code, e.g. "US"
	View     PriceSheetView
	Timeline PriceSheetTimeline // "" = current
	// Month is the month of a history sheet (only year and month are
	// used); it is ignored for current and future.
	Month time.Time
	// Uncompressed asks for the plain CSV; by default the client asks for
	// the zip (Accept-Encoding: deflate), which is several times smaller.
	Uncompressed bool
}

// PriceSheetRow is one row of a price sheet, typed. Columns a sheet does
// not have stay zero; PriceSheet.Field reads any column raw.
type PriceSheetRow struct {
	ProductTitle   string
	ProductID      string
	SkuID          string
	SkuTitle       string
	Publisher      string
	SkuDescription string
	UnitOfMeasure  string
	// TermDuration is an ISO-8601 duration (P1M, P1Y, P3Y).
	TermDuration string
	// BillingPlan is how the term is billed: Monthly, Annual, Triennial,
	// or None (trials).
	BillingPlan string
	Market      string
	Currency    string
	// UnitPrice is the partner's price of one unit per billing period.
	UnitPrice           decimal.Decimal
	PricingTierRangeMin decimal.NullDecimal
	PricingTierRangeMax decimal.NullDecimal
	// EffectiveStartDate and EffectiveEndDate bound the price (UTC);
	// an open end is PC's 11/30/9999 11:59:59 PM.
	EffectiveStartDate time.Time
	EffectiveEndDate   time.Time
	Tags               string
	// ERPPrice is the estimated retail price per billing period.
	ERPPrice decimal.NullDecimal
	// Segment is the customer segment (Commercial, Education, ...); older
	// sheets have none.
	Segment string
	// ChangeIndicator is present in price list previews only.
	ChangeIndicator string
	// Line is the row's record number in the file (the header is 1).
	Line int
}

// PriceSheetError is a price sheet PC sent that the client cannot read:
// an unknown format, a missing column or a value of the wrong type.
type PriceSheetError struct {
	Line   int    // record number (1 = header), 0 for the file as a whole
	Column string // "" for the file or the record as a whole
	Value  string
	Err    error
}

func (e *PriceSheetError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("partner center get-price-sheet: %v", e.Err)
	case e.Column == "":
		return fmt.Sprintf("partner center get-price-sheet: record %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("partner center get-price-sheet: record %d column %s %q: %v", e.Line, e.Column, e.Value, e.Err)
}

// Unwrap returns the cause.
func (e *PriceSheetError) Unwrap() error { return e.Err }

// PriceSheet is an open price sheet: a stream of rows read as the file
// arrives (CSV or zip, the same to the caller), never held in memory
// whole. Read it with Next and Row (or Rows), then check Err; Close it.
type PriceSheet struct {
	Request PriceSheetRequest
	// NoPlannedChange: a future sheet PC answered 404 for, "no changes
	// expected"; it has no rows.
	NoPlannedChange bool
	// Compressed: PC sent an archive (zip, or gzip) rather than the CSV.
	Compressed bool
	// FileName is the name in Content-Disposition ("sheets.csv").
	FileName string
	// RequestID is the MS-RequestId sent.
	RequestID string

	body   io.ReadCloser
	cr     *csv.Reader
	header []string
	col    [numCols]int // index of each known column, -1 if absent
	names  map[string]int
	rec    []string
	row    PriceSheetRow
	line   int
	err    error
	done   bool
}

// The columns the client types, in PriceSheetRow order.
const (
	cProductTitle = iota
	cProductID
	cSkuID
	cSkuTitle
	cPublisher
	cSkuDescription
	cUnitOfMeasure
	cTermDuration
	cBillingPlan
	cMarket
	cCurrency
	cUnitPrice
	cTierMin
	cTierMax
	cStart
	cEnd
	cTags
	cERPPrice
	cSegment
	cChangeIndicator
	numCols
)

// colNames are the documented header names, normalised (colKey).
var colNames = [numCols]string{"producttitle", "productid", "skuid", "skutitle", "publisher", "skudescription",
	"unitofmeasure", "termduration", "billingplan", "market", "currency", "unitprice", "pricingtierrangemin",
	"pricingtierrangemax", "effectivestartdate", "effectiveenddate", "tags", "erpprice", "segment", "changeindicator"}

// requiredCols must be in every sheet the client reads.
var requiredCols = []int{cProductID, cSkuID, cCurrency, cUnitPrice}

// colKey normalises a header name: case, spaces, quotes and a BOM do not
// matter ("ERP Price" = "erpprice").
func colKey(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '"', '\u201c', '\u201d', '\t':
			return -1
		}
		return r
	}, s)
	return strings.ToLower(s)
}

// GetPriceSheet opens a price sheet (GET {PricingBaseURL}/v1.0/sales/
// pricesheets(Market='{market}',PricesheetView='{view}')/$value with
// timeline and month), compressed. month is used for TimelineHistory only.
// It is OpenPriceSheet with the default options.
func (c *Client) GetPriceSheet(ctx context.Context, market string, view PriceSheetView, timeline PriceSheetTimeline, month time.Time) (*PriceSheet, error) {
	return c.OpenPriceSheet(ctx, PriceSheetRequest{Market: market, View: view, Timeline: timeline, Month: month})
}

// OpenPriceSheet opens a price sheet on the pricing host. Partner Center
// allows it with an app+user credential only (RequiredCredential
// "get-price-sheet"; roles Admin Agent or Sales Agent): without a usable
// one it returns a *ConsentError. A future sheet with no planned change
// comes back with NoPlannedChange (not an error); other refusals are
// *Error (IsNotFound for a month with no sheet, IsValidation for a bad
// request). The header is read before it returns; rows are read on demand.
func (c *Client) OpenPriceSheet(ctx context.Context, r PriceSheetRequest) (*PriceSheet, error) {
	const op = "get-price-sheet"
	if r.Timeline == "" {
		r.Timeline = TimelineCurrent
	}
	a := check(op).country(r.Market).required("view", string(r.View)).
		check(!strings.ContainsAny(string(r.View), "'()"), "view", fmt.Sprintf("%q contains a quote or parenthesis", r.View)).
		check(r.Timeline == TimelineCurrent || r.Timeline == TimelineHistory || r.Timeline == TimelineFuture,
			"timeline", fmt.Sprintf("%q is not current, history or future", r.Timeline)).
		check(r.Timeline != TimelineHistory || !r.Month.IsZero(), "month", "is required for the history timeline")
	if err := a.done(); err != nil {
		return nil, err
	}
	q := url.Values{"timeline": {string(r.Timeline)}}
	if r.Timeline == TimelineHistory {
		q.Set("month", r.Month.Format("200601"))
	}
	h := http.Header{"Accept": {"text/csv, application/octet-stream, application/zip, */*"}}
	if !r.Uncompressed {
		h.Set("Accept-Encoding", "deflate")
	}
	reqID := NewRequestID()
	res, err := c.do(ctx, &call{op: op, class: ClassCatalog, method: http.MethodGet, pricing: true, stream: true,
		path:  "/v1.0/sales/pricesheets(Market='" + strings.ToUpper(r.Market) + "',PricesheetView='" + string(r.View) + "')/$value",
		query: q, header: h, requestID: reqID})
	ps := &PriceSheet{Request: r, RequestID: reqID}
	if err != nil {
		if r.Timeline == TimelineFuture && IsNotFound(err) {
			ps.NoPlannedChange, ps.done = true, true
			return ps, nil
		}
		return nil, err
	}
	if _, params, perr := mime.ParseMediaType(res.header.Get("Content-Disposition")); perr == nil {
		ps.FileName = params["filename"]
	}
	if err := ps.open(res.body, res.header.Get("Content-Encoding")); err != nil {
		res.body.Close()
		return nil, err
	}
	return ps, nil
}

// ReadPriceSheet reads a price sheet file as Partner Center serves it or
// its Pricing page downloads it (CSV, or a zip or gzip holding it), from r,
// streaming like OpenPriceSheet. Close closes r if it is an io.Closer.
func ReadPriceSheet(r io.Reader) (*PriceSheet, error) {
	rc, ok := r.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(r)
	}
	ps := &PriceSheet{}
	if err := ps.open(rc, ""); err != nil {
		return nil, err
	}
	return ps, nil
}

// open unwraps the body (HTTP content coding, then zip or gzip by their
// magic numbers) and reads the header.
func (p *PriceSheet) open(body io.ReadCloser, coding string) error {
	p.body = body
	var rd io.Reader = body
	switch strings.ToLower(strings.TrimSpace(coding)) {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return &PriceSheetError{Err: fmt.Errorf("gzip content coding: %w", err)}
		}
		rd = zr
	case "deflate":
		zr, err := zlib.NewReader(rd)
		if err != nil {
			return &PriceSheetError{Err: fmt.Errorf("deflate content coding: %w", err)}
		}
		rd = zr
	default:
		return &PriceSheetError{Err: fmt.Errorf("unsupported content coding %q", coding)}
	}
	br := bufio.NewReaderSize(rd, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")):
		zr, err := newZipEntryReader(br)
		if err != nil {
			return &PriceSheetError{Err: err}
		}
		br, p.Compressed = bufio.NewReaderSize(zr, 64<<10), true
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return &PriceSheetError{Err: fmt.Errorf("gzip: %w", err)}
		}
		br, p.Compressed = bufio.NewReaderSize(zr, 64<<10), true
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3)
	}
	p.cr = csv.NewReader(br)
	p.cr.ReuseRecord = true
	p.cr.LazyQuotes = true
	p.cr.FieldsPerRecord = -1
	hdr, err := p.cr.Read()
	if err == io.EOF {
		return &PriceSheetError{Line: 1, Err: errors.New("empty file: no header")}
	}
	if err != nil {
		return p.readErr(err)
	}
	p.line = 1
	p.header = append([]string(nil), hdr...)
	p.names = make(map[string]int, len(hdr))
	for i, h := range p.header {
		p.header[i] = strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")
		p.names[colKey(h)] = i
	}
	for i, n := range colNames {
		p.col[i] = -1
		if j, ok := p.names[n]; ok {
			p.col[i] = j
		}
	}
	for _, i := range requiredCols {
		if p.col[i] < 0 {
			return &PriceSheetError{Line: 1, Column: colNames[i], Err: fmt.Errorf("missing column (header %q)", p.header)}
		}
	}
	return nil
}

// readErr wraps an error from the body or the CSV reader.
func (p *PriceSheet) readErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &PriceSheetError{Line: p.line + 1, Err: err}
	}
	return &PriceSheetError{Line: p.line + 1, Err: fmt.Errorf("read: %w", err)}
}

// Header returns the sheet's column names as sent.
func (p *PriceSheet) Header() []string { return p.header }

// Next reads the next row; false at the end or on an error (see Err).
func (p *PriceSheet) Next() bool {
	if p.done || p.err != nil {
		return false
	}
	rec, err := p.cr.Read()
	if err == io.EOF {
		p.done = true
		return false
	}
	if err != nil {
		p.err = p.readErr(err)
		return false
	}
	p.line++
	p.rec = rec
	if err := p.parse(); err != nil {
		p.err = err
		return false
	}
	return true
}

// Row returns the current row; it is overwritten by the next Next.
func (p *PriceSheet) Row() *PriceSheetRow { return &p.row }

// Field returns a column of the current row by name (case and spaces do
// not matter: "ERP Price", "erpprice"), "" when the sheet has none.
func (p *PriceSheet) Field(name string) string {
	if i, ok := p.names[colKey(name)]; ok && i < len(p.rec) {
		return p.rec[i]
	}
	return ""
}

// Err returns the error that ended the rows, if any.
func (p *PriceSheet) Err() error { return p.err }

// Close releases the connection. It is safe to call more than once.
func (p *PriceSheet) Close() error {
	p.done = true
	if p.body == nil {
		return nil
	}
	b := p.body
	p.body = nil
	return b.Close()
}

// Rows iterates over the rows (copies), yielding the error that ends
// them, if any, as the last element. It does not close the sheet.
func (p *PriceSheet) Rows() iter.Seq2[PriceSheetRow, error] {
	return func(yield func(PriceSheetRow, error) bool) {
		for p.Next() {
			if !yield(p.row, nil) {
				return
			}
		}
		if p.err != nil {
			yield(PriceSheetRow{}, p.err)
		}
	}
}

// get returns column c of the current record ("" if absent).
func (p *PriceSheet) get(c int) string {
	if i := p.col[c]; i >= 0 && i < len(p.rec) {
		return p.rec[i]
	}
	return ""
}

// parse types the current record into p.row.
func (p *PriceSheet) parse() error {
	if len(p.rec) == 1 && p.rec[0] == "" {
		return &PriceSheetError{Line: p.line, Err: errors.New("empty record")}
	}
	r := &p.row
	*r = PriceSheetRow{Line: p.line,
		ProductTitle: p.get(cProductTitle), ProductID: p.get(cProductID), SkuID: p.get(cSkuID), SkuTitle: p.get(cSkuTitle),
		Publisher: p.get(cPublisher), SkuDescription: p.get(cSkuDescription), UnitOfMeasure: p.get(cUnitOfMeasure),
		TermDuration: p.get(cTermDuration), BillingPlan: p.get(cBillingPlan), Market: p.get(cMarket), Currency: p.get(cCurrency),
		Tags: p.get(cTags), Segment: p.get(cSegment), ChangeIndicator: p.get(cChangeIndicator)}
	var err error
	if r.UnitPrice, err = p.amount(cUnitPrice); err != nil {
		return err
	}
	for _, f := range []struct {
		c   int
		dst *decimal.NullDecimal
	}{{cTierMin, &r.PricingTierRangeMin}, {cTierMax, &r.PricingTierRangeMax}, {cERPPrice, &r.ERPPrice}} {
		if strings.TrimSpace(p.get(f.c)) == "" {
			continue
		}
		d, err := p.amount(f.c)
		if err != nil {
			return err
		}
		*f.dst = decimal.NewNullDecimal(d)
	}
	if r.EffectiveStartDate, err = p.date(cStart); err != nil {
		return err
	}
	if r.EffectiveEndDate, err = p.date(cEnd); err != nil {
		return err
	}
	return nil
}

// amount parses a decimal column (a thousands separator is not accepted).
func (p *PriceSheet) amount(c int) (decimal.Decimal, error) {
	v := strings.TrimSpace(p.get(c))
	d, err := decimal.NewFromString(v)
	if err != nil {
		return decimal.Decimal{}, &PriceSheetError{Line: p.line, Column: p.header[p.col[c]], Value: v, Err: errors.New("not a decimal amount")}
	}
	return d, nil
}

// sheetDateLayouts are the date forms seen in price sheets: PC's documented
// "2/1/2019 12:00:00 AM" and ISO 8601 (the price list downloads).
var sheetDateLayouts = []string{"1/2/2006 3:04:05 PM", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02", "1/2/2006"}

// date parses a date column as UTC; an empty or absent column is zero.
func (p *PriceSheet) date(c int) (time.Time, error) {
	v := strings.TrimSpace(p.get(c))
	if v == "" {
		return time.Time{}, nil
	}
	for _, l := range sheetDateLayouts {
		if t, err := time.ParseInLocation(l, v, time.UTC); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &PriceSheetError{Line: p.line, Column: p.header[p.col[c]], Value: v, Err: errors.New("not a date")}
}
