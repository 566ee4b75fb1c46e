package templates

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/a-h/templ"

	"github.com/cspportal/portal/internal/i18n"
)

// TestNoInlineScriptOrStyle renders every page and checks nothing would
// break the CSP (script-src 'self'; style-src 'self'): no inline script,
// no style attribute or element, no inline event handler.
func TestNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	admin := &Viewer{Name: "Ada", Email: "ada@example.com", Role: "admin"}
	f := NewForm()
	f.Values["email"] = "x@example.com"
	f.Errors["email"] = "bad"
	f.Errors["_form"] = "whole form"
	p := Page{Title: "T", Viewer: admin, Active: "/", Flash: Flash{Kind: "success", Message: "Saved"}}
	pc := PCForm{Form: f, Action: "/a", TestAction: "/t", SecretStored: true, Submit: "Save", Test: &TestResult{Code: "invalid_client", Message: "nope"}}
	pages := map[string]templ.Component{
		"login":     LoginPage(p, f, "/", "Sign in with Microsoft"),
		"refused":   SignInRefused(p, "no"),
		"dashboard": DashboardPage(p, Dashboard{PCConfigured: true}),
		"soon":      ComingSoon(p, "Catalog", "later"),
		"users":     UsersPage(p, []UserRow{{Email: "a@b.c"}, {ID: 2, Disabled: true}}, f),
		"error":     ErrorPage(p, 500, "Oops", "bad", "abc123"),
		"token":     SetupTokenPage(p, f),
		"admin":     SetupAdminPage(p, f),
		"pc":        SetupPCPage(p, pc),
		"oidc":      SetupOIDCPage(p, f, true, "http://x/auth/oidc/callback"),
		"defaults":  SetupDefaultsPage(p, f),
		"import":    SetupImportPage(p),
		"settings":  SettingsPage(p, Settings{PC: pc, OIDC: f, Defaults: f}),
		"customer":  Layout(Page{Viewer: &Viewer{Role: "customer"}}),
	}
	bad := regexp.MustCompile(`(?i)<script>|<script [^>]*>[^<]|\sstyle=|<style|\son[a-z]+=|javascript:`)
	for name, c := range pages {
		var buf bytes.Buffer
		if err := c.Render(context.Background(), &buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m := bad.FindString(buf.String()); m != "" {
			t.Errorf("%s: inline script or style %q", name, m)
		}
	}
}

// TestNoInlineInSources scans every .templ file (including pages not
// rendered above) for what the CSP would block: inline scripts, style
// attributes or elements, inline event handlers, htmx's hx-on (it needs
// eval), javascript: URLs.
func TestNoInlineInSources(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.templ")
	bad := regexp.MustCompile(`(?i)<script>|\sstyle=|<style|\son[a-z]+=|hx-on|javascript:`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := bad.FindString(line); m != "" {
				t.Errorf("%s:%d: %q is blocked by the CSP (use a class in app.css or code in app.js)", f, i+1, m)
			}
		}
	}
}

// TestGeneratedUpToDate fails when a .templ file is newer in content than
// its generated Go file would allow: every templ file has a _templ.go.
func TestGeneratedUpToDate(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.templ")
	if len(files) == 0 {
		t.Fatal("no templ files")
	}
	for _, f := range files {
		gen := strings.TrimSuffix(f, ".templ") + "_templ.go"
		if _, err := os.Stat(gen); err != nil {
			t.Errorf("%s has no generated %s: run go tool templ generate", f, gen)
		}
	}
}

func TestNavByRole(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		role     string
		provider bool
		want     string
	}{
		{"admin", false, "/,/catalog,/customers,/renewals,/billing,/support,/sync,/audit,/admin/users,/admin/settings"},
		{"admin", true, "/,/catalog,/customers,/resellers,/renewals,/billing,/support,/sync,/audit,/admin/users,/admin/settings"},
		{"staff", false, "/,/catalog,/customers,/renewals,/billing,/support,/sync,/audit"},
		{"staff", true, "/,/catalog,/customers,/resellers,/renewals,/billing,/support,/sync,/audit"},
		{"reseller", true, "/reseller/customers,/reseller/prices,/reseller/api-tokens"},
		{"customer", true, "/my/subscriptions,/my/charges,/my/requests"},
		{"", false, ""},
	} {
		var got []string
		for _, it := range navFor(tc.role, tc.provider) {
			got = append(got, it.Href)
			if i18n.In(i18n.SimplifiedChinese, it.Label) == it.Label {
				t.Errorf("nav entry %s has no Chinese label", it.Label)
			}
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("nav for %q (provider %v) = %v, want %s", tc.role, tc.provider, got, tc.want)
		}
	}
}

// esc writes what templ's { s } writes, escapes included.
func TestEscWritesWhatAnExpressionDoes(t *testing.T) {
	for _, s := range []string{"", "Microsoft 365 E3", `<b>"Tom" & 'Jerry'</b>`, "日本語 ✓"} {
		var got strings.Builder
		if err := esc(s).Render(t.Context(), &got); err != nil {
			t.Fatal(err)
		}
		want, err := templ.JoinStringErrs(s)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != templ.EscapeString(want) {
			t.Errorf("esc(%q) = %q, want %q", s, got.String(), templ.EscapeString(want))
		}
	}
}
