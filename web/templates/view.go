// Package templates holds the portal's templ components: the layout, shared
// widgets, and one file per page. Handlers fill the view structs below; the
// templates never touch the database.
package templates

import "github.com/cspportal/portal/web/static"

// Viewer is the signed-in user as pages see it.
type Viewer struct {
	Name  string
	Email string
	Role  string // admin, staff or customer
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

// navFor returns the navigation for a role.
func navFor(role string) []navItem {
	dashboard := navItem{"/", "Dashboard", "nav-dashboard"}
	catalog := navItem{"/catalog", "Catalog", "nav-catalog"}
	customers := navItem{"/customers", "Customers", "nav-customers"}
	renewals := navItem{"/renewals", "Renewals", "nav-renewals"}
	sync := navItem{"/sync", "Sync", "nav-sync"}
	audit := navItem{"/audit", "Audit", "nav-audit"}
	billing := navItem{"/billing", "Billing", "nav-billing"}
	switch role {
	case "admin":
		return []navItem{dashboard, catalog, customers, renewals, billing, sync, audit,
			{"/admin/users", "Users", "nav-users"}, {"/admin/settings", "Settings", "nav-settings"}}
	case "staff":
		return []navItem{dashboard, catalog, customers, renewals, billing, sync, audit}
	case "customer":
		return []navItem{{"/my/subscriptions", "My subscriptions", "nav-my-subscriptions"}, {"/my/charges", "My charges", "nav-my-charges"}}
	}
	return nil
}

func asset(name string) string { return static.URL(name) }
