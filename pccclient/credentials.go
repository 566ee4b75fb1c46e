package pccclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Credential is the kind of token a Partner Center operation is called with.
type Credential int

// Credential kinds.
const (
	// AppOnly: client credentials (application id + secret).
	AppOnly Credential = iota
	// AppUser: delegated token of a partner admin redeemed from the stored
	// refresh token (Microsoft's "secure application model").
	AppUser
)

func (c Credential) String() string {
	if c == AppUser {
		return "app+user"
	}
	return "app-only"
}

// appUserOps lists the operations Partner Center documents as "This
// scenario only supports App+User authentication" (the Prerequisites of each
// learn.microsoft.com article), with the client's method names. Every other
// operation is called app-only. Not listed: entitlements, whose article says
// "supports authentication with App+User credentials" without "only" (the
// client keeps app-only there; PC's refusal would show as a 401).
// Microsoft Graph's billing exports (graph-billing-*) are app-only too:
// their permission, PartnerBilling.Read.All, exists as an application
// permission (learn.microsoft.com "billedReconciliation: export").
var appUserOps = map[string][]string{
	// https://learn.microsoft.com/partner-center/developer/confirm-customer-consent-customer-agreement
	"create-agreement": {"CreateAgreement"},
	// https://learn.microsoft.com/partner-center/developer/get-confirmation-of-customer-agreement
	"list-agreements": {"ListAgreements"},
	// https://learn.microsoft.com/partner-center/developer/get-customer-agreement-metadata
	"get-agreement-metadata": {"GetAgreementMetadata", "ListAgreementMetadata"},
	// https://learn.microsoft.com/partner-center/developer/get-a-list-of-available-licenses
	// (GET /customers/{id}/subscribedskus; also needs a GDAP role in the customer tenant)
	"list-subscribed-skus": {"ListSubscribedSKUs"},
	// https://learn.microsoft.com/partner-center/developer/retrieve-a-list-of-indirect-resellers
	"list-indirect-resellers": {"ListIndirectResellers"},
	// https://learn.microsoft.com/partner-center/developer/get-indirect-resellers-of-a-customer
	"list-customer-relationships": {"ListCustomerRelationships"},
	// https://learn.microsoft.com/partner-center/developer/verify-indirect-reseller-mpa-status
	"get-agreement-status": {"GetMPAStatus"},
	// https://learn.microsoft.com/partner-center/developer/create-a-customer-for-an-indirect-reseller
	"create-customer-for-reseller": {"CreateCustomerForReseller"},
	// https://learn.microsoft.com/partner-center/developer/get-a-price-sheet
	// (on the pricing host, api.partner.microsoft.com, with its own token
	// audience; roles Admin Agent or Sales Agent)
	"get-price-sheet": {"GetPriceSheet", "OpenPriceSheet"},
	// https://learn.microsoft.com/partner-center/developer/create-a-service-request,
	// update-a-service-request, get-all-service-requests-for-a-customer
	"create-service-request":         {"CreateServiceRequest"},
	"update-service-request":         {"UpdateServiceRequest"},
	"get-service-request":            {"GetServiceRequest"},
	"list-service-requests":          {"ListServiceRequests"},
	"list-customer-service-requests": {"ListCustomerServiceRequests"},
	"get-customer-service-request":   {"GetCustomerServiceRequest"},
	// https://learn.microsoft.com/partner-center/developer/get-support-profile, update-support-profile
	"get-support-profile":    {"GetSupportProfile"},
	"update-support-profile": {"UpdateSupportProfile"},
}

// RequiredCredential returns the credential Partner Center requires for op:
// AppUser for the operations in the table above, AppOnly otherwise. op is an
// operation id ("create-agreement") or a method name ("CreateAgreement";
// case-insensitive, so "ListSubscribedSkus" works too).
func RequiredCredential(op string) Credential {
	if opCredential(op) == AppUser {
		return AppUser
	}
	for _, ms := range appUserOps {
		for _, m := range ms {
			if strings.EqualFold(m, op) {
				return AppUser
			}
		}
	}
	return AppOnly
}

// opCredential is RequiredCredential for an operation id, the form every
// call carries: one map lookup on the request path.
func opCredential(op string) Credential {
	if _, ok := appUserOps[op]; ok {
		return AppUser
	}
	return AppOnly
}

// AppUserOperations returns the operation ids that need an app+user credential.
func AppUserOperations() []string {
	out := make([]string, 0, len(appUserOps))
	for k := range appUserOps {
		out = append(out, k)
	}
	return out
}

// ErrNoRefreshToken: the RefreshTokenStore holds no refresh token (no partner
// admin connected).
var ErrNoRefreshToken = errors.New("pccclient: no app+user refresh token stored (no partner admin connected)")

// RefreshTokenStore keeps the app+user refresh token. Entra rolls it: every
// redeem returns a new one and the old one is spent. Rotate must run redeem
// while holding a lock that spans replicas (the portal: SELECT ... FOR UPDATE
// on the settings row) and store what redeem returns in the same
// transaction, so two replicas or a crash never leave a spent token stored.
type RefreshTokenStore interface {
	// Rotate calls redeem with the stored token ("" when none is stored →
	// redeem is not called and Rotate returns ErrNoRefreshToken). If redeem
	// returns a non-empty next token, Rotate stores it. Rotate returns
	// redeem's error (after storing next, if redeem returned both).
	Rotate(ctx context.Context, redeem func(current string) (next string, err error)) error
}

