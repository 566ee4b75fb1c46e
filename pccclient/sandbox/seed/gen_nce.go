//go:build ignore

package main

import (
	"crypto/sha1"
	"strings"
)

// New commerce (NCE): since 1 September 2024 every license-based purchase
// is new commerce; the legacy offers of gen.go only back existing
// subscriptions. Product and SKU titles are PC's: a SKU usually carries the
// product's title again (the documented Business Basic SKU does), so a
// client shows one of them, never both.

// termSpec is one term of an availability: duration, billing plan and the
// factor over the monthly-equivalent price of annual billing.
type termSpec struct {
	duration, cycle, desc string
	factor                float64
}

// The terms PC sells license-based NCE SKUs with. Monthly billing of a
// yearly or three-year term costs 5% more than paying for a year up front;
// a monthly term costs 20% more.
var (
	p1m          = termSpec{"P1M", "Monthly", "One-Month commitment for monthly billing", 1.20}
	p1yMonthly   = termSpec{"P1Y", "Monthly", "One-Year commitment for monthly/yearly billing", 1.05}
	p1yAnnual    = termSpec{"P1Y", "Annual", "One-Year commitment for monthly/yearly billing", 1.00}
	p3yMonthly   = termSpec{"P3Y", "Monthly", "Three-Year commitment for monthly/yearly/triennial billing", 1.05}
	p3yAnnual    = termSpec{"P3Y", "Annual", "Three-Year commitment for monthly/yearly/triennial billing", 1.00}
	p3yTriennial = termSpec{"P3Y", "Triennial", "Three-Year commitment for monthly/yearly/triennial billing", 1.00}
)

// ncSpec describes one NCE product with its single paid SKU.
type ncSpec struct {
	pid, sid, avail    string // ids; empty pid/avail are derived from the title
	title, desc, part  string
	usd                float64 // monthly-equivalent price with annual billing
	max                int
	threeYear, noMonth bool     // P3Y terms; no P1M term
	addonOf            []string // productId:skuId of the bases (an add-on)
	unit               string   // "" = Licenses
	upgrades           []string // productId:skuId it can be upgraded to
}

// ncID derives a 12-character PC-style id: prefix plus upper-case letters
// and digits from the name.
func ncID(prefix, name string) string {
	const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
	h := sha1.Sum([]byte("cspportal-sandbox-nce:" + name))
	b := []byte(prefix)
	for i := 0; len(b) < 12; i++ {
		b = append(b, alnum[int(h[i])%len(alnum)])
	}
	return string(b)
}

func (s ncSpec) terms() []termSpec {
	var ts []termSpec
	if !s.noMonth {
		ts = append(ts, p1m)
	}
	ts = append(ts, p1yMonthly, p1yAnnual)
	if s.threeYear {
		ts = append(ts, p3yMonthly, p3yAnnual, p3yTriennial)
	}
	return ts
}

