package sandbox

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Service requests: what a partner files with Microsoft support
// (learn.microsoft.com/partner-center/developer/service-request-resources).
//
//	GET   /v1/servicerequests/supporttopics            the topics a request must name
//	POST  /v1/servicerequests/{agent-locale}           create (201; title, description,
//	                                                   severity and supportTopicId required)
//	GET   /v1/servicerequests                          the partner's requests
//	GET   /v1/servicerequests/{id}                     one
//	PATCH /v1/servicerequests/{id}                     newNote and/or status
//	GET   /v1/customers/{cid}/servicerequests[/{id}]   a customer's requests
//
// Creating, reading and updating them is App+User only (the Prerequisites
// of "Create a service request", "Update a service request" and "Get all
// service requests for a customer"). Microsoft's side of the conversation
// (its notes, moving a request to attention_needed or closing it) is the
// admin route POST /_sandbox/servicerequests/{id} or UpdateServiceRequest.

// Operation ids of the service request API.
const (
	OpListSupportTopics           = "list-support-topics"
	OpCreateServiceRequest        = "create-service-request"
	OpListServiceRequests         = "list-service-requests"
	OpGetServiceRequest           = "get-service-request"
	OpUpdateServiceRequest        = "update-service-request"
	OpListCustomerServiceRequests = "list-customer-service-requests"
	OpGetCustomerServiceRequest   = "get-customer-service-request"
)

// Service request statuses and severities as PC writes them.
const (
	SRStatusNone            = "none"
	SRStatusOpen            = "open"
	SRStatusClosed          = "closed"
	SRStatusAttentionNeeded = "attention_needed"
)

type serviceRequestOrganizationWire struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

type serviceRequestContactWire struct {
	Organization *serviceRequestOrganizationWire `json:"organization,omitempty"`
	ContactID    string                          `json:"contactId,omitempty"`
	LastName     string                          `json:"lastName,omitempty"`
	FirstName    string                          `json:"firstName,omitempty"`
	Email        string                          `json:"email,omitempty"`
	PhoneNumber  string                          `json:"phoneNumber,omitempty"`
}

type serviceRequestNoteWire struct {
	CreatedByName string `json:"createdByName,omitempty"`
	CreatedDate   string `json:"createdDate,omitempty"`
	Text          string `json:"text"`
}

type serviceRequestWire struct {
	Title            string                          `json:"title"`
	Description      string                          `json:"description"`
	Severity         string                          `json:"severity"`
	SupportTopicID   string                          `json:"supportTopicId"`
	SupportTopicName string                          `json:"supportTopicName,omitempty"`
	ID               string                          `json:"id"`
	Status           string                          `json:"status"`
	Organization     *serviceRequestOrganizationWire `json:"organization,omitempty"`
	PrimaryContact   *serviceRequestContactWire      `json:"primaryContact,omitempty"`
	LastUpdatedBy    *serviceRequestContactWire      `json:"lastUpdatedBy,omitempty"`
	ProductName      string                          `json:"productName,omitempty"`
	ProductID        string                          `json:"productId,omitempty"`
	CreatedDate      string                          `json:"createdDate"`
	LastModifiedDate string                          `json:"lastModifiedDate"`
	LastClosedDate   string                          `json:"lastClosedDate"`
	Notes            []serviceRequestNoteWire        `json:"notes,omitempty"`
	CountryCode      string                          `json:"countryCode,omitempty"`
	Attributes       attrs                           `json:"attributes"`
}

// serviceRequestIn is a create or update body. PC's samples send
// PascalCase members, which encoding/json matches case-insensitively.
type serviceRequestIn struct {
	Title          *string `json:"title"`
	Description    *string `json:"description"`
	Severity       string  `json:"severity"`
	SupportTopicID *string `json:"supportTopicId"`
	Status         string  `json:"status"`
	NewNote        *struct {
		Text string `json:"text"`
	} `json:"newNote"`
}

type serviceRequest struct {
	W serviceRequestWire `json:"w"`
	// CustomerID is the customer the request was filed for ("" for the
	// partner's own requests).
	CustomerID string `json:"customerId,omitempty"`
}

type supportTopicWire struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	ID          int64  `json:"id"` // a number on the wire (the documented sample)
	Attributes  attrs  `json:"attributes"`
}

