package auth_test

import (
	"strings"
	"testing"

	"github.com/cspportal/portal/auth"
)

func TestPassword(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword(t.Context(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q", h)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		ok, err := auth.CheckPassword(t.Context(), pw, h)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := auth.CheckPassword(t.Context(), "x", "not-a-hash"); err == nil {
		t.Error("malformed hash: want error")
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/admin/settings?x=1": "/admin/settings?x=1",
		"//evil.com":          "/",
		"/\\evil.com":         "/",
		"https://evil.com/":   "/",
		"":                    "/",
		"admin":               "/",
	} {
		if got := auth.SafeNext(in); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