// MemoryTokenStore is an in-process RefreshTokenStore (tests, CLI). Its lock
// is held while redeem runs, so clients sharing one store never redeem the
// same token twice.
type MemoryTokenStore struct {
	mu    sync.Mutex
	token string
}

// NewMemoryTokenStore returns a store holding token ("" = none).
func NewMemoryTokenStore(token string) *MemoryTokenStore { return &MemoryTokenStore{token: token} }

// Token returns the stored refresh token.
func (m *MemoryTokenStore) Token() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.token
}

// Set replaces the stored refresh token (after a new consent).
func (m *MemoryTokenStore) Set(token string) {
	m.mu.Lock()
	m.token = token
	m.mu.Unlock()
}

// Rotate implements RefreshTokenStore.
func (m *MemoryTokenStore) Rotate(ctx context.Context, redeem func(current string) (string, error)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.token == "" {
		return ErrNoRefreshToken
	}
	next, err := redeem(m.token)
	if next != "" {
		m.token = next
	}
	return err
}

// ConsentReason says why an app+user operation could not run.
type ConsentReason string

// Consent reasons.
const (
	// NotConnected: no partner admin has consented (no refresh token stored,
	// or no RefreshTokenStore configured) and PC refused the app-only token.
	NotConnected ConsentReason = "not-connected"
	// Expired: Entra refused the stored refresh token (invalid_grant: spent,
	// expired after 90 days of inactivity, or revoked).
	Expired ConsentReason = "expired"
	// MFARequired: the partner admin signed in without multi-factor
	// authentication; PC refuses app+user calls without MFA.
	MFARequired ConsentReason = "mfa-required"
	// Forbidden: PC refused the partner admin's token for this operation
	// (the user lacks the role, or consent was withdrawn).
	Forbidden ConsentReason = "forbidden"
)

// ConsentError: an operation needs an app+user credential the portal does
// not have or that no longer works. Client methods return it (possibly
// wrapped) instead of a raw 401/403; test with IsConsentRequired or errors.As.
type ConsentError struct {
	Op     string        // operation id, e.g. "create-agreement"
	Reason ConsentReason // NotConnected, Expired, MFARequired or Forbidden
	Err    error         // underlying *TokenError or *Error (PC's code and text), or ErrNoRefreshToken
}

func (e *ConsentError) Error() string {
	var what string
	switch e.Reason {
	case NotConnected:
		what = "needs a partner admin's app+user sign-in and none is connected"
	case Expired:
		what = "the partner admin's sign-in has expired or was revoked; reconnect"
	case MFARequired:
		what = "the partner admin signed in without multi-factor authentication, which Partner Center requires"
	default:
		what = "Partner Center refused the partner admin's credential"
	}
	if e.Err != nil {
		return fmt.Sprintf("partner center %s: %s: %v", e.Op, what, e.Err)
	}
	return fmt.Sprintf("partner center %s: %s", e.Op, what)
}

// Unwrap returns the underlying error.
func (e *ConsentError) Unwrap() error { return e.Err }

// IsConsentRequired reports whether err is (or wraps) a *ConsentError.
func IsConsentRequired(err error) bool {
	var ce *ConsentError
	return errors.As(err, &ce)
}

// ConsentReasonOf returns the reason of a *ConsentError in err, "" if none.
func ConsentReasonOf(err error) ConsentReason {
	var ce *ConsentError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return ""
}

// PC error codes the client interprets.
const (
	// CodeNoRelationship: 403 "The partner id {0} has no commerce relationship
	// with the customer id {1}." (learn.microsoft.com/partner-center/developer/error-codes)
	CodeNoRelationship = "20002"
	// CodeAccessDenied: 401 "Access denied" (error-codes) — PC's answer to a
	// token it does not accept for the call: an app-only token on an
	// App+User-only operation, or an app+user token without MFA (PC checks
	// the amr claim; it documents no separate code for either).
	CodeAccessDenied = "400"
	// CodeForbiddenAccessDenied: 403 2032 "Access denied" (error-codes) — the
	// caller is authenticated but has no rights on the resource; PC answers
	// it to subscribedskus without delegated admin rights in the customer tenant.
	CodeForbiddenAccessDenied = "2032"
)

// IsNoRelationship reports PC's refusal for a customer that no longer has a
// reseller relationship with the partner (403 code 20002).
func IsNoRelationship(err error) bool {
	e, ok := asError(err)
	return ok && e.Code == CodeNoRelationship
}

// IsNoDelegatedAdmin reports PC refusing a customer-tenant read (license
// usage, subscribedskus) because the partner has no delegated admin rights
// (DAP/GDAP role) in that customer's tenant (403 code 2032).
func IsNoDelegatedAdmin(err error) bool {
	e, ok := asError(err)
	return ok && e.HTTPStatus == 403 && e.Code == CodeForbiddenAccessDenied
}