// supportTopics are fixed: the documented sample's two and a few more.
var supportTopics = []supportTopicWire{
	{ID: 32444667, Name: "Partner Center Issues", Description: "Office 365 questions from the CSP (Cloud Solution Provider) partners using Partner Center"},
	{ID: 32444671, Name: "Cannot manage my profile", Description: "Issues that are related to errors or problems with managing a profile"},
	{ID: 32444680, Name: "Subscription and licensing", Description: "Questions about subscriptions, seats and licence assignment"},
	{ID: 32444684, Name: "Billing and invoices", Description: "Questions about invoices, charges and reconciliation files"},
	{ID: 32444690, Name: "Service outage or degradation", Description: "A Microsoft online service is unavailable or slow for a customer"},
}

func topicByID(id string) (supportTopicWire, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
	if err != nil {
		return supportTopicWire{}, false
	}
	for _, t := range supportTopics {
		if t.ID == n {
			return t, true
		}
	}
	return supportTopicWire{}, false
}

func (s *Sandbox) serviceRequestRoutes() {
	s.handle("GET /v1/servicerequests/supporttopics", OpListSupportTopics, lockNone, true, s.listSupportTopics)
	s.handle("POST /v1/servicerequests/{locale}", OpCreateServiceRequest, lockWrite, true, s.createServiceRequest)
	s.handle("GET /v1/servicerequests", OpListServiceRequests, lockRead, true, s.listServiceRequests)
	s.handle("GET /v1/servicerequests/{id}", OpGetServiceRequest, lockRead, true, s.getServiceRequest)
	s.handle("PATCH /v1/servicerequests/{id}", OpUpdateServiceRequest, lockWrite, true, s.updateServiceRequest)
	s.handle("GET /v1/customers/{cid}/servicerequests", OpListCustomerServiceRequests, lockRead, true, s.listCustomerServiceRequests)
	s.handle("GET /v1/customers/{cid}/servicerequests/{id}", OpGetCustomerServiceRequest, lockRead, true, s.getCustomerServiceRequest)
}

func (s *Sandbox) listSupportTopics(*call) (int, any) {
	items := make([]supportTopicWire, len(supportTopics))
	for i, t := range supportTopics {
		t.Attributes = attrs{ObjectType: "SupportTopic"}
		items[i] = t
	}
	return 200, newCollection(items, len(items), "")
}

// locales PC accepts as the agent locale: a language with a region.
var localeRe = regexp.MustCompile(`^[a-zA-Z]{2,3}-[a-zA-Z]{2,4}$`)

func errSRNotFound(id string) *pcError {
	// PC documents no code of its own for an unknown service request; the
	// generic "resource not found" of the error-codes article is closest.
	return newErr(http.StatusNotFound, "800005", "Service request %s was not found.", id)
}

func srTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999Z") }

// zeroTime is how PC writes a date that never happened (lastClosedDate).
const zeroTime = "0001-01-01T00:00:00"

func (s *Sandbox) createServiceRequest(c *call) (int, any) {
	locale := c.r.PathValue("locale")
	if !localeRe.MatchString(locale) {
		return 0, errBadInput("agent-locale %q is not a locale such as en-US", locale)
	}
	var in serviceRequestIn
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	var missing []string
	title, desc, topic := deref(in.Title), deref(in.Description), deref(in.SupportTopicID)
	if strings.TrimSpace(title) == "" {
		missing = append(missing, "Title")
	}
	if strings.TrimSpace(desc) == "" {
		missing = append(missing, "Description")
	}
	if strings.TrimSpace(topic) == "" {
		missing = append(missing, "SupportTopicId")
	}
	if len(missing) > 0 {
		return 0, errBadInput("%s is required", strings.Join(missing, ", "))
	}
	switch sev := strings.ToLower(in.Severity); sev {
	case "critical", "moderate", "minimal":
		in.Severity = sev
	default:
		return 0, errInvalidProperty("Severity must be critical, moderate or minimal, not %q", in.Severity)
	}
	if len([]rune(title)) > 200 {
		return 0, errInvalidProperty("Title is longer than 200 characters")
	}
	t, ok := topicByID(topic)
	if !ok {
		return 0, errInvalidProperty("SupportTopicId %s is not a valid support topic; get the list from /servicerequests/supporttopics", topic)
	}
	if s.st.ServiceRequests == nil {
		s.st.ServiceRequests = map[string]*serviceRequest{}
	}
	// PC's ids are 15-digit numbers (616122292874576).
	id := "6" + strconv.FormatInt(1e13+s.rng.Int64N(9e13), 10)
	now := srTime(c.now)
	org := &serviceRequestOrganizationWire{ID: PartnerID, Name: "Sandbox Partner", PhoneNumber: "4255550100"}
	contact := &serviceRequestContactWire{Organization: org, ContactID: c.tok.OID, Email: c.tok.User, LastName: "Admin"}
	sr := &serviceRequest{W: serviceRequestWire{
		Title: title, Description: desc, Severity: in.Severity, SupportTopicID: strconv.FormatInt(t.ID, 10),
		SupportTopicName: t.Name, ID: id, Status: SRStatusOpen, Organization: org, PrimaryContact: contact,
		CreatedDate: now, LastModifiedDate: now, LastClosedDate: zeroTime, CountryCode: "US",
		Attributes: attrs{ObjectType: "ServiceRequest"},
	}}
	if in.NewNote != nil && strings.TrimSpace(in.NewNote.Text) != "" {
		sr.W.Notes = append(sr.W.Notes, serviceRequestNoteWire{CreatedByName: "Admin", CreatedDate: now, Text: in.NewNote.Text})
	}
	s.st.ServiceRequests[id] = sr
	s.st.ServiceRequestIDs = append(s.st.ServiceRequestIDs, id)
	return http.StatusCreated, sr.W
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Sandbox) listServiceRequests(*call) (int, any) {
	return 200, s.srCollection("", "/servicerequests")
}

