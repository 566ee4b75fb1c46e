package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// termRecord is one term of a subscription with the price it bills at.
type termRecord struct {
	Start         time.Time       `json:"start"`
	End           time.Time       `json:"end"` // commitmentEndDate (inclusive)
	CatalogItemID string          `json:"catalogItemId"`
	Quantity      int             `json:"quantity"`
	TermDuration  string          `json:"termDuration,omitempty"`
	BillingCycle  string          `json:"billingCycle"`
	Currency      string          `json:"currency"`
	UnitPrice     decimal.Decimal `json:"unitPrice"`
	Renewal       bool            `json:"renewal,omitempty"`
}

// TermPriceQuery describes a term a subscription starts (a purchase or a
// renewal) for a TermPricer.
type TermPriceQuery struct {
	CustomerID     string
	SubscriptionID string
	// CatalogItemID is productId:skuId:availabilityId (new commerce) or the
	// legacy offer id.
	CatalogItemID string
	Country       string
	Currency      string
	TermDuration  string
	BillingCycle  string
	Quantity      int
	TermStart     time.Time
	// Renewal is false for the term a purchase starts.
	Renewal bool
}

// TermPricer returns the unit price for one billing period of a term (what
// an order's pricing.listPrice shows), or ok false to keep the catalog's
// price. It runs under the sandbox's state lock and must not call back into
// the sandbox; a price sheet plugs in here so a renewal bills at the price
// of the month it renews in.
type TermPricer func(q TermPriceQuery) (unitPrice decimal.Decimal, ok bool)

// SetTermPricer installs p (nil restores the catalog prices) for the terms
// started from now on.
func (s *Sandbox) SetTermPricer(p TermPricer) {
	if p == nil {
		s.pricer.Store(nil)
		return
	}
	s.pricer.Store(&p)
}

// recordTerm appends the term sub starts at start with its price.
func (s *Sandbox) recordTerm(cust *customer, sub *subscription, start time.Time, renewal bool) {
	if sub.W.BillingType == "usage" {
		return
	}
	it := s.cat.item(sub.ItemID)
	if it == nil {
		return
	}
	cur := countries[cust.Country]
	q := TermPriceQuery{CustomerID: cust.W.ID, SubscriptionID: sub.W.ID, CatalogItemID: it.ID, Country: cust.Country,
		Currency: cur.code, TermDuration: sub.W.TermDuration, BillingCycle: sub.W.BillingCycle, Quantity: sub.W.Quantity,
		TermStart: start, Renewal: renewal}
	price := s.orderUnitPrice(s.priceBookLocked(), it, cur.code, sub.W.TermDuration, sub.W.BillingCycle, start)
	if p := s.pricer.Load(); p != nil {
		if v, ok := (*p)(q); ok {
			price = v
		}
	}
	sub.Life.Terms = append(sub.Life.Terms, termRecord{Start: start, End: sub.W.CommitmentEndDate, CatalogItemID: it.ID,
		Quantity: sub.W.Quantity, TermDuration: sub.W.TermDuration, BillingCycle: sub.W.BillingCycle, Currency: cur.code,
		UnitPrice: price, Renewal: renewal})
	if n := len(sub.Life.Terms); n > maxTerms {
		sub.Life.Terms = append([]termRecord(nil), sub.Life.Terms[n-maxTerms:]...)
	}
	s.billTermStarted(cust, sub, start, renewal, price, cur.code)
}

