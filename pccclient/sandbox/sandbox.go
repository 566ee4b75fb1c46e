package sandbox

import (
	"bytes"
	"cmp"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Sandbox.
type Options struct {
	// Seed makes ids, demo data and fault decisions reproducible.
	Seed int64
	// Clock is the sandbox clock; nil means a virtual clock starting at a
	// fixed time derived from Seed, or the wall clock when RealTime is set.
	Clock *Clock
	// RealTime makes the default clock follow the wall clock.
	RealTime bool
	// OrderDelay is how long (sandbox time) orders stay pending; default 5s.
	OrderDelay time.Duration
	// StateFile, when set, is loaded at New (if it exists) and rewritten
	// (debounced) after every change and at Close.
	StateFile string
	// Logger receives request and persistence logs; nil discards them.
	Logger *slog.Logger
	// NoSeed starts with the catalog but no demo customers.
	NoSeed bool

	// Users can sign in on the authorize page; nil means DefaultUsers().
	Users []User
	// RefreshTokenLifetime is the sliding inactivity lifetime of refresh
	// tokens on the sandbox clock; default DefaultRefreshTokenLifetime (90 days).
	RefreshTokenLifetime time.Duration
	// AllowAppOnlyEverywhere accepts app-only tokens on the operations Partner
	// Center only allows with app+user (AppUserOperations). The zero value is
	// strict, like PC.
	AllowAppOnlyEverywhere bool
	// ReadAfterCreateDelay: for this long (sandbox time) after it was
	// created, every call for a new customer answers 404 60003 as if it did
	// not exist yet (PC's eventual consistency: about 90 s). Default 0.
	ReadAfterCreateDelay time.Duration
	// PriceSheetBulkRows appends this many synthetic rows to every
	// license-based price sheet (deterministic; import benchmarks).
	PriceSheetBulkRows int
	// LegacyPurchases accepts orders and carts of legacy offers, as PC did
	// before license-based purchases moved to new commerce (1 September
	// 2024), and lists the offers as isAvailableForPurchase. For tests of
	// flows on legacy subscriptions; the zero value refuses them like PC
	// (orders 403 2091, cart line items LegacyOfferNotEligibleForPurchase).
	LegacyPurchases bool
	// Cloud is the Partner Center the sandbox plays: "" or CloudGlobal, or
	// CloudChina (Partner Center operated by 21Vianet), which refuses what
	// 21Vianet does not offer: Azure plan purchases (400 800004, the
	// product is not in its catalog) and Microsoft Graph's partner billing
	// reports (Graph's 400 BadRequest for an unknown segment); invoices
	// come from the v1 API as before.
	Cloud string
	// PCThrottling turns on Partner Center's throttling model for the
	// sandbox's life (Faults.PCModel replaces it while set): the APIs PC
	// lists as throttled answer 429 beyond their per-minute limits, per
	// partner or per partner and customer. Nil: no throttling unless a
	// fault asks for it.
	PCThrottling *PCThrottling
}

// Clouds the sandbox can play (Options.Cloud).
const (
	CloudGlobal = "global"
	CloudChina  = "china"
)

// china reports whether the sandbox plays Partner Center operated by 21Vianet.
func (s *Sandbox) china() bool { return s.opts.Cloud == CloudChina }

// Credentials are what a client uses to obtain tokens from the sandbox.
type Credentials struct {
	TenantID     string
	ClientID     string
	ClientSecret string
}

// DefaultCredentials returns the fixed credentials every sandbox accepts.
func DefaultCredentials() Credentials {
	return Credentials{
		TenantID:     "6e1b3f5a-0000-4000-8000-00000000cafe",
		ClientID:     "5ad1b0c2-5a4d-4b0e-9c1e-000000005a4d",
		ClientSecret: "sandbox-secret-not-for-production",
	}
}

// PartnerID is the sandbox partner's tenant id (audit records, links).
const PartnerID = "3b33e682-00c3-41ee-9dd2-a548adf56438"

// Sandbox is an in-memory Partner Center. It is safe for concurrent use.
type Sandbox struct {
	opts  Options
	log   *slog.Logger
	clock *Clock
	cat   *catalog
	creds Credentials
	mux   *http.ServeMux
	// pricing serves the pricing API (api.partner.microsoft.com).
	pricing  *http.ServeMux
	bulkRows atomic.Int64

	mu      stateLock // guards st and rng; a write bumps the read cache's generation
	st      *state
	rng     *rand.Rand
	pcg     *rand.PCG
	nextDue atomic.Int64 // unix nanos of the earliest due async work

	tokMu  sync.RWMutex // guards tokens and codes
	tokens map[string]tokenInfo
	codes  map[string]*authCode

	// signKey signs OIDC ID tokens (signin.go).
	signKey struct {
		once sync.Once
		key  *rsa.PrivateKey
		kid  string
	}

	// Runtime-switchable strictness (Options.ReadAfterCreateDelay and
	// AllowAppOnlyEverywhere; /_sandbox/options).
	readDelay atomic.Int64 // nanoseconds
	appOnlyOK atomic.Bool
	legacyOK  atomic.Bool // Options.LegacyPurchases

	cache     respCache               // rendered catalog responses
	readCache atomic.Pointer[readGen] // rendered state reads of the current generation

	faults *faultState
	idem   *idemStore
	pricer atomic.Pointer[TermPricer] // SetTermPricer
	calls  map[string]*atomic.Int64

	persist *persister
	closed  chan struct{}
	once    sync.Once
}

// New builds a sandbox: catalog, demo customers (unless NoSeed) or the
// state loaded from Options.StateFile.
func New(opts Options) (*Sandbox, error) {
	if opts.OrderDelay <= 0 {
		opts.OrderDelay = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	switch opts.Cloud {
	case "", CloudGlobal, CloudChina:
	default:
		return nil, fmt.Errorf("sandbox: unknown cloud %q (global or china)", opts.Cloud)
	}
	clock := opts.Clock
	if clock == nil {
		if opts.RealTime {
			clock = NewRealClock()
		} else {
			clock = NewClock(startTime(opts.Seed))
		}
	}
	cat, err := loadCatalog()
	if err != nil {
		return nil, fmt.Errorf("sandbox: load catalog: %w", err)
	}
	s := &Sandbox{
		opts: opts, log: opts.Logger, clock: clock, cat: cat, creds: DefaultCredentials(),
		tokens: map[string]tokenInfo{}, codes: map[string]*authCode{}, idem: newIdemStore(), calls: map[string]*atomic.Int64{},
		closed: make(chan struct{}),
	}
	s.readDelay.Store(int64(opts.ReadAfterCreateDelay))
	s.appOnlyOK.Store(opts.AllowAppOnlyEverywhere)
	s.legacyOK.Store(opts.LegacyPurchases)
	s.faults = newFaultState(opts.Seed, clock.Now)
	if opts.PCThrottling != nil {
		m := *opts.PCThrottling
		s.faults.model = &m
		s.faults.rearm()
	}
	s.pcg = rand.NewPCG(uint64(opts.Seed), 0x5eed5a4db0c5)
	s.rng = rand.New(s.pcg)
	for _, op := range allOps {
		s.calls[op] = new(atomic.Int64)
	}
	s.st = newState()
	loaded := false
	if opts.StateFile != "" {
		loaded, err = s.loadState(opts.StateFile)
		if err != nil {
			return nil, fmt.Errorf("sandbox: load state %s: %w", opts.StateFile, err)
		}
	}
	s.mu.Lock()
	if !loaded && !opts.NoSeed {
		s.seedDemo(s.clock.Now())
	}
	if !s.st.PricesSeeded {
		s.seedPriceChangesLocked(s.clock.Now())
	}
	s.mu.Unlock()
	s.bulkRows.Store(int64(max(opts.PriceSheetBulkRows, 0)))
	s.recomputeDue()
	s.mux = http.NewServeMux()
	s.routes()
	if opts.StateFile != "" {
		s.persist = newPersister(s, opts.StateFile)
	}
	return s, nil
}

// Handler serves the PC API under /v1, the token endpoints, /_sandbox,
// the pricing API under PricingPathPrefix (see PricingHandler), Microsoft
// Graph's partner billing API under GraphPathPrefix and its export blobs
// under BlobPathPrefix (see GraphHandler).
func (s *Sandbox) Handler() http.Handler {
	// A path prefix, not a mux pattern: "/pricing/" would collide with
	// "/{tenant}/oauth2/token".
	pricing := http.StripPrefix(PricingPathPrefix, s.pricing)
	graph := http.StripPrefix(GraphPathPrefix, s.graphMux(GraphPathPrefix))
	blobs := http.StripPrefix(BlobPathPrefix, s.blobMux())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, PricingPathPrefix+"/"):
			pricing.ServeHTTP(w, r)
			return
		case strings.HasPrefix(p, GraphPathPrefix+"/"):
			graph.ServeHTTP(w, r)
			return
		case strings.HasPrefix(p, BlobPathPrefix+"/"):
			blobs.ServeHTTP(w, r)
			return
		}
		s.mux.ServeHTTP(w, r)
	})
}

