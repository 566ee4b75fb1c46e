package sandbox_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pccclient/sandbox"
)

const usSheet = "/pricing/v1.0/sales/pricesheets(Market='US',PricesheetView='updatedlicensebased')/$value"

// pricingToken redeems the admin's refresh token for the pricing API's
// audience (v2 scope when v2), as a client does.
func (e *tenv) pricingToken(v2 bool) string {
	e.t.Helper()
	c := e.sb.Credentials()
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
		"refresh_token": {e.refresh}}
	path := "/oauth2/token"
	if v2 {
		path = "/oauth2/v2.0/token"
		form.Set("scope", sandbox.PricingResource+"/user_impersonation offline_access")
	} else {
		form.Set("resource", sandbox.PricingResource)
	}
	resp, err := http.PostForm(e.srv.URL+"/"+c.TenantID+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("pricing token: %d %v", resp.StatusCode, err)
	}
	e.refresh = tok.RefreshToken
	return tok.AccessToken
}

// sheet is a downloaded price sheet.
type sheet struct {
	status int
	header http.Header
	raw    []byte
	rows   []map[string]string
	cols   []string
}

// getSheet downloads path with token; zipped asks for Accept-Encoding: deflate.
func (e *tenv) getSheet(path, token string, zipped bool) sheet {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if zipped {
		req.Header.Set("Accept-Encoding", "deflate")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	sh := sheet{status: resp.StatusCode, header: resp.Header, raw: raw}
	if resp.StatusCode != 200 {
		return sh
	}
	body := raw
	if zipped {
		zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
		if err != nil || len(zr.File) != 1 {
			e.t.Fatalf("zip: %v", err)
		}
		f, _ := zr.File[0].Open()
		body, _ = io.ReadAll(f)
		f.Close()
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(recs) == 0 {
		e.t.Fatalf("csv: %v", err)
	}
	sh.cols = recs[0]
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range sh.cols {
			m[c] = r[i]
		}
		sh.rows = append(sh.rows, m)
	}
	sh.raw = body
	return sh
}

func (sh sheet) find(product, sku, term, plan string) map[string]string {
	for _, r := range sh.rows {
		if r["ProductId"] == product && r["SkuId"] == sku && r["TermDuration"] == term && r["BillingPlan"] == plan {
			return r
		}
	}
	return nil
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return d
}

// checkRules checks PC's pricing rules on every SKU of a sheet, for both
// UnitPrice and ERP Price: monthly billing of P1Y/P3Y = upfront/months x
// 1.05 (x 1 before April 2025), P1M = P1Y annual/12 x 1.2, P3Y annual =
// triennial/3, trials free.
func checkRules(t *testing.T, sh sheet, uplift string) {
	t.Helper()
	up := decimal.RequireFromString(uplift)
	type key struct{ p, s string }
	seen := map[key]bool{}
	for _, r := range sh.rows {
		k := key{r["ProductId"], r["SkuId"]}
		if seen[k] {
			continue
		}
		seen[k] = true
		for _, col := range []string{"UnitPrice", "ERP Price"} {
			get := func(term, plan string) (decimal.Decimal, bool) {
				row := sh.find(k.p, k.s, term, plan)
				if row == nil {
					return decimal.Decimal{}, false
				}
				return dec(t, row[col]), true
			}
			if tr, ok := get("P1M", "None"); ok && !tr.IsZero() {
				t.Errorf("%v trial %s = %s", k, col, tr)
			}
			annual, hasAnnual := get("P1Y", "Annual")
			cases := []struct {
				term, plan string
				want       func() (decimal.Decimal, bool)
			}{
				{"P1Y", "Monthly", func() (decimal.Decimal, bool) { return annual.Div(decimal.NewFromInt(12)).Mul(up).Round(2), hasAnnual }},
				{"P1M", "Monthly", func() (decimal.Decimal, bool) {
					return annual.Div(decimal.NewFromInt(12)).Mul(decimal.RequireFromString("1.2")).Round(2), hasAnnual
				}},
				{"P3Y", "Monthly", func() (decimal.Decimal, bool) {
					tri, ok := get("P3Y", "Triennial")
					return tri.Div(decimal.NewFromInt(36)).Mul(up).Round(2), ok
				}},
				{"P3Y", "Annual", func() (decimal.Decimal, bool) {
					tri, ok := get("P3Y", "Triennial")
					return tri.Div(decimal.NewFromInt(3)), ok
				}},
			}
			for _, c := range cases {
				got, ok := get(c.term, c.plan)
				want, wok := c.want()
				if !ok || !wok {
					continue
				}
				if !got.Equal(want) {
					t.Errorf("%v %s %s %s = %s, want %s", k, c.term, c.plan, col, got, want)
				}
			}
		}
	}
	for _, r := range sh.rows {
		if dec(t, r["UnitPrice"]).GreaterThan(dec(t, r["ERP Price"])) {
			t.Errorf("UnitPrice above ERP Price: %v", r)
		}
	}
	if len(seen) < 5 {
		t.Fatalf("only %d SKUs in the sheet", len(seen))
	}
}

func (sh sheet) rowsOf(product, sku string) []map[string]string {
	var out []map[string]string
	for _, r := range sh.rows {
		if r["ProductId"] == product && r["SkuId"] == sku {
			out = append(out, r)
		}
	}
	return out
}

func TestPriceSheetCSVFollowsRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	sh := e.getSheet(usSheet, e.pricingToken(false), false)
	if sh.status != 200 {
		t.Fatalf("status %d: %s", sh.status, sh.raw)
	}
	if !slices.Equal(sh.cols, sandbox.LicenseBasedColumns) {
		t.Fatalf("columns %v", sh.cols)
	}
	if !bytes.HasPrefix(sh.raw, []byte(`"ProductTitle","ProductId",`)) || !bytes.Contains(sh.raw, []byte("\r\n")) {
		t.Fatalf("not quoted CSV with CRLF: %.80q", sh.raw)
	}
	if ct := sh.header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Fatalf("content type %q", ct)
	}
	for _, r := range sh.rows {
		if r["Market"] != "US" || r["Currency"] != "USD" || r["Segment"] != "Commercial" || r["Publisher"] == "" {
			t.Fatalf("row %v", r)
		}
		for _, c := range []string{"EffectiveStartDate", "EffectiveEndDate"} {
			if _, err := time.Parse("1/2/2006 3:04:05 PM", r[c]); err != nil {
				t.Fatalf("%s %q: %v", c, r[c], err)
			}
		}
	}
	checkRules(t, sh, "1.05")
	// The sheet has no usage-based (Azure plan) rows.
	if sh.rowsOf("DZH318Z0BPS6", "0001") != nil {
		t.Fatal("Azure plan in the license-based sheet")
	}
	// GB: pounds.
	gb := e.getSheet(strings.Replace(usSheet, "'US'", "'gb'", 1), e.pricingToken(true), false)
	if gb.status != 200 || gb.rows[0]["Currency"] != "GBP" || gb.rows[0]["Market"] != "GB" {
		t.Fatalf("GB: %d %v", gb.status, gb.rows[:1])
	}
}

func TestPriceSheetZipMatchesCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	tok := e.pricingToken(false)
	plain := e.getSheet(usSheet, tok, false)
	z := e.getSheet(usSheet, tok, true)
	if z.status != 200 || !bytes.Equal(plain.raw, z.raw) {
		t.Fatalf("zip %d differs from CSV", z.status)
	}
	if cd := z.header.Get("Content-Disposition"); !strings.Contains(cd, ".zip") {
		t.Fatalf("disposition %q", cd)
	}
	// The same sheet from the pricing API's own handler (its own base URL).
	ps := httptest.NewServer(e.sb.PricingHandler())
	t.Cleanup(ps.Close)
	req, _ := http.NewRequest("GET", ps.URL+strings.TrimPrefix(usSheet, sandbox.PricingPathPrefix), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(raw, plain.raw) {
		t.Fatalf("PricingHandler: %d", resp.StatusCode)
	}
}

func TestPriceSheetTimelines(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	tok := e.pricingToken(false)
	cur := e.getSheet(usSheet, tok, false)
	fut := e.getSheet(usSheet+"?timeline=future", tok, false)
	if fut.status != 200 || len(fut.rows) != len(cur.rows) {
		t.Fatalf("future: %d, %d rows (current %d)", fut.status, len(fut.rows), len(cur.rows))
	}
	next := time.Date(e.sb.Now().Year(), e.sb.Now().Month()+1, 1, 0, 0, 0, 0, time.UTC)
	changed, up, down := 0, 0, 0
	for _, r := range cur.rows {
		f := fut.find(r["ProductId"], r["SkuId"], r["TermDuration"], r["BillingPlan"])
		if f == nil {
			t.Fatalf("future lacks %v", r)
		}
		if r["UnitPrice"] == f["UnitPrice"] {
			continue
		}
		changed++
		if f["EffectiveStartDate"] != next.Format("1/2/2006 3:04:05 PM") ||
			r["EffectiveEndDate"] != next.Add(-time.Second).Format("1/2/2006 3:04:05 PM") {
			t.Fatalf("dates: current %v future %v", r, f)
		}
		if r["BillingPlan"] != "Annual" || r["TermDuration"] != "P1Y" {
			continue
		}
		ratio := dec(t, f["ERP Price"]).Div(dec(t, r["ERP Price"]))
		switch {
		case ratio.Sub(decimal.RequireFromString("1.03")).Abs().LessThan(decimal.RequireFromString("0.002")):
			up++
		case ratio.Sub(decimal.RequireFromString("0.95")).Abs().LessThan(decimal.RequireFromString("0.002")):
			down++
		default:
			t.Fatalf("change ratio %s for %v", ratio, r)
		}
	}
	if changed == 0 || up == 0 || down == 0 {
		t.Fatalf("changed %d rows (+3%%: %d SKUs, -5%%: %d SKUs)", changed, up, down)
	}
	checkRules(t, fut, "1.05")
	// The clock reaches the change: current is what future was, future has
	// nothing planned (404), history of last month is the old current.
	e.sb.Advance(next.Sub(e.sb.Now()) + time.Hour)
	tok = e.pricingToken(false)
	now := e.getSheet(usSheet, tok, false)
	if !bytes.Equal(now.raw, fut.raw) {
		t.Fatal("current after the change differs from the future sheet before it")
	}
	if none := e.getSheet(usSheet+"?timeline=future", tok, false); none.status != 404 || !bytes.Contains(none.raw, []byte(`"statusCode":404`)) {
		t.Fatalf("future without planned change: %d %s", none.status, none.raw)
	}
	last := next.AddDate(0, -1, 0).Format("200601")
	hist := e.getSheet(usSheet+"?timeline=history&month="+last, tok, false)
	if hist.status != 200 || !bytes.Equal(hist.raw, cur.raw) {
		t.Fatalf("history %s: %d", last, hist.status)
	}
	// Before April 2025 monthly billing cost the same as paying up front.
	old := e.getSheet(usSheet+"?timeline=history&month=202503", tok, false)
	if old.status != 200 {
		t.Fatalf("history 202503: %d %s", old.status, old.raw)
	}
	checkRules(t, old, "1")
	// A new change, scheduled for the month after, shows as future again.
	if err := e.sb.SchedulePriceChange(next.AddDate(0, 1, 0), decimal.NewFromInt(10)); err != nil {
		t.Fatal(err)
	}
	if again := e.getSheet(usSheet+"?timeline=future", tok, false); again.status != 200 {
		t.Fatalf("future after scheduling: %d", again.status)
	}
}

func TestPriceSheetRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	tok := e.pricingToken(false)
	appOnly, _ := e.sb.IssuePricingToken("")
	noMFA, _ := e.sb.IssuePricingToken("nomfa@sandbox.test")
	for _, c := range []struct {
		name, path, token string
		status            int
		msg               string
	}{
		{"REST token", usSheet, e.userToken, 401, "Invalid Authorization header"},
		{"app-only", usSheet, appOnly, 401, "App+User"},
		{"no MFA", usSheet, noMFA, 401, "multi-factor"},
		{"no token", usSheet, "", 401, "Unauthorized"},
		{"history without month", usSheet + "?timeline=history", tok, 400, "YYYYMM"},
		{"bad month", usSheet + "?timeline=history&month=2025-01", tok, 400, "YYYYMM"},
		{"month before new commerce", usSheet + "?timeline=history&month=202112", tok, 404, "No price sheet"},
		{"month not begun", usSheet + "?timeline=history&month=209901", tok, 404, "No price sheet"},
		{"bad timeline", usSheet + "?timeline=next", tok, 400, "Timeline"},
		{"bad view", strings.Replace(usSheet, "updatedlicensebased", "licensebased", 1), tok, 400, "PricesheetView"},
		{"marketplace future", strings.Replace(usSheet, "updatedlicensebased", "marketplace", 1) + "?timeline=future", tok, 400, "Marketplace"},
		{"bad market", strings.Replace(usSheet, "'US'", "'USA'", 1), tok, 400, "two-letter"},
		{"not $value", strings.TrimSuffix(usSheet, "$value") + "value", tok, 404, "not found"},
	} {
		sh := e.getSheet(c.path, c.token, false)
		if sh.status != c.status || !bytes.Contains(sh.raw, []byte(c.msg)) {
			t.Errorf("%s: %d %s", c.name, sh.status, sh.raw)
		}
	}
	// A pricing token is no token for the REST API.
	if r := e.do("GET", "/v1/customers", nil, "Authorization", "Bearer "+tok); r.status != 401 {
		t.Fatalf("REST with a pricing token: %d", r.status)
	}
	// Less strict on request, like the REST API.
	e.sb.SetAllowAppOnlyEverywhere(true)
	if sh := e.getSheet(usSheet, appOnly, false); sh.status != 200 {
		t.Fatalf("app-only allowed: %d", sh.status)
	}
	// azure_consumption: the documented header, no meters.
	az := e.getSheet(strings.Replace(usSheet, "updatedlicensebased", "azure_consumption", 1), tok, false)
	if az.status != 200 || len(az.rows) != 0 || !slices.Contains(az.cols, "MeterIds") {
		t.Fatalf("azure_consumption: %d %v", az.status, az.cols)
	}
	if e.sb.Calls(sandbox.OpGetPriceSheet) < 10 {
		t.Fatalf("calls %d", e.sb.Calls(sandbox.OpGetPriceSheet))
	}
}

