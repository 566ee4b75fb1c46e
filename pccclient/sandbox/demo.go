package sandbox

import (
	"fmt"
	"sort"
	"time"
)

// Ids of the demo catalog items used by seedDemo and SeedBulk.
const (
	itemO365E3        = "91FD106F-4B2C-4938-95AC-F54F74E9A239"
	itemArchiving     = "2828BE95-46BA-4F91-B2FD-0BEF192ECF60"
	itemAzure         = "MS-AZR-0145P"
	itemNCEBasic      = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
	itemNCEPremium    = "CFQ7TTC0LCHC:0002:CFQ7TTC0K5BF"
	itemNCEExchange   = "CFQ7TTC0LH16:0001:CFQ7TTC0K5LQ"
	itemNCETeamsPhone = "CFQ7TTC0J1FV:0001:CFQ7TTC0K8L2"
	itemNCEO365E3     = "CFQ7TTC0LF8Q:0001:CFQ7TTC0K5G8"
	demoDomainSuffix  = ".onmicrosoft.com"
)

// offerByName finds a legacy offer id by name (the catalog derives ids).
func (s *Sandbox) offerByName(name string) *item {
	for _, o := range s.cat.seed.Offers {
		if o.Name == name {
			return s.cat.item(o.ID)
		}
	}
	panic("sandbox: demo offer missing from catalog: " + name)
}

func (s *Sandbox) mustItem(id string) *item {
	it := s.cat.item(id)
	if it == nil {
		panic("sandbox: demo item missing from catalog: " + id)
	}
	return it
}

// demoCustomer creates a customer at time t, with an MCA attestation if mca.
func (s *Sandbox) demoCustomer(t time.Time, name, prefix, cc, city, state string, mca bool) *customer {
	c := &call{now: t, corr: s.newGUID()}
	in := customerWire{CompanyProfile: &companyProfile{Domain: prefix + demoDomainSuffix},
		BillingProfile: &billingProfile{FirstName: "Alex", LastName: "Admin", Email: "it@" + prefix + ".example", Culture: "en-US",
			Language: "en", CompanyName: name, DefaultAddress: &address{Country: cc, City: city, State: state, AddressLine1: "1 Main Street",
				PostalCode: "10001", FirstName: "Alex", LastName: "Admin", PhoneNumber: "5550100"}}}
	cust := s.newCustomer(t, in, cc)
	s.audit(c, cust, "customer", "add_customer", nil, cust.W,
		kv{Key: "PrimaryDomainName", Value: strp(cust.W.CompanyProfile.Domain)}, kv{Key: "Relationship", Value: strp("Reseller")})
	if mca {
		a := agreementWire{UserID: partnerUserID, PrimaryContact: &contact{FirstName: "Alex", LastName: "Admin", Email: "it@" + prefix + ".example"},
			TemplateID: MCATemplateID, DateAgreed: t.Add(time.Hour), Type: "MicrosoftCustomerAgreement", AgreementLink: mcaLink,
			Attributes: attrs{ObjectType: "Agreement"}}
		cust.Agreements = append(cust.Agreements, a)
		s.audit(&call{now: t.Add(time.Hour), corr: c.corr}, cust, "agreement", "create_agreement", nil, a, kv{Key: "AgreementType", Value: strp(a.Type)})
	}
	return cust
}

// demoOrder buys lines at time t and completes the order at once.
func (s *Sandbox) demoOrder(t time.Time, cust *customer, lines ...purchaseLine) *order {
	nce := false
	for i := range lines {
		if e := s.resolveLine(cust, &lines[i], lines); e != nil {
			panic(fmt.Sprintf("sandbox: demo order for %s: %v", cust.name(), e))
		}
		nce = nce || lines[i].item.NCE
	}
	o := s.newOrder(t, cust, nce, lines[0].billingCycle)
	s.addLines(t, cust, o, lines, "active")
	o.W.Status = "completed"
	s.orderAudit(&call{now: t, corr: s.newGUID()}, cust, o, "create_order", 0)
	return o
}

