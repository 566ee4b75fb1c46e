package sandbox_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// graphToken fetches an app-only token for Microsoft Graph.
func (e *tenv) graphToken() string {
	e.t.Helper()
	c := e.sb.Credentials()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
		"scope": {sandbox.GraphResource + "/.default"}}
	resp, err := http.PostForm(e.srv.URL+"/"+c.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		e.t.Fatalf("graph token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// graph sends a request to the Graph surface (path under /v1.0 or absolute).
func (e *tenv) graph(method, path, token string, body any) res {
	e.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = e.srv.URL + sandbox.GraphPathPrefix + path
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := res{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.obj)
	return r
}

// billedMonth buys 10 seats of a monthly-billed annual subscription, adds
// 5 three days later, and moves the clock to the 8th of the next month.
func billedMonth(t *testing.T, e *tenv) (cid, sid string, inv sandbox.BillingInvoice) {
	t.Helper()
	cid = e.newCustomer("billing", true)
	sid = e.buyNCE(cid, nceBasic, 10, "P1Y", "monthly")
	e.advance(3 * day)
	want(t, e.patchSub(cid, sid, map[string]any{"quantity": 15}), 200, "")
	now := e.sb.Now()
	next := time.Date(now.Year(), now.Month()+1, 8, 1, 0, 0, 0, time.UTC)
	e.advance(next.Sub(now))
	invs := e.sb.BillingInvoices()
	if len(invs) != 1 {
		t.Fatalf("invoices %+v", invs)
	}
	return cid, sid, invs[0]
}

func TestBillingInvoiceProratesSeatChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	cid, sid, inv := billedMonth(t, e)
	l := e.lifecycle(cid, sid)
	price := l.Terms[0].UnitPrice
	start := l.Terms[0].Start
	periodEnd := start.AddDate(0, 1, 0)
	change := start.Add(3 * day)
	ratio := decimal.NewFromInt(int64(periodEnd.Sub(change.Truncate(day)) / day)).Div(decimal.NewFromInt(int64(periodEnd.Sub(start.Truncate(day)) / day))).Round(6)
	wantTotal := price.Mul(decimal.NewFromInt(10)).Add(price.Mul(decimal.NewFromInt(5)).Mul(ratio).Round(2))
	if !inv.Total.Equal(wantTotal) || inv.Lines != 2 || inv.Currency != "USD" {
		t.Fatalf("invoice %+v, want total %s in 2 lines", inv, wantTotal)
	}
	// The v1 surface lists it with the same total and serves its lines.
	r := e.do("GET", "/v1/invoices/"+inv.ID+"/lineitems?provider=onetime&invoicelineitemtype=billinglineitems", nil)
	want(t, r, 200, "")
	items := r.items()
	if len(items) != 2 || items[0]["chargeType"] != "new" || items[1]["chargeType"] != "addQuantity" ||
		items[0]["subscriptionId"] != sid || items[1]["quantity"].(float64) != 5 {
		t.Fatalf("line items %s", r.raw)
	}
	r = e.do("GET", "/v1/invoices/"+inv.ID, nil)
	want(t, r, 200, "")
	if got := decimal.NewFromFloat(r.obj["totalCharges"].(float64)); !got.Equal(wantTotal) {
		t.Fatalf("v1 totalCharges %s, want %s", got, wantTotal)
	}
	pdf := e.do("GET", "/v1/invoices/"+inv.ID+"/documents/statement", nil)
	if pdf.status != 200 || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf.raw), "%PDF-1.4") ||
		!strings.Contains(string(pdf.raw), inv.ID) {
		t.Fatalf("statement %d %s", pdf.status, pdf.header)
	}
}

func TestBillingGraphExportFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	_, _, inv := billedMonth(t, e)
	e.sb.SetBillingConfig(sandbox.BillingConfig{ExportDelay: 10 * time.Minute, FailBlobOnce: true})
	gt := e.graphToken()

	// A Partner Center token is not a Graph token.
	r := e.graph("POST", "/v1.0/reports/partners/billing/reconciliation/billed/export", e.token, map[string]any{"invoiceId": inv.ID})
	if r.status != 401 || dig(r.obj, "error.code") != "InvalidAuthenticationToken" {
		t.Fatalf("PC token on Graph: %d %s", r.status, r.raw)
	}
	r = e.graph("POST", "/v1.0/reports/partners/billing/reconciliation/billed/export", gt, map[string]any{"attributeSet": "full"})
	if r.status != 400 || dig(r.obj, "error.code") != "BadRequest" {
		t.Fatalf("no invoice id: %d %s", r.status, r.raw)
	}
	r = e.graph("POST", "/v1.0/reports/partners/billing/reconciliation/billed/export", gt, map[string]any{"invoiceId": inv.ID, "attributeSet": "full"})
	loc := r.header.Get("Location")
	if r.status != 202 || !strings.Contains(loc, "/v1.0/reports/partners/billing/operations/") {
		t.Fatalf("export: %d %s", r.status, r.header)
	}
	r = e.graph("GET", loc, gt, nil)
	if r.status != 200 || r.str("status") != "running" || r.header.Get("Retry-After") != "60" {
		t.Fatalf("running: %d %s %s", r.status, r.header, r.raw)
	}
	e.advance(10 * time.Minute)
	gt = e.graphToken()
	r = e.graph("GET", loc, gt, nil)
	mURL, _ := r.obj["resourceLocation@odata.navigationLink"].(string)
	if r.str("status") != "succeeded" || r.obj["@odata.type"] != "#microsoft.graph.partners.billing.exportSuccessOperation" || mURL == "" {
		t.Fatalf("succeeded: %s", r.raw)
	}
	m := e.graph("GET", mURL, gt, nil)
	if m.status != 200 || m.num("blobCount") != 1 || m.str("eTag") == "" {
		t.Fatalf("manifest: %s", m.raw)
	}
	blob := m.str("rootDirectory") + "/" + dig(m.obj, "blobs.0.name").(string) + "?" + m.str("sasToken")
	resp, _ := http.Get(blob)
	resp.Body.Close()
	if resp.StatusCode != 500 {
		t.Fatalf("first read of the failing blob: %d", resp.StatusCode)
	}
	if bad, _ := http.Get(strings.Replace(blob, "sig=", "sig=x", 1)); bad.StatusCode != 403 {
		t.Fatalf("forged signature: %d", bad.StatusCode)
	}
	resp, err := http.Get(blob)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("second read: %v %d", err, resp.StatusCode)
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sum, n := decimal.Zero, 0
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		var line struct {
			InvoiceNumber string
			Subtotal      decimal.Decimal
			ChargeType    string
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.InvoiceNumber != inv.ID {
			t.Fatalf("line %s: %v", sc.Bytes(), err)
		}
		sum, n = sum.Add(line.Subtotal), n+1
	}
	if n != 2 || !sum.Equal(inv.Total) {
		t.Fatalf("blob: %d lines summing to %s, invoice %s", n, sum, inv.Total)
	}

	// An export of an invoice with no data fails with Graph's error.
	r = e.graph("POST", "/v1.0/reports/partners/billing/usage/billed/export", gt, map[string]any{"invoiceId": inv.ID})
	e.advance(10 * time.Minute)
	gt = e.graphToken()
	r = e.graph("GET", r.header.Get("Location"), gt, nil)
	if r.str("status") != "failed" || dig(r.obj, "error.message") != "No data available" {
		t.Fatalf("no usage: %s", r.raw)
	}
}

func TestBillingV1LineItemsPageWithContinuationTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	e.sb.SetBillingConfig(sandbox.BillingConfig{BulkLines: 4500})
	_, _, inv := billedMonth(t, e)
	if inv.Lines != 4502 {
		t.Fatalf("lines %d", inv.Lines)
	}
	path := "/v1/invoices/" + inv.ID + "/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=5000"
	r := e.do("GET", path, nil)
	var pages []int
	seen := map[string]bool{}
	for {
		want(t, r, 200, "")
		pages = append(pages, len(r.items()))
		for _, it := range r.items() {
			seen[it["referenceId"].(string)+it["chargeType"].(string)+strconv.Itoa(len(seen))] = true
		}
		tok := r.str("continuationToken")
		if tok == "" {
			break
		}
		next := dig(r.obj, "links.next.uri").(string)
		r = e.do("GET", "/v1"+next, nil, "MS-ContinuationToken", tok)
	}
	if len(pages) != 3 || pages[0] != 2000 || pages[1] != 2000 || pages[2] != 502 {
		t.Fatalf("pages %v", pages)
	}
	bad := e.do("GET", path+"&seekOperation=Next", nil, "MS-ContinuationToken", "nonsense")
	want(t, bad, 400, "")
}

// TestBillingRenewalsAnnualAndAzureUsage: a monthly term renews (a renew
// line the month after), an annual term is billed up front once, and an
// Azure plan's daily usage lands in the usage export and the total.
func TestBillingRenewalsAnnualAndAzureUsage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	cid := e.newCustomer("renewals", true)
	e.buyNCE(cid, nceBasic, 2, "P1M", "monthly")
	e.buyNCE(cid, nceBasic, 3, "P1Y", "annual")
	r := e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{map[string]any{
		"id": 0, "catalogItemId": "DZH318Z0BPS6:0001:DZH318Z0BPS6", "quantity": 1, "billingCycle": "monthly"}}})
	want(t, r, 201, "")
	want(t, e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil), 201, "")
	e.settle()
	now := e.sb.Now()
	e.advance(time.Date(now.Year(), now.Month()+2, 8, 1, 0, 0, 0, time.UTC).Sub(now))
	invs := e.sb.BillingInvoices()
	if len(invs) != 2 {
		t.Fatalf("invoices %+v", invs)
	}
	types := func(id string) map[string]int {
		r := e.do("GET", "/v1/invoices/"+id+"/lineitems?provider=onetime&invoicelineitemtype=billinglineitems", nil)
		want(t, r, 200, "")
		m := map[string]int{}
		for _, it := range r.items() {
			m[it["chargeType"].(string)+" "+it["billingFrequency"].(string)]++
		}
		return m
	}
	if got := types(invs[0].ID); got["new Monthly"] != 1 || got["new Annual"] != 1 || len(got) != 2 {
		t.Fatalf("first month: %v", got)
	}
	if got := types(invs[1].ID); got["renew Monthly"] != 1 || len(got) != 1 {
		t.Fatalf("second month (renewal, nothing for the annual term): %v", got)
	}
	for _, inv := range invs {
		if inv.UsageLines == 0 {
			t.Fatalf("no Azure usage on %+v", inv)
		}
		r := e.do("GET", "/v1/invoices/"+inv.ID+"/lineitems?provider=onetime&invoicelineitemtype=usagelineitems", nil)
		want(t, r, 200, "")
		if it := r.items()[0]; it["attributes"].(map[string]any)["objectType"] != "DailyRatedUsageLineItem" || it["meterName"] == "" {
			t.Fatalf("usage line %v", it)
		}
	}
}
