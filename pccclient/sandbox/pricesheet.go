package sandbox

import (
	"archive/zip"
	"bufio"
	"cmp"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// The price sheet API of learn.microsoft.com "Get a price sheet":
//
//	GET https://api.partner.microsoft.com/v1.0/sales/pricesheets(Market='{market}',PricesheetView='{view}')/$value
//	    [?timeline=current|history|future][&month=YYYYMM]
//
// on Partner Center's pricing host (not the REST v1 host), App+User only
// (roles Admin Agent or Sales Agent), answering a file stream: the CSV, or
// with "Accept-Encoding: deflate" a zip archive holding it. timeline
// defaults to current; month is required for history; a future sheet that
// would change nothing answers 404 Not Found.

// PricingResource is the token audience of the pricing API. Tokens for
// https://api.partnercenter.microsoft.com are refused there, and these are
// refused by the REST API.
const PricingResource = "https://api.partner.microsoft.com"

// PricingPathPrefix is where Handler also serves the pricing API, so one
// listener can stand for both hosts: pricing base URL = sandbox URL + this.
const PricingPathPrefix = "/pricing"

// OpGetPriceSheet is the operation id of the price sheet (Calls, faults).
const OpGetPriceSheet = "get-price-sheet"

// Price sheet views (PricesheetView) PC documents.
const (
	ViewAzureConsumption    = "azure_consumption"
	ViewAzureReservations   = "azure_reservations"
	ViewUpdatedLicenseBased = "updatedlicensebased"
	ViewMarketplace         = "marketplace"
	ViewSoftware            = "software"
)

// LicenseBasedColumns is the header of the new-commerce license-based sheet:
// the columns of PC's documented response example (ProductTitle ... ERP
// Price) and Segment, which newer sheets carry (Commercial, Education, ...).
var LicenseBasedColumns = []string{"ProductTitle", "ProductId", "SkuId", "SkuTitle", "Publisher", "SkuDescription",
	"UnitOfMeasure", "TermDuration", "BillingPlan", "Market", "Currency", "UnitPrice", "PricingTierRangeMin",
	"PricingTierRangeMax", "EffectiveStartDate", "EffectiveEndDate", "Tags", "ERP Price", "Segment"}

// consumptionColumns is the header of PC's documented azure_consumption example.
var consumptionColumns = []string{"ProductTitle", "ProductId", "SkuId", "SkuTitle", "Publisher", "SkuDescription",
	"UnitOfMeasure", "TermDuration", "Market", "Currency", "UnitPrice", "PricingTierRangeMin", "PricingTierRangeMax",
	"EffectiveStartDate", "EffectiveEndDate", "MeterIds", "MeterType", "Tags"}

// sheetDate is the format of the sheet's dates ("2/1/2019 12:00:00 AM").
const sheetDate = "1/2/2006 3:04:05 PM"

var sheetPath = regexp.MustCompile(`(?i)^pricesheets\(market='([^']*)',pricesheetview='([^']*)'\)$`)

// PricingHandler serves the pricing API at its root (/v1.0/sales/...), for
// a listener of its own; Handler serves the same under PricingPathPrefix.
func (s *Sandbox) PricingHandler() http.Handler { return s.pricing }

// SetPriceSheetBulkRows makes every license-based sheet end with n
// synthetic rows (deterministic; for import benchmarks); 0 turns them off.
func (s *Sandbox) SetPriceSheetBulkRows(n int) { s.bulkRows.Store(int64(max(n, 0))) }

// pricingRoutes builds the pricing API's mux.
func (s *Sandbox) pricingRoutes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /v1.0/sales/{sheet}/{value}", s.servePriceSheet)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		pricingFail(w, http.StatusNotFound, "Resource not found: %s %s", r.Method, r.URL.Path)
	})
	return m
}

// pricingFail answers with the pricing host's error body {statusCode, message}
// (the shape its 401 has in PC's Q&A: "Unauthorized: Invalid Authorization header").
func pricingFail(w http.ResponseWriter, status int, format string, args ...any) {
	writeJSON(w, status, throttleBody{StatusCode: status, Message: fmt.Sprintf(format, args...)})
}

// requestedAudience is the resource a token request asks for: v1's
// resource, or the resource of the first v2 scope.
func requestedAudience(form url.Values) string {
	r := form.Get("resource")
	if r == "" {
		for _, sc := range strings.Fields(form.Get("scope")) {
			if i := strings.LastIndex(sc, "/"); i > len("https://") && strings.Contains(sc, "://") {
				r = sc[:i]
				break
			}
		}
	}
	if strings.EqualFold(strings.TrimRight(r, "/"), PricingResource) {
		return PricingResource
	}
	if strings.EqualFold(strings.TrimRight(r, "/"), GraphResource) {
		return GraphResource
	}
	return Resource
}