func (s ncSpec) product() product {
	if s.pid == "" {
		s.pid = ncID("CFQ7TTC0", "product:"+s.title)
	}
	if s.avail == "" {
		s.avail = ncID("CFQ7TTC0", "availability:"+s.title)
	}
	if s.sid == "" {
		s.sid = "0001"
	}
	var ts []term
	cycles := []string{}
	for _, t := range s.terms() {
		ts = append(ts, term{ID: strings.ToLower(guid(s.pid + t.duration + t.cycle))[:12], Duration: t.duration,
			Description: t.desc, BillingCycle: t.cycle, RefundWindows: []string{"P1D", "P7D"}, Prices: prices(round(s.usd * t.factor))})
		c := strings.ToLower(t.cycle)
		if !contains(cycles, c) {
			cycles = append(cycles, c)
		}
	}
	unit := s.unit
	if unit == "" {
		unit = "Licenses"
	}
	k := sku{ID: s.sid, Title: s.title, Description: s.desc, MinimumQuantity: 1, MaximumQuantity: s.max, Billing: "license",
		SupportedBillingCycles: cycles, AADSkuID: guid("aadsku:" + s.title), SkuPartNumber: s.part, ServicePlans: plans(s.part),
		PrerequisiteSkus: []string{}, UnitType: unit, UpgradeTargets: s.upgrades,
		Availabilities: []availability{{ID: s.avail, IsRenewable: true, Terms: ts}}}
	if k.UpgradeTargets == nil {
		k.UpgradeTargets = []string{}
	}
	if len(s.addonOf) > 0 {
		k.IsAddOn, k.PrerequisiteSkus = true, s.addonOf
	}
	return product{ID: s.pid, Title: s.title, Description: s.desc, TargetView: "OnlineServices", PublisherName: "Microsoft Corporation",
		ProductType: productType{ID: "OnlineServicesNCE", DisplayName: "OnlineServicesNCE"}, Skus: []sku{k}}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Well-known NCE product:sku keys (bases add-ons name).
const (
	nceBasic    = "CFQ7TTC0LH18:0001"
	nceStandard = "CFQ7TTC0LDPB:0001"
	ncePremium  = "CFQ7TTC0LCHC:0002"
	nceM365E3   = "CFQ7TTC0LFLZ:0002"
	nceM365E5   = "CFQ7TTC0LFK5:0002"
	nceO365E1   = "CFQ7TTC0LF8R:0001"
	nceO365E3   = "CFQ7TTC0LF8Q:0001"
	nceExchange = "CFQ7TTC0LH16:0001"
)

func nceProducts() []product {
	suites := []string{nceBasic, nceStandard, ncePremium, nceM365E3, nceO365E1, nceO365E3}
	mail := []string{nceExchange, nceBasic, nceStandard, nceO365E1}
	bcEssentials := ncID("CFQ7TTC0", "product:Dynamics 365 Business Central Essentials") + ":0001"
	copilot := append([]string{nceM365E5}, suites...)
	specs := []ncSpec{
		{pid: "CFQ7TTC0LH18", avail: "CFQ7TTC0K971", title: "Microsoft 365 Business Basic", desc: "Web and mobile Office apps, Teams, email and storage for up to 300 users.", usd: 6.00, max: 300, part: "O365_BUSINESS_ESSENTIALS", upgrades: []string{nceStandard, ncePremium}},
		{pid: "CFQ7TTC0LDPB", avail: "CFQ7TTC0K5DM", title: "Microsoft 365 Business Standard", desc: "Desktop Office apps plus email, storage and Teams for up to 300 users.", usd: 12.50, max: 300, part: "O365_BUSINESS_PREMIUM", upgrades: []string{ncePremium}},
		{pid: "CFQ7TTC0LCHC", sid: "0002", avail: "CFQ7TTC0K5BF", title: "Microsoft 365 Business Premium", desc: "Business Standard plus advanced security and device management.", usd: 22.00, max: 300, part: "SPB", threeYear: true, upgrades: []string{nceM365E3}},
		{pid: "CFQ7TTC0LFLZ", sid: "0002", avail: "CFQ7TTC0K4TS", title: "Microsoft 365 E3", desc: "Office 365 E3, Enterprise Mobility + Security E3 and Windows Enterprise.", usd: 36.00, max: 10000000, part: "SPE_E3", threeYear: true, upgrades: []string{nceM365E5}},
		{pid: "CFQ7TTC0LFK5", sid: "0002", avail: "CFQ7TTC0K59L", title: "Microsoft 365 E5", desc: "Microsoft 365 E3 plus advanced security, voice and analytics.", usd: 57.00, max: 10000000, part: "SPE_E5", threeYear: true},
		{title: "Microsoft 365 F3", desc: "Web and mobile apps, Teams and email for frontline workers.", usd: 8.00, max: 10000000, part: "SPE_F1"},
		{title: "Microsoft 365 Apps for business", desc: "Desktop Office apps with 1 TB of cloud storage per user, for up to 300 users.", usd: 8.25, max: 300, part: "O365_BUSINESS"},
		{title: "Microsoft 365 Apps for enterprise", desc: "Desktop Office apps with 1 TB of cloud storage per user.", usd: 12.00, max: 10000000, part: "OFFICESUBSCRIPTION"},
		{pid: "CFQ7TTC0LF8R", avail: "CFQ7TTC0K5JS", title: "Office 365 E1", desc: "Web Office apps with email, storage and Teams.", usd: 10.00, max: 10000000, part: "STANDARDPACK", upgrades: []string{nceO365E3}},
		{pid: "CFQ7TTC0LF8Q", avail: "CFQ7TTC0K5G8", title: "Office 365 E3", desc: "Office apps with email, storage, meetings and compliance.", usd: 23.00, max: 10000000, part: "ENTERPRISEPACK", upgrades: []string{nceM365E3}},
		{pid: "CFQ7TTC0LH16", avail: "CFQ7TTC0K5LQ", title: "Exchange Online (Plan 1)", desc: "Business email with a 50 GB mailbox.", usd: 4.00, max: 10000000, part: "EXCHANGESTANDARD"},
		{title: "Exchange Online (Plan 2)", desc: "Business email with a 100 GB mailbox, archiving and data loss prevention.", usd: 8.00, max: 10000000, part: "EXCHANGEENTERPRISE"},
		{pid: "CFQ7TTC0L3PB", avail: "CFQ7TTC0K9S8", title: "Power BI Pro", desc: "Self-service analytics with sharing and collaboration.", usd: 10.00, max: 10000000, part: "POWER_BI_PRO"},
		{pid: "CFQ7TTC0HD33", avail: "CFQ7TTC0K8PX", title: "Visio Plan 2", desc: "Visio desktop and web diagramming.", usd: 15.00, max: 10000000, part: "VISIOCLIENT"},
		{title: "Project Plan 3", desc: "Project management with the Project desktop client and Project for the web.", usd: 30.00, max: 10000000, part: "PROJECTPROFESSIONAL"},
		{title: "Microsoft Intune Plan 1", desc: "Endpoint management for mobile devices and PCs.", usd: 8.00, max: 10000000, part: "INTUNE_A"},
		{title: "Dynamics 365 Sales Enterprise", desc: "Sales force automation with AI-driven insights.", usd: 105.00, max: 10000000, part: "DYN365_ENTERPRISE_SALES", threeYear: true, noMonth: true},
		{title: "Dynamics 365 Business Central Essentials", desc: "Financials, supply chain and project management for small businesses.", usd: 80.00, max: 10000000, part: "DYN365_BUSCENTRAL_ESSENTIAL", threeYear: true, noMonth: true},
		// Add-ons: bought for a tenant that has one of the bases.
		{pid: "CFQ7TTC0J1FV", avail: "CFQ7TTC0K8L2", title: "Microsoft Teams Phone Standard", desc: "Cloud phone system for Teams.", usd: 8.00, max: 10000000, part: "MCOEV", addonOf: suites},
		{pid: "CFQ7TTC0LHSF", avail: "CFQ7TTC0K9WW", title: "Microsoft Teams Audio Conferencing with dial-out to USA/CAN", desc: "Dial-in and dial-out for Teams meetings.", usd: 0.00, max: 10000000, part: "MCOMEETADV", addonOf: suites},
		{pid: "CFQ7TTC0LHS4", avail: "CFQ7TTC0K6J5", title: "Microsoft Defender for Office 365 (Plan 1)", desc: "Protection against advanced threats in email and collaboration.", usd: 2.00, max: 10000000, part: "ATP_ENTERPRISE", addonOf: append([]string{nceM365E3}, mail...)},
		{title: "Exchange Online Archiving for Exchange Online", desc: "A personal email archive for users with Exchange Online mailboxes.", usd: 3.00, max: 10000000, part: "EXCHANGEARCHIVE_ADDON", addonOf: mail},
		{title: "Microsoft 365 E5 Security", desc: "Advanced security capabilities for Microsoft 365 E3.", usd: 12.00, max: 10000000, part: "IDENTITY_THREAT_PROTECTION", addonOf: []string{nceM365E3}},
		{title: "Microsoft 365 Copilot", desc: "AI assistance in Word, Excel, PowerPoint, Outlook and Teams.", usd: 30.00, max: 10000000, part: "Microsoft_365_Copilot", addonOf: copilot},
		{title: "Office 365 Extra File Storage", desc: "Additional SharePoint storage, per GB.", usd: 0.20, max: 10000000, part: "SHAREPOINTSTORAGE", addonOf: copilot, unit: "GB"},
		{title: "Dynamics 365 Business Central Database Capacity", desc: "Additional database storage for Business Central, per GB.", usd: 10.00, max: 10000000, part: "DYN365_BUSCENTRAL_DB_CAPACITY", addonOf: []string{bcEssentials}, unit: "GB", noMonth: true},
	}
	var products []product
	for _, s := range specs {
		products = append(products, s.product())
	}
	// A trial: one month, billing none, no refund window, in the product of
	// the paid SKU (as PC lists it), with a title of its own.
	tr := ncSpec{pid: "CFQ7TTC0LCHC", sid: "0001", avail: "CFQ7TTC0HXQ1", title: "Microsoft 365 Business Premium Trial",
		desc: "One-month free trial of Microsoft 365 Business Premium.", max: 25, part: "SPB"}.product().Skus[0]
	tr.IsTrial, tr.SupportedBillingCycles = true, []string{"none"}
	tr.Availabilities[0].Terms = []term{{ID: "trial1monthx", Duration: "P1M", Description: "One-Month trial", BillingCycle: "None", Prices: prices(0)}}
	tr.Availabilities[0].IsRenewable = false
	for i := range products {
		if products[i].ID == "CFQ7TTC0LCHC" {
			products[i].Skus = append([]sku{tr}, products[i].Skus...)
		}
	}
	// Azure plan: usage based, no commitment term.
	products = append(products, product{ID: "DZH318Z0BPS6", Title: "Azure plan", Description: "Consumption-based Azure services under the Microsoft Customer Agreement.",
		TargetView: "Azure", PublisherName: "Microsoft Corporation",
		ProductType: productType{ID: "Azure", DisplayName: "Azure", SubType: &productType{ID: "AzurePlan", DisplayName: "AzurePlan"}},
		Skus: []sku{{ID: "0001", Title: "Azure plan", Description: "Azure plan", MinimumQuantity: 1, MaximumQuantity: 1, Billing: "usage",
			SupportedBillingCycles: []string{"monthly"}, PrerequisiteSkus: []string{}, UnitType: "Usage-based", UpgradeTargets: []string{},
			Availabilities: []availability{{ID: "DZH318Z0BPS6", IsRenewable: false, Terms: []term{{ID: "azureplan001", Duration: "", Description: "Pay as you go", BillingCycle: "Monthly", Prices: prices(0)}}}}}}})
	return products
}