func (s *Sandbox) srCollection(customer, self string) *collection {
	items := []serviceRequestWire{}
	for _, id := range s.st.ServiceRequestIDs {
		if sr := s.st.ServiceRequests[id]; sr != nil && (customer == "" || sr.CustomerID == customer) {
			items = append(items, sr.W)
		}
	}
	return newCollection(items, len(items), self)
}

func (s *Sandbox) getServiceRequest(c *call) (int, any) {
	id := c.r.PathValue("id")
	sr := s.st.ServiceRequests[id]
	if sr == nil {
		return 0, errSRNotFound(id)
	}
	return 200, sr.W
}

func (s *Sandbox) listCustomerServiceRequests(c *call) (int, any) {
	cid := key(c.r.PathValue("cid"))
	if s.st.Customers[cid] == nil {
		return 0, errCustomerNotFound(cid)
	}
	return 200, s.srCollection(cid, "/customers/"+cid+"/servicerequests")
}

func (s *Sandbox) getCustomerServiceRequest(c *call) (int, any) {
	cid, id := key(c.r.PathValue("cid")), c.r.PathValue("id")
	if s.st.Customers[cid] == nil {
		return 0, errCustomerNotFound(cid)
	}
	sr := s.st.ServiceRequests[id]
	if sr == nil || sr.CustomerID != cid {
		return 0, errSRNotFound(id)
	}
	return 200, sr.W
}

func (s *Sandbox) updateServiceRequest(c *call) (int, any) {
	id := c.r.PathValue("id")
	sr := s.st.ServiceRequests[id]
	if sr == nil {
		return 0, errSRNotFound(id)
	}
	var in serviceRequestIn
	if e := c.decode(&in); e != nil {
		return 0, e
	}
	note := ""
	if in.NewNote != nil {
		note = in.NewNote.Text
	}
	if e := s.applySRUpdate(sr, c.now, in.Status, note, "Admin", c.tok); e != nil {
		return 0, e
	}
	return 200, sr.W
}

// applySRUpdate adds a note and/or moves the status. "none" (what the SDK
// sends for an unset status, as in the documented PATCH sample) and ""
// leave the status as it is; a request that changes nothing is refused.
func (s *Sandbox) applySRUpdate(sr *serviceRequest, now time.Time, status, note, by string, tok tokenInfo) *pcError {
	status = strings.ToLower(strings.TrimSpace(status))
	switch status {
	case "", SRStatusNone:
		status = ""
	case SRStatusOpen, SRStatusClosed, "attentionneeded", SRStatusAttentionNeeded:
		if status == "attentionneeded" {
			status = SRStatusAttentionNeeded
		}
	default:
		return errInvalidProperty("Status must be open, closed or attention_needed, not %q", status)
	}
	note = strings.TrimSpace(note)
	if status == "" && note == "" {
		return errBadInput("nothing to update: give NewNote or Status")
	}
	if sr.W.Status == SRStatusClosed && status == "" && note != "" {
		return newErr(http.StatusBadRequest, "800002", "Invalid request input: service request %s is closed; reopen it (status open) to add a note", sr.W.ID)
	}
	ts := srTime(now)
	if note != "" {
		sr.W.Notes = append(sr.W.Notes, serviceRequestNoteWire{CreatedByName: by, CreatedDate: ts, Text: note})
	}
	if status != "" && status != sr.W.Status {
		sr.W.Status = status
		if status == SRStatusClosed {
			sr.W.LastClosedDate = ts
		}
	}
	sr.W.LastModifiedDate = ts
	if tok.User != "" {
		sr.W.LastUpdatedBy = &serviceRequestContactWire{ContactID: tok.OID, Email: tok.User, LastName: "Admin"}
	} else {
		sr.W.LastUpdatedBy = &serviceRequestContactWire{LastName: by}
	}
	return nil
}

// ServiceRequestView is a service request as tests and the demo see it.
type ServiceRequestView struct {
	ID, Title, Severity, Status, SupportTopicID, CustomerID string
	Notes                                                   []string
}

// ServiceRequests lists the partner's service requests, oldest first.
func (s *Sandbox) ServiceRequests() []ServiceRequestView {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]ServiceRequestView, 0, len(s.st.ServiceRequestIDs))
	for _, id := range s.st.ServiceRequestIDs {
		sr := s.st.ServiceRequests[id]
		if sr == nil {
			continue
		}
		v := ServiceRequestView{ID: sr.W.ID, Title: sr.W.Title, Severity: sr.W.Severity, Status: sr.W.Status,
			SupportTopicID: sr.W.SupportTopicID, CustomerID: sr.CustomerID}
		for _, n := range sr.W.Notes {
			v.Notes = append(v.Notes, n.Text)
		}
		out = append(out, v)
	}
	return out
}

// UpdateServiceRequest plays Microsoft's support agent: a note from
// "Microsoft Support" and/or a new status ("" keeps it).
func (s *Sandbox) UpdateServiceRequest(id, status, note string) error {
	now := s.clock.Now()
	s.mu.Lock()
	sr := s.st.ServiceRequests[id]
	var e *pcError
	if sr == nil {
		e = errSRNotFound(id)
	} else {
		e = s.applySRUpdate(sr, now, status, note, "Microsoft Support", tokenInfo{})
	}
	s.mu.Unlock()
	if e != nil {
		return e
	}
	s.changed()
	return nil
}

// AddCustomerServiceRequest files a request for a customer as if the
// partner had opened it in Partner Center's UI (the API creates only the
// partner's own), so customer-scoped reads have something to show.
func (s *Sandbox) AddCustomerServiceRequest(customerID, title, severity string) (string, error) {
	now := s.clock.Now()
	s.mu.Lock()
	cid := key(customerID)
	if s.st.Customers[cid] == nil {
		s.mu.Unlock()
		return "", errCustomerNotFound(customerID)
	}
	if s.st.ServiceRequests == nil {
		s.st.ServiceRequests = map[string]*serviceRequest{}
	}
	id := "6" + strconv.FormatInt(1e13+s.rng.Int64N(9e13), 10)
	ts := srTime(now)
	t := supportTopics[0]
	name := ""
	if cp := s.st.Customers[cid].W.CompanyProfile; cp != nil {
		name = cp.CompanyName
	}
	s.st.ServiceRequests[id] = &serviceRequest{CustomerID: cid, W: serviceRequestWire{
		Title: title, Description: title, Severity: cmpSeverity(severity), SupportTopicID: strconv.FormatInt(t.ID, 10),
		SupportTopicName: t.Name, ID: id, Status: SRStatusOpen, CreatedDate: ts, LastModifiedDate: ts,
		LastClosedDate: zeroTime, CountryCode: "US", Attributes: attrs{ObjectType: "ServiceRequest"},
		Organization: &serviceRequestOrganizationWire{ID: cid, Name: name},
	}}
	s.st.ServiceRequestIDs = append(s.st.ServiceRequestIDs, id)
	s.mu.Unlock()
	s.changed()
	return id, nil
}

func cmpSeverity(s string) string {
	if slices.Contains([]string{"critical", "moderate", "minimal"}, s) {
		return s
	}
	return "moderate"
}
