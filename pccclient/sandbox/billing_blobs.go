package sandbox

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The export blobs: Partner Center writes an export to Azure Storage and
// hands out a read-only SAS token for its directory (learn.microsoft.com
// "Get manifest": rootDirectory, sasToken, blobs [{name, partitionValue}],
// dataFormat compressed JSON lines). The sandbox renders each blob when it
// is read (a million-line export is never held in memory), checks the
// token's signature and expiry on its clock, and answers errors the way
// Azure Storage does: an XML body with a Code and a Message.

// newManifestLocked writes the manifest of a ready export.
func (s *Sandbox) newManifestLocked(op *exportOp) *manifest {
	b := s.billing()
	m := &manifest{ID: s.newGUID(), Op: op.ID, Created: op.ReadyAt, Expires: op.ReadyAt.Add(sasLifetime)}
	n, _, tag := s.exportRowsLocked(op)
	m.Rows, m.Per = n, b.Config.BlobRows
	if m.Per <= 0 {
		m.Per = DefaultBlobRows
	}
	for i := 0; i*m.Per < n; i++ {
		m.Names = append(m.Names, fmt.Sprintf("part-%05d-%s.c000.json.gz", i, s.newGUID()))
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%s|%s|%s|%d|%s", op.Kind, op.InvoiceID, op.Currency, op.Month.Format("200601"), n, tag)
	m.ETag = base64.RawURLEncoding.EncodeToString(h.Sum(nil))
	dir := map[string]string{"billed-reconciliation": "billedreconfastpath", "unbilled-reconciliation": "unbilledreconfastpath",
		"billed-usage": "billedusagefastpath", "unbilled-usage": "unbilledusagefastpath"}[op.Kind]
	m.Root = "/" + dir + "/v1/PartnerTenantId=" + s.creds.TenantID + "/BillingMonth=" + op.Month.Format("200601") +
		"/InvoiceId=" + cmp.Or(op.InvoiceID, "unbilled") + "/Fragment=" + op.Attribute + "/PartitionType=default/Manifest=" + m.ID
	if b.Config.FailBlobOnce && len(m.Names) > 0 {
		m.FailOnce, b.Config.FailBlobOnce = m.Names[0], false
	}
	b.Manifest[m.ID] = m
	return m
}

// exportRowsLocked returns the export's line count, a function rendering
// line i (safe to call without the lock: it reads frozen data only) and a
// fingerprint of the content for the manifest's eTag.
func (s *Sandbox) exportRowsLocked(op *exportOp) (int, func(i int) any, string) {
	switch op.Kind {
	case "billed-reconciliation", "billed-usage":
		inv := s.invoiceLocked(op.InvoiceID)
		if inv == nil {
			return 0, nil, ""
		}
		tag := inv.Total.String()
		if op.Kind == "billed-usage" {
			usage := inv.Usage
			return len(usage), func(i int) any { return usage[i].graph(inv.ID) }, tag
		}
		lines, bulk, month := inv.Lines, inv.Bulk, inv.Month
		return len(lines) + bulk, func(i int) any {
			if i < len(lines) {
				return lines[i].graph(inv.ID)
			}
			r := bulkRow(i-len(lines), month, "USD")
			return r.graph(inv.ID)
		}, tag
	case "unbilled-usage":
		usage := op.Usage
		b, _ := json.Marshal(usage)
		return len(usage), func(i int) any { return usage[i].graph("") }, fmt.Sprintf("%x", sha256.Sum256(b))
	default:
		lines := op.Lines
		b, _ := json.Marshal(lines)
		return len(lines), func(i int) any { return lines[i].graph("") }, fmt.Sprintf("%x", sha256.Sum256(b))
	}
}

// manifestView is the manifest resource.
type manifestView struct {
	ID              string     `json:"id"`
	SchemaVersion   string     `json:"schemaVersion"`
	DataFormat      string     `json:"dataFormat"`
	CreatedDateTime string     `json:"createdDateTime"`
	ETag            string     `json:"eTag"`
	PartnerTenantID string     `json:"partnerTenantId"`
	RootDirectory   string     `json:"rootDirectory"`
	SasToken        string     `json:"sasToken"`
	PartitionType   string     `json:"partitionType"`
	BlobCount       int        `json:"blobCount"`
	Blobs           []blobView `json:"blobs"`
}

type blobView struct {
	Name           string `json:"name"`
	PartitionValue string `json:"partitionValue"`
}

func (s *Sandbox) graphManifest(prefix string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.billingCall("graph-get-manifest")
		if !s.graphAuth(w, r) {
			return
		}
		s.mu.Lock()
		m := s.billing().Manifest[r.PathValue("id")]
		var v manifestView
		if m != nil {
			v = manifestView{ID: m.ID, SchemaVersion: "2", DataFormat: "compressedJSON",
				CreatedDateTime: m.Created.UTC().Format(time.RFC3339Nano), ETag: m.ETag, PartnerTenantID: s.creds.TenantID,
				RootDirectory: baseURL(r) + BlobPathPrefix + m.Root, SasToken: s.sasToken(m), PartitionType: "Default",
				BlobCount: len(m.Names), Blobs: []blobView{}}
			for _, n := range m.Names {
				v.Blobs = append(v.Blobs, blobView{Name: n, PartitionValue: "default"})
			}
		}
		s.mu.Unlock()
		if m == nil {
			graphFail(w, r, http.StatusNotFound, "NotFound", "The manifest "+r.PathValue("id")+" does not exist.")
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// sasToken is a directory SAS for m's blobs, valid until m.Expires.
func (s *Sandbox) sasToken(m *manifest) string {
	se := m.Expires.UTC().Format("2006-01-02T15:04:05Z")
	q := url.Values{"sv": {"2021-08-06"}, "sr": {"d"}, "sp": {"rl"}, "sdd": {"7"}, "se": {se}, "sig": {s.sasSig(m.ID, se)}}
	return q.Encode()
}

func (s *Sandbox) sasSig(manifestID, se string) string {
	mac := hmac.New(sha256.New, []byte("sandbox-storage-key:"+s.creds.ClientSecret))
	mac.Write([]byte(manifestID + "\n" + se))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// storageFail answers like Azure Storage.
func storageFail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-ms-error-code", code)
	w.Header().Set("x-ms-request-id", newRandomID())
	w.WriteHeader(status)
	fmt.Fprintf(w, "\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>%s</Code><Message>%s\nRequestId:%s\nTime:%s</Message></Error>",
		code, msg, newRandomID(), time.Now().UTC().Format(time.RFC3339Nano))
}

// blobMux serves GET {root}/{name}?{sas} (mounted under BlobPathPrefix).
func (s *Sandbox) blobMux() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.billingCall("blob-get")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			storageFail(w, http.StatusMethodNotAllowed, "UnsupportedHttpVerb", "The resource doesn't support specified Http Verb.")
			return
		}
		dir, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/Manifest=")
		mid, blob, _ := strings.Cut(name, "/")
		q := r.URL.Query()
		s.mu.Lock()
		now := s.clock.Now()
		m := s.billing().Manifest[mid]
		var row func(int) any
		from, to := 0, 0
		fail := ""
		switch {
		case m == nil || "/"+dir+"/Manifest="+mid != m.Root:
			fail = "nomanifest"
		case q.Get("sig") == "" || !hmac.Equal([]byte(q.Get("sig")), []byte(s.sasSig(m.ID, q.Get("se")))):
			fail = "auth"
		case !now.Before(m.Expires) || q.Get("se") != m.Expires.UTC().Format("2006-01-02T15:04:05Z"):
			fail = "expired"
		default:
			idx := -1
			for i, n := range m.Names {
				if n == blob {
					idx = i
				}
			}
			if idx < 0 {
				fail = "nomanifest"
				break
			}
			path := m.ID + "/" + blob
			s.billing().Served[path]++
			if blob == m.FailOnce && s.billing().Served[path] == 1 {
				fail = "once"
				break
			}
			op := s.billing().Ops[m.Op]
			_, row, _ = s.exportRowsLocked(op)
			from, to = idx*m.Per, min((idx+1)*m.Per, m.Rows)
		}
		s.mu.Unlock()
		switch fail {
		case "nomanifest":
			storageFail(w, http.StatusNotFound, "BlobNotFound", "The specified blob does not exist.")
			return
		case "auth":
			storageFail(w, http.StatusForbidden, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.")
			return
		case "expired":
			storageFail(w, http.StatusForbidden, "AuthenticationFailed", "Signed expiry time ["+q.Get("se")+"] must be after signed start time and the current time.")
			return
		case "once":
			storageFail(w, http.StatusInternalServerError, "InternalError", "Server encountered an internal error. Please try again after some time.")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("x-ms-blob-type", "BlockBlob")
		w.Header().Set("x-ms-version", "2021-08-06")
		w.Header().Set("ETag", `"`+m.ETag+`"`)
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		bw := bufio.NewWriterSize(w, 64<<10)
		zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
		enc := json.NewEncoder(zw)
		for i := from; i < to; i++ {
			if err := enc.Encode(row(i)); err != nil {
				return
			}
		}
		_ = zw.Close()
		_ = bw.Flush()
	})
}

// billingCall counts a request to the billing surface.
func (s *Sandbox) billingCall(op string) {
	s.mu.Lock()
	b := s.billing()
	if b.calls == nil {
		b.calls = map[string]int{}
	}
	b.calls[op]++
	s.mu.Unlock()
}

// BillingCalls returns how many requests the billing surface received for
// op: graph-billed-reconciliation, graph-unbilled-reconciliation,
// graph-billed-usage, graph-unbilled-usage, graph-get-operation,
// graph-get-manifest, blob-get.
func (s *Sandbox) BillingCalls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.billing().calls[op]
}

func newRandomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
