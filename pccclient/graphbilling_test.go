package pccclient_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

func graphEnv(t *testing.T) *env {
	return newEnv(t, sandbox.Options{}, func(c *pccclient.Config) {
		c.GraphBaseURL = c.BaseURL + sandbox.GraphPathPrefix
		c.HTTPClient = nil
	})
}

// newestInvoice is the sandbox's newest new-commerce invoice.
func newestInvoice(t *testing.T, e *env) pccclient.Invoice {
	t.Helper()
	for inv, err := range e.c.ListInvoices(ctxT(t)) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(inv.ID, "G") {
			return inv
		}
	}
	t.Fatal("no new-commerce invoice")
	return pccclient.Invoice{}
}

// exportLines runs one export to its manifest and sums its lines.
func exportLines(t *testing.T, e *env, r pccclient.ExportRequest) (decimal.Decimal, int, *pccclient.BillingManifest) {
	t.Helper()
	ctx := ctxT(t)
	loc := must(e.c.StartBillingExport(ctx, r))(t)
	op := must(e.c.GetBillingOperation(ctx, loc))(t)
	for !op.Succeeded() {
		if op.Failed() && op.Error.NoData() && r.Dataset == pccclient.BilledUsage {
			return decimal.Zero, 0, nil // an invoice without Azure usage
		}
		if op.Failed() || op.Status != pccclient.ExportRunning || op.RetryAfter <= 0 {
			t.Fatalf("operation %+v", op)
		}
		e.sb.Advance(op.RetryAfter)
		op = must(e.c.GetBillingOperation(ctx, loc))(t)
	}
	m := must(e.c.GetBillingManifest(ctx, op.ManifestURL))(t)
	sum, n := decimal.Zero, 0
	for _, b := range m.Blobs {
		l := must(e.c.OpenBillingBlob(ctx, m, b))(t)
		for l.Next() {
			n++
			if r.Dataset == pccclient.BilledUsage {
				u := must(pccclient.DecodeUsageLine(l.Bytes()))(t)
				sum = sum.Add(u.BillingPreTaxTotal.Decimal)
				continue
			}
			line := must(pccclient.DecodeReconLine(l.Bytes()))(t)
			if line.InvoiceNumber != r.InvoiceID || line.ChargeStartDate.IsZero() || line.SubscriptionID == "" {
				t.Fatalf("line %s", l.Bytes())
			}
			sum = sum.Add(line.Subtotal.Decimal)
		}
		if err := l.Err(); err != nil {
			t.Fatal(err)
		}
		l.Close()
	}
	return sum, n, m
}

func TestBillingExportThroughGraph(t *testing.T) {
	t.Parallel()
	e := graphEnv(t)
	e.sb.SetBillingConfig(sandbox.BillingConfig{ExportDelay: 25 * time.Minute, FailBlobOnce: true, BlobRows: 3})
	inv := newestInvoice(t, e)
	total := must(pccclient.Decimal(inv.TotalCharges))(t)
	lines, n, m := exportLines(t, e, pccclient.ExportRequest{Dataset: pccclient.BilledReconciliation, InvoiceID: inv.ID})
	usage, _, _ := exportLines(t, e, pccclient.ExportRequest{Dataset: pccclient.BilledUsage, InvoiceID: inv.ID})
	if n == 0 || m.BlobCount != (n+2)/3 || !lines.Add(usage).Round(2).Equal(total) {
		t.Fatalf("%d lines in %d blobs: %s + usage %s, invoice total %s", n, m.BlobCount, lines, usage, total)
	}
	// The failing blob was read twice; blobs never carry PC's token.
	if got := e.sb.BillingCalls("blob-get"); got != m.BlobCount+1 {
		t.Fatalf("blob reads %d, blobs %d (+1 retry)", got, m.BlobCount)
	}

	// A URL off Graph's host is refused before anything is sent.
	if _, err := e.c.GetBillingOperation(ctxT(t), "https://attacker.example/v1.0/reports/partners/billing/operations/x"); err == nil {
		t.Fatal("operation on a foreign host accepted")
	}
	// Nothing to export: Graph's "No data available".
	e.sb.SetBillingConfig(sandbox.BillingConfig{})
	loc := must(e.c.StartBillingExport(ctxT(t), pccclient.ExportRequest{Dataset: pccclient.BilledReconciliation, InvoiceID: "G999999999"}))(t)
	op := must(e.c.GetBillingOperation(ctxT(t), loc))(t)
	if !op.Failed() || !op.Error.NoData() {
		t.Fatalf("unknown invoice: %+v", op)
	}
	if _, err := e.c.StartBillingExport(ctxT(t), pccclient.ExportRequest{Dataset: pccclient.UnbilledReconciliation, Currency: "US"}); err == nil {
		t.Fatal("bad currency accepted")
	}
}

