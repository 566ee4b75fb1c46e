package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestUserManagement(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	me := e.createUser("admin", "admin@example.com")
	e.completeSetup()
	admin := e.client()
	e.login(admin, "admin@example.com")

	// Validation messages next to the fields.
	p := e.post(admin, "/admin/users", url.Values{"email": {"nope"}, "display_name": {""}, "role": {"customer"}, "password": {"short"}})
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid user: %d", p.StatusCode)
	}
	for _, f := range []string{"email", "display_name", "role", "password"} {
		if !hasTestID(p.body, "error-"+f) {
			t.Errorf("no error next to %s", f)
		}
	}
	const pw = "staff initial password"
	p = e.post(admin, "/admin/users", url.Values{"email": {"Sam@Example.com"}, "display_name": {"Sam"}, "role": {"staff"}, "password": {pw}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("create staff: %d\n%s", p.StatusCode, p.body)
	}
	// Same email, other case: refused.
	p = e.post(admin, "/admin/users", url.Values{"email": {"sam@example.com"}, "display_name": {"Sam 2"}, "role": {"admin"}, "password": {pw}})
	if p.StatusCode != http.StatusConflict || !hasTestID(p.body, "error-email") {
		t.Fatalf("duplicate email: %d", p.StatusCode)
	}
	// The new staff member signs in with the initial password.
	staff := e.client()
	if p := e.post(staff, "/login", url.Values{"email": {"sam@example.com"}, "password": {pw}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff sign-in: %d", p.StatusCode)
	}
	if p := e.get(staff, "/admin/users"); p.StatusCode != http.StatusForbidden {
		t.Fatalf("staff on users: %d", p.StatusCode)
	}
	sam, err := e.st.UserByEmail(t.Context(), "sam@example.com")
	if err != nil || sam.Role != "staff" {
		t.Fatalf("created user: %+v, %v", sam, err)
	}
	// Disabling signs them out at once; enabling lets them back in.
	if p := e.post(admin, fmt.Sprintf("/admin/users/%d/disable", sam.ID), nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.StatusCode)
	}
	if p := e.get(staff, "/"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Fatalf("disabled staff still signed in: %d", p.StatusCode)
	}
	if p := e.get(admin, "/admin/users"); !hasTestID(p.body, "user-enable") || !strings.Contains(p.body, "is disabled.") {
		t.Fatal("users page does not offer Enable / confirm the change")
	}
	e.post(admin, fmt.Sprintf("/admin/users/%d/enable", sam.ID), nil)
	if p := e.post(staff, "/login", url.Values{"email": {"sam@example.com"}, "password": {pw}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("re-enabled staff sign-in: %d", p.StatusCode)
	}
	// An admin cannot lock themselves out.
	if p := e.post(admin, fmt.Sprintf("/admin/users/%d/disable", me.ID), nil); p.StatusCode != http.StatusConflict {
		t.Fatalf("self-disable: %d", p.StatusCode)
	}
	if p := e.post(admin, "/admin/users/999999/disable", nil); p.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown user: %d", p.StatusCode)
	}
	if strings.Contains(e.logs.String(), pw) {
		t.Fatal("initial password in the log")
	}
}