// IssuePricingToken returns an access token for the pricing API: app-only
// when upn is "", else the user's (MFA as the user's sign-in has it).
func (s *Sandbox) IssuePricingToken(upn string) (string, error) {
	var u *User
	if upn != "" {
		if u = s.user(upn); u == nil {
			return "", fmt.Errorf("sandbox: no user %q", upn)
		}
	}
	mfa := u != nil && u.MFA
	t, _ := s.issueAccess(s.clock.Now(), u, mfa, PricingResource)
	return t, nil
}

// pricingAuth applies the pricing API's credential rules; false: answered.
func (s *Sandbox) pricingAuth(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(h, "bearer ")
	}
	if !ok {
		pricingFail(w, http.StatusUnauthorized, "Unauthorized: Authorization header is missing")
		return false
	}
	s.tokMu.Lock()
	ti, found := s.tokens[strings.TrimSpace(tok)]
	s.tokMu.Unlock()
	switch {
	case !found || !s.clock.Now().Before(ti.Exp) || ti.Aud != PricingResource:
		// A token for api.partnercenter.microsoft.com lands here too.
		pricingFail(w, http.StatusUnauthorized, "Unauthorized: Invalid Authorization header")
	case ti.User == "" && !s.appOnlyOK.Load():
		pricingFail(w, http.StatusUnauthorized, "Unauthorized: this API only supports App+User authentication; application-only tokens are not supported")
	case ti.User != "" && !ti.MFA:
		pricingFail(w, http.StatusUnauthorized, "Unauthorized: App+User calls require multi-factor authentication, and the token of %s has no 'mfa' in its amr claim", ti.User)
	default:
		return true
	}
	return false
}

// sheetRequest is a parsed price sheet request.
type sheetRequest struct {
	market, view string
	cur          currency
	month        time.Time // first day of the sheet's month
	zip          bool
}