// Credentials returns the credentials the token endpoint accepts.
func (s *Sandbox) Credentials() Credentials { return s.creds }

// Now returns the sandbox clock's time.
func (s *Sandbox) Now() time.Time { return s.clock.Now() }

// Clock returns the sandbox clock.
func (s *Sandbox) Clock() *Clock { return s.clock }

// Advance moves the sandbox clock forward and runs the work that became
// due: pending orders complete, subscriptions renew or expire.
func (s *Sandbox) Advance(d time.Duration) {
	s.clock.Advance(d)
	s.mu.Lock()
	s.tickLocked(s.clock.Now())
	s.mu.Unlock()
	s.changed()
}

// Calls returns how many requests the sandbox received for op.
func (s *Sandbox) Calls(op string) int {
	if c, ok := s.calls[op]; ok {
		return int(c.Load())
	}
	return 0
}

// Close stops background work and writes the state file, if any.
// Requests hanging on an injected timeout are released.
func (s *Sandbox) Close() error {
	var err error
	s.once.Do(func() {
		close(s.closed)
		if s.persist != nil {
			err = s.persist.close()
		}
	})
	return err
}

// changed tells the persister that state changed.
func (s *Sandbox) changed() {
	if s.persist != nil {
		s.persist.mark()
	}
}