func line(it *item, qty int, term, cycle string) purchaseLine {
	return purchaseLine{item: it, quantity: qty, termDuration: term, billingCycle: cycle, parentLine: -1}
}

func addonLine(it *item, qty, parent int) purchaseLine {
	return purchaseLine{item: it, quantity: qty, parentLine: parent}
}

// seedDemo creates the demo tenants (caller holds s.mu for writing).
func (s *Sandbox) seedDemo(now time.Time) {
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	e3, arch, az := s.mustItem(itemO365E3), s.mustItem(itemArchiving), s.mustItem(itemAzure)

	contoso := s.demoCustomer(days(85), "Contoso Ltd", "contososbx", "US", "Seattle", "WA", true)
	s.demoOrder(days(80), contoso, line(e3, 25, "", "monthly"), addonLine(arch, 10, 0))
	s.demoOrder(days(60), contoso, line(s.offerByName("Power BI Pro"), 5, "", "annual"))
	s.demoOrder(days(50), contoso, line(az, 1, "", "monthly"))

	fabrikam := s.demoCustomer(days(70), "Fabrikam Inc", "fabrikamsbx", "US", "Austin", "TX", true)
	s.demoOrder(days(3), fabrikam, line(s.mustItem(itemNCEPremium), 40, "P1Y", "monthly"))
	s.demoOrder(days(2), fabrikam, line(s.mustItem(itemNCETeamsPhone), 10, "P1Y", "monthly"))
	s.demoOrder(days(45), fabrikam, line(s.mustItem(itemNCEExchange), 12, "P1M", "monthly"))

	northwind := s.demoCustomer(days(88), "Northwind Traders GmbH", "northwindsbx", "DE", "Berlin", "BE", true)
	s.demoOrder(days(87), northwind, line(s.offerByName("Microsoft 365 E3"), 120, "", "annual"))
	visio := s.demoOrder(days(40), northwind, line(s.offerByName("Visio Plan 2"), 8, "", "monthly"))
	if sub := s.st.Subs[key(visio.W.LineItems[0].SubscriptionID)]; sub != nil {
		sub.W.Status, sub.W.SuspensionReasons, sub.Life.SuspendedAt = "suspended", []string{"CustomerCancellation"}, days(10)
		sub.bump()
		s.audit(&call{now: days(10)}, northwind, "subscription", "update_subscription", nil, sub.W)
	}

	tailspin := s.demoCustomer(days(60), "Tailspin Toys SAS", "tailspinsbx", "FR", "Paris", "IDF", true)
	s.demoOrder(days(30), tailspin, line(s.mustItem(itemNCEBasic), 15, "P1Y", "annual"))

	wingtip := s.demoCustomer(days(50), "Wingtip Toys Ltd", "wingtipsbx", "GB", "London", "LND", true)
	s.demoOrder(days(49), wingtip, line(s.offerByName("Office 365 E1"), 50, "", "monthly"), addonLine(s.offerByName("Audio Conferencing"), 5, 0))
	s.demoOrder(days(20), wingtip, line(s.offerByName("Dynamics 365 Sales Enterprise"), 10, "", "monthly"))

	adatum := s.demoCustomer(days(40), "Adatum BV", "adatumsbx", "NL", "Amsterdam", "NH", true)
	s.demoOrder(days(25), adatum, line(s.mustItem(itemNCEO365E3), 30, "P1Y", "monthly"))
	s.demoOrder(days(24), adatum, line(s.offerByName("Project Plan 3"), 4, "", "monthly"))

	s.demoCustomer(days(1), "Litware Inc", "litwaresbx", "US", "Boston", "MA", false)

	sort.SliceStable(s.st.Audit, func(i, j int) bool { return s.st.Audit[i].OperationDate.Before(s.st.Audit[j].OperationDate) })
	s.seedInvoices(now, 3)
}
