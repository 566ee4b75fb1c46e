package rules

// Entitlement: whether a mirrored subscription entitles its customer to the
// product, and if not, why. One plain function, so the customer view, the
// CSV export and any later report agree on the rule.

import (
	"slices"
	"strings"
	"time"
)

// Reasons a subscription does not entitle the customer.
const (
	ReasonSuspended = "suspended"
	ReasonUnpaid    = "unpaid"
	ReasonExpired   = "expired"
	ReasonPending   = "pending"
	ReasonReplaced  = "replaced by a newer order"
	ReasonCancelled = "cancelled"
	ReasonDisabled  = "disabled"
	ReasonTrial     = "unpaid (trial)"
	ReasonUnknown   = "unknown status"
	// ReasonBasePrefix starts the reason of an add-on whose base
	// subscription is not entitled, e.g. "base subscription suspended".
	ReasonBasePrefix = "base subscription "
)

// Holding is what the entitlement rule needs to know about a subscription.
type Holding struct {
	Status            string // PC status: active, suspended, deleted, expired, pending, disabled
	SuspensionReasons []string
	IsTrial           bool
	AutoRenew         bool
	CommitmentEndDate *time.Time // term end; nil when PC gives none
	ReplacedBy        string     // id of a newer subscription migrated from this one, "" when none
	OrderStatus       string     // status of the order that created it, "" when unknown
}

// paymentReasons are PC suspension reasons that mean the customer has not
// paid (compared case-insensitively).
var paymentReasons = []string{"paymentissue", "nonpayment", "creditcheck", "unpaid", "billingissue", "dunning"}

// Entitled reports whether sub entitles the customer at now, and the reason
// when it does not (empty when entitled). parent is the base subscription of
// an add-on, nil for a base: an add-on is only entitled while its base is.
func Entitled(sub Holding, parent *Holding, now time.Time) (entitled bool, reason string) {
	if ok, why := own(sub, now); !ok {
		return false, why
	}
	if parent != nil {
		if ok, why := own(*parent, now); !ok {
			return false, ReasonBasePrefix + why
		}
	}
	return true, ""
}

func own(sub Holding, now time.Time) (bool, string) {
	if sub.ReplacedBy != "" {
		return false, ReasonReplaced
	}
	status := strings.ToLower(strings.TrimSpace(sub.Status))
	switch status {
	case "pending", "none", "":
		if status == "pending" || strings.EqualFold(sub.OrderStatus, "pending") {
			return false, ReasonPending
		}
		return false, ReasonUnknown
	case "suspended":
		if slices.ContainsFunc(sub.SuspensionReasons, func(r string) bool {
			return slices.Contains(paymentReasons, strings.ToLower(r))
		}) {
			return false, ReasonUnpaid
		}
		return false, ReasonSuspended
	case "expired":
		return false, ReasonExpired
	case "deleted":
		return false, ReasonCancelled
	case "disabled":
		return false, ReasonDisabled
	case "active":
	default:
		return false, ReasonUnknown
	}
	if strings.EqualFold(sub.OrderStatus, "pending") {
		return false, ReasonPending
	}
	// The mirror can lag PC: an active subscription whose term ended
	// without auto-renewal has expired even if PC has not said so yet.
	if sub.CommitmentEndDate != nil && !sub.AutoRenew && !now.Before(*sub.CommitmentEndDate) {
		return false, ReasonExpired
	}
	if sub.IsTrial {
		return false, ReasonTrial
	}
	return true, ""
}
