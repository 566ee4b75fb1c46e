package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// appUserOps are the operations Partner Center documents as "This scenario
// only supports App+User authentication" (Prerequisites of each article):
//
//   - create-agreement: learn.microsoft.com/partner-center/developer/confirm-customer-consent-customer-agreement
//   - list-agreements: learn.microsoft.com/partner-center/developer/get-confirmation-of-customer-agreement
//   - get-agreement-metadata: learn.microsoft.com/partner-center/developer/get-customer-agreement-metadata
//   - list-subscribed-skus: learn.microsoft.com/partner-center/developer/get-a-list-of-available-licenses
//   - list-indirect-resellers: learn.microsoft.com/partner-center/developer/retrieve-a-list-of-indirect-resellers
//   - the service request operations (create, update, get, list, the
//     customer's list): learn.microsoft.com/partner-center/developer/
//     create-a-service-request, update-a-service-request,
//     get-all-service-requests-for-a-customer
//   - get-support-profile, update-support-profile: learn.microsoft.com/
//     partner-center/developer/get-support-profile, update-support-profile
//   - list-customer-relationships: learn.microsoft.com/partner-center/developer/get-indirect-resellers-of-a-customer
//   - get-agreement-status: learn.microsoft.com/partner-center/developer/verify-indirect-reseller-mpa-status
//   - create-customer-for-reseller (POST /customers with associatedPartnerId):
//     learn.microsoft.com/partner-center/developer/create-a-customer-for-an-indirect-reseller
//   - get-price-sheet: learn.microsoft.com/partner-center/developer/get-a-price-sheet (on the
//     pricing host, which checks it itself: pricingAuth)
//
// Entitlements ("supports authentication with App+User credentials",
// without "only") stay open to app-only tokens.
var appUserOps = []string{OpCreateAgreement, OpListAgreements, OpGetAgreementMetadata, OpListSubscribedSkus, OpListIndirectResellers, OpGetPriceSheet,
	OpCreateServiceRequest, OpUpdateServiceRequest, OpGetServiceRequest, OpListServiceRequests, OpListCustomerServiceRequests, OpGetCustomerServiceRequest,
	OpGetSupportProfile, OpUpdateSupportProfile,
	OpListCustomerRelationships, OpGetAgreementStatus, OpCreateCustomerForReseller}

// AppUserOperations returns the operation ids that refuse app-only tokens
// (unless Options.AllowAppOnlyEverywhere).
func AppUserOperations() []string { return slices.Clone(appUserOps) }

// checkCredential applies PC's credential rules to a valid token:
//
//   - every app+user call must carry MFA (enforced by PC since 1 April 2026;
//     PC checks the token's amr claim for "mfa");
//   - App+User-only operations refuse app-only tokens.
//
// PC documents no specific error code for either refusal; the sandbox
// answers with the closest documented one, 401 code 400 "Access denied"
// (error-codes: Unauthorized 401 / 400), with a description that says why.
func (s *Sandbox) checkCredential(op string, ti tokenInfo) *pcError {
	if ti.User != "" && !ti.MFA {
		return newErr(http.StatusUnauthorized, "400",
			"Access denied: App+User calls to Partner Center require multi-factor authentication, and the token of %s has no 'mfa' in its amr claim. Sign in again with MFA.", ti.User)
	}
	if ti.User == "" && !s.appOnlyOK.Load() && slices.Contains(appUserOps, op) {
		return newErr(http.StatusUnauthorized, "400",
			"Access denied: this operation only supports App+User authentication; the token is app-only.")
	}
	return nil
}

