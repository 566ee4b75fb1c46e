package handlers_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/static"
)

// TestCompression checks HTML and CSV go gzip'ed to a client that asks
// and plain to one that does not, both marked Vary: Accept-Encoding, and
// that the static files go as they are.
func TestCompression(t *testing.T) {
	e := newEnv(t)
	e.completeSetup()
	e.createUser(store.RoleCustomer, "c@example.com")
	signedIn := e.client()
	e.login(signedIn, "c@example.com")
	// A transport that leaves Accept-Encoding and the body alone, so the
	// test sees what went over the wire.
	raw := &http.Client{Jar: signedIn.Jar, Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	get := func(path, acceptEncoding string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("%s: gzip: %v", path, err)
			}
			body = zr
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("%s: read: %v", path, err)
		}
		return resp, string(b)
	}
	for _, tc := range []struct{ path, want string }{
		{"/my/subscriptions", `data-testid="entitlements-title"`},
		{"/my/subscriptions.csv", "subscription_id,base_subscription_id"},
	} {
		resp, body := get(tc.path, "gzip, deflate, br")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(body, tc.want) {
			t.Errorf("%s asking for gzip: %d, Content-Encoding %q, %d bytes", tc.path, resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
		}
		if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s gzip'ed: Vary %q", tc.path, resp.Header.Values("Vary"))
		}
		resp, body = get(tc.path, "")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" || !strings.Contains(body, tc.want) {
			t.Errorf("%s plain: %d, Content-Encoding %q, %d bytes", tc.path, resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
		}
		if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("%s plain: Vary %q", tc.path, resp.Header.Values("Vary"))
		}
	}
	// Static files are not compressed on the fly.
	resp, body := get(static.URL("css/app.css"), "gzip")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" || len(body) == 0 {
		t.Errorf("static css asking for gzip: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}
