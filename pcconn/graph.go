package pcconn

import (
	"net/url"
	"strings"

	"github.com/cspportal/portal/pccclient"
)

// GraphURL is the Microsoft Graph base URL that goes with a Partner Center
// API URL: "" (the client's default, https://graph.microsoft.com) for
// Partner Center's own hosts, and the API URL + /graph for anything else
// (the sandbox serves Graph's billing API there, see
// sandbox.GraphPathPrefix).
func GraphURL(apiURL string) string {
	u, err := url.Parse(apiURL)
	if apiURL == "" || err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host == "api.partnercenter.microsoft.com" || pccclient.CloudOf(apiURL) != pccclient.CloudGlobal {
		return ""
	}
	return strings.TrimRight(apiURL, "/") + "/graph"
}

// PricingURL is the pricing host that goes with a Partner Center API URL:
// "" (the client's default, https://api.partner.microsoft.com) for Partner
// Center's own hosts, and the API URL + /pricing for anything else (the
// sandbox serves the price sheet API there, see sandbox.PricingPathPrefix).
func PricingURL(apiURL string) string {
	u, err := url.Parse(apiURL)
	if apiURL == "" || err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host == "api.partnercenter.microsoft.com" || pccclient.CloudOf(apiURL) != pccclient.CloudGlobal {
		return ""
	}
	return strings.TrimRight(apiURL, "/") + "/pricing"
}
