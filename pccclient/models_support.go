package pccclient

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Service requests: what the partner files with Microsoft support
// (learn.microsoft.com/partner-center/developer/service-request-resources).

// ServiceRequestSeverity is a request's severity. PC writes the names; the
// oldest documented samples carry the SDK enum's numbers, which decode to
// the same names.
type ServiceRequestSeverity string

// Severities (ServiceRequestSeverity: Unknown=0, Critical, Moderate, Minimal).
const (
	SeverityUnknown  ServiceRequestSeverity = "unknown"
	SeverityCritical ServiceRequestSeverity = "critical"
	SeverityModerate ServiceRequestSeverity = "moderate"
	SeverityMinimal  ServiceRequestSeverity = "minimal"
)

// UnmarshalJSON keeps a name as is and the SDK enum's number as its
// digits (written back as a number, so a resource read is sent back
// unchanged); Name maps both to the name.
func (s *ServiceRequestSeverity) UnmarshalJSON(b []byte) error {
	v, err := enumText(b)
	*s = ServiceRequestSeverity(v)
	return err
}

// MarshalJSON writes a number kept from the input as a number.
func (s ServiceRequestSeverity) MarshalJSON() ([]byte, error) { return enumJSON(string(s)) }

// Name is the severity's name ("critical"), also when PC sent a number.
func (s ServiceRequestSeverity) Name() ServiceRequestSeverity {
	return ServiceRequestSeverity(enumName(string(s), []string{"unknown", "critical", "moderate", "minimal"}))
}

// ServiceRequestStatus is where a request stands.
type ServiceRequestStatus string

// Statuses (ServiceRequestStatus: None=0, Open, Closed, AttentionNeeded).
// AttentionNeeded means Microsoft waits for the partner.
const (
	SRStatusNone            ServiceRequestStatus = "none"
	SRStatusOpen            ServiceRequestStatus = "open"
	SRStatusClosed          ServiceRequestStatus = "closed"
	SRStatusAttentionNeeded ServiceRequestStatus = "attention_needed"
)

// UnmarshalJSON: as ServiceRequestSeverity's.
func (s *ServiceRequestStatus) UnmarshalJSON(b []byte) error {
	v, err := enumText(b)
	*s = ServiceRequestStatus(v)
	return err
}

// MarshalJSON writes a number kept from the input as a number.
func (s ServiceRequestStatus) MarshalJSON() ([]byte, error) { return enumJSON(string(s)) }

// Name is the status's name ("attention_needed"), also when PC sent a number.
func (s ServiceRequestStatus) Name() ServiceRequestStatus {
	return ServiceRequestStatus(enumName(string(s), []string{"none", "open", "closed", "attention_needed"}))
}

