package handlers

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/web/static"
)

// requestTimeout bounds every non-streaming request.
const requestTimeout = 30 * time.Second

// routes is the whole URL surface of the portal.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.withRequestID, s.accessLog, s.recoverer, s.securityHeaders, compress, limitBody, s.checkInput, s.apiCrossOrigin(s.crossOrigin),
		timeout(requestTimeout),
		exceptInfra(auth.LoadAndSave(s.sessions)), exceptInfra(s.markSessionLoaded), exceptInfra(s.loadUser),
		exceptInfra(s.language), exceptInfra(s.setupGate), middleware.GetHead)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)
	forbidden := http.HandlerFunc(s.forbidden)

	// Operations.
	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Method(http.MethodGet, "/static/*", http.StripPrefix("/static", static.Handler()))
	// Browsers ask for /favicon.ico on pages that do not name an icon
	// (a redirect's interstitial, a plain-text error); send them to ours.
	r.Get("/favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, static.URL("img/favicon.svg"), http.StatusMovedPermanently)
	})

	// The reseller API: bearer tokens, never a session (api.go).
	r.Route(apiPrefix, s.apiRoutes)

	// Sign-in.
	r.Get("/login", s.h(s.loginShow))
	r.Post("/login", s.h(s.loginSubmit))
	r.Post("/logout", s.h(s.logout))
	r.Post("/language", s.h(s.languageSet))
	r.Get("/auth/oidc/start", s.h(s.oidcStart))
	r.Get("/auth/oidc/callback", s.h(s.oidcCallback))
	r.Get("/password/forgot", s.h(s.passwordForgotShow))
	r.Post("/password/forgot", s.h(s.passwordForgot))
	r.Get("/password/reset/{token}", s.h(s.passwordResetShow))
	r.Post("/password/reset/{token}", s.h(s.passwordReset))
	r.Get("/invitations/{token}", s.h(s.invitationShow))
	// The renewal calendar's feed: its secret address is its credential.
	r.Get(calendarFeedRoute, s.h(s.calendarFeed))
	r.Post("/invitations/{token}", s.h(s.invitationAccept))

	// First-run wizard (its own access rules: setup token, then the admin).
	r.Get("/setup", s.h(s.setupShow))
	r.Post("/setup/token", s.h(s.setupToken))
	r.Post("/setup/admin", s.h(s.setupAdmin))
	r.Post("/setup/pc", s.h(s.setupPC))
	r.Post("/setup/pc/test", s.h(s.setupPCTest))
	r.Post("/setup/pc/connect", s.h(s.setupPCConnect))
	r.Post("/setup/oidc", s.h(s.setupOIDC))
	r.Post("/setup/defaults", s.h(s.setupDefaults))
	r.Post("/setup/finish", s.h(s.setupFinish))

	// Every signed-in user.
	r.Group(func(r chi.Router) {
		r.Use(auth.RequireRole(forbidden, auth.RoleAdmin, auth.RoleStaff, auth.RoleCustomer, auth.RoleReseller))
		r.Get("/", s.h(s.home))
	})

	// An indirect reseller's users: only their reseller's customers, scoped
	// by the user's reseller_id in every query.
	r.Group(func(r chi.Router) {
		r.Use(auth.RequireRole(forbidden, auth.RoleReseller))
		r.Get("/reseller/customers", s.h(s.resellerCustomerList))
		r.Get("/reseller/customers/{id}", s.h(s.resellerCustomerShow))
		r.Get("/reseller/customers/{id}/subscriptions/{sid}", s.h(s.subscriptionShow))
		r.Post("/reseller/customers/{id}/subscriptions/{sid}", s.h(s.subscriptionChange))
		r.Get("/reseller/customers/{id}/subscriptions/{sid}/changes/{token}", s.h(s.subscriptionChangeShow))
		r.Get("/reseller/customers/{id}/subscriptions/{sid}/tranches", s.h(s.subscriptionTranches))
		r.Get("/reseller/prices", s.h(s.resellerPrices))
		r.Post("/reseller/prices/rules", s.h(s.resellerRuleSave))
		r.Post("/reseller/prices/rules/{id}/delete", s.h(s.resellerRuleDelete))
		r.Get("/reseller/api-tokens", s.h(s.apiTokenList))
		r.Post("/reseller/api-tokens", s.h(s.apiTokenCreate))
		r.Post("/reseller/api-tokens/{tid}/revoke", s.h(s.apiTokenRevoke))
	})

	// Reseller staff (admins too).
	r.Group(func(r chi.Router) {
		r.Use(auth.RequireRole(forbidden, auth.RoleAdmin, auth.RoleStaff))
		r.Get("/catalog", s.h(s.catalogList))
		r.Get("/catalog/{country}/offers/{id}", s.h(s.offerShow))
		r.Get("/catalog/{country}/products/{product}/skus/{sku}", s.h(s.offerShow))
		r.Get("/orders/new", s.h(s.orderNew))
		r.Get("/customers", s.h(s.customerList))
		r.Get("/resellers", s.h(s.resellerList))
		r.Get("/resellers/{tenant}", s.h(s.resellerShow))
		r.Post("/resellers/{tenant}/users/invite", s.h(s.resellerInvite))
		r.Post("/resellers/{tenant}/invitations/{inv}/revoke", s.h(s.resellerInvitationRevoke))
		r.Get("/resellers/{tenant}/users/{uid}/revoke", s.h(s.resellerUserRevokeConfirm))
		r.Post("/resellers/{tenant}/users/{uid}/revoke", s.h(s.resellerUserRevoke))
		r.Get("/customers/new", s.h(s.onboardingNew))
		r.Post("/customers/new", s.h(s.onboardingStep))
		r.Get("/customers/new/domain-check", s.h(s.onboardingDomainCheck))
		r.Post("/customers/new/create", s.h(s.onboardingCreate))
		r.Get("/customers/onboarding/{token}", s.h(s.onboardingShow))
		r.Get("/customers/onboarding/{token}/status", s.h(s.onboardingStatus))
		r.Get("/customers/{id}", s.h(s.customerShow))
		r.Post("/customers/{id}/agreement/retry", s.h(s.agreementRetry))
		r.Get("/customers/{id}/users", s.h(s.customerUserList))
		r.Post("/customers/{id}/users/invite", s.h(s.invitationCreate))
		r.Get("/customers/{id}/users/{uid}/revoke", s.h(s.customerUserRevokeConfirm))
		r.Post("/customers/{id}/users/{uid}/revoke", s.h(s.customerUserRevoke))
		r.Post("/customers/{id}/invitations/{inv}/revoke", s.h(s.invitationRevoke))
		r.Post("/customers/{id}/tenant-signin", s.h(s.customerTenantSignIn))
		r.Get("/customers/{id}/subscriptions/{sid}", s.h(s.subscriptionShow))
		r.Post("/customers/{id}/subscriptions/{sid}", s.h(s.subscriptionChange))
		r.Get("/customers/{id}/subscriptions/{sid}/changes/{token}", s.h(s.subscriptionChangeShow))
		r.Get("/customers/{id}/subscriptions/{sid}/tranches", s.h(s.subscriptionTranches))
		r.Get("/customers/{id}/subscriptions/{sid}/next-term", s.h(s.subscriptionNextTerm))
		r.Get("/customers/{id}/subscriptions/{sid}/upgrade", s.h(s.subscriptionUpgrade))
		r.Get("/customers/{id}/renewals", s.h(s.customerRenewalList))
		r.Get("/customers/{id}/renewals.csv", s.h(s.renewalExport))
		r.Post("/customers/{id}/renewal-prices", s.h(s.customerRenewalPrices))
		r.Get("/renewals", s.h(s.renewalList))
		r.Get("/renewals.csv", s.h(s.renewalExport))
		r.Get(priceChangesPath, s.h(s.priceChangeList))
		r.Post("/renewals/feed", s.h(s.renewalFeedCreate))
		r.Post("/renewals/feed/revoke", s.h(s.renewalFeedRevoke))
		r.Get("/customers/{id}/cart", s.h(s.cartShow))
		r.Post("/customers/{id}/cart/lines", s.h(s.cartLineAdd))
		r.Post("/customers/{id}/cart/lines/{line}/delete", s.h(s.cartLineDelete))
		r.Get("/customers/{id}/cart/review", s.h(s.cartReview))
		r.Post("/customers/{id}/orders", s.h(s.orderSubmit))
		r.Get("/customers/{id}/orders/{token}", s.h(s.orderShow))
		r.Post("/customers/{id}/orders/{token}/retry", s.h(s.orderRetry))
		r.Post("/customers/{id}/orders/{token}/cancel", s.h(s.orderCancel))
		r.Post("/customers/{id}/commands/{cmd}/resend", s.h(s.commandResend))
		r.Get("/customers/{id}/view/subscriptions", s.h(s.entitlementList))
		r.Get("/customers/{id}/view/subscriptions.csv", s.h(s.entitlementExport))
		r.Get("/customers/{id}/view/subscriptions/{sub}", s.h(s.entitlementShow))
		r.Get("/customers/{id}/view/orders", s.h(s.customerOrderList))
		r.Get("/customers/{id}/view/orders/{order}", s.h(s.customerOrderShow))
		r.Get("/customers/{id}/view/charges", s.h(s.chargesList))
		r.Get("/customers/{id}/view/charges.csv", s.h(s.chargesExport))
		r.Get("/customers/{id}/view/prices.csv", s.h(s.priceListExport))
		r.Get("/customers/{id}/prices.csv", s.h(s.customerPriceListExport))
		r.Get("/audit", s.h(s.auditList))
		r.Get("/audit.csv", s.h(s.auditExport))
		r.Get("/billing", s.h(s.billingList))
		r.Post("/billing/sync", s.h(s.billingSync))
		r.Get("/billing/customers/{id}", s.h(s.billingCustomer))
		r.Get("/billing/invoices/{invoice}", s.h(s.billingInvoiceShow))
		r.Post("/billing/invoices/{invoice}/reimport", s.h(s.billingReimport))
		r.Get("/billing/invoices/{invoice}/statement", s.h(s.billingStatement))
		r.Get("/billing/invoices/{invoice}/reconciliation", s.h(s.billingFindings))
		r.Get("/billing/invoices/{invoice}/customers/{pc}", s.h(s.billingInvoiceCustomer))
		r.Get("/billing/invoices/{invoice}/customers/{pc}/export.csv", s.h(s.billingExportCSV))
		r.Get("/billing/invoices/{invoice}/customers/{pc}/export.json", s.h(s.billingExportJSON))
		r.Get("/sync", s.h(s.syncShow))
		r.Get("/sync/live", s.h(s.syncLive))
		r.Post("/sync", s.h(s.syncNow))
		r.Post("/attention/{id}/dismiss", s.h(s.dismissAttention))
		r.Get("/support", s.h(s.supportQueue))
		r.Get("/support/{rid}", s.h(s.supportShow))
		r.Post("/support/{rid}/replies", s.h(s.supportReply))
		r.Post("/support/{rid}/status", s.h(s.supportStatus))
		r.Post("/support/{rid}/assign", s.h(s.supportAssign))
		r.Post("/support/{rid}/reject", s.h(s.supportReject))
		r.Get("/support/{rid}/approve", s.h(s.supportApproveConfirm))
		r.Post("/support/{rid}/approve", s.h(s.supportApprove))
		r.Post("/support/{rid}/escalate", s.h(s.supportEscalate))
		r.Post("/support/{rid}/escalation/notes", s.h(s.supportPCNote))
	})

	// Customer users: only their own customer's data.
	r.Group(func(r chi.Router) {
		r.Use(auth.RequireRole(forbidden, auth.RoleCustomer))
		r.Get("/my/subscriptions", s.h(s.entitlementList))
		r.Get("/my/subscriptions.csv", s.h(s.entitlementExport))
		r.Get("/my/subscriptions/{sub}", s.h(s.entitlementShow))
		r.Get("/my/orders", s.h(s.customerOrderList))
		r.Get("/my/orders/{order}", s.h(s.customerOrderShow))
		r.Get("/my/charges", s.h(s.chargesList))
		r.Get("/my/charges.csv", s.h(s.chargesExport))
		r.Get("/my/prices.csv", s.h(s.priceListExport))
		r.Get("/my/requests", s.h(s.supportList))
		r.Get("/my/requests/new", s.h(s.supportNew))
		r.Post("/my/requests/seats", s.h(s.supportSeatsCreate))
		r.Post("/my/requests/tickets", s.h(s.supportTicketCreate))
		r.Get("/my/requests/{rid}", s.h(s.supportShow))
		r.Post("/my/requests/{rid}/replies", s.h(s.supportReply))
	})

	// Admins.
	r.Group(func(r chi.Router) {
		r.Use(auth.RequireRole(forbidden, auth.RoleAdmin))
		r.Get("/admin/users", s.h(s.userList))
		r.Post("/admin/users", s.h(s.userCreate))
		r.Post("/admin/users/{id}/disable", s.h(s.userDisable))
		r.Post("/admin/users/{id}/enable", s.h(s.userEnable))
		r.Post("/admin/users/{id}/sign-in-delay/clear", s.h(s.userClearSignInDelay))
		r.Get("/admin/settings", s.h(s.settingsShow))
		r.Get("/admin/settings/support-profile", s.h(s.supportProfileShow))
		r.Post("/admin/settings/support-profile", s.h(s.supportProfileSave))
		r.Get("/admin/settings/seat-approval", s.h(s.seatPolicyShow))
		r.Post("/admin/settings/seat-approval", s.h(s.seatPolicySave))
		r.Post("/admin/settings/pc", s.h(s.settingsPC))
		r.Post("/admin/settings/pc/test", s.h(s.settingsPCTest))
		r.Post("/admin/settings/pc/connect", s.h(s.settingsPCConnect))
		r.Get("/admin/settings/partner-center/connect", s.h(s.pcConnect))
		r.Get("/admin/settings/partner-center/callback", s.h(s.pcCallback))
		r.Get("/admin/settings/partner-center/disconnect", s.h(s.pcDisconnectConfirm))
		r.Post("/admin/settings/partner-center/disconnect", s.h(s.pcDisconnect))
		r.Get("/admin/settings/partner-center/health", s.h(s.pcHealth))
		r.Post("/admin/settings/oidc", s.h(s.settingsOIDC))
		r.Post("/admin/settings/defaults", s.h(s.settingsDefaults))
		r.Post("/admin/settings/mail", s.h(s.settingsMail))
		r.Post("/admin/settings/mail/test", s.h(s.settingsMailTest))
		r.Get("/admin/prices", s.h(s.pricesShow))
		r.Post("/admin/prices/import", s.h(s.pricesImport))
		r.Post("/admin/prices/rules", s.h(s.pricesRuleSave))
		r.Post("/admin/prices/rules/{id}/delete", s.h(s.pricesRuleDelete))
		r.Get("/admin/alerts", s.h(s.alertsShow))
		r.Post("/admin/alerts", s.h(s.alertsSave))
		r.Post("/admin/alerts/optouts", s.h(s.alertOptOutAdd))
		r.Post("/admin/alerts/optouts/delete", s.h(s.alertOptOutRemove))
	})
	return r
}
