package pccclient

import (
	"net/url"
	"strings"
)

// Cloud is the Partner Center a connection talks to. Microsoft Graph's
// billing exports exist in the global cloud only (the Graph pages' national
// cloud table: global yes; US Government L4, L5 and China operated by
// 21Vianet no); elsewhere billing data comes from the v1 invoice API.
type Cloud string

// Clouds.
const (
	CloudGlobal Cloud = "global"
	// Cloud21Vianet is Partner Center operated by 21Vianet
	// (https://partner.partnercenterapi.microsoftonline.cn;
	// learn.microsoft.com "Partner Center REST URLs").
	Cloud21Vianet Cloud = "21vianet"
	// CloudUSGov is Partner Center for Microsoft Cloud for US Government,
	// which shares the global API host, so CloudOf cannot tell it apart:
	// a setting has to say so.
	CloudUSGov Cloud = "usgov"
)

// CloudOf is the cloud of a Partner Center API base URL (the sandbox and
// unknown hosts count as global).
func CloudOf(baseURL string) Cloud {
	u, err := url.Parse(baseURL)
	if err == nil && strings.HasSuffix(strings.ToLower(u.Hostname()), ".microsoftonline.cn") {
		return Cloud21Vianet
	}
	return CloudGlobal
}

// GraphBilling reports whether the cloud has Graph's billing exports.
func (c Cloud) GraphBilling() bool { return c == CloudGlobal || c == "" }
