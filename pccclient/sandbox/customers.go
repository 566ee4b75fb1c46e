package sandbox

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Agreement template ids (agreement metadata).
const (
	MCATemplateID = "117a77b0-9360-443b-8795-c6dedc750cf9"
	mcaLink       = "https://www.microsoft.com/licensing/docs/customeragreement"
	cloudTemplate = "998b88de-aa99-4388-a42c-1b3517d49490"
	partnerUserID = "3d6f2c09-eb40-48ca-a4b3-d24c9c007531"
)

// regNumberCountries require companyProfile.organizationRegistrationNumber.
var regNumberCountries = []string{"AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA"}

func (s *Sandbox) checkDomain(c *call) (int, any) {
	if _, ok := s.st.Domains[key(c.pv("domain"))]; ok {
		return http.StatusOK, nil
	}
	return http.StatusNotFound, nil
}

func normCulture(cul string) string {
	lang, region, ok := strings.Cut(cul, "-")
	if !ok {
		return strings.ToLower(cul)
	}
	return strings.ToLower(lang) + "-" + strings.ToUpper(region)
}

func (s *Sandbox) createCustomer(c *call) (int, any) {
	var in customerWire
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	bp, cp := in.BillingProfile, in.CompanyProfile
	switch {
	case cp == nil || strings.TrimSpace(cp.Domain) == "":
		return 0, errInvalidProperty("companyProfile.domain is required")
	case !strings.Contains(cp.Domain, ".") || strings.ContainsAny(cp.Domain, " /@"):
		return 0, errInvalidProperty("companyProfile.domain %q is not a valid domain name", cp.Domain)
	case bp == nil:
		return 0, errInvalidProperty("billingProfile is required")
	case bp.Email == "" || !strings.Contains(bp.Email, "@"):
		return 0, errInvalidProperty("billingProfile.email is required")
	case bp.Culture == "":
		return 0, errInvalidProperty("billingProfile.culture is required")
	case bp.Language == "":
		return 0, errInvalidProperty("billingProfile.language is required")
	case bp.CompanyName == "":
		return 0, errInvalidProperty("billingProfile.companyName is required")
	case bp.DefaultAddress == nil || bp.DefaultAddress.Country == "":
		return 0, errInvalidProperty("billingProfile.defaultAddress.country is required")
	case bp.DefaultAddress.AddressLine1 == "" || bp.DefaultAddress.City == "" || bp.DefaultAddress.PostalCode == "":
		return 0, errInvalidProperty("billingProfile.defaultAddress requires addressLine1, city and postalCode")
	}
	if e := customerTooLong(in); e != nil {
		return 0, e
	}
	if in.AssociatedPartnerID != "" {
		if e := s.checkCredential(OpCreateCustomerForReseller, c.tok); e != nil {
			return 0, e
		}
		if e := checkAssociatedPartner(in.AssociatedPartnerID); e != nil {
			return 0, e
		}
	}
	cc := strings.ToUpper(bp.DefaultAddress.Country)
	needsReg := slices.Contains(regNumberCountries, cc)
	switch {
	case needsReg && cp.OrganizationRegistrationNumber == "":
		return 0, newErr(400, "600049", "organizationRegistrationNumber is required for country %s", cc)
	case !needsReg && cp.OrganizationRegistrationNumber != "":
		return 0, newErr(400, "600002", "organizationRegistrationNumber is not supported for country %s", cc)
	}
	if _, ok := countries[cc]; !ok {
		return 0, newErr(http.StatusForbidden, "2030", "Partner is not onboarded to sell in country %s", cc)
	}
	if _, taken := s.st.Domains[key(cp.Domain)]; taken {
		// PC refuses a domain that already exists in Entra ID; we answer
		// 409 Conflict so clients can tell it from validation errors.
		return 0, newErr(http.StatusConflict, "409", "The domain %s is already in use. Choose another domain prefix.", cp.Domain)
	}
	cust := s.newCustomer(c.now, in, cc)
	cust.CreatedAt = c.now
	w := cust.W
	cust.AdminPassword = s.newPassword()
	w.UserCredentials = &userCredentials{UserName: "admin", Password: cust.AdminPassword}
	s.audit(c, cust, "customer", "add_customer", nil, w,
		kv{Key: "PrimaryDomainName", Value: strp(cust.W.CompanyProfile.Domain)}, kv{Key: "Relationship", Value: strp("Reseller")})
	return http.StatusCreated, &w
}

