// Package pccclient is a typed client for the Microsoft Partner Center REST
// API (v1), used by the portal to read the catalog, customers, orders,
// subscriptions, licenses, audit records and invoices, and to deliver
// changes (create customer, MCA attestation, carts and orders, subscription
// PATCHes).
//
// # Pointing the client at Partner Center
//
//	c, err := pccclient.New(pccclient.Config{
//		PartnerTenantID: "<partner tenant GUID or domain>",
//		ClientID:        "<Entra app id>",
//		ClientSecret:    secret,
//		// Optional app+user flow (secure application model):
//		// RefreshToken: stored, OnRefreshToken: func(t string) { persist(t) },
//	})
//
// BaseURL defaults to https://api.partnercenter.microsoft.com and TokenURL
// to the v1 endpoint https://login.microsoftonline.com/{tenant}/oauth2/token
// (resource https://api.partnercenter.microsoft.com); a TokenURL containing
// /v2.0/ switches to scopes.
//
// # Pointing the client at the sandbox
//
// The simulator in pccclient/sandbox serves the same paths and a token
// endpoint on one host:
//
//	sb, _ := sandbox.New(sandbox.Options{Seed: 1})
//	srv := httptest.NewServer(sb.Handler()) // or `portal sandbox -addr ...`
//	cred := sandbox.DefaultCredentials()
//	c, _ := pccclient.New(pccclient.Config{
//		PartnerTenantID: cred.TenantID,
//		ClientID:        cred.ClientID,
//		ClientSecret:    cred.ClientSecret,
//		BaseURL:         srv.URL,
//		TokenURL:        srv.URL + "/" + cred.TenantID + "/oauth2/token",
//	})
//
// # Requests, retries, limits
//
// Every request carries Authorization, Accept: application/json,
// MS-RequestId, MS-CorrelationId, MS-Contract-Version: v1, X-Locale and a
// User-Agent "cspportal/<Version>". Write operations take the MS-RequestId
// as their requestID argument (a GUID; see NewRequestID): the outbox stores
// it with the intended change and passes the same id on every retry, and PC
// replays the first result instead of doing the work twice. The body of a
// call is encoded once, so retries are byte-identical. Reads get a fresh id.
//
// A call is attempted at most Config.MaxAttempts times (default 4). A 401
// refreshes the token once and retries without counting as an attempt. A 429
// waits Retry-After (on Config.Clock; capped by MaxRetryAfter), 5xx and
// network errors (including a dropped connection) back off exponentially
// with jitter. A context deadline that would pass during a wait ends the
// call at once. Before each attempt the call takes a token from its
// operation class's rate limiter (DefaultRateLimits; Config.RateLimits
// overrides, rate.Inf disables).
//
// # Errors
//
// Failures from PC are *Error values (HTTP status, PC code and description,
// request and correlation ids, RetryAfter) tested with IsNotFound,
// IsThrottled, IsConflict, IsValidation, IsForbidden, IsUnavailable,
// IsUnauthorized and HasCode. Arguments are checked before any network call
// and refused with *ArgumentError (IsValidation reports it too). Token
// failures are *TokenError with the OAuth error and description (never the
// secret).
//
// # Collections
//
// List operations return iter.Seq2[T, error] iterators that follow PC's
// paging (links.next with the MS-ContinuationToken header for customers and
// audit records, offsets for offers and invoices) until done:
//
//	for cu, err := range c.ListCustomers(ctx, pccclient.ListCustomersOptions{}) {
//		if err != nil { return err }
//		...
//	}
//
// # Models
//
// Model types use PC's JSON member names; enums are typed strings so unknown
// values survive; timestamps are time.Time; amounts are json.Number (see
// Decimal). Decoding tolerates unknown members (kept in Extra) and
// re-encoding writes back exactly what was read plus the caller's changes,
// which PatchSubscription relies on (see codec.go for the rules).
package pccclient
