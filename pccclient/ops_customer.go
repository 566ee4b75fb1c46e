package pccclient

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// DefaultCustomerPageSize is the page size ListCustomers asks for by default.
const DefaultCustomerPageSize = 500

// SearchFilter is PC's list filter {"Field","Value","Operator"}, e.g.
// {Field: "CompanyName", Value: "Con", Operator: "starts_with"} for customers
// or {Field: "CustomerId", Value: id, Operator: "equals"} for audit records.
type SearchFilter struct {
	Field    string `json:"Field"`
	Value    string `json:"Value"`
	Operator string `json:"Operator"`
}

func (f *SearchFilter) encode() string {
	b, _ := json.Marshal(f)
	return string(b)
}

// ListCustomersOptions narrows ListCustomers.
type ListCustomersOptions struct {
	Size   int           // page size; default Config.PageSize or DefaultCustomerPageSize
	Filter *SearchFilter // optional
}

// ListCustomers iterates over the partner's customers, following seek
// paging (links.next + MS-ContinuationToken).
func (c *Client) ListCustomers(ctx context.Context, opts ListCustomersOptions) iter.Seq2[Customer, error] {
	const op = "list-customers"
	if opts.Size < 0 {
		return errSeq[Customer](&ArgumentError{Operation: op, Field: "Size", Problem: "must not be negative"})
	}
	q := url.Values{"size": {c.pageSize(DefaultCustomerPageSize)}}
	if opts.Size > 0 {
		q.Set("size", itoa(opts.Size))
	}
	if opts.Filter != nil {
		q.Set("filter", opts.Filter.encode())
	}
	return pages[Customer](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/customers", query: q}, false)
}

// GetCustomer returns a customer by tenant id.
func (c *Client) GetCustomer(ctx context.Context, customerID string) (*Customer, error) {
	const op = "get-customer"
	if err := check(op).guid("customerID", customerID).done(); err != nil {
		return nil, err
	}
	var cu Customer
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/customers/" + customerID, out: &cu}); err != nil {
		return nil, err
	}
	return &cu, nil
}

// CreateCustomer creates a customer tenant (POST /customers). requestID is
// the caller's MS-RequestId (a GUID, see NewRequestID), reused on retries so
// PC creates the tenant once. The result carries UserCredentials: PC returns
// the admin password only in this response.
func (c *Client) CreateCustomer(ctx context.Context, requestID string, cu Customer) (*Customer, error) {
	return c.createCustomer(ctx, "create-customer", requestID, cu)
}

// createCustomer is CreateCustomer under an operation id (which decides
// the credential: app+user for a reseller's customer).
func (c *Client) createCustomer(ctx context.Context, op, requestID string, cu Customer) (*Customer, error) {
	a := check(op).guid("requestID", requestID)
	if cu.CompanyProfile == nil || strings.TrimSpace(cu.CompanyProfile.Domain) == "" {
		a.fail("companyProfile.domain", "is empty")
	}
	bp := cu.BillingProfile
	switch {
	case bp == nil:
		a.fail("billingProfile", "is missing")
	case strings.TrimSpace(bp.Email) == "":
		a.fail("billingProfile.email", "is empty")
	case strings.TrimSpace(bp.CompanyName) == "":
		a.fail("billingProfile.companyName", "is empty")
	case strings.TrimSpace(bp.Culture) == "":
		a.fail("billingProfile.culture", "is empty")
	case strings.TrimSpace(bp.Language) == "":
		a.fail("billingProfile.language", "is empty")
	case bp.DefaultAddress == nil || len(bp.DefaultAddress.Country) != 2:
		a.fail("billingProfile.defaultAddress.country", "must be a two-letter country code")
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	var out Customer
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPost, path: "/customers",
		body: cu, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateAgreement records the customer's acceptance of an agreement (the
// MCA attestation PC requires before purchases).
func (c *Client) CreateAgreement(ctx context.Context, requestID, customerID string, ag Agreement) (*Agreement, error) {
	const op = "create-agreement"
	a := check(op).guid("requestID", requestID).guid("customerID", customerID).required("templateId", ag.TemplateID)
	if ag.PrimaryContact == nil || ag.PrimaryContact.Email == "" || ag.PrimaryContact.FirstName == "" || ag.PrimaryContact.LastName == "" {
		a.fail("primaryContact", "needs firstName, lastName and email")
	}
	a.check(!ag.DateAgreed.IsZero(), "dateAgreed", "is zero")
	if ag.Type == "" {
		ag.Type = AgreementMicrosoftCustomerAgreement
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	var out Agreement
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPost, path: "/customers/" + customerID + "/agreements",
		body: ag, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAgreements lists a customer's agreement acceptances, optionally of one
// type ("" = all).
func (c *Client) ListAgreements(ctx context.Context, customerID, agreementType string) iter.Seq2[Agreement, error] {
	const op = "list-agreements"
	if err := check(op).guid("customerID", customerID).done(); err != nil {
		return errSeq[Agreement](err)
	}
	q := url.Values{}
	if agreementType != "" {
		q.Set("agreementType", agreementType)
	}
	return pages[Agreement](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/agreements", query: q}, false)
}
