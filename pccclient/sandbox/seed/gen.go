//go:build ignore

// gen writes catalog.json, the sandbox's embedded Partner Center catalog:
// the legacy offers (gen.go), the new-commerce products (gen_nce.go), the
// promotions (gen_promotions.go) and the ISO country codes
// (gen_countries.go). It is deterministic: ids that are not well-known are
// derived from names.
// Run from this directory: go run gen.go gen_nce.go gen_promotions.go gen_countries.go
package main

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type servicePlan struct {
	ID          string `json:"id"`
	ServiceName string `json:"serviceName"`
	DisplayName string `json:"displayName"`
}

type offer struct {
	ID                     string             `json:"id"`
	Name                   string             `json:"name"`
	Description            string             `json:"description"`
	MinimumQuantity        int                `json:"minimumQuantity"`
	MaximumQuantity        int                `json:"maximumQuantity"`
	Rank                   int                `json:"rank"`
	CategoryID             string             `json:"categoryId"`
	Billing                string             `json:"billing"`
	IsAddOn                bool               `json:"isAddOn"`
	PrerequisiteOffers     []string           `json:"prerequisiteOffers"`
	SupportedBillingCycles []string           `json:"supportedBillingCycles"`
	IsAutoRenewable        bool               `json:"isAutoRenewable"`
	IsTrial                bool               `json:"isTrial"`
	LimitUnitOfMeasure     string             `json:"limitUnitOfMeasure"`
	Limit                  int                `json:"limit"`
	UnitType               string             `json:"unitType"`
	ProductID              string             `json:"productId"`
	SalesGroupID           string             `json:"salesGroupId"`
	LearnMore              string             `json:"learnMore"`
	UpgradeTargetOffers    []string           `json:"upgradeTargetOffers"`
	Prices                 map[string]float64 `json:"prices"`
	AADSkuID               string             `json:"aadSkuId"`
	SkuPartNumber          string             `json:"skuPartNumber"`
	ServicePlans           []servicePlan      `json:"servicePlans"`
}

type term struct {
	ID            string             `json:"id"`
	Duration      string             `json:"duration"`
	Description   string             `json:"description"`
	BillingCycle  string             `json:"billingCycle"`
	RefundWindows []string           `json:"refundWindows"`
	Prices        map[string]float64 `json:"prices"`
}

type availability struct {
	ID          string `json:"id"`
	IsRenewable bool   `json:"isRenewable"`
	Terms       []term `json:"terms"`
}

type sku struct {
	ID                     string         `json:"id"`
	Title                  string         `json:"title"`
	Description            string         `json:"description"`
	MinimumQuantity        int            `json:"minimumQuantity"`
	MaximumQuantity        int            `json:"maximumQuantity"`
	IsTrial                bool           `json:"isTrial"`
	IsAddOn                bool           `json:"isAddOn"`
	Billing                string         `json:"billing"`
	PrerequisiteSkus       []string       `json:"prerequisiteSkus"`
	SupportedBillingCycles []string       `json:"supportedBillingCycles"`
	AADSkuID               string         `json:"aadSkuId"`
	SkuPartNumber          string         `json:"skuPartNumber"`
	ServicePlans           []servicePlan  `json:"servicePlans"`
	UnitType               string         `json:"unitType"`
	UpgradeTargets         []string       `json:"upgradeTargets"`
	Availabilities         []availability `json:"availabilities"`
}

type productType struct {
	ID          string       `json:"id"`
	DisplayName string       `json:"displayName"`
	SubType     *productType `json:"subType,omitempty"`
}

type product struct {
	ID            string      `json:"id"`
	Title         string      `json:"title"`
	Description   string      `json:"description"`
	ProductType   productType `json:"productType"`
	TargetView    string      `json:"targetView"`
	PublisherName string      `json:"publisherName"`
	Skus          []sku       `json:"skus"`
}

type category struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Rank int    `json:"rank"`
}

type catalogFile struct {
	Categories []category  `json:"categories"`
	Offers     []offer     `json:"offers"`
	Products   []product   `json:"products"`
	Promotions []promotion `json:"promotions"`
	Countries  []country   `json:"countries"`
}