// newCustomer stores a customer built from a create request.
func (s *Sandbox) newCustomer(now time.Time, in customerWire, cc string) *customer {
	id := s.newGUID()
	bp := *in.BillingProfile
	addr := *bp.DefaultAddress
	addr.Country = cc
	bp.DefaultAddress = &addr
	bp.ID = s.newGUID()
	bp.Culture = normCulture(bp.Culture)
	bp.Language = strings.ToLower(bp.Language)
	bp.Links = &links{Self: getLink("/customers/" + id + "/profiles/billing")}
	bp.Attributes = attrs{Etag: strconv.FormatInt(s.rng.Int64(), 10), ObjectType: "CustomerBillingProfile"}
	caddr := address{Country: cc, Region: addr.State, City: addr.City, AddressLine1: addr.AddressLine1,
		PostalCode: addr.PostalCode, PhoneNumber: addr.PhoneNumber}
	cp := companyProfile{TenantID: id, Address: &caddr, Domain: in.CompanyProfile.Domain, CompanyName: bp.CompanyName,
		Email: bp.Email, OrganizationRegistrationNumber: in.CompanyProfile.OrganizationRegistrationNumber,
		Links:      &links{Self: getLink("/customers/" + id + "/profiles/company")},
		Attributes: attrs{ObjectType: "CustomerCompanyProfile"}}
	cust := &customer{Country: cc, SubIDs: []string{}, OrderIDs: []string{}, W: customerWire{
		ID: id, CommerceID: s.newGUID(), CompanyProfile: &cp, BillingProfile: &bp, RelationshipToPartner: "reseller",
		AllowDelegatedAccess: boolp(true), AssociatedPartnerID: in.AssociatedPartnerID,
		CustomDomains: []string{cp.Domain},
		Links:         &links{Self: getLink("/customers/" + id)}, Attributes: attrs{ObjectType: "Customer"}}}
	s.st.Customers[id] = cust
	s.st.CustomerIDs = append(s.st.CustomerIDs, id)
	s.st.Domains[key(cp.Domain)] = id
	_ = now
	return cust
}

func (s *Sandbox) newPassword() string {
	const chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!*=."
	b := make([]byte, 10)
	for i := range b {
		b[i] = chars[s.rng.IntN(len(chars))]
	}
	return string(b)
}

func (s *Sandbox) getCustomer(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	return 200, &cust.W
}

// listItem is the customer as PC lists it (no billing profile).
func (cust *customer) listItem() customerWire {
	w := cust.W
	w.BillingProfile = nil
	w.UserCredentials = nil
	return w
}

type customerFilter struct {
	Field    string `json:"Field"`
	Value    string `json:"Value"`
	Operator string `json:"Operator"`
}

func (f *customerFilter) match(cust *customer) bool {
	var v string
	switch strings.ToLower(f.Field) {
	case "companyname":
		v = cust.name()
	case "domain":
		v = cust.W.CompanyProfile.Domain
	case "indirectreseller", "indirectcloudsolutionprovider":
		v = cust.W.AssociatedPartnerID
	default:
		return false
	}
	v, want := strings.ToLower(v), strings.ToLower(f.Value)
	if strings.EqualFold(f.Operator, "equals") {
		return v == want
	}
	return strings.HasPrefix(v, want)
}

type seekToken struct {
	Offset int    `json:"o"`
	Size   int    `json:"s"`
	Filter string `json:"f,omitempty"`
}

func encodeSeek(t seekToken) string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSeek(s string) (seekToken, bool) {
	var t seekToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &t) != nil || t.Offset < 0 {
		return t, false
	}
	return t, true
}

// listCustomers pages with size + seekOperation=next + MS-ContinuationToken.
func (s *Sandbox) listCustomers(c *call) (int, any) {
	size, _ := strconv.Atoi(c.qi("size"))
	filterRaw := c.qi("filter")
	offset := 0
	if strings.EqualFold(c.qi("seekOperation"), "next") {
		tok, ok := decodeSeek(c.r.Header.Get("MS-ContinuationToken"))
		if !ok {
			return 0, errBadInput("MS-ContinuationToken header is missing or invalid")
		}
		offset, filterRaw = tok.Offset, tok.Filter
		if size <= 0 {
			size = tok.Size
		}
	}
	if size <= 0 {
		size = 500
	}
	var f *customerFilter
	if filterRaw != "" {
		f = &customerFilter{}
		if err := json.Unmarshal([]byte(filterRaw), f); err != nil || f.Field == "" {
			return 0, errBadInput("filter must be a JSON object with Field, Value and Operator")
		}
	}
	ids := s.st.CustomerIDs
	if f != nil {
		var matched []string
		for _, id := range ids {
			if f.match(s.st.Customers[id]) {
				matched = append(matched, id)
			}
		}
		ids = matched
	}
	from := min(offset, len(ids))
	to := min(from+size, len(ids))
	items := make([]customerWire, 0, to-from)
	for _, id := range ids[from:to] {
		items = append(items, s.st.Customers[id].listItem())
	}
	col := newCollection(items, len(ids), "/customers?size="+strconv.Itoa(size))
	if to < len(ids) {
		tok := encodeSeek(seekToken{Offset: to, Size: size, Filter: filterRaw})
		col.ContinuationToken = tok
		col.Links.Next = &link{URI: "/customers?size=" + strconv.Itoa(size) + "&seekOperation=next", Method: "GET",
			Headers: []header{{Key: "MS-ContinuationToken", Value: tok}}}
	}
	return 200, col
}