// lockMode says how a handler touches state.
type lockMode int

const (
	lockNone lockMode = iota
	lockRead
	lockWrite
)

// call is one API request as a handler sees it.
type call struct {
	r     *http.Request
	body  []byte
	now   time.Time
	corr  string
	reqID string
	// tok is the caller's token (zero for the token endpoint and for work
	// the sandbox does by itself).
	tok tokenInfo
	// system marks work Partner Center does by itself (renewals, expiry).
	system bool
}

// qi looks a query parameter up case-insensitively (PC accepts any case).
func (c *call) qi(name string) string {
	for k, v := range c.r.URL.Query() {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

func (c *call) pv(name string) string { return c.r.PathValue(name) }

// decode reads the JSON body into v (case-insensitive field names).
func (c *call) decode(v any) *pcError {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return errBadInput("request body is empty")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errBadInput("request body is not valid JSON for this resource: %v", err)
	}
	return nil
}

type handler func(c *call) (int, any)

// response is a fully rendered response, kept for idempotent replay.
type response struct {
	status int
	body   []byte
	header map[string]string
}

const maxBody = 1 << 20

// handle registers pattern under op with the standard pipeline: count,
// headers, auth, faults, idempotency, state lock, render, drop.
func (s *Sandbox) handle(pattern, op string, lk lockMode, auth bool, h handler) {
	cv := []string{"sandbox." + op} // shared, never modified: response headers only read it
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, op, cv, lk, auth, h)
	})
}

// Header values every response carries.
var (
	serverID    = []string{"sandbox-1"}
	contentJSON = []string{"application/json; charset=utf-8"}
)

