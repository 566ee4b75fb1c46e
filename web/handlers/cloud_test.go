package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestCloudSettingExplainsMissingCapabilities: choosing 21Vianet on the
// settings page moves the official URLs to 21Vianet's, and the pages that
// would use what 21Vianet lacks say so instead of failing; back to global,
// they work as before.
func TestCloudSettingExplainsMissingCapabilities(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, false)
	e.sync("catalog")
	e.sync("full")
	var c *http.Client
	var cust string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT id::text FROM customers WHERE coalesce(nullif(address_country, ''), 'US') = 'US' AND gone_at IS NULL ORDER BY company_name LIMIT 1`).Scan(&cust); err != nil {
		t.Fatal(err)
	}
	addAzure := func() page {
		t.Helper()
		return e.post(c, "/customers/"+cust+"/cart/lines", url.Values{"item_id": {"DZH318Z0BPS6:0001:DZH318Z0BPS6"}, "quantity": {"1"},
			"plan": {""}, "term": {""}, "billing_cycle": {"monthly"}})
	}
	e.createUser("admin", "admin@example.com")
	c = e.client()
	e.login(c, "admin@example.com")
	creds := sandbox.DefaultCredentials()
	save := func(cloud, api, token string) {
		t.Helper()
		p := e.post(c, "/admin/settings/pc", url.Values{"pc_cloud": {cloud}, "pc_tenant_id": {creds.TenantID},
			"pc_client_id": {creds.ClientID}, "pc_client_secret": {""}, "pc_api_url": {api}, "pc_token_url": {token}})
		if p.StatusCode != http.StatusSeeOther {
			t.Fatalf("save %s: %d\n%s", cloud, p.StatusCode, p.body)
		}
	}
	save("china", "https://api.partnercenter.microsoft.com", "https://login.microsoftonline.com/{tenant}/oauth2/token")
	st, err := e.st.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.PcCloud != "china" || st.PcApiUrl != "https://partner.partnercenterapi.microsoftonline.cn" ||
		st.PcTokenUrl != "https://login.chinacloudapi.cn/{tenant}/oauth2/token" {
		t.Fatalf("stored %s %s %s", st.PcCloud, st.PcApiUrl, st.PcTokenUrl)
	}
	if p := e.post(c, "/admin/settings/pc", url.Values{"pc_cloud": {"mars"}, "pc_tenant_id": {creds.TenantID},
		"pc_client_id": {creds.ClientID}, "pc_api_url": {e.sbURL}, "pc_token_url": {e.sbURL + "/{tenant}/oauth2/token"}}); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-pc_cloud") {
		t.Fatalf("unknown cloud: %d", p.StatusCode)
	}

	const azure = "/catalog/US/products/DZH318Z0BPS6/skus/0001"
	const order = "/orders/new?country=US&item=sku:DZH318Z0BPS6/0001"
	for path, id := range map[string]string{azure: "unavailable-azure_plan", order: "unavailable-azure_plan",
		"/billing": "unavailable-graph_billing", "/support": "unavailable-service_requests", "/admin/prices": "unavailable-price_sheets"} {
		p := e.get(c, path)
		if p.StatusCode != http.StatusOK || !hasTestID(p.body, id) {
			t.Errorf("china %s: %d, no %s\n%s", path, p.StatusCode, id, p.body)
		}
	}
	if p := e.get(c, azure); hasTestID(p.body, "offer-order") {
		t.Error("china: the Azure plan can still be ordered")
	}
	if p := e.get(c, order); hasTestID(p.body, "order-for-search") {
		t.Error("china: the order page still lists customers for the Azure plan")
	}
	if p := addAzure(); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.body, "21Vianet") {
		t.Errorf("china: adding the Azure plan to a cart: %d", p.StatusCode)
	}

	// A sandbox URL is kept whatever the cloud; global again.
	save("global", e.sbURL, e.sbURL+"/{tenant}/oauth2/token")
	if st, _ := e.st.Settings(t.Context()); st.PcCloud != "global" || st.PcApiUrl != e.sbURL {
		t.Fatalf("stored %s %s", st.PcCloud, st.PcApiUrl)
	}
	for _, path := range []string{azure, "/billing", "/support"} {
		if p := e.get(c, path); p.StatusCode != http.StatusOK || hasTestID(p.body, "unavailable-azure_plan") ||
			hasTestID(p.body, "unavailable-graph_billing") || hasTestID(p.body, "unavailable-service_requests") {
			t.Errorf("global %s: %d, explains a missing capability", path, p.StatusCode)
		}
	}
	if p := e.get(c, azure); !hasTestID(p.body, "offer-order") {
		t.Error("global: the Azure plan cannot be ordered")
	}
	if p := addAzure(); p.StatusCode != http.StatusSeeOther {
		t.Errorf("global: adding the Azure plan to a cart: %d\n%s", p.StatusCode, p.body)
	}
}
