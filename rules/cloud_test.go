package rules

import (
	"slices"
	"testing"
	"time"
)

func TestParseCloud(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Cloud
		ok   bool
	}{
		{"", CloudGlobal, true},
		{"global", CloudGlobal, true},
		{"china", CloudChina, true},
		{" China ", CloudChina, true},
		{"21vianet", CloudChina, true},
		{"usgov", CloudGlobal, false},
		{"mars", CloudGlobal, false},
	} {
		if got, ok := ParseCloud(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("ParseCloud(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCloudProfile(t *testing.T) {
	for _, tc := range []struct {
		cloud                     Cloud
		api, authority, resource  string
		tokenURL                  string
		azure, licences, requests bool
		graph, sheets             bool
		kept                      time.Duration
		anniversary               bool
	}{
		{CloudGlobal, "https://api.partnercenter.microsoft.com", "https://login.microsoftonline.com",
			"https://api.partnercenter.microsoft.com", "https://login.microsoftonline.com/{tenant}/oauth2/token",
			true, true, true, true, true, 0, false},
		{CloudChina, "https://partner.partnercenterapi.microsoftonline.cn", "https://login.chinacloudapi.cn",
			"https://partner.partnercenterapi.microsoftonline.cn", "https://login.chinacloudapi.cn/{tenant}/oauth2/token",
			false, false, false, false, false, 60 * 24 * time.Hour, true},
		{"unknown", "https://api.partnercenter.microsoft.com", "https://login.microsoftonline.com",
			"https://api.partnercenter.microsoft.com", "https://login.microsoftonline.com/{tenant}/oauth2/token",
			true, true, true, true, true, 0, false},
	} {
		p := ProfileOf(tc.cloud)
		if p.APIBaseURL != tc.api || p.Authority != tc.authority || p.Resource != tc.resource || p.TokenURL != tc.tokenURL {
			t.Errorf("%s: endpoints %s %s %s %s", tc.cloud, p.APIBaseURL, p.Authority, p.Resource, p.TokenURL)
		}
		got := []bool{p.Has(CapAzurePlan), p.Has(CapLicenceAssignment), p.Has(CapServiceRequests), p.Has(CapGraphBilling), p.Has(CapPriceSheets)}
		if want := []bool{tc.azure, tc.licences, tc.requests, tc.graph, tc.sheets}; !slices.Equal(got, want) {
			t.Errorf("%s: capabilities %v, want %v", tc.cloud, got, want)
		}
		if p.SuspendedDataKeptFor != tc.kept || p.AnniversaryBilling != tc.anniversary {
			t.Errorf("%s: kept %s anniversary %v", tc.cloud, p.SuspendedDataKeptFor, p.AnniversaryBilling)
		}
		if len(p.Missing()) != 5-countTrue(got) {
			t.Errorf("%s: missing %v", tc.cloud, p.Missing())
		}
	}
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func TestSuspendedDeletesAt(t *testing.T) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, fixed := ProfileOf(CloudGlobal).SuspendedDeletesAt(at); fixed {
		t.Error("global fixes a deletion date; the lifecycle rules should decide")
	}
	got, fixed := ProfileOf(CloudChina).SuspendedDeletesAt(at)
	if want := time.Date(2026, 4, 30, 10, 0, 0, 0, time.UTC); !fixed || !got.Equal(want) {
		t.Errorf("china: %s %v, want %s", got, fixed, want)
	}
}

func TestIsAzurePlan(t *testing.T) {
	for _, tc := range []struct {
		kind, id, family, billing string
		want                      bool
	}{
		{"sku", "DZH318Z0BPS6/0001", "Azure", "usage", true},
		{"sku", "dzh318z0bps6/0001", "", "", true},
		{"sku", "OTHER/0001", "Azure", "usage", true},
		{"sku", "CFQ7TTC0LH18/0001", "OnlineServicesNCE", "license", false},
		{"sku", "OTHER/0001", "Azure", "license", false},
		{"offer", "DZH318Z0BPS6", "Azure", "usage", false},
	} {
		if got := IsAzurePlan(tc.kind, tc.id, tc.family, tc.billing); got != tc.want {
			t.Errorf("IsAzurePlan(%s, %s, %s, %s) = %v", tc.kind, tc.id, tc.family, tc.billing, got)
		}
	}
}
