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
//		UserTokens:      store, // optional: the partner admin's refresh token
//	})
//
// BaseURL defaults to https://api.partnercenter.microsoft.com and TokenURL
// to the v1 endpoint https://login.microsoftonline.com/{tenant}/oauth2/token
// (resource https://api.partnercenter.microsoft.com); a TokenURL containing
// /v2.0/ switches to scopes.
//
// # Credentials: app-only and app+user
//
// Every operation uses the app-only token (client credentials) except the
// ones Partner Center documents as "App+User only" (RequiredCredential;
// today create-agreement, list-agreements, get-agreement-metadata,
// list-subscribed-skus and get-price-sheet, each with its learn.microsoft.com
// page in credentials.go). Those use a
// delegated token of a partner admin redeemed from the refresh token in
// Config.UserTokens, a RefreshTokenStore (the portal: Postgres, SELECT ...
// FOR UPDATE; tests and tools: MemoryTokenStore). Entra rolls the refresh
// token: the client redeems it inside RefreshTokenStore.Rotate, which holds
// a lock spanning replicas and stores the new token before releasing it, so
// two replicas never redeem the same token. Within one client concurrent
// callers share one redeem and the access token is cached until 30 s
// before it expires. A redeem whose answer is lost on the network may have
// spent the stored token; the next redeem then fails with invalid_grant and
// the admin must reconnect.
//
// An app+user operation that cannot run returns a *ConsentError
// (IsConsentRequired) instead of a raw 401: NotConnected (no refresh token
// stored or no store: the call is still tried app-only, and PC's 401
// becomes the error), Expired (the identity endpoint answered invalid_grant:
// spent, inactive for 90 days or revoked; PC is not called), MFARequired
// (the admin's token has no "mfa" in its amr claim; PC enforces MFA on
// every app+user call since April 2026) or Forbidden (PC refused the
// admin's token otherwise). Err holds PC's *Error or the *TokenError.
//
// Connecting an admin is the OAuth authorization-code flow with PKCE:
// NewPKCE, AuthorizeURL (the v2.0 authorize endpoint on the authority of
// TokenURL) and, at the callback, ExchangeCode, whose Grant has the refresh
// token to store, the user and whether the sign-in used MFA. Probe makes one
// cheap read with a given credential and UserInfo tells who the last
// app+user token belongs to, for a connection health panel.
//
// Customer-level refusals are ordinary *Error values with helpers:
// IsNoRelationship (403 20002, the customer removed the partner) and
// IsNoDelegatedAdmin (403 2032 on license usage without a DAP/GDAP role).
// New customers may answer 404 for a while after creation (PC's eventual
// consistency); callers retry with the same MS-RequestId.
//
// # Pointing the client at the sandbox
//
// The simulator in pccclient/sandbox serves the same paths and a token
// endpoint on one host:
//
//	sb, _ := sandbox.New(sandbox.Options{Seed: 1})
//	srv := httptest.NewServer(sb.Handler()) // or `portal sandbox -addr ...`
//	cred := sandbox.DefaultCredentials()
//	rt, _ := sb.IssueRefreshToken("admin@sandbox.test") // a partner admin's consent, without the browser
//	c, _ := pccclient.New(pccclient.Config{
//		PartnerTenantID: cred.TenantID,
//		ClientID:        cred.ClientID,
//		ClientSecret:    cred.ClientSecret,
//		BaseURL:         srv.URL,
//		TokenURL:        srv.URL + "/" + cred.TenantID + "/oauth2/token",
//		UserTokens:      pccclient.NewMemoryTokenStore(rt),
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
// budget, in the scope PC throttles it in (ThrottleScope): one per listed
// API and customer, so many customers are read at once; one per listed
// per-partner API; one per class for the APIs PC does not throttle
// (Budgets, DefaultBudgets). A 429 pauses the whole scope for Retry-After
// and halves its rate, which successes bring back; other scopes go on.
// Config.RateLimits pins a class to one bucket instead (rate.Inf: none).
//
// # Errors
//
// Failures from PC are *Error values (HTTP status, PC code and description,
// request and correlation ids, RetryAfter) tested with IsNotFound,
// IsThrottled, IsConflict, IsValidation, IsForbidden, IsUnavailable,
// IsUnauthorized, HasCode, IsNoRelationship, IsNoDelegatedAdmin,
// IsOfferNotPurchasable (a legacy offer: 403 2091) and
// IsAgreementAlreadyConfirmed (600061); an
// app+user credential problem is a *ConsentError (see above). Arguments are checked before any network call
// and refused with *ArgumentError (IsValidation reports it too). Token
// failures are *TokenError with the OAuth error and description (never the
// secret).
//
// # The subscription lifecycle
//
// New-commerce subscriptions carry RefundableQuantity: the seats that can
// still be removed, one RefundableQuantityDetail per tranche (a purchase,
// a renewal or a seat increase, each with its own 7-day window), next to
// CancellationAllowedUntilDate and RefundOptions of the purchase or renewal.
// Next-term changes: GetTransitionEligibilities with EligibilityScheduled
// lists the targets, ScheduleNextTermChange sets
// ScheduledNextTermInstructions (auto-renew must be on) and
// ClearScheduledNextTermChange removes them; both PATCH with If-Match of
// their read (PatchSubscriptionIfMatch; a change in between is refused,
// IsStaleEtag). Any immediate mid-term change (seats, suspension, an
// upgrade, auto-renew off) makes PC delete them. Upgrades now:
// GetTransitionEligibilities (EligibilityImmediate), CreateTransition and
// ListTransitions, whose Transition.Status follows the Conversion event;
// a refused transition or scheduled target carries TransitionErrors. PC
// has no fields for the dates after a term (expired, disabled, deleted):
// they follow from Status and CommitmentEndDate (learn.microsoft.com
// "Subscription lifecycle states").
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
// # Price sheets
//
// Price sheets come from Partner Center's pricing host, not the REST host:
// Config.PricingBaseURL (default https://api.partner.microsoft.com; the
// sandbox: its URL + sandbox.PricingPathPrefix) with tokens for
// Config.PricingResource (the same default; the refresh token of UserTokens
// is redeemed for that audience, so the Entra app needs the pricing API's
// delegated permission too). Like agreements they are App+User only
// ("get-price-sheet" in RequiredCredential), with the same *ConsentError.
//
//	sheet, err := c.GetPriceSheet(ctx, "US", pccclient.ViewUpdatedLicenseBased, pccclient.TimelineFuture, time.Time{})
//	if err != nil { return err }
//	defer sheet.Close()
//	if sheet.NoPlannedChange { ... } // PC's 404 for a future with no changes
//	for sheet.Next() {
//		row := sheet.Row() // PriceSheetRow: decimal UnitPrice and ERPPrice, UTC dates
//	}
//	return sheet.Err()
//
// The client asks for the zip (OpenPriceSheet with Uncompressed for the
// CSV) and reads either as it arrives; ReadPriceSheet reads a downloaded
// file the same way.
//
// # Catalog
//
// Since September 2024 license-based purchases are new commerce: products,
// SKUs and availabilities (catalogItemId productId:skuId:availabilityId)
// with P1M, P1Y and, for some SKUs, P3Y terms and their billing plans. A
// SKU is an add-on when its dynamicAttributes say isAddon, and
// prerequisiteSkus names its bases (productId:skuId); purchasePrerequisites
// lists agreements and checks, not bases. Legacy offers (ListOffers) remain
// for existing subscriptions; ordering one fails with IsOfferNotPurchasable.
// ListProductPromotions, GetProductPromotion and CheckPromotionEligibilities
// cover promotions (promotionId on cart and order lines); Markets and
// GetCountryValidationRules the address rules of a customer's country.
//
// # Billing (Microsoft Graph and v1)
//
// Invoice reconciliation data lives on Microsoft Graph (Config.GraphBaseURL,
// default https://graph.microsoft.com; the sandbox: its URL +
// sandbox.GraphPathPrefix) with tokens for Config.GraphResource; its
// permission, PartnerBilling.Read.All, is granted to the application, so
// the calls are app-only. An export is asynchronous:
//
//	loc, err := c.StartBillingExport(ctx, pccclient.ExportRequest{Dataset: pccclient.BilledReconciliation, InvoiceID: id})
//	op, err := c.GetBillingOperation(ctx, loc)   // running: wait op.RetryAfter; failed: op.Error (NoData)
//	m, err := c.GetBillingManifest(ctx, op.ManifestURL)
//	lines, err := c.OpenBillingBlob(ctx, m, m.Blobs[0]) // gzip JSON lines, streamed, no PC token sent
//	for lines.Next() { l, err := pccclient.DecodeReconLine(lines.Bytes()) }
//
// URLs Graph hands out are followed on Graph's host only. Older periods and
// clouds without Graph billing (CloudOf) read v1's InvoiceLineItemsPage
// (2,000 items a page, continuation tokens); GetInvoiceStatement opens the
// PDF.
//
// # Models
//
// Model types use PC's JSON member names; enums are typed strings so unknown
// values survive; timestamps are time.Time; amounts are json.Number (see
// Decimal). Decoding tolerates unknown members (kept in Extra) and
// re-encoding writes back exactly what was read plus the caller's changes,
// which PatchSubscription relies on (see codec.go for the rules).
package pccclient
