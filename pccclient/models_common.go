package pccclient

import (
	"encoding/json"
	"fmt"
)

// Link is PC's link object: a relative uri (usually without the /v1 prefix),
// a method and headers to send when following it.
type Link struct {
	URI     string     `json:"uri,omitempty"`
	Method  string     `json:"method,omitempty"`
	Headers []KeyValue `json:"headers,omitempty"`
	Body    string     `json:"body,omitempty"`

	Extra map[string]json.RawMessage `json:"-"` // unknown members, written back unchanged
	wire  wireState
}

// Links maps a relation ("self", "next", "offer", "subscription", ...) to its link.
type Links map[string]Link

// KeyValue is PC's {key, value} pair (link headers, audit customizedData,
// cart participants). Value is "" for JSON null (preserved on re-encode).
type KeyValue struct {
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Attributes is the attributes member every PC resource carries.
type Attributes struct {
	ObjectType string `json:"objectType,omitempty"`
	Etag       string `json:"etag,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Collection is PC's resource collection. Seek-paged collections carry a
// ContinuationToken and a "next" link with an MS-ContinuationToken header.
type Collection[T any] struct {
	TotalCount        int        `json:"totalCount,omitempty"`
	Items             []T        `json:"items,omitempty"`
	ContinuationToken string     `json:"continuationToken,omitempty"`
	Links             Links      `json:"links,omitempty"`
	Attributes        Attributes `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// UnmarshalJSON decodes a collection (see the package comment on round trips).
func (c *Collection[T]) UnmarshalJSON(b []byte) error {
	return decodeModel(b, c, &c.Extra, &c.wire)
}

// MarshalJSON encodes a collection.
func (c Collection[T]) MarshalJSON() ([]byte, error) { return encodeModel(&c, c.Extra, c.wire) }

// Address is PC's address.
type Address struct {
	ID           string `json:"id,omitempty"`
	Country      string `json:"country,omitempty"`
	Region       string `json:"region,omitempty"`
	City         string `json:"city,omitempty"`
	State        string `json:"state,omitempty"`
	District     string `json:"district,omitempty"`
	AddressLine1 string `json:"addressLine1,omitempty"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	AddressLine3 string `json:"addressLine3,omitempty"`
	PostalCode   string `json:"postalCode,omitempty"`
	FirstName    string `json:"firstName,omitempty"`
	MiddleName   string `json:"middleName,omitempty"`
	LastName     string `json:"lastName,omitempty"`
	PhoneNumber  string `json:"phoneNumber,omitempty"`
	EmailAddress string `json:"emailAddress,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Currency is a currency code and symbol.
type Currency struct {
	Code   string `json:"code,omitempty"`
	Symbol string `json:"symbol,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ProductType is a new-commerce product type ({id, displayName, subType}).
type ProductType struct {
	ID          string       `json:"id,omitempty"`
	DisplayName string       `json:"displayName,omitempty"`
	SubType     *ProductType `json:"subType,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Contact is a person's name, email and phone (agreement primary contact,
// service request contact).
type Contact struct {
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	Email       string `json:"email,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// ThrottleBody is the body PC sends with 429 (a different shape from ApiFault).
type ThrottleBody struct {
	StatusCode int    `json:"statusCode,omitempty"`
	Message    string `json:"message,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// APIFault is PC's error body {code, description, data, source}.
type APIFault struct {
	Code        string            `json:"code,omitempty"`
	Description string            `json:"description,omitempty"`
	Data        []json.RawMessage `json:"data,omitempty"`
	Source      string            `json:"source,omitempty"`
	Attributes  *Attributes       `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// UnmarshalJSON accepts code as a string or a number (PC documents a string;
// some gateways send numbers).
func (f *APIFault) UnmarshalJSON(b []byte) error {
	type plain struct {
		Code json.RawMessage `json:"code"`
	}
	var p plain
	if err := json.Unmarshal(b, &p); err == nil && len(p.Code) > 0 && p.Code[0] != '"' && p.Code[0] != 'n' {
		// Numeric code: decode the rest, then set Code from the number.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("pccclient: decode APIFault: %w", err)
		}
		delete(m, "code")
		rest, _ := json.Marshal(m)
		if err := decodeModel(rest, f, &f.Extra, &f.wire); err != nil {
			return err
		}
		var n json.Number
		if json.Unmarshal(p.Code, &n) == nil {
			f.Code = n.String()
		}
		return nil
	}
	return decodeModel(b, f, &f.Extra, &f.wire)
}

// MarshalJSON encodes the fault.
func (f APIFault) MarshalJSON() ([]byte, error) { return encodeModel(&f, f.Extra, f.wire) }