// Lifecycle is the sandbox's calendar of one subscription, for tests and
// demos (GET /_sandbox/customers/{cid}/subscriptions/{sid}/lifecycle).
// Partner Center's Subscription resource has none of these dates except
// commitmentEndDate, cancellationAllowedUntilDate and refundableQuantity:
// a portal derives them from the status and commitmentEndDate with the
// documented durations. Future dates are what happens if nothing changes.
type Lifecycle struct {
	SubscriptionID string `json:"subscriptionId"`
	Status         string `json:"status"`
	NewCommerce    bool   `json:"newCommerce"`
	// TermStart and TermEnd bound the current term; TermEnd is exclusive
	// (00:00 UTC the day after commitmentEndDate).
	TermStart time.Time `json:"termStart"`
	TermEnd   time.Time `json:"termEnd"`
	// RenewsAt is when the sandbox processes the renewal (active, auto-renew on).
	RenewsAt *time.Time `json:"renewsAt,omitempty"`
	// SuspendedAt is when it was suspended; BilledUntil how far a suspended
	// subscription is billed (new commerce: the term end; legacy: not billed).
	SuspendedAt *time.Time `json:"suspendedAt,omitempty"`
	BilledUntil *time.Time `json:"billedUntil,omitempty"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
	DisabledAt  *time.Time `json:"disabledAt,omitempty"`
	DeletedAt   *time.Time `json:"deletedAt,omitempty"`
	Tranches    []Tranche  `json:"tranches"`
	Terms       []Term     `json:"terms"`
}

// Tranche is seats that can be removed until AllowedUntil.
type Tranche struct {
	Quantity     int       `json:"quantity"`
	AllowedUntil time.Time `json:"allowedUntil"`
}

// Term is one term of a subscription and its unit price per billing period.
type Term struct {
	Start         time.Time       `json:"start"`
	CommitmentEnd time.Time       `json:"commitmentEnd"`
	CatalogItemID string          `json:"catalogItemId"`
	Quantity      int             `json:"quantity"`
	TermDuration  string          `json:"termDuration,omitempty"`
	BillingCycle  string          `json:"billingCycle"`
	Currency      string          `json:"currency"`
	UnitPrice     decimal.Decimal `json:"unitPrice"`
	Renewal       bool            `json:"renewal"`
}

// Lifecycle returns the calendar of a customer's subscription.
func (s *Sandbox) Lifecycle(customerID, subscriptionID string) (Lifecycle, error) {
	defer s.changed() // the tick below may have run due work
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.tickLocked(now)
	sub := s.st.Subs[key(subscriptionID)]
	if sub == nil || !strings.EqualFold(sub.CustomerID, customerID) {
		return Lifecycle{}, fmt.Errorf("sandbox: no subscription %s for customer %s", subscriptionID, customerID)
	}
	l := Lifecycle{SubscriptionID: sub.W.ID, Status: sub.W.Status, NewCommerce: sub.NCE, TermStart: sub.TermStart,
		TermEnd: termEnd(sub), Tranches: []Tranche{}, Terms: []Term{}}
	for _, t := range sub.Lots {
		if !now.After(t.Until) && t.Qty > 0 {
			l.Tranches = append(l.Tranches, Tranche{Quantity: t.Qty, AllowedUntil: t.Until})
		}
	}
	for _, t := range sub.Life.Terms {
		l.Terms = append(l.Terms, Term{Start: t.Start, CommitmentEnd: t.End, CatalogItemID: t.CatalogItemID, Quantity: t.Quantity,
			TermDuration: t.TermDuration, BillingCycle: t.BillingCycle, Currency: t.Currency, UnitPrice: t.UnitPrice, Renewal: t.Renewal})
	}
	tp := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	end := termEnd(sub)
	if sub.W.BillingType == "usage" {
		return l, nil
	}
	switch sub.W.Status {
	case "active":
		at := end.Add(renewalLag(sub.W.ID))
		switch {
		case sub.W.AutoRenewEnabled && !sub.W.IsTrial:
			l.RenewsAt = tp(at)
		case sub.NCE:
			l.ExpiresAt, l.DisabledAt, l.DeletedAt = tp(end), tp(end.Add(expiredFor)), tp(end.Add(expiredFor+dataKeptFor))
		default:
			l.ExpiresAt = tp(end)
		}
	case "suspended":
		l.SuspendedAt = tp(sub.Life.SuspendedAt)
		if sub.NCE {
			l.BilledUntil, l.DisabledAt, l.DeletedAt = tp(end), tp(end), tp(end.Add(disabledFor+dataKeptFor))
		} else {
			l.BilledUntil = tp(sub.Life.SuspendedAt)
			del := end
			if !sub.Life.SuspendedAt.IsZero() {
				del = earliest(sub.Life.SuspendedAt.Add(legacySuspendedFor), end)
			}
			l.DeletedAt = tp(del)
		}
	case "expired", "disabled", "deleted":
		if !sub.Life.EndedAt.IsZero() {
			l.TermEnd = sub.Life.EndedAt
		}
		if sub.W.Status == "expired" {
			l.ExpiresAt = tp(sub.Life.EndedAt)
		}
		l.DisabledAt, l.DeletedAt = tp(sub.Life.DisableAt), tp(sub.Life.DeleteAt)
	}
	return l, nil
}
