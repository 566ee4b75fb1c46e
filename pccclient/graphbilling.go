package pccclient

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Partner Center's billing reconciliation API v2 lives on Microsoft Graph
// (learn.microsoft.com "Billed invoice reconciliation API v2 (GA)", "Billed
// and unbilled daily rated usage reconciliation API v2 (GA)"; the Graph
// pages "billedReconciliation: export", "unbilledReconciliation: export",
// "billedUsage: export", "unbilledUsage: export", "Get operation", "Get
// manifest"). It is asynchronous: an export answers 202 Accepted with the
// operation's URL in Location; the operation is running (poll again after
// Retry-After), succeeded (a link to the manifest) or failed (an error, for
// instance 5000 "No data available"); the manifest lists gzip'ed JSON-lines
// blobs in Azure Storage read with its SAS token. Permission:
// PartnerBilling.Read.All, delegated or application, so the client calls
// it app-only. Graph billing exists in the global cloud only (not for US
// Government or 21Vianet; see Cloud).

// BillingDataset is what an export holds.
type BillingDataset string

// Billing datasets.
const (
	// BilledReconciliation: an invoice's line items (invoiceId).
	BilledReconciliation BillingDataset = "reconciliation/billed"
	// UnbilledReconciliation: the open period's line items so far
	// (currencyCode, billingPeriod).
	UnbilledReconciliation BillingDataset = "reconciliation/unbilled"
	// BilledUsage: an invoice's daily rated usage (Azure plan).
	BilledUsage BillingDataset = "usage/billed"
	// UnbilledUsage: daily rated usage not invoiced yet (up to 24 hours late).
	UnbilledUsage BillingDataset = "usage/unbilled"
)

// Billed reports whether the dataset is an invoice's (needs InvoiceID).
func (d BillingDataset) Billed() bool { return strings.HasSuffix(string(d), "/billed") }

// AttributeSet selects all attributes (full) or a subset (basic).
type AttributeSet string

// Attribute sets.
const (
	AttributesFull  AttributeSet = "full"
	AttributesBasic AttributeSet = "basic"
)

// BillingPeriod is the open period an unbilled export covers.
type BillingPeriod string

// Billing periods.
const (
	PeriodCurrent BillingPeriod = "current"
	PeriodLast    BillingPeriod = "last"
)

// ExportRequest asks for one export.
type ExportRequest struct {
	Dataset    BillingDataset
	InvoiceID  string        // billed datasets
	Currency   string        // unbilled datasets: ISO 4217, e.g. USD
	Period     BillingPeriod // unbilled datasets
	Attributes AttributeSet  // "" = full
}

type exportBody struct {
	InvoiceID     string `json:"invoiceId,omitempty"`
	AttributeSet  string `json:"attributeSet"`
	CurrencyCode  string `json:"currencyCode,omitempty"`
	BillingPeriod string `json:"billingPeriod,omitempty"`
}

// StartBillingExport asks Graph for an export and returns the URL of the
// operation to poll (GetBillingOperation). Starting the same export again
// is harmless: it makes another operation.
func (c *Client) StartBillingExport(ctx context.Context, r ExportRequest) (string, error) {
	const op = "graph-billing-export"
	if r.Attributes == "" {
		r.Attributes = AttributesFull
	}
	a := check(op).check(r.Dataset == BilledReconciliation || r.Dataset == UnbilledReconciliation || r.Dataset == BilledUsage || r.Dataset == UnbilledUsage,
		"dataset", fmt.Sprintf("%q is not a billing dataset", r.Dataset)).
		check(r.Attributes == AttributesFull || r.Attributes == AttributesBasic, "attributes", fmt.Sprintf("%q is not full or basic", r.Attributes))
	body := exportBody{AttributeSet: string(r.Attributes)}
	if r.Dataset.Billed() {
		a.required("invoiceID", r.InvoiceID)
		body.InvoiceID = r.InvoiceID
	} else {
		a.check(len(r.Currency) == 3, "currency", fmt.Sprintf("%q is not an ISO 4217 code", r.Currency)).
			check(r.Period == PeriodCurrent || r.Period == PeriodLast, "period", fmt.Sprintf("%q is not current or last", r.Period))
		body.CurrencyCode, body.BillingPeriod = strings.ToUpper(r.Currency), string(r.Period)
	}
	if err := a.done(); err != nil {
		return "", err
	}
	res, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodPost, graph: true,
		path: "/v1.0/reports/partners/billing/" + string(r.Dataset) + "/export", body: body, ok: []int{http.StatusAccepted}})
	if err != nil {
		return "", err
	}
	loc := res.header.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("partner center %s: 202 without a Location header", op)
	}
	return loc, nil
}

