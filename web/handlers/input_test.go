package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestHostileInput: each request the outside test turned into a 500 page
// gets a 4xx with a message, and nothing is logged as an error.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "admin@example.com")
	words := strings.Repeat("licence ", 50_000)
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   string
		want   int
		says   string
	}{
		{"NUL in a query", "GET", "/customers?q=a%00b", "", 400, "cannot accept"},
		{"invalid UTF-8 in a query", "GET", "/catalog?q=%ff%fe", "", 400, "cannot accept"},
		{"NUL in a URL id", "GET", "/customers/%00", "", 400, "cannot accept"},
		{"invalid UTF-8 in a URL id", "GET", "/customers/%c3%28", "", 400, "cannot accept"},
		{"NUL in a form field", "POST", "/admin/users", "email=a%00@example.com&display_name=x&role=staff", 400, "cannot accept"},
		{"invalid UTF-8 in a form field", "POST", "/login", "email=%ff@example.com&password=xxxxxxxxxxxxxxx", 400, "cannot accept"},
		{"a broken query", "GET", "/customers?q=%zz", "", 400, "could not be read"},
		{"a page far out", "GET", "/customers?page=50000000", "", 200, ""},
		{"a catalog page far out", "GET", "/catalog?page=99999999999999999999", "", 200, ""},
		{"50,000 words of search", "GET", "/catalog?q=" + url.QueryEscape(words), "", 200, ""},
		{"50,000 words in the customer search", "GET", "/customers?q=" + url.QueryEscape(words[:20000]), "", 200, ""},
		{"a 2 MiB body", "POST", "/sync", "kind=incremental&pad=" + strings.Repeat("x", 2<<20), 413, "too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.ts.URL+tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			p := e.do(c, req)
			if p.StatusCode != tc.want || !strings.Contains(p.body, tc.says) {
				t.Fatalf("%s %.80s: %d, want %d with %q\n%.1500s", tc.method, tc.path, p.StatusCode, tc.want, tc.says, p.body)
			}
		})
	}
	if logs := e.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Fatalf("hostile input logged errors:\n%.3000s", logs)
	}
}