// enumText decodes a JSON string as is and a number as its digits.
func enumText(b []byte) (string, error) {
	if len(b) > 0 && b[0] == '"' {
		var v string
		err := json.Unmarshal(b, &v)
		return v, err
	}
	if string(b) == "null" {
		return "", nil
	}
	if _, err := strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func isDigits(v string) bool {
	if v == "" {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func enumJSON(v string) ([]byte, error) {
	if isDigits(v) {
		return []byte(v), nil
	}
	return json.Marshal(v)
}

// enumName maps an SDK enum number to names[n]; a name is lower-cased.
func enumName(v string, names []string) string {
	if isDigits(v) {
		if n, err := strconv.Atoi(v); err == nil && n < len(names) {
			return names[n]
		}
		return v
	}
	return strings.ToLower(v)
}

// FlexibleID is an id PC writes as a string in some resources and as a
// number in others (support topics' ids are numbers; a service request's
// supportTopicId is a string).
type FlexibleID string

// UnmarshalJSON accepts a string or a number.
func (f *FlexibleID) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		err := json.Unmarshal(b, &v)
		*f = FlexibleID(v)
		return err
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = FlexibleID(n.String())
	return nil
}

// ServiceRequest is a request filed with Microsoft support.
type ServiceRequest struct {
	Title            string                      `json:"title,omitempty"`
	Description      string                      `json:"description,omitempty"`
	Severity         ServiceRequestSeverity      `json:"severity,omitempty"`
	SupportTopicID   FlexibleID                  `json:"supportTopicId,omitempty"`
	SupportTopicName string                      `json:"supportTopicName,omitempty"`
	ID               string                      `json:"id,omitempty"`
	Status           ServiceRequestStatus        `json:"status,omitempty"`
	Organization     *ServiceRequestOrganization `json:"organization,omitempty"`
	PrimaryContact   *ServiceRequestContact      `json:"primaryContact,omitempty"`
	LastUpdatedBy    *ServiceRequestContact      `json:"lastUpdatedBy,omitempty"`
	ProductName      string                      `json:"productName,omitempty"`
	ProductID        string                      `json:"productId,omitempty"`
	CreatedDate      time.Time                   `json:"createdDate,omitempty"`
	LastModifiedDate time.Time                   `json:"lastModifiedDate,omitempty"`
	LastClosedDate   time.Time                   `json:"lastClosedDate,omitempty"`
	FileLinks        []json.RawMessage           `json:"fileLinks,omitempty"`
	// NewNote is written only: it adds a note (create or update).
	NewNote     *ServiceRequestNote  `json:"newNote,omitempty"`
	Notes       []ServiceRequestNote `json:"notes,omitempty"`
	CountryCode string               `json:"countryCode,omitempty"`
	Attributes  Attributes           `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ServiceRequestContact is who opened or last changed a request.
type ServiceRequestContact struct {
	Organization *ServiceRequestOrganization `json:"organization,omitempty"`
	ContactID    string                      `json:"contactId,omitempty"`
	LastName     string                      `json:"lastName,omitempty"`
	FirstName    string                      `json:"firstName,omitempty"`
	Email        string                      `json:"email,omitempty"`
	PhoneNumber  string                      `json:"phoneNumber,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ServiceRequestOrganization is the organisation a request is filed for.
type ServiceRequestOrganization struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ServiceRequestNote is one note of a request's conversation.
type ServiceRequestNote struct {
	CreatedByName string    `json:"createdByName,omitempty"`
	CreatedDate   time.Time `json:"createdDate,omitempty"`
	Text          string    `json:"text,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// SupportTopic is what a service request is about (its supportTopicId).
type SupportTopic struct {
	Name        string     `json:"name,omitempty"`
	Description string     `json:"description,omitempty"`
	ID          FlexibleID `json:"id,omitempty"`
	Attributes  Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// UnmarshalJSON decodes a ServiceRequest, keeping unknown members in Extra.
func (x *ServiceRequest) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ServiceRequest with PC's member names.
func (x ServiceRequest) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a ServiceRequestContact, keeping unknown members in Extra.
func (x *ServiceRequestContact) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ServiceRequestContact with PC's member names.
func (x ServiceRequestContact) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a ServiceRequestOrganization, keeping unknown members in Extra.
func (x *ServiceRequestOrganization) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ServiceRequestOrganization with PC's member names.
func (x ServiceRequestOrganization) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a ServiceRequestNote, keeping unknown members in Extra.
func (x *ServiceRequestNote) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a ServiceRequestNote with PC's member names.
func (x ServiceRequestNote) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a SupportTopic, keeping unknown members in Extra.
func (x *SupportTopic) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a SupportTopic with PC's member names.
func (x SupportTopic) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// SupportProfile is how the partner's customers reach its support (GET
// and PUT /profiles/support).
type SupportProfile struct {
	Email       string     `json:"email,omitempty"`
	Telephone   string     `json:"telephone,omitempty"`
	Website     string     `json:"website,omitempty"`
	ProfileType string     `json:"profileType,omitempty"`
	Links       Links      `json:"links,omitempty"`
	Attributes  Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// UnmarshalJSON decodes a SupportProfile, keeping unknown members in Extra.
func (x *SupportProfile) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a SupportProfile with PC's member names.
func (x SupportProfile) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }
