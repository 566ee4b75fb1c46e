package sandbox

import (
	"cmp"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Entra ID sign-in (OpenID Connect) for the sandbox's tenants: the partner
// tenant's users and one admin per customer tenant can sign in to an app
// with the authorization-code flow, as a portal's single sign-on does
// against login.microsoftonline.com. Discovery, the signing keys and the
// issuer follow Entra's v2.0 endpoints: the multi-tenant authorities
// ("organizations", "common") publish the issuer
// {base}/{tenantid}/v2.0, and each ID token's iss names the user's own
// tenant (its tid). ID tokens are signed with RS256 by a key the sandbox
// makes on first use and publishes at .../discovery/v2.0/keys.
//
// The same app registration (Credentials.ClientID) is used as for Partner
// Center, like a multi-tenant Entra app; a sign-in is told from the
// partner admin's consent by its scope: "openid" without Partner Center's
// user_impersonation.

// CustomerAdminPassword is the password of the admin of each seeded demo
// customer tenant (admin@<the customer's domain>). A customer created
// through the API has the one-time password Partner Center returned in
// userCredentials instead.
const CustomerAdminPassword = "sandbox-customer"

// multiTenantAuthorities are Entra's "any tenant" path segments.
var multiTenantAuthorities = []string{"organizations", "common"}

// signInUser is an account that can sign in through OIDC.
type signInUser struct {
	UPN, Password, Name, ObjectID, TenantID string
	MFA                                     bool
}

// isSignIn reports whether authorize parameters p ask for an OpenID
// Connect sign-in rather than the partner admin's consent to Partner
// Center.
func isSignIn(p url.Values) bool {
	scopes := strings.Fields(p.Get("scope"))
	if p.Get("resource") != "" || slices.ContainsFunc(scopes, func(s string) bool { return strings.HasSuffix(s, "/user_impersonation") }) {
		return false
	}
	return slices.Contains(scopes, "openid")
}

// signInTenantOK accepts the multi-tenant authorities and every tenant the
// sandbox knows: the partner's and its customers'.
func (s *Sandbox) signInTenantOK(t string) bool {
	if slices.Contains(multiTenantAuthorities, strings.ToLower(t)) || strings.EqualFold(t, s.creds.TenantID) {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.st.Customers[key(t)]
	return ok
}

// signInAccount finds who may sign in as upn: a partner user, or the admin
// of a customer tenant (by the customer's domain).
func (s *Sandbox) signInAccount(upn string) *signInUser {
	if u := s.user(upn); u != nil {
		return &signInUser{UPN: u.UPN, Password: u.Password, Name: u.UPN, ObjectID: u.ObjectID, TenantID: s.creds.TenantID, MFA: u.MFA}
	}
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(upn)), "@")
	if !ok || local != "admin" {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	cust := s.st.Customers[s.st.Domains[key(domain)]]
	if cust == nil {
		return nil
	}
	return customerAdmin(cust)
}

// customerAdmin is the admin account of a customer's tenant.
func customerAdmin(cust *customer) *signInUser {
	tid := cust.W.CompanyProfile.TenantID
	upn := "admin@" + strings.ToLower(cust.W.CompanyProfile.Domain)
	sum := sha256.Sum256([]byte(tid + "\x00" + upn))
	return &signInUser{UPN: upn, Password: cmp.Or(cust.AdminPassword, CustomerAdminPassword), Name: cust.name() + " admin",
		ObjectID: guidOf(sum[:16]), TenantID: tid, MFA: true}
}

// guidOf formats 16 bytes as a GUID.
func guidOf(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// signInTestUsers lists the accounts the sign-in page offers: the partner
// users and the admins of the first seeded customers (whose password is
// CustomerAdminPassword).
func (s *Sandbox) signInTestUsers() []User {
	var out []User
	for _, u := range s.users() {
		out = append(out, User{UPN: u.UPN, Password: u.Password, MFA: u.MFA})
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, id := range s.st.CustomerIDs {
		cust := s.st.Customers[id]
		if cust == nil || !cust.CreatedAt.IsZero() || cust.AdminPassword != "" {
			continue
		}
		a := customerAdmin(cust)
		out = append(out, User{UPN: a.UPN, Password: a.Password, MFA: a.MFA})
		if n++; n == 8 {
			break
		}
	}
	return out
}

// issuerFor is the v2.0 issuer of tenant tid ("{tenantid}" for the
// multi-tenant template).
func issuerFor(base, tid string) string { return base + "/" + tid + "/v2.0" }

// openIDConfiguration serves GET /{tenant}/v2.0/.well-known/openid-configuration
// with Entra's fields (those a client uses).
func (s *Sandbox) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	t := r.PathValue("tenant")
	if !s.signInTenantOK(t) {
		writeJSON(w, http.StatusBadRequest, oauthError{Error: "invalid_tenant",
			ErrorDescription: "AADSTS90002: Tenant '" + t + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
			ErrorCodes:       []int{90002}})
		return
	}
	base := baseURL(r)
	issuer := issuerFor(base, t)
	if slices.Contains(multiTenantAuthorities, strings.ToLower(t)) {
		issuer = issuerFor(base, "{tenantid}")
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                base + "/" + t + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/" + t + "/oauth2/v2.0/token",
		"jwks_uri":                              base + "/" + t + "/discovery/v2.0/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name",
			"tid", "ver", "at_hash", "c_hash", "email"},
		"request_uri_parameter_supported": false,
		"cloud_instance_name":             "microsoftonline.com",
	})
}

