package handlers

import (
	"cmp"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// Public-cloud Partner Center defaults.
const (
	defaultPCAPIURL   = "https://api.partnercenter.microsoft.com"
	defaultPCTokenURL = "https://login.microsoftonline.com/{tenant}/oauth2/token"
)

var (
	reCountry  = regexp.MustCompile(`^[A-Z]{2}$`)
	reCurrency = regexp.MustCompile(`^[A-Z]{3}$`)
	reLanguage = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// pcInput is a submitted Partner Center connection.
type pcInput struct {
	TenantID, ClientID, Secret, APIURL, TokenURL string
	Cloud                                        rules.Cloud
}

// parsePC reads and validates the Partner Center form. An empty secret is
// valid when one is stored (it means "keep").
func parsePC(r *http.Request, secretStored bool) (templates.Form, pcInput) {
	f := templates.NewForm()
	in := pcInput{
		TenantID: strings.TrimSpace(r.PostForm.Get("pc_tenant_id")),
		ClientID: strings.TrimSpace(r.PostForm.Get("pc_client_id")),
		Secret:   r.PostForm.Get("pc_client_secret"),
		APIURL:   strings.TrimRight(strings.TrimSpace(r.PostForm.Get("pc_api_url")), "/"),
		TokenURL: strings.TrimSpace(r.PostForm.Get("pc_token_url")),
	}
	cloud, ok := rules.ParseCloud(r.PostForm.Get("pc_cloud"))
	if !ok {
		f.Errors["pc_cloud"] = "Choose the global Partner Center or the one operated by 21Vianet."
	}
	in.Cloud = cloud
	in.APIURL, in.TokenURL = followCloud(cloud, in.APIURL, in.TokenURL)
	f.Values["pc_cloud"] = string(cloud)
	f.Values["pc_tenant_id"], f.Values["pc_client_id"] = in.TenantID, in.ClientID
	f.Values["pc_api_url"], f.Values["pc_token_url"] = in.APIURL, in.TokenURL
	if !isGUID(in.TenantID) {
		f.Errors["pc_tenant_id"] = "Enter the partner tenant id, a GUID like 6e1b3f5a-0000-4000-8000-00000000cafe."
	}
	if !isGUID(in.ClientID) {
		f.Errors["pc_client_id"] = "Enter the app (client) id, a GUID."
	}
	if in.Secret == "" && !secretStored {
		f.Errors["pc_client_secret"] = "Enter the client secret."
	}
	if msg := checkURL(in.APIURL); msg != "" {
		f.Errors["pc_api_url"] = msg
	}
	if msg := checkURL(strings.ReplaceAll(in.TokenURL, "{tenant}", "t")); msg != "" {
		f.Errors["pc_token_url"] = msg
	}
	return f, in
}

// followCloud moves URLs left at another cloud's official address to
// cloud's, so choosing the cloud is enough; any other URL (the sandbox, a
// proxy) is kept, and an empty one stays an error.
func followCloud(cloud rules.Cloud, apiURL, tokenURL string) (string, string) {
	p := rules.ProfileOf(cloud)
	for _, c := range rules.Clouds {
		o := rules.ProfileOf(c)
		if strings.EqualFold(apiURL, o.APIBaseURL) {
			apiURL = p.APIBaseURL
		}
		if strings.EqualFold(tokenURL, o.TokenURL) || strings.EqualFold(strings.TrimRight(tokenURL, "/"), o.Authority) {
			tokenURL = p.TokenURL
		}
	}
	return apiURL, tokenURL
}

// pcFormFrom fills the form from stored settings.
func pcFormFrom(st store.Settings) templates.Form {
	f := templates.NewForm()
	f.Values["pc_tenant_id"] = st.PcTenantID
	f.Values["pc_client_id"] = st.PcClientID
	f.Values["pc_api_url"] = cmp.Or(st.PcApiUrl, defaultPCAPIURL)
	f.Values["pc_token_url"] = cmp.Or(st.PcTokenUrl, defaultPCTokenURL)
	f.Values["pc_cloud"] = cmp.Or(st.PcCloud, string(rules.CloudGlobal))
	return f
}

// oidcInput is a submitted sign-in provider.
type oidcInput struct {
	Enabled                  bool
	Issuer, ClientID, Secret string
	Tenants                  []string
}

// parseOIDC reads and validates the sign-in provider form.
func parseOIDC(r *http.Request, secretStored bool) (templates.Form, oidcInput) {
	f := templates.NewForm()
	in := oidcInput{
		Enabled:  r.PostForm.Get("oidc_enabled") == "on",
		Issuer:   strings.TrimRight(strings.TrimSpace(r.PostForm.Get("oidc_issuer")), "/"),
		ClientID: strings.TrimSpace(r.PostForm.Get("oidc_client_id")),
		Secret:   r.PostForm.Get("oidc_client_secret"),
	}
	rawTenants := strings.TrimSpace(r.PostForm.Get("oidc_allowed_tenants"))
	if in.Enabled {
		f.Values["oidc_enabled"] = "on"
	}
	f.Values["oidc_issuer"], f.Values["oidc_client_id"], f.Values["oidc_allowed_tenants"] = in.Issuer, in.ClientID, rawTenants
	for t := range strings.SplitSeq(rawTenants, ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t == "" {
			continue
		}
		if !isGUID(t) {
			f.Errors["oidc_allowed_tenants"] = "Each tenant must be a GUID; separate them with commas."
		}
		in.Tenants = append(in.Tenants, t)
	}
	if in.Issuer != "" || in.Enabled {
		if msg := checkURL(in.Issuer); msg != "" {
			f.Errors["oidc_issuer"] = msg
		}
	}
	if in.Enabled {
		if in.ClientID == "" {
			f.Errors["oidc_client_id"] = "Enter the client id registered with the provider."
		}
		if in.Secret == "" && !secretStored {
			f.Errors["oidc_client_secret"] = "Enter the client secret."
		}
	}
	return f, in
}

// oidcFormFrom fills the form from stored settings.
func oidcFormFrom(st store.Settings) templates.Form {
	f := templates.NewForm()
	if st.OidcEnabled {
		f.Values["oidc_enabled"] = "on"
	}
	f.Values["oidc_issuer"] = st.OidcIssuer
	f.Values["oidc_client_id"] = st.OidcClientID
	f.Values["oidc_allowed_tenants"] = strings.Join(st.OidcAllowedTenants, ", ")
	return f
}

// parseDefaults reads and validates country, currency and language.
func parseDefaults(r *http.Request) (templates.Form, store.Defaults) {
	f := templates.NewForm()
	d := store.Defaults{
		DefaultCountry:  strings.ToUpper(strings.TrimSpace(r.PostForm.Get("default_country"))),
		DefaultCurrency: strings.ToUpper(strings.TrimSpace(r.PostForm.Get("default_currency"))),
		DefaultLanguage: strings.TrimSpace(r.PostForm.Get("default_language")),
	}
	f.Values["default_country"], f.Values["default_currency"], f.Values["default_language"] = d.DefaultCountry, d.DefaultCurrency, d.DefaultLanguage
	// The partner mode: absent keeps the stored one (older forms, scripts).
	switch mode := r.PostForm.Get("partner_mode"); mode {
	case "":
	case store.ModeDirect, store.ModeIndirect:
		d.PartnerMode = &mode
		f.Values["partner_mode"] = mode
	default:
		f.Errors["partner_mode"] = "Choose direct-bill partner or indirect provider."
	}
	if !reCountry.MatchString(d.DefaultCountry) {
		f.Errors["default_country"] = "Enter a two-letter country code, e.g. US."
	}
	if !reCurrency.MatchString(d.DefaultCurrency) {
		f.Errors["default_currency"] = "Enter a three-letter currency code, e.g. USD."
	}
	if !reLanguage.MatchString(d.DefaultLanguage) {
		f.Errors["default_language"] = "Enter a language code, e.g. en or en-US."
	}
	return f, d
}

// defaultsFormFrom fills the form from stored settings.
func defaultsFormFrom(st store.Settings) templates.Form {
	f := templates.NewForm()
	f.Values["default_country"] = st.DefaultCountry
	f.Values["default_currency"] = st.DefaultCurrency
	f.Values["default_language"] = st.DefaultLanguage
	f.Values["partner_mode"] = st.PartnerMode
	return f
}

func isGUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func checkURL(s string) string {
	if s == "" {
		return "Enter a URL."
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "Enter a full URL starting with https://."
	}
	return ""
}

func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &httpError{status: http.StatusBadRequest, msg: "The form could not be read."}
	}
	return nil
}
