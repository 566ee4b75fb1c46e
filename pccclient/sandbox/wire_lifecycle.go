package sandbox

import "time"

// Wire types of the subscription lifecycle: refundable seats, scheduled
// next-term changes and transitions (the .NET SDK's RefundableQuantity,
// ScheduledNextTermInstructions, TransitionEligibility and Transition,
// camelCase as PC writes them).

// refundableWire is Subscription.refundableQuantity: the seats that can
// still be removed at the time of the request, per return window.
type refundableWire struct {
	TotalQuantity int                    `json:"totalQuantity"`
	Details       []refundableDetailWire `json:"details"`
}

type refundableDetailWire struct {
	Quantity             int       `json:"quantity"`
	AllowedUntilDateTime time.Time `json:"allowedUntilDateTime"`
}

// nextTermWire is Subscription.scheduledNextTermInstructions.
type nextTermWire struct {
	Product           *nextTermProductWire `json:"product"`
	Quantity          int                  `json:"quantity"`
	CustomTermEndDate *time.Time           `json:"customTermEndDate,omitempty"`
}

// nextTermProductWire is the SDK's ProductTerm.
type nextTermProductWire struct {
	ProductID      string `json:"productId"`
	SkuID          string `json:"skuId"`
	AvailabilityID string `json:"availabilityId"`
	BillingCycle   string `json:"billingCycle"`
	TermDuration   string `json:"termDuration"`
	PromotionID    string `json:"promotionId,omitempty"`
}

// transitionErrorWire is a TransitionError: code is the SDK's
// TransitionErrorCode, written as its number (the doc sample: "code": 3).
type transitionErrorWire struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

type transitionEligibilityDetailWire struct {
	IsEligible     bool                  `json:"isEligible"`
	TransitionType string                `json:"transitionType"`
	Errors         []transitionErrorWire `json:"errors"`
}

// targetSubscriptionWire is a TargetSubscriptionEligibilityDetail: an
// existing subscription of the target the seats could move into.
type targetSubscriptionWire struct {
	IsEligible               bool                  `json:"isEligible"`
	SubscriptionID           string                `json:"subscriptionId"`
	SubscriptionFriendlyName string                `json:"subscriptionFriendlyName"`
	SubscriptionTermDuration string                `json:"subscriptionTermDuration"`
	SubscriptionBillingCycle string                `json:"subscriptionBillingCycle"`
	Errors                   []transitionErrorWire `json:"errors"`
}

type transitionEligibilityWire struct {
	CatalogItemID             string                            `json:"catalogItemId"`
	Title                     string                            `json:"title"`
	Description               string                            `json:"description"`
	Quantity                  int                               `json:"quantity"`
	Eligibilities             []transitionEligibilityDetailWire `json:"eligibilities"`
	SubscriptionEligibilities []targetSubscriptionWire          `json:"subscriptionEligibilities,omitempty"`
	Attributes                attrs                             `json:"attributes"`
}

type transitionEventWire struct {
	Name       string                `json:"name"`
	Status     string                `json:"status"`
	Timestamp  time.Time             `json:"timestamp"`
	Errors     []transitionErrorWire `json:"errors,omitempty"`
	Attributes attrs                 `json:"attributes"`
}

// transitionWire is the Transition resource (request and response).
type transitionWire struct {
	OperationID        string                `json:"operationId,omitempty"`
	FromCatalogItemID  string                `json:"fromCatalogItemId"`
	FromSubscriptionID string                `json:"fromSubscriptionId"`
	ToCatalogItemID    string                `json:"toCatalogItemId"`
	ToSubscriptionID   string                `json:"toSubscriptionId,omitempty"`
	Quantity           int                   `json:"quantity"`
	TermDuration       string                `json:"termDuration,omitempty"`
	BillingCycle       string                `json:"billingCycle,omitempty"`
	TransitionType     string                `json:"transitionType"`
	PromotionID        string                `json:"promotionId,omitempty"`
	Events             []transitionEventWire `json:"events"`
	Attributes         attrs                 `json:"attributes"`
}
