package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cspportal/portal/store"
)

// TestLanguageChoice: the browser's Accept-Language picks the language of
// a visitor's page (and <html lang>); the header's switch overrides it, for
// a signed-in user stored with the user, so the choice follows them.
func TestLanguageChoice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	e.createUser("staff", "staff@example.com")
	get := func(c *http.Client, path, accept string) page {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		return e.do(c, req)
	}
	c := e.client()
	if p := get(c, "/login", "zh-CN,zh;q=0.9,en;q=0.5"); !strings.Contains(p.body, `<html lang="zh-Hans">`) || !strings.Contains(p.body, "登录") {
		t.Fatalf("zh visitor:\n%s", p.body)
	}
	if p := get(c, "/login", "en-GB"); !strings.Contains(p.body, `<html lang="en">`) || !strings.Contains(p.body, "Sign in") {
		t.Fatalf("en visitor:\n%s", p.body)
	}
	// Neither the user nor the browser: the portal's default.
	if err := e.st.UpdateDefaults(t.Context(), defaultsZh()); err != nil {
		t.Fatal(err)
	}
	if p := get(c, "/login", "fr-FR"); !strings.Contains(p.body, `<html lang="zh-Hans">`) {
		t.Fatalf("portal default not used:\n%s", p.body)
	}

	e.login(c, "staff@example.com")
	if p := e.post(c, "/language", url.Values{"lang": {"zh-Hans"}, "next": {"/customers?q=x"}}); p.StatusCode != http.StatusSeeOther || p.location() != "/customers?q=x" {
		t.Fatalf("switch: %d %s", p.StatusCode, p.location())
	}
	if p := e.post(c, "/language", url.Values{"lang": {"zh-Hans"}, "next": {"//evil.example"}}); p.location() != "/" {
		t.Fatalf("switch followed an off-site next: %s", p.location())
	}
	if p := e.post(c, "/language", url.Values{"lang": {"klingon"}}); p.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown language: %d", p.StatusCode)
	}
	// Another browser of the same user, asking for English: the stored choice wins.
	c2 := e.client()
	e.login(c2, "staff@example.com")
	p := get(c2, "/", "en-US")
	if !strings.Contains(p.body, `<html lang="zh-Hans">`) || !strings.Contains(p.body, "仪表板") || !strings.Contains(p.body, "退出登录") {
		t.Fatalf("stored choice not used:\n%s", p.body)
	}
	if strings.Contains(p.body, ">Dashboard<") {
		t.Error("the Chinese dashboard still says Dashboard")
	}
}

func defaultsZh() store.Defaults {
	return store.Defaults{DefaultCountry: "CN", DefaultCurrency: "CNY", DefaultLanguage: "zh-Hans"}
}