func (s *Sandbox) createAgreement(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	var in agreementWire
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	switch {
	case !strings.EqualFold(in.Type, "MicrosoftCustomerAgreement"):
		return 0, errInvalidProperty("type must be MicrosoftCustomerAgreement")
	case !strings.EqualFold(in.TemplateID, MCATemplateID):
		return 0, errInvalidProperty("templateId %s is not the current Microsoft Customer Agreement template (%s)", in.TemplateID, MCATemplateID)
	case in.PrimaryContact == nil || in.PrimaryContact.FirstName == "" || in.PrimaryContact.LastName == "" || !strings.Contains(in.PrimaryContact.Email, "@"):
		return 0, errInvalidProperty("primaryContact requires firstName, lastName and email")
	case in.DateAgreed.IsZero():
		return 0, errInvalidProperty("dateAgreed is required")
	}
	pc := in.PrimaryContact
	if e := tooLong(fieldLimit{"primaryContact.firstName", pc.FirstName, limitName}, fieldLimit{"primaryContact.lastName", pc.LastName, limitName},
		fieldLimit{"primaryContact.email", pc.Email, limitEmail}, fieldLimit{"primaryContact.phoneNumber", pc.PhoneNumber, limitText}); e != nil {
		return 0, e
	}
	in.Type = "MicrosoftCustomerAgreement"
	for _, a := range cust.Agreements {
		if strings.EqualFold(a.Type, in.Type) && sameContact(a.PrimaryContact, in.PrimaryContact) {
			// PC records another confirmation only when the contact's name,
			// email or phone changed (confirm-customer-consent-customer-agreement).
			return http.StatusBadRequest, errAgreementExists()
		}
	}
	// PC derives userId from the app+user token (agreement-resources); an
	// app-only call (only with AllowAppOnlyEverywhere) keeps what was sent.
	in.UserID = cmp.Or(c.tok.OID, cmp.Or(in.UserID, partnerUserID))
	in.AgreementLink = mcaLink
	in.Attributes = attrs{ObjectType: "Agreement"}
	cust.Agreements = append(cust.Agreements, in)
	s.audit(c, cust, "agreement", "create_agreement", nil, in, kv{Key: "AgreementType", Value: strp(in.Type)})
	return http.StatusCreated, &in
}

// sameContact reports whether two agreement contacts are the same person
// with the same details (PC compares first and last name, email and phone).
func sameContact(a, b *contact) bool {
	if a == nil || b == nil {
		return a == b
	}
	return strings.EqualFold(a.FirstName, b.FirstName) && strings.EqualFold(a.LastName, b.LastName) &&
		strings.EqualFold(a.Email, b.Email) && a.PhoneNumber == b.PhoneNumber
}

func (s *Sandbox) listAgreements(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	typ := c.qi("agreementType")
	items := []agreementWire{}
	for _, a := range cust.Agreements {
		if typ == "" || strings.EqualFold(typ, a.Type) {
			items = append(items, a)
		}
	}
	return 200, newCollection(items, len(items), "/customers/"+cust.W.ID+"/agreements")
}

func (s *Sandbox) agreementMetadata(c *call) (int, any) {
	all := []agreementMetaWire{
		{TemplateID: cloudTemplate, AgreementType: "MicrosoftCloudAgreement", AgreementLink: "https://docs.microsoft.com/partner-center/agreements", VersionRank: 0, Attributes: attrs{ObjectType: "AgreementMetaData"}},
		{TemplateID: MCATemplateID, AgreementType: "MicrosoftCustomerAgreement", AgreementLink: mcaLink, VersionRank: 0, Attributes: attrs{ObjectType: "AgreementMetaData"}},
	}
	typ := c.qi("agreementType")
	items := []agreementMetaWire{}
	for _, a := range all {
		if typ == "" || strings.EqualFold(typ, "all") || strings.EqualFold(typ, a.AgreementType) {
			items = append(items, a)
		}
	}
	return 200, newCollection(items, len(items), "/agreements")
}
