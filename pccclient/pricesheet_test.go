package pccclient_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"hash/crc32"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// readAll drains a sheet, failing t on its error.
func readAll(t *testing.T, ps *pccclient.PriceSheet) []pccclient.PriceSheetRow {
	t.Helper()
	defer ps.Close()
	var rows []pccclient.PriceSheetRow
	for r, err := range ps.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	return rows
}

// findRow returns the latest price of a SKU, term and plan in rows (a
// current sheet also lists the periods before a price change).
func findRow(rows []pccclient.PriceSheetRow, product, sku, term, plan string) *pccclient.PriceSheetRow {
	var found *pccclient.PriceSheetRow
	for i := range rows {
		r := &rows[i]
		if r.ProductID == product && r.SkuID == sku && r.TermDuration == term && r.BillingPlan == plan &&
			(found == nil || r.EffectiveStartDate.After(found.EffectiveStartDate)) {
			found = r
		}
	}
	return found
}

const sheetPath = "/pricing/v1.0/sales/pricesheets(Market='US',PricesheetView='updatedlicensebased')/$value"

func TestPriceSheetCSVAndZipOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	zipped := must(e.c.GetPriceSheet(ctx, "us", pccclient.ViewUpdatedLicenseBased, pccclient.TimelineCurrent, time.Time{}))(t)
	if !zipped.Compressed || zipped.FileName != "sheets.zip" || !slices.Equal(zipped.Header(), sandbox.LicenseBasedColumns) {
		t.Fatalf("zip sheet: compressed %v file %q header %v", zipped.Compressed, zipped.FileName, zipped.Header())
	}
	zrows := readAll(t, zipped)
	plain := must(e.c.OpenPriceSheet(ctx, pccclient.PriceSheetRequest{Market: "US", View: pccclient.ViewUpdatedLicenseBased, Uncompressed: true}))(t)
	if plain.Compressed || plain.FileName != "sheets.csv" {
		t.Fatalf("plain sheet: compressed %v file %q", plain.Compressed, plain.FileName)
	}
	prows := readAll(t, plain)
	if len(prows) < 20 || len(prows) != len(zrows) {
		t.Fatalf("rows: zip %d, csv %d", len(zrows), len(prows))
	}
	for i := range prows {
		if !prows[i].UnitPrice.Equal(zrows[i].UnitPrice) || prows[i].ProductID != zrows[i].ProductID || prows[i].Line != i+2 {
			t.Fatalf("row %d: csv %+v zip %+v", i, prows[i], zrows[i])
		}
	}
	// Typed values: Microsoft 365 Business Basic, P1Y billed monthly, is
	// the annual price / 12 x 1.05; ERP above the partner's price.
	annual := findRow(prows, "CFQ7TTC0LH18", "0001", "P1Y", "Annual")
	monthly := findRow(prows, "CFQ7TTC0LH18", "0001", "P1Y", "Monthly")
	if annual == nil || monthly == nil {
		t.Fatal("Business Basic P1Y rows missing")
	}
	if want := annual.UnitPrice.Div(decimal.NewFromInt(12)).Mul(decimal.RequireFromString("1.05")).Round(2); !monthly.UnitPrice.Equal(want) {
		t.Errorf("P1Y monthly %s, want %s", monthly.UnitPrice, want)
	}
	if !annual.ERPPrice.Valid || !annual.ERPPrice.Decimal.GreaterThan(annual.UnitPrice) || annual.Currency != "USD" || annual.Market != "US" ||
		annual.Segment != "Commercial" || annual.EffectiveStartDate.IsZero() || !annual.EffectiveEndDate.After(annual.EffectiveStartDate) || annual.PricingTierRangeMin.Valid {
		t.Errorf("typed row %+v", annual)
	}
	// The request: pricing host path, Accept-Encoding deflate only when compressed, app+user.
	sent := e.rec.sent(sheetPath)
	if len(sent) != 2 || sent[0].Header.Get("Accept-Encoding") != "deflate" || sent[1].Header.Get("Accept-Encoding") == "deflate" ||
		sent[0].Query != "timeline=current" || !strings.HasPrefix(sent[0].Header.Get("Authorization"), "Bearer ") {
		t.Fatalf("sent %+v", sent)
	}
	if e.sb.Calls(sandbox.OpGetPriceSheet) != 2 {
		t.Errorf("sandbox saw %d price sheet calls", e.sb.Calls(sandbox.OpGetPriceSheet))
	}
}

func TestPriceSheetTimelinesOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cur := readAll(t, must(e.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, "", time.Time{}))(t))
	futSheet := must(e.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, pccclient.TimelineFuture, time.Time{}))(t)
	if futSheet.NoPlannedChange {
		t.Fatal("the sandbox publishes a change for next month")
	}
	fut := readAll(t, futSheet)
	next := time.Date(e.sb.Now().Year(), e.sb.Now().Month()+1, 1, 0, 0, 0, 0, time.UTC)
	changed := 0
	for _, r := range cur {
		f := findRow(fut, r.ProductID, r.SkuID, r.TermDuration, r.BillingPlan)
		if f == nil {
			t.Fatalf("future lacks %s %s %s %s", r.ProductID, r.SkuID, r.TermDuration, r.BillingPlan)
		}
		if !f.UnitPrice.Equal(r.UnitPrice) {
			changed++
			if !f.EffectiveStartDate.Equal(next) || !r.EffectiveEndDate.Equal(next.Add(-time.Second)) {
				t.Errorf("dates %v / %v around %v", r.EffectiveEndDate, f.EffectiveStartDate, next)
			}
		}
	}
	if changed == 0 {
		t.Fatal("no price changes in the future sheet")
	}
	e.sb.Advance(next.Sub(e.sb.Now()) + time.Minute)
	none := must(e.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, pccclient.TimelineFuture, time.Time{}))(t)
	if !none.NoPlannedChange || none.Next() || none.Err() != nil || none.Close() != nil {
		t.Fatalf("future with nothing planned: NoPlannedChange %v", none.NoPlannedChange)
	}
	now := readAll(t, must(e.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, pccclient.TimelineCurrent, time.Time{}))(t))
	hist := readAll(t, must(e.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, pccclient.TimelineHistory, next.AddDate(0, -1, 0)))(t))
	for i := range now {
		if !now[i].UnitPrice.Equal(fut[i].UnitPrice) || !hist[i].UnitPrice.Equal(cur[i].UnitPrice) {
			t.Fatalf("row %d: now %s (was future %s), history %s (was current %s)", i, now[i].UnitPrice, fut[i].UnitPrice, hist[i].UnitPrice, cur[i].UnitPrice)
		}
	}
	if q := e.rec.sent(sheetPath); q[len(q)-1].Query != "month="+next.AddDate(0, -1, 0).Format("200601")+"&timeline=history" {
		t.Errorf("history query %q", q[len(q)-1].Query)
	}
	// A month with no sheet is an ordinary 404, not "no planned change".
	_, err := e.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, pccclient.TimelineHistory, time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC))
	if !pccclient.IsNotFound(err) {
		t.Fatalf("history before new commerce: %v", err)
	}
}

func TestPriceSheetNeedsAppUserWithMFA(t *testing.T) {
	t.Parallel()
	if pccclient.RequiredCredential("get-price-sheet") != pccclient.AppUser || pccclient.RequiredCredential("GetPriceSheet") != pccclient.AppUser {
		t.Fatal("price sheets are App+User only")
	}
	ctx := ctxT(t)
	e := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) { c.UserTokens = nil })
	_, err := e.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, pccclient.TimelineCurrent, time.Time{})
	var pe *pccclient.Error
	if pccclient.ConsentReasonOf(err) != pccclient.NotConnected || !errors.As(err, &pe) || pe.HTTPStatus != 401 || !strings.Contains(pe.Description, "App+User") {
		t.Fatalf("app-only: %v, want ConsentError NotConnected from PC's 401", err)
	}
	e2 := newEnv(t, sandbox.Options{}, nil)
	e2.users.Set(must(e2.sb.IssueRefreshToken("nomfa@sandbox.test"))(t))
	if _, err := e2.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, "", time.Time{}); pccclient.ConsentReasonOf(err) != pccclient.MFARequired {
		t.Fatalf("no MFA: %v, want ConsentError MFARequired", err)
	}
	// A token for the REST API's audience is refused by the pricing host.
	e3 := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) { c.PricingResource = pccclient.DefaultResource; c.HTTPClient = nil })
	_, err = e3.c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, "", time.Time{})
	if pccclient.ConsentReasonOf(err) != pccclient.Forbidden || !strings.Contains(err.Error(), "Invalid Authorization header") {
		t.Fatalf("wrong audience: %v", err)
	}
	// The REST API still works on the same client, and the v2 endpoint asks for the pricing scope.
	e4 := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) {
		c.TokenURL = strings.Replace(c.TokenURL, "/oauth2/token", "/oauth2/v2.0/token", 1)
	})
	if rows := readAll(t, must(e4.c.GetPriceSheet(ctx, "GB", pccclient.ViewUpdatedLicenseBased, "", time.Time{}))(t)); rows[0].Currency != "GBP" {
		t.Fatalf("v2 token endpoint: %+v", rows[0])
	}
	seededCustomer(t, e4)
}

func TestPriceSheetArgumentsCheckedFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	for _, r := range []pccclient.PriceSheetRequest{
		{Market: "USA", View: pccclient.ViewUpdatedLicenseBased},
		{Market: "US"},
		{Market: "US", View: "x')/foo"},
		{Market: "US", View: pccclient.ViewUpdatedLicenseBased, Timeline: "next"},
		{Market: "US", View: pccclient.ViewUpdatedLicenseBased, Timeline: pccclient.TimelineHistory},
	} {
		if _, err := e.c.OpenPriceSheet(ctx, r); !pccclient.IsValidation(err) {
			t.Errorf("%+v: %v, want an ArgumentError", r, err)
		}
	}
	if n := len(e.rec.sent("")); n != 0 {
		t.Fatalf("%d requests sent for invalid arguments", n)
	}
	// PC's own refusals keep their status: marketplace has no future sheet.
	_, err := e.c.GetPriceSheet(ctx, "US", pccclient.ViewMarketplace, pccclient.TimelineFuture, time.Time{})
	if !pccclient.IsValidation(err) || !strings.Contains(err.Error(), "Marketplace") {
		t.Fatalf("marketplace future: %v", err)
	}
}

// sheetCSV is a license-based sheet as the Pricing page downloads it:
// UTF-8 BOM, ISO dates, a ChangeIndicator column, no tier columns.
const sheetCSV = "\ufeffChangeIndicator,ProductTitle,ProductId,SkuId,SkuTitle,Publisher,SkuDescription,UnitOfMeasure,TermDuration,BillingPlan,Market,Currency,UnitPrice,EffectiveStartDate,EffectiveEndDate,Tags,ERP Price,Segment\r\n" +
	"Unchanged,Microsoft 365 E3,CFQ7TTC0LFLZ,0002,\"Microsoft 365 E3, \"\"EEA\"\"\",Microsoft Corporation,desc,,P1Y,Annual,US,USD,432,2024-05-01T00:00:00.0000000Z,9999-11-30,License,432,Commercial\r\n" +
	"Increased,Microsoft 365 E3,CFQ7TTC0LFLZ,0002,Microsoft 365 E3,Microsoft Corporation,desc,,P1Y,Monthly,US,USD,37.8,2025-04-01,9999-11-30,License,37.8,Commercial\r\n"