// Export operation statuses (Microsoft's sample names them NotStarted,
// Running, Succeeded, Failed).
const (
	ExportRunning    = "running"
	ExportNotStarted = "notStarted"
	ExportSucceeded  = "succeeded"
	ExportFailed     = "failed"
)

// BillingOperation is an export operation's state.
type BillingOperation struct {
	ODataType          string `json:"@odata.type,omitempty"`
	ID                 string `json:"id,omitempty"`
	Status             string `json:"status,omitempty"`
	CreatedDateTime    string `json:"createdDateTime,omitempty"`
	LastActionDateTime string `json:"lastActionDateTime,omitempty"`
	// ManifestURL is the succeeded operation's resourceLocation.
	ManifestURL string               `json:"resourceLocation@odata.navigationLink,omitempty"`
	Error       *BillingOperationErr `json:"error,omitempty"`
	// RetryAfter is how long Graph asked to wait before polling again.
	RetryAfter time.Duration `json:"-"`
}

// BillingOperationErr is a failed operation's error.
type BillingOperationErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// NoData reports Graph's "No data available": the export has nothing to
// hold (no such invoice, or nothing billed for it in this dataset).
func (e *BillingOperationErr) NoData() bool {
	return e != nil && strings.EqualFold(strings.TrimSpace(e.Message), "No data available")
}

// Succeeded, Failed and Running classify the status.
func (o *BillingOperation) Succeeded() bool { return strings.EqualFold(o.Status, ExportSucceeded) }

// Failed reports a terminal failure (start a new export to try again).
func (o *BillingOperation) Failed() bool { return strings.EqualFold(o.Status, ExportFailed) }

// GetBillingOperation reads an export operation at the URL
// StartBillingExport returned (it must be on Graph's host).
func (c *Client) GetBillingOperation(ctx context.Context, operationURL string) (*BillingOperation, error) {
	const op = "graph-billing-operation"
	if err := check(op).check(operationURL != "", "operationURL", "is empty").done(); err != nil {
		return nil, err
	}
	var out BillingOperation
	res, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, graph: true, path: operationURL, out: &out})
	if err != nil {
		return nil, err
	}
	out.RetryAfter = parseRetryAfter(res.header.Get("Retry-After"))
	if out.Succeeded() && out.ManifestURL == "" {
		return nil, fmt.Errorf("partner center %s: succeeded without a manifest link", op)
	}
	return &out, nil
}

// BillingManifest describes an export's files.
type BillingManifest struct {
	ID              string        `json:"id"`
	SchemaVersion   string        `json:"schemaVersion"`
	DataFormat      string        `json:"dataFormat"`
	CreatedDateTime time.Time     `json:"createdDateTime"`
	ETag            string        `json:"eTag"`
	PartnerTenantID string        `json:"partnerTenantId"`
	RootDirectory   string        `json:"rootDirectory"`
	SasToken        string        `json:"sasToken"`
	PartitionType   string        `json:"partitionType"`
	BlobCount       int           `json:"blobCount"`
	Blobs           []BillingBlob `json:"blobs"`
}

// BillingBlob is one file of an export.
type BillingBlob struct {
	Name           string `json:"name"`
	PartitionValue string `json:"partitionValue"`
}

// URL is where blob b is read: rootDirectory + "/" + name + "?" + sasToken.
func (m *BillingManifest) URL(b BillingBlob) string {
	return strings.TrimRight(m.RootDirectory, "/") + "/" + b.Name + "?" + strings.TrimPrefix(m.SasToken, "?")
}

// GetBillingManifest reads the manifest a succeeded operation links to.
func (c *Client) GetBillingManifest(ctx context.Context, manifestURL string) (*BillingManifest, error) {
	const op = "graph-billing-manifest"
	if err := check(op).check(manifestURL != "", "manifestURL", "is empty").done(); err != nil {
		return nil, err
	}
	var out BillingManifest
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, graph: true, path: manifestURL, out: &out}); err != nil {
		return nil, err
	}
	if out.ETag == "" || out.RootDirectory == "" {
		return nil, fmt.Errorf("partner center %s: manifest %s has no eTag or rootDirectory", op, out.ID)
	}
	if len(out.Blobs) != out.BlobCount {
		return nil, fmt.Errorf("partner center %s: manifest %s lists %d blobs, blobCount says %d", op, out.ID, len(out.Blobs), out.BlobCount)
	}
	return &out, nil
}
