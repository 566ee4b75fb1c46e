package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cspportal/portal/store"
)

// TestPagesRevalidate checks a page read again unchanged is a 304 without
// its bytes, a changed one a 200 with a new tag, and that only a GET's
// 200 gets a tag the browser may keep; signing out wipes what it kept.
func TestPagesRevalidate(t *testing.T) {
	e := newEnv(t)
	e.completeSetup()
	e.createUser(store.RoleAdmin, "admin@example.com")
	c := e.client()
	e.login(c, "admin@example.com")

	getIf := func(path, tag string) page {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		if tag != "" {
			req.Header.Set("If-None-Match", tag)
		}
		return e.do(c, req)
	}
	first := getIf("/admin/users", "")
	tag := first.Header.Get("ETag")
	if first.StatusCode != http.StatusOK || !strings.HasPrefix(tag, `W/"`) || first.Header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("first read: %d, ETag %q, Cache-Control %q", first.StatusCode, tag, first.Header.Get("Cache-Control"))
	}
	if v := strings.Join(first.Header.Values("Vary"), ","); !strings.Contains(v, "HX-Request") {
		t.Errorf("Vary %q: an htmx fragment and the page share the address", v)
	}
	same := getIf("/admin/users", tag)
	if same.StatusCode != http.StatusNotModified || same.body != "" || same.Header.Get("ETag") != tag {
		t.Fatalf("unchanged page with If-None-Match: %d, %d bytes, ETag %q", same.StatusCode, len(same.body), same.Header.Get("ETag"))
	}
	// A list of tags, strong or weak, matches too.
	if p := getIf("/admin/users", `"other", `+strings.TrimPrefix(tag, "W/")); p.StatusCode != http.StatusNotModified {
		t.Errorf("tag in a list: %d", p.StatusCode)
	}
	if p := getIf("/admin/users", `W/"other"`); p.StatusCode != http.StatusOK || p.Header.Get("ETag") != tag {
		t.Errorf("another tag: %d, ETag %q", p.StatusCode, p.Header.Get("ETag"))
	}

	e.createUser(store.RoleStaff, "newcomer@example.com")
	e.settle()
	changed := getIf("/admin/users", tag)
	if changed.StatusCode != http.StatusOK || changed.Header.Get("ETag") == tag || !strings.Contains(changed.body, "newcomer@example.com") {
		t.Fatalf("changed page with the old tag: %d, ETag %q (old %q)", changed.StatusCode, changed.Header.Get("ETag"), tag)
	}

	// Answers that are not a GET's 200 are never kept.
	missing := getIf("/customers/00000000-0000-0000-0000-000000000001", "")
	if missing.StatusCode != http.StatusNotFound || missing.Header.Get("ETag") != "" || missing.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("404: ETag %q, Cache-Control %q", missing.Header.Get("ETag"), missing.Header.Get("Cache-Control"))
	}
	bad := e.post(c, "/admin/users", url.Values{"email": {"not an address"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || bad.Header.Get("ETag") != "" || bad.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("POST answer %d: ETag %q, Cache-Control %q", bad.StatusCode, bad.Header.Get("ETag"), bad.Header.Get("Cache-Control"))
	}

	out := e.post(c, "/logout", nil)
	if out.StatusCode != http.StatusSeeOther || out.Header.Get("Clear-Site-Data") != `"cache"` {
		t.Errorf("sign out: %d, Clear-Site-Data %q", out.StatusCode, out.Header.Get("Clear-Site-Data"))
	}
	// Signed out, the kept copy is not confirmed: the sign-in page comes.
	if p := getIf("/admin/users", tag); p.StatusCode == http.StatusNotModified {
		t.Errorf("signed out, the kept page was confirmed")
	}
}
