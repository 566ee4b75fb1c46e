// Package templates holds the portal's templ components: the layout, shared
// widgets, and one file per page. Handlers fill the view structs below; the
// templates never touch the database.
package templates

import (
	"context"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/web/static"
)

// Viewer is the signed-in user as pages see it.
type Viewer struct {
	Name  string
	Email string
	Role  string // admin, staff, reseller or customer
	// Provider is true when the portal's partner is an indirect provider:
	// its staff get the resellers in their menu.
	Provider bool
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    string // success, error or info
	Message string
}

// Page is what the layout needs.
type Page struct {
	Title   string
	Viewer  *Viewer // nil when anonymous
	Active  string  // the nav item to highlight, e.g. "/admin/settings"
	Flash   Flash
	Version string
	Width   string // "", "narrow" or "medium"
	NoNav   bool   // setup and sign-in pages
	Dev     bool   // development mode: Partner Center is the sandbox
	// Unavailable lists the capabilities (rules.Capability) the page would
	// use that the connected cloud does not offer; the layout explains
	// each above the content.
	Unavailable []string
	// Path is the page's path and query, where the language switch
	// returns to.
	Path string
}

// Form carries submitted values and per-field error messages.
type Form struct {
	Values map[string]string
	Errors map[string]string
}

// NewForm returns an empty form.
func NewForm() Form { return Form{Values: map[string]string{}, Errors: map[string]string{}} }

// Get returns a field's value.
func (f Form) Get(name string) string { return f.Values[name] }

// Err returns a field's error message ("" when valid).
func (f Form) Err(name string) string { return f.Errors[name] }

// Valid reports whether no field has an error.
func (f Form) Valid() bool { return len(f.Errors) == 0 }

// navItem is one entry of the top navigation.
type navItem struct {
	Href, Label, TestID string
}

// navFor returns the navigation for a role; provider adds the resellers
// for the staff of an indirect provider.
func navFor(role string, provider bool) []navItem {
	dashboard := navItem{"/", "nav.dashboard", "nav-dashboard"}
	catalog := navItem{"/catalog", "nav.catalog", "nav-catalog"}
	customers := navItem{"/customers", "nav.customers", "nav-customers"}
	renewals := navItem{"/renewals", "nav.renewals", "nav-renewals"}
	sync := navItem{"/sync", "nav.sync", "nav-sync"}
	audit := navItem{"/audit", "nav.audit", "nav-audit"}
	billing := navItem{"/billing", "nav.billing", "nav-billing"}
	support := navItem{"/support", "nav.support", "nav-support"}
	staff := []navItem{dashboard, catalog, customers}
	if provider {
		staff = append(staff, navItem{"/resellers", "nav.resellers", "nav-resellers"})
	}
	staff = append(staff, renewals, billing, support, sync, audit)
	switch role {
	case "admin":
		return append(staff, navItem{"/admin/users", "nav.users", "nav-users"}, navItem{"/admin/settings", "nav.settings", "nav-settings"})
	case "staff":
		return staff
	case "reseller":
		return []navItem{{"/reseller/customers", "nav.customers", "nav-reseller-customers"}, {"/reseller/prices", "nav.your_prices", "nav-reseller-prices"},
			{"/reseller/api-tokens", "nav.api_tokens", "nav-reseller-api-tokens"}}
	case "customer":
		return []navItem{{"/my/subscriptions", "nav.my_subscriptions", "nav-my-subscriptions"}, {"/my/charges", "nav.my_charges", "nav-my-charges"},
			{"/my/requests", "nav.my_requests", "nav-my-requests"}}
	}
	return nil
}

func asset(name string) string { return static.URL(name) }

// statusText is a subscription status in the reader's language (PC's own
// word when the catalogs do not know it).
func statusText(ctx context.Context, status string) string {
	return i18n.Status(i18n.From(ctx), status)
}
