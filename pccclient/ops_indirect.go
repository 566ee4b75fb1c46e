package pccclient

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// Indirect model operations (an indirect provider's view of its resellers).
// All of them are App+User only (learn.microsoft.com: "Retrieve a list of
// indirect resellers", "Get indirect resellers of a customer", "Verify an
// indirect reseller's MPA status", "Create a customer for an indirect
// reseller").

// ListIndirectResellers iterates over the signed-in partner's indirect
// resellers (GET /relationships?relationship_type=IsIndirectCloudSolutionProviderOf).
func (c *Client) ListIndirectResellers(ctx context.Context) iter.Seq2[PartnerRelationship, error] {
	const op = "list-indirect-resellers"
	q := url.Values{"relationship_type": {"IsIndirectCloudSolutionProviderOf"}}
	return pages[PartnerRelationship](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/relationships", query: q}, false)
}

// ListCustomerRelationships returns the indirect resellers a customer has a
// relationship with (GET /customers/{id}/relationships).
func (c *Client) ListCustomerRelationships(ctx context.Context, customerID string) ([]PartnerRelationship, error) {
	const op = "list-customer-relationships"
	if err := check(op).guid("customerID", customerID).done(); err != nil {
		return nil, err
	}
	var col Collection[PartnerRelationship]
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/relationships", out: &col}); err != nil {
		return nil, err
	}
	return col.Items, nil
}

// ListResellerCustomers iterates over the customers of one indirect reseller
// (GET /customers?filter={"Field":"IndirectReseller","Value":<reseller
// tenant id>,"Operator":"starts_with"}).
func (c *Client) ListResellerCustomers(ctx context.Context, resellerTenantID string) iter.Seq2[Customer, error] {
	if err := check("list-customers").guid("resellerTenantID", resellerTenantID).done(); err != nil {
		return errSeq[Customer](err)
	}
	return c.ListCustomers(ctx, ListCustomersOptions{Filter: &SearchFilter{Field: "IndirectReseller", Value: resellerTenantID, Operator: "starts_with"}})
}

// GetMPAStatus asks whether the indirect reseller with partner (MPN) id
// mpnID has signed the Microsoft Partner Agreement (GET
// /compliance/csp/agreementstatus?mpnId=). PC's documented "not signed /
// not found" answers come back as an MPAStatus, not an error.
func (c *Client) GetMPAStatus(ctx context.Context, mpnID string) (*MPAStatus, error) {
	const op = "get-agreement-status"
	a := check(op)
	if _, err := strconv.ParseUint(mpnID, 10, 63); err != nil {
		a.fail("mpnID", "must be numeric")
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	var out struct {
		IsAgreementSigned bool `json:"isAgreementSigned"`
	}
	_, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/compliance/csp/agreementstatus",
		query: url.Values{"mpnId": {mpnID}}, out: &out})
	var pe *Error
	switch {
	case err == nil:
		return &MPAStatus{Signed: out.IsAgreementSigned}, nil
	case errors.As(err, &pe) && pe.HTTPStatus == http.StatusBadRequest && mpaStateCodes[pe.Code]:
		return &MPAStatus{Code: pe.Code, Description: pe.Description}, nil
	default:
		return nil, err
	}
}

// CreateCustomerForReseller creates a customer on behalf of an indirect
// reseller: CreateCustomer with associatedPartnerId = the reseller's tenant
// id (its PartnerRelationship.ID), called with the app+user token as PC
// requires for this scenario.
func (c *Client) CreateCustomerForReseller(ctx context.Context, requestID, resellerTenantID string, cu Customer) (*Customer, error) {
	if err := check("create-customer-for-reseller").guid("resellerTenantID", resellerTenantID).done(); err != nil {
		return nil, err
	}
	cu.AssociatedPartnerID = resellerTenantID
	return c.createCustomer(ctx, "create-customer-for-reseller", requestID, cu)
}