// customerGate refuses calls for a customer that is not readable yet,
// removed its relationship, or (license usage) gave no delegated admin rights.
func (s *Sandbox) customerGate(op, cid string) *pcError {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	cust := s.st.Customers[key(cid)]
	if cust == nil {
		return nil // the handler answers 404
	}
	if d := time.Duration(s.readDelay.Load()); d > 0 && !cust.CreatedAt.IsZero() && now.Before(cust.CreatedAt.Add(d)) {
		// PC's eventual consistency: right after POST /customers, calls for
		// the new tenant answer "Tenant not found" until it has replicated.
		return errCustomerNotFound(cid)
	}
	if cust.RelationshipRemoved {
		// error-codes: Forbidden 403 / 20002.
		return newErr(http.StatusForbidden, "20002", "The partner id %s has no commerce relationship with the customer id %s.", PartnerID, cust.W.ID)
	}
	if cust.NoDelegatedAdmin && op == OpListSubscribedSkus {
		// Reading a customer tenant's licenses needs a GDAP role (Directory
		// Readers, Global Reader, User Administrator or License
		// Administrator: get-a-list-of-available-licenses). PC documents
		// no specific code; 403 2032 "Access denied" (error-codes) is the
		// closest.
		return newErr(http.StatusForbidden, "2032", "Access denied: the partner has no delegated admin relationship (DAP or GDAP role) with customer %s.", cust.W.ID)
	}
	return nil
}

// RemoveRelationship makes the customer remove its reseller relationship
// with the partner: every later call for it answers 403 20002; it stays in
// the partner's customer list.
func (s *Sandbox) RemoveRelationship(customerID string) error {
	return s.updateCustomer(customerID, func(c *customer) { c.RelationshipRemoved = true })
}

// SetDelegatedAdmin turns the partner's delegated admin rights on the
// customer's tenant on or off; without them license usage (subscribedskus)
// answers 403 2032.
func (s *Sandbox) SetDelegatedAdmin(customerID string, enabled bool) error {
	return s.updateCustomer(customerID, func(c *customer) { c.NoDelegatedAdmin = !enabled })
}

// AssignLicenses sets how many licences of a SKU (its part number, e.g.
// SPE_E3) the customer's admins have assigned, as subscribedskus reports
// them (consumedUnits, at most the active units).
func (s *Sandbox) AssignLicenses(customerID, skuPartNumber string, n int) error {
	if n < 0 || skuPartNumber == "" {
		return fmt.Errorf("sandbox: assign a SKU part number a count of 0 or more")
	}
	return s.updateCustomer(customerID, func(c *customer) {
		if c.Assigned == nil {
			c.Assigned = map[string]int{}
		}
		c.Assigned[strings.ToUpper(skuPartNumber)] = n
	})
}

func (s *Sandbox) updateCustomer(customerID string, f func(*customer)) error {
	s.mu.Lock()
	c := s.st.Customers[key(customerID)]
	if c != nil {
		f(c)
	}
	s.mu.Unlock()
	if c == nil {
		return fmt.Errorf("sandbox: no customer %s", customerID)
	}
	s.changed()
	return nil
}

// SetSubscriptionStatus sets a subscription's status to any string: PC's
// rarer states (expired, disabled, deleted) or a value PC may add later,
// which clients must keep as they are. The sandbox's own rules treat an
// unknown status like a disabled one (no renewal, no changes: 400 800040).
func (s *Sandbox) SetSubscriptionStatus(customerID, subscriptionID, status string) error {
	if strings.TrimSpace(status) == "" {
		return fmt.Errorf("sandbox: empty status")
	}
	s.mu.Lock()
	sub := s.st.Subs[key(subscriptionID)]
	ok := sub != nil && strings.EqualFold(sub.CustomerID, customerID)
	if ok {
		sub.W.Status = status
		sub.bump()
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("sandbox: no subscription %s for customer %s", subscriptionID, customerID)
	}
	s.changed()
	return nil
}

// SetReadAfterCreateDelay changes Options.ReadAfterCreateDelay at run time.
func (s *Sandbox) SetReadAfterCreateDelay(d time.Duration) { s.readDelay.Store(int64(max(d, 0))) }

// SetAllowAppOnlyEverywhere changes Options.AllowAppOnlyEverywhere at run time.
func (s *Sandbox) SetAllowAppOnlyEverywhere(allow bool) { s.appOnlyOK.Store(allow) }

// SetLegacyPurchases switches Options.LegacyPurchases at run time.
func (s *Sandbox) SetLegacyPurchases(allow bool) { s.legacyOK.Store(allow) }
