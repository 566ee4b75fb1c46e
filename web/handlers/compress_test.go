package handlers_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/static"
)

// TestCompression checks HTML and CSV go in zstd or gzip to a client that
// takes them, as it ranks them, and plain to one that does not, all
// marked Vary: Accept-Encoding, and
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
		switch resp.Header.Get("Content-Encoding") {
		case "gzip":
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("%s: gzip: %v", path, err)
			}
			body = zr
		case "zstd":
			zr, err := zstd.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("%s: zstd: %v", path, err)
			}
			defer zr.Close()
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
		for _, enc := range []struct{ accept, want string }{
			{"gzip, deflate, br", "gzip"},       // Safari
			{"gzip, deflate, br, zstd", "zstd"}, // Chrome, Firefox
			{"", ""},
			{"gzip;q=0, br", ""}, // gzip refused
			{"zstd;q=0, gzip", "gzip"},
		} {
			resp, body := get(tc.path, enc.accept)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != enc.want || !strings.Contains(body, tc.want) {
				t.Errorf("%s asking for %q: %d, Content-Encoding %q (want %q), %d bytes", tc.path, enc.accept, resp.StatusCode,
					resp.Header.Get("Content-Encoding"), enc.want, len(body))
			}
			if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("%s asking for %q: Vary %q", tc.path, enc.accept, resp.Header.Values("Vary"))
			}
		}
	}
	// Static files are not compressed on the fly.
	resp, body := get(static.URL("css/app.css"), "gzip")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" || len(body) == 0 {
		t.Errorf("static css asking for gzip: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}
