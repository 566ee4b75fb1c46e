package pccclient_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/google/uuid"
)

// seededCustomer returns the first demo customer of the sandbox.
func seededCustomer(t *testing.T, e *env) pccclient.Customer {
	t.Helper()
	return first(t, e.c.ListCustomers(ctxT(t), pccclient.ListCustomersOptions{}))
}

func TestConfigValidationJoinsProblems(t *testing.T) {
	t.Parallel()
	_, err := pccclient.New(pccclient.Config{BaseURL: "not a url", MaxAttempts: -1,
		Budgets: pccclient.Budgets{CustomerRead: pccclient.RateLimit{Rate: 3}, Scopes: map[string]pccclient.Scope{"list-agreements": pccclient.ScopePartner}}})
	if err == nil {
		t.Fatal("New accepted an empty config")
	}
	for _, want := range []string{"PartnerTenantID", "ClientID", "ClientSecret", "BaseURL", "MaxAttempts", "Budgets.CustomerRead", "Budgets.Scopes[list-agreements]"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestHeadersAndErrorDecoding(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	missing := uuid.NewString()
	_, err := e.c.GetSubscription(ctx, cu.ID, missing)
	var pe *pccclient.Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *pccclient.Error", err, err)
	}
	if pe.HTTPStatus != 404 || pe.Code != "20003" || pe.Description == "" || pe.Operation != "get-subscription" {
		t.Errorf("error = %+v, want 404 20003 with description", pe)
	}
	if !pccclient.IsNotFound(err) || pccclient.IsThrottled(err) || pccclient.IsUnavailable(err) {
		t.Errorf("helpers disagree with %v", err)
	}
	sent := e.rec.sent("/v1/customers/" + cu.ID + "/subscriptions/" + missing)
	if len(sent) != 1 {
		t.Fatalf("sent %d requests for the missing subscription, want 1 (404 is not retried)", len(sent))
	}
	h := sent[0].Header
	if pe.RequestID != h.Get("MS-RequestId") || uuid.Validate(pe.RequestID) != nil {
		t.Errorf("error request id %q, sent %q", pe.RequestID, h.Get("MS-RequestId"))
	}
	for k, want := range map[string]string{
		"Accept": "application/json", "MS-Contract-Version": "v1", "User-Agent": "cspportal/" + pccclient.Version, "X-Locale": "en-US",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(h.Get("Authorization"), "Bearer ") || uuid.Validate(h.Get("MS-CorrelationId")) != nil {
		t.Errorf("Authorization/MS-CorrelationId missing: %v", h)
	}
	// Reads get a fresh request id each call.
	_, _ = e.c.GetSubscription(ctx, cu.ID, missing)
	again := e.rec.sent("/v1/customers/" + cu.ID + "/subscriptions/" + missing)
	if again[1].Header.Get("MS-RequestId") == h.Get("MS-RequestId") {
		t.Error("two reads shared an MS-RequestId")
	}
	// A page a person reads in Chinese asks PC in Chinese.
	_, _ = e.c.GetSubscription(pccclient.WithLocale(ctx, "zh-CN"), cu.ID, missing)
	zh := e.rec.sent("/v1/customers/" + cu.ID + "/subscriptions/" + missing)
	if got := zh[2].Header.Get("X-Locale"); got != "zh-CN" {
		t.Errorf("X-Locale with WithLocale = %q, want zh-CN", got)
	}
}

func TestTokenErrorCarriesOAuthErrorNotSecret(t *testing.T) {
	t.Parallel()
	const secret = "wrong-secret-value-123"
	e := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) { c.ClientSecret = secret })
	_, err := e.c.GetCustomer(ctxT(t), uuid.NewString())
	var te *pccclient.TokenError
	if !errors.As(err, &te) || te.OAuthError != "invalid_client" || !strings.Contains(te.Description, "AADSTS7000215") {
		t.Fatalf("err = %v, want *TokenError invalid_client AADSTS7000215", err)
	}
	if !pccclient.IsUnauthorized(err) {
		t.Error("IsUnauthorized false for a refused token")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error leaks the secret: %v", err)
	}
	if n := e.sb.Calls(sandbox.OpGetCustomer); n != 0 {
		t.Errorf("API called %d times without a token", n)
	}
}

func TestUnauthorizedRefreshesOnceAndRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	if n := e.sb.Calls(sandbox.OpToken); n != 1 {
		t.Fatalf("token calls = %d, want 1", n)
	}
	e.sb.RevokeTokens()
	if _, err := e.c.GetCustomer(ctx, cu.ID); err != nil {
		t.Fatalf("GetCustomer after revocation: %v", err)
	}
	if n := e.sb.Calls(sandbox.OpToken); n != 2 {
		t.Errorf("token calls = %d, want 2 (one refresh)", n)
	}
	if n := e.sb.Calls(sandbox.OpGetCustomer); n != 2 {
		t.Errorf("get-customer calls = %d, want 2 (401 then retry)", n)
	}
}

func TestConcurrentCallsFetchOneToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := e.c.CheckDomainAvailable(ctx, "contoso.onmicrosoft.com")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sb.Calls(sandbox.OpToken); n != 1 {
		t.Errorf("token calls = %d, want 1", n)
	}
}

func TestThrottledWaitsRetryAfterOnClientClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	before, _ := e.clock.Waited()
	e.sb.ThrottleNext(sandbox.OpGetCustomer, 2, 7*time.Second)
	start := time.Now()
	if _, err := e.c.GetCustomer(ctx, cu.ID); err != nil {
		t.Fatalf("GetCustomer after two 429s: %v", err)
	}
	if real := time.Since(start); real > 3*time.Second {
		t.Errorf("waited %v of real time; Retry-After must use the injected clock", real)
	}
	after, _ := e.clock.Waited()
	if got := after - before; got != 14*time.Second {
		t.Errorf("client clock waited %v, want 2 x Retry-After = 14s", got)
	}
	if n := e.sb.Calls(sandbox.OpGetCustomer); n != 3 {
		t.Errorf("get-customer calls = %d, want 3", n)
	}

	// Still throttled after MaxAttempts: a throttled *Error with RetryAfter.
	e.sb.ThrottleNext(sandbox.OpGetCustomer, 10, 5*time.Second)
	_, err := e.c.GetCustomer(ctx, cu.ID)
	var pe *pccclient.Error
	if !pccclient.IsThrottled(err) || !errors.As(err, &pe) || pe.RetryAfter != 5*time.Second || pe.Attempts != pccclient.DefaultMaxAttempts {
		t.Fatalf("err = %v, want throttled after %d attempts with RetryAfter 5s", err, pccclient.DefaultMaxAttempts)
	}
	if !strings.Contains(pe.Description, "Rate limit") {
		t.Errorf("429 message not decoded: %q", pe.Description)
	}
}

func TestServerErrorRetriedWithSameRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true, LegacyPurchases: true}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "retry")
	acceptMCA(t, e, cu.ID)
	reqID := pccclient.NewRequestID()
	e.sb.FailNext(sandbox.OpCreateOrder, 2, http.StatusServiceUnavailable)
	o, err := e.c.CreateOrder(ctx, reqID, cu.ID, pccclient.Order{LineItems: []pccclient.OrderLineItem{{OfferID: e1Offer, Quantity: 1}}})
	if err != nil {
		t.Fatalf("CreateOrder with two 503s: %v", err)
	}
	sent := e.rec.sent("/v1/customers/" + cu.ID + "/orders")
	if len(sent) != 3 {
		t.Fatalf("sent %d create-order requests, want 3", len(sent))
	}
	for _, s := range sent {
		if s.Header.Get("MS-RequestId") != reqID {
			t.Errorf("attempt sent MS-RequestId %q, want %q", s.Header.Get("MS-RequestId"), reqID)
		}
	}
	_, waits := e.clock.Waited()
	if waits < 2 {
		t.Errorf("client waited %d times, want back-off before each retry", waits)
	}
	orders := must(pccclient.Collect(e.c.ListOrders(ctx, cu.ID)))(t)
	if len(orders) != 1 || orders[0].ID != o.ID {
		t.Errorf("customer has %d orders, want exactly the one created", len(orders))
	}

	// The outbox retrying the same write later gets the same order back.
	o2 := must(e.c.CreateOrder(ctx, reqID, cu.ID, pccclient.Order{LineItems: []pccclient.OrderLineItem{{OfferID: e1Offer, Quantity: 1}}}))(t)
	if o2.ID != o.ID {
		t.Errorf("replayed create returned order %s, want %s", o2.ID, o.ID)
	}

	// Persistent 5xx: IsUnavailable with the caller's request id.
	e.sb.FailNext(sandbox.OpCreateOrder, 10, http.StatusInternalServerError)
	id3 := pccclient.NewRequestID()
	_, err = e.c.CreateOrder(ctx, id3, cu.ID, pccclient.Order{LineItems: []pccclient.OrderLineItem{{OfferID: e1Offer, Quantity: 1}}})
	var pe *pccclient.Error
	if !pccclient.IsUnavailable(err) || !errors.As(err, &pe) || pe.RequestID != id3 {
		t.Errorf("err = %v, want unavailable carrying request id %s", err, id3)
	}
}

func TestDroppedResponseRetriedAndAppliedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true, LegacyPurchases: true}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "drop")
	acceptMCA(t, e, cu.ID)
	e.sb.DropNext(sandbox.OpCreateOrder, 1)
	o := must(e.c.CreateOrder(ctx, pccclient.NewRequestID(), cu.ID,
		pccclient.Order{LineItems: []pccclient.OrderLineItem{{OfferID: e1Offer, Quantity: 2}}}))(t)
	if n := e.sb.Calls(sandbox.OpCreateOrder); n != 2 {
		t.Errorf("create-order calls = %d, want 2 (dropped, then replayed)", n)
	}
	e.sb.Advance(time.Minute)
	subs := must(pccclient.Collect(e.c.ListSubscriptions(ctx, cu.ID)))(t)
	if len(subs) != 1 || subs[0].OrderID != o.ID {
		t.Errorf("customer has %d subscriptions, want 1 from order %s", len(subs), o.ID)
	}
}

