package sandbox

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Operation ids name the API operations for faults, throttles and Calls.
const (
	OpToken                  = "token"
	OpListOffers             = "list-offers"
	OpGetOffer               = "get-offer"
	OpListOfferAddons        = "list-offer-addons"
	OpListProducts           = "list-products"
	OpGetProduct             = "get-product"
	OpListSkus               = "list-skus"
	OpGetSku                 = "get-sku"
	OpListAvailabilities     = "list-availabilities"
	OpGetAvailability        = "get-availability"
	OpCheckDomain            = "check-domain"
	OpCreateCustomer         = "create-customer"
	OpListCustomers          = "list-customers"
	OpGetCustomer            = "get-customer"
	OpCreateAgreement        = "create-agreement"
	OpListAgreements         = "list-agreements"
	OpGetAgreementMetadata   = "get-agreement-metadata"
	OpCreateCart             = "create-cart"
	OpGetCart                = "get-cart"
	OpCheckoutCart           = "checkout-cart"
	OpCreateOrder            = "create-order"
	OpGetOrder               = "get-order"
	OpListOrders             = "list-orders"
	OpPatchOrder             = "patch-order"
	OpListSubscriptions      = "list-subscriptions"
	OpGetSubscription        = "get-subscription"
	OpListSubscriptionAddons = "list-subscription-addons"
	OpPatchSubscription      = "patch-subscription"
	OpGetProvisioningStatus  = "get-provisioning-status"
	OpListEntitlements       = "list-entitlements"
	OpListSubscribedSkus     = "list-subscribed-skus"
	OpListAuditRecords       = "list-audit-records"
	OpListInvoices           = "list-invoices"
	OpGetInvoice             = "get-invoice"
	// OpGetOrderProvisioningStatus is an addition to the agreed list.
	OpGetOrderProvisioningStatus = "get-order-provisioning-status"
	// OpListIndirectResellers is an addition to the agreed list.
	OpListIndirectResellers = "list-indirect-resellers"
	// OpUpdateCart is an addition to the agreed list.
	OpUpdateCart = "update-cart"
	// OpListPromotions is GET /productpromotions (new commerce promotions).
	OpListPromotions = "list-promotions"
	// OpGetPromotion is GET /productpromotions/{id}.
	OpGetPromotion = "get-promotion"
	// OpCheckPromotionEligibilities is POST /customers/{id}/promotionEligibilities.
	OpCheckPromotionEligibilities = "check-promotion-eligibilities"
	// OpGetCountryValidationRules is GET /countryvalidationrules/{country}.
	OpGetCountryValidationRules = "get-country-validation-rules"
	// OpGetCustomTermEndDates is GET /customers/{id}/subscriptions/customTermEndDates.
	OpGetCustomTermEndDates = "get-custom-term-end-dates"
	// OpListCustomerRelationships is GET /customers/{id}/relationships (the
	// customer's indirect resellers).
	OpListCustomerRelationships = "list-customer-relationships"
	// OpGetAgreementStatus is GET /compliance/csp/agreementstatus (an
	// indirect reseller's Microsoft Partner Agreement status).
	OpGetAgreementStatus = "get-agreement-status"
	// OpCreateCustomerForReseller is POST /customers with associatedPartnerId
	// (not a route of its own: the credential rule of that request).
	OpCreateCustomerForReseller = "create-customer-for-reseller"
)

var allOps = []string{OpToken, OpListOffers, OpGetOffer, OpListOfferAddons, OpListProducts, OpGetProduct,
	OpListSkus, OpGetSku, OpListAvailabilities, OpGetAvailability, OpCheckDomain, OpCreateCustomer,
	OpListCustomers, OpGetCustomer, OpCreateAgreement, OpListAgreements, OpGetAgreementMetadata,
	OpCreateCart, OpGetCart, OpCheckoutCart, OpCreateOrder, OpGetOrder, OpListOrders, OpPatchOrder,
	OpListSubscriptions, OpGetSubscription, OpListSubscriptionAddons, OpPatchSubscription,
	OpGetProvisioningStatus, OpListEntitlements, OpListSubscribedSkus, OpListAuditRecords,
	OpListInvoices, OpGetInvoice, OpGetOrderProvisioningStatus, OpListIndirectResellers, OpUpdateCart, OpGetPriceSheet,
	OpListPromotions, OpGetPromotion, OpCheckPromotionEligibilities, OpGetCountryValidationRules,
	OpGetCustomTermEndDates,
	OpListSupportTopics, OpCreateServiceRequest, OpListServiceRequests, OpGetServiceRequest, OpUpdateServiceRequest,
	OpListCustomerServiceRequests, OpGetCustomerServiceRequest, OpGetSupportProfile, OpUpdateSupportProfile,
	OpListCustomerRelationships, OpGetAgreementStatus}

