package pccclient

import (
	"encoding/json"
	"strings"
	"time"
)

// Models of the subscription lifecycle: transition eligibilities and
// transitions (learn.microsoft.com "Transition resources"; JSON names from
// the .NET SDK's TransitionEligibility, TransitionEligibilityDetail,
// TransitionError, Transition and TransitionEvent).

// TransitionType is how seats move in a transition.
type TransitionType string

// Transition types.
const (
	// TransitionOnly moves the subscription; users keep their licences.
	TransitionOnly TransitionType = "transition_only"
	// TransitionWithLicenseTransfer also reassigns the users' licences to
	// the target.
	TransitionWithLicenseTransfer TransitionType = "transition_with_license_transfer"
)

// Is compares case-insensitively.
func (t TransitionType) Is(o TransitionType) bool { return strings.EqualFold(string(t), string(o)) }

// EligibilityType says when a transition would happen.
type EligibilityType string

// Eligibility types of GET .../transitionEligibilities.
const (
	// EligibilityImmediate: upgrades now (the default).
	EligibilityImmediate EligibilityType = "immediate"
	// EligibilityScheduled: targets for scheduledNextTermInstructions.
	EligibilityScheduled EligibilityType = "scheduled"
)

// TransitionErrorCode is the SDK's TransitionErrorCode (a number on the wire).
type TransitionErrorCode int

// Transition error codes (the SDK enum's values).
const (
	TransitionErrOther                   TransitionErrorCode = 0
	TransitionErrDelegatedAdminDisabled  TransitionErrorCode = 1
	TransitionErrStatusNotActive         TransitionErrorCode = 2
	TransitionErrConflictingServiceTypes TransitionErrorCode = 3
	TransitionErrConcurrencyConflicts    TransitionErrorCode = 4
	TransitionErrUserContextRequired     TransitionErrorCode = 5
	TransitionErrAddOnsPresent           TransitionErrorCode = 6
	TransitionErrNoTransitionPaths       TransitionErrorCode = 7
	TransitionErrTargetOfferNotFound     TransitionErrorCode = 8
	TransitionErrNotProvisioned          TransitionErrorCode = 9
	TransitionErrBillingCycleUnsupported TransitionErrorCode = 10
	TransitionErrConversionsNotFound     TransitionErrorCode = 11
	TransitionErrUserLicense             TransitionErrorCode = 12
)