// signingKeys serves the JWKS (GET /{tenant}/discovery/v2.0/keys).
func (s *Sandbox) signingKeys(w http.ResponseWriter, r *http.Request) {
	k, kid := s.idTokenKey()
	e := big.NewInt(int64(k.E)).Bytes()
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(e),
		"issuer": issuerFor(baseURL(r), "{tenantid}"),
	}}})
}

// idTokenKey returns the ID token signing key, made on first use (a key
// per process: ID tokens are checked at sign-in, never later).
func (s *Sandbox) idTokenKey() (*rsa.PrivateKey, string) {
	s.signKey.once.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("sandbox: signing key: " + err.Error())
		}
		sum := sha256.Sum256(k.N.Bytes())
		s.signKey.key, s.signKey.kid = k, base64.RawURLEncoding.EncodeToString(sum[:20])
	})
	return s.signKey.key, s.signKey.kid
}

// signJWT signs claims with RS256.
func (s *Sandbox) signJWT(claims map[string]any) string {
	k, kid := s.idTokenKey()
	h, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "RS256", "kid": kid})
	p, _ := json.Marshal(claims)
	signed := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		panic("sandbox: sign id token: " + err.Error())
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// signInToken answers the token request for a sign-in code: a signed ID
// token for the user's tenant and an access token for Microsoft Graph
// (which the sandbox does not serve; apps that only sign in ignore it).
func (s *Sandbox) signInToken(c *call, form url.Values, v2 bool) (int, any) {
	ac, fail := s.spendCode(c, form)
	if fail != nil {
		return fail()
	}
	u := s.signInAccount(ac.User)
	if u == nil {
		return s.oauthFail(c, 400, "invalid_grant", "AADSTS50034", "The user account %s does not exist in the %s directory.", ac.User, ac.TenantID)
	}
	amr := []string{"pwd"}
	if u.MFA {
		amr = append(amr, "mfa")
	}
	sub := sha256.Sum256([]byte(u.ObjectID + "\x00" + ac.ClientID))
	claims := map[string]any{
		"aud": ac.ClientID, "iss": issuerFor(baseURL(c.r), u.TenantID), "iat": c.now.Unix(), "nbf": c.now.Unix(),
		"exp": c.now.Add(tokenLifetime).Unix(), "ver": "2.0", "tid": u.TenantID, "oid": u.ObjectID,
		"sub": base64.RawURLEncoding.EncodeToString(sub[:]), "preferred_username": u.UPN, "name": u.Name, "amr": amr,
		"uti": randToken(16),
	}
	if ac.Nonce != "" {
		claims["nonce"] = ac.Nonce
	}
	if slices.Contains(strings.Fields(ac.Scope), "email") {
		// Entra's optional email claim, with xms_edov: the tenant verified
		// the email's domain (every sandbox domain is verified).
		claims["email"], claims["xms_edov"] = u.UPN, true
	}
	access := jwt(map[string]any{"aud": "00000003-0000-0000-c000-000000000000", "iss": "https://sts.windows.net/" + u.TenantID + "/",
		"iat": c.now.Unix(), "exp": c.now.Add(tokenLifetime).Unix(), "tid": u.TenantID, "oid": u.ObjectID, "scp": "openid profile email User.Read"})
	id := s.signJWT(claims)
	scope := "openid profile email User.Read"
	if v2 {
		return 200, tokenV2{TokenType: "Bearer", Scope: scope, ExpiresIn: int(tokenLifetime.Seconds()),
			ExtExpiresIn: int(tokenLifetime.Seconds()), AccessToken: access, IDToken: id}
	}
	secs := fmt.Sprint(int(tokenLifetime.Seconds()))
	return 200, tokenV1{TokenType: "Bearer", Scope: scope, ExpiresIn: secs, ExtExpiresIn: secs,
		ExpiresOn: fmt.Sprint(c.now.Add(tokenLifetime).Unix()), NotBefore: fmt.Sprint(c.now.Add(-5 * time.Minute).Unix()),
		Resource: "00000003-0000-0000-c000-000000000000", AccessToken: access, IDToken: id}
}

// isSignInCode reports whether code was issued for an OIDC sign-in.
func (s *Sandbox) isSignInCode(code string) bool {
	s.tokMu.RLock()
	defer s.tokMu.RUnlock()
	ac := s.codes[code]
	return ac != nil && ac.SignIn
}