// Ops returns every operation id the sandbox serves.
func Ops() []string { return append([]string(nil), allOps...) }

// Faults are standing fault settings applied to every API request.
type Faults struct {
	// Latency is added to every request (wall time).
	Latency time.Duration `json:"latency"`
	// ErrorRate is the fraction of requests answered 503 with a PC error body.
	ErrorRate float64 `json:"errorRate"`
	// TimeoutRate is the fraction of requests that hang until the client
	// gives up (the request context ends) or the sandbox closes.
	TimeoutRate float64 `json:"timeoutRate"`
	// DropRate is the fraction of requests whose work is done but whose
	// response is lost (connection closed).
	DropRate float64 `json:"dropRate"`
	// Throttle limits operations per minute of sandbox time. An entry
	// replaces the PC model's limit for that operation.
	Throttle map[string]Throttle `json:"throttle"`
	// PCModel, when set, throttles every API Partner Center's guidance
	// lists, in its scope (see PCThrottling). Nil falls back to
	// Options.PCThrottling (nil there too: those APIs are unlimited).
	PCModel *PCThrottling `json:"pcModel,omitempty"`
}

// Throttle is a per-operation rate limit.
type Throttle struct {
	PerMinute int `json:"perMinute"`
	// PerCustomer counts each customer separately (PC limits some APIs
	// per partner and customer pair); otherwise the limit is partner-wide.
	PerCustomer bool `json:"perCustomer"`
}

type window struct {
	start time.Time
	n     int
}

type shot struct {
	n          int
	status     int
	retryAfter time.Duration
}

type faultState struct {
	// armed is set while any standing fault or injection is configured;
	// without it before and drop skip the mutex every request would take.
	armed atomic.Bool
	// throttled counts the 429s answered (model, throttle faults and injections).
	throttled atomic.Int64
	// ids numbers response header ids (lock-free, deterministic per seed).
	ids  atomic.Uint64
	seed uint64

	// model is Options.PCThrottling, the PC model when Faults.PCModel is nil.
	model *PCThrottling

	mu       sync.Mutex
	clock    func() time.Time
	rng      *rand.Rand
	f        Faults
	windows  map[string]*window
	sweepAt  int // len(windows) that triggers the next sweep of expired ones
	throttle map[string]*shot
	fail     map[string]*shot
	dropN    map[string]int
}

func newFaultState(seed int64, clock func() time.Time) *faultState {
	return &faultState{clock: clock, rng: rand.New(rand.NewPCG(uint64(seed), 0xfa0175)), seed: uint64(seed),
		windows: map[string]*window{}, throttle: map[string]*shot{}, fail: map[string]*shot{}, dropN: map[string]int{}}
}

