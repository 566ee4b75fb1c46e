package sandbox

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// SeedBulk adds customers with subscriptionsPerCustomer active
// subscriptions each, built directly in memory (no HTTP, no audit
// records): 10,000 customers with 100,000 subscriptions take a few seconds.
// Every customer has accepted the MCA; orders are already completed.
func (s *Sandbox) SeedBulk(customers, subscriptionsPerCustomer int) error {
	if customers < 0 || subscriptionsPerCustomer < 0 {
		return errors.New("sandbox: SeedBulk needs non-negative counts")
	}
	if customers > 1_000_000 || subscriptionsPerCustomer > 1000 {
		return errors.New("sandbox: SeedBulk is limited to 1,000,000 customers and 1,000 subscriptions each")
	}
	s.mu.Lock()
	defer func() {
		s.recomputeDueLocked()
		s.mu.Unlock()
		s.changed()
	}()
	now := s.clock.Now()
	var bases []*item
	for _, it := range s.cat.items {
		if !it.IsAddOn && !it.Trial && it.Billing == "license" {
			bases = append(bases, it)
		}
	}
	// Map iteration order is random; sort for determinism.
	sortItems(bases)
	ccs := []string{"US", "US", "US", "DE", "FR", "NL", "GB"}
	start := len(s.st.CustomerIDs)
	for i := range customers {
		n := start + i
		cc := ccs[n%len(ccs)]
		created := now.Add(-time.Duration(30+s.rng.IntN(300)) * 24 * time.Hour)
		name := fmt.Sprintf("Bulk Customer %06d", n)
		in := customerWire{CompanyProfile: &companyProfile{Domain: fmt.Sprintf("bulk%06d.onmicrosoft.com", n)},
			BillingProfile: &billingProfile{Email: fmt.Sprintf("admin@bulk%06d.example", n), Culture: "en-US", Language: "en",
				CompanyName: name, DefaultAddress: &address{Country: cc, City: "Springfield", AddressLine1: "1 Main Street", PostalCode: "12345"}}}
		if _, taken := s.st.Domains[key(in.CompanyProfile.Domain)]; taken {
			continue
		}
		cust := s.newCustomer(created, in, cc)
		cust.Agreements = append(cust.Agreements, agreementWire{UserID: partnerUserID, PrimaryContact: &contact{FirstName: "Bulk", LastName: "Admin", Email: in.BillingProfile.Email},
			TemplateID: MCATemplateID, DateAgreed: created, Type: "MicrosoftCustomerAgreement", AgreementLink: mcaLink, Attributes: attrs{ObjectType: "Agreement"}})
		if subscriptionsPerCustomer == 0 {
			continue
		}
		lines := make([]purchaseLine, 0, subscriptionsPerCustomer)
		for range subscriptionsPerCustomer {
			it := bases[s.rng.IntN(len(bases))]
			pl := purchaseLine{item: it, quantity: min(it.Max, 1+s.rng.IntN(50)), parentLine: -1, billingCycle: it.Cycles[0]}
			if it.NCE {
				t := it.Avail.Terms[s.rng.IntN(len(it.Avail.Terms))]
				pl.termDuration, pl.billingCycle = t.Duration, t.BillingCycle
				pl.billingCycle = lower(pl.billingCycle)
			}
			lines = append(lines, pl)
		}
		bought := created.Add(24 * time.Hour)
		o := s.newOrder(bought, cust, false, lines[0].billingCycle)
		s.addLines(bought, cust, o, lines, "active")
		o.W.Status = "completed"
		for _, sid := range cust.SubIDs {
			rollForward(s.st.Subs[sid], now)
		}
	}
	return nil
}

// rollForward moves a subscription's term to the one containing now,
// as if it had renewed silently (bulk data has no renewal history).
func rollForward(sub *subscription, now time.Time) {
	if sub.W.BillingType == "usage" {
		return
	}
	term := cmp.Or(sub.W.TermDuration, "P1Y")
	for !now.Before(sub.W.CommitmentEndDate.Add(24 * time.Hour)) {
		start := sub.W.CommitmentEndDate.Add(24 * time.Hour)
		sub.TermStart = start
		sub.W.CommitmentEndDate = addDuration(start, term).Add(-24 * time.Hour)
		sub.WindowEnd = start.Add(7 * 24 * time.Hour)
		end := sub.WindowEnd
		if sub.W.CancellationAllowedUntilDate != nil {
			sub.W.CancellationAllowedUntilDate = &end
			for i := range sub.W.RefundOptions {
				sub.W.RefundOptions[i].ExpiresAt = end
			}
		}
	}
}

func lower(v string) string {
	b := []byte(v)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func sortItems(items []*item) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && items[j].ID < items[j-1].ID; j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}