// TransitionEligibility is one target of GET .../transitionEligibilities.
type TransitionEligibility struct {
	CatalogItemID             string                          `json:"catalogItemId,omitempty"`
	Title                     string                          `json:"title,omitempty"`
	Description               string                          `json:"description,omitempty"`
	Quantity                  int                             `json:"quantity,omitempty"`
	Eligibilities             []TransitionEligibilityDetail   `json:"eligibilities,omitempty"`
	SubscriptionEligibilities []TargetSubscriptionEligibility `json:"subscriptionEligibilities,omitempty"`
	Attributes                Attributes                      `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Eligible reports whether the target can be reached with typ.
func (e TransitionEligibility) Eligible(typ TransitionType) bool {
	for _, d := range e.Eligibilities {
		if d.TransitionType.Is(typ) {
			return d.IsEligible
		}
	}
	return false
}

// TransitionEligibilityDetail is the eligibility of one transition type.
type TransitionEligibilityDetail struct {
	IsEligible     bool              `json:"isEligible"`
	TransitionType TransitionType    `json:"transitionType,omitempty"`
	Errors         []TransitionError `json:"errors,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// TargetSubscriptionEligibility is an existing subscription of the target
// that seats can move into (Transition.ToSubscriptionID).
type TargetSubscriptionEligibility struct {
	IsEligible               bool              `json:"isEligible"`
	SubscriptionID           string            `json:"subscriptionId,omitempty"`
	SubscriptionFriendlyName string            `json:"subscriptionFriendlyName,omitempty"`
	SubscriptionTermDuration string            `json:"subscriptionTermDuration,omitempty"`
	SubscriptionBillingCycle BillingCycle      `json:"subscriptionBillingCycle,omitempty"`
	Errors                   []TransitionError `json:"errors,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// TransitionError is why a transition cannot be performed.
type TransitionError struct {
	Code        TransitionErrorCode `json:"code"`
	Description string              `json:"description,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Transition is a request to move a subscription's seats to another
// catalog item, and its progress (Events).
type Transition struct {
	OperationID        string            `json:"operationId,omitempty"`
	FromCatalogItemID  string            `json:"fromCatalogItemId,omitempty"`
	FromSubscriptionID string            `json:"fromSubscriptionId,omitempty"`
	ToCatalogItemID    string            `json:"toCatalogItemId,omitempty"`
	ToSubscriptionID   string            `json:"toSubscriptionId,omitempty"`
	Quantity           int               `json:"quantity,omitempty"`
	TermDuration       string            `json:"termDuration,omitempty"`
	BillingCycle       BillingCycle      `json:"billingCycle,omitempty"`
	TransitionType     TransitionType    `json:"transitionType,omitempty"`
	PromotionID        string            `json:"promotionId,omitempty"`
	Events             []TransitionEvent `json:"events,omitempty"`
	Attributes         Attributes        `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// Transition event names and statuses.
const (
	TransitionEventConversion          = "Conversion"
	TransitionEventLicenseReassignment = "LicenseReassignment"
	TransitionStarted                  = "Started"
	TransitionCompleted                = "Completed"
	TransitionFailed                   = "Failed"
)

// Status is the status of the transition's latest Conversion event
// (Started, Completed or Failed; "" when there is none).
func (t Transition) Status() string {
	st := ""
	for _, ev := range t.Events {
		if strings.EqualFold(ev.Name, TransitionEventConversion) {
			st = strings.TrimSpace(ev.Status) // PC's sample has "Started "
		}
	}
	return st
}

// TransitionEvent is one step of a transition.
type TransitionEvent struct {
	Name       string            `json:"name,omitempty"`
	Status     string            `json:"status,omitempty"`
	Timestamp  time.Time         `json:"timestamp,omitempty"`
	Errors     []TransitionError `json:"errors,omitempty"`
	Attributes Attributes        `json:"attributes,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
	wire  wireState
}

// TransitionErrors returns the TransitionErrors PC attached to a refused
// transition or scheduled change (the error body's data), if any.
func TransitionErrors(err error) []TransitionError {
	e, ok := asError(err)
	if !ok {
		return nil
	}
	var out []TransitionError
	for _, raw := range e.Data {
		var te TransitionError
		if json.Unmarshal(raw, &te) == nil && te.Description != "" {
			out = append(out, te)
		}
	}
	return out
}

// JSON methods of the lifecycle models (the round-trip codec, codec.go).

// UnmarshalJSON decodes a RefundableQuantity, keeping unknown members in Extra.
func (x *RefundableQuantity) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a RefundableQuantity with PC's member names.
func (x RefundableQuantity) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a RefundableQuantityDetail, keeping unknown members in Extra.
func (x *RefundableQuantityDetail) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a RefundableQuantityDetail with PC's member names.
func (x RefundableQuantityDetail) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a TransitionEligibility, keeping unknown members in Extra.
func (x *TransitionEligibility) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a TransitionEligibility with PC's member names.
func (x TransitionEligibility) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a TransitionEligibilityDetail, keeping unknown members in Extra.
func (x *TransitionEligibilityDetail) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a TransitionEligibilityDetail with PC's member names.
func (x TransitionEligibilityDetail) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a TargetSubscriptionEligibility, keeping unknown members in Extra.
func (x *TargetSubscriptionEligibility) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a TargetSubscriptionEligibility with PC's member names.
func (x TargetSubscriptionEligibility) MarshalJSON() ([]byte, error) {
	return encodeModel(&x, x.Extra, x.wire)
}

// UnmarshalJSON decodes a TransitionError, keeping unknown members in Extra.
func (x *TransitionError) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a TransitionError with PC's member names.
func (x TransitionError) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a Transition, keeping unknown members in Extra.
func (x *Transition) UnmarshalJSON(data []byte) error { return decodeModel(data, x, &x.Extra, &x.wire) }

// MarshalJSON encodes a Transition with PC's member names.
func (x Transition) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }

// UnmarshalJSON decodes a TransitionEvent, keeping unknown members in Extra.
func (x *TransitionEvent) UnmarshalJSON(data []byte) error {
	return decodeModel(data, x, &x.Extra, &x.wire)
}

// MarshalJSON encodes a TransitionEvent with PC's member names.
func (x TransitionEvent) MarshalJSON() ([]byte, error) { return encodeModel(&x, x.Extra, x.wire) }
