package rules

import (
	"errors"
	"fmt"
)

// ResellerOfRecord is the indirect reseller a customer belongs to, as an
// order for that customer needs it. A customer with no reseller (the
// provider's own, or a direct-bill partner's) has none (nil).
type ResellerOfRecord struct {
	// TenantID is the customer's associatedPartnerId.
	TenantID string
	// Known: the reseller is in the mirror and Partner Center still lists it.
	Known bool
	Name  string
	// MpnID is the reseller's partner id: what partnerIdOnRecord carries.
	MpnID string
	// MPASigned is the reseller's Microsoft Partner Agreement status, nil
	// while unknown.
	MPASigned *bool
}

// Why an order for a reseller's customer cannot be submitted.
var (
	// ErrNoPartnerOnRecord: a line lacks partnerIdOnRecord. PC would accept
	// the order and the reseller would lose its incentives.
	ErrNoPartnerOnRecord = errors.New("partner of record missing")
	// ErrWrongPartnerOnRecord: a line names another partner than the
	// customer's reseller (or the customer has no reseller).
	ErrWrongPartnerOnRecord = errors.New("partner of record is not the customer's reseller")
	// ErrResellerUnknown: the customer's reseller is not (or no longer) among
	// the provider's resellers, or has no partner id.
	ErrResellerUnknown = errors.New("the customer's reseller is unknown")
	// ErrResellerMPA: the reseller has not signed the Microsoft Partner
	// Agreement; PC refuses its orders (403 900123).
	ErrResellerMPA = errors.New("the reseller has not signed the Microsoft Partner Agreement")
)

// PartnerOnRecordError says which line broke which rule.
type PartnerOnRecordError struct {
	Line int // index in the order, -1 for the order as a whole
	Err  error
	Msg  string // in words, for the page
}

func (e *PartnerOnRecordError) Error() string { return e.Msg }

// Unwrap returns the rule broken (ErrNoPartnerOnRecord, ...).
func (e *PartnerOnRecordError) Unwrap() error { return e.Err }

// CheckPartnerOnRecord decides whether an order whose lines carry the
// partnerIdOnRecord values por may be submitted for a customer whose
// reseller is r (nil: the customer is nobody's). A reseller's customer's
// order must name that reseller on every line, the reseller must be known
// with a partner id, and must not be known to lack the MPA; any other
// customer's order names no partner of record.
func CheckPartnerOnRecord(r *ResellerOfRecord, por []string) error {
	if r == nil {
		for i, p := range por {
			if p != "" {
				return &PartnerOnRecordError{Line: i, Err: ErrWrongPartnerOnRecord,
					Msg: fmt.Sprintf("Line %d names partner %s as partner of record, but this customer does not belong to an indirect reseller.", i+1, p)}
			}
		}
		return nil
	}
	if !r.Known || r.MpnID == "" {
		return &PartnerOnRecordError{Line: -1, Err: ErrResellerUnknown,
			Msg: fmt.Sprintf("This customer belongs to indirect reseller %s, which Partner Center did not list at the last sync; sync again before ordering.", r.TenantID)}
	}
	if r.MPASigned != nil && !*r.MPASigned {
		return &PartnerOnRecordError{Line: -1, Err: ErrResellerMPA,
			Msg: fmt.Sprintf("%s (partner id %s) has not signed the Microsoft Partner Agreement; Partner Center refuses orders for its customers until it does.", r.Name, r.MpnID)}
	}
	for i, p := range por {
		switch p {
		case r.MpnID:
		case "":
			return &PartnerOnRecordError{Line: i, Err: ErrNoPartnerOnRecord,
				Msg: fmt.Sprintf("Line %d has no partner of record; orders for %s's customers must name it (partner id %s).", i+1, r.Name, r.MpnID)}
		default:
			return &PartnerOnRecordError{Line: i, Err: ErrWrongPartnerOnRecord,
				Msg: fmt.Sprintf("Line %d names partner %s as partner of record; this customer belongs to %s (partner id %s).", i+1, p, r.Name, r.MpnID)}
		}
	}
	return nil
}
