package handlers

import (
	"net/http"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/web/templates"
)

// home is the start page: the dashboard for admins and staff, the
// customer's subscriptions for customer users.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	u := auth.UserFrom(r.Context())
	if u.Role == auth.RoleCustomer {
		redirect(w, r, "/my/subscriptions")
		return nil
	}
	st, err := s.st.Settings(r.Context())
	if err != nil {
		return err
	}
	users, err := s.st.ListUsers(r.Context())
	if err != nil {
		return err
	}
	d := templates.Dashboard{
		SetupComplete: st.SetupCompletedAt != nil,
		PCConfigured:  st.PcTenantID != "" && len(st.PcClientSecretEnc) > 0,
		PCTenantID:    st.PcTenantID,
		Users:         len(users),
		Country:       st.DefaultCountry,
		Currency:      st.DefaultCurrency,
	}
	for _, u := range users {
		if u.Role == auth.RoleAdmin && u.DisabledAt == nil {
			d.Admins++
		}
	}
	c, err := s.st.DashboardCounts(r.Context())
	if err != nil {
		return err
	}
	d.Customers, d.Subscriptions, d.ActiveSubscriptions, d.Offers = c.Customers, c.Subscriptions, c.ActiveSubscriptions, c.Offers
	if c.LastSync != nil {
		d.LastSync = c.LastSync.UTC().Format("2006-01-02 15:04 UTC")
	}
	return s.render(w, r, http.StatusOK, templates.DashboardPage(s.page(r, "Dashboard", "/"), d))
}

// mySubscriptionList shows a customer user their subscriptions.
func (s *Server) mySubscriptionList(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, templates.ComingSoon(s.page(r, "My subscriptions", "/my/subscriptions"), "My subscriptions",
		"This page is not built yet. It will list your subscriptions, seats and renewal dates from your reseller's portal."))
}

// userList lists the portal's accounts.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	users, err := s.st.ListUsers(r.Context())
	if err != nil {
		return err
	}
	rows := make([]templates.UserRow, 0, len(users))
	for _, u := range users {
		row := templates.UserRow{Email: u.Email, Name: u.DisplayName, Role: u.Role, SignIn: "password", Status: "active", LastLogin: "never"}
		if u.OidcSubject != nil {
			row.SignIn = "OIDC"
			if u.PasswordHash != nil {
				row.SignIn = "password, OIDC"
			}
		}
		if u.DisabledAt != nil {
			row.Status = "disabled"
		}
		if u.LastLoginAt != nil {
			row.LastLogin = u.LastLoginAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		rows = append(rows, row)
	}
	return s.render(w, r, http.StatusOK, templates.UsersPage(s.page(r, "Users", "/admin/users"), rows))
}
