package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A flash belongs to the request that set it: another tab's next page
// (same session, another address) does not show it; the page the
// request redirected to does, once.
func TestFlashBelongsToItsRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "admin@example.com")
	form := url.Values{"default_country": {"FR"}, "default_currency": {"EUR"}, "default_language": {"fr"}}

	// The submit's redirect is not followed yet (an interrupted submit,
	// or another tab is quicker).
	p := e.post(c, "/admin/settings/defaults", form)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/admin/settings" {
		t.Fatalf("save defaults: %d to %q", p.StatusCode, p.location())
	}
	if other := e.get(c, "/admin/users"); other.StatusCode != http.StatusOK || hasTestID(other.body, "flash") {
		t.Fatalf("another tab's page shows the flash of a request it did not make: %d\n%s", other.StatusCode, other.body)
	}
	got := e.get(c, "/admin/settings")
	if !hasTestID(got.body, "flash") || !strings.Contains(got.body, "Defaults saved.") {
		t.Fatalf("the page the submit redirected to has no flash\n%s", got.body)
	}
	if again := e.get(c, "/admin/settings"); hasTestID(again.body, "flash") {
		t.Fatal("the flash shows twice")
	}
}