func TestOrderPriceIsSheetPrice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("sheetprice", true)
	for _, plan := range []struct{ term, cycle, sheetPlan string }{{"P1Y", "monthly", "Monthly"}, {"P1Y", "annual", "Annual"}, {"P1M", "monthly", "Monthly"}} {
		sid := e.buyNCE(cid, nceBasic, 3, plan.term, plan.cycle)
		e.settle()
		oid := e.sub(cid, sid).str("orderId")
		o := e.do("GET", "/v1/customers/"+cid+"/orders/"+oid+"?include_price=true", nil)
		sh := e.getSheet(usSheet, e.pricingToken(false), false)
		row := sh.find("CFQ7TTC0LH18", "0001", plan.term, plan.sheetPlan)
		if row == nil {
			t.Fatalf("no sheet row for %v", plan)
		}
		list := decimal.NewFromFloat(dig(o.obj, "lineItems.0.pricing.listPrice").(float64))
		ext := decimal.NewFromFloat(dig(o.obj, "lineItems.0.pricing.extendedPrice").(float64))
		if !list.Equal(dec(t, row["UnitPrice"])) || !ext.Equal(list.Mul(decimal.NewFromInt(3))) {
			t.Fatalf("%v: order %s x3 = %s, sheet %s", plan, list, ext, row["UnitPrice"])
		}
	}
}

func TestPriceSheetBulkRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{PriceSheetBulkRows: 1000})
	tok := e.pricingToken(false)
	sh := e.getSheet(usSheet, tok, true)
	e.sb.SetPriceSheetBulkRows(0)
	base := e.getSheet(usSheet, tok, false)
	if len(sh.rows) != len(base.rows)+1000 {
		t.Fatalf("rows %d, catalog %d", len(sh.rows), len(base.rows))
	}
	bulk := sheet{cols: sh.cols, rows: sh.rows[len(base.rows):]}
	checkRules(t, bulk, "1.05")
	e.sb.SetPriceSheetBulkRows(1000)
	again := e.getSheet(usSheet, tok, true)
	if !bytes.Equal(again.raw, sh.raw) {
		t.Fatal("bulk sheet is not deterministic")
	}
}

func TestPriceAdminEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	post := func(path, body string) (int, []byte) {
		resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if len(e.sb.PriceChanges()) != 2 {
		t.Fatalf("seeded changes: %v", e.sb.PriceChanges())
	}
	eff := e.sb.Now().AddDate(0, 2, 0).Format("2006-01")
	if st, b := post("/_sandbox/pricechanges", `{"effective":"`+eff+`","percent":"-5","skus":["cfq7ttc0lh18:0001"]}`); st != 200 {
		t.Fatalf("schedule: %d %s", st, b)
	}
	ch := e.sb.PriceChanges()
	if len(ch) != 3 || ch[2].SKUs[0] != "CFQ7TTC0LH18:0001" || ch[2].Effective.Day() != 1 || !ch[2].Percent.Equal(decimal.NewFromInt(-5)) {
		t.Fatalf("changes: %+v", ch)
	}
	if st, b := post("/_sandbox/pricechanges", `{"percent":"3","skus":["NOPE:0001"]}`); st != 400 {
		t.Fatalf("unknown sku: %d %s", st, b)
	}
	if st, b := post("/_sandbox/pricechanges", `{"percent":"-100"}`); st != 400 {
		t.Fatalf("-100%%: %d %s", st, b)
	}
	tok := e.pricingToken(false)
	base := len(e.getSheet(usSheet, tok, false).rows)
	if st, b := post("/_sandbox/pricesheet", `{"bulkRows":12}`); st != 200 {
		t.Fatalf("bulk: %d %s", st, b)
	}
	if n := len(e.getSheet(usSheet, tok, false).rows); n != base+12 {
		t.Fatalf("rows %d, want %d", n, base+12)
	}
}

func TestPriceChangesPersist(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/state.json"
	sb, err := sandbox.New(sandbox.Options{Seed: 3, StateFile: path, NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.SchedulePriceChange(sb.Now().AddDate(0, 3, 0), decimal.RequireFromString("2.5")); err != nil {
		t.Fatal(err)
	}
	want := sb.PriceChanges()
	sb.Close()
	again, err := sandbox.New(sandbox.Options{Seed: 3, StateFile: path, NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	got := again.PriceChanges()
	if len(got) != 3 || len(want) != 3 || !got[2].Percent.Equal(want[2].Percent) || !got[2].Effective.Equal(want[2].Effective) ||
		!slices.Equal(got[0].SKUs, want[0].SKUs) {
		t.Fatalf("after reload %+v, want %+v", got, want)
	}
}
