package rules

import (
	"strings"
	"time"
)

// Cloud is the Partner Center instance the portal is connected to (the
// settings' pc_cloud).
type Cloud string

// Clouds the portal can connect to.
const (
	// CloudGlobal is Partner Center in Microsoft's global cloud.
	CloudGlobal Cloud = "global"
	// CloudChina is Partner Center operated by 21Vianet.
	CloudChina Cloud = "china"
)

// Clouds lists every cloud, global first (the wizard's choices).
var Clouds = []Cloud{CloudGlobal, CloudChina}

// ParseCloud reads a stored or submitted cloud; "" is global.
func ParseCloud(s string) (Cloud, bool) {
	switch Cloud(strings.ToLower(strings.TrimSpace(s))) {
	case CloudGlobal, "":
		return CloudGlobal, true
	case CloudChina, "21vianet":
		return CloudChina, true
	}
	return CloudGlobal, false
}

// Capability is something Partner Center offers in one cloud and maybe
// not in another. A page that needs one asks the cloud's profile and
// explains what is missing instead of failing.
type Capability string

// Capabilities.
const (
	// CapAzurePlan: selling the Azure plan (usage-based Azure under the
	// Microsoft Customer Agreement) through Partner Center.
	CapAzurePlan Capability = "azure_plan"
	// CapLicenceAssignment: assigning licences to a customer's users
	// through Partner Center.
	CapLicenceAssignment Capability = "licence_assignment"
	// CapServiceRequests: opening Microsoft support (service requests)
	// through Partner Center.
	CapServiceRequests Capability = "service_requests"
	// CapGraphBilling: billed and unbilled reconciliation line items from
	// Microsoft Graph (billing API v2); without it the v1 invoice API.
	CapGraphBilling Capability = "graph_billing"
	// CapPriceSheets: the license-based price sheet download on Partner
	// Center's pricing host (api.partner.microsoft.com).
	CapPriceSheets Capability = "price_sheets"
)

// CloudProfile is what differs between clouds: where to call, where to
// sign in, what the token is for, and which capabilities exist.
//
// Sources (learn.microsoft.com): "Partner Center REST URLs" (the API
// hosts), "National clouds" in the Microsoft identity platform docs and
// "Microsoft Graph national cloud deployments" (sign-in authorities and
// Graph), and the 21Vianet partner pages on Azure, billing and suspension.
type CloudProfile struct {
	Cloud Cloud
	// APIBaseURL is Partner Center's REST host.
	APIBaseURL string
	// Authority is the Entra sign-in host. 21Vianet's Entra answers on
	// login.chinacloudapi.cn (the name the Partner Center SDK uses) and
	// also on login.partner.microsoftonline.cn (the identity platform's
	// current name).
	Authority string
	// TokenURL is the v1 token endpoint template ({tenant} replaced).
	TokenURL string
	// Resource is the token audience Partner Center accepts: its API host
	// (21Vianet's former graph.chinacloudapi.cn audience is retired).
	Resource string
	caps     map[Capability]bool
	// SuspendedDataKeptFor is how long a suspended subscription's data is
	// kept before it is deleted, when the cloud fixes one (21Vianet: 60
	// days); 0 means the global lifecycle rules apply (DeriveLifecycle).
	SuspendedDataKeptFor time.Duration
	// AnniversaryBilling: billing dates follow the reseller agreement's
	// anniversary instead of the calendar month.
	AnniversaryBilling bool
}

// Has reports whether the cloud offers c.
func (p CloudProfile) Has(c Capability) bool { return p.caps[c] }

// Missing lists the capabilities the cloud does not offer, in a fixed
// order (for the settings page).
func (p CloudProfile) Missing() []Capability {
	var out []Capability
	for _, c := range allCapabilities {
		if !p.caps[c] {
			out = append(out, c)
		}
	}
	return out
}

var allCapabilities = []Capability{CapAzurePlan, CapLicenceAssignment, CapServiceRequests, CapGraphBilling, CapPriceSheets}

// ProfileOf returns the profile of c (global for anything unknown).
func ProfileOf(c Cloud) CloudProfile {
	if c == CloudChina {
		return CloudProfile{
			Cloud:                CloudChina,
			APIBaseURL:           "https://partner.partnercenterapi.microsoftonline.cn",
			Authority:            "https://login.chinacloudapi.cn",
			TokenURL:             "https://login.chinacloudapi.cn/{tenant}/oauth2/token",
			Resource:             "https://partner.partnercenterapi.microsoftonline.cn",
			caps:                 map[Capability]bool{},
			SuspendedDataKeptFor: 60 * day,
			AnniversaryBilling:   true,
		}
	}
	return CloudProfile{
		Cloud:      CloudGlobal,
		APIBaseURL: "https://api.partnercenter.microsoft.com",
		Authority:  "https://login.microsoftonline.com",
		TokenURL:   "https://login.microsoftonline.com/{tenant}/oauth2/token",
		Resource:   "https://api.partnercenter.microsoft.com",
		caps: map[Capability]bool{CapAzurePlan: true, CapLicenceAssignment: true, CapServiceRequests: true,
			CapGraphBilling: true, CapPriceSheets: true},
	}
}

// IsAzurePlan reports whether a catalog item (kind "sku", id
// "product/sku", family the product type) is the Azure plan.
func IsAzurePlan(kind, id, family, billing string) bool {
	if kind != "sku" {
		return false
	}
	product, _, _ := strings.Cut(id, "/")
	if strings.EqualFold(product, AzurePlanProductID) {
		return true
	}
	return strings.EqualFold(family, "Azure") && strings.EqualFold(billing, "usage")
}

// AzurePlanProductID is the Azure plan's product id in the new-commerce
// catalog.
const AzurePlanProductID = "DZH318Z0BPS6"

// SuspendedDeletesAt is when a subscription suspended at suspendedAt loses
// its data in cloud p, and whether the cloud fixes that date (false: the
// global lifecycle rules decide, see DeriveLifecycle).
func (p CloudProfile) SuspendedDeletesAt(suspendedAt time.Time) (time.Time, bool) {
	if p.SuspendedDataKeptFor == 0 {
		return time.Time{}, false
	}
	return suspendedAt.UTC().Add(p.SuspendedDataKeptFor), true
}
