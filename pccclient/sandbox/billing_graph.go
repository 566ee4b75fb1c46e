package sandbox

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Microsoft Graph's partner billing surface (learn.microsoft.com
// "billedReconciliation: export", "unbilledReconciliation: export",
// "billedUsage: export", "unbilledUsage: export", "Get operation", "Get
// manifest"): an export answers 202 with the operation's URL in Location;
// the operation is running (with Retry-After) until the export is ready on
// the sandbox clock, then succeeded with a navigation link to a manifest,
// or failed ({"code":"5000","message":"No data available"}); the manifest
// lists gzip'ed JSON-lines blobs read with its SAS token at rootDirectory +
// "/" + name + "?" + sasToken. Graph is its own host (graph.microsoft.com)
// with its own token audience (GraphResource); the permission is
// PartnerBilling.Read.All, delegated or application, so an app-only token
// works. Handler serves Graph under GraphPathPrefix and the storage
// account under BlobPathPrefix; GraphHandler serves both for a listener
// of their own.

// GraphResource is the token audience Microsoft Graph accepts.
const GraphResource = "https://graph.microsoft.com"

// GraphPathPrefix is where Handler serves Microsoft Graph: a client's Graph
// base URL is the sandbox URL + GraphPathPrefix.
const GraphPathPrefix = "/graph"

// BlobPathPrefix is where the sandbox serves the export blobs (Azure
// Storage in Partner Center).
const BlobPathPrefix = "/blob"

// DefaultExportDelay is how long (sandbox time) an export runs before its
// manifest is ready. Microsoft's own example took about 25 minutes; the
// sandbox is quicker so demos do not wait.
const DefaultExportDelay = 2 * time.Minute

// DefaultBlobRows is how many lines the sandbox writes per blob.
const DefaultBlobRows = 250_000

// sasLifetime is how long a manifest's SAS token reads its blobs.
const sasLifetime = 12 * time.Hour

// BillingConfig tunes the billing surface.
type BillingConfig struct {
	// ExportDelay is how long an export runs on the sandbox clock (0: ready
	// at once). New sandboxes use DefaultExportDelay.
	ExportDelay time.Duration `json:"exportDelay"`
	// BulkLines appends this many synthetic lines (customers and
	// subscriptions the sandbox does not have) to the invoices of the
	// months closed from now on, in USD (import benchmarks).
	BulkLines int `json:"bulkLines,omitempty"`
	// BlobRows is the number of lines per blob [DefaultBlobRows].
	BlobRows int `json:"blobRows,omitempty"`
	// NoData makes the next export fail with "No data available".
	NoData bool `json:"noData,omitempty"`
	// FailBlobOnce makes the first blob of the next manifest answer 500
	// once (Azure Storage's InternalError).
	FailBlobOnce bool `json:"failBlobOnce,omitempty"`
}

// BillingConfig returns the billing surface's settings.
func (s *Sandbox) BillingConfig() BillingConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.billing().Config
}

// SetBillingConfig replaces the billing surface's settings.
func (s *Sandbox) SetBillingConfig(c BillingConfig) {
	s.mu.Lock()
	s.billing().Config = c
	s.mu.Unlock()
	s.changed()
}

// exportOp is one export operation.
type exportOp struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"` // billed-reconciliation, unbilled-reconciliation, billed-usage, unbilled-usage
	InvoiceID string    `json:"invoiceId,omitempty"`
	Currency  string    `json:"currency,omitempty"`
	Period    string    `json:"period,omitempty"`
	Attribute string    `json:"attributeSet"`
	Created   time.Time `json:"created"`
	ReadyAt   time.Time `json:"readyAt"`
	Fail      string    `json:"fail,omitempty"`
	Manifest  string    `json:"manifest,omitempty"`
	// Month and the unbilled rows are computed when the export is asked for.
	Month time.Time  `json:"month"`
	Lines []reconRow `json:"lines,omitempty"`
	Usage []usageRow `json:"usage,omitempty"`
}

