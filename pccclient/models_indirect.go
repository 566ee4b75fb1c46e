package pccclient

// Relationship types of PartnerRelationship (wire values).
const (
	// RelationshipIndirectProviderOf is an indirect reseller as its provider
	// lists it (GET /relationships?relationship_type=IsIndirectCloudSolutionProviderOf).
	RelationshipIndirectProviderOf = "is_indirect_cloud_solution_provider_of"
	// RelationshipIndirectResellerOf is an indirect reseller as a customer's
	// relationships list it (GET /customers/{id}/relationships).
	RelationshipIndirectResellerOf = "is_indirect_reseller_of"
)

// MPAStatus is an indirect reseller's Microsoft Partner Agreement status as
// the AgreementStatus API reports it. PC answers "signed" with 200
// {"isAgreementSigned": true} and every other state with a 400 and a
// documented code; those codes are states here, not errors.
type MPAStatus struct {
	Signed bool
	// Code and Description are PC's answer when not signed: 2200 (MPN id
	// invalid or not migrated), 2201 (other CSP region), 2203 (MPA not
	// signed), 2204 (not a CSP indirect reseller), 2205 (tenant unknown),
	// 2206 (tenant has not signed).
	Code        string
	Description string
}

// mpaStateCodes are the AgreementStatus API's 400 codes that describe the
// reseller rather than the request.
var mpaStateCodes = map[string]bool{"2200": true, "2201": true, "2203": true, "2204": true, "2205": true, "2206": true}