// servePriceSheet answers GET /v1.0/sales/pricesheets(...)/$value.
func (s *Sandbox) servePriceSheet(w http.ResponseWriter, r *http.Request) {
	s.calls[OpGetPriceSheet].Add(1)
	id := cmp.Or(r.Header.Get("MS-RequestId"), s.faults.newID())
	w.Header().Set("Request-ID", id)
	w.Header().Set("MS-RequestId", id)
	w.Header().Set("MS-CorrelationId", cmp.Or(r.Header.Get("MS-CorrelationId"), s.faults.newID()))
	if !s.pricingAuth(w, r) || !s.faults.before(w, r, OpGetPriceSheet, s.closed) {
		return
	}
	req, status, msg := s.parseSheetRequest(r)
	if status != 0 {
		pricingFail(w, status, "%s", msg)
		return
	}
	s.mu.RLock()
	book := s.priceBookLocked()
	s.mu.RUnlock()
	if strings.EqualFold(r.URL.Query().Get("timeline"), "future") && !book.hasChangeAt(req.month) {
		// "If there are no changes expected for the new commerce
		// licensed-based future price list, there will be no future price
		// list returned": 404 Not Found.
		pricingFail(w, http.StatusNotFound, "No future price list: no price changes are expected for %s", req.month.Format("January 2006"))
		return
	}
	var cols []string
	switch req.view {
	case ViewUpdatedLicenseBased:
		cols = LicenseBasedColumns
	case ViewAzureConsumption:
		cols = consumptionColumns // the sandbox has no meters: the header only
	default:
		pricingFail(w, http.StatusNotFound, "The sandbox publishes no %s price sheet", req.view)
		return
	}
	name := "sheets.csv"
	if req.zip {
		name = "sheets.zip"
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename="+name)
	w.Header().Set("Cache-Control", "private")
	var dst io.Writer = w
	var zw *zip.Writer
	if req.zip {
		zw = zip.NewWriter(w)
		f, err := zw.CreateHeader(&zip.FileHeader{Name: "sheets.csv", Method: zip.Deflate, Modified: s.clock.Now()})
		if err != nil {
			return
		}
		dst = f
	}
	bw := bufio.NewWriterSize(dst, 64<<10)
	sw := &sheetWriter{w: bw}
	sw.row(cols)
	if req.view == ViewUpdatedLicenseBased {
		s.writeLicenseRows(r, sw, book, req)
	}
	if bw.Flush() == nil && zw != nil {
		zw.Close()
	}
}

// parseSheetRequest checks the path and the query; status != 0 is the refusal.
func (s *Sandbox) parseSheetRequest(r *http.Request) (sheetRequest, int, string) {
	var req sheetRequest
	m := sheetPath.FindStringSubmatch(r.PathValue("sheet"))
	if m == nil || !strings.EqualFold(r.PathValue("value"), "$value") {
		return req, http.StatusNotFound, "Resource not found: " + r.URL.Path
	}
	req.market, req.view = strings.ToUpper(m[1]), strings.ToLower(m[2])
	if len(req.market) != 2 {
		return req, http.StatusBadRequest, fmt.Sprintf("Market %q is not a two-letter country code", m[1])
	}
	cur, ok := countries[req.market]
	if !ok {
		return req, http.StatusNotFound, fmt.Sprintf("No price sheet for market %s", req.market)
	}
	req.cur = cur
	switch req.view {
	case ViewAzureConsumption, ViewAzureReservations, ViewUpdatedLicenseBased, ViewMarketplace, ViewSoftware:
	default:
		return req, http.StatusBadRequest, fmt.Sprintf("PricesheetView %q is not one of azure_consumption, azure_reservations, updatedlicensebased, marketplace, software", m[2])
	}
	q := r.URL.Query()
	current := monthStart(s.clock.Now())
	switch tl := strings.ToLower(q.Get("timeline")); tl {
	case "", "current":
		req.month = current
	case "future":
		if req.view == ViewMarketplace {
			return req, http.StatusBadRequest, "Future pricing is not supported for Marketplace"
		}
		req.month = current.AddDate(0, 1, 0)
	case "history":
		mo := q.Get("month")
		t, err := time.Parse("200601", mo)
		if err != nil || len(mo) != 6 {
			return req, http.StatusBadRequest, fmt.Sprintf("Month %q must adhere to YYYYMM when timeline is history", mo)
		}
		if t.After(current) || t.Before(priceListEpoch) {
			return req, http.StatusNotFound, fmt.Sprintf("No price sheet for %s", t.Format("January 2006"))
		}
		req.month = t
	default:
		return req, http.StatusBadRequest, fmt.Sprintf("Timeline %q is not one of history, current, future", q.Get("timeline"))
	}
	req.zip = acceptsDeflate(r.Header.Get("Accept-Encoding"))
	return req, 0, ""
}

// acceptsDeflate reports "deflate" among the Accept-Encoding codings (q > 0).
func acceptsDeflate(h string) bool {
	for _, part := range strings.Split(h, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "deflate") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// sheetWriter writes CSV rows as PC does: every field quoted, CRLF.
type sheetWriter struct {
	w   *bufio.Writer
	err error
}

func (sw *sheetWriter) row(fields []string) {
	if sw.err != nil {
		return
	}
	for i, f := range fields {
		if i > 0 {
			sw.w.WriteByte(',')
		}
		sw.w.WriteByte('"')
		if strings.IndexByte(f, '"') >= 0 {
			f = strings.ReplaceAll(f, `"`, `""`)
		}
		sw.w.WriteString(f)
		sw.w.WriteByte('"')
	}
	_, sw.err = sw.w.WriteString("\r\n")
}

// fmtDate renders a sheet date.
func fmtDate(t time.Time) string { return t.UTC().Format(sheetDate) }

// endOf is the EffectiveEndDate of a price replaced at next (zero: open).
func endOf(next time.Time) string {
	if next.IsZero() {
		return fmtDate(openEnd)
	}
	return fmtDate(next.Add(-time.Second))
}

// writeLicenseRows writes the new-commerce license-based rows of the
// catalog for the month, then the bulk rows (SetPriceSheetBulkRows).
func (s *Sandbox) writeLicenseRows(r *http.Request, sw *sheetWriter, book *priceBook, req sheetRequest) {
	f := make([]string, len(LicenseBasedColumns))
	f[4], f[6], f[9], f[10], f[12], f[13], f[18] = "Microsoft Corporation", "", req.market, req.cur.code, "", "", "Commercial"
	put := func(q planQuote, term, plan string) {
		f[7], f[8] = term, plan
		f[11], f[14], f[15], f[17] = q.Unit.String(), fmtDate(q.Since), endOf(q.Until), q.ERP.String()
		sw.row(f)
	}
	for _, p := range s.cat.seed.Products {
		for si := range p.Skus {
			sk := &p.Skus[si]
			if sk.Billing != "license" {
				continue
			}
			for ai := range sk.Availabilities {
				it := s.cat.item(p.ID + ":" + sk.ID + ":" + sk.Availabilities[ai].ID)
				if it == nil || !it.NCE {
					continue
				}
				f[0], f[1], f[2], f[3], f[5] = p.Title, p.ID, sk.ID, sk.Title, sk.Description
				f[4] = cmp.Or(p.PublisherName, "Microsoft Corporation")
				f[16] = "License"
				if it.Trial {
					f[16] = "Trial"
				}
				for ti := range it.Avail.Terms {
					t := &it.Avail.Terms[ti]
					if q, ok := book.quote(it, t, req.cur.code, req.month); ok {
						put(q, t.Duration, t.BillingCycle)
					}
				}
			}
		}
	}
	n := int(s.bulkRows.Load())
	f[4], f[16] = "Microsoft Corporation", "License"
	for i := 0; i < n && sw.err == nil; i++ {
		if i%4096 == 0 && r.Context().Err() != nil {
			return
		}
		k, v := i/len(bulkPlans), i%len(bulkPlans)
		if v == 0 {
			id := strconv.FormatInt(int64(k), 36)
			f[1] = "CFQ7TTC1" + strings.ToUpper(strings.Repeat("0", max(0, 4-len(id)))+id)
			f[0] = "Sandbox Bulk Product " + strconv.Itoa(k)
			f[2], f[3], f[5] = "0001", f[0], "A synthetic SKU of the sandbox's bulk price sheet."
		}
		put(book.bulkQuote(k, bulkPlans[v], req.cur.code, req.month), bulkPlans[v].term, bulkPlans[v].plan)
	}
}

// bulkPlan is a term and billing plan of the synthetic SKUs.
type bulkPlan struct {
	term, plan string
	months     [2]int // term, period
}

// bulkPlans: every synthetic SKU is sold as P1M, P1Y and P3Y with each plan.
var bulkPlans = []bulkPlan{
	{"P1M", "Monthly", [2]int{1, 1}}, {"P1Y", "Monthly", [2]int{12, 1}}, {"P1Y", "Annual", [2]int{12, 12}},
	{"P3Y", "Monthly", [2]int{36, 1}}, {"P3Y", "Annual", [2]int{36, 12}}, {"P3Y", "Triennial", [2]int{36, 36}},
}

// bulkRates convert the synthetic USD prices as the seed catalog does.
var bulkRates = map[string]decimal.Decimal{"USD": decimal.NewFromInt(1),
	"EUR": decimal.RequireFromString("0.94"), "GBP": decimal.RequireFromString("0.8")}

// bulkQuote prices synthetic SKU k: a monthly retail price between 1.00 and
// 49.99 USD from k, the same for P1Y and P3Y, under the same rules.
func (b *priceBook) bulkQuote(k int, p bulkPlan, cur string, at time.Time) planQuote {
	usd := decimal.New(int64(100+(k*7919)%4900), -2)
	seed := usd.Mul(bulkRates[cur]).Round(2)
	lv := b.levelsOf(seed, "", k, at)
	return finishQuote(lv, lv, true, p.months[0], p.months[1], at)
}

// pricingAdminRoutes adds the price admin endpoints (see admin.go).
func (s *Sandbox) pricingAdminRoutes(h func(string, func(*http.Request) (int, any)), decode func(*http.Request, any) *pcError) {
	h("GET /_sandbox/pricechanges", func(r *http.Request) (int, any) { return 200, s.PriceChanges() })
	h("POST /_sandbox/pricechanges", func(r *http.Request) (int, any) {
		var in struct {
			Effective string          `json:"effective"`
			Percent   decimal.Decimal `json:"percent"`
			SKUs      []string        `json:"skus"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		eff := monthStart(s.clock.Now()).AddDate(0, 1, 0)
		if in.Effective != "" {
			t, err := time.Parse("2006-01", in.Effective)
			if err != nil {
				if t, err = time.Parse("2006-01-02", in.Effective); err != nil {
					return 0, errBadInput("effective: want YYYY-MM or YYYY-MM-DD, got %q", in.Effective)
				}
			}
			eff = t
		}
		if err := s.SchedulePriceChange(eff, in.Percent, in.SKUs...); err != nil {
			return 0, errBadInput("%v", err)
		}
		return 200, s.PriceChanges()
	})
	h("POST /_sandbox/pricesheet", func(r *http.Request) (int, any) {
		var in struct {
			BulkRows int `json:"bulkRows"`
		}
		if e := decode(r, &in); e != nil {
			return 0, e
		}
		s.SetPriceSheetBulkRows(in.BulkRows)
		return 200, in
	})
}
