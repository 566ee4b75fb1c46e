package sandbox

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The state types keep the wire resource (W) as the source of truth plus
// the bookkeeping PC does not show. All of it is guarded by Sandbox.mu.

type customer struct {
	W          customerWire    `json:"w"`
	Country    string          `json:"country"`
	Agreements []agreementWire `json:"agreements"`
	SubIDs     []string        `json:"subIds"`
	OrderIDs   []string        `json:"orderIds"`
	// CreatedAt is when the portal created it (zero for seeded customers);
	// reads fail until CreatedAt + Options.ReadAfterCreateDelay.
	CreatedAt time.Time `json:"createdAt,omitzero"`
	// RelationshipRemoved: the customer removed the partner as its reseller.
	RelationshipRemoved bool `json:"relationshipRemoved,omitempty"`
	// NoDelegatedAdmin: the partner has no DAP/GDAP role in the customer's tenant.
	NoDelegatedAdmin bool `json:"noDelegatedAdmin,omitempty"`
	// Assigned is how many licences of a SKU (by part number) the
	// customer's admins assigned; SKUs not listed have three in four.
	Assigned map[string]int `json:"assigned,omitempty"`
	// AdminPassword is the one-time password PC returned for the tenant's
	// admin when the customer was created (signin.go lets admin@<domain>
	// sign in with it).
	AdminPassword string `json:"adminPassword,omitempty"`
}

type order struct {
	W          orderWire `json:"w"`
	CustomerID string    `json:"customerId"`
	DueAt      time.Time `json:"dueAt"`
	NCE        bool      `json:"nce"`
}

type subscription struct {
	W          subscriptionWire `json:"w"`
	CustomerID string           `json:"customerId"`
	ItemID     string           `json:"itemId"`
	NCE        bool             `json:"nce"`
	Version    int              `json:"version"`
	TermStart  time.Time        `json:"termStart"`
	WindowEnd  time.Time        `json:"windowEnd"`
	LineItem   int              `json:"lineItem"`
	OrderAltID string           `json:"orderAltId"`
	// Lots are NCE seats with the end of the window in which they can be
	// reduced: the purchase (or renewal) quantity and each later increase.
	Lots []seatLot `json:"lots,omitempty"`
	// SuspendedWithParent marks an add-on suspended because its base was.
	SuspendedWithParent bool `json:"suspendedWithParent,omitempty"`
	// Life is the post-term and transition bookkeeping (lifecycle.go).
	Life lifecycle `json:"life,omitzero"`

	// cache holds W rendered as JSON; bump clears it (every change bumps).
	cache atomic.Pointer[[]byte]
}

// json returns W as JSON, from the cache when it is current.
func (sub *subscription) json() []byte {
	if b := sub.cache.Load(); b != nil {
		return *b
	}
	b, err := json.Marshal(&sub.W)
	if err != nil {
		panic("sandbox: subscription does not encode: " + err.Error()) // plain data; cannot happen
	}
	sub.cache.Store(&b)
	return b
}

