package sandbox

import (
	"net/http"
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
