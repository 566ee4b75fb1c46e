package sandbox

import "net/http"

// routes registers every path. PC paths follow REFERENCE.md exactly.
func (s *Sandbox) routes() {
	s.handle("POST /{tenant}/oauth2/token", OpToken, lockNone, false, s.tokenHandler(false))
	s.handle("POST /{tenant}/oauth2/v2.0/token", OpToken, lockNone, false, s.tokenHandler(true))
	for _, p := range []string{"/{tenant}/oauth2/v2.0/authorize", "/{tenant}/oauth2/authorize"} {
		s.mux.HandleFunc("GET "+p, s.authorizeHandler)
		s.mux.HandleFunc("POST "+p, s.authorizeHandler)
	}
	// Browsers showing the sign-in page ask for a favicon; Entra's sign-in
	// pages have one, so answer it rather than log a 404 in the console.
	s.mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfiguration)
	s.mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.signingKeys)
	s.mux.HandleFunc("GET /sandbox-signin.css", signInStyle)
	s.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

	s.handle("GET /v1/offers", OpListOffers, lockNone, true, s.cached(s.listOffers))
	s.handle("GET /v1/offers/{id}", OpGetOffer, lockNone, true, s.cached(s.getOffer))
	s.handle("GET /v1/offers/{id}/addons", OpListOfferAddons, lockNone, true, s.cached(s.listOfferAddons))
	s.handle("GET /v1/products", OpListProducts, lockNone, true, s.cached(s.listProducts))
	s.handle("GET /v1/products/{pid}", OpGetProduct, lockNone, true, s.cached(s.getProduct))
	s.handle("GET /v1/products/{pid}/skus", OpListSkus, lockNone, true, s.cached(s.listSkus))
	s.handle("GET /v1/products/{pid}/skus/{sid}", OpGetSku, lockNone, true, s.cached(s.getSku))
	s.handle("GET /v1/products/{pid}/skus/{sid}/availabilities", OpListAvailabilities, lockNone, true, s.cached(s.listAvailabilities))
	s.handle("GET /v1/products/{pid}/skus/{sid}/availabilities/{aid}", OpGetAvailability, lockNone, true, s.cached(s.getAvailability))

	s.handle("GET /v1/productpromotions", OpListPromotions, lockNone, true, s.cachedBy(s.runningPromotions, s.listPromotions))
	s.handle("GET /v1/productpromotions/{id}", OpGetPromotion, lockNone, true, s.cached(s.getPromotion))
	s.handle("POST /v1/customers/{cid}/promotionEligibilities", OpCheckPromotionEligibilities, lockRead, true, s.promotionEligibilities)
	s.handle("GET /v1/countryvalidationrules/{country}", OpGetCountryValidationRules, lockNone, true, s.cached(s.countryRules))

	s.handle("HEAD /v1/domains/{domain}", OpCheckDomain, lockRead, true, s.checkDomain)
	s.handle("POST /v1/customers", OpCreateCustomer, lockWrite, true, s.createCustomer)
	s.handle("GET /v1/customers", OpListCustomers, lockRead, true, s.stateCached(s.listCustomers))
	s.handle("GET /v1/customers/{cid}", OpGetCustomer, lockRead, true, s.stateCached(s.getCustomer))
	s.handle("POST /v1/customers/{cid}/agreements", OpCreateAgreement, lockWrite, true, s.createAgreement)
	s.handle("GET /v1/customers/{cid}/agreements", OpListAgreements, lockRead, true, s.stateCached(s.listAgreements))
	s.handle("GET /v1/agreements", OpGetAgreementMetadata, lockNone, true, s.cached(s.agreementMetadata))

	s.handle("POST /v1/customers/{cid}/carts", OpCreateCart, lockWrite, true, s.createCart)
	s.handle("GET /v1/customers/{cid}/carts/{cartid}", OpGetCart, lockRead, true, s.stateCached(s.getCart))
	s.handle("PUT /v1/customers/{cid}/carts/{cartid}", OpUpdateCart, lockWrite, true, s.updateCart)
	s.handle("POST /v1/customers/{cid}/carts/{cartid}/checkout", OpCheckoutCart, lockWrite, true, s.checkoutCart)
	s.handle("POST /v1/customers/{cid}/orders", OpCreateOrder, lockWrite, true, s.createOrder)
	s.handle("GET /v1/customers/{cid}/orders", OpListOrders, lockRead, true, s.stateCached(s.listOrders))
	s.handle("GET /v1/customers/{cid}/orders/{oid}", OpGetOrder, lockRead, true, s.stateCached(s.getOrder))
	s.handle("PATCH /v1/customers/{cid}/orders/{oid}", OpPatchOrder, lockWrite, true, s.patchOrder)
	s.handle("GET /v1/customers/{cid}/orders/{oid}/provisioningstatus", OpGetOrderProvisioningStatus, lockRead, true, s.stateCached(s.orderProvisioningStatus))

	s.handle("GET /v1/customers/{cid}/subscriptions", OpListSubscriptions, lockRead, true, s.stateCached(s.listSubscriptions))
	s.handle("GET /v1/customers/{cid}/subscriptions/customTermEndDates", OpGetCustomTermEndDates, lockRead, true, s.stateCached(s.customTermEndDates))
	s.handle("GET /v1/customers/{cid}/subscriptions/{sid}", OpGetSubscription, lockRead, true, s.stateCached(s.getSubscription))
	s.handle("PATCH /v1/customers/{cid}/subscriptions/{sid}", OpPatchSubscription, lockWrite, true, s.patchSubscription)
	s.handle("GET /v1/customers/{cid}/subscriptions/{sid}/addons", OpListSubscriptionAddons, lockRead, true, s.stateCached(s.listSubscriptionAddons))
	s.handle("GET /v1/customers/{cid}/subscriptions/{sid}/provisioningstatus", OpGetProvisioningStatus, lockRead, true, s.stateCached(s.provisioningStatus))
	s.lifecycleRoutes()
	s.handle("GET /v1/customers/{cid}/entitlements", OpListEntitlements, lockRead, true, s.stateCached(s.listEntitlements))
	s.handle("GET /v1/customers/{cid}/subscribedskus", OpListSubscribedSkus, lockRead, true, s.stateCached(s.listSubscribedSkus))

	s.handle("GET /v1/auditrecords", OpListAuditRecords, lockRead, true, s.stateCached(s.listAuditRecords))
	s.handle("GET /v1/relationships", OpListIndirectResellers, lockNone, true, s.cached(s.listRelationships))
	s.handle("GET /v1/customers/{cid}/relationships", OpListCustomerRelationships, lockRead, true, s.stateCached(s.customerRelationships))
	s.handle("GET /v1/compliance/{program}/agreementstatus", OpGetAgreementStatus, lockNone, true, s.cached(s.agreementStatus))
	s.billingRoutes()
	s.serviceRequestRoutes()
	s.supportProfileRoutes()

	s.handle("/", "unknown", lockNone, false, func(c *call) (int, any) {
		return 0, newErr(http.StatusNotFound, "1000", "The requested resource %s %s is not supported by the sandbox", c.r.Method, c.r.URL.Path)
	})
	s.adminRoutes()
	s.pricing = s.pricingRoutes()
}