func TestBillingV1LineItemsAndStatement(t *testing.T) {
	t.Parallel()
	e := graphEnv(t)
	inv := newestInvoice(t, e)
	total := must(pccclient.Decimal(inv.TotalCharges))(t)
	sum, pages, tok := decimal.Zero, 0, ""
	for _, typ := range []string{pccclient.BillingLineItems, pccclient.UsageLineItems} {
		for {
			p := must(e.c.InvoiceLineItemsPage(ctxT(t), pccclient.InvoiceLinesRequest{InvoiceID: inv.ID, Type: typ, Size: 1}, tok))(t)
			pages++
			for _, raw := range p.Items {
				if typ == pccclient.UsageLineItems {
					sum = sum.Add(must(pccclient.DecodeUsageLine(raw))(t).BillingPreTaxTotal.Decimal)
				} else {
					sum = sum.Add(must(pccclient.DecodeReconLine(raw))(t).Subtotal.Decimal)
				}
			}
			if tok = p.ContinuationToken; tok == "" {
				break
			}
		}
	}
	if pages < 2 || !sum.Round(2).Equal(total) {
		t.Fatalf("%d pages summing to %s, invoice %s", pages, sum, total)
	}
	pdf := must(e.c.GetInvoiceStatement(ctxT(t), inv.ID))(t)
	b, _ := io.ReadAll(pdf)
	pdf.Close()
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("statement: %.40q", b)
	}
}

func TestCloudOf(t *testing.T) {
	for _, tc := range []struct {
		url   string
		cloud pccclient.Cloud
		graph bool
	}{
		{"https://api.partnercenter.microsoft.com", pccclient.CloudGlobal, true},
		{"https://partner.partnercenterapi.microsoftonline.cn", pccclient.Cloud21Vianet, false},
		{"http://127.0.0.1:8090", pccclient.CloudGlobal, true},
	} {
		if c := pccclient.CloudOf(tc.url); c != tc.cloud || c.GraphBilling() != tc.graph {
			t.Errorf("CloudOf(%s) = %s (graph %v)", tc.url, c, c.GraphBilling())
		}
	}
	if pccclient.CloudUSGov.GraphBilling() {
		t.Error("US Government has no Graph billing")
	}
	// The setting wins over the host: the sandbox playing 21Vianet.
	for _, tc := range []struct {
		cfg  pccclient.Cloud
		want pccclient.Cloud
	}{{"", pccclient.CloudGlobal}, {pccclient.Cloud21Vianet, pccclient.Cloud21Vianet}} {
		c, err := pccclient.New(pccclient.Config{PartnerTenantID: "t", ClientID: "c", ClientSecret: "s", BaseURL: "http://127.0.0.1:8090", Cloud: tc.cfg})
		if err != nil {
			t.Fatal(err)
		}
		if c.Cloud() != tc.want {
			t.Errorf("Config.Cloud %q: Cloud() = %s", tc.cfg, c.Cloud())
		}
	}
}
