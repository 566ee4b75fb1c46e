package handlers

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cspportal/portal/rules"
)

// The fuzz targets run their seeds as ordinary tests (make test); run one
// longer with e.g. go test ./web/handlers -run '^$' -fuzz FuzzCheckRequest
// -fuzztime 1m.

// FuzzCheckRequest: whatever the path, query and body, checkRequest never
// panics, and what it lets through parses into clean text and reaches the
// handler unchanged.
func FuzzCheckRequest(f *testing.F) {
	for _, s := range [][3]string{
		{"/customers", "q=contoso&page=2", "email=a%40b.example&password=x"},
		{"/customers/%00", "", ""},
		{"/catalog", "q=%ff%fe", ""},
		{"/login", "", "email=%ff@example.com"},
		{"/x", "a=%zz", "b=%zz"},
		{"/x", "", "a=\x00"},
		{"/日本", "q=北京", "company_name=北京云桥科技有限公司"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, path, query, body string) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.URL = &url.URL{Path: path, RawQuery: query}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		err := checkRequest(r)
		if err != nil {
			if _, ok := err.(*httpError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if !cleanText(path) {
			t.Fatalf("path %q let through", path)
		}
		q, _ := url.ParseQuery(query)
		if !cleanValues(q) {
			t.Fatalf("query %q let through", query)
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) != body {
			t.Fatal("the body changed on its way to the handler")
		}
		if err := r.ParseForm(); err != nil {
			t.Fatalf("a checked form does not parse: %v", err)
		}
		if !cleanValues(r.PostForm) {
			t.Fatalf("body %q let through", body)
		}
	})
}

// FuzzClientAddr: any RemoteAddr and forwarding headers give either the
// peer or a parsed address, and an untrusted peer's headers are ignored.
func FuzzClientAddr(f *testing.F) {
	f.Add("10.0.0.1:443", "203.0.113.7", "")
	f.Add("10.0.0.1:443", "203.0.113.7, 10.0.0.2", "")
	f.Add("10.0.0.1:443", "", `for="[2001:db8::1]:4711";proto=https, for=10.0.0.3`)
	f.Add("192.0.2.1:1", "198.51.100.1", "for=unknown")
	f.Add("[::ffff:10.0.0.1]:80", "garbage,,,", `for="_hidden"`)
	f.Add("not an addr", "1.2.3.4", "")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::ffff:10.0.0.0/104")}
	f.Fuzz(func(t *testing.T, remote, xff, fwd string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		if fwd != "" {
			r.Header.Set("Forwarded", fwd)
		}
		got := clientAddr(r, trusted)
		peer := parseAddr(remote)
		if !peer.IsValid() {
			if got != remote {
				t.Fatalf("unparsable peer %q gave %q", remote, got)
			}
			return
		}
		if _, err := netip.ParseAddr(got); err != nil {
			t.Fatalf("client address %q is not an address", got)
		}
		if !isTrusted(peer, trusted) && got != peer.String() {
			t.Fatalf("untrusted peer %s: believed the headers (%s)", peer, got)
		}
		if clientAddr(r, nil) != peer.String() {
			t.Fatal("without trusted proxies the headers were read")
		}
	})
}

// FuzzListParams: page numbers stay in 1..maxPage and search terms within
// their caps, for any input.
func FuzzListParams(f *testing.F) {
	for _, s := range []string{"", "1", "-5", "50000000", "99999999999999999999", "2e3", "北京 云桥 " + strings.Repeat("word ", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p := pageParam(s); p < 1 || p > maxPage {
			t.Fatalf("pageParam(%q) = %d", s, p)
		}
		q := searchTerms(s)
		if utf8.RuneCountInString(q) > maxSearchRunes || len(strings.Fields(q)) > maxSearchWords {
			t.Fatalf("searchTerms kept %d characters, %d words", utf8.RuneCountInString(q), len(strings.Fields(q)))
		}
	})
}

// FuzzOnboardingForm: the onboarding decoder and every step's validation
// accept any posted form without panicking, and a step that passes keeps
// each field within its limit in characters (rules.CustomerFieldLimits).
func FuzzOnboardingForm(f *testing.F) {
	f.Add("company_name=Contoso&first_name=Ann&last_name=Lee&email=ann%40contoso.example&address_line1=1+Main&city=Seattle&postal_code=98052&country=US&state=WA&culture=en-US&language=en", "company")
	f.Add("last_name="+strings.Repeat("x", 10000), "company")
	f.Add("company_name="+url.QueryEscape(strings.Repeat("北", 90)), "company")
	f.Add("domain_prefix=ContosoLtd", "domain")
	f.Add("mca_date=2026-13-40&mca_email=a%40b", "agreement")
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body, step string) {
		r := httptest.NewRequest(http.MethodPost, "/customers/new", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r.ParseForm() != nil {
			return
		}
		fm := onboardingInput(r)
		validateStep(fm, step, now)
		if len(fm.Errors) > 0 {
			return
		}
		for _, name := range onboardingFields[step] {
			if n := utf8.RuneCountInString(fm.Get(name)); n > rules.CustomerFieldLimits[name] {
				t.Fatalf("%s of %d characters passed", name, n)
			}
		}
	})
}

func TestRedactPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/invitations/s3cr3t":         "/invitations/{token}",
		"/password/reset/abc/x":       "/password/reset/{token}/x",
		"/calendar/feedtoken.ics":     "/calendar/{token}",
		"/customers/onboarding/tok/s": "/customers/onboarding/{token}/s",
		"/customers/42":               "/customers/42",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%q) = %q, want %q", in, got, want)
		}
	}
}