func TestReadPriceSheetFormats(t *testing.T) {
	t.Parallel()
	zipOf := func(method uint16, body string) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "pricelist.csv", Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
		zw.Close()
		return b.Bytes()
	}
	var stored bytes.Buffer
	zw := zip.NewWriter(&stored)
	n := uint64(len(sheetCSV))
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "p.csv", Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte(sheetCSV)), CompressedSize64: n, UncompressedSize64: n})
	w.Write([]byte(sheetCSV))
	zw.Close()
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte(sheetCSV))
	gw.Close()
	for name, body := range map[string][]byte{"csv": []byte(sheetCSV), "zip deflate": zipOf(zip.Deflate, sheetCSV), "zip stored": stored.Bytes(), "gzip": gz.Bytes()} {
		ps, err := pccclient.ReadPriceSheet(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows := readAll(t, ps)
		if len(rows) != 2 || ps.Compressed != (name != "csv") {
			t.Fatalf("%s: %d rows, compressed %v", name, len(rows), ps.Compressed)
		}
		r := rows[0]
		if r.ChangeIndicator != "Unchanged" || r.SkuTitle != `Microsoft 365 E3, "EEA"` || !r.UnitPrice.Equal(decimal.NewFromInt(432)) ||
			!r.EffectiveStartDate.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) || r.EffectiveEndDate.Year() != 9999 ||
			!r.ERPPrice.Valid || r.PricingTierRangeMax.Valid || r.Line != 2 {
			t.Fatalf("%s: row %+v", name, r)
		}
		if ps.Header()[0] != "ChangeIndicator" {
			t.Fatalf("%s: BOM kept in %q", name, ps.Header()[0])
		}
	}
	// A stored entry that defers its size to a data descriptor cannot be streamed.
	if _, err := pccclient.ReadPriceSheet(bytes.NewReader(zipOf(zip.Store, sheetCSV))); err == nil || !strings.Contains(err.Error(), "stored entry") {
		t.Fatalf("stored entry with data descriptor: %v", err)
	}
	// A corrupted archive fails at its end with the checksum, not silently.
	z := zipOf(zip.Deflate, sheetCSV)
	bad := bytes.Clone(z)
	i := bytes.Index(bad, []byte("PK\x07\x08"))
	bad[i+4] ^= 0xff
	ps, err := pccclient.ReadPriceSheet(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	for ps.Next() {
	}
	var se *pccclient.PriceSheetError
	if !errors.As(ps.Err(), &se) || !strings.Contains(se.Error(), "checksum") {
		t.Fatalf("corrupt zip: %v", ps.Err())
	}
	// Typed errors name the record and the column.
	badAmount := strings.Replace(sheetCSV, ",37.8,2025", ",37.8x,2025", 1)
	ps = must(pccclient.ReadPriceSheet(strings.NewReader(badAmount)))(t)
	good := 0
	for ps.Next() {
		good++
	}
	if !errors.As(ps.Err(), &se) || se.Line != 3 || se.Column != "UnitPrice" || se.Value != "37.8x" || good != 1 {
		t.Fatalf("bad amount after %d rows: %v", good, ps.Err())
	}
	badDate := strings.Replace(sheetCSV, "2025-04-01", "April 1st", 1)
	ps = must(pccclient.ReadPriceSheet(strings.NewReader(badDate)))(t)
	for ps.Next() {
	}
	if !errors.As(ps.Err(), &se) || se.Column != "EffectiveStartDate" || se.Value != "April 1st" {
		t.Fatalf("bad date: %v", ps.Err())
	}
	if _, err := pccclient.ReadPriceSheet(strings.NewReader("ProductTitle,SkuId\r\nx,y\r\n")); !errors.As(err, &se) || se.Column != "productid" {
		t.Fatalf("missing column: %v", err)
	}
	if _, err := pccclient.ReadPriceSheet(strings.NewReader("")); !errors.As(err, &se) {
		t.Fatalf("empty file: %v", err)
	}
	// Field reads any column raw, by a forgiving name.
	ps = must(pccclient.ReadPriceSheet(strings.NewReader(sheetCSV)))(t)
	ps.Next()
	if ps.Field("erp price") != "432" || ps.Field("ERPPrice") != "432" || ps.Field("MeterIds") != "" {
		t.Fatalf("Field: %q %q", ps.Field("erp price"), ps.Field("MeterIds"))
	}
}

func TestPriceSheetRetriesBeforeStreaming(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	e.sb.ThrottleNext(sandbox.OpGetPriceSheet, 1, 3*time.Second)
	e.sb.FailNext(sandbox.OpGetPriceSheet, 1, 503)
	rows := readAll(t, must(e.c.GetPriceSheet(ctx, "DE", pccclient.ViewUpdatedLicenseBased, "", time.Time{}))(t))
	if len(rows) == 0 || rows[0].Currency != "EUR" {
		t.Fatalf("rows %d", len(rows))
	}
	if n := len(e.rec.sent(strings.Replace(sheetPath, "'US'", "'DE'", 1))); n != 3 {
		t.Fatalf("sent %d requests, want 3 (429, 503, 200)", n)
	}
	if waited, _ := e.clock.Waited(); waited < 3*time.Second {
		t.Fatalf("waited %v, want Retry-After's 3s at least", waited)
	}
}