// manifest is a ready export's manifest.
type manifest struct {
	ID       string    `json:"id"`
	Op       string    `json:"op"`
	ETag     string    `json:"eTag"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	Root     string    `json:"root"` // path under the blob prefix
	Rows     int       `json:"rows"`
	Per      int       `json:"per"`
	Names    []string  `json:"names"`
	FailOnce string    `json:"failOnce,omitempty"`
}

type graphError struct {
	Error graphErrorBody `json:"error"`
}

type graphErrorBody struct {
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	InnerError map[string]string `json:"innerError,omitempty"`
}

func graphFail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	id := cmp.Or(r.Header.Get("client-request-id"), newRandomID())
	w.Header().Set("request-id", id)
	writeJSON(w, status, graphError{Error: graphErrorBody{Code: code, Message: msg,
		InnerError: map[string]string{"date": time.Now().UTC().Format("2006-01-02T15:04:05"), "request-id": id, "client-request-id": id}}})
}

// graphAuth accepts a token for GraphResource, app-only or app+user.
func (s *Sandbox) graphAuth(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		tok, ok = strings.CutPrefix(h, "bearer ")
	}
	if !ok || strings.TrimSpace(tok) == "" {
		graphFail(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return false
	}
	s.tokMu.Lock()
	ti, found := s.tokens[strings.TrimSpace(tok)]
	s.tokMu.Unlock()
	switch {
	case !found || !s.clock.Now().Before(ti.Exp):
		graphFail(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
	case ti.Aud != GraphResource:
		graphFail(w, r, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
	default:
		return true
	}
	return false
}

// GraphHandler serves Microsoft Graph's partner billing API at its root and
// the export blobs under BlobPathPrefix, for a listener of their own.
func (s *Sandbox) GraphHandler() http.Handler {
	g := s.graphMux("")
	b := http.StripPrefix(BlobPathPrefix, s.blobMux())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, BlobPathPrefix+"/") {
			b.ServeHTTP(w, r)
			return
		}
		g.ServeHTTP(w, r)
	})
}

// baseURL is the scheme and host a request came to.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// graphMux routes the Graph billing API; prefix is where it is mounted.
func (s *Sandbox) graphMux(prefix string) *http.ServeMux {
	m := http.NewServeMux()
	const root = "/v1.0/reports/partners/billing"
	m.HandleFunc("POST "+root+"/reconciliation/billed/export", s.graphExport("billed-reconciliation", prefix))
	m.HandleFunc("POST "+root+"/reconciliation/unbilled/export", s.graphExport("unbilled-reconciliation", prefix))
	m.HandleFunc("POST "+root+"/usage/billed/export", s.graphExport("billed-usage", prefix))
	m.HandleFunc("POST "+root+"/usage/unbilled/export", s.graphExport("unbilled-usage", prefix))
	m.HandleFunc("GET "+root+"/operations/{id}", s.graphOperation(prefix))
	m.HandleFunc("GET "+root+"/manifests/{id}", s.graphManifest(prefix))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		graphFail(w, r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+r.URL.Path+"'.")
	})
	if s.china() {
		// Microsoft Graph operated by 21Vianet has no partner billing
		// reports (Graph's national cloud deployments): every path is an
		// unknown segment there.
		china := http.NewServeMux()
		china.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			graphFail(w, r, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'partners'.")
		})
		return china
	}
	return m
}

// exportBody is the body of the four exports.
type exportBody struct {
	InvoiceID     string `json:"invoiceId"`
	AttributeSet  string `json:"attributeSet"`
	CurrencyCode  string `json:"currencyCode"`
	BillingPeriod string `json:"billingPeriod"`
}

func (s *Sandbox) graphExport(kind, prefix string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.billingCall("graph-" + kind)
		if !s.graphAuth(w, r) {
			return
		}
		var in exportBody
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err := json.Unmarshal(body, &in); err != nil {
			graphFail(w, r, http.StatusBadRequest, "BadRequest", "The request body is not valid JSON: "+err.Error())
			return
		}
		attr := strings.ToLower(cmp.Or(in.AttributeSet, "full"))
		if attr != "full" && attr != "basic" {
			graphFail(w, r, http.StatusBadRequest, "BadRequest", "Requested value '"+in.AttributeSet+"' was not found in attributeSet (full, basic).")
			return
		}
		billed := strings.HasPrefix(kind, "billed")
		period := strings.ToLower(in.BillingPeriod)
		switch {
		case billed && strings.TrimSpace(in.InvoiceID) == "":
			graphFail(w, r, http.StatusBadRequest, "BadRequest", "invoiceId is required.")
			return
		case !billed && len(in.CurrencyCode) != 3:
			graphFail(w, r, http.StatusBadRequest, "BadRequest", "currencyCode is required (an ISO 4217 code such as USD).")
			return
		case !billed && period != "current" && period != "last":
			graphFail(w, r, http.StatusBadRequest, "BadRequest", "billingPeriod must be current or last.")
			return
		}
		s.mu.Lock()
		now := s.clock.Now()
		s.tickLocked(now)
		s.closeInvoicesLocked(now)
		b := s.billing()
		op := &exportOp{ID: s.newGUID(), Kind: kind, InvoiceID: in.InvoiceID, Currency: strings.ToUpper(in.CurrencyCode),
			Period: period, Attribute: attr, Created: now, ReadyAt: now.Add(max(b.Config.ExportDelay, 0))}
		s.fillExportLocked(op, now)
		if b.Config.NoData {
			op.Fail, b.Config.NoData = "No data available", false
		}
		b.Ops[op.ID] = op
		s.mu.Unlock()
		s.changed()
		w.Header().Set("Location", baseURL(r)+prefix+"/v1.0/reports/partners/billing/operations/"+op.ID)
		w.WriteHeader(http.StatusAccepted)
	}
}

// fillExportLocked decides what an export holds; an export with nothing
// to hold fails with "No data available", as Graph's does.
func (s *Sandbox) fillExportLocked(op *exportOp, now time.Time) {
	switch op.Kind {
	case "billed-reconciliation", "billed-usage":
		inv := s.invoiceLocked(op.InvoiceID)
		if inv == nil {
			op.Fail = "No data available"
			return
		}
		op.Month, op.Currency = inv.Month, inv.Currency
		if op.Kind == "billed-usage" && len(inv.Usage) == 0 || op.Kind == "billed-reconciliation" && len(inv.Lines)+inv.Bulk == 0 {
			op.Fail = "No data available"
		}
	default:
		m := monthStart(now)
		if op.Period == "last" {
			m = m.AddDate(0, -1, 0)
		}
		op.Month = m
		lines, usage := s.monthRowsLocked(m, m.AddDate(0, 1, 0), now, true)
		for _, l := range lines {
			if l.Currency == op.Currency {
				op.Lines = append(op.Lines, l)
			}
		}
		for _, u := range usage {
			if u.Currency == op.Currency {
				op.Usage = append(op.Usage, u)
			}
		}
		if op.Kind == "unbilled-usage" && len(op.Usage) == 0 || op.Kind == "unbilled-reconciliation" && len(op.Lines) == 0 {
			op.Fail = "No data available"
		}
	}
}

// opView is an operation as Get operation renders it.
type opView struct {
	ODataType          string          `json:"@odata.type"`
	ID                 string          `json:"id"`
	Status             string          `json:"status"`
	CreatedDateTime    string          `json:"createdDateTime"`
	LastActionDateTime string          `json:"lastActionDateTime"`
	ResourceLocation   string          `json:"resourceLocation@odata.navigationLink,omitempty"`
	Error              *graphErrorBody `json:"error,omitempty"`
}

func (s *Sandbox) graphOperation(prefix string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.billingCall("graph-get-operation")
		if !s.graphAuth(w, r) {
			return
		}
		s.mu.Lock()
		now := s.clock.Now()
		b := s.billing()
		op := b.Ops[r.PathValue("id")]
		if op == nil {
			s.mu.Unlock()
			graphFail(w, r, http.StatusNotFound, "NotFound", "The operation "+r.PathValue("id")+" does not exist.")
			return
		}
		v := opView{ID: op.ID, CreatedDateTime: op.Created.UTC().Format("2006-01-02T15:04:05"),
			LastActionDateTime: now.UTC().Format(time.RFC3339Nano)}
		retry := 0
		switch {
		case now.Before(op.ReadyAt):
			v.ODataType, v.Status = "#microsoft.graph.partners.billing.runningOperation", "running"
			retry = int(min(op.ReadyAt.Sub(now), time.Minute).Seconds() + 0.999)
		case op.Fail != "":
			v.ODataType, v.Status = "#microsoft.graph.partners.billing.failedOperation", "failed"
			v.LastActionDateTime = op.ReadyAt.UTC().Format(time.RFC3339Nano)
			v.Error = &graphErrorBody{Code: "5000", Message: op.Fail}
		default:
			if op.Manifest == "" {
				op.Manifest = s.newManifestLocked(op).ID
			}
			v.ODataType, v.Status = "#microsoft.graph.partners.billing.exportSuccessOperation", "succeeded"
			v.LastActionDateTime = op.ReadyAt.UTC().Format(time.RFC3339Nano)
			v.ResourceLocation = baseURL(r) + prefix + "/v1.0/reports/partners/billing/manifests/" + op.Manifest
		}
		s.mu.Unlock()
		s.changed()
		if retry > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(max(retry, 1)))
		}
		writeJSON(w, http.StatusOK, v)
	}
}
