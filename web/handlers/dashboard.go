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