func (s *Sandbox) serve(w http.ResponseWriter, r *http.Request, op string, cv []string, lk lockMode, auth bool, h handler) {
	if c, ok := s.calls[op]; ok {
		c.Add(1)
	}
	reqID := r.Header.Get("MS-RequestId")
	corr := r.Header.Get("MS-CorrelationId")
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("sandbox request", "op", op, "method", r.Method, "path", r.URL.Path, "requestId", reqID, "correlationId", corr)
	}
	// Canonical keys set directly: Header.Set would canonicalise (and
	// allocate) "MS-RequestId" on every request.
	hdr := w.Header()
	hdr["Ms-Requestid"] = []string{cmp.Or(reqID, s.faults.newID())}
	hdr["Ms-Correlationid"] = []string{cmp.Or(corr, s.faults.newID())}
	hdr["Ms-Cv"] = cv
	hdr["Ms-Serverid"] = serverID
	var ti tokenInfo
	if auth {
		var e *pcError
		ti, e = s.checkToken(r)
		if e == nil {
			e = s.checkCredential(op, ti)
		}
		if e != nil {
			writeJSON(w, e.Status, e)
			return
		}
	}
	if !s.faults.before(w, r, op, s.closed) {
		return
	}
	if cid := r.PathValue("cid"); cid != "" && auth {
		// Checked before idempotency: these refusals are not results of the
		// request, so a retry with the same MS-RequestId gets a fresh answer.
		if e := s.customerGate(op, cid); e != nil {
			writeJSON(w, e.Status, e)
			return
		}
	}
	var body []byte
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errBadInput("cannot read body: %v", err))
			return
		}
	}
	c := &call{r: r, body: body, corr: corr, reqID: reqID, tok: ti}
	run := func() response { return s.execute(c, lk, h) }
	var resp response
	if reqID != "" && r.Method != http.MethodGet && r.Method != http.MethodHead && strings.HasPrefix(r.URL.Path, "/v1/") {
		var perr *pcError
		resp, perr = s.idem.do(r.Context(), reqID, r.Method+" "+r.URL.Path, body, s.clock.Now(), run)
		if perr != nil {
			writeJSON(w, perr.Status, perr)
			return
		}
	} else {
		resp = run()
	}
	if s.faults.drop(op) {
		dropResponse(w)
		return
	}
	for k, v := range resp.header {
		hdr.Set(k, v)
	}
	if resp.body != nil {
		hdr["Content-Type"] = contentJSON
		// A known length spares net/http the chunked encoding of bodies
		// beyond its sniffing buffer (the offer list is ~60 KB).
		hdr["Content-Length"] = []string{strconv.Itoa(len(resp.body))}
	}
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		w.Write(resp.body)
	}
}

// execute runs h under the state lock and renders its result.
func (s *Sandbox) execute(c *call, lk lockMode, h handler) response {
	now := s.clock.Now()
	c.now = now
	switch lk {
	case lockWrite:
		resp := s.locked(func() response {
			s.tickLocked(now)
			return s.safe(c, h)
		})
		if resp.status < 400 {
			s.changed()
		}
		return resp
	case lockRead:
		if now.UnixNano() >= s.nextDue.Load() {
			s.locked(func() response { s.tickLocked(now); return response{} })
			s.changed()
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.safe(c, h)
	default:
		return s.safe(c, h)
	}
}

func (s *Sandbox) locked(f func() response) response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f()
}

// safe turns a handler panic (a sandbox bug) into a 500 with PC's error
// body, so one bad request cannot take the state lock down with it.
func (s *Sandbox) safe(c *call, h handler) (resp response) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("sandbox: handler panic", "method", c.r.Method, "path", c.r.URL.Path, "panic", p)
			resp = render(0, newErr(http.StatusInternalServerError, "500", "internal sandbox error: %v", p))
		}
	}()
	return render(h(c))
}

func render(status int, v any) response {
	if e, ok := v.(*pcError); ok {
		status = e.Status
	}
	if v == nil {
		return response{status: status}
	}
	if raw, ok := v.(rawBody); ok {
		return response{status: status, body: raw.body, header: raw.header}
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(newErr(500, "500", "render: %v", err))
		status = 500
	}
	return response{status: status, body: b}
}

// rawBody lets a handler answer with pre-rendered bytes and headers.
type rawBody struct {
	body   []byte
	header map[string]string
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// dropResponse loses the response after the work was done: the connection
// is closed without a reply (or a bodiless 504 when it cannot be hijacked).
func dropResponse(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
			return
		}
	}
	w.WriteHeader(http.StatusGatewayTimeout)
}
