package pccclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// agentLocaleRe: the agent locale of a new service request ("en-US").
var agentLocaleRe = regexp.MustCompile(`^[a-zA-Z]{2,3}-[a-zA-Z]{2,4}$`)

// ListSupportTopics returns the topics a service request may name
// (GET /servicerequests/supporttopics).
func (c *Client) ListSupportTopics(ctx context.Context) ([]SupportTopic, error) {
	const op = "list-support-topics"
	return Collect(pages[SupportTopic](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/servicerequests/supporttopics"}, false))
}

// CreateServiceRequest files the partner's request with Microsoft support
// (POST /servicerequests/{agentLocale}; App+User only). Title, Description,
// Severity and SupportTopicID are required. requestID is the caller's
// MS-RequestId, reused on retries so PC files the request once.
func (c *Client) CreateServiceRequest(ctx context.Context, requestID, agentLocale string, sr ServiceRequest) (*ServiceRequest, error) {
	const op = "create-service-request"
	a := check(op).guid("requestID", requestID)
	a.check(strings.TrimSpace(sr.Title) != "", "title", "is empty")
	a.check(strings.TrimSpace(sr.Description) != "", "description", "is empty")
	a.check(strings.TrimSpace(string(sr.SupportTopicID)) != "", "supportTopicId", "is empty")
	a.check(agentLocaleRe.MatchString(agentLocale), "agentLocale", "must be a locale such as en-US")
	switch sr.Severity.Name() {
	case SeverityCritical, SeverityModerate, SeverityMinimal:
	default:
		a.fail("severity", "must be critical, moderate or minimal")
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	var out ServiceRequest
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPost, path: "/servicerequests/" + url.PathEscape(agentLocale),
		body: sr, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateServiceRequest adds a note and/or moves a request's status
// (PATCH /servicerequests/{id}; App+User only). status "" leaves it.
func (c *Client) UpdateServiceRequest(ctx context.Context, requestID, id, note string, status ServiceRequestStatus) (*ServiceRequest, error) {
	const op = "update-service-request"
	a := check(op).guid("requestID", requestID).required("id", id)
	a.check(strings.TrimSpace(note) != "" || status != "", "newNote", "a note or a status is required")
	if err := a.done(); err != nil {
		return nil, err
	}
	body := ServiceRequest{Status: status}
	if strings.TrimSpace(note) != "" {
		body.NewNote = &ServiceRequestNote{Text: note}
	}
	var out ServiceRequest
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPatch, path: "/servicerequests/" + url.PathEscape(id),
		body: body, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetServiceRequest reads one of the partner's requests (App+User only).
func (c *Client) GetServiceRequest(ctx context.Context, id string) (*ServiceRequest, error) {
	const op = "get-service-request"
	if err := check(op).required("id", id).done(); err != nil {
		return nil, err
	}
	var out ServiceRequest
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/servicerequests/" + url.PathEscape(id), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListServiceRequests iterates over the partner's requests
// (GET /servicerequests; App+User only).
func (c *Client) ListServiceRequests(ctx context.Context) iter.Seq2[ServiceRequest, error] {
	const op = "list-service-requests"
	return pages[ServiceRequest](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/servicerequests"}, false)
}

// ListCustomerServiceRequests iterates over a customer's requests
// (GET /customers/{id}/servicerequests; App+User only).
func (c *Client) ListCustomerServiceRequests(ctx context.Context, customerID string) iter.Seq2[ServiceRequest, error] {
	const op = "list-customer-service-requests"
	if err := check(op).guid("customerID", customerID).done(); err != nil {
		return errSeq[ServiceRequest](err)
	}
	return pages[ServiceRequest](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/customers/" + customerID + "/servicerequests"}, false)
}

// GetCustomerServiceRequest reads one of a customer's requests
// (GET /customers/{id}/servicerequests/{id}; App+User only).
func (c *Client) GetCustomerServiceRequest(ctx context.Context, customerID, id string) (*ServiceRequest, error) {
	const op = "get-customer-service-request"
	if err := check(op).guid("customerID", customerID).required("id", id).done(); err != nil {
		return nil, err
	}
	var out ServiceRequest
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/servicerequests/" + url.PathEscape(id), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetSupportProfile reads the partner's support profile (App+User only).
func (c *Client) GetSupportProfile(ctx context.Context) (*SupportProfile, error) {
	const op = "get-support-profile"
	var out SupportProfile
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/profiles/support", out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateSupportProfile replaces the partner's support profile (PUT
// /profiles/support with the whole resource; App+User only).
func (c *Client) UpdateSupportProfile(ctx context.Context, requestID string, p SupportProfile) (*SupportProfile, error) {
	const op = "update-support-profile"
	a := check(op).guid("requestID", requestID)
	a.check(strings.TrimSpace(p.Email+p.Telephone+p.Website) != "", "email", "an email, a telephone or a website is required")
	if err := a.done(); err != nil {
		return nil, err
	}
	if p.ProfileType == "" {
		p.ProfileType = "support_profile"
	}
	var out SupportProfile
	if _, err := c.do(ctx, &call{op: op, class: ClassWrite, method: http.MethodPut, path: "/profiles/support",
		body: p, requestID: requestID, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}