func TestCancellationDuringHangReturnsPromptly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	cu := seededCustomer(t, e)
	e.sb.SetFaults(sandbox.Faults{TimeoutRate: 1})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(150*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.c.GetCustomer(ctx, cu.ID)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancellation took %v", d)
	}

	// A deadline shorter than Retry-After ends the call at once.
	e.sb.SetFaults(sandbox.Faults{})
	e.sb.ThrottleNext(sandbox.OpGetCustomer, 1, time.Minute)
	dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer dcancel()
	start = time.Now()
	_, err = e.c.GetCustomer(dctx, cu.ID)
	if !errors.Is(err, context.DeadlineExceeded) || !pccclient.IsThrottled(err) {
		t.Errorf("err = %v, want throttled + deadline exceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("deadline case took %v, want immediate", d)
	}
}

func TestPagingCustomersMoreThanThreePages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, nil)
	if err := e.sb.SeedBulk(230, 0); err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	seen := map[string]bool{}
	for cu, err := range e.c.ListCustomers(ctx, pccclient.ListCustomersOptions{Size: 50}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[cu.ID] {
			t.Fatalf("customer %s returned twice", cu.ID)
		}
		seen[cu.ID] = true
	}
	if len(seen) != 230 {
		t.Errorf("iterated %d customers, want 230", len(seen))
	}
	pages := e.rec.sent("/v1/customers")
	if len(pages) != 5 {
		t.Errorf("fetched %d pages, want 5", len(pages))
	}
	for _, p := range pages[1:] {
		if p.Header.Get("MS-ContinuationToken") == "" || !strings.Contains(p.Query, "seekOperation=next") {
			t.Errorf("next page request lacks continuation: %s %v", p.Query, p.Header)
		}
	}
	// Breaking out stops fetching.
	before := len(e.rec.sent("/v1/customers"))
	n := 0
	for _, err := range e.c.ListCustomers(ctx, pccclient.ListCustomersOptions{Size: 50}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 60 {
			break
		}
	}
	if got := len(e.rec.sent("/v1/customers")) - before; got != 2 {
		t.Errorf("early break fetched %d pages, want 2", got)
	}
}

func TestTokenRefreshedBeforeExpiryAndCorrelationID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	<-e.clock.After(59*time.Minute + 20*time.Second) // within 40s of the 1h lifetime: still valid
	must(e.c.GetCustomer(ctx, cu.ID))(t)
	if n := e.sb.Calls(sandbox.OpToken); n != 1 {
		t.Fatalf("token calls = %d before the 30s refresh buffer, want 1", n)
	}
	<-e.clock.After(15 * time.Second) // now 25s before expiry: refresh first
	corr := uuid.NewString()
	must(e.c.GetCustomer(pccclient.WithCorrelationID(ctx, corr), cu.ID))(t)
	if n := e.sb.Calls(sandbox.OpToken); n != 2 {
		t.Errorf("token calls = %d inside the refresh buffer, want 2", n)
	}
	sent := e.rec.sent("/v1/customers/" + cu.ID)
	if got := sent[len(sent)-1].Header.Get("MS-CorrelationId"); got != corr {
		t.Errorf("MS-CorrelationId = %q, want the context's %q", got, corr)
	}
	if n := e.sb.Calls(sandbox.OpGetCustomer); n != 2 {
		t.Errorf("get-customer calls = %d, want 2 (no 401 round trips)", n)
	}
}

func TestSubscriptionHelperRetryAfterLostResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) { c.MaxAttempts = 1 })
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	var sub pccclient.Subscription
	for s, err := range e.c.ListSubscriptions(ctx, cu.ID) {
		if err != nil {
			t.Fatal(err)
		}
		if s.Status.Is(pccclient.SubscriptionActive) && s.ParentSubscriptionID == "" {
			sub = s
			break
		}
	}
	if sub.ID == "" {
		t.Skip("seeded customer has no active base subscription")
	}
	want := sub.Quantity + 1
	reqID := pccclient.NewRequestID()
	e.sb.DropNext(sandbox.OpPatchSubscription, 1) // applied, response lost; one attempt only
	if _, err := e.c.SetSubscriptionQuantity(ctx, reqID, cu.ID, sub.ID, want); !pccclient.IsUnavailable(err) {
		t.Fatalf("first try: err = %v, want unavailable (dropped)", err)
	}
	// The outbox retries later with the same request id: no 409, same result.
	s := must(e.c.SetSubscriptionQuantity(ctx, reqID, cu.ID, sub.ID, want))(t)
	if s.Quantity != want {
		t.Errorf("quantity = %d, want %d", s.Quantity, want)
	}
	if n := e.sb.Calls(sandbox.OpPatchSubscription); n != 1 {
		t.Errorf("patch calls = %d, want 1 (the retry sees the change applied)", n)
	}
}
