// Package sandbox is a faithful, stateful, in-memory Partner Center (PC)
// simulator: an http.Handler that serves the same paths, JSON shapes,
// status codes and error bodies as PC REST v1, plus an Entra-style token
// endpoint, so the portal, its tests and demos run without a Microsoft
// account. It does not import pccclient: it is an independent
// implementation of the wire format, so client tests against it catch
// drift on either side.
//
// # Serving
//
//	sb, err := sandbox.New(sandbox.Options{Seed: 1})
//	srv := httptest.NewServer(sb.Handler())
//	creds := sb.Credentials() // TenantID, ClientID, ClientSecret
//
// Point a client at it with API base URL srv.URL (PC paths live under
// /v1) and token URL srv.URL+"/"+creds.TenantID+"/oauth2/token" (v1 shape,
// numbers as strings) or .../oauth2/v2.0/token (v2 shape). To use real
// Partner Center instead, use https://api.partnercenter.microsoft.com and
// https://login.microsoftonline.com/{tenant}/oauth2/token with the
// partner's own application credentials.
//
// Standalone: `portal sandbox --addr 127.0.0.1:8090` prints the same and the
// partner users (flags -read-after-create, default 20s, and -allow-app-only). A
// token and the offer catalog by curl:
//
//	TOKEN=$(curl -s -X POST http://127.0.0.1:8090/6e1b3f5a-0000-4000-8000-00000000cafe/oauth2/token \
//	  -d grant_type=client_credentials \
//	  -d client_id=5ad1b0c2-5a4d-4b0e-9c1e-000000005a4d \
//	  -d client_secret=sandbox-secret-not-for-production \
//	  -d resource=https://api.partnercenter.microsoft.com | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
//	curl -s -H "Authorization: Bearer $TOKEN" -H "X-Locale: en-US" \
//	  'http://127.0.0.1:8090/v1/offers?country=US&size=3'
//
// # Identity: app-only, consent, app+user
//
// The token endpoints take three grants. client_credentials gives an
// app-only token. authorization_code redeems a code from the sign-in page
// at GET/POST /{tenant}/oauth2/v2.0/authorize (and the v1
// /{tenant}/oauth2/authorize): a plain HTML form (no script or style, served
// with a strict CSP) where the partner users of Options.Users sign in
// (DefaultUsers: admin@sandbox.test / sandbox-admin with MFA,
// nomfa@sandbox.test / sandbox-nomfa without). PKCE with S256 is required,
// the code is single-use (AADSTS54005), lives 10 minutes (AADSTS70008),
// needs the same redirect_uri and a matching code_verifier (AADSTS501481);
// Cancel redirects with error=access_denied. refresh_token redeems a
// refresh token and rolls it: the old one is spent (AADSTS70000; Entra
// itself is more lenient, the sandbox is strict so a portal that keeps a
// spent token fails visibly), an unused one expires after
// Options.RefreshTokenLifetime (default 90 days, sliding; AADSTS700082), a
// revoked one gives AADSTS50173, all as invalid_grant. Refresh tokens are
// persisted with the state; access tokens and codes are not.
//
// The same page signs users in to an app with OpenID Connect when the
// scope asks for "openid" without Partner Center's user_impersonation
// (signin.go): discovery at /{tenant}/v2.0/.well-known/openid-configuration
// ("organizations" and "common" publish the issuer {base}/{tenantid}/v2.0),
// keys at /{tenant}/discovery/v2.0/keys, a nonce required, and an RS256 ID
// token naming the user's tenant (tid, oid, email, amr). Besides the
// partner users, the admin of every customer tenant signs in as
// admin@<the customer's domain>: seeded customers with
// CustomerAdminPassword, customers created through the API with the
// one-time password of their userCredentials.
//
// Access tokens are JWT-shaped (unsigned) with aud, iss, tid, appid, idtyp
// ("app" or "user"), upn, amr (["pwd","mfa"] or ["pwd"]), iat and exp on
// the sandbox clock; the sandbox also keeps its own table of them. Every
// app+user call without "mfa" in amr gets 401 code 400 (PC enforces MFA on
// app+user since April 2026 and documents no specific code), and the
// App+User-only operations (AppUserOperations: create-agreement,
// list-agreements, get-agreement-metadata, list-subscribed-skus,
// list-indirect-resellers) refuse app-only tokens with 401 code 400 unless
// Options.AllowAppOnlyEverywhere.
//
// # Price sheets
//
// Partner Center serves price sheets from its pricing host,
// api.partner.microsoft.com (learn.microsoft.com "Get a price sheet"):
//
//	GET /v1.0/sales/pricesheets(Market='US',PricesheetView='updatedlicensebased')/$value
//	    ?timeline=current|history|future[&month=YYYYMM]
//
// PricingHandler serves it at its root for a listener of its own; Handler
// also serves it under PricingPathPrefix (/pricing), so a client's pricing
// base URL is the sandbox URL + "/pricing". It takes only tokens for the
// audience PricingResource (https://api.partner.microsoft.com: resource= on
// the v1 token endpoint, scope=.../user_impersonation on v2), App+User with
// MFA like PC (an app-only token, a token without MFA or one for the REST
// API gets 401 with the pricing host's body {"statusCode":401,"message":
// "Unauthorized: ..."}). The answer is a streamed file: the CSV (every field
// quoted, CRLF, header LicenseBasedColumns: ProductTitle, ProductId, SkuId,
// SkuTitle, Publisher, SkuDescription, UnitOfMeasure, TermDuration,
// BillingPlan, Market, Currency, UnitPrice, PricingTierRangeMin,
// PricingTierRangeMax, EffectiveStartDate, EffectiveEndDate, Tags, ERP Price,
// Segment; dates like "2/1/2019 12:00:00 AM", an open end 11/30/9999
// 11:59:59 PM) or, with Accept-Encoding: deflate, a zip holding sheets.csv.
// timeline defaults to current; history needs month (400 otherwise; 404
// before January 2022 or for a month not begun); future is next month's
// sheet, 404 when no change is published for it (as PC documents), and 400
// for marketplace. azure_consumption answers its documented header and no
// rows; azure_reservations, software and marketplace 404; other views 400.
//
// Prices come from one model (pricing.go) for the sheet and for orders'
// include_price (the UnitPrice of the order's month): for every new-commerce
// SKU, availability term and billing plan of the catalog, in the market's
// currency, from the seed's monthly price (the ERP Price of paying up
// front): upfront and annual plans bill that times the months; monthly
// billing of P1Y/P3Y costs 5% more (from April 2025; earlier months' sheets
// show it without); P1M costs 20% more than P1Y; UnitPrice is 80% of ERP
// (the ratio of PC's sample row); trials are free; amounts are decimals
// rounded to cents. New publishes a PriceChange for the first day of the
// month after its clock's start (every fourth SKU +3%, the next -5%); once
// the clock passes it, current shows the new prices and future answers 404
// until SchedulePriceChange (or POST /_sandbox/pricechanges) publishes
// another. Changes are persisted with the state. SetPriceSheetBulkRows (or
// Options.PriceSheetBulkRows, POST /_sandbox/pricesheet) appends
// deterministic synthetic SKUs (P1M/P1Y/P3Y, every plan, same rules) for
// import benchmarks; rows are written as they are computed, so a 100k-row
// sheet is never held in memory.
//
// # Billing
//
// The sandbox bills what it has seen (billing_ledger.go): every term a
// subscription starts (purchase, renewal, transition) with its price, and
// every change of seats or status on its clock. A month closes on the 8th
// of the next month into one invoice per currency ("G" ids) with new,
// cycleCharge, renew, pro-rated addQuantity/removeQuantity and
// cancelImmediate lines and the Azure plans' daily usage; BillingInvoices
// returns them for tests. Microsoft Graph's billing API is served under
// GraphPathPrefix (tokens for GraphResource, app-only or app+user): export
// -> 202 Location -> operation running with Retry-After until
// BillingConfig.ExportDelay passed on the sandbox clock (default 2
// minutes), then succeeded with a manifest link, or failed with code 5000
// "No data available" -> manifest (rootDirectory, SAS token valid 12 hours,
// blobs of BlobRows lines) -> gzip JSON-lines blobs under BlobPathPrefix,
// rendered as they are read (Azure Storage's XML errors: 403 for a bad or
// expired signature, 404, and with FailBlobOnce one 500). The basic
// attribute set is accepted but answered with every attribute. BulkLines
// appends synthetic lines (benchmarks). SetBillingConfig or POST
// /_sandbox/billing {"exportDelaySeconds","bulkLines","blobRows","noData",
// "failBlobOnce"} tune it. The v1 invoices list the new invoices with the
// legacy seeded ones; their line items page 2,000 at a time with
// continuation tokens; the statement is a PDF.
//
// # PC's rough edges
//
//   - Options.ReadAfterCreateDelay: a customer created through the API
//     answers 404 60003 on every call for it until the delay has passed on
//     the sandbox clock (PC: about 90 s). These refusals bypass the
//     idempotency cache, so a retry with the same MS-RequestId does the work.
//   - RemoveRelationship: every call for the customer answers 403 20002 "The
//     partner id {0} has no commerce relationship with the customer id
//     {1}."; it stays in the customer list.
//   - SetDelegatedAdmin(id, false): subscribedskus answers 403 2032 "Access
//     denied" (reading the customer tenant's licenses needs a GDAP role; PC
//     documents no specific code).
//   - SetSubscriptionStatus: any status string (expired, disabled, deleted,
//     or a future one); the partner cannot change a subscription in a status
//     the sandbox does not model (400 800040), time leaves it alone.
//
// # State and time
//
// State is in memory behind one RWMutex, optionally persisted to
// Options.StateFile (JSON, written 0.5 s after a change, later for big
// states, and at Close; loaded by New). Access tokens, authorization codes
// and the idempotency cache are not persisted; refresh tokens are. Time
// comes from a Clock: virtual by default (tests call Advance), or the wall
// clock (Options.RealTime). Orders are pending for Options.OrderDelay of
// sandbox time, then complete and their subscriptions become active (an
// add-on whose base was suspended or ended meanwhile takes the base's
// state). Ids, demo data and fault decisions come from a PCG seeded with
// Options.Seed.
//
// # The subscription lifecycle
//
// Driven by the clock (lifecycle.go; learn.microsoft.com "Subscription
// lifecycle states", "Schedule changes for a new commerce subscription",
// "Transition a new commerce subscription"):
//
//   - Tranches: each new-commerce purchase, renewal and seat increase is a
//     tranche with its own return window (the term's longest refund option,
//     P7D = 168 h); GET subscription shows refundableQuantity {totalQuantity,
//     details[{quantity, allowedUntilDateTime}]} as of the request. A
//     decrease removes seats of open tranches, newest first (our choice; PC
//     documents no order). cancellationAllowedUntilDate and refundOptions
//     belong to the purchase or renewal.
//   - Renewal: from 00:00 UTC the day after commitmentEndDate (new-commerce
//     end dates are inclusive), in a queue slot under 4 h fixed per
//     subscription (PC: up to 24 h). The new term applies the scheduled
//     next-term instructions, opens a tranche and window for the whole
//     quantity and records its unit price: the catalog's, or a TermPricer's
//     (SetTermPricer; a price sheet plugs in there). Renewals, expiries,
//     disabling and deletion write update_subscription audit records from
//     "FulfillmentService" whose resourceNewValue names the subscription.
//   - After the term (new commerce): auto-renew off → expired for 30 days →
//     disabled for 90 → deleted; suspended at the term end (billed until
//     then) → disabled for 30 + 90 days → deleted; cancelled in the window →
//     deleted at once. Legacy: suspended → deleted after 90 days or at the
//     term end, whichever is first (PC's page says both); auto-renew off →
//     expired. Suspending a new-commerce subscription removes its scheduled
//     changes and turns auto-renew off (our reading: a suspended
//     subscription never renews); reactivating restores neither. PC has no
//     fields for these dates: Lifecycle (and /_sandbox/.../lifecycle) shows
//     them, with the tranches and term prices.
//   - Transitions: GET .../transitionEligibilities (also
//     .../transitioneligibilities) with eligibilityType immediate (default)
//     lists upgrades from upgradePaths (our table of the Microsoft 365
//     ladder; the Business Premium trial converts to paid), scheduled adds
//     the current SKU; each target has a transition_only and a
//     transition_with_license_transfer eligibility with TransitionErrors
//     (2 source not active, 3 conflicting subscriptions for licence
//     transfer: another active subscription of the source's SKU, 4 a
//     transition already running, 9 not provisioned yet, 10 the target has
//     no such term) and subscriptionEligibilities (active subscriptions of
//     the target on the same term). POST .../transitions answers 200 with
//     the Transition and a Conversion Started event; after Options.OrderDelay
//     it completes (Conversion Completed, LicenseReassignment Completed for a
//     licence transfer, upgrade_subscription or convert_trial_subscription
//     audit record): all seats change the subscription in place (same id),
//     fewer move to a new subscription (toSubscriptionId) or to the
//     toSubscriptionId given. GET .../transitions[?operationId=] is the
//     history.
//
// The seeded catalog (seed/catalog.json, generated by seed/gen*.go) is PC's
// as resellers buy in 2026. License-based purchases are new commerce only
// (since 1 September 2024): the 35 legacy offers (suites, standalone apps,
// add-ons with prerequisiteOffers, usage-based Azure offers) still back
// existing subscriptions and list as isAvailableForPurchase false; orders
// of them answer 403 2091 and cart lines LegacyOfferNotEligibleForPurchase
// unless Options.LegacyPurchases (or /_sandbox/options legacyPurchases)
// brings the old catalog back for tests of legacy flows. 26 new-commerce
// products: P1M (monthly billing), P1Y (monthly or annual) and, for
// Microsoft 365 E3/E5, Business Premium and Dynamics 365, P3Y (monthly,
// annual or triennial), refund windows P1D full and P7D partial; add-ons
// flagged in the SKU's dynamicAttributes (isAddon, prerequisiteSkus as
// productId:skuId of their bases) as PC's documented SKU shows; SKU titles
// repeat the product's title as PC's do (a client shows one of them); the
// Azure plan is usage based. Prices are monthly-equivalent per term and
// billing plan in USD, EUR and GBP (countries US, DE, FR, NL, GB; monthly
// billing of a P1Y or P3Y term costs 5% more, a P1M term 20% more):
// PriceList. Six NCE promotions (GET /productpromotions lists the running
// ones per market, /productpromotions/{id} any, also ended):
// percentage discounts on some terms of a SKU, one auto-applied, with
// eligibility rules (seat range, first purchase only, prerequisite
// product, market) that POST /customers/{id}/promotionEligibilities
// reports and cart and order lines enforce. Country validation rules
// (GET /countryvalidationrules/{cc}) exist for every ISO 3166-1 country:
// real rules for US, CA, GB, DE, FR, NL and AU, generic ones elsewhere.
// Seven demo customers: six with the MCA accepted and subscriptions (one
// with an add-on bought with its base, one NCE purchase still inside its
// 7-day window, one suspended legacy subscription) and Litware Inc without
// MCA.
//
// # Rules (HTTP status and PC code)
//
//   - missing Authorization: 401 800001; unknown/expired/revoked token: 401 "400" Access denied;
//     app-only token on an App+User-only operation or app+user token without MFA: 401 "400"
//   - relationship removed: 403 20002; license usage without delegated admin: 403 2032;
//     new customer within ReadAfterCreateDelay: 404 60003
//   - create customer with a domain that exists: 409 "409" (our choice; PC documents no code);
//     missing required fields: 400 3000; registration number rules: 600049 / 600002;
//     unsupported country: 403 2030
//   - order, order patch or checkout before MCA attestation: 403 13605
//   - quantity below the minimum: 400 2002; above the maximum: 403 800067 in orders and
//     carts, 400 2002 in subscription PATCH
//   - line item numbers not 0..n-1: 400 800071; unknown offer: 400 800004; legacy offer
//     (without LegacyPurchases): 403 2091 in orders and order patches, cart line item error
//     LegacyOfferNotEligibleForPurchase
//   - promotionId not eligible (unknown, ended, other market, other SKU or term, seats,
//     first purchase only, prerequisite product): cart line item error InvalidPromotionId
//     (additionalInformation: the eligibility error type), 400 800002 in orders (PC documents
//     no code); an eligible auto-applicable promotion applies without a promotionId
//   - second MCA confirmation with the same contact (name, email, phone): 400 with PC's
//     commerce body {code: 600061, errorName: PartnerConfirmedAgreementAlreadyExists, ...};
//     the agreement's userId is the app+user token's user (oid)
//   - add-on without an active parent of a prerequisite offer/sku (or a non add-on with a
//     parent): 400 800029
//   - NCE seat decrease beyond the refundable seats of open tranches: 400 800090. NCE cancel
//     (status deleted) after the window following purchase/renewal: 400 900117 (also when
//     suspended); suspending a usage-billed NCE subscription: 400 800096; legacy delete: 400 800040
//   - suspended subscription: quantity change 400 2001, anything but reactivation (or an NCE
//     cancel in the window) 400 800091; reactivating an add-on whose parent is not active: 409 27009
//   - deleted subscription: 400 2011; expired or disabled: 400 800040; pending: 409 800060
//   - scheduledNextTermInstructions: legacy subscription 400 3000; auto-renew off (after the
//     PATCH) 400 800002 (our choice: PC documents the prerequisite, no code); product missing
//     400 3000; unknown item 400 800004; not a scheduled target 400 800002 with TransitionError
//     8 in data; no such term 400 800002; quantity out of range 400 2002; customTermEndDate
//     outside the next term 400 800002; with a quantity change in the same request 400 800002
//     (our choice). Seat changes, suspension, auto-renew off and completed transitions delete them.
//   - transitions: ineligible target or type 400 800002 with the TransitionErrors in data (our
//     choice: PC documents the eligibility errors, not the refusal's code); no paths: error 7;
//     not a path: 8; toCatalogItemId missing 400 3000; quantity above the source's, a foreign
//     fromSubscriptionId, an unknown transitionType or toSubscriptionId: 400 800002
//   - billing cycle change by subscription PATCH: 400 2054 (legacy) / 800097 (NCE)
//   - autoRenewEnabled on usage or trial subscriptions: 400 800093; usage quantity: 400 800095
//   - If-Match with a stale etag: 400 2055
//   - cart already checked out: 400 800065; cart with line item errors: 400 800009;
//     unknown or expired cart: 404 800008; checkout rule failures become orderErrors
//   - audit records with startDate more than 90 days back: 400 "400"
//   - trial offer bought twice (LifeTime limit): 400 27006
//   - partnerIdOnRecord (or cart TransactionReseller) not an indirect reseller of the
//     partner: 404 800015; reseller without the Microsoft Partner Agreement: 403 900123
//     (GET /v1/relationships lists the three seeded resellers)
//   - catalog: missing country 400 800002, unsupported country 400 800070, new-commerce id
//     on the offers API 400 2100, unknown targetView 403 400036, unknown product 404 400013,
//     unknown SKU 404 400018, other unknown ids (offer, availability, promotion, country)
//     404 1000;
//     unknown order 404 20000, subscription 404 20003, customer 404 60003
//
// Suspending a base suspends its add-ons (reactivating it reactivates them);
// entitlements list subscriptions that are active, paid (not trials) and not
// replaced (migratedFromSubscriptionId); every change writes an audit record
// (add_customer, create_agreement, create_order, update_order,
// update_subscription, upgrade_subscription, convert_trial_subscription) whose
// resourceNewValue is a PascalCase JSON string; records of one change get ids a tick apart.
//
// # Idempotency
//
// A write with an MS-RequestId already used for the same method, path and
// body in the last 24 h (sandbox time) replays the first response without
// doing the work again; concurrent duplicates wait for the first. The same
// id with a different request gets 409. 429 and 5xx outcomes are not kept.
//
// # Throttling
//
// Options.PCThrottling (or Faults.PCModel, "pcModel" in /_sandbox/faults)
// turns on Partner Center's throttling model: the APIs PC's guidance
// lists (ThrottledOps) are limited per minute of sandbox time, per
// partner or per partner and customer, and answer 429 with Retry-After
// and PC's throttling body; other APIs are never throttled. See
// pcthrottle.go for the sources and the defaults PC does not publish.
//
// # Faults
//
// SetFaults (latency, 5xx rate, timeouts, apply-then-drop, per-operation
// throttles counted per minute of sandbox time, partner-wide or per
// customer), the one-shot ThrottleNext,
// FailNext and DropNext, RevokeTokens, RevokeUserTokens, the rough edges
// above and the strictness switches (SetReadAfterCreateDelay,
// SetAllowAppOnlyEverywhere, SetLegacyPurchases), also over HTTP under
// /_sandbox (see admin.go). Operation ids are the Op* constants: the agreed
// list plus get-order-provisioning-status, list-indirect-resellers,
// update-cart, get-transition-eligibilities, create-transition,
// list-transitions, get-price-sheet (faults apply to the pricing API too),
// list-promotions, get-promotion, check-promotion-eligibilities and
// get-country-validation-rules.
//
// # Throughput
//
// Every read serves at least 5,000 GET/s with 16 connections on a loaded
// 2-core machine: catalog answers are rendered once per path, query,
// X-Locale and legacy switch; customer-state answers once per state
// generation (every write bumps it) and second of sandbox time; the
// request path takes no lock unless a fault is armed. Measure with
// BenchmarkReadEndpoints (go test -run '^$' -bench ReadEndpoints) or, from
// outside, wrk-reads.sh against `portal sandbox`.
package sandbox