// subCollection renders a Collection of subscriptions by concatenating
// their cached JSON (json.Marshal would re-validate every byte).
func subCollection(subs []*subscription, self string) rawBody {
	n := 128
	for _, s := range subs {
		n += len(s.json()) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"totalCount":`...)
	b = strconv.AppendInt(b, int64(len(subs)), 10)
	b = append(b, `,"items":[`...)
	for i, s := range subs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s.json()...)
	}
	b = append(b, `],"links":{"self":`...)
	l, _ := json.Marshal(getLink(self))
	b = append(b, l...)
	b = append(b, `},"attributes":{"objectType":"Collection"}}`...)
	return rawBody{body: b}
}

type seatLot struct {
	Qty   int       `json:"qty"`
	Until time.Time `json:"until"`
}

// reducible is how many seats may still be removed at now.
func (sub *subscription) reducible(now time.Time) int {
	n := 0
	for _, l := range sub.Lots {
		if !now.After(l.Until) {
			n += l.Qty
		}
	}
	return n
}

// reduce removes d seats from the newest open lots.
func (sub *subscription) reduce(now time.Time, d int) {
	for i := len(sub.Lots) - 1; i >= 0 && d > 0; i-- {
		l := &sub.Lots[i]
		if now.After(l.Until) {
			continue
		}
		take := min(l.Qty, d)
		l.Qty -= take
		d -= take
	}
}

type cart struct {
	W          cartWire `json:"w"`
	CustomerID string   `json:"customerId"`
}

type state struct {
	Customers   map[string]*customer     `json:"customers"`
	CustomerIDs []string                 `json:"customerIds"`
	Domains     map[string]string        `json:"domains"`
	Orders      map[string]*order        `json:"orders"`
	Subs        map[string]*subscription `json:"subscriptions"`
	Carts       map[string]*cart         `json:"carts"`
	Audit       []*auditRecordWire       `json:"audit"`
	Invoices    []*invoiceWire           `json:"invoices"`
	Pending     []string                 `json:"pending"` // order keys awaiting completion
	// Grants are the app+user refresh tokens (persisted so a restarted
	// sandbox keeps a connected portal connected).
	Grants map[string]*refreshGrant `json:"grants,omitempty"`
	// PriceChanges are the published new-commerce price changes;
	// PricesSeeded records that the first one was published (at New).
	PriceChanges []PriceChange `json:"priceChanges,omitempty"`
	PricesSeeded bool          `json:"pricesSeeded,omitempty"`
	// Billing is what Partner Center bills (billing_*.go).
	Billing *billingLedger `json:"billing,omitempty"`
	// ServiceRequests are the service requests filed with Microsoft
	// support (servicerequests.go), ServiceRequestIDs in filing order.
	ServiceRequests   map[string]*serviceRequest `json:"serviceRequests,omitempty"`
	ServiceRequestIDs []string                   `json:"serviceRequestIds,omitempty"`
	// SupportProfile is the partner's (nil: the default), with a version
	// for its etag.
	SupportProfile        *supportProfileWire `json:"supportProfile,omitempty"`
	SupportProfileVersion int                 `json:"supportProfileVersion,omitempty"`
}

func newState() *state {
	return &state{Customers: map[string]*customer{}, Domains: map[string]string{}, Orders: map[string]*order{},
		Subs: map[string]*subscription{}, Carts: map[string]*cart{}}
}

func key(id string) string { return strings.ToLower(id) }

func guidFrom(r *rand.Rand) string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], r.Uint64())
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// newGUID returns a lower-case GUID (caller holds s.mu for writing).
func (s *Sandbox) newGUID() string { return guidFrom(s.rng) }

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newOpaqueID returns an id like new-commerce order ids (33 chars).
func (s *Sandbox) newOpaqueID() string {
	b := make([]byte, 33)
	for i := range 32 {
		b[i] = alnum[s.rng.IntN(len(alnum))]
	}
	b[32] = '1'
	return string(b)
}

func (s *Sandbox) newHex(n int) string {
	const hx = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hx[s.rng.IntN(16)]
	}
	return string(b)
}

func etag(id string, version int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, `{"id":"%s","version":%d}`, key(id), version))
}

func (sub *subscription) bump() {
	sub.cache.Store(nil)
	sub.Version++
	sub.W.Attributes.Etag = etag(sub.W.ID, sub.Version)
}

func (s *Sandbox) customerLocked(id string) (*customer, *pcError) {
	c := s.st.Customers[key(id)]
	if c == nil {
		return nil, errCustomerNotFound(id)
	}
	return c, nil
}

func (c *customer) hasMCA() bool {
	for _, a := range c.Agreements {
		if strings.EqualFold(a.Type, "MicrosoftCustomerAgreement") {
			return true
		}
	}
	return false
}

func (c *customer) name() string {
	if c.W.CompanyProfile != nil && c.W.CompanyProfile.CompanyName != "" {
		return c.W.CompanyProfile.CompanyName
	}
	if c.W.BillingProfile != nil {
		return c.W.BillingProfile.CompanyName
	}
	return ""
}

// addDuration adds an ISO-8601 duration of the forms PnD, PnM, PnY.
func addDuration(t time.Time, d string) time.Time {
	n, unit, ok := parseISODuration(d)
	if !ok {
		return t
	}
	switch unit {
	case 'D':
		return t.AddDate(0, 0, n)
	case 'M':
		return t.AddDate(0, n, 0)
	case 'Y':
		return t.AddDate(n, 0, 0)
	}
	return t
}

func parseISODuration(d string) (int, byte, bool) {
	d = strings.ToUpper(d)
	if len(d) < 3 || d[0] != 'P' {
		return 0, 0, false
	}
	n := 0
	for _, ch := range d[1 : len(d)-1] {
		if ch < '0' || ch > '9' {
			return 0, 0, false
		}
		n = n*10 + int(ch-'0')
	}
	return n, d[len(d)-1], true
}

func strp(s string) *string { return &s }
func boolp(b bool) *bool    { return &b }