// guid derives a stable GUID from a name (SHA-1, version 5 layout).
func guid(name string) string {
	h := sha1.Sum([]byte("cspportal-sandbox:" + name))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func upper(name string) string { return strings.ToUpper(guid("offer:" + name)) }

// prices gives a monthly unit price in USD with EUR and GBP derived.
func prices(usd float64) map[string]float64 {
	r := func(v float64) float64 { return float64(int(v*100+0.5)) / 100 }
	return map[string]float64{"USD": usd, "EUR": r(usd * 0.94), "GBP": r(usd * 0.80)}
}

func plans(names ...string) []servicePlan {
	var out []servicePlan
	for _, n := range names {
		out = append(out, servicePlan{ID: guid("plan:" + n), ServiceName: n, DisplayName: strings.ReplaceAll(strings.Title(strings.ToLower(strings.ReplaceAll(n, "_", " "))), " S ", " ")})
	}
	return out
}

func main() {
	// Well-known ids from the documented samples.
	const (
		o365E3    = "91FD106F-4B2C-4938-95AC-F54F74E9A239"
		o365BP    = "031C9E47-4802-4248-838E-778FB1D2CC05"
		exchP1    = "195416C1-3447-423A-B37B-EE59A99A19C4"
		archiving = "2828BE95-46BA-4F91-B2FD-0BEF192ECF60"
		azure     = "MS-AZR-0145P"
	)
	ids := map[string]string{
		"Office 365 E3":                                 o365E3,
		"Office 365 Business Premium":                   o365BP,
		"Exchange Online (Plan 1)":                      exchP1,
		"Exchange Online Archiving for Exchange Online": archiving,
		"Microsoft Azure":                               azure,
	}
	id := func(name string) string {
		if v, ok := ids[name]; ok {
			return v
		}
		v := upper(name)
		ids[name] = v
		return v
	}
	both := []string{"monthly", "annual"}
	base := func(name, cat, desc string, min, max, rank int, usd float64, part string, pl ...string) offer {
		return offer{ID: id(name), Name: name, Description: desc, MinimumQuantity: min, MaximumQuantity: max, Rank: rank,
			CategoryID: cat, Billing: "license", SupportedBillingCycles: both, IsAutoRenewable: true,
			LimitUnitOfMeasure: "None", UnitType: "Licenses", ProductID: guid("product:" + name), SalesGroupID: "1",
			LearnMore: "https://go.microsoft.com/fwlink/?LinkId=" + fmt.Sprint(100000+rank), Prices: prices(usd),
			AADSkuID: guid("aadsku:" + name), SkuPartNumber: part, ServicePlans: plans(pl...), PrerequisiteOffers: []string{}}
	}
	addon := func(name, desc string, rank int, usd float64, part string, prereq ...string) offer {
		o := base(name, "AddOns_Key", desc, 1, 10000000, rank, usd, part, part)
		o.IsAddOn = true
		for _, p := range prereq {
			o.PrerequisiteOffers = append(o.PrerequisiteOffers, id(p))
		}
		return o
	}
	ent, smb := "Enterprise_Key", "SmallBusiness_Key"
	var offers []offer
	offers = append(offers,
		base("Office 365 E1", ent, "Web versions of Office apps with email, file storage and sharing, meetings and chat.", 1, 10000000, 10, 10.00, "STANDARDPACK", "EXCHANGE_S_STANDARD", "SHAREPOINTSTANDARD", "TEAMS1"),
		base("Office 365 E3", ent, "Office apps plus email, file storage, meetings and compliance tools for enterprises.", 1, 10000000, 11, 23.00, "ENTERPRISEPACK", "EXCHANGE_S_ENTERPRISE", "SHAREPOINTENTERPRISE", "OFFICESUBSCRIPTION", "TEAMS1"),
		base("Office 365 E5", ent, "Office 365 E3 plus advanced security, analytics and voice.", 1, 10000000, 12, 38.00, "ENTERPRISEPREMIUM", "EXCHANGE_S_ENTERPRISE", "MCOEV", "MCOMEETADV", "THREAT_INTELLIGENCE"),
		base("Microsoft 365 E3", ent, "Office 365 E3, Enterprise Mobility + Security E3 and Windows Enterprise E3.", 1, 10000000, 13, 36.00, "SPE_E3", "EXCHANGE_S_ENTERPRISE", "INTUNE_A", "AAD_PREMIUM", "WIN10_PRO_ENT_SUB"),
		base("Microsoft 365 E5", ent, "Microsoft 365 E3 plus advanced security, compliance, voice and analytics.", 1, 10000000, 14, 57.00, "SPE_E5", "EXCHANGE_S_ENTERPRISE", "INTUNE_A", "AAD_PREMIUM_P2", "MCOEV"),
		base("Microsoft 365 F3", ent, "Tools for frontline workers: web and mobile Office apps, Teams and email.", 1, 10000000, 15, 8.00, "SPE_F1", "EXCHANGE_S_DESKLESS", "TEAMS1"),
		base("Microsoft 365 Apps for enterprise", ent, "Desktop versions of Office apps with 1 TB of cloud storage per user.", 1, 10000000, 16, 12.00, "OFFICESUBSCRIPTION", "OFFICESUBSCRIPTION", "ONEDRIVESTANDARD"),
		base("Microsoft 365 Business Basic", smb, "Web and mobile versions of Office apps, Teams, email and 1 TB of storage.", 1, 300, 30, 6.00, "O365_BUSINESS_ESSENTIALS", "EXCHANGE_S_STANDARD", "TEAMS1", "SHAREPOINTSTANDARD"),
		base("Microsoft 365 Business Standard", smb, "Desktop Office apps plus business email, storage and Teams.", 1, 300, 31, 12.50, "O365_BUSINESS_PREMIUM", "EXCHANGE_S_STANDARD", "OFFICE_BUSINESS", "TEAMS1"),
		base("Microsoft 365 Business Premium", smb, "Business Standard plus advanced security and device management.", 1, 300, 32, 22.00, "SPB", "EXCHANGE_S_STANDARD", "OFFICE_BUSINESS", "INTUNE_A", "AAD_PREMIUM"),
		base("Office 365 Business Premium", smb, "For businesses with 1 to 300 users that need the latest desktop version of Office, plus anywhere access to email, filesharing, and online conferencing.", 1, 300, 56, 12.50, "O365_BUSINESS_PREMIUM", "EXCHANGE_S_STANDARD", "OFFICE_BUSINESS"),
		base("Microsoft 365 Apps for business", smb, "Desktop versions of Office apps with 1 TB of cloud storage per user.", 1, 300, 33, 8.25, "O365_BUSINESS", "OFFICE_BUSINESS", "ONEDRIVESTANDARD"),
		base("Exchange Online (Plan 1)", "Exchange_Key", "Business-class email with a 50 GB mailbox per user.", 1, 10000000, 40, 4.00, "EXCHANGESTANDARD", "EXCHANGE_S_STANDARD"),
		base("Exchange Online (Plan 2)", "Exchange_Key", "Business-class email with a 100 GB mailbox, archiving and data loss prevention.", 1, 10000000, 41, 8.00, "EXCHANGEENTERPRISE", "EXCHANGE_S_ENTERPRISE"),
		base("SharePoint Online (Plan 1)", "SharePoint_Key", "Team sites and 1 TB of OneDrive storage per user.", 1, 10000000, 42, 5.00, "SHAREPOINTSTANDARD", "SHAREPOINTSTANDARD"),
		base("Visio Plan 2", "Apps_Key", "Diagramming with the Visio desktop app and web app.", 1, 10000000, 50, 15.00, "VISIOCLIENT", "VISIO_CLIENT_SUBSCRIPTION", "VISIOONLINE"),
		base("Project Plan 3", "Apps_Key", "Project management with the Project desktop client and Project for the web.", 1, 10000000, 51, 30.00, "PROJECTPROFESSIONAL", "PROJECT_PROFESSIONAL", "PROJECT_CLIENT_SUBSCRIPTION"),
		base("Project Plan 5", "Apps_Key", "Portfolio management and advanced project planning.", 1, 10000000, 52, 55.00, "PROJECTPREMIUM", "PROJECT_PROFESSIONAL", "PROJECT_CLIENT_SUBSCRIPTION"),
		base("Power BI Pro", "Apps_Key", "Self-service analytics with collaboration, publishing and sharing.", 1, 10000000, 53, 10.00, "POWER_BI_PRO", "BI_AZURE_P2", "EXCHANGE_S_FOUNDATION"),
		base("Power BI Premium Per User", "Apps_Key", "Power BI Pro plus premium capabilities per user.", 1, 10000000, 54, 20.00, "PBI_PREMIUM_PER_USER", "BI_AZURE_P3"),
		base("Dynamics 365 Sales Enterprise", "Dynamics_Key", "Sales force automation with AI-driven insights.", 1, 10000000, 60, 95.00, "DYN365_ENTERPRISE_SALES", "DYN365_ENTERPRISE_SALES"),
		base("Dynamics 365 Business Central Essentials", "Dynamics_Key", "Financials, supply chain and project management for small businesses.", 1, 10000000, 61, 70.00, "DYN365_BUSCENTRAL_ESSENTIAL", "DYN365_FINANCIALS_BUSINESS"),
		base("Enterprise Mobility + Security E3", ent, "Identity, device management and information protection.", 1, 10000000, 20, 10.60, "EMS", "RMS_S_PREMIUM", "INTUNE_A", "AAD_PREMIUM", "MFA_PREMIUM"),
		base("Microsoft Intune", ent, "Mobile device and application management.", 1, 10000000, 21, 8.00, "INTUNE_A", "INTUNE_A"),
	)
	trial := base("Microsoft 365 Business Basic Trial", smb, "One-month trial of Microsoft 365 Business Basic.", 1, 25, 34, 0, "O365_BUSINESS_ESSENTIALS", "EXCHANGE_S_STANDARD", "TEAMS1")
	trial.IsTrial, trial.IsAutoRenewable, trial.LimitUnitOfMeasure, trial.Limit = true, false, "LifeTime", 1
	trial.SupportedBillingCycles = []string{"none"}
	trial.SalesGroupID = "2"
	offers = append(offers, trial)
	suites := []string{"Office 365 E1", "Office 365 E3", "Office 365 E5", "Microsoft 365 E3", "Microsoft 365 E5", "Microsoft 365 Business Basic", "Microsoft 365 Business Standard", "Microsoft 365 Business Premium", "Office 365 Business Premium"}
	offers = append(offers,
		addon("Exchange Online Archiving for Exchange Online", "A personal e-mail archive for users who have mailboxes on Exchange Server 2010 or later.", 200, 3.00, "EXCHANGEARCHIVE_ADDON",
			"Office 365 E1", "Office 365 E3", "Exchange Online (Plan 1)", "Office 365 Business Premium", "Microsoft 365 Business Basic", "Microsoft 365 Business Standard"),
		addon("Audio Conferencing", "Dial-in numbers for Teams meetings.", 210, 4.00, "MCOMEETADV", suites...),
		addon("Microsoft Teams Phone Standard", "Cloud-based phone system for Teams (Phone System).", 211, 8.00, "MCOEV", "Office 365 E1", "Office 365 E3", "Microsoft 365 E3", "Microsoft 365 Business Basic", "Microsoft 365 Business Standard", "Microsoft 365 Business Premium"),
		addon("Microsoft Defender for Office 365 (Plan 1)", "Advanced Threat Protection for email and collaboration.", 212, 2.00, "ATP_ENTERPRISE", "Office 365 E1", "Office 365 E3", "Exchange Online (Plan 1)", "Exchange Online (Plan 2)", "Microsoft 365 Business Basic", "Microsoft 365 Business Standard"),
		addon("Microsoft 365 E5 Security", "Advanced security capabilities for Microsoft 365 E3.", 213, 12.00, "IDENTITY_THREAT_PROTECTION", "Microsoft 365 E3"),
		addon("Office 365 Extra File Storage", "Additional SharePoint storage per GB.", 214, 0.20, "SHAREPOINTSTORAGE", suites...),
		addon("Dynamics 365 Sales Additional Storage", "Additional database storage for Dynamics 365 (per GB).", 215, 40.00, "CRMSTORAGE", "Dynamics 365 Sales Enterprise"),
	)
	offers[len(offers)-2].UnitType = "GB"
	offers[len(offers)-1].UnitType = "GB"
	usage := func(name, oid, desc string, rank int) offer {
		ids[name] = oid
		o := base(name, "Azure_Key", desc, 1, 1, rank, 0, "")
		o.Billing, o.UnitType, o.IsAutoRenewable = "usage", "Usage-based", false
		o.SupportedBillingCycles = []string{"monthly"}
		o.Limit, o.LimitUnitOfMeasure = 0, "None"
		o.AADSkuID, o.SkuPartNumber, o.ServicePlans = "", "", nil
		o.SalesGroupID = "3"
		return o
	}
	offers = append(offers,
		usage("Microsoft Azure", azure, "Pay-as-you-go Azure services billed by consumption.", 100),
		usage("Microsoft Azure Dev/Test", "MS-AZR-0148P", "Discounted Azure usage for development and testing.", 101),
		usage("Azure Active Directory B2C", "MS-AZR-0170P", "Customer identity and access management billed by monthly active users.", 102),
	)

	products := nceProducts()
	cats := []category{{"Enterprise_Key", "Enterprise", 10}, {"SmallBusiness_Key", "Small Business", 30}, {"Exchange_Key", "Exchange", 40},
		{"SharePoint_Key", "SharePoint", 41}, {"Apps_Key", "Apps", 50}, {"Dynamics_Key", "Dynamics", 60}, {"AddOns_Key", "Add-ons", 70}, {"Azure_Key", "Azure", 80}}
	out, err := json.MarshalIndent(catalogFile{Categories: cats, Offers: offers, Products: products, Promotions: promotions(products), Countries: countries()}, "", "  ")
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile("catalog.json", append(out, '\n'), 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("wrote %d offers, %d products, %d promotions\n", len(offers), len(products), len(promotions(products)))
}

func round(v float64) float64 { return float64(int(v*100+0.5)) / 100 }