// newID returns a GUID for response headers: a counter mixed by
// splitmix64, so concurrent requests take no lock.
func (f *faultState) newID() string {
	n := f.ids.Add(1)
	return formatGUID(splitmix(f.seed^n*0x9e3779b97f4a7c15), splitmix(n+0x5eed))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// formatGUID writes a version-4 GUID from 128 bits without fmt.
func formatGUID(hi, lo uint64) string {
	const hx = "0123456789abcdef"
	var u [16]byte
	for i := range 8 {
		u[i], u[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	j := 0
	for i, v := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hx[v>>4], hx[v&15]
		j += 2
	}
	return string(b[:])
}

// rearm recomputes armed after a change (caller holds f.mu).
func (f *faultState) rearm() {
	z := f.f
	f.armed.Store(z.Latency > 0 || z.ErrorRate > 0 || z.TimeoutRate > 0 || z.DropRate > 0 || len(z.Throttle) > 0 || z.PCModel != nil || f.model != nil ||
		len(f.throttle) > 0 || len(f.fail) > 0 || len(f.dropN) > 0)
}

// SetFaults replaces the standing faults (throttle windows restart).
func (s *Sandbox) SetFaults(f Faults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.f = f
	s.faults.windows = map[string]*window{}
	s.faults.rearm()
}

// GetFaults returns the standing faults.
func (s *Sandbox) GetFaults() Faults {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.f
}

// Throttled returns how many requests the sandbox answered 429 so far.
func (s *Sandbox) Throttled() int64 { return s.faults.throttled.Load() }

// ThrottleNext answers the next n requests for op with 429 and the given
// Retry-After (rounded up to whole seconds, at least 1).
func (s *Sandbox) ThrottleNext(op string, n int, retryAfter time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.throttle[op] = &shot{n: n, retryAfter: retryAfter}
	s.faults.rearm()
}

// FailNext answers the next n requests for op with status and a PC error
// body, without doing the work.
func (s *Sandbox) FailNext(op string, n int, status int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.fail[op] = &shot{n: n, status: status}
	s.faults.rearm()
}

// DropNext does the work of the next n requests for op, then drops their
// responses (the connection is closed).
func (s *Sandbox) DropNext(op string, n int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.dropN[op] = n
	s.faults.rearm()
}

// ResetFaults clears standing faults and one-shot injections.
func (s *Sandbox) ResetFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.f = Faults{}
	s.faults.windows = map[string]*window{}
	s.faults.throttle = map[string]*shot{}
	s.faults.fail = map[string]*shot{}
	s.faults.dropN = map[string]int{}
	s.faults.rearm()
}

func take(m map[string]*shot, op string) *shot {
	sh := m[op]
	if sh == nil || sh.n <= 0 {
		return nil
	}
	sh.n--
	if sh.n == 0 {
		delete(m, op)
	}
	return sh
}

func retrySeconds(d time.Duration) int {
	sec := int((d + time.Second - 1) / time.Second)
	if sec < 1 {
		sec = 1
	}
	return sec
}

// before applies latency, throttling, injected errors and timeouts. It
// reports false when it already answered (or abandoned) the request.
func (f *faultState) before(w http.ResponseWriter, r *http.Request, op string, closed <-chan struct{}) bool {
	if !f.armed.Load() {
		return true
	}
	f.mu.Lock()
	latency := f.f.Latency
	var throttleAfter time.Duration
	failStatus := 0
	timeout := false
	if sh := take(f.throttle, op); sh != nil {
		throttleAfter = sh.retryAfter
		if throttleAfter <= 0 {
			throttleAfter = time.Second
		}
	} else if sh := take(f.fail, op); sh != nil {
		failStatus = sh.status
	} else {
		if t, ok := f.f.Throttle[op]; ok && t.PerMinute > 0 {
			wkey := op
			if t.PerCustomer {
				wkey = op + "/" + key(r.PathValue("cid"))
			}
			throttleAfter = f.count(wkey, t.PerMinute, f.clock())
		} else if p := cmp.Or(f.f.PCModel, f.model); p != nil {
			throttleAfter = f.modelThrottle(p, r, op, f.clock())
		}
		if throttleAfter == 0 && f.f.ErrorRate > 0 && f.rng.Float64() < f.f.ErrorRate {
			failStatus = http.StatusServiceUnavailable
		}
		if throttleAfter == 0 && failStatus == 0 && f.f.TimeoutRate > 0 && f.rng.Float64() < f.f.TimeoutRate {
			timeout = true
		}
	}
	f.rearm() // a one-shot injection may be used up
	f.mu.Unlock()

	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
	switch {
	case throttleAfter > 0:
		f.throttled.Add(1)
		sec := retrySeconds(throttleAfter)
		w.Header().Set("Retry-After", strconv.Itoa(sec))
		writeJSON(w, http.StatusTooManyRequests, throttleBody{StatusCode: 429,
			Message: fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", sec)})
		return false
	case failStatus == http.StatusTooManyRequests:
		f.throttled.Add(1)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, failStatus, throttleBody{StatusCode: 429, Message: "Rate limit is exceeded. Try again in 1 seconds."})
		return false
	case failStatus > 0:
		writeJSON(w, failStatus, errUnavailable(failStatus))
		return false
	case timeout:
		t := time.NewTimer(10 * time.Minute)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-closed:
			writeJSON(w, http.StatusServiceUnavailable, errUnavailable(http.StatusServiceUnavailable))
		case <-t.C:
			writeJSON(w, http.StatusGatewayTimeout, errUnavailable(http.StatusGatewayTimeout))
		}
		return false
	}
	return true
}

// drop reports whether this response should be lost after the work.
func (f *faultState) drop(op string) bool {
	if !f.armed.Load() {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := f.dropN[op]; n > 0 {
		if n == 1 {
			delete(f.dropN, op)
		} else {
			f.dropN[op] = n - 1
		}
		f.rearm()
		return true
	}
	return f.f.DropRate > 0 && f.rng.Float64() < f.f.DropRate
}
