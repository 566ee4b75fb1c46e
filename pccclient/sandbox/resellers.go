package sandbox

import (
	"net/http"
	"strconv"
	"strings"
)

// Indirect model: the sandbox partner is an indirect provider with a few
// indirect resellers. Orders name a reseller by MPN id (partnerIdOnRecord,
// or the TransactionReseller participant of a cart line item).

type partnerRelationshipWire struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	RelationshipType string `json:"relationshipType"`
	State            string `json:"state"`
	MpnID            string `json:"mpnId"`
	Location         string `json:"location"`
	Attributes       attrs  `json:"attributes"`
}

type reseller struct {
	w   partnerRelationshipWire
	mpa bool // has accepted the Microsoft Partner Agreement
}

// resellers are fixed (the documented sample's two plus one without MPA).
var resellers = []reseller{
	{w: partnerRelationshipWire{ID: "484e548c-f5f3-4528-93a9-c16c6373cb59", Name: "First Up Consultants", MpnID: "4847383", Location: "US"}, mpa: true},
	{w: partnerRelationshipWire{ID: "b01b1487-b36e-4e6d-9b5e-0b58974c4b28", Name: "ReleCloud", MpnID: "4847433", Location: "BR"}, mpa: true},
	{w: partnerRelationshipWire{ID: "c3d1f0a2-7e55-4b8f-9a51-0e7e6f5a1234", Name: "Litware Reselling", MpnID: "4847999", Location: "DE"}, mpa: false},
}

// checkPartnerOnRecord validates an indirect reseller MPN id.
func checkPartnerOnRecord(mpn string) *pcError {
	if mpn == "" {
		return nil
	}
	for _, r := range resellers {
		if r.w.MpnID == mpn {
			if !r.mpa {
				return newErr(http.StatusForbidden, "900123", "Microsoft Partner Agreement has not been accepted by the indirect reseller %s", mpn)
			}
			return nil
		}
	}
	return newErr(http.StatusNotFound, "800015", "MPN Id %s is not found", mpn)
}

// listRelationships serves GET /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf.
func (s *Sandbox) listRelationships(c *call) (int, any) {
	rt := c.qi("relationship_type")
	if !strings.EqualFold(rt, "IsIndirectCloudSolutionProviderOf") && !strings.EqualFold(rt, "is_indirect_cloud_solution_provider_of") {
		return 0, errBadInput("relationship_type must be IsIndirectCloudSolutionProviderOf")
	}
	items := make([]partnerRelationshipWire, 0, len(resellers))
	for _, r := range resellers {
		w := r.w
		w.RelationshipType, w.State, w.Attributes = "is_indirect_cloud_solution_provider_of", "Active", attrs{ObjectType: "PartnerRelationship"}
		items = append(items, w)
	}
	return 200, newCollection(items, len(items), "/relationships?relationship_type=IsIndirectCloudSolutionProviderOf")
}

// resellerByTenant finds an indirect reseller by its tenant id (the
// relationship's id, which is what associatedPartnerId and the
// IndirectReseller customer filter carry).
func resellerByTenant(id string) (reseller, bool) {
	for _, r := range resellers {
		if strings.EqualFold(r.w.ID, id) {
			return r, true
		}
	}
	return reseller{}, false
}

// checkAssociatedPartner validates a create-customer associatedPartnerId:
// the tenant id of one of the provider's indirect resellers ("Create a
// customer for an indirect reseller": the reseller must have a partnership
// with the indirect provider). PC documents no dedicated code; the sandbox
// answers with the documented 800016 "not a valid Indirect Reseller".
func checkAssociatedPartner(id string) *pcError {
	if _, ok := resellerByTenant(id); !ok {
		return newErr(http.StatusBadRequest, "800016", "%s is not a valid Indirect Reseller of this partner", id)
	}
	return nil
}

// customerRelationships serves GET /v1/customers/{cid}/relationships: the
// indirect resellers the customer has a relationship with ("Get indirect
// resellers of a customer"): the one it was created for, if any.
func (s *Sandbox) customerRelationships(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	items := []partnerRelationshipWire{}
	if r, ok := resellerByTenant(cust.W.AssociatedPartnerID); ok {
		w := r.w
		w.RelationshipType, w.State, w.Attributes = "is_indirect_reseller_of", "Active", attrs{ObjectType: "PartnerRelationship"}
		items = append(items, w)
	}
	return 200, newCollection(items, len(items), "/customers/"+cust.W.ID+"/relationships")
}

// agreementStatusWire is PC's AgreementSignatureStatus.
type agreementStatusWire struct {
	IsAgreementSigned bool `json:"isAgreementSigned"`
}

// agreementStatus serves GET /v1/compliance/{program}/agreementstatus with
// exactly one of mpnId or tenantId ("Verify an indirect reseller's Microsoft
// Partner Agreement signing status"), with the article's error answers:
// 400 2000 (both, non-numeric MPN id, tenant id not a GUID), 2001 (neither),
// 2200 (MPN id unknown), 2203 (MPN id has not signed the MPA), 2205 (tenant
// id unknown), 2206 (tenant has not signed).
func (s *Sandbox) agreementStatus(c *call) (int, any) {
	if !strings.EqualFold(c.pv("program"), "csp") {
		return 0, newErr(http.StatusNotFound, "1000", "Program %s is not supported", c.pv("program"))
	}
	mpn, tenant := c.qi("mpnId"), c.qi("tenantId")
	bad := func(code, format string, args ...any) *pcError {
		e := newErr(http.StatusBadRequest, code, format, args...)
		e.Source = "ComplianceController"
		return e
	}
	switch {
	case mpn == "" && tenant == "":
		return 0, bad("2001", "Both MPN Id and Tenant Id cannot be empty.")
	case mpn != "" && tenant != "":
		return 0, bad("2000", "Both MPN Id and Tenant Id should not be passed.")
	case mpn != "":
		if _, err := strconv.ParseUint(mpn, 10, 63); err != nil {
			return 0, bad("2000", "MPN Id must be numeric.")
		}
		for _, r := range resellers {
			if r.w.MpnID == mpn {
				if !r.mpa {
					return 0, newErr(http.StatusBadRequest, "2203", "MPN Id %s has not signed Microsoft Partner Agreement (MPA) for the CSP region where the order is being placed. Please advise your reseller to sign MPA to continue with the order.", mpn)
				}
				return 200, agreementStatusWire{IsAgreementSigned: true}
			}
		}
		return 0, newErr(http.StatusBadRequest, "2200", "MPN Id %s is either invalid or not yet migrated to Partner Center. Please advise your reseller to migrate the reseller MPN ID to Partner Center to continue with this order.", mpn)
	default:
		if !isGUID(tenant) {
			return 0, bad("2000", "Tenant Id must be a GUID.")
		}
		r, ok := resellerByTenant(tenant)
		if !ok {
			return 0, newErr(http.StatusBadRequest, "2205", "Partner Center doesn't find any account associated to the Tenant ID %s", tenant)
		}
		if !r.mpa {
			return 0, newErr(http.StatusBadRequest, "2206", "Partner Center Account associated to Tenant Id %s hasn't signed the agreement", tenant)
		}
		return 200, agreementStatusWire{IsAgreementSigned: true}
	}
}

// isGUID reports whether s has the 8-4-4-4-12 hex form of a GUID.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}
